#pragma once

#include "tcpsight/model/drop_reasons.hpp"

struct btf;

namespace tcpsight {

// The names of enum skb_drop_reason in these kernel types (vmlinux BTF);
// empty if they have no such enum.
DropReasons read_drop_reasons(const btf* kernel_types);

// The same for the running kernel.
DropReasons running_kernel_drop_reasons();

} // namespace tcpsight
