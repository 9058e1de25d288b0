#!/bin/bash
# run.sh - a short fuzzing run of every target in fuzz/: lib/raw.c,
# lib/message.c, lib/text.c and html.c, lib/ask.c, lib/tags.c, and the
# filter as a whole (parse, read, record into SQLite, tag, write).
#
# Builds the targets (fuzz/build.sh) and their seeds (fuzz/seeds.sh,
# with ../shared/corpora/mime-torture when it is there) into $T, replays
# fuzz/regressions/<target>/ (inputs that once crashed), then fuzzes
# each target for FUZZ_SECONDS (10) seconds.  One check per target:
# libFuzzer exits 0 and leaves no crash, leak, timeout or OOM file.
# Without a clang that has libFuzzer (FUZZ_CC, default clang), every
# check is skipped.
#
# References: fuzz/*.c (the invariants each target checks),
# RELIABILITY.md ("Fuzzing"), DESIGN.md ("Never lose mail").
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib/tap.sh"

TARGETS="raw message text ask tags filter"
SECONDS_EACH=${FUZZ_SECONDS:-10}
CC=${FUZZ_CC:-clang}
export FUZZ_CC=$CC TMPDIR=$T
# sanitizer reports with their stack
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1}

# skip_all WHY: one skipped check per target.
skip_all() {
    for t in $TARGETS; do
        skip "fuzz_$t: regressions and $SECONDS_EACH s of fuzzing without a crash" "$1"
    done
    done_testing
    exit
}

# A clang whose libFuzzer runtime links, with ASan and UBSan.
if ! command -v "$CC" >/dev/null 2>&1; then
    skip_all "no $CC (apt-get install clang libclang-rt-14-dev)"
fi
printf 'int LLVMFuzzerTestOneInput(const unsigned char *d, unsigned long n)\n{ (void)d; (void)n; return 0; }\n' >"$T/probe.c"
if ! "$CC" -fsanitize=fuzzer,address,undefined "$T/probe.c" -o "$T/probe" >"$T/probe.log" 2>&1; then
    skip_all "$CC cannot link libFuzzer (apt-get install libclang-rt-14-dev): $(head -1 "$T/probe.log")"
fi

# Build and seeds.
built=0
if "$SRC/fuzz/build.sh" "$T/build" >"$T/build.log" 2>&1; then
    built=1
else
    sed 's/^/# /' "$T/build.log" | tail -20
fi
"$SRC/fuzz/seeds.sh" "$T/seeds" 2>&1 | sed 's/^/# /'

# fuzz TARGET: replays its regressions, then fuzzes it; exit 0 when
# both pass and no artifact was written.
fuzz() {
    _t=$1 _bin=$T/build/fuzz_$1 _art=$T/artifacts/$1/
    _dict=
    case $_t in raw | message | filter) _dict=-dict=$SRC/fuzz/mail.dict ;; esac
    mkdir -p "$_art" "$T/corpus/$_t"
    [ -x "$_bin" ] || { echo "fuzz_$_t was not built"; return 1; }
    _reg=$SRC/fuzz/regressions/$_t
    if [ -d "$_reg" ] && [ -n "$(ls -A "$_reg")" ]; then
        echo "replaying $_reg"
        "$_bin" -timeout=10 -rss_limit_mb=2048 -artifact_prefix="$_art" "$_reg"/* || return 1
    fi
    # shellcheck disable=SC2086 # $_dict is one word or none
    "$_bin" -max_total_time="$SECONDS_EACH" -timeout=10 -rss_limit_mb=2048 \
        -artifact_prefix="$_art" $_dict "$T/corpus/$_t" "$T/seeds/$_t" || return 1
    [ -z "$(ls -A "$_art")" ] || { echo "artifacts: $(ls "$_art")"; return 1; }
}

for t in $TARGETS; do
    name="fuzz_$t: regressions and $SECONDS_EACH s of fuzzing without a crash"
    if [ $built -eq 0 ]; then
        ok 1 "$name"
        echo "#   fuzz/build.sh failed (above)"
        continue
    fi
    fuzz "$t" >"$T/$t.log" 2>&1
    rc=$?
    ok $rc "$name"
    if [ $rc -ne 0 ]; then
        grep -E 'invariant failed|runtime error|ERROR: |SUMMARY|^    #[0-9]|Test unit written|not built|artifacts:' \
            "$T/$t.log" | head -40 | sed 's/^/# /'
    else
        grep -E '^#[0-9]+[[:space:]]+DONE' "$T/$t.log" | tail -1 | sed 's/^/# /'
    fi
done

done_testing
