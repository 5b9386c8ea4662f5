#include "tcpsight/views/output.hpp"

#include "tcpsight/views/json_format.hpp"
#include "tcpsight/views/text_format.hpp"

namespace tcpsight {

bool Output::flush() {
  if (!buffer_.empty()) {
    stream_.write(buffer_.data(), static_cast<std::streamsize>(buffer_.size()));
    buffer_.clear();
  }
  stream_.flush();
  return stream_.good();
}

namespace {

// Lost events are reported on stderr by the caller; the table stays a table.
class TextOutput final : public Output {
public:
  TextOutput(std::ostream& stream, WallClock clock, bool explain)
      : Output(stream), clock_(clock), explain_(explain) {
    buffer_ += text_header();
  }

  void event(const Event& e) override {
    append_text_row(buffer_, e, clock_.to_wall(MonotonicTime{e.ts_ns}).ns, explain_);
  }

  void lost_events(std::uint64_t) override {}

private:
  WallClock clock_;
  bool explain_;
};

class JsonOutput final : public Output {
public:
  JsonOutput(std::ostream& stream, WallClock clock, bool explain)
      : Output(stream), clock_(clock), explain_(explain) {}

  void event(const Event& e) override {
    append_event_json(buffer_, e, clock_.to_wall(MonotonicTime{e.ts_ns}).ns, explain_);
  }

  void lost_events(std::uint64_t count) override { buffer_ += lost_events_json(count); }

private:
  WallClock clock_;
  bool explain_;
};

} // namespace

std::unique_ptr<Output> make_output(const OutputOptions& options, std::ostream& stream,
                                    WallClock clock) {
  if (options.format == OutputFormat::Json)
    return std::make_unique<JsonOutput>(stream, clock, options.explain);
  return std::make_unique<TextOutput>(stream, clock, options.explain);
}

} // namespace tcpsight
