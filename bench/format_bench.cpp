// Decode + format cost per event, on one core: the work user space does for
// every record the kernel hands over.
#include "tcpsight/kernel/decode.hpp"
#include "tcpsight/pipeline/event_pipeline.hpp"
#include "tcpsight/pipeline/interpret.hpp"
#include "tcpsight/views/json_format.hpp"
#include "tcpsight/views/output.hpp"
#include "tcpsight/views/text_format.hpp"

#include <fcntl.h>
#include <linux/types.h>
#include <sys/socket.h>
#include <unistd.h>

#include <benchmark/benchmark.h>
#include <cstring>
#include <vector>

#include "tcpsight_event.h"

namespace {

using namespace tcpsight;

// A mix like a busy host's: v4 and v6, all with owners.
std::vector<std::vector<std::byte>> sample_records() {
  std::vector<std::vector<std::byte>> records;
  for (int i = 0; i < 64; ++i) {
    tcpsight_event raw{};
    raw.type = TCPSIGHT_EVENT_TRANSITION;
    raw.flags = TCPSIGHT_F_TIME_IN_OLD_KNOWN | TCPSIGHT_F_OWNER_KNOWN;
    raw.ts_ns = 1'000'000'000ull + static_cast<unsigned>(i) * 1000;
    raw.sock_id = 4096 + static_cast<unsigned>(i);
    raw.ns_in_old = 12345;
    raw.pid = 1000 + static_cast<unsigned>(i);
    raw.netns = 4026531840;
    raw.family = i % 4 == 0 ? AF_INET6 : AF_INET;
    raw.sport = static_cast<__u16>(40000 + i);
    raw.dport = 8080;
    raw.oldstate = 2;
    raw.newstate = 1;
    raw.saddr[0] = 127;
    raw.saddr[3] = 1;
    raw.daddr[0] = 10;
    raw.daddr[3] = static_cast<__u8>(i);
    std::memcpy(raw.comm, "nginx", 5);
    std::vector<std::byte> bytes(sizeof raw);
    std::memcpy(bytes.data(), &raw, sizeof raw);
    records.push_back(std::move(bytes));
  }
  return records;
}

template <typename Format> void run(benchmark::State& state, Format format) {
  const auto records = sample_records();
  std::string out;
  std::size_t i = 0;
  for (auto _ : state) {
    auto decoded = decode_event(records[i++ % records.size()]);
    format(out, interpret(std::get<Event>(std::move(decoded))));
    if (out.size() > (1 << 16))
      out.clear();
  }
  state.SetItemsProcessed(state.iterations());
}

void decode_only(benchmark::State& state) {
  const auto records = sample_records();
  std::size_t i = 0;
  for (auto _ : state)
    benchmark::DoNotOptimize(decode_event(records[i++ % records.size()]));
  state.SetItemsProcessed(state.iterations());
}

void decode_and_text(benchmark::State& state) {
  run(state, [](std::string& out, const Event& e) {
    append_text_row(out, e, WallTime{1'795'527'902'000'000'000});
  });
}

void decode_and_json(benchmark::State& state) {
  run(state, [](std::string& out, const Event& e) {
    append_event_json(out, e, WallTime{1'795'527'902'000'000'000});
  });
}

// Everything user space does per event of a churned connection: decode,
// hold CLOSE -> SYN_SENT until the port is known, filter, interpret and
// format as text, written a chunk at a time to /dev/null.
void connection_through_pipeline(benchmark::State& state) {
  std::vector<std::vector<std::byte>> connection;
  using Steps = std::vector<std::pair<__u8, __u8>>; // kernel state numbers
  const Steps client{{7, 2}, {2, 1}, {1, 7}};       // CLOSE->SYN_SENT->ESTABLISHED->CLOSE
  const Steps server{{10, 3}, {3, 1}, {1, 7}};      // LISTEN->SYN_RECV->ESTABLISHED->CLOSE
  for (const auto& [side, sock_id] : {std::pair{&client, 1}, std::pair{&server, 2}})
    for (const auto& [from, to] : *side) {
      tcpsight_event raw{};
      raw.type = TCPSIGHT_EVENT_TRANSITION;
      raw.flags = TCPSIGHT_F_OWNER_KNOWN;
      raw.sock_id = static_cast<__u64>(sock_id);
      raw.family = AF_INET;
      raw.sport = from == 7 && to == 2 ? 0 : 40000;
      raw.dport = 8080;
      raw.oldstate = from;
      raw.newstate = to;
      raw.saddr[0] = raw.daddr[0] = 127;
      raw.saddr[3] = raw.daddr[3] = 1;
      std::memcpy(raw.comm, "churn", 5);
      std::vector<std::byte> bytes(sizeof raw);
      std::memcpy(bytes.data(), &raw, sizeof raw);
      connection.push_back(std::move(bytes));
    }
  const int discard = open("/dev/null", O_WRONLY | O_CLOEXEC);
  OutputWriter writer(discard);
  auto output = make_output({}, writer, WallClock(0));
  EventPipeline pipeline({}, *output);
  std::uint64_t sock_base = 0;
  for (auto _ : state) {
    sock_base += 2;
    for (const auto& record : connection) {
      auto event = std::get<Event>(decode_event(record));
      event.id.sock_id += sock_base;
      pipeline.push(std::move(event));
    }
  }
  writer.flush();
  close(discard);
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(connection.size()));
}

BENCHMARK(decode_only);
BENCHMARK(connection_through_pipeline);
BENCHMARK(decode_and_text);
BENCHMARK(decode_and_json);

} // namespace

BENCHMARK_MAIN();
