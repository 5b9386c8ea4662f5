#!/bin/bash
# Runs inside the kernel-matrix VM as PID 1, after the initramfs switched
# into the host's root (read-only, with a tmpfs overlay on top). It makes
# the guest look like the host the integration tests expect, runs the whole
# privileged suite, prints the sentinel line that run-kernel.sh waits for,
# and powers the VM off.
#
# Parameters come from the initramfs as TCPSIGHT_VM_* variables.
set -euo pipefail

power_off() {
  sync
  # The host's poweroff may need a service manager; busybox's -f does not.
  busybox poweroff -f 2>/dev/null || echo o >/proc/sysrq-trigger
  sleep 60
}

# PID 1 must not just exit (that panics the kernel): say what broke, then
# power off, so the host reports it instead of a bare panic.
on_error() {
  echo "tcpsight-vm: guest setup failed: line $1: $2"
  power_off
}
trap 'on_error "$LINENO" "$BASH_COMMAND"' ERR

export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/root

mounted() { mountpoint -q "$1"; }
mount_once() { # TYPE DIR [OPTIONS]
  mkdir -p "$2"
  mounted "$2" || mount -t "$1" -o "${3:-defaults}" "$1" "$2"
}

mount_once proc /proc
mount_once sysfs /sys
mount_once devtmpfs /dev
mount_once devpts /dev/pts newinstance,ptmxmode=0666,mode=0620,gid=5
ln -sf pts/ptmx /dev/ptmx
mount_once tmpfs /dev/shm mode=1777,nosuid,nodev
# devtmpfs has no /dev/fd and friends; bash process substitution needs them.
ln -sfn /proc/self/fd /dev/fd
ln -sf /proc/self/fd/0 /dev/stdin
ln -sf /proc/self/fd/1 /dev/stdout
ln -sf /proc/self/fd/2 /dev/stderr
mount_once cgroup2 /sys/fs/cgroup nsdelegate
mount_once bpf /sys/fs/bpf mode=0700
mount_once tracefs /sys/kernel/tracing
mount_once debugfs /sys/kernel/debug
mount_once tmpfs /run mode=0755,nosuid,nodev
# /tmp stays the host's, under the overlay: the build may live there.
mkdir -p /run/lock /var/tmp

kernel_release=$(uname -r)
# The guest kernel's modules where modprobe (and the kernel's
# request_module, through /sbin/modprobe) look for them, so nf_tables,
# veth, inet_diag/tcp_diag/udp_diag/unix_diag and the rest load on demand.
# On a merged-/usr host /lib/modules is /usr/lib/modules.
modules_dir=/lib/modules/$kernel_release
mkdir -p "$modules_dir"
mount --bind "$TCPSIGHT_VM_KERNEL_ROOT/lib/modules/$kernel_release" "$modules_dir"
# No /boot/config-$kernel_release, as in containers and minimal images:
# tcpsight must not need the kernel's config file (Debian kernels have no
# /proc/config.gz either).

hostname tcpsight-vm
ip link set lo up
# Kernel notices and info (veth, netns, module loads) would interleave
# with the suite's output on the console; warnings and oopses still show.
dmesg -n 5

# The suite's own log and XML report go to a writable share of the host's
# log directory, so the host can read them without the kernel's console
# messages mixed in.
results=/run/tcpsight-vm-results
mkdir -p "$results"
if [[ $TCPSIGHT_VM_ROOT_FS == 9p ]]; then
  mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144,cache=none results "$results"
else
  mount -t virtiofs results "$results"
fi

# Every test must run here: CI=true turns a skip into a failure.
unset TERM LANG LC_ALL
export CI=true
[[ -n ${TCPSIGHT_VM_LANG-} ]] && export LANG=$TCPSIGHT_VM_LANG
[[ -n ${TCPSIGHT_VM_TERM-} ]] && export TERM=$TCPSIGHT_VM_TERM

cd "$TCPSIGHT_VM_BUILD_DIR"
suite=(./tests/tcpsight_integration_tests --gtest_color=no "--gtest_output=xml:$results/gtest.xml")
if [[ -n ${TCPSIGHT_VM_GTEST_FILTER-} ]]; then
  suite+=("--gtest_filter=$TCPSIGHT_VM_GTEST_FILTER")
fi

# From here on failures are the suite's, not the setup's.
trap - ERR
set +e
echo "tcpsight-vm: suite start token=$TCPSIGHT_VM_TOKEN kernel=$kernel_release CI=${CI-}"
"${suite[@]}" </dev/null 2>&1 | tee "$results/suite.log"
status=${PIPESTATUS[0]}
# Leading newline: the sentinel must start a line even if the suite's last
# line had none.
printf '\nTCPSIGHT_VM_DONE token=%s status=%d\n' "$TCPSIGHT_VM_TOKEN" "$status"
power_off
