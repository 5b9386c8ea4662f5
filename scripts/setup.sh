#!/usr/bin/env bash
# Installs everything tcpsight needs to build, test and run, from Debian's
# packages. Safe to run again: it installs only what is missing.
#   scripts/setup.sh           build, test and run
#   scripts/setup.sh --peers   also the peer tools the benchmarks compare with
set -euo pipefail

packages=(
  build-essential cmake pkg-config     # C++20 toolchain and build
  clang bpftool libbpf-dev             # BPF programs and their skeletons
  libclang-rt-14-dev                   # libFuzzer and the sanitizers, for tests/fuzz
  libelf-dev zlib1g-dev                # what libbpf links against
  libfmt-dev libcli11-dev nlohmann-json3-dev
  libmnl-dev                           # netlink sock_diag for socket snapshots
  libsqlite3-dev                       # the connection history database
  libncurses-dev                       # tcpsight top's screen
  libcap-dev                           # giving up capabilities once attached
  prometheus-cpp-dev libcivetweb-dev   # tcpsight export's metrics and their HTTP server
  libgtest-dev libgmock-dev            # tests
  iproute2 nftables                    # network namespaces and a SYN-dropping firewall in tests
  netbase                              # /etc/services, whose names ls's filter takes (:ssh)
  net-tools                            # netstat, which tests compare tcpsight ls with
  curl prometheus                      # scrapes, promtool and a Prometheus server for the exporter's tests
  tmux                                 # a terminal for the end-to-end test of tcpsight top
  systemd                              # systemd-analyze, which checks the units in contrib/systemd
  help2man                             # the man pages, from each command's --help
  bash-completion zsh                  # the shells whose completions tests/completion.sh drives
  debhelper fakeroot lintian           # the Debian package, built and checked by tests/package.sh
  qemu-system-x86 busybox-static cpio kmod xz-utils  # the tests on Debian's own kernels, in VMs
  libbenchmark-dev                     # bench/
)
# Peers that bench/run_churn.sh measures tcpsight against.
if [[ "${1:-}" == "--peers" ]]; then
  packages+=(libbpf-tools time)
fi

missing=()
for package in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$package" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || missing+=("$package")
done

if ((${#missing[@]} == 0)); then
  echo "setup: all packages present"
  exit 0
fi

as_root=()
if ((EUID != 0)); then
  if ! command -v sudo >/dev/null; then
    echo "setup: installing ${missing[*]} needs root: run this script as root" >&2
    exit 1
  fi
  as_root=(sudo)
fi

echo "setup: installing ${missing[*]}"
"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
