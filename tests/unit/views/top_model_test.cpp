#include "tcpsight/views/top_controls.hpp"
#include "tcpsight/views/top_model.hpp"
#include "tcpsight/views/top_table.hpp"

#include "sample_event.hpp"
#include "tcpsight/pipeline/interpret.hpp"

#include <gtest/gtest.h>

namespace tcpsight {
namespace {

using enum TcpState;
constexpr std::uint64_t kSecond = 1'000'000'000;
constexpr std::uint64_t kStart = 100 * kSecond;
constexpr std::uint64_t kQuiet = ReconcilePolicy{}.quiet_ns;

// A kernel event of socket id at kStart + seconds, as EventPipeline passes it on.
Event at(std::uint64_t id, TcpState from, TcpState to, double seconds,
         std::uint16_t local_port = 40000) {
  auto e = test::sample_transition(id, from, to, local_port,
                                   kStart + static_cast<std::uint64_t>(seconds * 1e9));
  e.handshake_ns.reset();
  return interpret(e);
}

std::vector<std::uint64_t> ids(const std::vector<const TopRow*>& rows) {
  std::vector<std::uint64_t> found;
  for (const auto* row : rows)
    found.push_back(row->socket.id.sock_id);
  return found;
}

const TopRow& only(const TopModel& model) {
  const auto rows = model.rows({});
  EXPECT_EQ(rows.size(), 1u);
  return *rows.at(0);
}

TEST(TopModel, NewRowsAreGreenThenPlain) {
  TopModel model;
  model.event(at(1, Close, SynSent, 0));
  EXPECT_EQ(only(model).highlight, Highlight::New);
  EXPECT_EQ(only(model).socket.state, SynSent);
  model.event(at(1, SynSent, Established, 0.001));
  EXPECT_EQ(only(model).highlight, Highlight::New) << "still new when it changes state";
  model.tick(kStart + 3 * kSecond + 1);
  EXPECT_EQ(only(model).highlight, Highlight::None);
  EXPECT_EQ(only(model).socket.state, Established);
}

TEST(TopModel, StateChangesAreYellow) {
  TopModel model;
  model.event(at(1, Close, SynSent, 0));
  model.event(at(1, SynSent, Established, 0.001));
  model.tick(kStart + 4 * kSecond);
  model.event(at(1, Established, CloseWait, 10));
  EXPECT_EQ(only(model).highlight, Highlight::Changed);
  model.tick(kStart + 14 * kSecond);
  EXPECT_EQ(only(model).highlight, Highlight::None);
}

TEST(TopModel, ClosedRowsAreRedThenLeaveAndAreRemembered) {
  TopModel model;
  model.event(at(1, Close, SynSent, 0));
  model.event(at(1, SynSent, Established, 0.001));
  model.event(at(1, Established, CloseWait, 0.002));
  model.event(at(1, CloseWait, LastAck, 0.003));
  model.event(at(1, LastAck, Close, 0.004)); // lived 4 ms: shorter than a refresh
  EXPECT_EQ(only(model).highlight, Highlight::Closed);
  EXPECT_EQ(only(model).outcome, Outcome::NormalPassive);
  EXPECT_EQ(top_column_text(only(model), TopColumn::State, 0), "normal_passive");
  model.tick(kStart + 2 * kSecond);
  EXPECT_EQ(model.rows({}).size(), 1u) << "red for a while";
  model.tick(kStart + 3 * kSecond + kSecond / 100);
  EXPECT_TRUE(model.rows({}).empty());
  ASSERT_EQ(model.recently_closed().size(), 1u);
  EXPECT_EQ(model.recently_closed().front().outcome, Outcome::NormalPassive);
  // A TIME_WAIT inferred after the hand-over does not bring it back.
  auto inferred = at(1, FinWait2, TimeWait, 4);
  inferred.inferred = true;
  model.event(inferred);
  EXPECT_TRUE(model.rows({}).empty());
}

TEST(TopModel, SortByAnyColumnEitherWay) {
  TopModel model;
  model.event(at(1, Close, SynSent, 0, 40003));
  model.event(at(2, Close, SynSent, 1, 40001));
  model.event(at(3, Close, SynSent, 2, 40002));
  model.event(at(2, SynSent, Established, 3, 40001));
  EXPECT_EQ(ids(model.rows({.sort = TopColumn::Age})), (std::vector<std::uint64_t>{3, 2, 1}));
  EXPECT_EQ(ids(model.rows({.sort = TopColumn::Age, .descending = true})),
            (std::vector<std::uint64_t>{1, 2, 3}));
  EXPECT_EQ(ids(model.rows({.sort = TopColumn::Local})), (std::vector<std::uint64_t>{2, 3, 1}));
  EXPECT_EQ(ids(model.rows({.sort = TopColumn::State})), (std::vector<std::uint64_t>{2, 1, 3}));
  EXPECT_EQ(ids(model.rows({.sort = TopColumn::Local}, 2)), (std::vector<std::uint64_t>{2, 3}))
      << "a screenful: the first in the same order";
}

TEST(TopModel, AddressesSortAsAddressesNotAsText) {
  TopModel model;
  const auto remote_at = [&](std::uint64_t id, IpAddress remote) {
    auto e = at(id, Close, SynSent, 0);
    e.id.remote = remote;
    model.event(e);
  };
  remote_at(1, IpAddress{.bytes = {10, 0, 0, 2}});
  remote_at(2, IpAddress{.bytes = {9, 0, 0, 1}});
  remote_at(3, IpAddress{.family = AddressFamily::IPv6, .bytes = {0x20, 0x01}});
  remote_at(4, IpAddress{.bytes = {192, 168, 0, 1}});
  EXPECT_EQ(ids(model.rows({.sort = TopColumn::Remote})), (std::vector<std::uint64_t>{2, 1, 4, 3}))
      << "9.0.0.1 before 10.0.0.2, and IPv4 before IPv6";
  EXPECT_EQ(ids(model.rows({.sort = TopColumn::Remote, .descending = true})),
            (std::vector<std::uint64_t>{3, 4, 1, 2}));
}

TEST(TopModel, FilterAndListeners) {
  TopModel model;
  model.event(at(1, Close, Listen, 0, 8080));
  model.event(at(2, Close, SynSent, 1, 40001));
  model.event(at(3, Close, SynSent, 2, 40002));
  const auto filter = SocketFilter::parse({"sport", "=", ":40002"});
  EXPECT_EQ(ids(model.rows({.filter = &filter})), (std::vector<std::uint64_t>{3}));
  EXPECT_EQ(ids(model.rows({.listeners = false})), (std::vector<std::uint64_t>{3, 2}));
  const auto listening = SocketFilter::parse({"state", "listening"});
  EXPECT_EQ(ids(model.rows({.filter = &listening})), (std::vector<std::uint64_t>{1}));
}

TEST(TopModel, HeaderCounts) {
  TopModel model;
  model.event(at(1, Close, Listen, 0, 8080));
  model.event(at(2, Close, SynSent, 0.5));
  model.event(at(2, SynSent, Established, 1.5));
  EXPECT_EQ(model.state_counts(),
            (std::map<std::string, std::size_t>{{"ESTABLISHED", 1}, {"LISTEN", 1}}));
  EXPECT_NEAR(model.events_per_second(), 2 / 1.5, 0.01); // 2 events in the 1.5 s before the third
  model.lost_events(7);
  EXPECT_EQ(model.lost_events(), 7u);
}

TEST(TopModel, SeededAndReconciled) {
  TopModel model;
  SocketRow listener{
      .protocol = Protocol::Tcp, .id = {.sock_id = 10, .local_port = 22}, .state = Listen};
  SocketRow established{.protocol = Protocol::Tcp,
                        .id = {.sock_id = 11, .local_port = 22, .remote_port = 50000},
                        .state = Established};
  listener.id.netns = established.id.netns = 5; // the namespace the snapshots list
  model.seed({listener, Owner{.pid = 1, .comm = "sshd"}}, Role::Passive, kStart);
  model.seed({established, std::nullopt}, Role::Passive, kStart);
  EXPECT_EQ(model.rows({}).size(), 2u);
  for (const auto* row : model.rows({}))
    EXPECT_EQ(row->highlight, Highlight::None) << "seeded rows are not new";
  // Later: the connection is gone without an event, another appeared.
  SocketRow other = established;
  other.id.sock_id = 12;
  other.id.remote_port = 50001;
  // A connection of another namespace, which the snapshot does not cover.
  auto elsewhere = at(20, Close, SynSent, 0);
  elsewhere.id.netns = 6;
  model.event(elsewhere);
  const OpenSockets later{.netns = 5, .sockets = {{listener}, {other}}};
  model.reconcile(later, kStart + 10 * kSecond, kQuiet);
  for (const auto* row : model.rows({}))
    EXPECT_EQ(row->highlight, row->socket.id.sock_id == 10 ? Highlight::None
                              : row->socket.id.sock_id == 11
                                  ? Highlight::Closed
                                  : Highlight::New) // 12 missed, 20 just opened
        << row->socket.id.sock_id;
  model.tick(kStart + 20 * kSecond);
  model.reconcile(later, kStart + 20 * kSecond, kQuiet);
  EXPECT_EQ(ids(model.rows({.sort = TopColumn::Local})), (std::vector<std::uint64_t>{10, 12, 20}))
      << "the other namespace's row stays open; the lost one went";
}

TEST(TopModel, ColumnTexts) {
  TopModel model;
  auto established = at(1, SynSent, Established, 0);
  established.handshake_ns = 1'500'000;
  model.event(at(1, Close, SynSent, 0));
  model.event(established);
  const auto& row = only(model);
  EXPECT_EQ(top_column_text(row, TopColumn::Protocol, 0), "tcp");
  EXPECT_EQ(top_column_text(row, TopColumn::Local, 0), "127.0.0.1:40000");
  EXPECT_EQ(top_column_text(row, TopColumn::Remote, 0), "10.1.2.3:8080");
  EXPECT_EQ(top_column_text(row, TopColumn::Process, 0), "4242/curl");
  EXPECT_EQ(top_column_text(row, TopColumn::Age, kStart + 125 * kSecond), "2m05s");
  EXPECT_EQ(top_column_text(row, TopColumn::Handshake, 0), "1.500");
  EXPECT_EQ(top_column_text(row, TopColumn::RoundTrip, 0), "-");
  EXPECT_EQ(top_column_text(row, TopColumn::Retransmits, 0), "-");
  EXPECT_EQ(top_column_text(row, TopColumn::Bytes, 0), "-");
}

TEST(TopModel, RoundTripAndRetransmitsFollowSnapshotsThenTheClose) {
  TopModel model;
  model.event(at(1, Close, SynSent, 0));
  model.event(at(1, SynSent, Established, 0.001));
  auto listed = [&](std::uint32_t rtt_us, std::uint32_t retransmits) {
    SocketRow socket{.protocol = Protocol::Tcp,
                     .id = only(model).socket.id,
                     .state = Established,
                     .tcp_info =
                         SocketRow::TcpInfo{.rtt_us = rtt_us, .total_retransmits = retransmits}};
    return OpenSockets{.netns = socket.id.netns, .sockets = {{socket}}};
  };
  model.reconcile(listed(1250, 3), kStart + 2 * kSecond, kQuiet);
  EXPECT_EQ(top_column_text(only(model), TopColumn::RoundTrip, 0), "1.250");
  EXPECT_EQ(top_column_text(only(model), TopColumn::Retransmits, 0), "3");
  model.event(at(1, Established, FinWait1, 3));
  EXPECT_EQ(top_column_text(only(model), TopColumn::Retransmits, 0), "3")
      << "an event keeps what the snapshot said";
  model.reconcile(listed(0, 7), kStart + 4 * kSecond, kQuiet);
  EXPECT_EQ(top_column_text(only(model), TopColumn::RoundTrip, 0), "-") << "no sample yet";
  EXPECT_EQ(top_column_text(only(model), TopColumn::Retransmits, 0), "7");

  auto closed = at(1, FinWait1, Close, 5);
  closed.totals = ConnectionTotals{.retransmits = 9, .srtt_us = 40};
  model.event(closed);
  EXPECT_EQ(top_column_text(only(model), TopColumn::RoundTrip, 0), "0.040") << "at the close";
  EXPECT_EQ(top_column_text(only(model), TopColumn::Retransmits, 0), "9");
}

TEST(TopModel, SortsByRoundTripAndRetransmits) {
  TopModel model;
  std::vector<SocketRow> sockets;
  const std::vector<std::pair<std::uint32_t, std::uint32_t>> values{{300, 0}, {0, 5}, {100, 2}};
  for (std::uint64_t id = 1; id <= values.size(); ++id) {
    const auto [rtt_us, retransmits] = values[id - 1];
    sockets.push_back(
        {.protocol = Protocol::Tcp,
         .id = {.sock_id = id, .local_port = static_cast<std::uint16_t>(40000 + id)},
         .state = Established,
         .tcp_info = SocketRow::TcpInfo{.rtt_us = rtt_us, .total_retransmits = retransmits}});
    model.seed({sockets.back()}, Role::Active, kStart);
  }
  EXPECT_EQ(ids(model.rows({.sort = TopColumn::RoundTrip})), (std::vector<std::uint64_t>{2, 3, 1}))
      << "no sample first";
  EXPECT_EQ(ids(model.rows({.sort = TopColumn::Retransmits, .descending = true})),
            (std::vector<std::uint64_t>{2, 3, 1}));
}

// Keys that arrive together, as a paste does.
void type(TopControls& controls, const std::string& keys) {
  for (const char key : keys)
    controls.handle(key);
  controls.keys_done();
}

TEST(TopControls, SortPauseToggleHelpQuit) {
  TopControls controls;
  EXPECT_EQ(controls.view().sort, TopColumn::Age);
  controls.handle('>');
  EXPECT_EQ(controls.view().sort, TopColumn::Handshake);
  controls.handle('<');
  controls.handle('<');
  EXPECT_EQ(controls.view().sort, TopColumn::Process);
  controls.handle('0');
  EXPECT_EQ(controls.view().sort, TopColumn::Bytes) << "0 is the tenth column";
  controls.handle('9');
  EXPECT_EQ(controls.view().sort, TopColumn::Retransmits);
  controls.handle('1');
  EXPECT_EQ(controls.view().sort, TopColumn::Protocol);
  controls.handle('<');
  EXPECT_EQ(controls.view().sort, TopColumn::Bytes) << "wraps around";
  controls.handle('r');
  EXPECT_TRUE(controls.view().descending);
  EXPECT_EQ(controls.handle(' '), TopControls::Action::Redraw);
  EXPECT_TRUE(controls.paused());
  controls.handle('l');
  EXPECT_FALSE(controls.view().listeners);
  controls.handle('n');
  EXPECT_TRUE(controls.names());
  controls.handle('?');
  EXPECT_TRUE(controls.help());
  EXPECT_EQ(controls.handle('x'), TopControls::Action::None);
  EXPECT_EQ(controls.handle('q'), TopControls::Action::Quit);
}

TEST(TopControls, FilterAsYouType) {
  TopModel model;
  model.event(at(1, Close, SynSent, 0, 40001));
  model.event(at(2, Close, SynSent, 0, 40002));
  TopControls controls;
  controls.handle('/');
  EXPECT_TRUE(controls.editing());
  type(controls, "sport = :4000");
  EXPECT_EQ(controls.filter_text(), "sport = :4000");
  EXPECT_TRUE(controls.filter_error().empty()) << "a whole expression already";
  EXPECT_TRUE(model.rows(controls.view()).empty());
  type(controls, "2");
  EXPECT_EQ(ids(model.rows(controls.view())), (std::vector<std::uint64_t>{2}));
  type(controls, " and");
  EXPECT_FALSE(controls.filter_error().empty()) << "incomplete: says why";
  EXPECT_EQ(ids(model.rows(controls.view())), (std::vector<std::uint64_t>{2}))
      << "the last filter that parsed still applies";
  for (int i = 0; i < 4; ++i)
    controls.handle(127);
  controls.keys_done();
  EXPECT_EQ(controls.filter_text(), "sport = :40002");
  EXPECT_EQ(controls.handle('q'), TopControls::Action::Redraw) << "q is text while editing";
  controls.handle(127);
  controls.handle('\n'); // takes what was typed before it, in the same batch
  EXPECT_FALSE(controls.editing());
  EXPECT_EQ(ids(model.rows(controls.view())), (std::vector<std::uint64_t>{2}));
  controls.handle('/');
  type(controls, " or");
  controls.handle('\n'); // does not parse: back to the filter in effect
  EXPECT_EQ(controls.filter_text(), "sport = :40002") << "as typed when it last parsed";
  EXPECT_TRUE(controls.filter_error().empty());
  controls.handle('/');
  controls.handle(27); // Esc drops the filter
  EXPECT_EQ(model.rows(controls.view()).size(), 2u);
}

// A pasted filter of 100,000 terms is parsed once per batch of keys, not
// once per key: linear, not minutes of CPU.
TEST(TopControls, PastedFilterIsParsedOncePerBatch) {
  TopModel model;
  model.event(at(1, Close, SynSent, 0, 40001));
  model.event(at(2, Close, SynSent, 0, 40002));
  TopControls controls;
  controls.handle('/');
  std::string paste;
  for (int i = 0; i < 100'000; ++i)
    paste += "sport = :1 or ";
  paste += "sport = :40002";
  type(controls, paste);
  EXPECT_TRUE(controls.filter_error().empty()) << controls.filter_error();
  EXPECT_EQ(ids(model.rows(controls.view())), (std::vector<std::uint64_t>{2}));
}

} // namespace
} // namespace tcpsight
