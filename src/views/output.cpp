#include "tcpsight/views/output.hpp"

#include "tcpsight/views/json_format.hpp"
#include "tcpsight/views/text_format.hpp"

namespace tcpsight {
namespace {

// Lost events are reported on stderr by the caller; the table stays a table.
class TextOutput final : public Output {
public:
  TextOutput(OutputWriter& writer, WallClock clock, bool explain)
      : writer_(writer), clock_(clock), explain_(explain) {
    writer_.text() += text_header();
  }

  void event(const Event& e) override {
    append_text_row(writer_.text(), e, clock_.to_wall(MonotonicTime{e.ts_ns}), explain_);
    writer_.written();
  }

  void lost_events(std::uint64_t) override {}

private:
  OutputWriter& writer_;
  WallClock clock_;
  bool explain_;
};

class JsonOutput final : public Output {
public:
  JsonOutput(OutputWriter& writer, WallClock clock, bool explain, CgroupLookup cgroups)
      : writer_(writer), clock_(clock), explain_(explain), cgroups_(std::move(cgroups)) {}

  void event(const Event& e) override {
    const auto cgroup = cgroups_ && e.owner ? cgroups_(e.owner->cgroup_id) : nullptr;
    append_event_json(writer_.text(), e, clock_.to_wall(MonotonicTime{e.ts_ns}), explain_, cgroup);
    writer_.written();
  }

  void lost_events(std::uint64_t count) override {
    writer_.text() += lost_events_json(count);
    writer_.written(/*records=*/0); // not an event
  }

private:
  OutputWriter& writer_;
  WallClock clock_;
  bool explain_;
  CgroupLookup cgroups_;
};

} // namespace

std::unique_ptr<Output> make_output(const OutputOptions& options, OutputWriter& writer,
                                    WallClock clock) {
  if (options.format == OutputFormat::Json)
    return std::make_unique<JsonOutput>(writer, clock, options.explain, options.cgroups);
  return std::make_unique<TextOutput>(writer, clock, options.explain);
}

} // namespace tcpsight
