#pragma once

#include "tcpsight/model/clock.hpp"
#include "tcpsight/model/event.hpp"
#include "tcpsight/pipeline/event_sink.hpp"

#include <cstdint>
#include <memory>
#include <ostream>
#include <string>

namespace tcpsight {

enum class OutputFormat { Text, Json };

struct OutputOptions {
  OutputFormat format = OutputFormat::Text;
  bool explain = false; // say what each event means in TCP terms
};

// Traced events for people (a table) or programs (JSON lines).
// Writes are buffered until flush().
class Output : public EventSink {
public:
  // Records the kernel could not deliver because the ring buffer was full.
  virtual void lost_events(std::uint64_t count) = 0;
  // Writes what is buffered; false once the stream can take no more
  // (a closed pipe, say).
  bool flush();
  // Bytes formatted and not yet written.
  std::size_t buffered() const { return buffer_.size(); }

protected:
  explicit Output(std::ostream& stream) : stream_(stream) {}

  std::string buffer_;

private:
  std::ostream& stream_;
};

std::unique_ptr<Output> make_output(const OutputOptions& options, std::ostream& stream,
                                    WallClock clock);

} // namespace tcpsight
