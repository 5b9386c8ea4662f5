#pragma once

namespace tcpsight {

// Started with standard input, output or error closed (`tcpsight trace >&-`),
// the next file opened would take its number: a recording, a BPF map or a
// database would then receive what is printed. So each closed one of fds
// 0-2 gets /dev/null opened read-only onto it, which keeps the number taken
// and makes every write to it fail with EBADF, reported as a closed output
// (OutputWriter). main() calls it first.
void occupy_closed_standard_fds();

} // namespace tcpsight
