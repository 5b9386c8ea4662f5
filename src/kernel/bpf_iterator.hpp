#pragma once

// Running a loaded BPF iterator program and reading the fixed-size records
// it writes, shared by the socket-owner and socket-table iterators.

#include "tcpsight/model/error.hpp"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fmt/format.h>
#include <memory>

namespace tcpsight::detail {

struct LinkDeleter {
  void operator()(bpf_link* link) const { bpf_link__destroy(link); }
};

// Attaches program, runs the iterator once and hands each Record to
// on_record as it is read. Throws tcpsight::Error when it cannot start.
template <typename Record, typename OnRecord>
void read_bpf_iterator(bpf_program* program, OnRecord on_record) {
  const auto fail = [&](const char* step) {
    return Error(fmt::format("the {} iterator failed to {}: {}", bpf_program__name(program), step,
                             std::strerror(errno)));
  };
  std::unique_ptr<bpf_link, LinkDeleter> link(bpf_program__attach_iter(program, nullptr));
  if (!link)
    throw fail("attach");
  struct FdCloser {
    int fd;
    ~FdCloser() { close(fd); }
  };
  const FdCloser iterator{bpf_iter_create(bpf_link__fd(link.get()))};
  if (iterator.fd < 0)
    throw fail("start");
  // The kernel writes whole records per read; keep a partial one anyway.
  char chunk[1 << 16];
  std::size_t held = 0;
  for (;;) {
    const auto got = read(iterator.fd, chunk + held, sizeof chunk - held);
    if (got < 0 && errno == EINTR)
      continue;
    if (got < 0) // a listing cut short must not pass for a whole one
      throw fail("read");
    if (got == 0)
      break;
    const std::size_t available = held + static_cast<std::size_t>(got);
    std::size_t offset = 0;
    for (; offset + sizeof(Record) <= available; offset += sizeof(Record)) {
      Record record;
      std::memcpy(&record, chunk + offset, sizeof record);
      on_record(record);
    }
    held = available - offset;
    std::memmove(chunk, chunk + offset, held);
  }
}

} // namespace tcpsight::detail
