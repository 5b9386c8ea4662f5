#include "tcpsight/metrics/metric_labels.hpp"

#include "tcpsight/model/error.hpp"
#include "tcpsight/views/printable.hpp"

#include <fmt/format.h>

namespace tcpsight {
namespace {

constexpr std::array<std::string_view, kLabelCount> kLabelNames{
    "role", "port", "remote", "process", "container_id", "pod_uid", "unit", "netns"};

std::size_t index(Label label) { return static_cast<std::size_t>(label); }

// The label's value, before the choice of labels applies.
std::string value_of(Label label, const LabelSource& source) {
  const auto& id = *source.id;
  switch (label) {
  case Label::Role:
    return std::string(role_name(source.role));
  case Label::Port:
    return source.role == Role::Passive ? std::to_string(id.local_port) : std::string();
  case Label::Remote:
    return source.role == Role::Active ? format_endpoint(id.remote, id.remote_port) : std::string();
  case Label::Process:
    return source.owner ? source.owner->comm : std::string();
  case Label::Container:
    return source.cgroup ? std::string(short_container_id(source.cgroup->name.container))
                         : std::string();
  case Label::Pod:
    return source.cgroup ? source.cgroup->name.pod : std::string();
  case Label::Unit:
    return source.cgroup ? source.cgroup->name.unit : std::string();
  case Label::Netns:
    return id.netns ? std::to_string(id.netns) : std::string();
  }
  return {};
}

} // namespace

std::string_view label_name(Label label) { return kLabelNames[index(label)]; }

std::string all_label_names() { return fmt::format("{}", fmt::join(kLabelNames, ",")); }

LabelChoice parse_label_choice(std::string_view text) {
  LabelChoice chosen;
  while (true) {
    const auto comma = text.find(',');
    const auto name = text.substr(0, comma);
    std::size_t i = 0;
    while (i < kLabelCount && kLabelNames[i] != name)
      ++i;
    if (i == kLabelCount)
      throw Error(fmt::format("'{}' is not a label: choose from {}", printable_text(name),
                              fmt::join(kLabelNames, ",")));
    if (chosen.test(i))
      throw Error(fmt::format("label '{}' is listed twice", name));
    chosen.set(i);
    if (comma == std::string_view::npos)
      return chosen;
    text.remove_prefix(comma + 1);
  }
}

std::string LabelValues::key() const {
  std::string joined;
  for (const auto& value : values) {
    joined += value;
    joined += '\0'; // printable values hold no NUL
  }
  return joined;
}

LabelValues label_values(const LabelSource& source, const LabelChoice& kept) {
  LabelValues labels;
  for (std::size_t i = 0; i < kLabelCount; ++i)
    if (kept.test(i)) // what others chose (a command, a cgroup's name) is escaped
      labels.values[i] = printable_text(value_of(static_cast<Label>(i), source));
  return labels;
}

LabelValues other_label_values(const LabelValues& values, const LabelChoice& kept) {
  LabelValues labels;
  for (std::size_t i = 0; i < kLabelCount; ++i)
    if (kept.test(i))
      labels.values[i] = static_cast<Label>(i) == Label::Role ? values.values[i] : "other";
  return labels;
}

} // namespace tcpsight
