#include "arguments.hpp"
#include "subcommand.hpp"

#include "tcpsight/pipeline/event_pipeline.hpp"
#include "tcpsight/session/event_source.hpp"
#include "tcpsight/views/output.hpp"

#include <cerrno>
#include <cstring>
#include <fmt/core.h>
#include <iostream>

namespace tcpsight::cli {
namespace {

struct TraceOptions {
  bool json = false;
  bool explain = false;
  EventSourceOptions source; // filter, ring buffer, --read, --write
};

// Write out what is formatted before it grows past this.
constexpr std::size_t kMaxBuffered = 1 << 20;

// Flushes the output; remembers the first failure and its errno.
class OutputWriter {
public:
  explicit OutputWriter(Output& output) : output_(output) {}

  bool flush() {
    errno = 0;
    if (!failed_ && !output_.flush()) {
      failed_ = true;
      error_ = errno;
    }
    return !failed_;
  }
  // A reader that went away (`| head`) is not an error.
  bool failed_badly() const { return failed_ && error_ != EPIPE; }
  int error() const { return error_; }

private:
  Output& output_;
  bool failed_ = false;
  int error_ = 0;
};

// Flushes as the output grows, so a burst of events is not held whole.
class FlushingSink : public EventSink {
public:
  FlushingSink(Output& output, OutputWriter& writer) : output_(output), writer_(writer) {}
  void event(const Event& event) override {
    output_.event(event);
    if (output_.buffered() > kMaxBuffered)
      writer_.flush();
  }

private:
  Output& output_;
  OutputWriter& writer_;
};

int run_trace(const TraceOptions& options) {
  auto source = EventSource::open(options.source);
  std::ios::sync_with_stdio(false);
  auto output = make_output({.format = options.json ? OutputFormat::Json : OutputFormat::Text,
                             .explain = options.explain},
                            std::cout, source->wall_clock());
  OutputWriter writer(*output);
  FlushingSink sink(*output, writer);
  EventPipeline pipeline(options.source.filter, sink);

  writer.flush();
  source->run(pipeline, {.lost =
                             [&](std::uint64_t count) {
                               report_lost_events(count);
                               output->lost_events(count);
                             },
                         .after_batch = [&](std::uint64_t) { return writer.flush(); }});
  writer.flush();
  fmt::print(stderr, "tcpsight: {} events shown, {}\n", pipeline.delivered(), source->summary());
  if (writer.failed_badly()) {
    fmt::print(stderr, "tcpsight: cannot write the output: {}\n", std::strerror(writer.error()));
    return 1;
  }
  return 0;
}

class TraceSubcommand : public Subcommand {
public:
  explicit TraceSubcommand(CLI::App& parent)
      : Subcommand(parent.add_subcommand(
            "trace", "Stream every TCP state transition, reset and handshake retransmission")) {
    auto& app = *parent.get_subcommand("trace");
    app.add_flag("--json", options_.json, "One JSON object per line");
    app.add_flag("--explain", options_.explain, "Say what each event means in TCP terms");
    filter_.add_to(app);
    add_source_options(app, options_.source);
  }
  void finish_parsing() override { options_.source.filter = filter_.to_filter(); }
  int run() override { return run_trace(options_); }

private:
  TraceOptions options_;
  FilterArguments filter_;
};

} // namespace

std::unique_ptr<Subcommand> add_trace_command(CLI::App& app) {
  return std::make_unique<TraceSubcommand>(app);
}

} // namespace tcpsight::cli
