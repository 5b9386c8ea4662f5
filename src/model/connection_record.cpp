#include "tcpsight/model/connection_record.hpp"

#include <algorithm>
#include <array>
#include <utility>

namespace tcpsight {
namespace {

constexpr std::array<std::pair<Role, std::string_view>, 3> kRoles{{
    {Role::Unknown, "unknown"},
    {Role::Active, "active"},
    {Role::Passive, "passive"},
}};

constexpr std::array<std::pair<Outcome, std::string_view>, 10> kOutcomes{{
    {Outcome::StillOpen, "still_open"},
    {Outcome::NormalActive, "normal_active"},
    {Outcome::NormalPassive, "normal_passive"},
    {Outcome::Simultaneous, "simultaneous"},
    {Outcome::ResetSent, "reset_sent"},
    {Outcome::ResetReceived, "reset_received"},
    {Outcome::Refused, "refused"},
    {Outcome::TimedOut, "timed_out"},
    {Outcome::Aborted, "aborted"},
    {Outcome::Failed, "failed"},
}};

template <typename Value, std::size_t N>
std::string_view name_of(const std::array<std::pair<Value, std::string_view>, N>& names,
                         Value value) {
  for (const auto& [known, name] : names)
    if (known == value)
      return name;
  return "unknown";
}

template <typename Value, std::size_t N>
std::optional<Value> value_of(const std::array<std::pair<Value, std::string_view>, N>& names,
                              std::string_view name) {
  for (const auto& [value, known] : names)
    if (known == name)
      return value;
  return std::nullopt;
}

} // namespace

std::string_view role_name(Role role) { return name_of(kRoles, role); }
std::optional<Role> parse_role(std::string_view name) { return value_of(kRoles, name); }
std::string_view outcome_name(Outcome outcome) { return name_of(kOutcomes, outcome); }
std::optional<Outcome> parse_outcome(std::string_view name) { return value_of(kOutcomes, name); }

WallConnectionRecord on_wall_clock(ConnectionRecord record, WallClock clock) {
  const auto start = clock.to_wall(record.start);
  const auto end = clock.to_wall(record.end);
  return {std::move(static_cast<ConnectionFacts&>(record)), start, end};
}

bool is_failure(Outcome outcome) {
  return std::find(kFailureOutcomes.begin(), kFailureOutcomes.end(), outcome) !=
         kFailureOutcomes.end();
}

} // namespace tcpsight
