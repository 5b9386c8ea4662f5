#include "tcpsight/kernel/libbpf_diagnostics.hpp"

#include <bpf/libbpf.h>

#include <cstdarg>
#include <cstdio>

namespace tcpsight {
namespace {

int silent_libbpf_print(libbpf_print_level, const char*, va_list) { return 0; }

int stderr_libbpf_print(libbpf_print_level, const char* format, va_list args) {
  return std::vfprintf(stderr, format, args);
}

} // namespace

void show_libbpf_diagnostics(bool shown) {
  libbpf_set_print(shown ? stderr_libbpf_print : silent_libbpf_print);
}

} // namespace tcpsight
