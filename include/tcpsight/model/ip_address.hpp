#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace tcpsight {

enum class AddressFamily : std::uint8_t { IPv4, IPv6 };

// "ipv4" or "ipv6".
std::string_view family_name(AddressFamily family);

// An IPv4 or IPv6 address in network byte order. IPv4 uses the first 4 bytes.
struct IpAddress {
  AddressFamily family = AddressFamily::IPv4;
  std::array<std::uint8_t, 16> bytes{};

  friend bool operator==(const IpAddress&, const IpAddress&) = default;
  friend auto operator<=>(const IpAddress&, const IpAddress&) = default;
};

// An IPv4 address from a 32-bit word holding its network-order bytes, as
// the kernel's tables print them ("0100007F" is 127.0.0.1 on little-endian).
IpAddress ipv4_from_kernel_word(std::uint32_t word);

// Numeric text held in place, for formatting without allocating.
struct AddressText {
  std::array<char, 56> chars{}; // "[" + 45 (INET6_ADDRSTRLEN) + "]:65535"
  std::size_t size = 0;

  std::string_view view() const { return {chars.data(), size}; }
};

// "10.0.0.1" or "::1" (no brackets, no port); nothing for anything else.
std::optional<IpAddress> parse_ip_address(const std::string& text);

// A network: an address and how many leading bits of it count.
struct IpNetwork {
  IpAddress address;
  int prefix_bits = 0; // up to 32 for IPv4, 128 for IPv6

  bool contains(const IpAddress& other) const;
  friend bool operator==(const IpNetwork&, const IpNetwork&) = default;
};

// "10.0.0.0/8", "::1/128", or an address alone (all its bits); nothing for
// anything else, a prefix longer than the family's included.
std::optional<IpNetwork> parse_ip_network(const std::string& text);

// "10.0.0.0/8", "::1/128".
std::string to_string(const IpNetwork& network);

// An IPv4-mapped IPv6 address (::ffff:10.0.0.1, an IPv4 client of a
// dual-stack listener) as the IPv4 address it is; any other unchanged.
IpAddress unmapped(const IpAddress& address);

// 0.0.0.0 or ::, the address of no particular host.
bool is_unspecified(const IpAddress& address);

// Numeric text: "127.0.0.1", "::1", "::ffff:10.0.0.1" (as inet_ntop writes it).
AddressText address_text(const IpAddress& address);
std::string to_string(const IpAddress& address);

// Address and port in place: "127.0.0.1:80", "[::1]:80".
AddressText endpoint_text(const IpAddress& address, std::uint16_t port);

// Address and port: "127.0.0.1:80", "[::1]:80".
std::string format_endpoint(const IpAddress& address, std::uint16_t port);

} // namespace tcpsight
