#!/usr/bin/env bash
# The Debian package, as scripts/setup.sh's machine builds it: a copy of
# the source tree (what git tracks, and new files it does not ignore) is
# built with dpkg-buildpackage; the .deb holds what an operator expects
# where Debian puts it, lintian finds no error in it, and unpacked into a
# scratch root its binary runs and its man pages render.
#   tests/package.sh SOURCE_DIR
# Skips (77) without dpkg-buildpackage, debhelper or lintian, but fails so
# under CI=true.
set -euo pipefail
sources=$(realpath "$1")
failures=0
fail() {
  echo "FAIL: $*" >&2
  failures=$((failures + 1))
}

for tool in dpkg-buildpackage dh lintian fakeroot; do
  if ! command -v "$tool" >/dev/null; then
    echo "package: no $tool (scripts/setup.sh installs it)" >&2
    [[ ${CI:-} == true ]] && exit 1 # a skip would hide an incomplete setup
    exit 77
  fi
done

# One version: the CMake project's, which the changelog must repeat.
version=$(sed -n 's/^project(tcpsight VERSION \([0-9.]*\).*/\1/p' "$sources/CMakeLists.txt")
changelog_version=$(dpkg-parsechangelog -l "$sources/debian/changelog" -S Version)
[[ $version == "$changelog_version" ]] ||
  fail "debian/changelog says $changelog_version, CMakeLists.txt $version"
arch=$(dpkg --print-architecture)

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
tree=$scratch/tcpsight-$version
mkdir "$tree"
git -c safe.directory="$sources" -C "$sources" ls-files -z --cached --others --exclude-standard |
  (cd "$sources" && xargs -0 cp --parents -t "$tree" 2>/dev/null || true)
# The copy is the tree as it is, not a checkout: built from it, --version
# names no git revision.
# As the README says to build it: with the unit tests run.
(cd "$tree" && DEB_BUILD_OPTIONS="parallel=$(nproc)" dpkg-buildpackage -b -us -uc) \
  >"$scratch/build.log" 2>&1 || {
  tail -40 "$scratch/build.log" >&2
  fail "dpkg-buildpackage failed"
  exit 1
}
grep -E '^\[  PASSED  \] [0-9]+ tests' "$scratch/build.log" ||
  fail "the package build ran no unit tests"
deb=$scratch/tcpsight_${version}_$arch.deb
[[ -f $deb ]] || { fail "no $deb"; exit 1; }

contents=$(dpkg-deb -c "$deb" | awk '{ print $6 }')
for path in ./usr/sbin/tcpsight ./usr/share/man/man8/tcpsight.8.gz \
  ./usr/share/bash-completion/completions/tcpsight ./usr/share/zsh/vendor-completions/_tcpsight \
  ./lib/systemd/system/tcpsight-record.service ./lib/systemd/system/tcpsight-export.service \
  ./usr/share/doc/tcpsight/copyright ./usr/share/doc/tcpsight/changelog.gz \
  ./usr/share/tcpsight/grafana/tcpsight.json; do
  grep -qxF "$path" <<<"$contents" || fail "the package has no $path"
done
for command in $("$tree"/debian/build/tcpsight --help |
  awk '/^Subcommands:/ { listed = 1; next } listed && /^  [a-z]/ { print $1 }'); do
  grep -qxF "./usr/share/man/man8/tcpsight-$command.8.gz" <<<"$contents" ||
    fail "the package has no man page for $command"
done
grep -q 'README.md' <<<"$contents" || fail "the package has no README"

# Dependencies from the libraries it links, not a list kept by hand.
depends=$(dpkg-deb -f "$deb" Depends)
for library in libbpf1 libc6 libcap2 libsqlite3-0 libmnl0; do
  grep -q "$library" <<<"$depends" || fail "Depends names no $library: $depends"
done

# lintian: no errors (warnings and notes are printed for the log).
lintian --allow-root --fail-on error --tag-display-limit 0 --display-info "$deb" ||
  fail "lintian reports errors, or did not run"

# Unpacked into a scratch root: the binary runs, the pages render.
root=$scratch/root
dpkg-deb -x "$deb" "$root"
[[ $("$root/usr/sbin/tcpsight" --version) == "tcpsight $version" ]] ||
  fail "--version says '$("$root/usr/sbin/tcpsight" --version)', not 'tcpsight $version'"
# Reproducible: nothing in the binary names the directory it was built in.
if grep -qF "$tree" "$root/usr/sbin/tcpsight"; then
  fail "the binary names its build directory: $(strings "$root/usr/sbin/tcpsight" | grep -F "$tree" | head -3)"
fi
for page in "$root"/usr/share/man/man8/*.8.gz; do
  text=$(LC_ALL=C.UTF-8 MANWIDTH=80 man -l "$page" 2>&1) || fail "man -l $page failed"
  grep -q '^EXAMPLES' <<<"$text" || fail "$page renders without its EXAMPLES"
done

((failures == 0)) && echo "package: tcpsight_${version}_$arch.deb built, complete and lintian-clean"
exit $((failures > 0))
