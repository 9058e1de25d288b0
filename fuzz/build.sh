#!/bin/sh
# build.sh - builds the libFuzzer targets fuzz/fuzz_*.c against the core.
#
# usage: fuzz/build.sh [BUILD_DIR]     (default: fuzz/build)
#
# The core (lib/*.c) is compiled once with libFuzzer's coverage
# instrumentation, AddressSanitizer and UndefinedBehaviorSanitizer, then
# each target is linked into BUILD_DIR/fuzz_<name>.  FUZZ_CC (default
# clang) must be a clang with the libFuzzer runtime (Debian: clang and
# libclang-rt-14-dev).  FUZZ_EXTRA_CFLAGS, when set, is added to every
# compilation.  Exits 0 when every target was built.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
out=${1:-$here/build}
CC=${FUZZ_CC:-clang}
SAN="-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined"
CFLAGS="-g -O1 $SAN -I $top/lib -I $top/cli -I $here -D_GNU_SOURCE ${FUZZ_EXTRA_CFLAGS:-}"
DEPS=$(pkg-config --cflags gmime-3.0 sqlite3 libpcre2-8)
LIBS=$(pkg-config --libs gmime-3.0 sqlite3 libpcre2-8)

mkdir -p "$out/obj"
out=$(cd "$out" && pwd)

# the cue patterns compiled at build time, as make does it
# shellcheck disable=SC2086
$CC -I "$top/lib" $DEPS "$top/lib/gen/mkpatterns.c" "$top/lib/cues.c" $LIBS -o "$out/obj/mkpatterns"
"$out/obj/mkpatterns" > "$out/obj/cues-compiled.c"

objs=
for src in "$top"/lib/*.c "$out/obj/cues-compiled.c"; do
    # an in-tree build leaves its own copy of the generated file in lib/
    [ "$src" = "$top/lib/cues-compiled.c" ] && continue
    obj=$out/obj/$(basename "$src" .c).o
    # shellcheck disable=SC2086
    $CC $CFLAGS $DEPS -c "$src" -o "$obj"
    objs="$objs $obj"
done

for src in "$here"/fuzz_*.c; do
    name=$(basename "$src" .c)
    # shellcheck disable=SC2086
    $CC $CFLAGS $DEPS "$src" $objs $LIBS -o "$out/$name"
    echo "built $out/$name"
done
