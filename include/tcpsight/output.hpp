#pragma once

#include "tcpsight/clock.hpp"
#include "tcpsight/event.hpp"

#include <cstdint>
#include <memory>
#include <ostream>
#include <string>

namespace tcpsight {

enum class OutputFormat { Text, Json };

// Where traced events go: a table for people or JSON lines for programs.
// Writes are buffered until flush().
class Output {
public:
  virtual ~Output() = default;

  virtual void transition(const Transition& transition) = 0;
  // Records the kernel could not deliver because the ring buffer was full.
  virtual void lost_events(std::uint64_t count) = 0;
  // Writes what is buffered; false once the stream can take no more
  // (a closed pipe, say).
  bool flush();

protected:
  explicit Output(std::ostream& stream) : stream_(stream) {}

  std::string buffer_;

private:
  std::ostream& stream_;
};

std::unique_ptr<Output> make_output(OutputFormat format, std::ostream& stream, WallClock clock);

} // namespace tcpsight
