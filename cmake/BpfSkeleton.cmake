# Compiles one bpf/<name>.bpf.c with clang against the committed
# vmlinux/<arch>/vmlinux.h and generates <name>.skel.h with bpftool.
#
#   tcpsight_add_bpf_skeleton(<target> <source.bpf.c>)
#
# <target> is an INTERFACE library: link it to get the skeleton header on the
# include path (as "<name>.skel.h") and the build order right.

find_program(BPF_CLANG NAMES clang clang-14 REQUIRED)
find_program(BPFTOOL NAMES bpftool PATHS /usr/sbin /usr/local/sbin REQUIRED)

function(tcpsight_bpf_arch out_var)
  set(processor "${CMAKE_SYSTEM_PROCESSOR}")
  if(processor MATCHES "^(x86_64|AMD64|amd64)$")
    set(arch x86)
  elseif(processor MATCHES "^(aarch64|arm64)$")
    set(arch arm64)
  elseif(processor MATCHES "^(ppc64le|powerpc64le)$")
    set(arch powerpc)
  elseif(processor MATCHES "^s390x$")
    set(arch s390)
  elseif(processor MATCHES "^riscv64$")
    set(arch riscv)
  else()
    message(FATAL_ERROR "tcpsight: no BPF target for processor '${processor}'")
  endif()
  set(${out_var} ${arch} PARENT_SCOPE)
endfunction()

function(tcpsight_add_bpf_skeleton target source)
  tcpsight_bpf_arch(arch)
  set(vmlinux_dir "${PROJECT_SOURCE_DIR}/vmlinux/${arch}")
  if(NOT EXISTS "${vmlinux_dir}/vmlinux.h")
    message(FATAL_ERROR
      "tcpsight: there is no vmlinux/${arch}/vmlinux.h yet. On a ${arch} machine "
      "whose kernel has BTF, run\n"
      "  bpftool btf dump file /sys/kernel/btf/vmlinux format c > vmlinux/${arch}/vmlinux.h\n"
      "and commit the file.")
  endif()

  get_filename_component(source "${source}" ABSOLUTE)
  get_filename_component(source_dir "${source}" DIRECTORY)
  get_filename_component(file_name "${source}" NAME)
  string(REGEX REPLACE "\\.bpf\\.c$" "" name "${file_name}")

  set(out_dir "${CMAKE_CURRENT_BINARY_DIR}/bpf")
  set(object "${out_dir}/${name}.bpf.o")
  set(linked "${out_dir}/${name}.linked.bpf.o")
  set(skeleton "${out_dir}/${name}.skel.h")
  file(GLOB bpf_headers "${source_dir}/*.h")

  add_custom_command(
    OUTPUT "${object}"
    COMMAND ${CMAKE_COMMAND} -E make_directory "${out_dir}"
    # The source path relative to the tree, so that the embedded BTF names no
    # directory of the build machine.
    COMMAND ${BPF_CLANG} -g -O2 -Wall -Werror -target bpf -D__TARGET_ARCH_${arch}
            -ffile-prefix-map=${PROJECT_SOURCE_DIR}=. -I "${vmlinux_dir}" -I "${source_dir}"
            -c "${source}" -o "${object}"
    DEPENDS "${source}" ${bpf_headers} "${vmlinux_dir}/vmlinux.h"
    COMMENT "BPF ${file_name}"
    VERBATIM)
  # bpftool gen object drops the DWARF sections the skeleton does not need.
  add_custom_command(
    OUTPUT "${skeleton}"
    COMMAND ${BPFTOOL} gen object "${linked}" "${object}"
    COMMAND ${BPFTOOL} gen skeleton "${linked}" name ${name}_bpf > "${skeleton}"
    DEPENDS "${object}"
    COMMENT "BPF skeleton ${name}.skel.h"
    VERBATIM)

  add_custom_target(${target}_generate DEPENDS "${skeleton}")
  add_library(${target} INTERFACE)
  add_dependencies(${target} ${target}_generate)
  target_include_directories(${target} INTERFACE "${out_dir}" "${source_dir}")
endfunction()
