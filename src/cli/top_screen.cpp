#include "top_screen.hpp"

#include "tcpsight/views/printable.hpp"
#include "tcpsight/views/text_format.hpp"
#include "tcpsight/views/top_table.hpp"

#include <curses.h>

#include <csignal>
#include <cstdlib>
#include <exception>
#include <fmt/format.h>

namespace tcpsight::cli {
namespace {

// Colour pairs: TCPView's green for new rows, yellow for changed ones and
// red for closed ones, as backgrounds behind black text.
enum Pair : short { kNew = 1, kChanged, kClosed, kTitle };

// Column widths; the last column takes the rest.
constexpr int kWidths[kTopColumnCount] = {6, 26, 26, 15, 22, 7, 8, 9, 8, 0};
// Rows kept for the "recently closed" pane, at most.
constexpr int kRecentLines = 8;

volatile std::sig_atomic_t screen_active = 0;

void restore_terminal() {
  if (screen_active) {
    screen_active = 0;
    endwin();
  }
}

// A crash must not leave the terminal in raw mode without an echo.
void on_fatal_signal(int signal) {
  restore_terminal();
  std::signal(signal, SIG_DFL);
  std::raise(signal);
}

short pair_of(Highlight highlight) {
  switch (highlight) {
  case Highlight::New:
    return kNew;
  case Highlight::Changed:
    return kChanged;
  case Highlight::Closed:
    return kClosed;
  default:
    return 0;
  }
}

// Text cut or padded to width (0: the rest of the line).
std::string fit(std::string text, int width) {
  if (width <= 0)
    return text;
  const auto size = static_cast<std::size_t>(width);
  cut_to(text, size - 1);
  text.resize(size, ' ');
  return text;
}

void put_line(int y, const std::string& text) {
  move(y, 0);
  clrtoeol();
  addnstr(text.c_str(), COLS);
}

} // namespace

TopScreen::TopScreen() {
  initscr();
  screen_active = 1;
  cbreak();
  noecho();
  keypad(stdscr, TRUE);
  nodelay(stdscr, TRUE);
  curs_set(0);
  set_escdelay(25);
  if (has_colors()) {
    start_color();
    use_default_colors(); // plain rows in the terminal's own colours
    init_pair(kNew, COLOR_BLACK, COLOR_GREEN);
    init_pair(kChanged, COLOR_BLACK, COLOR_YELLOW);
    init_pair(kClosed, COLOR_BLACK, COLOR_RED);
    init_pair(kTitle, COLOR_BLACK, COLOR_CYAN);
  }
  for (const int signal : {SIGSEGV, SIGABRT, SIGBUS, SIGFPE, SIGILL})
    std::signal(signal, on_fatal_signal);
  std::set_terminate([] {
    restore_terminal();
    std::abort();
  });
}

TopScreen::~TopScreen() { restore_terminal(); }

int TopScreen::read_key() {
  const int key = getch();
  switch (key) {
  case ERR:
    return kNoKey;
  case KEY_RESIZE:
    return kResized;
  case KEY_BACKSPACE:
  case 8:
    return 127;
  case KEY_ENTER:
  case '\r':
    return '\n';
  default:
    return key;
  }
}

std::string TopScreen::endpoint(const TopRow& row, bool local) {
  const auto& address = local ? row.socket.id.local : row.socket.id.remote;
  const auto port = local ? row.socket.id.local_port : row.socket.id.remote_port;
  if (!names_on_)
    return std::string(endpoint_text(address, port).view());
  return names_.host(address) + ":" + names_.service(port, Protocol::Tcp);
}

void TopScreen::draw(const TopModel& model, const TopControls& controls, std::uint64_t now_ns) {
  names_on_ = controls.names();
  erase();
  if (controls.help()) {
    draw_help();
    refresh();
    return;
  }
  draw_header(model, controls);
  const int recent_lines = std::min(kRecentLines, std::max(0, (LINES - 6) / 3));
  const int bottom = LINES - 1 - (recent_lines > 0 ? recent_lines + 1 : 0);
  draw_rows(model, controls, now_ns, 3, bottom);
  if (recent_lines > 0)
    draw_recently_closed(model, bottom, LINES - 1);
  // The last line: the filter being typed, or what the keys do.
  std::string status =
      controls.editing()
          ? fmt::format("filter: {}_  {}", controls.filter_text(),
                        controls.filter_error().empty() ? "(Enter keeps it, Esc drops it)"
                                                        : controls.filter_error())
          : "q quit  p pause  / filter  < > 1-9 0 sort  r reverse  l listeners  "
            "n names  h help";
  attron(A_REVERSE);
  put_line(LINES - 1, fit(status, COLS));
  attroff(A_REVERSE);
  refresh();
}

void TopScreen::draw_header(const TopModel& model, const TopControls& controls) {
  std::string counts;
  std::size_t open = 0;
  for (const auto& [state, count] : model.state_counts()) {
    counts += fmt::format("  {} {}", state, count);
    open += count;
  }
  put_line(0, fmt::format("tcpsight top  {} sockets:{}", open, counts));
  const auto view = controls.view();
  put_line(1,
           fmt::format("{:.0f} events/s  {} lost  sort: {} {}  listeners: {}  filter: {}{}",
                       model.events_per_second(), model.lost_events(), top_column_title(view.sort),
                       view.descending ? "desc" : "asc", view.listeners ? "shown" : "hidden",
                       controls.filter_text().empty() ? "none" : controls.filter_text(),
                       controls.paused() ? "   PAUSED" : ""));
  std::string titles;
  for (int column = 0; column < kTopColumnCount; ++column) {
    const auto title = std::string(top_column_title(static_cast<TopColumn>(column)));
    const bool sorted = static_cast<TopColumn>(column) == view.sort;
    titles += fit(fmt::format("{}{}", title, sorted ? (view.descending ? "v" : "^") : ""),
                  kWidths[column]);
  }
  attron(COLOR_PAIR(kTitle));
  put_line(2, fit(titles, COLS));
  attroff(COLOR_PAIR(kTitle));
}

int TopScreen::draw_rows(const TopModel& model, const TopControls& controls, std::uint64_t now_ns,
                         int top, int bottom) {
  const auto rows =
      model.rows(controls.view(), static_cast<std::size_t>(std::max(0, bottom - top)));
  int y = top;
  for (const auto* row : rows) {
    if (y >= bottom)
      break;
    std::string line;
    for (int column = 0; column < kTopColumnCount; ++column) {
      const auto kind = static_cast<TopColumn>(column);
      const auto text = kind == TopColumn::Local    ? endpoint(*row, true)
                        : kind == TopColumn::Remote ? endpoint(*row, false)
                                                    : top_column_text(*row, kind, now_ns);
      line += fit(text, kWidths[column]);
    }
    const short pair = pair_of(row->highlight);
    if (pair)
      attron(COLOR_PAIR(pair));
    put_line(y++, fit(line, COLS));
    if (pair)
      attroff(COLOR_PAIR(pair));
  }
  return y;
}

void TopScreen::draw_recently_closed(const TopModel& model, int top, int bottom) {
  attron(A_BOLD);
  put_line(top, "Recently closed");
  attroff(A_BOLD);
  int y = top + 1;
  for (const auto& record : model.recently_closed()) {
    if (y >= bottom)
      break;
    put_line(y++, top_closed_line(record));
  }
}

void TopScreen::draw_help() {
  static constexpr const char* kHelp[] = {
      "tcpsight top: every TCP socket, kept current by kernel events",
      "",
      "Green rows are new, yellow ones changed state, red ones closed (with how",
      "they ended) and leave after a few seconds. Connections too short to see",
      "stay in the Recently closed pane below the table.",
      "",
      "  q          quit",
      "  p, space   pause the display (events are still counted)",
      "  /          filter as you type, in ls's language: sport = :443,",
      "             dst 10.0.0.0/8, state established, and/or/not ( )",
      "             Enter keeps it, Esc drops it",
      "  < >        sort by the previous or next column; 1-9 by that column,",
      "             0 by the tenth",
      "  r          reverse the order",
      "  l          show or hide listeners",
      "  n          names instead of numbers",
      "  h, ?       this help; any of them again to leave it",
  };
  int y = 0;
  for (const char* line : kHelp)
    put_line(y++, line);
}

} // namespace tcpsight::cli
