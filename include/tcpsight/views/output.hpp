#pragma once

#include "tcpsight/model/cgroup_name.hpp"
#include "tcpsight/model/clock.hpp"
#include "tcpsight/model/event.hpp"
#include "tcpsight/pipeline/event_sink.hpp"
#include "tcpsight/views/output_writer.hpp"

#include <cstdint>
#include <memory>

namespace tcpsight {

enum class OutputFormat { Text, Json };

struct OutputOptions {
  OutputFormat format = OutputFormat::Text;
  bool explain = false; // say what each event means in TCP terms
  CgroupLookup cgroups; // names for the owners' cgroups in JSON; empty: none
};

// Traced events for people (a table) or programs (JSON lines).
class Output : public EventSink {
public:
  // Records the kernel could not deliver because the ring buffer was full.
  virtual void lost_events(std::uint64_t count) = 0;
};

// An Output that formats into writer, which writes a chunk at a time.
std::unique_ptr<Output> make_output(const OutputOptions& options, OutputWriter& writer,
                                    WallClock clock);

} // namespace tcpsight
