#include "tcpsight/tracer.hpp"

#include "tcpsight/decode.hpp"
#include "tcpsight/error.hpp"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fmt/format.h>
#include <vector>

#include "tcpsight.skel.h"

namespace tcpsight {
namespace {

std::string errno_text(int error) { return std::strerror(error < 0 ? -error : error); }

// Every failure here becomes one tcpsight::Error, so libbpf's own lines are
// shown only when asked for.
int silent_libbpf_print(libbpf_print_level, const char*, va_list) { return 0; }

int stderr_libbpf_print(libbpf_print_level, const char* format, va_list args) {
  return std::vfprintf(stderr, format, args);
}

struct SkeletonDeleter {
  void operator()(tcpsight_bpf* skeleton) const { tcpsight_bpf::destroy(skeleton); }
};

struct RingBufferDeleter {
  void operator()(ring_buffer* ring) const { ring_buffer__free(ring); }
};

} // namespace

struct Tracer::Impl {
  Handler handler;
  std::unique_ptr<tcpsight_bpf, SkeletonDeleter> skeleton;
  std::unique_ptr<ring_buffer, RingBufferDeleter> ring;
  TracerStats stats;

  static int on_record(void* context, void* data, std::size_t size) {
    auto* self = static_cast<Impl*>(context);
    auto result = decode_event({static_cast<const std::byte*>(data), size});
    if (auto* transition = std::get_if<Transition>(&result)) {
      ++self->stats.transitions;
      self->handler(*transition);
    } else {
      ++self->stats.malformed;
    }
    return 0;
  }

  std::uint64_t read_lost_events() const {
    const int cpus = libbpf_num_possible_cpus();
    if (cpus <= 0)
      return stats.lost;
    std::vector<std::uint64_t> per_cpu(static_cast<std::size_t>(cpus));
    const std::uint32_t key = 0;
    if (bpf_map__lookup_elem(skeleton->maps.lost_events, &key, sizeof key, per_cpu.data(),
                             per_cpu.size() * sizeof(std::uint64_t), 0) != 0)
      return stats.lost;
    std::uint64_t total = 0;
    for (auto lost : per_cpu)
      total += lost;
    return total;
  }
};

Tracer::Tracer(const TracerOptions& options, Handler handler) : impl_(std::make_unique<Impl>()) {
  impl_->handler = std::move(handler);
  libbpf_set_print(options.libbpf_diagnostics ? stderr_libbpf_print : silent_libbpf_print);

  impl_->skeleton.reset(tcpsight_bpf::open());
  if (!impl_->skeleton)
    throw Error(fmt::format("cannot open the BPF programs: {}", errno_text(errno)));

  if (int err = bpf_map__set_max_entries(impl_->skeleton->maps.events,
                                         static_cast<__u32>(options.ring_buffer_bytes)))
    throw Error(fmt::format("cannot size the ring buffer to {} bytes: {}",
                            options.ring_buffer_bytes, errno_text(err)));

  if (int err = tcpsight_bpf::load(impl_->skeleton.get()))
    throw Error(fmt::format("the kernel refused tcpsight's BPF programs ({}): tcpsight needs "
                            "Linux 5.8+ with BTF, and CAP_BPF and CAP_PERFMON",
                            errno_text(err)));

  if (int err = tcpsight_bpf::attach(impl_->skeleton.get()))
    throw Error(fmt::format("cannot attach to the tracepoint sock:inet_sock_set_state: {}",
                            errno_text(err)));

  impl_->ring.reset(ring_buffer__new(bpf_map__fd(impl_->skeleton->maps.events), Impl::on_record,
                                     impl_.get(), nullptr));
  if (!impl_->ring)
    throw Error(fmt::format("cannot open the BPF ring buffer: {}", errno_text(errno)));
}

Tracer::~Tracer() = default;

int Tracer::poll(std::chrono::milliseconds timeout) {
  const int handled = ring_buffer__poll(impl_->ring.get(), static_cast<int>(timeout.count()));
  if (handled == -EINTR)
    return 0;
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

void Tracer::detach() { tcpsight_bpf::detach(impl_->skeleton.get()); }

TracerStats Tracer::stats() const {
  TracerStats stats = impl_->stats;
  stats.lost = impl_->read_lost_events();
  return stats;
}

} // namespace tcpsight
