#include "tcpsight/history/history_store.hpp"
#include "tcpsight/history/path_text.hpp"

#include "history/sql_where.hpp"
#include "model/parse_number.hpp"
#include "tcpsight/model/errno_name.hpp"
#include "tcpsight/model/error.hpp"
#include "tcpsight/model/filter.hpp"
#include "tcpsight/model/ip_address.hpp"

#include <pwd.h>
#include <sqlite3.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <fmt/format.h>
#include <variant>

namespace tcpsight {
namespace {

// PRAGMA application_id: "TCPS". Marks the file as tcpsight's.
constexpr std::int32_t kApplicationId = 0x54435053;
constexpr int kSchemaVersion = 2;

constexpr const char* kSchema = R"sql(
CREATE TABLE connections (
  id INTEGER PRIMARY KEY,
  start_ns INTEGER NOT NULL,
  end_ns INTEGER NOT NULL,
  sock_id INTEGER NOT NULL,
  netns INTEGER NOT NULL,
  family INTEGER NOT NULL,
  saddr TEXT NOT NULL,
  sport INTEGER NOT NULL,
  daddr TEXT NOT NULL,
  dport INTEGER NOT NULL,
  pid INTEGER,
  comm TEXT,
  uid INTEGER,
  cgroup_id INTEGER,
  role TEXT NOT NULL,
  outcome TEXT NOT NULL,
  error INTEGER NOT NULL,
  handshake_ns INTEGER,
  tx_bytes INTEGER,
  rx_bytes INTEGER,
  retransmits INTEGER,
  syn_retransmits INTEGER NOT NULL,
  seeded INTEGER NOT NULL,
  path TEXT NOT NULL,
  srtt_us INTEGER,
  min_rtt_us INTEGER,
  drops INTEGER NOT NULL DEFAULT 0,
  drop_reason TEXT
);
CREATE INDEX connections_by_end ON connections(end_ns);
CREATE TABLE transitions (
  id INTEGER PRIMARY KEY,
  ts_ns INTEGER NOT NULL,
  sock_id INTEGER NOT NULL,
  saddr TEXT NOT NULL,
  sport INTEGER NOT NULL,
  daddr TEXT NOT NULL,
  dport INTEGER NOT NULL,
  old_state TEXT NOT NULL,
  new_state TEXT NOT NULL,
  inferred INTEGER NOT NULL,
  reason TEXT,
  pid INTEGER,
  comm TEXT
);
CREATE INDEX transitions_by_ts ON transitions(ts_ns);
)sql";

// Schema 2 added the columns after path: round trips and drops.
constexpr const char* kAddedInSchema2 = R"sql(
ALTER TABLE connections ADD COLUMN srtt_us INTEGER;
ALTER TABLE connections ADD COLUMN min_rtt_us INTEGER;
ALTER TABLE connections ADD COLUMN drops INTEGER NOT NULL DEFAULT 0;
ALTER TABLE connections ADD COLUMN drop_reason TEXT;
)sql";

constexpr const char* kInsertConnection =
    "INSERT INTO connections (start_ns, end_ns, sock_id, netns, family, saddr, sport, daddr, "
    "dport, pid, comm, uid, cgroup_id, role, outcome, error, handshake_ns, tx_bytes, rx_bytes, "
    "retransmits, syn_retransmits, seeded, path, srtt_us, min_rtt_us, drops, drop_reason) "
    "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)";
constexpr const char* kInsertTransition =
    "INSERT INTO transitions (ts_ns, sock_id, saddr, sport, daddr, dport, old_state, new_state, "
    "inferred, reason, pid, comm) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)";
constexpr const char* kConnectionColumns =
    "start_ns, end_ns, sock_id, netns, family, saddr, sport, daddr, dport, pid, comm, uid, "
    "cgroup_id, role, outcome, error, handshake_ns, tx_bytes, rx_bytes, retransmits, "
    "syn_retransmits, seeded, path, srtt_us, min_rtt_us, drops, drop_reason";
// The same read from a schema 1 file that is not written to, which lacks them.
constexpr const char* kSchema1ConnectionColumns =
    "start_ns, end_ns, sock_id, netns, family, saddr, sport, daddr, dport, pid, comm, uid, "
    "cgroup_id, role, outcome, error, handshake_ns, tx_bytes, rx_bytes, retransmits, "
    "syn_retransmits, seeded, path, NULL AS srtt_us, NULL AS min_rtt_us, 0 AS drops, "
    "NULL AS drop_reason";

using detail::SqlValue;
using detail::SqlWhere;

// in_network(ADDRESS, NETWORK) in SQL: whether the address text (as the
// history keeps it) lies in the network ("10.0.0.0/8"). An IPv4 client of
// a dual-stack listener, kept as ::ffff:10.1.2.3, is in IPv4 networks.
void in_network_sql(sqlite3_context* context, int, sqlite3_value** values) {
  const auto* address = sqlite3_value_text(values[0]);
  const auto* network = sqlite3_value_text(values[1]);
  bool inside = false;
  if (address && network) {
    const auto parsed_address = parse_ip_address(reinterpret_cast<const char*>(address));
    const auto parsed_network = parse_ip_network(reinterpret_cast<const char*>(network));
    if (parsed_address && parsed_network)
      inside = parsed_network->contains(parsed_network->address.family == AddressFamily::IPv4
                                            ? unmapped(*parsed_address)
                                            : *parsed_address);
  }
  sqlite3_result_int(context, inside ? 1 : 0);
}

IpAddress parse_address(const std::string& text, int family) {
  return parse_ip_address(text).value_or(
      IpAddress{.family = family == 6 ? AddressFamily::IPv6 : AddressFamily::IPv4});
}

// The conditions of a query.
SqlWhere where_of(const HistoryStore::Query& q) {
  SqlWhere where;
  if (q.since)
    where.add("end_ns >= ?", {q.since->ns});
  if (q.until)
    where.add("end_ns <= ?", {q.until->ns});
  if (q.address && q.address->find('/') != std::string::npos)
    where.add("(in_network(saddr, ?) OR in_network(daddr, ?))", {*q.address, *q.address});
  else if (q.address)
    where.add("(saddr = ? OR daddr = ?)", {*q.address, *q.address});
  detail::add_record_filter(where, q.records);
  return where;
}

} // namespace

// One prepared statement; errors name the database file.
class Statement {
public:
  Statement(sqlite3* db, const std::string& sql, const std::string& path) : db_(db), path_(path) {
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &statement_, nullptr) != SQLITE_OK)
      fail("reading");
  }
  ~Statement() { sqlite3_finalize(statement_); }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  void bind(int index, std::int64_t value) { sqlite3_bind_int64(statement_, index, value); }
  void bind(int index, const std::string& value) {
    sqlite3_bind_text(statement_, index, value.data(), static_cast<int>(value.size()),
                      SQLITE_TRANSIENT);
  }
  void bind_null(int index) { sqlite3_bind_null(statement_, index); }
  template <typename T> void bind(int index, const std::optional<T>& value) {
    if (value)
      bind(index, static_cast<std::int64_t>(*value));
    else
      bind_null(index);
  }
  void bind_all(const std::vector<SqlValue>& values) {
    for (std::size_t i = 0; i < values.size(); ++i)
      std::visit([&](const auto& v) { bind(static_cast<int>(i + 1), v); }, values[i]);
  }

  // True while there is a row.
  bool step() {
    const int status = sqlite3_step(statement_);
    if (status == SQLITE_ROW)
      return true;
    if (status != SQLITE_DONE)
      fail("using");
    return false;
  }
  void reset() {
    sqlite3_reset(statement_);
    sqlite3_clear_bindings(statement_);
  }

  std::int64_t integer(int column) const { return sqlite3_column_int64(statement_, column); }
  bool is_null(int column) const { return sqlite3_column_type(statement_, column) == SQLITE_NULL; }
  std::string text(int column) const {
    const auto* chars = sqlite3_column_text(statement_, column);
    return chars ? reinterpret_cast<const char*>(chars) : "";
  }

private:
  [[noreturn]] void fail(const char* doing) const {
    throw Error(fmt::format("{} {}: {}", doing, path_, sqlite3_errmsg(db_)));
  }

  sqlite3* db_;
  std::string path_;
  sqlite3_stmt* statement_ = nullptr;
};

struct HistoryStore::Statements {
  Statements(sqlite3* db, const std::string& path)
      : insert_connection(db, kInsertConnection, path),
        insert_transition(db, kInsertTransition, path) {}
  Statement insert_connection;
  Statement insert_transition;
};

std::string default_history_path() {
  if (geteuid() == 0)
    return "/var/lib/tcpsight/history.db";
  if (const char* state = std::getenv("XDG_STATE_HOME"); state && *state)
    return fmt::format("{}/tcpsight/history.db", state);
  const char* home = std::getenv("HOME");
  if (!home || !*home) {
    // As a login would set it, rather than a path relative to wherever
    // the command runs.
    const passwd* account = getpwuid(geteuid());
    home = account && account->pw_dir && *account->pw_dir == '/' ? account->pw_dir : nullptr;
  }
  if (!home)
    throw Error("no HOME or XDG_STATE_HOME to keep the history in: give --db");
  return fmt::format("{}/.local/state/tcpsight/history.db", home);
}

HistoryStore::HistoryStore(const std::string& path, Mode mode)
    : path_(path),
      file_(path, mode == Mode::ReadOnly ? HistoryFile::Access::Read : HistoryFile::Access::Write) {
  const bool fresh = file_.fresh();
  const int flags =
      mode == Mode::ReadOnly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
  if (sqlite3_open_v2(path.c_str(), &db_, flags, nullptr) != SQLITE_OK) {
    const std::string message = db_ ? sqlite3_errmsg(db_) : "out of memory";
    sqlite3_close(db_);
    throw Error(fmt::format("cannot open {}: {}", path, message));
  }
  sqlite3_busy_timeout(db_, 5000);
  if (sqlite3_create_function(db_, "in_network", 2, SQLITE_UTF8 | SQLITE_DETERMINISTIC, nullptr,
                              in_network_sql, nullptr, nullptr) != SQLITE_OK) {
    const std::string message = sqlite3_errmsg(db_);
    sqlite3_close(db_);
    throw Error(fmt::format("cannot open {}: {}", path, message));
  }
  try {
    check_identity(fresh);
    if (mode == Mode::ReadWrite) {
      file_.keep_private();
      if (fresh)
        create_schema();
      else if (schema_version_ == 1)
        upgrade_schema();
      else if (schema_version_ != kSchemaVersion)
        throw Error(fmt::format("{} has schema {}, which no tcpsight wrote; it is left untouched",
                                path_, schema_version_));
      exec("PRAGMA journal_mode=WAL");
      exec("PRAGMA synchronous=NORMAL");
      statements_ = std::make_unique<Statements>(db_, path_);
    }
  } catch (...) {
    sqlite3_close(db_);
    throw;
  }
}

HistoryStore::~HistoryStore() {
  statements_.reset();
  sqlite3_close(db_);
}

void HistoryStore::exec(const char* sql) {
  char* message = nullptr;
  if (sqlite3_exec(db_, sql, nullptr, nullptr, &message) != SQLITE_OK) {
    const std::string text = message ? message : sqlite3_errmsg(db_);
    sqlite3_free(message);
    throw Error(fmt::format("using {}: {}", path_, text));
  }
}

void HistoryStore::check_identity(bool fresh) {
  if (fresh)
    return;
  const auto pragma = [&](const char* sql) {
    Statement statement(db_, sql, path_);
    return statement.step() ? statement.text(0) : std::string();
  };
  try {
    const auto number = [&](const char* sql) {
      return detail::parse_number<std::int64_t>(pragma(sql), 10).value_or(-1);
    };
    const auto application = number("PRAGMA application_id");
    if (application != kApplicationId)
      throw Error(fmt::format("{} is another program's SQLite database (application_id {}), not "
                              "a tcpsight history; it is left untouched: give another --db",
                              path_, application));
    schema_version_ = static_cast<int>(number("PRAGMA user_version"));
    if (schema_version_ > kSchemaVersion)
      throw Error(fmt::format("{} was written by a newer tcpsight (schema {}; this one knows {})",
                              path_, pragma("PRAGMA user_version"), kSchemaVersion));
    const auto check = pragma("PRAGMA quick_check(1)");
    if (check != "ok")
      throw Error(
          fmt::format("{} is damaged ({}); it is left untouched: give another --db", path_, check));
  } catch (const Error& e) {
    const std::string what = e.what();
    if (what.find(path_) == 0) // ours, already clear
      throw;
    throw Error(fmt::format("{} is damaged ({}); it is left untouched: give another --db", path_,
                            what.substr(what.find(": ") + 2)));
  }
}

void HistoryStore::create_schema() {
  exec("PRAGMA auto_vacuum=INCREMENTAL"); // before the first table: lets retention shrink the file
  exec("BEGIN");
  exec(kSchema);
  exec(fmt::format("PRAGMA application_id={}", kApplicationId).c_str());
  exec(fmt::format("PRAGMA user_version={}", kSchemaVersion).c_str());
  exec("COMMIT");
  schema_version_ = kSchemaVersion;
}

void HistoryStore::upgrade_schema() {
  exec("BEGIN IMMEDIATE");
  try {
    exec(kAddedInSchema2);
    exec(fmt::format("PRAGMA user_version={}", kSchemaVersion).c_str());
    exec("COMMIT");
  } catch (...) {
    exec("ROLLBACK");
    throw;
  }
  schema_version_ = kSchemaVersion;
}

void HistoryStore::begin() { exec("BEGIN"); }
void HistoryStore::commit() { exec("COMMIT"); }

void HistoryStore::add_connection(const WallConnectionRecord& r) {
  auto& s = statements_->insert_connection;
  int i = 0;
  s.bind(++i, r.start.ns);
  s.bind(++i, r.end.ns);
  s.bind(++i, static_cast<std::int64_t>(r.id.sock_id));
  s.bind(++i, std::int64_t{r.id.netns});
  s.bind(++i, std::int64_t{r.id.local.family == AddressFamily::IPv6 ? 6 : 4});
  s.bind(++i, to_string(r.id.local));
  s.bind(++i, std::int64_t{r.id.local_port});
  s.bind(++i, to_string(r.id.remote));
  s.bind(++i, std::int64_t{r.id.remote_port});
  if (r.owner) {
    s.bind(++i, std::int64_t{r.owner->pid});
    s.bind(++i, r.owner->comm);
    s.bind(++i, std::int64_t{r.owner->uid});
    s.bind(++i, static_cast<std::int64_t>(r.owner->cgroup_id));
  } else {
    for (int k = 0; k < 4; ++k)
      s.bind_null(++i);
  }
  s.bind(++i, std::string(role_name(r.role)));
  s.bind(++i, std::string(outcome_name(r.outcome)));
  s.bind(++i, std::int64_t{r.error});
  s.bind(++i, r.handshake_ns);
  if (r.totals) {
    s.bind(++i, static_cast<std::int64_t>(r.totals->tx_bytes));
    s.bind(++i, static_cast<std::int64_t>(r.totals->rx_bytes));
    s.bind(++i, std::int64_t{r.totals->retransmits});
  } else {
    for (int k = 0; k < 3; ++k)
      s.bind_null(++i);
  }
  s.bind(++i, std::int64_t{r.syn_retransmits});
  s.bind(++i, std::int64_t{r.seeded});
  s.bind(++i, encode_path(r.path));
  const auto rtt_us = [&](std::uint32_t ConnectionTotals::*field) {
    return r.totals && (*r.totals).*field ? std::optional<std::uint64_t>((*r.totals).*field)
                                          : std::nullopt;
  };
  s.bind(++i, rtt_us(&ConnectionTotals::srtt_us));
  s.bind(++i, rtt_us(&ConnectionTotals::min_rtt_us));
  s.bind(++i, std::int64_t{r.drops.count});
  if (r.drops.count)
    s.bind(++i, r.drops.last_reason);
  else
    s.bind_null(++i);
  s.step();
  s.reset();
}

void HistoryStore::add_transition(const Event& e, WallTime time) {
  auto& s = statements_->insert_transition;
  int i = 0;
  s.bind(++i, time.ns);
  s.bind(++i, static_cast<std::int64_t>(e.id.sock_id));
  s.bind(++i, to_string(e.id.local));
  s.bind(++i, std::int64_t{e.id.local_port});
  s.bind(++i, to_string(e.id.remote));
  s.bind(++i, std::int64_t{e.id.remote_port});
  s.bind(++i, std::string(tcp_state_name(e.old_state)));
  s.bind(++i, std::string(tcp_state_name(e.new_state)));
  s.bind(++i, std::int64_t{e.inferred});
  if (e.reason != Reason::None)
    s.bind(++i, std::string(reason_name(e.reason)));
  else
    s.bind_null(++i);
  if (e.owner) {
    s.bind(++i, std::int64_t{e.owner->pid});
    s.bind(++i, e.owner->comm);
  } else {
    s.bind_null(++i);
    s.bind_null(++i);
  }
  s.step();
  s.reset();
}

std::uint64_t HistoryStore::size_bytes() {
  Statement pages(db_, "PRAGMA page_count", path_);
  Statement page_size(db_, "PRAGMA page_size", path_);
  pages.step();
  page_size.step();
  return static_cast<std::uint64_t>(pages.integer(0) * page_size.integer(0));
}

std::uint64_t HistoryStore::apply_retention(std::optional<WallTime> cutoff,
                                            std::optional<std::uint64_t> max_bytes) {
  std::uint64_t deleted = 0;
  const auto run = [&](const std::string& sql, std::optional<std::int64_t> value) {
    Statement statement(db_, sql, path_);
    if (value)
      statement.bind(1, *value);
    statement.step();
    return static_cast<std::uint64_t>(sqlite3_changes(db_));
  };
  if (cutoff) {
    deleted += run("DELETE FROM connections WHERE end_ns < ?", cutoff->ns);
    run("DELETE FROM transitions WHERE ts_ns < ?", cutoff->ns);
  }
  exec("PRAGMA incremental_vacuum");
  // At most ten rounds: each takes the oldest tenth of what is left.
  for (int round = 0; max_bytes && size_bytes() > *max_bytes && round < 10; ++round) {
    deleted += run("DELETE FROM connections WHERE id IN (SELECT id FROM connections ORDER BY "
                   "end_ns LIMIT (SELECT count(*) / 10 + 1 FROM connections))",
                   std::nullopt);
    run("DELETE FROM transitions WHERE id IN (SELECT id FROM transitions ORDER BY ts_ns LIMIT "
        "(SELECT count(*) / 10 + 1 FROM transitions))",
        std::nullopt);
    exec("PRAGMA incremental_vacuum");
  }
  return deleted;
}

void HistoryStore::connections(const Query& query,
                               const std::function<void(const WallConnectionRecord&)>& visit) {
  const auto where = where_of(query);
  const char* columns =
      schema_version_ >= kSchemaVersion ? kConnectionColumns : kSchema1ConnectionColumns;
  // The latest `limit` of them, still shown oldest first.
  const auto sql =
      query.limit == 0
          ? fmt::format("SELECT {} FROM connections{} ORDER BY end_ns, id", columns, where.text())
          : fmt::format("SELECT {} FROM (SELECT id, {} FROM connections{} ORDER BY end_ns DESC, "
                        "id DESC LIMIT {}) ORDER BY end_ns, id",
                        kConnectionColumns, columns, where.text(), query.limit);
  Statement statement(db_, sql, path_);
  statement.bind_all(where.values());
  while (statement.step()) {
    const auto& s = statement;
    WallConnectionRecord r;
    int i = 0;
    r.start = WallTime{s.integer(i++)};
    r.end = WallTime{s.integer(i++)};
    r.id.sock_id = static_cast<std::uint64_t>(s.integer(i++));
    r.id.netns = static_cast<std::uint32_t>(s.integer(i++));
    const int family = static_cast<int>(s.integer(i++));
    r.id.local = parse_address(s.text(i++), family);
    r.id.local_port = static_cast<std::uint16_t>(s.integer(i++));
    r.id.remote = parse_address(s.text(i++), family);
    r.id.remote_port = static_cast<std::uint16_t>(s.integer(i++));
    if (!s.is_null(i))
      r.owner = Owner{.pid = static_cast<std::uint32_t>(s.integer(i)),
                      .uid = static_cast<std::uint32_t>(s.integer(i + 2)),
                      .cgroup_id = static_cast<std::uint64_t>(s.integer(i + 3)),
                      .comm = s.text(i + 1)};
    i += 4;
    r.role = parse_role(s.text(i++)).value_or(Role::Unknown);
    r.outcome = parse_outcome(s.text(i++)).value_or(Outcome::Failed);
    r.error = static_cast<int>(s.integer(i++));
    if (!s.is_null(i))
      r.handshake_ns = static_cast<std::uint64_t>(s.integer(i));
    ++i;
    if (!s.is_null(i))
      r.totals = ConnectionTotals{.tx_bytes = static_cast<std::uint64_t>(s.integer(i)),
                                  .rx_bytes = static_cast<std::uint64_t>(s.integer(i + 1)),
                                  .retransmits = static_cast<std::uint32_t>(s.integer(i + 2))};
    i += 3;
    r.syn_retransmits = static_cast<std::uint32_t>(s.integer(i++));
    r.seeded = s.integer(i++) != 0;
    r.path = decode_path(s.text(i++));
    if (r.totals) {
      r.totals->srtt_us = static_cast<std::uint32_t>(s.is_null(i) ? 0 : s.integer(i));
      r.totals->min_rtt_us = static_cast<std::uint32_t>(s.is_null(i + 1) ? 0 : s.integer(i + 1));
    }
    i += 2;
    r.drops.count = static_cast<std::uint32_t>(s.integer(i++));
    if (!s.is_null(i))
      r.drops.last_reason = s.text(i);
    ++i;
    visit(r);
  }
}

std::uint64_t HistoryStore::transition_count() {
  Statement statement(db_, "SELECT count(*) FROM transitions", path_);
  statement.step();
  return static_cast<std::uint64_t>(statement.integer(0));
}

std::vector<HistoryStore::Count> HistoryStore::count_by_outcome(const Query& query) {
  const auto where = where_of(query);
  Statement statement(db_,
                      fmt::format("SELECT outcome, count(*) FROM connections{} GROUP BY outcome "
                                  "ORDER BY count(*) DESC, outcome",
                                  where.text()),
                      path_);
  statement.bind_all(where.values());
  std::vector<Count> counts;
  while (statement.step()) {
    Count count{.key = statement.text(0),
                .connections = static_cast<std::uint64_t>(statement.integer(1))};
    const auto outcome = parse_outcome(count.key);
    count.failed = outcome && is_failure(*outcome) ? count.connections : 0;
    counts.push_back(count);
  }
  return counts;
}

std::vector<HistoryStore::Count> HistoryStore::count_by_remote(const Query& query,
                                                               std::size_t limit) {
  const auto where = where_of(query);
  // A passive connection's remote port is the client's ephemeral one: those
  // count per address only (port -1).
  Statement statement(
      db_,
      fmt::format("SELECT daddr, CASE role WHEN 'passive' THEN -1 ELSE dport END AS port, "
                  "count(*), sum({}) FROM connections{} GROUP BY daddr, port "
                  "ORDER BY count(*) DESC, daddr, port LIMIT {}",
                  detail::sql_in("outcome", kFailureOutcomes.size()), where.text(), limit),
      path_);
  // The placeholders in the order they appear: the failures' first.
  auto values = detail::sql_outcome_names(kFailureOutcomes);
  values.insert(values.end(), where.values().begin(), where.values().end());
  statement.bind_all(values);
  std::vector<Count> counts;
  while (statement.step())
    counts.push_back({.key = statement.text(0),
                      .port = statement.integer(1) < 0
                                  ? std::nullopt
                                  : std::optional(static_cast<std::uint16_t>(statement.integer(1))),
                      .connections = static_cast<std::uint64_t>(statement.integer(2)),
                      .failed = static_cast<std::uint64_t>(statement.integer(3))});
  return counts;
}

std::string history_address(std::string_view text) {
  const auto network = parse_ip_network(std::string(text));
  if (!network)
    throw Error(
        fmt::format("'{}' is not an IP address or network (10.0.0.7, ::1, 10.0.0.0/8)", text));
  if (text.find('/') == std::string_view::npos)
    return to_string(network->address);
  return to_string(*network);
}

} // namespace tcpsight
