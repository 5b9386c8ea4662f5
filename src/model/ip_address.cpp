#include "tcpsight/model/ip_address.hpp"

#include <arpa/inet.h>
#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cstring>

namespace tcpsight {

std::string_view family_name(AddressFamily family) {
  return family == AddressFamily::IPv4 ? "ipv4" : "ipv6";
}

namespace {

// inet_ntop formats IPv4 with sprintf; this is the same text, faster.
AddressText ipv4_text(const IpAddress& address) {
  AddressText text;
  char* out = text.chars.data();
  for (int i = 0; i < 4; ++i) {
    if (i > 0)
      *out++ = '.';
    const fmt::format_int octet(address.bytes[static_cast<std::size_t>(i)]);
    out = std::copy(octet.data(), octet.data() + octet.size(), out);
  }
  text.size = static_cast<std::size_t>(out - text.chars.data());
  return text;
}

int address_bits(AddressFamily family) { return family == AddressFamily::IPv4 ? 32 : 128; }

} // namespace

AddressText address_text(const IpAddress& address) {
  static_assert(sizeof(AddressText::chars) >= INET6_ADDRSTRLEN + 8);
  if (address.family == AddressFamily::IPv4)
    return ipv4_text(address);
  AddressText text;
  const int af = address.family == AddressFamily::IPv4 ? AF_INET : AF_INET6;
  if (inet_ntop(af, address.bytes.data(), text.chars.data(), text.chars.size()) == nullptr)
    text.chars[0] = '?';
  text.size = std::strlen(text.chars.data());
  return text;
}

IpAddress ipv4_from_kernel_word(std::uint32_t word) {
  IpAddress address{.family = AddressFamily::IPv4};
  std::memcpy(address.bytes.data(), &word, 4);
  return address;
}

bool is_unspecified(const IpAddress& address) {
  return std::all_of(address.bytes.begin(), address.bytes.end(), [](auto b) { return b == 0; });
}

std::string to_string(const IpAddress& address) {
  return std::string(address_text(address).view());
}

AddressText endpoint_text(const IpAddress& address, std::uint16_t port) {
  const auto host = address_text(address);
  const bool bracketed = address.family == AddressFamily::IPv6;
  AddressText text;
  char* out = text.chars.data();
  if (bracketed)
    *out++ = '[';
  out = std::copy(host.chars.data(), host.chars.data() + host.size, out);
  if (bracketed)
    *out++ = ']';
  *out++ = ':';
  const fmt::format_int digits(port);
  out = std::copy(digits.data(), digits.data() + digits.size(), out);
  text.size = static_cast<std::size_t>(out - text.chars.data());
  return text;
}

std::string format_endpoint(const IpAddress& address, std::uint16_t port) {
  return std::string(endpoint_text(address, port).view());
}

bool IpNetwork::contains(const IpAddress& other) const {
  if (other.family != address.family)
    return false;
  for (int bit = 0; bit < prefix_bits; ++bit) {
    const auto byte = static_cast<std::size_t>(bit / 8);
    const auto mask = static_cast<std::uint8_t>(0x80 >> (bit % 8));
    if ((other.bytes[byte] & mask) != (address.bytes[byte] & mask))
      return false;
  }
  return true;
}

IpAddress unmapped(const IpAddress& address) {
  constexpr std::array<std::uint8_t, 12> kMappedPrefix{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  if (address.family != AddressFamily::IPv6 ||
      !std::equal(kMappedPrefix.begin(), kMappedPrefix.end(), address.bytes.begin()))
    return address;
  IpAddress ipv4{.family = AddressFamily::IPv4};
  std::copy_n(address.bytes.begin() + 12, 4, ipv4.bytes.begin());
  return ipv4;
}

std::optional<IpNetwork> parse_ip_network(const std::string& text) {
  const auto slash = text.find('/');
  const auto address = parse_ip_address(text.substr(0, slash));
  if (!address)
    return std::nullopt;
  const int bits = address_bits(address->family);
  if (slash == std::string::npos)
    return IpNetwork{.address = *address, .prefix_bits = bits};
  const auto digits = std::string_view(text).substr(slash + 1);
  int prefix = -1;
  const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), prefix);
  if (error != std::errc{} || end != digits.data() + digits.size() || digits.empty() ||
      prefix < 0 || prefix > bits)
    return std::nullopt;
  return IpNetwork{.address = *address, .prefix_bits = prefix};
}

std::string to_string(const IpNetwork& network) {
  return fmt::format("{}/{}", address_text(network.address).view(), network.prefix_bits);
}

std::optional<IpAddress> parse_ip_address(const std::string& text) {
  IpAddress address;
  if (inet_pton(AF_INET, text.c_str(), address.bytes.data()) == 1) {
    address.family = AddressFamily::IPv4;
    return address;
  }
  if (inet_pton(AF_INET6, text.c_str(), address.bytes.data()) == 1) {
    address.family = AddressFamily::IPv6;
    return address;
  }
  return std::nullopt;
}

} // namespace tcpsight
