#pragma once

#include "tcpsight/kernel/name_resolver.hpp"
#include "tcpsight/views/top_controls.hpp"
#include "tcpsight/views/top_model.hpp"

#include <cstdint>

namespace tcpsight::cli {

// The terminal of `tcpsight top`, with ncurses. Constructing it takes the
// terminal over; destroying it gives it back, as do the crash handlers it
// installs (a fatal signal, std::terminate) before the process dies.
class TopScreen {
public:
  TopScreen();
  ~TopScreen();
  TopScreen(const TopScreen&) = delete;
  TopScreen& operator=(const TopScreen&) = delete;

  // The next key typed, translated for TopControls, or -1 when there is none.
  // A terminal resize comes as a redraw request (-2).
  int read_key();

  void draw(const TopModel& model, const TopControls& controls, std::uint64_t now_ns);

private:
  void draw_header(const TopModel& model, const TopControls& controls);
  int draw_rows(const TopModel& model, const TopControls& controls, std::uint64_t now_ns, int top,
                int bottom);
  void draw_recently_closed(const TopModel& model, int top, int bottom);
  void draw_help();
  std::string endpoint(const TopRow& row, bool local);

  NameResolver names_;
  bool names_on_ = false;
};

// Key codes TopScreen::read_key() returns besides characters.
inline constexpr int kNoKey = -1;
inline constexpr int kResized = -2;

} // namespace tcpsight::cli
