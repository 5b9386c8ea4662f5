#include "tcpsight/kernel/kernel_tables.hpp"

#include "model/parse_number.hpp"

#include <arpa/inet.h>
#include <net/if.h>
#include <net/route.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <charconv>
#include <cstring>
#include <optional>
#include <sstream>

namespace tcpsight {
namespace {

using detail::parse_number;

std::vector<std::string> words_of(const std::string& line) {
  std::istringstream in(line);
  std::vector<std::string> words;
  for (std::string word; in >> word;)
    words.push_back(word);
  return words;
}

} // namespace

std::vector<ProtocolCounters> parse_protocol_counters(std::istream& table, std::size_t& malformed) {
  std::vector<ProtocolCounters> result;
  std::string names_line, values_line;
  while (std::getline(table, names_line)) {
    if (!std::getline(table, values_line)) {
      ++malformed;
      break;
    }
    const auto names = words_of(names_line);
    const auto values = words_of(values_line);
    if (names.empty() || names.size() != values.size() || names[0] != values[0] ||
        names[0].back() != ':') {
      ++malformed;
      continue;
    }
    ProtocolCounters protocol{.protocol = names[0].substr(0, names[0].size() - 1)};
    for (std::size_t i = 1; i < names.size(); ++i)
      if (auto value = parse_number<std::int64_t>(values[i], 10))
        protocol.counters.emplace_back(names[i], *value);
      else
        ++malformed;
    result.push_back(std::move(protocol));
  }
  return result;
}

std::vector<Route> parse_proc_net_route(std::istream& table, std::size_t& malformed) {
  std::vector<Route> routes;
  std::string line;
  std::getline(table, line); // header
  while (std::getline(table, line)) {
    const auto w = words_of(line);
    if (w.empty())
      continue;
    // Iface Destination Gateway Flags RefCnt Use Metric Mask MTU Window IRTT
    if (w.size() < 11) {
      ++malformed;
      continue;
    }
    const auto destination = parse_number<std::uint32_t>(w[1], 16);
    const auto gateway = parse_number<std::uint32_t>(w[2], 16);
    const auto flags = parse_number<std::uint32_t>(w[3], 16);
    const auto mask = parse_number<std::uint32_t>(w[7], 16);
    const auto mss = parse_number<std::uint32_t>(w[8], 10);
    const auto window = parse_number<std::uint32_t>(w[9], 10);
    const auto irtt = parse_number<std::uint32_t>(w[10], 10);
    if (!destination || !gateway || !flags || !mask || !mss || !window || !irtt) {
      ++malformed;
      continue;
    }
    routes.push_back({w[0], *destination, *gateway, *mask, *flags, *mss, *window, *irtt});
  }
  return routes;
}

std::string route_flags(std::uint32_t flags) {
  std::string text;
  const std::pair<std::uint32_t, char> letters[] = {
      {RTF_UP, 'U'},        {RTF_GATEWAY, 'G'}, {RTF_REJECT, '!'},  {RTF_HOST, 'H'},
      {RTF_REINSTATE, 'R'}, {RTF_DYNAMIC, 'D'}, {RTF_MODIFIED, 'M'}};
  for (const auto& [flag, letter] : letters)
    if (flags & flag)
      text += letter;
  return text;
}

std::vector<InterfaceCounters> parse_proc_net_dev(std::istream& table, std::size_t& malformed) {
  std::vector<InterfaceCounters> interfaces;
  std::string line;
  std::getline(table, line); // two header lines
  std::getline(table, line);
  while (std::getline(table, line)) {
    const auto colon = line.find(':');
    if (colon == std::string::npos) {
      ++malformed;
      continue;
    }
    const auto name = words_of(line.substr(0, colon));
    const auto w = words_of(line.substr(colon + 1));
    // bytes packets errs drop fifo frame compressed multicast, then the same for transmit
    if (name.size() != 1 || w.size() < 16) {
      ++malformed;
      continue;
    }
    std::uint64_t v[16];
    bool ok = true;
    for (std::size_t i = 0; i < 16 && ok; ++i) {
      const auto value = parse_number<std::uint64_t>(w[i], 10);
      ok = value.has_value();
      v[i] = value.value_or(0);
    }
    if (!ok) {
      ++malformed;
      continue;
    }
    interfaces.push_back({.name = name[0],
                          .rx_packets = v[1],
                          .rx_errors = v[2],
                          .rx_dropped = v[3],
                          .rx_fifo = v[4],
                          .tx_packets = v[9],
                          .tx_errors = v[10],
                          .tx_dropped = v[11],
                          .tx_fifo = v[12]});
  }
  return interfaces;
}

void read_interface_settings(std::vector<InterfaceCounters>& interfaces) {
  const int control = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (control < 0)
    return;
  for (auto& interface : interfaces) {
    ifreq request{};
    std::strncpy(request.ifr_name, interface.name.c_str(), IFNAMSIZ - 1);
    if (ioctl(control, SIOCGIFFLAGS, &request) == 0)
      interface.flags = static_cast<std::uint16_t>(request.ifr_flags);
    if (ioctl(control, SIOCGIFMTU, &request) == 0)
      interface.mtu = static_cast<std::uint32_t>(request.ifr_mtu);
  }
  close(control);
}

std::string interface_flags(std::uint32_t flags) {
  std::string text;
  const std::pair<std::uint32_t, char> letters[] = {
      {IFF_ALLMULTI, 'A'},    {IFF_BROADCAST, 'B'}, {IFF_DEBUG, 'D'},      {IFF_LOOPBACK, 'L'},
      {IFF_MULTICAST, 'M'},   {IFF_PROMISC, 'P'},   {IFF_NOTRAILERS, 'N'}, {IFF_NOARP, 'O'},
      {IFF_POINTOPOINT, 'P'}, {IFF_SLAVE, 's'},     {IFF_MASTER, 'm'},     {IFF_RUNNING, 'R'},
      {IFF_UP, 'U'}};
  for (const auto& [flag, letter] : letters)
    if (flags & flag)
      text += letter;
  return text;
}

std::vector<MulticastGroup> parse_proc_net_igmp(std::istream& table, std::size_t& malformed) {
  // A device line ("1\tlo        :     1      V3") and then its groups
  // ("\t\t\t\t010000E0     1 0:00000000\t\t0").
  std::vector<MulticastGroup> groups;
  std::string line, device;
  std::getline(table, line); // header
  while (std::getline(table, line)) {
    const auto w = words_of(line);
    if (w.empty())
      continue;
    if (line[0] != '\t') {
      if (w.size() < 3 || w[2] != ":") {
        ++malformed;
        device.clear();
        continue;
      }
      device = w[1];
      continue;
    }
    const auto group = parse_number<std::uint32_t>(w[0], 16);
    const auto users = w.size() > 1 ? parse_number<std::uint32_t>(w[1], 10) : std::nullopt;
    if (device.empty() || !group || !users) {
      ++malformed;
      continue;
    }
    groups.push_back({device, *users, ipv4_from_kernel_word(*group)});
  }
  return groups;
}

std::vector<MulticastGroup> parse_proc_net_igmp6(std::istream& table, std::size_t& malformed) {
  // "1    lo              ff020000000000000000000000000001     1 0000000C 0"
  std::vector<MulticastGroup> groups;
  for (std::string line; std::getline(table, line);) {
    const auto w = words_of(line);
    if (w.empty())
      continue;
    const auto users = w.size() > 3 ? parse_number<std::uint32_t>(w[3], 10) : std::nullopt;
    if (w.size() < 4 || w[2].size() != 32 || !users) {
      ++malformed;
      continue;
    }
    MulticastGroup group{
        .interface = w[1], .users = *users, .group = {.family = AddressFamily::IPv6}};
    bool ok = true;
    for (std::size_t i = 0; i < 16 && ok; ++i) {
      const auto byte = parse_number<std::uint8_t>(std::string_view(w[2]).substr(i * 2, 2), 16);
      ok = byte.has_value();
      group.group.bytes[i] = byte.value_or(0);
    }
    if (ok)
      groups.push_back(group);
    else
      ++malformed;
  }
  return groups;
}

bool ConntrackEntry::translated() const {
  return reply_destination != original_source || reply_source != original_destination ||
         reply_dport != original_sport || reply_sport != original_dport;
}

std::vector<ConntrackEntry> parse_nf_conntrack(std::istream& table, std::size_t& malformed) {
  // "ipv4 2 tcp 6 431999 ESTABLISHED src=A dst=B sport=1 dport=2 src=B dst=A sport=2 dport=1 ..."
  std::vector<ConntrackEntry> entries;
  for (std::string line; std::getline(table, line);) {
    const auto w = words_of(line);
    if (w.empty())
      continue;
    const auto expires = w.size() > 4 ? parse_number<std::uint64_t>(w[4], 10) : std::nullopt;
    if (!expires) {
      ++malformed;
      continue;
    }
    ConntrackEntry entry{.protocol = w[2], .expires_s = *expires};
    int sources = 0, destinations = 0, sports = 0, dports = 0;
    bool ok = true;
    for (const auto& word : w) {
      const auto equals = word.find('=');
      if (equals == std::string::npos)
        continue;
      const auto key = word.substr(0, equals);
      const auto value = word.substr(equals + 1);
      if (key == "src" || key == "dst") {
        const auto address = parse_ip_address(value);
        ok = ok && address.has_value();
        int& seen = key == "src" ? sources : destinations;
        auto& target = key == "src"
                           ? (seen == 0 ? entry.original_source : entry.reply_source)
                           : (seen == 0 ? entry.original_destination : entry.reply_destination);
        if (address)
          target = *address;
        ++seen;
      } else if (key == "sport" || key == "dport") {
        const auto port = parse_number<std::uint16_t>(value, 10);
        ok = ok && port.has_value();
        int& seen = key == "sport" ? sports : dports;
        auto& target = key == "sport" ? (seen == 0 ? entry.original_sport : entry.reply_sport)
                                      : (seen == 0 ? entry.original_dport : entry.reply_dport);
        target = port.value_or(0);
        ++seen;
      }
    }
    if (!ok || sources != 2 || destinations != 2) {
      ++malformed;
      continue;
    }
    entries.push_back(entry);
  }
  return entries;
}

} // namespace tcpsight
