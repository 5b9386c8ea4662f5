#include "tcpsight/pipeline/socket_query.hpp"

#include "tcpsight/model/error.hpp"

#include <sys/socket.h>

#include <algorithm>
#include <array>
#include <fmt/format.h>
#include <string>

namespace tcpsight {
namespace {

// ss's socket tables that tcpsight lists, as bits.
enum Table : unsigned {
  kTcp = 1u << 0,
  kUdp = 1u << 1,
  kRaw = 1u << 2,
  kUnixStream = 1u << 3,
  kUnixDgram = 1u << 4,
  kUnixSeqpacket = 1u << 5,
};
constexpr unsigned kInetTables = kTcp | kUdp | kRaw;
constexpr unsigned kUnixTables = kUnixStream | kUnixDgram | kUnixSeqpacket;
constexpr unsigned kEveryTable = kInetTables | kUnixTables;

enum Family : unsigned { kIPv4 = 1u << 0, kIPv6 = 1u << 1, kUnix = 1u << 2 };
constexpr unsigned kEveryFamily = kIPv4 | kIPv6 | kUnix;

// A state as a bit; none for a number no state has (the sources pass on what
// the kernel or a file says).
constexpr std::uint32_t bit(TcpState state) {
  const auto number = static_cast<unsigned>(state);
  return number < 32 ? 1u << number : 0;
}
constexpr std::uint32_t kEveryState = ~0u;
// ss's SS_CONN: neither listening nor unconnected, nor a minisocket.
constexpr std::uint32_t kConnected =
    kEveryState &
    ~(bit(TcpState::Listen) | bit(TcpState::Close) | bit(TcpState::TimeWait) |
      bit(TcpState::SynRecv) | bit(TcpState::NewSynRecv) | bit(TcpState::BoundInactive));
constexpr std::uint32_t kListening = bit(TcpState::Listen) | bit(TcpState::Close);

// What ss lists of a table chosen by -t, -u or -w when neither -a nor -l
// nor a state is given: UDP and raw sockets that are connected, TCP
// sockets in the connected states. (-A lists the connected states of
// every table; a family, those of its own.)
std::uint32_t default_states(unsigned table) {
  return table == kUdp || table == kRaw ? bit(TcpState::Established) : kConnected;
}

unsigned families_of(unsigned table) { return (table & kUnixTables) ? kUnix : kIPv4 | kIPv6; }
unsigned tables_of(unsigned family) { return family == kUnix ? kUnixTables : kInetTables; }

// ss's names for tables; its aliases (u_str) too.
struct NamedTables {
  std::string_view name;
  unsigned tables;
};
constexpr std::array kTableNames{
    NamedTables{"all", kEveryTable},
    NamedTables{"inet", kInetTables},
    NamedTables{"tcp", kTcp},
    NamedTables{"udp", kUdp},
    NamedTables{"raw", kRaw},
    NamedTables{"unix", kUnixTables},
    NamedTables{"unix_stream", kUnixStream},
    NamedTables{"u_str", kUnixStream},
    NamedTables{"unix_dgram", kUnixDgram},
    NamedTables{"u_dgr", kUnixDgram},
    NamedTables{"unix_seqpacket", kUnixSeqpacket},
    NamedTables{"u_seq", kUnixSeqpacket},
};

// What ss lists and tcpsight does not.
constexpr std::array kNotListed{
    "packet", "packet_raw",   "p_raw", "packet_dgram", "p_dgr", "netlink",         "dccp", "sctp",
    "vsock",  "vsock_stream", "v_str", "vsock_dgram",  "v_dgr", "vsock_seqpacket", "tipc", "xdp",
    "mptcp",  "link"};

bool not_listed(std::string_view name) {
  return std::find(kNotListed.begin(), kNotListed.end(), name) != kNotListed.end();
}

[[noreturn]] void refuse(std::string_view option, std::string_view name) {
  if (not_listed(name))
    throw Error(fmt::format("{} {}: not supported; tcpsight lists TCP, UDP, raw and unix sockets",
                            option, name));
  if (option == "-f")
    throw Error(fmt::format("-f '{}': not an address family tcpsight knows (inet, inet6, unix)",
                            name.substr(0, 40)));
  throw Error(fmt::format("{} '{}': not a socket table tcpsight knows (tcp, udp, raw, unix, inet, "
                          "all, unix_stream, unix_dgram, unix_seqpacket; ! before one leaves it "
                          "out)",
                          option, name.substr(0, 40)));
}

unsigned table_of(const SocketRow& row) {
  switch (row.protocol) {
  case Protocol::Tcp:
    return kTcp;
  case Protocol::Udp:
    return kUdp;
  case Protocol::Raw:
    return kRaw;
  case Protocol::Unix:
    return row.unix_type == SOCK_DGRAM       ? kUnixDgram
           : row.unix_type == SOCK_SEQPACKET ? kUnixSeqpacket
                                             : kUnixStream;
  }
  return 0;
}

unsigned family_of(const SocketRow& row) {
  if (row.protocol == Protocol::Unix)
    return kUnix;
  return row.id.local.family == AddressFamily::IPv6 ? kIPv6 : kIPv4;
}

} // namespace

SocketQuery::SocketQuery() { merge_defaults(); }

void SocketQuery::choose_table(unsigned table, bool chosen) {
  if (chosen) {
    tables_ |= table;
    for (unsigned each = 1; each <= table; each <<= 1)
      if (table & each)
        default_states_ |= default_states(each);
  } else {
    tables_ &= ~table;
  }
  defaulted_ = false;
  merge_defaults();
}

void SocketQuery::choose_family(unsigned family) {
  families_ |= family;
  default_states_ |= kConnected;
  defaulted_ = false;
  merge_defaults();
}

void SocketQuery::add_protocol(Protocol protocol) {
  choose_table(protocol == Protocol::Tcp   ? kTcp
               : protocol == Protocol::Udp ? kUdp
               : protocol == Protocol::Raw ? kRaw
                                           : kUnixTables,
               true);
}

void SocketQuery::add_tables(std::string_view list) {
  // As ss: the first -A replaces the tables chosen so far, and lists the
  // connected states unless -a or -l came before it.
  if (!tables_queried_) {
    tables_queried_ = true;
    tables_ = 0;
    if (states_ == 0)
      states_ = kConnected;
    defaulted_ = false;
    merge_defaults();
  }
  std::size_t at = 0;
  while (at <= list.size()) {
    const auto comma = std::min(list.find(',', at), list.size());
    auto name = list.substr(at, comma - at);
    at = comma + 1;
    const bool taken_away = name.starts_with('!');
    if (taken_away)
      name.remove_prefix(1);
    const auto named = std::find_if(kTableNames.begin(), kTableNames.end(),
                                    [&](const NamedTables& each) { return each.name == name; });
    if (named != kTableNames.end())
      choose_table(named->tables, !taken_away);
    else if (!taken_away || !not_listed(name)) // leaving out what is never listed is fine
      refuse("-A", name);
  }
}

void SocketQuery::add_family(std::string_view family) {
  if (family == "inet")
    choose_family(kIPv4);
  else if (family == "inet6")
    choose_family(kIPv6);
  else if (family == "unix")
    choose_family(kUnix);
  else
    refuse("-f", family);
}

void SocketQuery::list_every_state() {
  states_ = kEveryState;
  merge_defaults();
}

void SocketQuery::list_listening() {
  states_ = kListening;
  merge_defaults();
}

// As ss's filter_merge_defaults: tables first, then families, each step
// seeing what the one before added.
void SocketQuery::merge_defaults() {
  if (defaulted_) {
    listed_tables_ = kEveryTable;
    listed_families_ = kEveryFamily;
    listed_states_ = states_ != 0 ? states_ : kConnected;
    return;
  }
  listed_tables_ = tables_;
  listed_families_ = families_;
  for (unsigned table = 1; table <= kUnixSeqpacket; table <<= 1)
    if ((listed_tables_ & table) && !(families_of(table) & listed_families_))
      listed_families_ |= families_of(table);
  for (unsigned family = 1; family <= kUnix; family <<= 1)
    if ((listed_families_ & family) && !(tables_of(family) & listed_tables_))
      listed_tables_ |= tables_of(family);
  listed_states_ = states_ != 0 ? states_ : default_states_;
}

std::vector<Protocol> SocketQuery::protocols() const {
  // In ss's order.
  std::vector<Protocol> listed;
  const bool inet = (listed_families_ & (kIPv4 | kIPv6)) != 0;
  if ((listed_tables_ & kUnixTables) && (listed_families_ & kUnix))
    listed.push_back(Protocol::Unix);
  if ((listed_tables_ & kRaw) && inet)
    listed.push_back(Protocol::Raw);
  if ((listed_tables_ & kUdp) && inet)
    listed.push_back(Protocol::Udp);
  if ((listed_tables_ & kTcp) && inet)
    listed.push_back(Protocol::Tcp);
  return listed;
}

bool SocketQuery::wants_ipv4() const { return (listed_families_ & kIPv4) != 0; }

bool SocketQuery::wants_ipv6() const { return (listed_families_ & kIPv6) != 0; }

bool SocketQuery::wants(const SocketRow& row) const {
  return (listed_tables_ & table_of(row)) && (listed_families_ & family_of(row)) &&
         (listed_states_ & bit(row.state));
}

} // namespace tcpsight
