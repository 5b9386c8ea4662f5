#!/bin/bash
# Runs the privileged integration suite of a tcpsight build inside a VM that
# boots a Debian kernel other than the host's.
#
#   tests/vm/run-kernel.sh SERIES BUILD_DIR
#
# SERIES: 6.1 or 6.12 (Debian's generic amd64 kernels), 6.1-cloud or
# 6.12-cloud (the cloud-amd64 flavours). The newest Debian package of that
# series is downloaded (never installed: nothing in the host's /boot or
# /lib/modules changes), a small busybox initramfs mounts the host's root
# file system read-only with a tmpfs overlay on top, and the guest runs
# BUILD_DIR/tests/tcpsight_integration_tests from the same paths as here.
#
# Exit status: 0 when every test ran and passed; the suite's status (or 1)
# when tests failed or were skipped, or when the VM never finished (panic,
# hang, timeout: the last line says which); 77 when not root (a skip for
# ctest); 2 for a usage error.
#
# Environment:
#   TCPSIGHT_VM_CACHE         kernels and initramfs images (/var/cache/tcpsight-vm)
#   TCPSIGHT_VM_LOG_DIR       console.log, suite.log, gtest.xml
#                             (BUILD_DIR/vm-logs/SERIES)
#   TCPSIGHT_VM_TIMEOUT       seconds for the whole VM run (1500)
#   TCPSIGHT_VM_ACCEL         tcg (default) or kvm
#   TCPSIGHT_VM_TCG_THREAD    multi or single (the default depends on SERIES)
#   TCPSIGHT_VM_GTEST_FILTER  a --gtest_filter for the guest, for debugging
#   TCPSIGHT_VM_APPEND        more kernel command line (e.g. loglevel=8)
#   LANG, TERM                passed on to the suite in the guest, which
#                             always runs with CI=true (a skip is a failure)
#
# Host packages (Debian): qemu-system-x86, busybox-static, cpio, kmod, and
# xz-utils for kernels with compressed modules.
#
# QEMU options are comma-separated lists inside one argument:
# shellcheck disable=SC2054
set -euo pipefail
# Everything below is in functions and main runs last, so that bash has read
# the whole file before it runs any of it: editing this script while a VM
# runs cannot change what the running copy does.

me=$(basename "$0")
script_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)

say() { printf '%s: %s\n' "$me" "$*"; }
die() {
  say "$*" >&2
  exit 1
}
usage() {
  echo "usage: $me SERIES BUILD_DIR   (SERIES: 6.1, 6.12, 6.1-cloud, 6.12-cloud)" >&2
  exit 2
}

# Microseconds since the epoch, without forking.
now_us() {
  local t=$EPOCHREALTIME
  echo $((10#${t/./}))
}
seconds_since() { # START_US [END_US]
  local end=${2:-$(now_us)}
  local d=$((end - $1))
  printf '%d.%01d' $((d / 1000000)) $((d % 1000000 / 100000))
}

# Single-quoted for a POSIX shell (busybox sources the parameters file).
quote() {
  local s=${1//\'/\'\\\'\'}
  printf "'%s'" "$s"
}

# --- what each series means ---------------------------------------------------
# The package name pattern, how the guest reaches the host's root (the cloud
# kernels have no 9p), and which TCG threading the kernel survives.
configure_series() {
  case "$series" in
    6.1)
      package_prefix=linux-image-6.1.0-
      package_regex='^linux-image-6\.1\.0-[0-9]+-amd64$'
      root_fs=9p
      default_tcg_thread=multi
      ;;
    6.12)
      package_prefix=linux-image-6.12.
      package_regex='^linux-image-6\.12\.[0-9]+\+deb12-amd64$'
      root_fs=9p
      # See 6.12-cloud: the same code, so the same caution.
      default_tcg_thread=single
      ;;
    6.1-cloud)
      package_prefix=linux-image-6.1.0-
      package_regex='^linux-image-6\.1\.0-[0-9]+-cloud-amd64$'
      root_fs=virtiofs
      default_tcg_thread=multi
      ;;
    6.12-cloud)
      package_prefix=linux-image-6.12.
      package_regex='^linux-image-6\.12\.[0-9]+\+deb12-cloud-amd64$'
      root_fs=virtiofs
      # Under multi-threaded TCG this kernel has oopsed with "int3" in code
      # being patched at run time (static keys flip when BPF programs
      # attach), not on every run. One TCG thread avoids it and, this suite
      # being mostly waiting, took no longer.
      default_tcg_thread=single
      ;;
    *) usage ;;
  esac
}

# --- the host -------------------------------------------------------------------
need() { # COMMAND DEBIAN_PACKAGE
  command -v "$1" >/dev/null 2>&1 ||
    die "missing $1: install the Debian package $2 (apt-get install $2)"
}

check_host() {
  need qemu-system-x86_64 qemu-system-x86
  need cpio cpio
  need depmod kmod
  need modprobe kmod
  need apt-get apt
  need dpkg-deb dpkg
  need flock util-linux
  need timeout coreutils
  # The initramfs needs a static busybox: the busybox package's dynamic one
  # would need the host's libc in the initramfs too.
  busybox_bin=/bin/busybox
  local status
  status=$(dpkg-query -W -f='${Status}' busybox-static 2>/dev/null || true)
  if [[ $status != *"ok installed"* || ! -x $busybox_bin ]]; then
    die "missing static busybox: install the Debian package busybox-static (apt-get install busybox-static)"
  fi
  if [[ $root_fs == virtiofs ]]; then
    virtiofsd_bin=/usr/lib/qemu/virtiofsd
    [[ -x $virtiofsd_bin ]] ||
      die "missing $virtiofsd_bin: install the Debian package qemu-system-common"
  fi
}

read_settings() {
  [[ -d $build_dir_arg ]] || die "no build directory $build_dir_arg"
  build_dir=$(cd "$build_dir_arg" && pwd -P)
  [[ -x $build_dir/tests/tcpsight_integration_tests ]] ||
    die "no $build_dir/tests/tcpsight_integration_tests: build the project first"

  # The guest runs these from the shared host root, at the same paths.
  init_script=$script_dir/initramfs-init
  guest_script=$script_dir/guest-run.sh
  [[ -f $init_script && -x $guest_script ]] ||
    die "initramfs-init or an executable guest-run.sh is missing beside $me"

  cache_dir=${TCPSIGHT_VM_CACHE:-/var/cache/tcpsight-vm}
  log_dir=${TCPSIGHT_VM_LOG_DIR:-$build_dir/vm-logs/$series}
  timeout_s=${TCPSIGHT_VM_TIMEOUT:-1500}
  accel=${TCPSIGHT_VM_ACCEL:-tcg}
  tcg_thread=${TCPSIGHT_VM_TCG_THREAD:-$default_tcg_thread}
  [[ $timeout_s =~ ^[0-9]+$ ]] || die "TCPSIGHT_VM_TIMEOUT must be a number of seconds"
  case "$accel" in
    tcg)
      [[ $tcg_thread == multi || $tcg_thread == single ]] ||
        die "TCPSIGHT_VM_TCG_THREAD must be multi or single"
      accel_desc="TCG (thread=$tcg_thread), no KVM"
      ;;
    kvm)
      [[ -w /dev/kvm ]] || die "TCPSIGHT_VM_ACCEL=kvm but /dev/kvm is not usable"
      accel_desc=KVM
      ;;
    *) die "TCPSIGHT_VM_ACCEL must be tcg or kvm" ;;
  esac
  mkdir -p "$cache_dir" "$log_dir"
  cache_dir=$(cd "$cache_dir" && pwd -P)
  log_dir=$(cd "$log_dir" && pwd -P)
}

# --- the kernel package ----------------------------------------------------------
# The newest matching package with a download candidate (apt-cache pkgnames
# also lists names that nothing provides any more).
newest_package() {
  local name policy
  while read -r name; do
    # Not "apt-cache policy | grep -q": grep's early exit would be a
    # SIGPIPE failure under pipefail.
    policy=$(apt-cache policy "$name" 2>/dev/null || true)
    if [[ $policy =~ Candidate:\ [^\(] ]]; then
      echo "$name"
      return 0
    fi
  done < <(apt-cache pkgnames "$package_prefix" 2>/dev/null | grep -E "$package_regex" | sort -V -r)
  return 1
}

# The newest package apt knows, or the newest after an apt-get update when
# that one is not in the cache yet: stale lists may name a package the
# archive no longer has.
choose_package() {
  if package=$(newest_package) && [[ -e $cache_dir/${package#linux-image-}/root/.ready ]]; then
    set_package_paths
    return
  fi
  say "refreshing the package lists (apt-get update) before a download"
  apt-get update -qq >&2 || die "apt-get update failed"
  package=$(newest_package) || die "no Debian package matches $package_regex"
  set_package_paths
}

set_package_paths() {
  kernel_release=${package#linux-image-}
  package_version=$(apt-cache policy "$package" | sed -n 's/^ *Candidate: //p')
  kernel_cache=$cache_dir/$kernel_release
  kernel_root=$kernel_cache/root
  vmlinuz=$kernel_root/boot/vmlinuz-$kernel_release
}

# Downloads and unpacks the package once; later runs reuse it.
prepare_kernel() {
  [[ -e $kernel_root/.ready ]] && return 0
  local start deb
  start=$(now_us)
  say "downloading $package $package_version"
  rm -rf "$kernel_root" "$kernel_root.tmp" "$kernel_cache/download"
  mkdir -p "$kernel_cache/download" "$kernel_root.tmp"
  # As root, apt-get download drops to the _apt user, who may not be
  # allowed to write into the cache.
  (cd "$kernel_cache/download" &&
    apt-get download -q -o APT::Sandbox::User=root "$package=$package_version" >&2) ||
    die "apt-get download $package=$package_version failed"
  say "downloaded in $(seconds_since "$start") s"
  deb=$(echo "$kernel_cache"/download/*.deb)
  dpkg-deb -x "$deb" "$kernel_root.tmp"
  # Packages put modules in /lib/modules or /usr/lib/modules; depmod -b and
  # the guest both look in lib/modules.
  if [[ ! -d $kernel_root.tmp/lib/modules && -d $kernel_root.tmp/usr/lib/modules ]]; then
    ln -s usr/lib "$kernel_root.tmp/lib"
  fi
  [[ -d $kernel_root.tmp/lib/modules/$kernel_release ]] ||
    die "$package has no lib/modules/$kernel_release"
  [[ -f $kernel_root.tmp/boot/vmlinuz-$kernel_release ]] ||
    die "$package has no boot/vmlinuz-$kernel_release"
  # The .deb ships no modules.dep (its maintainer scripts make it on
  # install): without one, modprobe in the guest finds nothing.
  depmod -b "$kernel_root.tmp" "$kernel_release"
  mv "$kernel_root.tmp" "$kernel_root"
  rm -rf "$kernel_cache/download"
  touch "$kernel_root/.ready"
  say "unpacked, modules.dep made: $(seconds_since "$start") s in all"
}

# --- the initramfs -----------------------------------------------------------------
decompress_module() { # SOURCE DEST
  case "$1" in
    *.ko) cp "$1" "$2" ;;
    *.ko.xz)
      need xz xz-utils
      xz -dc "$1" >"$2"
      ;;
    *.ko.zst)
      need zstd zstd
      zstd -qdc "$1" >"$2"
      ;;
    *.ko.gz) gzip -dc "$1" >"$2" ;;
    *) die "unknown kind of module file: $1" ;;
  esac
}

# Busybox, /init, and the guest kernel's own modules that mounting the host's
# root needs, decompressed (busybox's insmod may not read .ko.xz), in the
# order modules.dep gives; built-in ones are left out.
build_initramfs() { # OUTPUT
  local staging module deps verb path name
  local -A seen=()
  staging=$(mktemp -d "$kernel_cache/initramfs.XXXXXX")
  mkdir -p "$staging"/{bin,dev,proc,sys,modules}
  cp "$busybox_bin" "$staging/bin/busybox"
  cp "$init_script" "$staging/init"
  chmod 0755 "$staging/init" "$staging/bin/busybox"
  # The kernel opens /dev/console for init before anything is mounted.
  mknod -m 0600 "$staging/dev/console" c 5 1
  : >"$staging/modules/load-order"
  for module in "${initramfs_modules[@]}"; do
    # "insmod PATH" lines in load order; "builtin NAME" for built-in ones.
    deps=$(modprobe -d "$kernel_root" -S "$kernel_release" --show-depends "$module" 2>&1) ||
      die "kernel $kernel_release has no module $module, nor is it built in: $deps"
    while read -r verb path _; do
      [[ $verb == insmod ]] || continue
      name=$(basename "$path")
      name=${name%.xz}
      name=${name%.zst}
      name=${name%.gz}
      [[ -z ${seen[$name]:-} ]] || continue
      seen[$name]=1
      decompress_module "$path" "$staging/modules/$name"
      echo "$name" >>"$staging/modules/load-order"
    done <<<"$deps"
  done
  (cd "$staging" && find . -print0 | LC_ALL=C sort -z |
    cpio --null -o -H newc -R 0:0 --quiet) >"$1.tmp"
  mv "$1.tmp" "$1"
  say "initramfs $(basename "$1") built, modules: $(tr '\n' ' ' <"$staging/modules/load-order")"
  rm -rf "$staging"
}

prepare_initramfs() {
  if [[ $root_fs == 9p ]]; then
    initramfs_modules=(virtio_pci 9pnet_virtio 9p overlay)
  else
    initramfs_modules=(virtio_pci virtiofs overlay)
  fi
  # The cache key covers all that goes into the image, the code that builds
  # it included.
  local key
  key=$(
    {
      sha256sum "$init_script" "$busybox_bin"
      echo "${initramfs_modules[*]}"
      declare -f build_initramfs decompress_module
    } | sha256sum | cut -c1-16
  )
  initramfs=$kernel_cache/initramfs-$key.cpio
  [[ -f $initramfs ]] || build_initramfs "$initramfs"
}

# --- this run ---------------------------------------------------------------------------
# shellcheck disable=SC2317  # (the EXIT trap calls it)
cleanup() {
  local pid
  for pid in ${qemu_pid:-} "${virtiofsd_pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  rm -rf "$run_dir"
}

# The cached initramfs plus a small cpio with this run's parameters: the
# kernel unpacks concatenated archives one after the other.
write_initrd() {
  # A token per run, so that only this guest's sentinel counts (not, say,
  # a test printing this script's text).
  token=$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')
  {
    echo "TCPSIGHT_VM_TOKEN=$(quote "$token")"
    echo "TCPSIGHT_VM_BUILD_DIR=$(quote "$build_dir")"
    echo "TCPSIGHT_VM_GUEST_SCRIPT=$(quote "$guest_script")"
    echo "TCPSIGHT_VM_KERNEL_ROOT=$(quote "$kernel_root")"
    echo "TCPSIGHT_VM_GTEST_FILTER=$(quote "${TCPSIGHT_VM_GTEST_FILTER:-}")"
    echo "TCPSIGHT_VM_ROOT_FS=$(quote "$root_fs")"
    echo "TCPSIGHT_VM_LANG=$(quote "${LANG:-}")"
    echo "TCPSIGHT_VM_TERM=$(quote "${TERM:-}")"
  } >"$run_dir/tcpsight-vm.params"
  (cd "$run_dir" && echo tcpsight-vm.params | cpio -o -H newc -R 0:0 --quiet) >"$run_dir/params.cpio"
  cat "$initramfs" "$run_dir/params.cpio" >"$run_dir/initrd"
}

start_virtiofsd() { # NAME SOURCE CACHE_MODE
  "$virtiofsd_bin" --socket-path="$run_dir/$1.sock" -o source="$2" -o cache="$3" \
    -o sandbox=chroot -o log_level=warn >"$run_dir/virtiofsd-$1.log" 2>&1 &
  virtiofsd_pids+=($!)
  local _
  for _ in $(seq 100); do
    [[ -S $run_dir/$1.sock ]] && return 0
    sleep 0.1
  done
  die "virtiofsd for $2 did not start: $(cat "$run_dir/virtiofsd-$1.log")"
}

qemu_command() {
  qemu=(qemu-system-x86_64 -nographic -no-reboot -smp 2 -m 4G -nic none)
  if [[ $accel == tcg ]]; then
    # la57=off: 4-level paging, as on the machines these kernels run on.
    qemu+=(-accel "tcg,thread=$tcg_thread" -cpu max,la57=off)
  else
    qemu+=(-accel kvm -cpu host)
  fi
  # panic=-1 reboots at once on a panic and -no-reboot makes that QEMU's
  # exit. loglevel=5 keeps the kernel's notices off the console; warnings,
  # oopses and panics still show.
  qemu+=(-kernel "$vmlinuz" -initrd "$run_dir/initrd"
    -append "console=ttyS0 panic=-1 loglevel=5 ${TCPSIGHT_VM_APPEND:-}")
  # Two shares: the host's root, read-only, and the log directory, where
  # the guest writes the suite's log and XML report.
  if [[ $root_fs == 9p ]]; then
    qemu+=(-virtfs "local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap"
      -virtfs "local,path=$log_dir,mount_tag=results,security_model=none,multidevs=remap")
  else
    # vhost-user needs the guest's memory in a file virtiofsd can map.
    # cache=always for the root: nothing changes it while the guest runs,
    # and every exec and library load otherwise asks virtiofsd again.
    start_virtiofsd root / always
    start_virtiofsd results "$log_dir" auto
    qemu+=(-object memory-backend-memfd,id=mem,size=4G,share=on -numa node,memdev=mem
      -chardev "socket,id=rootfs,path=$run_dir/root.sock"
      -device vhost-user-fs-pci,chardev=rootfs,tag=hostroot
      -chardev "socket,id=resultsfs,path=$run_dir/results.sock"
      -device vhost-user-fs-pci,chardev=resultsfs,tag=results)
  fi
}

# Streams the console line by line to stdout (ctest shows it) and to the
# log, and notes when the guest's markers go by. QEMU runs in this process
# group (timeout --foreground), so Ctrl-C reaches it too, and cleanup kills
# it on any other way out; it does not inherit the lock on the log directory.
run_vm() {
  boot_start=$(now_us)
  suite_start=
  suite_end=
  sentinel_status=
  local line console
  shopt -s extglob
  exec 3>"$console_log"
  exec {console}< <(exec 8>&- && exec timeout --foreground --kill-after=10 "$timeout_s" \
    "${qemu[@]}" </dev/null 2>&1)
  qemu_pid=$!
  while IFS= read -r -u "$console" line || [[ -n $line ]]; do
    line=${line%$'\r'}
    # SeaBIOS and the early kernel clear the screen and turn line wrap
    # off: escapes that would do the same to the terminal running this.
    line=${line//$'\e'[\[]*([0-9;?])[A-Za-z]/}
    line=${line//$'\e'c/}
    printf '%s\n' "$line"
    printf '%s\n' "$line" >&3
    if [[ -z $suite_start && $line == *"tcpsight-vm: suite start token=$token"* ]]; then
      suite_start=$(now_us)
    elif [[ $line =~ TCPSIGHT_VM_DONE\ token=$token\ status=([0-9]+) ]]; then
      sentinel_status=${BASH_REMATCH[1]}
      suite_end=$(now_us)
    fi
  done
  exec {console}<&- 3>&-
  qemu_status=0
  wait "$qemu_pid" || qemu_status=$?
  qemu_pid=
  vm_end=$(now_us)
}

# --- the verdict -----------------------------------------------------------------------
# Why there is no sentinel, on one line.
no_sentinel_reason() {
  local reason last_test
  if [[ $qemu_status -eq 124 || $qemu_status -eq 137 ]]; then
    if [[ -z $suite_start ]]; then
      echo "timed out after $timeout_s s while booting"
    else
      last_test=$(grep -a '^\[ RUN      \]' "$console_log" | tail -n1 | cut -c14-)
      echo "timed out after $timeout_s s in the suite (last test started: ${last_test:-none})"
    fi
    return
  fi
  reason=$(grep -a -m1 -E 'tcpsight-vm: (init|guest setup) failed' "$console_log" || true)
  if [[ -n $reason ]]; then
    echo "${reason#*tcpsight-vm: }"
  elif reason=$(grep -a -m1 'Kernel panic' "$console_log"); then
    echo "kernel panic: ${reason#*Kernel panic - }"
  elif reason=$(grep -a -m1 -E 'BUG:|Oops|general protection fault' "$console_log"); then
    echo "kernel oops, then the guest stopped: $reason"
  else
    echo "the guest stopped without the sentinel (QEMU exit status $qemu_status): crashed or powered off early"
  fi
}

verdict() {
  [[ -n $suite_start ]] &&
    say "boot: $(seconds_since "$boot_start" "$suite_start") s (QEMU start to the suite's start)"
  [[ -n $suite_end ]] && say "suite: $(seconds_since "$suite_start" "$suite_end") s"
  say "VM total: $(seconds_since "$boot_start" "$vm_end") s; console log: $console_log"

  [[ -n $sentinel_status ]] || die "FAIL on $kernel_release: $(no_sentinel_reason)"

  # A kernel warning or oops need not fail a test, but should not go unseen.
  local oops
  if oops=$(grep -a -m1 -E '^\[ *[0-9]+\.[0-9]+\] .*(WARNING:|BUG:|Oops|general protection fault|int3:)' "$console_log"); then
    say "note: the guest kernel complained: $oops"
  fi

  # The suite's own log, without kernel messages. The guest runs it with
  # CI=true, so a skipped test fails it too.
  local ran
  ran=$(sed -n -E 's/^\[==========\] ([0-9]+) tests? from .* ran\..*/\1/p' "$suite_log" | tail -n1)
  if [[ $sentinel_status -eq 0 && ${ran:-0} -gt 0 ]]; then
    say "PASS: all $ran integration tests passed on $kernel_release${TCPSIGHT_VM_GTEST_FILTER:+ (only those matching TCPSIGHT_VM_GTEST_FILTER)}"
    exit 0
  fi
  grep -E '^\[  FAILED  \] [^ ]+$' "$suite_log" | sort -u >&2 || true
  die "FAIL on $kernel_release: the suite exited with status $sentinel_status after ${ran:-no} tests"
}

main() {
  [[ $# -eq 2 ]] || usage
  series=$1
  build_dir_arg=$2
  configure_series
  if [[ $(id -u) -ne 0 ]]; then
    say "skipped: booting a kernel VM and loading BPF programs in it needs root"
    exit 77
  fi
  check_host
  read_settings
  # Two runs writing the same logs would each read the other's results.
  exec 8>"$log_dir/.lock"
  flock -n 8 || die "another run is using $log_dir (set TCPSIGHT_VM_LOG_DIR to run beside it)"
  choose_package
  say "kernel $series: $package $package_version (uname -r $kernel_release)"
  say "accelerator: $accel_desc; host root shared over $root_fs; logs in $log_dir"

  mkdir -p "$kernel_cache"
  # One run at a time prepares a given kernel; others wait for it.
  exec 9>"$kernel_cache/.lock"
  flock 9
  prepare_kernel
  prepare_initramfs
  exec 9>&-

  run_dir=$(mktemp -d)
  virtiofsd_pids=()
  qemu_pid=
  trap cleanup EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
  write_initrd
  console_log=$log_dir/console.log
  suite_log=$log_dir/suite.log
  rm -f "$console_log" "$suite_log" "$log_dir/gtest.xml"
  qemu_command
  say "booting $kernel_release (timeout $timeout_s s)"
  run_vm
  verdict
}

main "$@"
