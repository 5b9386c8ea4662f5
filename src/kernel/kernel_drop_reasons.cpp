#include "tcpsight/kernel/kernel_drop_reasons.hpp"

#include <bpf/btf.h>

#include <memory>

namespace tcpsight {

DropReasons read_drop_reasons(const btf* kernel_types) {
  DropReasons reasons;
  if (!kernel_types)
    return reasons;
  const int id = btf__find_by_name_kind(kernel_types, "skb_drop_reason", BTF_KIND_ENUM);
  if (id < 0)
    return reasons;
  const btf_type* type = btf__type_by_id(kernel_types, id);
  const auto* values = btf_enum(type);
  for (int i = 0; i < btf_vlen(type); ++i) {
    const char* name = btf__name_by_offset(kernel_types, values[i].name_off);
    if (name && values[i].val >= 0)
      reasons.add(static_cast<std::uint32_t>(values[i].val), name);
  }
  return reasons;
}

DropReasons running_kernel_drop_reasons() {
  const std::unique_ptr<btf, decltype(&btf__free)> types(btf__load_vmlinux_btf(), &btf__free);
  return read_drop_reasons(types.get());
}

} // namespace tcpsight
