# tap.sh - a small TAP library for the shell tests.
#
# Source it from a test script.  It gives every test a private
# directory ($T), the programs under test ($TWOWAY, $FILTER), the
# project's files ($SRC) and TAP output that automake's tap-driver
# counts: ok, not ok, and "ok N # SKIP why".  A check that puts
# something between the filter and its C library (an LD_PRELOAD shim,
# valgrind's malloc) calls use_dynamic_filter first.

set -u

SRC=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
BUILD=${top_builddir:-$SRC}
TWOWAY=${TWOWAY:-$BUILD/cli/twoway}
FILTER=${FILTER:-$BUILD/filters/twoway-filter}
SAMPLE=$SRC/sample
# the folder in the name: tests/fuzz/run.sh and tests/milter/run.sh
# must not share (and empty) one directory under make -j check
TEST_NAME=$(basename "$(dirname "$0")")-$(basename "$0" .sh)
T=$BUILD/tests/tmp/$TEST_NAME
export T
rm -rf "$T"
mkdir -p "$T"
export HOME=$T/home XDG_DATA_HOME=$T/home/data XDG_CONFIG_HOME=$T/home/config
mkdir -p "$HOME"
# the filter's recorders (twoway-filter(1)) keep their sockets here,
# where a socket's path fits (107 bytes); else in /tmp/twoway-UID
if [ ${#T} -lt 60 ]; then
    export XDG_RUNTIME_DIR=$T/run
    mkdir -m 700 "$XDG_RUNTIME_DIR"
fi

_tap_n=0
_tap_failed=0

# ok COND_STATUS NAME: passes when the previous command's status (or
# the given number) is 0.
ok() {
    _tap_n=$((_tap_n + 1))
    if [ "$1" -eq 0 ]; then
        echo "ok $_tap_n - $2"
    else
        echo "not ok $_tap_n - $2"
        _tap_failed=$((_tap_failed + 1))
    fi
}

# check NAME COMMAND...: runs the command; passes when it exits 0.
check() {
    _name=$1
    shift
    if "$@" >"$T/.out" 2>&1; then
        ok 0 "$_name"
    else
        ok 1 "$_name"
        sed 's/^/# /' "$T/.out" | head -20
    fi
}

# is ACTUAL EXPECTED NAME
is() {
    if [ "$1" = "$2" ]; then
        ok 0 "$3"
    else
        ok 1 "$3"
        echo "#   got:      '$1'"
        echo "#   expected: '$2'"
    fi
}

# skip NAME WHY
skip() {
    _tap_n=$((_tap_n + 1))
    echo "ok $_tap_n - $1 # SKIP $2"
}

# done_testing: prints the plan; the exit status tells the driver.
done_testing() {
    echo "1..$_tap_n"
    [ "$_tap_failed" -eq 0 ]
}

# jqr FILTER FILE: jq -r, for reading JSON output.
jqr() {
    jq -r "$1" "$2"
}

# corpora: the shared corpora folder, or empty (tests then skip loudly).
corpora() {
    if [ -n "${TWOWAY_CORPORA:-}" ] && [ -d "$TWOWAY_CORPORA" ]; then
        echo "$TWOWAY_CORPORA"
    fi
}

# need TOOL...: the whole script is skipped when one of them is missing.
need() {
    for _tool in "$@"; do
        if ! command -v "$_tool" >/dev/null 2>&1; then
            echo "1..0 # SKIP $_tool is not installed"
            exit 0
        fi
    done
}

# wait_log FILE PATTERN [COUNT]: waits (5 s at most) until FILE holds
# COUNT (default 1) lines matching PATTERN, an extended regex.
wait_log() {
    _i=0
    while [ $_i -lt 100 ]; do
        _n=$(grep -cE "$2" "$1" 2>/dev/null)
        [ "${_n:-0}" -ge "${3:-1}" ] && return 0
        sleep 0.05
        _i=$((_i + 1))
    done
    return 1
}

# dynamic_filter: prints a twoway-filter that loads its C library at
# run time: $FILTER itself, or, when that is a static program (which no
# LD_PRELOAD library and no valgrind malloc can reach), the filter make
# check links from the same objects with the C library shared
# (tests/twoway-filter-dynamic); false when there is none.
dynamic_filter() {
    if ldd "$FILTER" 2>/dev/null | grep -q 'libc\.so'; then
        echo "$FILTER"
    elif [ -x "$BUILD/tests/twoway-filter-dynamic" ]; then
        echo "$BUILD/tests/twoway-filter-dynamic"
    else
        return 1
    fi
}

# use_dynamic_filter: FILTER becomes dynamic_filter's, said in a TAP
# comment when it is not $FILTER.  Without one the script fails here:
# it would test nothing of the filter.
use_dynamic_filter() {
    if ! _dyn=$(dynamic_filter); then
        ok 1 "a twoway-filter that loads its C library at run time ($FILTER is a static program; make check links tests/twoway-filter-dynamic)"
        done_testing
        exit
    fi
    if [ "$_dyn" != "$FILTER" ]; then
        echo "# $FILTER is a static program: the filter run here is $_dyn, the same objects with the C library shared"
        FILTER=$_dyn
    fi
}
