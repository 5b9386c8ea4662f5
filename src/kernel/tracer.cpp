#include "tcpsight/kernel/tracer.hpp"

#include "tcpsight/kernel/decode.hpp"
#include "tcpsight/kernel/kernel_drop_reasons.hpp"
#include "tcpsight/kernel/libbpf_diagnostics.hpp"
#include "tcpsight/model/error.hpp"

#include <linux/types.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fmt/format.h>
#include <map>
#include <stdexcept>
#include <vector>

#include "tcpsight.skel.h"
#include "tcpsight_event.h"

namespace tcpsight {
namespace {

std::string errno_text(int error) { return std::strerror(error < 0 ? -error : error); }

struct SkeletonDeleter {
  void operator()(tcpsight_bpf* skeleton) const { tcpsight_bpf::destroy(skeleton); }
};
using Skeleton = std::unique_ptr<tcpsight_bpf, SkeletonDeleter>;

struct RingBufferDeleter {
  void operator()(ring_buffer* ring) const { ring_buffer__free(ring); }
};

struct BtfDeleter {
  void operator()(btf* types) const { btf__free(types); }
};

// How many arguments a tracepoint hands a tp_btf program (its btf_trace_
// typedef points to a function whose first parameter is the context), or -1
// if the kernel has no such tracepoint.
int tracepoint_arguments(const btf* kernel_types, const char* tracepoint) {
  if (!kernel_types)
    return -1;
  const auto name = fmt::format("btf_trace_{}", tracepoint);
  const int id = btf__find_by_name_kind(kernel_types, name.c_str(), BTF_KIND_TYPEDEF);
  if (id < 0)
    return -1;
  const btf_type* pointer = btf__type_by_id(kernel_types, btf__type_by_id(kernel_types, id)->type);
  if (!pointer || !btf_is_ptr(pointer))
    return -1;
  const btf_type* function = btf__type_by_id(kernel_types, pointer->type);
  if (!function || !btf_is_func_proto(function))
    return -1;
  return btf_vlen(function) - 1;
}

class Loader {
public:
  Loader(const TracerOptions& options, std::vector<std::string>& notices, DropReasons& drop_reasons)
      : options_(options), notices_(notices), drop_reasons_(drop_reasons) {}

  Skeleton load() {
    if (!options_.socket_addresses_as_ids) {
      try {
        return load_once(/*socket_cookies=*/true);
      } catch (const Error&) {
        // Tracing programs get socket cookies from Linux 5.12 on.
      }
    }
    auto skeleton = load_once(/*socket_cookies=*/false);
    if (!options_.socket_addresses_as_ids)
      notices_.push_back("socket ids are kernel addresses, not socket cookies: this kernel does "
                         "not give tracing programs socket cookies (Linux 5.12 does)");
    return skeleton;
  }

private:
  Skeleton load_once(bool socket_cookies) {
    notices_.clear(); // a retry says its notices again
    Skeleton skeleton(tcpsight_bpf::open());
    if (!skeleton)
      throw Error(fmt::format("cannot open the BPF programs: {}", errno_text(errno)));
    skeleton->rodata->use_socket_cookie = socket_cookies;
    skeleton->rodata->wakeup_bytes = options_.ring_buffer_bytes / 8;
    skeleton->rodata->reset_events = options_.reset_events;
    skeleton->rodata->retransmit_events = options_.retransmit_events;
    skeleton->rodata->connection_records = options_.connection_records;
    // One of the two maps of socket entries is used: the other needs no room.
    if (int err = bpf_map__set_max_entries(
            options_.connection_records ? skeleton->maps.sockets : skeleton->maps.connections, 1))
      throw Error(fmt::format("cannot size the map of socket entries: {}", errno_text(err)));
    if (options_.lose_for_test) {
      skeleton->rodata->test_lose_port = options_.lose_for_test->port;
      skeleton->rodata->test_lose_state = static_cast<__u8>(options_.lose_for_test->new_state);
    }
    configure_filter(*skeleton);
    if (int err = bpf_map__set_max_entries(skeleton->maps.events,
                                           static_cast<__u32>(options_.ring_buffer_bytes)))
      throw Error(fmt::format("cannot size the ring buffer to {} bytes: {}",
                              options_.ring_buffer_bytes, errno_text(err)));
    switch_off_missing_features(*skeleton);

    if (int err = tcpsight_bpf::load(skeleton.get()))
      throw Error(fmt::format("the kernel refused tcpsight's BPF programs ({}): tcpsight needs "
                              "Linux 5.9+ with BTF, and CAP_BPF and CAP_PERFMON",
                              errno_text(err)));
    fill_port_filter(*skeleton);
    return skeleton;
  }

  void configure_filter(tcpsight_bpf& skeleton) const {
    const Filter& f = options_.filter;
    auto& rodata = *skeleton.rodata;
    if (f.family)
      rodata.family_mask = *f.family == AddressFamily::IPv4 ? 1 : 2;
    for (auto state : f.states)
      rodata.state_mask |= 1u << static_cast<unsigned>(state);
    rodata.filter_pid = f.pid.value_or(0);
    rodata.filter_netns = f.netns.value_or(0);
    rodata.filter_cgroup = f.cgroup.value_or(0);
    if (f.comm) {
      rodata.filter_by_comm = true;
      std::memcpy(const_cast<char*>(rodata.filter_comm), f.comm->data(),
                  std::min(f.comm->size(), sizeof(rodata.filter_comm) - 1));
    }
    rodata.port_filter_kinds = (f.ports.empty() ? 0 : TCPSIGHT_PORT_EITHER) |
                               (f.local_ports.empty() ? 0 : TCPSIGHT_PORT_LOCAL) |
                               (f.remote_ports.empty() ? 0 : TCPSIGHT_PORT_REMOTE);
  }

  void fill_port_filter(tcpsight_bpf& skeleton) const {
    const Filter& f = options_.filter;
    std::map<std::uint16_t, std::uint8_t> kinds;
    for (auto port : f.ports)
      kinds[port] |= TCPSIGHT_PORT_EITHER;
    for (auto port : f.local_ports)
      kinds[port] |= TCPSIGHT_PORT_LOCAL;
    for (auto port : f.remote_ports)
      kinds[port] |= TCPSIGHT_PORT_REMOTE;
    for (const auto& [port, kind] : kinds)
      if (bpf_map__update_elem(skeleton.maps.port_filter, &port, sizeof port, &kind, sizeof kind,
                               BPF_ANY) != 0)
        throw Error(fmt::format("cannot set the port filter: {}", errno_text(errno)));
  }

  void switch_off_missing_features(tcpsight_bpf& skeleton) {
    std::unique_ptr<btf, BtfDeleter> kernel_types(btf__load_vmlinux_btf());
    const auto switch_off_without = [&](std::initializer_list<bpf_program*> programs,
                                        const char* tracepoint, const char* feature) {
      if (tracepoint_arguments(kernel_types.get(), tracepoint) >= 0)
        return;
      for (bpf_program* program : programs)
        bpf_program__set_autoload(program, false);
      notices_.push_back(
          fmt::format("{} are off: this kernel has no tracepoint {}", feature, tracepoint));
    };
    auto& progs = skeleton.progs;
    switch_off_without({progs.on_tcp_send_reset, progs.relay_tcp_send_reset}, "tcp_send_reset",
                       "reset-sent events");
    switch_off_without({progs.on_tcp_receive_reset, progs.relay_tcp_receive_reset},
                       "tcp_receive_reset", "reset-received events");
    switch_off_without({progs.on_tcp_retransmit_skb, progs.relay_tcp_retransmit_skb},
                       "tcp_retransmit_skb", "retransmit events");
    switch_off_without({progs.on_tcp_retransmit_synack}, "tcp_retransmit_synack",
                       "SYN-ACK retransmit events");
    switch_off_without({progs.on_tcp_destroy_sock, progs.relay_tcp_destroy_sock},
                       "tcp_destroy_sock", "transitions to CLOSE recovered as sockets are freed");
    skeleton.rodata->retransmit_error_argument =
        tracepoint_arguments(kernel_types.get(), "tcp_retransmit_skb") >= 3;
    configure_drop_programs(kernel_types.get(), skeleton);
  }

  // kfree_skb tells what the kernel drops, with a reason from Linux 5.17, and
  // from 6.11 with the socket that received it. Before 6.10, it also stands
  // in for tcp_send_reset, which does not report the RSTs that answer
  // segments no socket owned (a connect to a closed port): the drop of such a
  // segment, for reason NO_SOCKET, does.
  void configure_drop_programs(const btf* kernel_types, tcpsight_bpf& skeleton) {
    const int reset_arguments = tracepoint_arguments(kernel_types, "tcp_send_reset");
    const bool resets_lack_no_socket = reset_arguments >= 0 && reset_arguments < 3;
    const int drop_arguments = tracepoint_arguments(kernel_types, "kfree_skb");
    const bool drops_have_reasons = drop_arguments >= 3;
    const bool stand_in = options_.reset_events && resets_lack_no_socket;
    auto& rodata = *skeleton.rodata;
    rodata.resets_from_drops = stand_in && drops_have_reasons;
    rodata.drop_events = options_.drop_events && drops_have_reasons;
    const bool attach = rodata.resets_from_drops || rodata.drop_events;
    bpf_program__set_autoload(skeleton.progs.on_kfree_skb, attach && drop_arguments == 3);
    bpf_program__set_autoload(skeleton.progs.on_kfree_skb_rx_sk, attach && drop_arguments > 3);
    if (stand_in && !drops_have_reasons)
      notices_.push_back("RSTs answering segments no socket owned (a connect to a closed port) "
                         "are not shown: this kernel reports neither them nor why it drops "
                         "segments");
    if (options_.drop_events && !drops_have_reasons)
      notices_.push_back("drop events are off: this kernel does not say why it drops segments "
                         "(Linux 5.17 does)");
    if (rodata.drop_events)
      drop_reasons_ = read_drop_reasons(kernel_types);
  }

  const TracerOptions& options_;
  std::vector<std::string>& notices_;
  DropReasons& drop_reasons_;
};

} // namespace

struct Tracer::Impl {
  Handler handler;
  RecordTap tap;
  std::vector<std::string> notices;
  DropReasons drop_reasons;
  Skeleton skeleton;
  std::unique_ptr<ring_buffer, RingBufferDeleter> ring;
  std::uint64_t delivered = 0;
  std::uint64_t malformed = 0;

  static int on_record(void* context, void* data, std::size_t size) {
    auto* self = static_cast<Impl*>(context);
    const std::span<const std::byte> record{static_cast<const std::byte*>(data), size};
    if (is_connection_record(record))
      self->take_connection(record);
    else
      self->take_event(record);
    return 0;
  }

  void take_event(std::span<const std::byte> record) {
    auto result = decode_event(record);
    if (auto* event = std::get_if<Event>(&result)) {
      ++delivered;
      name_drop(*event, drop_reasons);
      if (tap)
        tap(record);
      handler(std::move(*event));
    } else {
      ++malformed;
    }
  }

  // Never tapped: the programs write connection records only for a
  // Tracer without a tap (see TracerOptions::connection_records).
  void take_connection(std::span<const std::byte> record) {
    auto result = decode_connection(record);
    if (auto* events = std::get_if<std::vector<Event>>(&result)) {
      ++delivered;
      for (auto& event : *events)
        handler(std::move(event));
    } else {
      ++malformed;
    }
  }

  // Sums each per-CPU counter; zeros if the map cannot be read.
  std::array<std::uint64_t, TCPSIGHT_COUNTER_MAX> read_counters() const {
    std::array<std::uint64_t, TCPSIGHT_COUNTER_MAX> totals{};
    const int cpus = libbpf_num_possible_cpus();
    if (cpus <= 0)
      return totals;
    std::vector<std::uint64_t> per_cpu(static_cast<std::size_t>(cpus));
    for (std::uint32_t key = 0; key < TCPSIGHT_COUNTER_MAX; ++key) {
      if (bpf_map__lookup_elem(skeleton->maps.counters, &key, sizeof key, per_cpu.data(),
                               per_cpu.size() * sizeof(std::uint64_t), 0) != 0)
        continue;
      for (auto value : per_cpu)
        totals[key] += value;
    }
    return totals;
  }

  // The kernel skips a tracing program that fires again on a CPU where it is
  // already running (a softirq transition interrupting one in process
  // context) and only counts the miss. A main program's misses are its
  // relay's work (see tcpsight.bpf.c); what the relays did not take over is
  // lost.
  std::uint64_t unrelayed_misses(std::uint64_t relayed) const {
    const auto& p = skeleton->progs;
    const std::uint64_t relayable =
        misses_of({p.on_inet_sock_set_state, p.on_tcp_send_reset, p.on_tcp_receive_reset,
                   p.on_tcp_retransmit_skb, p.on_tcp_destroy_sock});
    // Not on_kfree_skb: it runs for every dropped packet, and almost all of
    // the misses it might have would be drops of no interest.
    return (relayable > relayed ? relayable - relayed : 0) +
           misses_of({p.on_tcp_retransmit_synack});
  }

  static std::uint64_t misses_of(std::initializer_list<bpf_program*> programs) {
    std::uint64_t misses = 0;
    for (bpf_program* program : programs) {
      const int fd = bpf_program__fd(program);
      bpf_prog_info info{};
      __u32 length = sizeof info;
      if (fd >= 0 && bpf_obj_get_info_by_fd(fd, &info, &length) == 0)
        misses += info.recursion_misses;
    }
    return misses;
  }
};

Tracer::Tracer(const TracerOptions& options, Handler handler, RecordTap tap)
    : impl_(std::make_unique<Impl>()) {
  if (options.connection_records && (tap || !options.filter.states.empty()))
    throw std::logic_error("connection records: the whole connection is written, not events to "
                           "record or filter by state");
  impl_->handler = std::move(handler);
  impl_->tap = std::move(tap);
  show_libbpf_diagnostics(options.libbpf_diagnostics);
  impl_->skeleton = Loader(options, impl_->notices, impl_->drop_reasons).load();

  if (int err = tcpsight_bpf::attach(impl_->skeleton.get()))
    throw Error(fmt::format("cannot attach to the TCP tracepoints: {}", errno_text(err)));

  impl_->ring.reset(ring_buffer__new(bpf_map__fd(impl_->skeleton->maps.events), Impl::on_record,
                                     impl_.get(), nullptr));
  if (!impl_->ring)
    throw Error(fmt::format("cannot open the BPF ring buffer: {}", errno_text(errno)));
}

Tracer::~Tracer() = default;

const std::vector<std::string>& Tracer::notices() const { return impl_->notices; }

const DropReasons& Tracer::drop_reasons() const { return impl_->drop_reasons; }

int Tracer::poll(std::chrono::milliseconds timeout) {
  // The kernel wakes us only once enough records wait (see wakeup_bytes), so
  // after a quiet wait the ring may still hold some: read them as well.
  int handled = ring_buffer__poll(impl_->ring.get(), static_cast<int>(timeout.count()));
  if (handled == 0 || handled == -EINTR)
    handled = ring_buffer__consume(impl_->ring.get());
  if (handled < 0)
    throw Error(fmt::format("reading the BPF ring buffer failed: {}", errno_text(handled)));
  return handled;
}

int Tracer::drain() {
  const int handled = ring_buffer__consume(impl_->ring.get());
  if (handled < 0)
    throw Error(fmt::format("reading the BPF ring buffer failed: {}", errno_text(handled)));
  return handled;
}

bool Tracer::ids_are_socket_cookies() const { return impl_->skeleton->rodata->use_socket_cookie; }

void Tracer::detach() {
  // tcp_destroy_sock first: once the transitions are no longer traced, it
  // would take every socket that closes meanwhile for one whose close was
  // lost, and recover it.
  auto& links = impl_->skeleton->links;
  for (bpf_link** link : {&links.on_tcp_destroy_sock, &links.relay_tcp_destroy_sock}) {
    bpf_link__destroy(*link);
    *link = nullptr;
  }
  tcpsight_bpf::detach(impl_->skeleton.get());
}

void Tracer::seed_listener_owner(std::uint32_t netns, std::uint16_t port, std::uint64_t cookie,
                                 const Owner& owner) {
  const tcpsight_listener_key key{.netns = netns, .port = port};
  tcpsight_listener value{
      .owner = {.cgroup_id = owner.cgroup_id, .pid = owner.pid, .uid = owner.uid},
      .cookie = cookie};
  std::memcpy(value.owner.comm, owner.comm.data(),
              std::min(owner.comm.size(), sizeof value.owner.comm - 1));
  // A listener that listen() already reported keeps its entry. A full map
  // (16,384 listeners) leaves the rest to learn their owner at accept().
  bpf_map__update_elem(impl_->skeleton->maps.listeners, &key, sizeof key, &value, sizeof value,
                       BPF_NOEXIST);
}

TracerStats Tracer::stats() const {
  const auto counters = impl_->read_counters();
  const auto relayed = counters[TCPSIGHT_COUNTER_RELAYED];
  return {.filtered = counters[TCPSIGHT_COUNTER_FILTERED],
          .lost = counters[TCPSIGHT_COUNTER_LOST] + impl_->unrelayed_misses(relayed),
          .relayed = relayed,
          .delivered = impl_->delivered,
          .malformed = impl_->malformed};
}

} // namespace tcpsight
