#include "tcpsight/output.hpp"

#include "tcpsight/json_format.hpp"
#include "tcpsight/text_format.hpp"

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
  TextOutput(std::ostream& stream, WallClock clock) : Output(stream), clock_(clock) {
    buffer_ += text_header();
  }

  void transition(const Transition& t) override {
    append_text_row(buffer_, t, clock_.to_realtime_ns(t.ts_ns));
  }

  void lost_events(std::uint64_t) override {}

private:
  WallClock clock_;
};

class JsonOutput final : public Output {
public:
  JsonOutput(std::ostream& stream, WallClock clock) : Output(stream), clock_(clock) {}

  void transition(const Transition& t) override {
    append_transition_json(buffer_, t, clock_.to_realtime_ns(t.ts_ns));
  }

  void lost_events(std::uint64_t count) override { buffer_ += lost_events_json(count); }

private:
  WallClock clock_;
};

} // namespace

std::unique_ptr<Output> make_output(OutputFormat format, std::ostream& stream, WallClock clock) {
  if (format == OutputFormat::Json)
    return std::make_unique<JsonOutput>(stream, clock);
  return std::make_unique<TextOutput>(stream, clock);
}

} // namespace tcpsight
