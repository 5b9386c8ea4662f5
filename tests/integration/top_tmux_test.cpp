// `tcpsight top` in a real terminal (tmux), on real connections: rows appear
// highlighted, change colour, close and leave; keys work; the terminal is
// given back.
#include "child_process.hpp"
#include "firewalled_peer.hpp"
#include "forked.hpp"
#include "loopback.hpp"
#include "privileges.hpp"
#include "thread_privileges.hpp"

#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fmt/format.h>
#include <functional>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <vector>

namespace tcpsight {
namespace {

using namespace std::chrono_literals;
using test::ChildProcess;

// One line of the screen: its text, and the background colour it starts in
// (an SGR number such as 42 for green; 0 for the default).
struct ScreenLine {
  std::string text;
  int background = 0;
};

// Splits capture-pane -e output into lines, following the colour escapes
// that tmux writes only where the colour changes.
std::vector<ScreenLine> parse_screen(const std::string& captured) {
  std::vector<ScreenLine> lines(1);
  int background = 0;
  bool line_started = false;
  for (std::size_t i = 0; i < captured.size(); ++i) {
    const char c = captured[i];
    if (c == '\x1b' && i + 1 < captured.size() && captured[i + 1] == '[') {
      const auto end = captured.find('m', i);
      std::istringstream codes(captured.substr(i + 2, end - i - 2));
      for (std::string code; std::getline(codes, code, ';');) {
        const int n = code.empty() ? 0 : std::atoi(code.c_str());
        if (n == 0 || n == 49)
          background = 0;
        else if (n >= 40 && n <= 47)
          background = n;
      }
      i = end;
      continue;
    }
    if (c == '\n') {
      lines.push_back({});
      line_started = false;
      continue;
    }
    if (!line_started) {
      lines.back().background = background;
      line_started = true;
    }
    lines.back().text += c;
  }
  if (lines.size() > 1 && lines.back().text.empty())
    lines.pop_back(); // after the last newline
  return lines;
}

class TmuxSession {
public:
  // Runs command in a new tmux server of its own, in a width x height window.
  TmuxSession(const std::string& command, int width = 200, int height = 50)
      : socket_(fmt::format("tcpsight-test-{}-{}", getpid(), ++sessions_)) {
    tmux({"new-session", "-d", "-s", "top", "-x", std::to_string(width), "-y",
          std::to_string(height), command});
  }
  ~TmuxSession() { tmux({"kill-server"}); }

  std::vector<ScreenLine> screen() const {
    return parse_screen(tmux({"capture-pane", "-p", "-e", "-t", "top"}));
  }
  void keys(const std::vector<std::string>& keys) const {
    std::vector<std::string> args{"send-keys", "-t", "top"};
    args.insert(args.end(), keys.begin(), keys.end());
    tmux(args);
  }
  // The process the window runs (the shell around top).
  pid_t pane_pid() const {
    return static_cast<pid_t>(
        std::atoi(tmux({"display-message", "-p", "-t", "top", "#{pane_pid}"}).c_str()));
  }
  // Whether the window shows the alternate screen, as a full-screen
  // program has it while it runs.
  bool alternate_screen() const {
    return tmux({"display-message", "-p", "-t", "top", "#{alternate_on}"}).rfind('1', 0) == 0;
  }
  void resize(int width, int height) const {
    tmux({"resize-window", "-t", "top", "-x", std::to_string(width), "-y", std::to_string(height)});
  }

  // Waits until a line satisfies condition; true if one did in time.
  bool wait_for(const std::function<bool(const ScreenLine&)>& condition,
                std::chrono::milliseconds timeout = 5s) const {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    do {
      for (const auto& line : screen())
        if (condition(line))
          return true;
      std::this_thread::sleep_for(50ms);
    } while (std::chrono::steady_clock::now() < deadline);
    return false;
  }
  bool wait_for_text(const std::string& text, std::chrono::milliseconds timeout = 5s) const {
    return wait_for([&](const ScreenLine& l) { return l.text.find(text) != std::string::npos; },
                    timeout);
  }
  std::string text() const {
    std::string all;
    for (const auto& line : screen())
      all += line.text + "\n";
    return all;
  }

private:
  // A server of its own each: one that is still shutting down never takes
  // the next session with it.
  static inline int sessions_ = 0;

  std::string tmux(const std::vector<std::string>& args) const {
    std::vector<std::string> argv{"/usr/bin/tmux", "-L", socket_, "-f", "/dev/null"};
    argv.insert(argv.end(), args.begin(), args.end());
    ChildProcess child(argv);
    child.wait();
    return child.stdout_text();
  }
  std::string socket_;
};

constexpr int kGreen = 42, kYellow = 43, kRed = 41;

// The command line: top, then stty -a once it has quit, so the test can see
// the terminal it gave back.
std::string top_then_stty(const std::string& top_arguments) {
  return fmt::format("{} top {} ; stty -a ; sleep 30", TCPSIGHT_BINARY, top_arguments);
}

// top's process, the shell's child in the window.
pid_t top_pid_in(const TmuxSession& tmux) {
  ChildProcess pgrep({"/usr/bin/pgrep", "-P", std::to_string(tmux.pane_pid()), "tcpsight"});
  pgrep.wait();
  return static_cast<pid_t>(std::atoi(pgrep.stdout_text().c_str()));
}

// Whether every thread of pid holds no capability and cannot gain one,
// within 5 s: top gives them up once attached and seeded.
bool gave_up_every_capability(pid_t pid) {
  const auto none = [pid] {
    const auto threads = test::threads_of(pid);
    return !threads.empty() && std::all_of(threads.begin(), threads.end(), [](const auto& t) {
      return t.effective == 0 && t.permitted == 0 && t.no_new_privs;
    });
  };
  for (const auto deadline = std::chrono::steady_clock::now() + 5s;
       std::chrono::steady_clock::now() < deadline; std::this_thread::sleep_for(50ms))
    if (none())
      return true;
  return none();
}

TEST(TopTmux, RowsAppearChangeCloseAndLeave) {
  TCPSIGHT_REQUIRE_TRACING();
  auto listener = test::listen_on_loopback(AddressFamily::IPv4);
  const int port = test::local_port(listener);
  const TmuxSession tmux(top_then_stty(fmt::format("'sport = :{} or dport = :{}'", port, port)));
  ASSERT_TRUE(tmux.wait_for_text("tcpsight top", 10s)) << tmux.text();
  // The listener existed before: seeded, not new.
  ASSERT_TRUE(tmux.wait_for([&](const ScreenLine& l) {
    return l.background == 0 &&
           l.text.find(fmt::format("127.0.0.1:{} ", port)) != std::string::npos &&
           l.text.find("LISTEN") != std::string::npos;
  })) << tmux.text();
  EXPECT_TRUE(gave_up_every_capability(top_pid_in(tmux)));

  // A new connection: both ends green.
  auto client = test::connect_to_loopback(AddressFamily::IPv4, port);
  auto server = test::accept_one(listener);
  const int client_port = test::local_port(client);
  const auto line_of = [&](int local, int remote, int background) {
    return [=](const ScreenLine& l) {
      const auto local_at = l.text.find(fmt::format("127.0.0.1:{} ", local));
      const auto remote_at = l.text.find(fmt::format("127.0.0.1:{} ", remote));
      return l.background == background && local_at != std::string::npos &&
             remote_at != std::string::npos && local_at < remote_at;
    };
  };
  EXPECT_TRUE(tmux.wait_for(line_of(client_port, port, kGreen))) << tmux.text();
  EXPECT_TRUE(tmux.wait_for(line_of(port, client_port, kGreen))) << tmux.text();
  // Three seconds later they are plain; a state change makes them yellow.
  EXPECT_TRUE(tmux.wait_for(line_of(client_port, port, 0), 6s)) << tmux.text();
  shutdown(client.get(), SHUT_WR);
  EXPECT_TRUE(tmux.wait_for([&](const ScreenLine& l) {
    return line_of(client_port, port, kYellow)(l) && l.text.find("FIN_WAIT2") != std::string::npos;
  })) << tmux.text();
  EXPECT_TRUE(tmux.wait_for([&](const ScreenLine& l) {
    return line_of(port, client_port, kYellow)(l) && l.text.find("CLOSE_WAIT") != std::string::npos;
  })) << tmux.text();

  // Closed: red with how it ended, then gone from the table; the recently
  // closed pane keeps them.
  client.close();
  server.close();
  EXPECT_TRUE(tmux.wait_for([&](const ScreenLine& l) {
    return line_of(port, client_port, kRed)(l) &&
           l.text.find("normal_passive") != std::string::npos;
  })) << tmux.text();
  EXPECT_TRUE(tmux.wait_for([&](const ScreenLine& l) {
    return line_of(client_port, port, kRed)(l) && l.text.find("normal_active") != std::string::npos;
  })) << tmux.text();
  const auto table_has_client = [&] {
    for (const auto& l : tmux.screen())
      if (l.text.rfind("tcp", 0) == 0 &&
          l.text.find(fmt::format(":{} ", client_port)) != std::string::npos)
        return true;
    return false;
  };
  const auto deadline = std::chrono::steady_clock::now() + 6s;
  while (table_has_client() && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(100ms);
  EXPECT_FALSE(table_has_client()) << tmux.text();
  const auto recent = tmux.text().substr(tmux.text().find("Recently closed"));
  EXPECT_NE(recent.find(fmt::format("127.0.0.1:{}", client_port)), std::string::npos) << recent;
  EXPECT_NE(recent.find("normal_active"), std::string::npos) << recent;

  // q quits and gives the terminal back: echo and canonical mode again.
  tmux.keys({"q"});
  ASSERT_TRUE(tmux.wait_for_text("speed", 5s)) << tmux.text(); // stty -a's first line
  const auto settings = tmux.text();
  EXPECT_NE(settings.find(" icanon"), std::string::npos) << settings;
  EXPECT_NE(settings.find(" echo "), std::string::npos) << settings;
}

// The words of a table line: PROTO LOCAL REMOTE STATE PID/PROGRAM AGE
// HS_MS RTT_MS RETRANS TX/RX.
std::vector<std::string> words_of(const std::string& line) {
  std::istringstream in(line);
  std::vector<std::string> words;
  for (std::string word; in >> word;)
    words.push_back(word);
  return words;
}

// "retrans:0/5" and "rtt:0.035/0.017" from ss -ti: the number after the
// label's last slash for retrans (the total), the first for rtt.
double ss_number(const std::string& ss, const std::string& label) {
  const auto at = ss.find(" " + label + ":");
  if (at == std::string::npos)
    return -1;
  auto value = ss.substr(at + label.size() + 2);
  value = value.substr(0, value.find(' '));
  return std::stod(label == "retrans" ? value.substr(value.find('/') + 1) : value);
}

// A connection whose data the peer's firewall drops: it is sent again and
// again while it stays open, and top's RTT_MS and RETRANS say so before it
// closes, as ss -ti does. top runs in the client's namespace, whose
// snapshots it takes.
TEST(TopTmux, RoundTripAndRetransmitsShowWhileOpen) {
  TCPSIGHT_REQUIRE_TRACING();
  constexpr std::uint16_t kPort = 8093;
  test::FirewalledPeer peer(fmt::format("tcp dport {} ip length > 100", kPort));
  const TmuxSession tmux(fmt::format("ip netns exec {} {} top 'dport = :{}'", peer.client().name(),
                                     TCPSIGHT_BINARY, kPort));
  ASSERT_TRUE(tmux.wait_for_text("tcpsight top", 10s)) << tmux.text();

  test::Pipe listening, sent, done;
  test::Forked server("ts-held-server", [&] {
    const int listener = test::listen_in(peer.server(), kPort, 1);
    listening.send('y');
    const int connection = accept(listener, nullptr, nullptr);
    done.receive<char>();
    close(connection);
  });
  listening.receive<char>();
  test::Forked client("ts-held-client", [&] {
    const int fd = test::connect_to_server(peer, kPort);
    const std::vector<char> data(1000, 'x');
    if (write(fd, data.data(), data.size()) != static_cast<ssize_t>(data.size()))
      throw std::runtime_error("write failed");
    sent.send('y');
    done.receive<char>();
    const linger reset{.l_onoff = 1, .l_linger = 0};
    setsockopt(fd, SOL_SOCKET, SO_LINGER, &reset, sizeof reset);
    close(fd);
  });
  sent.receive<char>();

  // The client's row, once a snapshot has seen a segment sent again.
  const auto remote = fmt::format("{}:{}", peer.server_address(), kPort);
  std::vector<std::string> row;
  ASSERT_TRUE(tmux.wait_for(
      [&](const ScreenLine& l) {
        const auto words = words_of(l.text);
        if (words.size() < 10 || words[2] != remote || words[3] != "ESTABLISHED" ||
            !std::all_of(words[8].begin(), words[8].end(),
                         [](unsigned char c) { return std::isdigit(c); }) ||
            words[8] == "0")
          return false;
        row = words;
        return true;
      },
      15s))
      << tmux.text();
  test::ChildProcess ss(
      {"ip", "netns", "exec", peer.client().name(), "ss", "-tinH", "dst", peer.server_address()});
  ASSERT_EQ(ss.wait(), 0) << ss.stderr_text();
  const auto shown = ss.stdout_text();
  // Nothing was acknowledged after the handshake, whose round trip is the
  // only sample: the smoothed round trip has not moved since top looked.
  const double rtt_us = std::stod(row[7]) * 1000;
  const double ss_rtt_us = ss_number(shown, "rtt") * 1000;
  EXPECT_GT(ss_rtt_us, 0) << shown;
  EXPECT_LE(std::abs(rtt_us - ss_rtt_us), std::max(ss_rtt_us * 0.1, 1.0))
      << "top " << row[7] << " ms; " << shown;
  EXPECT_LE(std::stod(row[8]), ss_number(shown, "retrans"))
      << "top counts what the kernel had counted when it looked; " << shown;

  done.send('y');
  done.send('y');
  EXPECT_TRUE(client.succeeded());
  EXPECT_TRUE(server.succeeded());
}

TEST(TopTmux, KeysFilterPauseHelpResizeAndCtrlC) {
  TCPSIGHT_REQUIRE_TRACING();
  auto listener = test::listen_on_loopback(AddressFamily::IPv4);
  const int port = test::local_port(listener);
  auto other = test::listen_on_loopback(AddressFamily::IPv4);
  const int other_port = test::local_port(other);
  const TmuxSession tmux(top_then_stty(""), 160, 40);
  ASSERT_TRUE(tmux.wait_for_text(fmt::format("127.0.0.1:{} ", other_port), 10s)) << tmux.text();

  // Filter as you type: only the first listener stays.
  tmux.keys({"/"});
  tmux.keys({"-l", fmt::format("sport = :{}", port)});
  tmux.keys({"Enter"});
  ASSERT_TRUE(tmux.wait_for_text(fmt::format("filter: sport = :{}", port))) << tmux.text();
  EXPECT_TRUE(tmux.wait_for([&](const ScreenLine& l) {
    return l.text.find(fmt::format("127.0.0.1:{} ", port)) != std::string::npos;
  }));
  EXPECT_EQ(tmux.text().find(fmt::format("127.0.0.1:{} ", other_port)), std::string::npos)
      << tmux.text();
  // Names instead of numbers.
  tmux.keys({"n"});
  EXPECT_TRUE(tmux.wait_for_text(fmt::format("localhost:{} ", port))) << tmux.text();
  tmux.keys({"n"});
  EXPECT_TRUE(tmux.wait_for_text(fmt::format("127.0.0.1:{} ", port))) << tmux.text();
  // Sort, pause, help.
  tmux.keys({">"});
  EXPECT_TRUE(tmux.wait_for_text("sort: HS_MS")) << tmux.text();
  tmux.keys({"p"});
  EXPECT_TRUE(tmux.wait_for_text("PAUSED")) << tmux.text();
  tmux.keys({"p"});
  tmux.keys({"h"});
  EXPECT_TRUE(tmux.wait_for_text("filter as you type")) << tmux.text();
  tmux.keys({"h"});
  // A smaller window: the key line moves to its last line.
  tmux.resize(120, 30);
  EXPECT_TRUE(tmux.wait_for([&](const ScreenLine& l) { return l.text.rfind("q quit", 0) == 0; }))
      << tmux.text();
  EXPECT_EQ(tmux.screen().size(), 30u);
  // Ctrl-C ends it as q does, terminal restored.
  tmux.keys({"C-c"});
  ASSERT_TRUE(tmux.wait_for_text("speed", 5s)) << tmux.text();
  EXPECT_NE(tmux.text().find(" icanon"), std::string::npos);
}

void expect_terminal_given_back(const TmuxSession& tmux) {
  ASSERT_TRUE(tmux.wait_for_text("speed", 10s)) << tmux.text(); // stty -a's first line
  EXPECT_NE(tmux.text().find(" icanon"), std::string::npos) << tmux.text();
  EXPECT_NE(tmux.text().find(" echo "), std::string::npos) << tmux.text();
}

// Whatever ends top gives the terminal back: a crash (the fatal-signal
// handler restores it before the process dies of the signal), a hang-up,
// a quit, a termination, a signal top has no use for.
class TopTmuxSignal : public ::testing::TestWithParam<int> {};

TEST_P(TopTmuxSignal, TerminalRestored) {
  TCPSIGHT_REQUIRE_TRACING();
  const TmuxSession tmux(top_then_stty(""));
  ASSERT_TRUE(tmux.wait_for_text("tcpsight top", 10s)) << tmux.text();
  const auto top_pid = top_pid_in(tmux);
  ASSERT_GT(top_pid, 0);
  kill(top_pid, GetParam());
  expect_terminal_given_back(tmux);
}

INSTANTIATE_TEST_SUITE_P(Signals, TopTmuxSignal,
                         ::testing::Values(SIGSEGV, SIGHUP, SIGQUIT, SIGTERM, SIGUSR1),
                         [](const auto& info) { return std::string(sigabbrev_np(info.param)); });

// Ctrl-Z in a shell with job control suspends top with the terminal given
// back, and fg brings it back where it was, like any full-screen program.
TEST(TopTmux, CtrlZSuspendsAndFgResumes) {
  TCPSIGHT_REQUIRE_TRACING();
  const TmuxSession tmux("/bin/bash --norc --noprofile -i");
  tmux.keys({"-l", fmt::format("{} top", TCPSIGHT_BINARY)});
  tmux.keys({"Enter"});
  ASSERT_TRUE(tmux.wait_for_text("q quit", 10s)) << tmux.text();
  EXPECT_TRUE(tmux.alternate_screen());
  tmux.keys({"C-z"});
  ASSERT_TRUE(tmux.wait_for_text("Stopped", 5s)) << tmux.text();
  // Given back before it stopped: the shell's screen, not top's. (The shell
  // itself puts the terminal modes back when a job stops.)
  EXPECT_FALSE(tmux.alternate_screen());
  // Cleared first, so that only a redraw after fg shows top's key line.
  tmux.keys({"-l", "clear; stty -a | tr ' ' '\\n' | grep -x -e icanon -e echo | tr '\\n' ' '"});
  tmux.keys({"Enter"});
  EXPECT_TRUE(tmux.wait_for_text("icanon echo", 5s)) << tmux.text();
  EXPECT_EQ(tmux.text().find("q quit"), std::string::npos) << tmux.text();
  tmux.keys({"-l", "fg"});
  tmux.keys({"Enter"});
  EXPECT_TRUE(tmux.wait_for_text("q quit", 5s)) << tmux.text();
  EXPECT_TRUE(tmux.alternate_screen());
  tmux.keys({"q"});
  EXPECT_TRUE(tmux.wait_for([](const ScreenLine& l) { return l.text.rfind("bash", 0) == 0; }))
      << tmux.text();
}

// A replay that has ended keeps its screen until q, or until it is told to
// stop: a hang-up (the ssh session went) ends it as q does.
TEST(TopTmux, AnEndedReplayStopsOnAHangUp) {
  if (!std::filesystem::exists("/usr/bin/tmux"))
    GTEST_SKIP() << "no tmux (scripts/setup.sh installs it)";
  const TmuxSession tmux(top_then_stty("--read " TCPSIGHT_FIXTURES "/loopback.events"));
  ASSERT_TRUE(tmux.wait_for_text("tcpsight top", 10s)) << tmux.text();
  const auto top_pid = top_pid_in(tmux);
  ASSERT_GT(top_pid, 0);
  kill(top_pid, SIGHUP);
  expect_terminal_given_back(tmux);
}

// A long filter pasted after '/' is parsed once per batch of keys, not once
// per key: top stays responsive, and a SIGTERM ends it at once.
TEST(TopTmux, PastedFilterKeepsItResponsive) {
  TCPSIGHT_REQUIRE_TRACING();
  const TmuxSession tmux(top_then_stty(""));
  ASSERT_TRUE(tmux.wait_for_text("tcpsight top", 10s)) << tmux.text();
  tmux.keys({"/"});
  // 20 KB, in pieces a tmux command takes.
  for (int piece = 0; piece < 20; ++piece) {
    std::string paste;
    for (int term = 0; term < 70; ++term)
      paste += "sport = :1 or ";
    tmux.keys({"-l", paste});
  }
  tmux.keys({"-l", "sport = :2"});
  tmux.keys({"Enter"});
  ASSERT_TRUE(tmux.wait_for_text("filter: sport = :1 or sport = :1", 10s)) << tmux.text();
  kill(top_pid_in(tmux), SIGTERM);
  expect_terminal_given_back(tmux);
}

TEST(TopTmux, WithoutATerminalItPointsElsewhere) {
  ChildProcess top({TCPSIGHT_BINARY, "top"});
  EXPECT_EQ(top.wait(), 1);
  EXPECT_NE(top.stderr_text().find("tcpsight ls -c"), std::string::npos) << top.stderr_text();
  EXPECT_NE(top.stderr_text().find("tcpsight trace"), std::string::npos) << top.stderr_text();
  ChildProcess bad_filter({TCPSIGHT_BINARY, "top", "sport", "=", "x"});
  EXPECT_EQ(bad_filter.wait(), 2);
}

} // namespace
} // namespace tcpsight
