#include "tcpsight/kernel/proc_net.hpp"

#include "model/parse_number.hpp"

#include <charconv>
#include <cstring>
#include <optional>
#include <sstream>
#include <string>

namespace tcpsight {
namespace {

using detail::parse_number;

constexpr std::uint32_t kAcceptingConnections = 0x10000; // __SO_ACCEPTCON in unix Flags

// "0100007F:0050": the address as the kernel prints it (each 32-bit word of
// network-order bytes, printed as a native integer), then the port.
bool parse_endpoint(std::string_view text, AddressFamily family, IpAddress& address,
                    std::uint16_t& port) {
  const std::size_t words = family == AddressFamily::IPv4 ? 1 : 4;
  const auto colon = text.find(':');
  if (colon != words * 8 || text.size() < colon + 2)
    return false;
  address = IpAddress{.family = family};
  for (std::size_t i = 0; i < words; ++i) {
    const auto word = parse_number<std::uint32_t>(text.substr(i * 8, 8), 16);
    if (!word)
      return false;
    std::memcpy(address.bytes.data() + i * 4, &*word, 4);
  }
  const auto parsed_port = parse_number<std::uint16_t>(text.substr(colon + 1), 16);
  if (!parsed_port)
    return false;
  port = *parsed_port;
  return true;
}

// "00000000:00000001": transmit queue, then receive queue.
bool parse_queues(std::string_view text, SocketRow& row) {
  const auto colon = text.find(':');
  if (colon == std::string_view::npos)
    return false;
  const auto tx = parse_number<std::uint32_t>(text.substr(0, colon), 16);
  const auto rx = parse_number<std::uint32_t>(text.substr(colon + 1), 16);
  if (!tx || !rx)
    return false;
  row.send_q = *tx;
  row.recv_q = *rx;
  return true;
}

// "02:00000D63" and "00000000": timer kind, jiffies until it fires, and
// retransmissions. USER_HZ is 100 on every Linux the kernel exports it for.
bool parse_timer(std::string_view timer, std::string_view retransmits, SocketRow& row) {
  constexpr std::uint64_t kMsPerJiffy = 10;
  const auto colon = timer.find(':');
  if (colon == std::string_view::npos)
    return false;
  const auto kind = parse_number<std::uint8_t>(timer.substr(0, colon), 16);
  const auto jiffies = parse_number<std::uint64_t>(timer.substr(colon + 1), 16);
  const auto count = parse_number<std::uint32_t>(retransmits, 16);
  if (!kind || !jiffies || !count)
    return false;
  row.timer = *kind;
  row.timer_ms = static_cast<std::uint32_t>(*jiffies * kMsPerJiffy);
  row.retransmits = *count;
  return true;
}

std::optional<SocketRow> parse_inet_line(const std::string& line, Protocol protocol,
                                         AddressFamily family) {
  std::istringstream fields(line);
  std::string slot, local, remote, state, queues, timer, retransmits, uid, timeout, inode;
  if (!(fields >> slot >> local >> remote >> state >> queues >> timer >> retransmits >> uid >>
        timeout >> inode))
    return std::nullopt;
  SocketRow row{.protocol = protocol};
  if (!parse_timer(timer, retransmits, row))
    return std::nullopt;
  const auto parsed_state = parse_number<std::uint8_t>(state, 16);
  const auto parsed_uid = parse_number<std::uint32_t>(uid, 10);
  const auto parsed_inode = parse_number<std::uint64_t>(inode, 10);
  if (slot.back() != ':' || !parse_endpoint(local, family, row.id.local, row.id.local_port) ||
      !parse_endpoint(remote, family, row.id.remote, row.id.remote_port) || !parsed_state ||
      !parse_queues(queues, row) || !parsed_uid || !parsed_inode)
    return std::nullopt;
  row.state = static_cast<TcpState>(*parsed_state);
  row.uid = *parsed_uid;
  row.inode = *parsed_inode;
  return row;
}

std::optional<SocketRow> parse_unix_line(const std::string& line) {
  std::istringstream fields(line);
  std::string address, refcount, protocol, flags, type, state, inode;
  if (!(fields >> address >> refcount >> protocol >> flags >> type >> state >> inode))
    return std::nullopt;
  std::string path;
  std::getline(fields >> std::ws, path);
  const auto parsed_flags = parse_number<std::uint32_t>(flags, 16);
  const auto parsed_type = parse_number<int>(type, 16);
  const auto parsed_state = parse_number<int>(state, 16);
  const auto parsed_inode = parse_number<std::uint64_t>(inode, 10);
  if (address.back() != ':' || !parsed_flags || !parsed_type || !parsed_state || !parsed_inode)
    return std::nullopt;
  const auto parsed_refcount = parse_number<std::uint32_t>(refcount, 16);
  if (!parsed_refcount)
    return std::nullopt;
  SocketRow row{.protocol = Protocol::Unix};
  row.unix_refcount = *parsed_refcount;
  row.unix_type = *parsed_type;
  row.unix_listening = (*parsed_flags & kAcceptingConnections) != 0;
  // SS_CONNECTED is 3; anything else has no peer.
  row.state = *parsed_state == 3 ? TcpState::Established
                                 : (row.unix_listening ? TcpState::Listen : TcpState::Close);
  row.inode = *parsed_inode;
  row.unix_path = path;
  return row;
}

template <typename Parse>
std::size_t visit_table(std::istream& table, Parse parse, const SocketVisitor& visit) {
  std::size_t malformed = 0;
  std::string line;
  std::getline(table, line); // the header
  while (std::getline(table, line)) {
    if (line.find_first_not_of(" \t") == std::string::npos)
      continue;
    if (const auto row = parse(line))
      visit(*row);
    else
      ++malformed;
  }
  return malformed;
}

ParsedRows collect(const std::function<std::size_t(const SocketVisitor&)>& visit_rows) {
  ParsedRows parsed;
  parsed.malformed = visit_rows([&](const SocketRow& row) { parsed.rows.push_back(row); });
  return parsed;
}

} // namespace

std::size_t visit_proc_net_inet(std::istream& table, Protocol protocol, AddressFamily family,
                                const SocketVisitor& visit) {
  return visit_table(
      table, [&](const std::string& line) { return parse_inet_line(line, protocol, family); },
      visit);
}

std::size_t visit_proc_net_unix(std::istream& table, const SocketVisitor& visit) {
  return visit_table(table, parse_unix_line, visit);
}

ParsedRows parse_proc_net_inet(std::istream& table, Protocol protocol, AddressFamily family) {
  return collect([&](const SocketVisitor& visit) {
    return visit_proc_net_inet(table, protocol, family, visit);
  });
}

ParsedRows parse_proc_net_unix(std::istream& table) {
  return collect([&](const SocketVisitor& visit) { return visit_proc_net_unix(table, visit); });
}

} // namespace tcpsight
