#pragma once

namespace tcpsight {

// libbpf's own messages, on stderr when shown (-v). Hidden otherwise: every
// failure already ends in one tcpsight::Error that says what to do, and
// libbpf's lines before it would only bury it. main() hides them first.
void show_libbpf_diagnostics(bool shown);

} // namespace tcpsight
