#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

namespace tcpsight {

// The names of the kernel's reasons for dropping a packet (enum
// skb_drop_reason), whose numbers differ from one kernel version to the next:
// read from the running kernel, or kept with a recording.
class DropReasons {
public:
  // The longest name kept: the kernel's are under 40.
  static constexpr std::size_t kMaxName = 64;

  // name: as the kernel's enum spells it, with or without its
  // "SKB_DROP_REASON_" prefix. An empty or unprintable name is not kept.
  void add(std::uint32_t code, std::string_view name);

  // "NETFILTER_DROP"; "reason_N" for a number this table does not have.
  std::string name(std::uint32_t code) const;

  const std::map<std::uint32_t, std::string>& all() const { return names_; }
  bool empty() const { return names_.empty(); }

private:
  std::map<std::uint32_t, std::string> names_;
};

struct Event;

// The name of the listener overflow that tcpsight sees for itself: the
// kernel's own name for the overflows it does report (Linux 6.15+).
inline constexpr std::string_view kListenOverflow = "TCP_LISTEN_OVERFLOW";

// Names a drop event's reason from its number (or its listen_overflow).
void name_drop(Event& e, const DropReasons& reasons);

} // namespace tcpsight
