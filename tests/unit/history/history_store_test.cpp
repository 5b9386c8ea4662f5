#include "tcpsight/history/history_store.hpp"
#include "tcpsight/history/history_writer.hpp"

#include "sample_event.hpp"
#include "tcpsight/model/error.hpp"
#include "tcpsight/model/ip_address.hpp"
#include "temporary_database.hpp"

#include <gtest/gtest.h>

#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fmt/format.h>
#include <fstream>
#include <iterator>

namespace tcpsight {
namespace {

using enum TcpState;
constexpr std::uint64_t kMs = 1'000'000;

WallTime at_ms(std::uint64_t ms) { return WallTime{static_cast<std::int64_t>(ms * kMs)}; }

WallConnectionRecord record(std::uint64_t id, std::uint64_t end_ms, Outcome outcome,
                            std::uint16_t remote_port = 8080) {
  const auto sample = test::sample_event();
  WallConnectionRecord r;
  r.id.sock_id = id;
  r.id.netns = sample.id.netns;
  r.id.local = sample.id.local;
  r.id.local_port = static_cast<std::uint16_t>(40000 + id);
  r.id.remote = sample.id.remote;
  r.id.remote_port = remote_port;
  r.owner = sample.owner;
  r.role = Role::Active;
  r.start = at_ms(end_ms - 10);
  r.end = at_ms(end_ms);
  r.handshake_ns = kMs / 2;
  r.path = {{SynSent, kMs / 2}, {Established, 9 * kMs}, {FinWait1, kMs / 4}, {TimeWait, {}}};
  r.totals = ConnectionTotals{.tx_bytes = 100, .rx_bytes = 2000, .retransmits = 1};
  r.outcome = outcome;
  return r;
}

mode_t mode_of(const std::filesystem::path& path) {
  struct stat status {};
  EXPECT_EQ(stat(path.c_str(), &status), 0) << path;
  return status.st_mode & 07777;
}

class HistoryStoreTest : public ::testing::Test {
protected:
  test::TemporaryDatabase database_{"history"};
  const std::string& path_ = database_.path();

  void write(const std::vector<WallConnectionRecord>& records) {
    HistoryStore store(path_, HistoryStore::Mode::ReadWrite);
    store.begin();
    for (const auto& r : records)
      store.add_connection(r);
    store.commit();
  }

  std::vector<WallConnectionRecord> read(const HistoryStore::Query& query = {}) {
    HistoryStore store(path_, HistoryStore::Mode::ReadOnly);
    std::vector<WallConnectionRecord> found;
    store.connections(query, [&](const WallConnectionRecord& r) { found.push_back(r); });
    return found;
  }

  std::string open_error(HistoryStore::Mode mode = HistoryStore::Mode::ReadWrite) {
    try {
      HistoryStore store(path_, mode);
    } catch (const Error& e) {
      return e.what();
    }
    return "";
  }

  std::string contents() {
    std::ifstream in(path_, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), {}};
  }
};

TEST_F(HistoryStoreTest, RecordsComeBackAsTheyWent) {
  auto unknown_owner = record(2, 200, Outcome::Refused);
  unknown_owner.owner.reset();
  unknown_owner.totals.reset();
  unknown_owner.handshake_ns.reset();
  unknown_owner.id.local = unknown_owner.id.remote = test::ipv6_loopback();
  unknown_owner.error = 111;
  const std::vector<WallConnectionRecord> records{record(1, 100, Outcome::NormalActive),
                                                  unknown_owner};
  write(records);
  EXPECT_EQ(read(), records);
}

TEST_F(HistoryStoreTest, RoundTripsAndDropsComeBack) {
  auto r = record(1, 100, Outcome::TimedOut);
  r.totals->srtt_us = 1234;
  r.totals->min_rtt_us = 1000;
  r.drops = {.count = 3, .last_reason = "NETFILTER_DROP"};
  write({r});
  EXPECT_EQ(read(), std::vector<WallConnectionRecord>{r});
}

// Schema 1 had no round trips or drops: read as it is, upgraded once written.
TEST_F(HistoryStoreTest, Schema1HistoriesAreReadAndUpgraded) {
  auto old = record(1, 100, Outcome::NormalActive);
  write({old});
  {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(path_.c_str(), &db), SQLITE_OK);
    for (const char* column : {"srtt_us", "min_rtt_us", "drops", "drop_reason"})
      ASSERT_EQ(sqlite3_exec(db,
                             fmt::format("ALTER TABLE connections DROP COLUMN {}", column).c_str(),
                             nullptr, nullptr, nullptr),
                SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(db, "PRAGMA user_version=1", nullptr, nullptr, nullptr), SQLITE_OK);
    sqlite3_close(db);
  }
  EXPECT_EQ(read(), std::vector<WallConnectionRecord>{old});
  EXPECT_EQ(read({.limit = 1}), std::vector<WallConnectionRecord>{old});

  auto added = record(2, 200, Outcome::TimedOut);
  added.drops = {.count = 1, .last_reason = "TCP_LISTEN_OVERFLOW"};
  added.totals->srtt_us = 20;
  write({added});
  EXPECT_EQ(read(), (std::vector<WallConnectionRecord>{old, added}));
}

TEST_F(HistoryStoreTest, Queries) {
  write({record(1, 100, Outcome::NormalActive), record(2, 200, Outcome::Refused, 443),
         record(3, 300, Outcome::ResetReceived, 443), record(4, 400, Outcome::NormalActive)});
  const auto ids = [&](const HistoryStore::Query& query) {
    std::vector<std::uint64_t> found;
    for (const auto& r : read(query))
      found.push_back(r.id.sock_id);
    return found;
  };
  EXPECT_EQ(ids({.since = at_ms(200)}), (std::vector<std::uint64_t>{2, 3, 4}));
  EXPECT_EQ(ids({.since = at_ms(150), .until = at_ms(300)}), (std::vector<std::uint64_t>{2, 3}));
  EXPECT_EQ(ids({.records = {.ports = {443}}}), (std::vector<std::uint64_t>{2, 3}));
  EXPECT_EQ(ids({.records = {.ports = {40004}}}), (std::vector<std::uint64_t>{4}));
  EXPECT_EQ(ids({.records = {.outcomes = {Outcome::Refused, Outcome::ResetReceived}}}),
            (std::vector<std::uint64_t>{2, 3}));
  EXPECT_EQ(ids({.address = "10.1.0.0/16"}), (std::vector<std::uint64_t>{1, 2, 3, 4}));
  EXPECT_TRUE(ids({.address = "10.2.0.0/16"}).empty());
  EXPECT_TRUE(ids({.address = "::/0"}).empty()) << "IPv4 rows are in no IPv6 network";
  EXPECT_EQ(ids({.address = "10.1.2.3", .records = {.pids = {4242}, .comm = "curl"}}),
            (std::vector<std::uint64_t>{1, 2, 3, 4}));
  EXPECT_TRUE(ids({.records = {.pids = {1}}}).empty());
  EXPECT_TRUE(ids({.records = {.min_ms = 11}}).empty());
  EXPECT_EQ(ids({.records = {.min_ms = 10, .max_ms = 10}}).size(), 4u);
  EXPECT_EQ(ids({.limit = 2}), (std::vector<std::uint64_t>{3, 4})); // the latest, oldest first

  HistoryStore store(path_, HistoryStore::Mode::ReadOnly);
  const auto by_outcome = store.count_by_outcome({});
  ASSERT_EQ(by_outcome.size(), 3u);
  EXPECT_EQ(by_outcome[0].key, "normal_active");
  EXPECT_EQ(by_outcome[0].connections, 2u);
  EXPECT_EQ(by_outcome[0].failed, 0u);
  const auto by_remote = store.count_by_remote({}, 10);
  ASSERT_EQ(by_remote.size(), 2u);
  EXPECT_EQ(by_remote[0].key, "10.1.2.3");
  EXPECT_EQ(by_remote[0].port, 443);
  EXPECT_EQ(by_remote[0].failed, 2u);
  EXPECT_EQ(by_remote[1].port, 8080);
}

TEST_F(HistoryStoreTest, RetentionByAgeAndSize) {
  std::vector<WallConnectionRecord> many;
  for (std::uint64_t id = 1; id <= 2000; ++id)
    many.push_back(record(id, 100 + id, Outcome::NormalActive));
  write(many);
  HistoryStore store(path_, HistoryStore::Mode::ReadWrite);
  EXPECT_EQ(store.apply_retention(at_ms(1100), std::nullopt), 999u); // ended before 1100 ms
  const auto before = store.size_bytes();
  store.apply_retention(std::nullopt, before / 2);
  EXPECT_LE(store.size_bytes(), before / 2);
  std::vector<WallConnectionRecord> left;
  store.connections({}, [&](const WallConnectionRecord& r) { left.push_back(r); });
  ASSERT_FALSE(left.empty());
  EXPECT_EQ(left.back().id.sock_id, 2000u); // the newest stay
}

TEST_F(HistoryStoreTest, ForeignFilesAreRefusedAndLeftAlone) {
  std::ofstream(path_) << "name,port\nnginx,80\n";
  const auto before = contents();
  EXPECT_NE(open_error().find("is not a tcpsight history (not an SQLite database)"),
            std::string::npos);
  EXPECT_EQ(contents(), before);
}

TEST_F(HistoryStoreTest, OtherProgramsDatabasesAreRefused) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path_.c_str(), &db), SQLITE_OK);
  sqlite3_exec(db, "CREATE TABLE t(x); PRAGMA application_id=42;", nullptr, nullptr, nullptr);
  sqlite3_close(db);
  chmod(path_.c_str(), 0644);
  const auto before = contents();
  EXPECT_NE(open_error().find("is another program's SQLite database (application_id 42)"),
            std::string::npos)
      << open_error();
  EXPECT_EQ(contents(), before);
  EXPECT_EQ(mode_of(path_), 0644u) << "its permissions are left alone too";
}

// SQLite opens -wal and -shm by name: a link or a FIFO planted there is
// refused before it does, for writers and readers alike.
TEST_F(HistoryStoreTest, PlantedWalFilesAreRefused) {
  write({record(1, 100, Outcome::NormalActive)});
  const auto elsewhere = path_ + ".elsewhere";
  std::ofstream(elsewhere) << "not the WAL\n";
  std::filesystem::create_symlink(elsewhere, path_ + "-wal");
  for (const auto mode : {HistoryStore::Mode::ReadWrite, HistoryStore::Mode::ReadOnly})
    EXPECT_NE(open_error(mode).find("-wal is not SQLite's own file"), std::string::npos)
        << open_error(mode);
  std::filesystem::remove(path_ + "-wal");
  ASSERT_EQ(mkfifo((path_ + "-shm").c_str(), 0600), 0);
  EXPECT_NE(open_error(HistoryStore::Mode::ReadOnly).find("-shm is not SQLite's own file"),
            std::string::npos);
  std::filesystem::remove(path_ + "-shm");
  std::ifstream in(elsewhere);
  EXPECT_EQ(std::string(std::istreambuf_iterator<char>(in), {}), "not the WAL\n");
  std::filesystem::remove(elsewhere);
}

TEST_F(HistoryStoreTest, DamagedDatabaseIsRefused) {
  std::vector<WallConnectionRecord> many;
  for (std::uint64_t id = 1; id <= 500; ++id)
    many.push_back(record(id, 100 + id, Outcome::NormalActive));
  write(many);
  { // checkpointed on close: scribble over the pages after the first
    std::fstream file(path_, std::ios::in | std::ios::out | std::ios::binary);
    file.seekp(4096 + 100);
    const std::string garbage(8192, '\x5a');
    file.write(garbage.data(), static_cast<std::streamsize>(garbage.size()));
  }
  const auto before = contents();
  const auto error = open_error();
  EXPECT_NE(error.find("is damaged"), std::string::npos) << error;
  EXPECT_NE(error.find("left untouched"), std::string::npos) << error;
  EXPECT_EQ(contents(), before);
}

TEST_F(HistoryStoreTest, RowsEditedByHandGiveAClearError) {
  write({record(1, 100, Outcome::NormalActive)});
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path_.c_str(), &db), SQLITE_OK);
  sqlite3_exec(db, "UPDATE connections SET path = 'SYN_SENT:x'", nullptr, nullptr, nullptr);
  sqlite3_close(db);
  EXPECT_THROW(read(), Error);
}

TEST_F(HistoryStoreTest, ReadingWhatDoesNotExistSaysHowToMakeIt) {
  EXPECT_EQ(open_error(HistoryStore::Mode::ReadOnly),
            "no history at " + path_ + ": `tcpsight record` writes it");
}

// Everyone's connections are in it: private to its owner, whatever the umask,
// its WAL files too, and the directories it had to create.
// A umask that would widen them (0) and one that would narrow them (0277):
// the same modes either way.
class HistoryFileModes : public ::testing::TestWithParam<mode_t> {};

TEST_P(HistoryFileModes, FilesAndNewDirectoriesArePrivate) {
  const auto top = std::filesystem::temp_directory_path() /
                   fmt::format("tcpsight-private-{}-{:o}", getpid(), GetParam());
  const auto directory = top / "nested";
  const auto path = (directory / "history.db").string();
  const mode_t umask_before = umask(GetParam());
  {
    HistoryStore store(path, HistoryStore::Mode::ReadWrite);
    store.begin();
    store.add_connection(record(1, 100, Outcome::NormalActive));
    store.commit();
    EXPECT_EQ(mode_of(path), 0600u);
    EXPECT_EQ(mode_of(path + "-wal"), 0600u);
    EXPECT_EQ(mode_of(path + "-shm"), 0600u);
    EXPECT_EQ(mode_of(directory), 0700u);
    EXPECT_EQ(mode_of(top), 0700u);
  }
  umask(umask_before);
  std::filesystem::remove_all(top);
}

INSTANTIATE_TEST_SUITE_P(Umasks, HistoryFileModes, ::testing::Values(0, 0277));

// An existing history readable by others, and the WAL beside it, are
// narrowed to their owner once they are known to be a history.
TEST_F(HistoryStoreTest, AnExistingHistoryIsNarrowedToItsOwner) {
  write({record(1, 100, Outcome::NormalActive)});
  chmod(path_.c_str(), 0644);
  std::ofstream(path_ + "-wal").close(); // an empty WAL, as a crash may leave
  chmod((path_ + "-wal").c_str(), 0644);
  {
    HistoryStore store(path_, HistoryStore::Mode::ReadWrite);
    EXPECT_EQ(mode_of(path_), 0600u);
    EXPECT_EQ(mode_of(path_ + "-wal"), 0600u);
  }
  // Something else is not: refused, and its mode left as it was.
  for (const char* suffix : {"", "-wal", "-shm"})
    std::filesystem::remove(path_ + suffix);
  std::ofstream(path_) << "name,port\nnginx,80\n";
  chmod(path_.c_str(), 0644);
  EXPECT_NE(open_error().find("is not a tcpsight history"), std::string::npos);
  EXPECT_EQ(mode_of(path_), 0644u);
}

// An IPv4 client of a dual-stack listener is kept as ::ffff:10.1.2.3: it is
// in the IPv4 networks it belongs to, and an IPv6 network finds IPv6 rows.
TEST_F(HistoryStoreTest, NetworksOfBothFamilies) {
  auto mapped = record(1, 100, Outcome::NormalPassive);
  mapped.id.local = *parse_ip_address("::ffff:127.0.0.1");
  mapped.id.remote = *parse_ip_address("::ffff:10.1.2.3");
  auto ipv6 = record(2, 200, Outcome::NormalActive);
  ipv6.id.local = *parse_ip_address("::1");
  ipv6.id.remote = *parse_ip_address("2001:db8::7");
  write({mapped, ipv6});
  const auto ids = [&](const std::string& network) {
    std::vector<std::uint64_t> found;
    for (const auto& r : read({.address = network}))
      found.push_back(r.id.sock_id);
    return found;
  };
  EXPECT_EQ(ids("10.0.0.0/8"), (std::vector<std::uint64_t>{1}));
  EXPECT_EQ(ids("2001:db8::/32"), (std::vector<std::uint64_t>{2}));
  EXPECT_EQ(ids("::1/128"), (std::vector<std::uint64_t>{2}));
  EXPECT_EQ(ids("::ffff:0:0/96"), (std::vector<std::uint64_t>{1}));
  EXPECT_TRUE(ids("192.168.0.0/16").empty());
}

TEST(HistoryAddress, AsTheHistoryKeepsIt) {
  EXPECT_EQ(history_address("::0001"), "::1");
  EXPECT_EQ(history_address("10.0.0.7"), "10.0.0.7");
  EXPECT_EQ(history_address("10.0.0.0/8"), "10.0.0.0/8");
  EXPECT_EQ(history_address("::0001/128"), "::1/128");
  EXPECT_THROW(history_address("abc"), Error);
  EXPECT_THROW(history_address("10.0.0.0/33"), Error);
  EXPECT_THROW(history_address("10.0.0.0/"), Error);
}

// One recorder per history: a second writer is refused while the first
// lives, and readers are not.
TEST_F(HistoryStoreTest, OneWriterAtATime) {
  auto writer = std::make_unique<HistoryStore>(path_, HistoryStore::Mode::ReadWrite);
  const auto error = open_error();
  EXPECT_NE(error.find("another `tcpsight record` is writing to " + path_), std::string::npos)
      << error;
  EXPECT_EQ(open_error(HistoryStore::Mode::ReadOnly), "");
  writer.reset();
  EXPECT_EQ(open_error(), "") << "free again once the writer is gone";
}

TEST_F(HistoryStoreTest, Transitions) {
  HistoryStore store(path_, HistoryStore::Mode::ReadWrite);
  store.begin();
  store.add_transition(test::sample_event(), WallTime{5});
  store.commit();
  EXPECT_EQ(store.transition_count(), 1u);
}

TEST_F(HistoryStoreTest, WriterThreadWritesEverythingBeforeItStops) {
  {
    HistoryWriter writer(std::make_unique<HistoryStore>(path_, HistoryStore::Mode::ReadWrite), {});
    for (std::uint64_t id = 1; id <= 1000; ++id)
      writer.add_connection(record(id, 100 + id, Outcome::NormalActive));
    writer.add_transition(test::sample_event(), WallTime{5});
    writer.flush();
    const auto stats = writer.stats();
    EXPECT_EQ(stats.connections_written, 1000u);
    EXPECT_EQ(stats.transitions_written, 1u);
    for (std::uint64_t id = 1001; id <= 1010; ++id) // written by the destructor
      writer.add_connection(record(id, 100 + id, Outcome::NormalActive));
  }
  EXPECT_EQ(read().size(), 1010u);
}

TEST_F(HistoryStoreTest, WriterCountsWhatItCannotQueue) {
  HistoryWriter writer(std::make_unique<HistoryStore>(path_, HistoryStore::Mode::ReadWrite), {},
                       /*max_queued_rows=*/0);
  writer.add_connection(record(1, 100, Outcome::NormalActive));
  writer.flush();
  EXPECT_EQ(writer.stats().rows_dropped, 1u);
  EXPECT_EQ(writer.stats().connections_written, 0u);
}

} // namespace
} // namespace tcpsight
