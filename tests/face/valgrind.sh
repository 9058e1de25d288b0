#!/bin/bash
# valgrind.sh - twoway-filter and twoway under valgrind's memcheck: the
# sample mail through the filter (incoming and --sent), an import of
# the sample into a fresh database, every listing in text and JSON,
# explain, digest, done, forget, and a few error paths (bad
# configuration, locked database, unknown address or ID).
#
# Each run is one check: it passes when valgrind reports no memory
# error and no definite leak (exit status not 99, "ERROR SUMMARY: 0
# errors" in its log).  Memory GLib keeps until exit (still reachable,
# possibly lost) does not count.  The program's own exit status is not
# judged here (cli.sh and filter.sh do that); a surprising one is noted
# as a TAP comment.  Without valgrind every check is skipped.  Memcheck
# cannot replace the malloc of a static program: when the filter is
# linked whole as a static PIE, the filter run is the one make check
# links from the same objects with the C library shared
# (tests/twoway-filter-dynamic).
#
# References: DESIGN.md, doc/twoway.1, doc/twoway-filter.1.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib/tap.sh"
. "$SRC/tests/face/common.sh"

VALGRIND=${VALGRIND:-valgrind}
VG_OPTS=(--tool=memcheck --error-exitcode=99 --leak-check=full
         --errors-for-leak-kinds=definite --show-leak-kinds=definite
         --track-fds=no)

why_skip=
if ! command -v "$VALGRIND" >/dev/null 2>&1; then
    why_skip="valgrind is not installed"
elif grep -q __asan_init "$TWOWAY" "$FILTER" 2>/dev/null; then
    why_skip="the programs are built with AddressSanitizer, which does not run under valgrind"
else
    use_dynamic_filter
fi

# vg NAME STATUS INPUT PROGRAM ARGS...: runs PROGRAM under memcheck
# with INPUT as its standard input; one check.  STATUS is the exit
# status the program should give (only noted when it differs).  The
# program's output is kept in $out, its log in $log.
_vg=0
log="" out=""
vg() {
    local name=$1 want=$2 input=$3 rc
    shift 3
    if [ -n "$why_skip" ]; then
        skip "$name" "$why_skip"
        return
    fi
    _vg=$((_vg + 1))
    log=$T/vg-$(printf %02d $_vg).log
    out=${log%.log}.out
    "$VALGRIND" "${VG_OPTS[@]}" --log-file="$log" "$@" <"$input" >"$out" 2>"${log%.log}.err"
    rc=$?
    if [ $rc -ne 99 ] && grep -q 'ERROR SUMMARY: 0 errors' "$log" 2>/dev/null; then
        ok 0 "$name"
    else
        ok 1 "$name"
        echo "# exit status $rc; valgrind log $log:"
        sed -n '/Parent PID:/,$p' "$log" 2>/dev/null | grep -v '^==[0-9]*== *$' |
            sed 's/^==[0-9]*== //' | head -80 | sed 's/^/#   /'
        grep -q 'Parent PID:' "$log" 2>/dev/null ||
            head -20 "${log%.log}.err" | sed 's/^/#   stderr: /'
    fi
    if [ "$rc" != "$want" ] && [ "$rc" != 99 ]; then
        echo "# note: exit status $rc, expected $want: $(head -c 300 "${log%.log}.err" | tr '\n' ' ')"
    fi
}

split_mbox "$SAMPLE/inbox.mbox" "$T/in"    # in-NN of EXPECTED.md is $T/in/NN.eml
split_mbox "$SAMPLE/sent.mbox" "$T/out"
mbox_to_files "$SAMPLE/inbox.mbox" "$T/files"
: >"$T/empty"
printf 'Owner %s\nOwnr %s\n' "$OWNER" "$OWNER" >"$T/bad.conf"
printf 'Owner %s\nBusyTimeout 100\nOnError tempfail\nRecorder 0\n' "$OWNER" >"$T/busy.conf"
# every delivery does its own work here (tests/face/recorder.sh runs the
# recorder under memcheck)
echo "Recorder 0" >"$T/solo.conf"

# ---------------------------------------------------------------------
# 1. twoway-filter, into a fresh database

FDB=$T/filter.db
filt() { vg "$1" "$2" "$3" "$FILTER" --config "$T/solo.conf" --db "$FDB" --owner "$OWNER" "${@:4}"; }

filt "filter: newsletter (bulk, List-Id, Feedback-ID), fresh database" 0 "$T/in/01.eml"
filt "filter: an ask (in-03)" 0 "$T/in/03.eml"
filt "filter: non-ASCII, quoted-printable, RFC 2047 subject and cue (in-10)" 0 "$T/in/10.eml"
filt "filter: its reply, AW: subject (in-11)" 0 "$T/in/11.eml"
filt "filter: forged X-Twoway-Ask removed (in-13)" 0 "$T/in/13.eml"
filt "filter: discussion-list traffic (in-16)" 0 "$T/in/16.eml"
filt "filter: mboxrd >From line (in-18)" 0 "$T/in/18.eml"
filt "filter: multipart/alternative (in-21)" 0 "$T/in/21.eml"
filt "filter: multipart/mixed with a base64 attachment (in-22)" 0 "$T/in/22.eml"
filt "filter: HTML-only (in-25)" 0 "$T/in/25.eml"
filt "filter: out-of-office auto-reply (in-26)" 0 "$T/in/26.eml"
filt "filter: bounce, multipart/report (in-27)" 0 "$T/in/27.eml"
filt "filter: input that is not mail" 0 "$T/empty"
filt "filter --sent: Robin's ask (out-10)" 0 "$T/out/10.eml" --sent
filt "filter --sent --pass: non-ASCII reply (out-05)" 0 "$T/out/05.eml" --sent --pass
vg "filter: bad configuration (exit 78)" 78 "$T/in/03.eml" \
    "$FILTER" --config "$T/bad.conf" --db "$FDB"

if [ -n "$why_skip" ]; then
    skip "filter: database locked past BusyTimeout, OnError tempfail (exit 75)" "$why_skip"
elif ! command -v sqlite3 >/dev/null 2>&1; then
    skip "filter: database locked past BusyTimeout, OnError tempfail (exit 75)" "sqlite3 is not installed"
elif lock_db "$FDB"; then
    vg "filter: database locked past BusyTimeout, OnError tempfail (exit 75)" 75 "$T/in/12.eml" \
        "$FILTER" --config "$T/busy.conf" --db "$FDB"
    unlock_db
else
    ok 1 "filter: database locked past BusyTimeout, OnError tempfail (exit 75): cannot lock"
fi

# ---------------------------------------------------------------------
# 2. twoway, into a fresh database

DB=$T/cmd.db
tw() { vg "$1" "$2" /dev/null "$TWOWAY" --db "$DB" --owner "$OWNER" "${@:3}"; }

tw "import inbox.mbox into a fresh database" 0 import "$SAMPLE/inbox.mbox"
tw "import --sent sent.mbox" 0 import --sent "$SAMPLE/sent.mbox"
tw "import a directory of message files, all already known" 0 import --quiet "$T/files"
tw "pending" 0 pending
tw "pending --json" 0 pending --json
pending_json=$out
tw "waiting --since --limit" 0 waiting --since 2026-01-01 --limit 5
tw "waiting --json" 0 waiting --json
tw "summary" 0 summary
tw "summary --json" 0 summary --json
tw "show ADDR" 0 show alice@example.com
tw "show --json ADDR" 0 show --json 'Alice Moreno <alice+x@EXAMPLE.COM>'
tw "show of an unknown address (exit 1)" 1 show nobody@example.com
tw "stats" 0 stats
tw "stats --json" 0 stats --json
tw "explain: HTML-only, multipart, bounce, non-ASCII" 0 \
    explain "$T/in/25.eml" "$T/in/21.eml" "$T/in/27.eml" "$T/in/10.eml"
tw "explain --json of inbox.mbox and sent.mbox" 0 \
    explain --json "$SAMPLE/inbox.mbox" "$SAMPLE/sent.mbox"
tw "digest" 0 digest
id=$(jq -r '.[0].id // empty' "$pending_json" 2>/dev/null)
tw "done ID${id:+ ($id)}" 0 "done" "${id:-1}"
tw "done of an unknown ID (exit 1)" 1 "done" 999999
tw "forget ADDR" 0 forget hugo@example.net
vg "bad configuration (exit 78)" 78 /dev/null \
    "$TWOWAY" --config "$T/bad.conf" --db "$DB" pending

done_testing
