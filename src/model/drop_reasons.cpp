#include "tcpsight/model/drop_reasons.hpp"

#include "tcpsight/model/event.hpp"

#include <algorithm>
#include <fmt/format.h>

namespace tcpsight {
namespace {

constexpr std::string_view kPrefix = "SKB_DROP_REASON_";

bool is_enumerator_name(std::string_view name) {
  return !name.empty() && name.size() <= DropReasons::kMaxName &&
         std::all_of(name.begin(), name.end(), [](char c) {
           return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
         });
}

} // namespace

void DropReasons::add(std::uint32_t code, std::string_view name) {
  if (name.starts_with(kPrefix))
    name.remove_prefix(kPrefix.size());
  if (is_enumerator_name(name))
    names_[code] = std::string(name);
}

std::string DropReasons::name(std::uint32_t code) const {
  const auto found = names_.find(code);
  if (found != names_.end())
    return found->second;
  return fmt::format("reason_{}", code);
}

void name_drop(Event& e, const DropReasons& reasons) {
  if (!e.drop)
    return;
  e.drop->reason =
      e.drop->listen_overflow ? std::string(kListenOverflow) : reasons.name(e.drop->code);
}

} // namespace tcpsight
