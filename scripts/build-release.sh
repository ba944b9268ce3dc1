#!/usr/bin/env bash
# The production build: `swift build -c release` with the link options that keep the binary lean in
# memory. Builds `iot-gateway` unless a `--product` is given; extra arguments go to `swift build`
# (for example `--product gateway-bench` or `--scratch-path .build-release`). Not every product of
# the dependencies links statically (GRDB's dynamic library does not), so it never builds "all".
#
# Why each option (measured on the idle gateway, see README "Benchmarks"):
#   --static-swift-stdlib   the Swift runtime inside the binary: the target box needs only glibc and
#                           libsqlite3, and there are fewer shared libraries to map.
#   --gc-sections           drops code nothing calls.
#   --no-export-dynamic     the toolchain's static-stdlib link options export every symbol of our own
#                           objects (1.5 MB of dynamic symbols, 3.8 MB of their names and a 0.4 MB hash
#                           table, all read at start-up while glibc resolves libsqlite3's symbols).
#                           Nothing looks our symbols up at run time; crash backtraces read .symtab.
#   lld with -z pack-relative-relocs
#                           157,000 position-independent relocations take 30 KB instead of 3.6 MB.
#                           Needs glibc 2.36 or newer on the box that runs the binary, so it is only
#                           used when the building machine has that too (build where you run).
set -euo pipefail
cd "$(dirname "$0")/.."

flags=(-c release --static-swift-stdlib -Xlinker --gc-sections -Xlinker --no-export-dynamic)

toolchain_bin="$(dirname "$(readlink -f "$(command -v swift)")")"
glibc_version="$(getconf GNU_LIBC_VERSION 2>/dev/null | awk '{print $2}')"
if [[ -x "$toolchain_bin/ld.lld" ]] &&
   [[ -n "$glibc_version" ]] && [[ "$(printf '%s\n2.36\n' "$glibc_version" | sort -V | head -1)" == "2.36" ]]; then
    flags+=(-Xswiftc -use-ld=lld -Xlinker -z -Xlinker pack-relative-relocs)
else
    echo "build-release: lld or glibc >= 2.36 missing; linking without packed relocations" >&2
fi

if [[ " $* " != *" --product "* ]]; then
    flags+=(--product iot-gateway)
fi
exec swift build "${flags[@]}" "$@"
