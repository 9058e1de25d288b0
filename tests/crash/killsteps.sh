#!/bin/bash
# killsteps.sh - a process killed at every step of recording a message.
#
# killshim.so, preloaded, counts the calls by which a process changes
# the database (open, write, pwrite, fsync, fdatasync, ftruncate,
# unlink of the file, its -wal and its -shm) and SIGKILLs the process
# just before the Nth.  Each face delivers into a database that already
# holds earlier mail (the sample mail, a few messages held back), so
# that threads, asks and reply times are updated, not only inserted:
#   in      twoway-filter: Alice answers Robin's ask, asks again, and
#           her References join two threads into one
#   sent    twoway-filter --sent --pass: Robin chases his open ask
#   import  twoway import: an mbox of four messages, one transaction
#           (a reply before its parent, an ask, Robin's ask, one known)
#   milter  twoway-milter: Robin answers Alice and asks Sam, another
#           owner: one transaction for two owners
# The delivery is run once whole (counting its steps: the reference),
# then once per step N on a fresh copy of the same database, killed at
# N.  After each kill, on a copy of what was left:
#   - PRAGMA integrity_check says ok, foreign_key_check and
#     consistency.sql find nothing;
#   - the database is, row for row, the one before the delivery or the
#     one after it: the message is recorded whole or not at all (and
#     the ledger is the one counted from the rows, for on both of those
#     ledger.sql counts what `twoway summary --json` shows);
#   - the killed filter's output is a strict prefix of the whole output
#     (so with its kill status, never a message procmail would take).
# Then the same delivery, run again on what was left, succeeds and
# leaves the database of the run never killed, row for row, with the
# same output or tags and the same `twoway stats`, `show` and
# `summary`.  The filter and the import are also swept with every
# write cut in half by the kill ("torn"), and real procmail is shown
# to keep the message of a filter killed in the middle.
#
# Under AddressSanitizer (a build with --enable-sanitizers) the shim is
# preloaded after ASan's runtime, whose interceptors of write and
# friends call on into the shim.  A filter linked whole as a static PIE
# takes no LD_PRELOAD: the filter killed is then the one make check
# links from the same objects with the C library shared
# (tests/twoway-filter-dynamic).  Figures: RELIABILITY.md, "Killed at
# every step".
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib/tap.sh"
. "$SRC/tests/face/common.sh"
shopt -s extglob

HERE=$SRC/tests/crash
MILTER=${MILTER:-$BUILD/milter/twoway-milter}
DBNAME=ledger.db
OWNER2=sam@example.org
MAIL=$T/mail
STARTED=$SECONDS

for tool in cc sqlite3 jq; do
    if ! command -v $tool >/dev/null 2>&1; then
        skip "killsteps" "$tool is not installed"
        done_testing
        exit
    fi
done

# ---------------------------------------------------------------------
# The shim

SHIM=$T/killshim.so
cc -shared -fPIC -O2 -Wall -Wextra -Werror -o "$SHIM" "$HERE/killshim.c" -ldl >"$T/shim.err" 2>&1
ok $? "killshim.so builds with -Wall -Wextra -Werror"
if [ ! -s "$SHIM" ]; then
    sed 's/^/# /' "$T/shim.err"
    done_testing
    exit
fi

# preload BINARY: LD_PRELOAD for BINARY: the shim, after ASan's runtime
# when BINARY is linked with it (ASan insists on coming first).
preload() {
    _asan=$(ldd "$1" 2>/dev/null | awk '/libasan/ { print $3; exit }')
    echo "${_asan:+$_asan }$SHIM"
}
# The programs, copied: a rebuild of the tree while the sweep runs must
# not change them under it.
use_dynamic_filter
mkdir -p "$T/bin"
for _p in "$TWOWAY" "$MILTER"; do
    [ -x "$_p" ] && cp "$_p" "$T/bin/"
done
[ -x "$FILTER" ] && cp "$FILTER" "$T/bin/twoway-filter"
FILTER=$T/bin/twoway-filter TWOWAY=$T/bin/twoway MILTER=$T/bin/twoway-milter
PRE_FILTER=$(preload "$FILTER")
PRE_TWOWAY=$(preload "$TWOWAY")

# ---------------------------------------------------------------------
# Mail

mkdir -p "$MAIL"
# pick MBOX N...: messages N... of MBOX (1-based), each ending in the
# empty line that separates mbox messages.
pick() {
    awk -v want=" ${*:2} " '
        /^From / { n++; if (on && last != "") print ""; on = index(want, " " n " ") > 0 }
        on { print; last = $0 }
        END { if (on && last != "") print "" }' "$1"
}
# the earlier mail: all of the sample but in-25, in-28 and out-12
pick "$SAMPLE/inbox.mbox" $(seq -s ' ' 1 24) 26 27 >"$MAIL/inbox-base.mbox"
pick "$SAMPLE/sent.mbox" $(seq -s ' ' 1 11) >"$MAIL/sent-base.mbox"
# import: Ben's answer to Robin's ask before the ask itself, Ben's own
# ask, Robin's ask, and one message recorded before (in-03)
{
    pick "$SAMPLE/inbox.mbox" 28
    pick "$SAMPLE/inbox.mbox" 25
    pick "$SAMPLE/sent.mbox" 12
    pick "$SAMPLE/inbox.mbox" 3
} >"$MAIL/import.mbox"

# in: Alice answers Robin's ask (out-11), asks again, and her References
# name her own open ask (in-21) too: two threads become one.
cat >"$MAIL/alice.eml" <<'EOF'
From alice@example.com  Mon Nov 16 14:00:00 2026
Return-Path: <alice@example.com>
Delivered-To: robin@example.org
From: Alice Moreno <alice@example.com>
To: Robin Vale <robin@example.org>
Subject: Re: Thursday standup on November 19
Date: Mon, 16 Nov 2026 09:00:00 -0500
Message-ID: <standup-travel.20261116T0900@mail.example.com>
In-Reply-To: <out-standup.20261110T1420@mail.example.org>
References: <travel-lisbon.20261029T1910@mail.example.com>
 <out-standup.20261110T1420@mail.example.org>
MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8

Hi Robin,

Yes, I can run the standup on the 19th.

Could you also approve my travel request for Lisbon before Friday?

Alice

EOF

# sent: Robin writes again about his open ask to Farid (out-10): a chase.
cat >"$MAIL/robin.eml" <<'EOF'
From robin@example.org  Mon Nov 16 10:00:00 2026
From: Robin Vale <robin@example.org>
To: Farid Haddad <farid@example.edu>
Subject: Re: Workshop abstract
Date: Mon, 16 Nov 2026 10:00:00 +0000
Message-ID: <out-abstract-again.20261116T1000@mail.example.org>
In-Reply-To: <out-abstract.20261105T1000@mail.example.org>
References: <out-abstract.20261105T1000@mail.example.org>
MIME-Version: 1.0
Content-Type: text/plain; charset=us-ascii

Hi Farid,

Just checking in on this one: could you send me the abstract for the
workshop by Friday? The programme goes to print next week.

Robin

EOF

# ---------------------------------------------------------------------
# The database before the delivery

BASE=$T/base
mkdir -p "$BASE" "$T/run"
"$TWOWAY" --db "$BASE/$DBNAME" --owner $OWNER import --quiet \
    "$MAIL/inbox-base.mbox" "$MAIL/sent-base.mbox" >"$T/base.out" 2>&1
rc=$?
is "$rc|$(stat_of "$BASE/$DBNAME" messages)" "0|37" "the earlier mail: 37 sample messages recorded"
[ $rc -eq 0 ] || sed 's/^/# /' "$T/base.out"

# slurp FILE: the whole of FILE in $REPLY, read by the shell itself.
slurp() {
    REPLY=
    IFS= read -r -d '' REPLY 2>/dev/null <"$1"
    return 0
}

# inspect DB DIR [OWNER...]: what the checks need from DB, in one
# sqlite3 run, into DIR: integrity (integrity_check), fk
# (foreign_key_check), consistency (consistency.sql), ledger-OWNER
# (ledger.sql) and dump (.dump, with messages.recorded_at, the time of
# recording, zeroed first: DB is changed, it must be a copy or looked
# at last).
inspect() {
    _db=$1 _d=$2 _ledgers=
    shift 2
    for _o in "$@"; do
        _ledgers="$_ledgers.parameter set @owner '$_o'
.output $_d/ledger-$_o
.read $HERE/ledger.sql
"
    done
    mkdir -p "$_d"
    sqlite3 -bail "$_db" >"$_d/sqlite.err" 2>&1 <<EOF
.output $_d/integrity
PRAGMA integrity_check;
.output $_d/fk
PRAGMA foreign_key_check;
.output $_d/consistency
.read $HERE/consistency.sql
$_ledgers.output stdout
UPDATE messages SET recorded_at = 0;
.output $_d/dump
.dump
EOF
}

# sound DIR: the database inspected into DIR passes integrity_check,
# foreign_key_check and consistency.sql (why not in $why).
sound() {
    why=
    slurp "$1/integrity"
    [ "$REPLY" = $'ok\n' ] || why="integrity_check: ${REPLY:0:200}"
    slurp "$1/sqlite.err"
    [ -n "$REPLY" ] && why="${why:+$why; }sqlite3: ${REPLY:0:200}"
    slurp "$1/fk"
    [ -z "$why" ] && [ -n "$REPLY" ] && why="foreign_key_check: ${REPLY:0:200}"
    slurp "$1/consistency"
    [ -z "$why" ] && [ -n "$REPLY" ] && why="consistency.sql: ${REPLY:0:200}"
    why=${why//$'\n'/; }
    [ -z "$why" ]
}

# ledger_ok DB DIR OWNER...: `twoway summary --json` for each OWNER of
# DB shows the ledger that ledger.sql counted (inspected into DIR).
ledger_ok() {
    _db=$1 _d=$2
    shift 2
    for _o in "$@"; do
        "$TWOWAY" --db "$_db" --owner "$_o" summary --json 2>&1 | jq -r 'sort_by(.correspondent) | .[] |
            "\(.correspondent) \(.received) \(.sent) \(.asks_from_them) \(.asks_to_them) \(.answered_by_you) \(.answered_by_them) \(.you_owe) \(.they_owe) \(.replies_you) \(.replies_them)"' \
            >"$_d/summary-$_o" 2>&1
        if ! cmp -s "$_d/summary-$_o" "$_d/ledger-$_o" 2>/dev/null; then
            why="ledger of $_o: summary differs from ledger.sql: $(diff "$_d/ledger-$_o" "$_d/summary-$_o" 2>&1 | head -4 | tr '\n' ' ')"
            return 1
        fi
    done
}

# views DB OWNER ADDR: `twoway stats`, `show ADDR` and `summary` of
# OWNER, as JSON, less what changes from run to run (the database's
# path and size, the ages of asks).
views() {
    "$TWOWAY" --db "$1" --owner "$2" stats --json >"$1.v" 2>&1
    slurp "$1.v"
    echo "${REPLY%%,\"database\":*}"
    "$TWOWAY" --db "$1" --owner "$2" show --json "$3" >"$1.v" 2>&1
    slurp "$1.v"
    echo "${REPLY//\"age_seconds\":+([0-9]),/}"
    "$TWOWAY" --db "$1" --owner "$2" summary --json 2>&1
}

cp "$BASE/$DBNAME" "$T/before.db"
inspect "$T/before.db" "$T/before" $OWNER $OWNER2
sound "$T/before" && ledger_ok "$T/before.db" "$T/before" $OWNER
ok $? "the earlier mail: the checks pass on the database before any delivery${why:+ ($why)}"

slurp "$T/before/dump"
BEFORE_S=$REPLY

# killed_at LOG N: the shim's log ends with its kill at step N.
killed_at() {
    slurp "$1"
    REPLY=${REPLY%$'\n'}
    [ "${REPLY##*$'\n'}" = "killed $2" ]
}

# note KEY N [WHY]: one result of kill point N, a line of $RESULTS:
# before, after (what the kill left), or the check that failed: kill,
# out, sound, state, retry, final, views.
note() {
    echo "$*" >>"$RESULTS"
}

# tally LABEL COUNT FILE...: the results noted in FILE... for COUNT kill
# points, one TAP line per check, naming the N that failed and why the
# first one did.
tally() {
    local _label=$1 _count=$2 k n why line before=0 after=0 failed=0
    local -A bad=() first=()
    shift 2
    while read -r k n why; do
        case $k in
        before) before=$((before + 1)) ;;
        after) after=$((after + 1)) ;;
        *)
            failed=1
            bad[$k]="${bad[$k]:-} $n"
            [ -n "${first[$k]:-}" ] || first[$k]="N=$n${why:+: $why}"
            ;;
        esac
    done < <(sort -k2,2n -s "$@")
    echo "# $_label: $_count kill points; the database left as before the delivery $before times, as after it $after times"
    for line in \
        "kill|each of the $_count runs was killed at its step N" \
        "sound|after every kill integrity_check is ok, foreign_key_check and consistency.sql find nothing" \
        "state|after every kill the database is the one before the delivery or the one after it, row for row, so the ledger is the one counted from its rows" \
        "retry|the same delivery again, after every kill, succeeds with the output of the run never killed" \
        "final|it leaves a sound database, row for row the one of the run never killed: the message recorded once" \
        "views|twoway stats, show and summary are then those of the run never killed" \
        "out|a killed filter wrote at most a strict prefix of its output"; do
        k=${line%%|*}
        [ "$k" = out ] && [ -z "$TALLY_OUT" ] && continue
        [ -z "${bad[$k]:-}" ] && { [ "$k" != state ] || [ $((before + after)) -eq "$_count" ]; }
        ok $? "$_label: ${line#*|}${bad[$k]:+ (not at N =${bad[$k]}; ${first[$k]})}"
    done
    [ $failed -eq 0 ]
}

# left C N: checks what a kill left (a copy, C) against the databases
# before and after the delivery ($BEFORE_S, $REF_S).
left() {
    inspect "$1/$DBNAME" "$1.i" $OWNER $OWNER2
    sound "$1.i" || note sound "$2" "$why"
    slurp "$1.i/dump"
    if [ "$REPLY" = "$BEFORE_S" ]; then
        note before "$2"
    elif [ "$REPLY" = "$REF_S" ]; then
        note after "$2"
    else
        # what it is then, for the failure's line
        ledger_ok "$1/$DBNAME" "$1.i" $OWNER $OWNER2
        note state "$2" "$(diff "$T/before/dump" "$1.i/dump" 2>/dev/null | grep -c '^[<>]') rows differ" \
            "from before, $(diff "$REF_DUMP" "$1.i/dump" 2>/dev/null | grep -c '^[<>]') from after${why:+; $why}"
    fi
}

# ---------------------------------------------------------------------
# Filter and import: one process per delivery

# deliver FACE DIR: the delivery of FACE into DIR/ledger.db; stdout in
# DIR.out, stderr in DIR.err, status in $rc.  Under the shim when $AT
# is set (0: count only), logging its steps to DIR.log; $TORN=1 cuts
# the write at step $AT in half, $OUT=1 counts writes to stdout too.
# (The braces keep bash from reporting the kill on its own stderr.)
deliver() {
    _face=$1 _dir=$2
    case $_face in
    in) set -- "$FILTER" --db "$_dir/$DBNAME" --owner $OWNER; _in=$MAIL/alice.eml ;;
    sent) set -- "$FILTER" --db "$_dir/$DBNAME" --owner $OWNER --sent --pass; _in=$MAIL/robin.eml ;;
    import) set -- "$TWOWAY" --db "$_dir/$DBNAME" --owner $OWNER import --quiet "$MAIL/import.mbox"; _in=/dev/null ;;
    esac
    if [ -n "${AT:-}" ]; then
        _pre=$PRE_FILTER
        [ "$_face" = import ] && _pre=$PRE_TWOWAY
        { LD_PRELOAD=$_pre KILLSHIM_DB=$DBNAME KILLSHIM_AT=$AT KILLSHIM_LOG=$_dir.log \
              KILLSHIM_TORN=${TORN:-} KILLSHIM_STDOUT=${OUT:-} "$@" <"$_in" >"$_dir.out" 2>"$_dir.err"; } 2>/dev/null
    else
        "$@" <"$_in" >"$_dir.out" 2>"$_dir.err"
    fi
    rc=$?
}

# reference FACE SHOW: the run of FACE never killed, counting its steps
# (writes to stdout too, for the filter).  Sets $TOTAL, $STEPS (the
# kinds of step, counted), $REF_DUMP, $REF_OUT, $REF_VIEWS (with
# `show SHOW`).
reference() {
    _f=$1 _r=$T/run/$1-ref
    mkdir -p "$_r" "$_r.copy"
    cp "$BASE/$DBNAME" "$_r/"
    _out=
    [ "$_f" != import ] && _out=1
    AT=0 OUT=$_out deliver "$_f" "$_r"
    _rc=$rc
    TOTAL=$(wc -l <"$_r.log")
    STEPS=$(awk '{ print $2 " " $3 }' "$_r.log" | sort | uniq -c |
            awk '{ printf "%s%s %s %s", s, $1, $2, $3; s = ", " }')
    REF_OUT=$T/ref-$_f.out
    cp "$_r.out" "$REF_OUT"
    cp "$_r"/* "$_r.copy/"
    inspect "$_r.copy/$DBNAME" "$_r.i" $OWNER $OWNER2
    REF_DUMP=$T/ref-$_f.dump
    cp "$_r.i/dump" "$REF_DUMP"
    slurp "$REF_DUMP"
    REF_S=$REPLY
    views "$_r/$DBNAME" $OWNER "$2" >"$_r.views"
    slurp "$_r.views"
    REF_VIEWS=$REPLY
    is "$_rc|$(head -c 300 "$_r.err")" "0|" "$_f: the delivery never killed exits 0, says nothing on stderr"
    sound "$_r.i" && ledger_ok "$_r.copy/$DBNAME" "$_r.i" $OWNER $OWNER2
    ok $? "$_f: the checks pass on the database after it, and its ledger is the one counted from its rows${why:+ ($why)}"
    echo "# $_f: $TOTAL steps: $STEPS"
}

# changed FACE SQL: a number from the database after the delivery
# minus the same from the database before it.
changed() {
    echo $(($(sqlite3 "$T/run/$1-ref.copy/$DBNAME" "$2") - $(sqlite3 "$T/before.db" "$2")))
}

# sweep_part FACE SHOW TORN N...: kill points N... of FACE (TORN=1: in
# the middle of the write), results noted in $RESULTS.
sweep_part() {
    local _f=$1 _show=$2 _torn=$3 _out= n w c _refout _dump
    shift 3
    [ "$_f" != import ] && _out=1
    slurp "$REF_OUT"
    _refout=$REPLY
    for n in "$@"; do
        w=$T/run/$_f${_torn:+-torn}-$n c=$T/run/$_f${_torn:+-torn}-$n.copy
        mkdir -p "$w" "$c"
        cp "$BASE/$DBNAME" "$w/"
        AT=$n TORN=$_torn OUT=$_out deliver "$_f" "$w"
        killed_at "$w.log" "$n${_torn:+ torn}" && [ $rc -eq 137 ] || note kill "$n" "exit $rc"
        # what the killed process wrote: a strict prefix of the output
        slurp "$w.out"
        if [ -n "$REPLY" ] && { [ ${#REPLY} -ge ${#_refout} ] || [[ $_refout != "$REPLY"* ]]; }; then
            note out "$n" "${#REPLY} bytes"
        fi
        mv "$w.err" "$w.killed.err"
        cp "$w"/* "$c/"
        left "$c" "$n"
        # the same delivery again, on what the kill left
        AT= deliver "$_f" "$w"
        if [ $rc -ne 0 ] || [ -s "$w.err" ] || ! cmp -s "$w.out" "$REF_OUT"; then
            note retry "$n" "exit $rc, $(head -c 200 "$w.err" | tr '\n' ' ')"
        fi
        views "$w/$DBNAME" $OWNER "$_show" >"$w.views"
        slurp "$w.views"
        [ "$REPLY" = "$REF_VIEWS" ] || note views "$n"
        inspect "$w/$DBNAME" "$w.i"
        slurp "$w.i/dump"
        _dump=$REPLY
        sound "$w.i" || note final "$n" "$why"
        [ "$_dump" = "$REF_S" ] || note final "$n" "not the database of the run never killed"
    done
}

# sweep FACE SHOW [KIND]: FACE killed at every step; with KIND (wal,
# db), in the middle of every write of more than a byte to that file.
# Two workers share the kill points.
sweep() {
    local _f=$1 _show=$2 _kind=${3:-} _torn= _points _label _tag n i=0 t0=$SECONDS
    local p0= p1=
    _points=$(seq 1 "$TOTAL")
    _label=$_f
    if [ -n "$_kind" ]; then
        _torn=1
        _points=$(awk -v k="$_kind" '$2 ~ /write/ && $3 == k && $4 > 1 { print $1 }' "$T/run/$_f-ref.log")
        _label="$_f, writes to the $_kind file torn"
    fi
    _tag=$_f${_torn:+-torn}
    for n in $_points; do
        if ((i++ % 2)); then p1="$p1 $n"; else p0="$p0 $n"; fi
    done
    : >"$T/run/$_tag.r0"
    : >"$T/run/$_tag.r1"
    RESULTS=$T/run/$_tag.r0 sweep_part "$_f" "$_show" "$_torn" $p0 &
    RESULTS=$T/run/$_tag.r1 sweep_part "$_f" "$_show" "$_torn" $p1 &
    wait
    echo "# $_label: $((SECONDS - t0)) s"
    TALLY_OUT=
    [ "$_f" != import ] && TALLY_OUT=1
    # what passed is not kept
    tally "$_label" "$i" "$T/run/$_tag.r0" "$T/run/$_tag.r1" &&
        rm -rf "$T/run/$_tag-"+([0-9])*
}

# --- in: twoway-filter, incoming
reference in alice@example.com
is "$(changed in 'SELECT count(*) FROM threads')|$(changed in 'SELECT count(*) FROM asks WHERE answered_at IS NOT NULL')|$(changed in 'SELECT count(*) FROM asks')|$(changed in 'SELECT count(*) FROM replies')" \
   "-1|1|1|1" "in: the delivery joins two threads, answers an ask, opens one, adds a reply time"
IN_LOG=$T/run/in-ref.log
sweep in alice@example.com
sweep in alice@example.com wal

# --- sent: twoway-filter --sent --pass
reference sent farid@example.edu
is "$(changed sent 'SELECT sum(chases) FROM asks')|$(changed sent 'SELECT count(*) FROM messages')" \
   "1|1" "sent: the delivery records Robin's message as a chase of his open ask"
cmp -s "$REF_OUT" "$MAIL/robin.eml"
ok $? "sent: --pass writes the message unchanged"
sweep sent farid@example.edu

# --- import: twoway import, one transaction for the mbox
reference import ben.okafor@example.net
is "$(changed import 'SELECT count(*) FROM messages')|$(changed import 'SELECT count(*) FROM asks WHERE answered_at IS NOT NULL')|$(changed import 'SELECT count(*) FROM replies')" \
   "3|2|1" "import: three new messages; Robin's ask to two, recorded after its answer, is answered at once, with a reply time"
grep -q 'pwrite db' "$T/run/import-ref.log"
ok $? "import: the database file itself is written (the checkpoint when the last connection closes)"
sweep import ben.okafor@example.net
sweep import ben.okafor@example.net db

echo "# filter and import: $((SECONDS - STARTED)) s"

# ---------------------------------------------------------------------
# The milter: a daemon killed while it records; the MTA then retries.
# Milters start, deliver and stop BATCH at a time (each with its own
# copy, port and stderr): most of a delivery's time is spent waiting
# on the network.

BATCH=22
_port=$((20000 + ($$ % 1200) * 10 + 5))
# next_port: a port nobody listens on, never the same twice in a run
next_port() {
    while :; do
        _port=$((_port + 1))
        if ! (exec 3<>"/dev/tcp/127.0.0.1/$_port") 2>/dev/null; then
            PORT=$_port
            return
        fi
    done
}

MPIDS= MDIRS=
cleanup() {
    for _d in $MDIRS; do
        slurp "$_d.pid"
        [ -n "$REPLY" ] && kill -KILL "${REPLY%$'\n'}" 2>/dev/null
    done
}
trap cleanup EXIT

# mstart DIR [N]: a milter on DIR/ledger.db, its configuration in
# DIR.conf, stderr in DIR.merr, on a new port (in DIR.port); under the
# shim (counting, and killing at step N > 0) when N is given.  A
# subshell runs it, writes its PID in DIR.pid and its exit status in
# DIR.mrc (137: killed); the subshell's PID goes in DIR.spid.
mstart() {
    printf 'Domain example.org\nDatabase %s\nSyslog no\nAllowRoot yes\n' "$1/$DBNAME" >"$1.conf"
    next_port
    echo "$PORT" >"$1.port"
    rm -f "$1.pid" "$1.mrc"
    : >"$1.merr"
    (
        if [ -n "${2:-}" ]; then
            LD_PRELOAD=$PRE_MILTER KILLSHIM_DB=$DBNAME KILLSHIM_AT=$2 KILLSHIM_LOG=$1.log \
                "$MILTER" -c "$1.conf" -p "inet:$PORT@127.0.0.1" -f 2>"$1.merr" &
        else
            "$MILTER" -c "$1.conf" -p "inet:$PORT@127.0.0.1" -f 2>"$1.merr" &
        fi
        echo $! >"$1.pid"
        wait $!
        echo $? >"$1.mrc"
    ) 2>/dev/null &
    echo $! >"$1.spid"
    MPIDS="$MPIDS $!"
    MDIRS="$MDIRS $1"
}

# mready DIR...: waits (10 s at most) until each milter listens.
mready() {
    local d i
    for d in "$@"; do
        for ((i = 0; i < 500; i++)); do
            slurp "$d.merr"
            [[ $REPLY == *"listening on"* ]] && break
            sleep 0.02
        done
    done
}

# mdeliver DIR...: the message through each DIR's milter, side by side;
# miltertest's output in DIR.mt, its status in DIR.mtrc.
mdeliver() {
    local d
    for d in "$@"; do
        slurp "$d.port"
        { miltertest -D HELPER="$SRC/tests/milter/helper.lua" -D SOCK="inet:${REPLY%$'\n'}@127.0.0.1" \
              -s "$HERE/deliver.lua" >"$d.mt" 2>&1; echo $? >"$d.mtrc"; } &
    done
    wait_for_jobs
}

# wait_for_jobs: waits for the background jobs that are not milters.
wait_for_jobs() {
    local j
    for j in $(jobs -p); do
        case " $MPIDS " in *" $j "*) ;; *) wait "$j" ;; esac
    done
}

# mstop DIR...: stops each milter still running (SIGTERM; libmilter
# sees it when a connection comes, so one is made) and waits for it.
mstop() {
    local d i alive
    for d in "$@"; do
        slurp "$d.pid"
        kill -TERM "${REPLY%$'\n'}" 2>/dev/null
    done
    for ((i = 0; i < 200; i++)); do
        alive=0
        for d in "$@"; do
            slurp "$d.pid"
            if kill -0 "${REPLY%$'\n'}" 2>/dev/null; then
                alive=1
                slurp "$d.port"
                (exec 3<>"/dev/tcp/127.0.0.1/${REPLY%$'\n'}") 2>/dev/null
            fi
        done
        [ $alive -eq 0 ] && break
        sleep 0.05
    done
    for d in "$@"; do
        slurp "$d.spid"
        wait "${REPLY%$'\n'}"
    done
}

# tags DIR: the tags miltertest saw added, one per line.
tags() {
    grep '^TAG ' "$1.mt" 2>/dev/null
}

# mviews DB: Robin's stats, show alice@example.com and summary, Sam's
# summary.
mviews() {
    views "$1" $OWNER alice@example.com
    "$TWOWAY" --db "$1" --owner $OWNER2 summary --json 2>&1
}

if ! command -v miltertest >/dev/null 2>&1; then
    skip "milter" "miltertest is not installed (Debian: apt-get install miltertest)"
elif [ ! -x "$MILTER" ]; then
    skip "milter" "twoway-milter is not built"
else
    PRE_MILTER=$(preload "$MILTER")
    t0=$SECONDS
    r=$T/run/milter-ref
    mkdir -p "$r" "$r.copy"
    cp "$BASE/$DBNAME" "$r/"
    mstart "$r" 0
    mready "$r"
    mdeliver "$r"
    mstop "$r"
    TOTAL=$(wc -l <"$r.log")
    STEPS=$(awk '{ print $2 " " $3 }' "$r.log" | sort | uniq -c |
            awk '{ printf "%s%s %s %s", s, $1, $2, $3; s = ", " }')
    REF_TAGS=$(tags "$r")
    cp "$r"/* "$r.copy/"
    inspect "$r.copy/$DBNAME" "$r.i" $OWNER $OWNER2
    REF_DUMP=$T/ref-milter.dump
    cp "$r.i/dump" "$REF_DUMP"
    slurp "$REF_DUMP"
    REF_S=$REPLY
    mviews "$r/$DBNAME" >"$r.views"
    slurp "$r.views"
    REF_VIEWS=$REPLY
    is "$(cat "$r.mtrc")|$(cat "$r.mrc")|$(grep -c 'X-Twoway-Ask: yes' "$r.mt")" "0|0|1" \
       "milter: the delivery never killed: miltertest passes, the milter exits 0, the ask to Sam is tagged"
    grep -v -e 'listening on' -e 'running as root' -e 'KILL0001: recorded' -e 'stopped$' "$r.merr" | sed 's/^/# /'
    sound "$r.i" && ledger_ok "$r.copy/$DBNAME" "$r.i" $OWNER $OWNER2
    ok $? "milter: the checks pass on the database after it, for Robin's ledger and Sam's${why:+ ($why)}"
    is "$(changed milter 'SELECT count(*) FROM owners')|$(changed milter 'SELECT count(*) FROM messages')|$(changed milter 'SELECT count(*) FROM asks WHERE answered_at IS NOT NULL')" \
       "1|2|1" "milter: one transaction records the message for Robin and for Sam (a new owner), and answers Alice's ask"
    echo "# milter: $TOTAL steps: $STEPS"

    RESULTS=$T/run/milter.r
    : >"$RESULTS"
    replied=0
    set -- $(seq 1 "$TOTAL")
    while [ $# -gt 0 ]; do
        batch=
        for ((i = 0; i < BATCH && $# > 0; i++)); do
            batch="$batch $T/run/milter-$1"
            shift
        done
        for w in $batch; do
            mkdir -p "$w" "$w.copy"
            cp "$BASE/$DBNAME" "$w/"
            mstart "$w" "${w##*-}"
        done
        mready $batch
        mdeliver $batch
        mstop $batch
        for w in $batch; do
            n=${w##*-}
            slurp "$w.mrc"
            mrc=${REPLY%$'\n'}
            killed_at "$w.log" "$n" && [ "$mrc" = 137 ] || note kill "$n" "exit $mrc"
            slurp "$w.mtrc"
            [ "$REPLY" = $'0\n' ] && replied=$((replied + 1))
            cp "$w"/* "$w.copy/"
            left "$w.copy" "$n"
        done
        # the MTA tries again: a new milter on what the kill left
        for w in $batch; do
            mv "$w.merr" "$w.killed.merr"
            mv "$w.mt" "$w.killed.mt"
            mstart "$w"
        done
        mready $batch
        mdeliver $batch
        mstop $batch
        for w in $batch; do
            n=${w##*-}
            if [ "$(cat "$w.mtrc")|$(cat "$w.mrc")" != "0|0" ] || [ "$(tags "$w")" != "$REF_TAGS" ]; then
                note retry "$n" "miltertest $(cat "$w.mtrc"), milter $(cat "$w.mrc"): $(tail -2 "$w.mt" | tr '\n' ' ')"
            fi
            mviews "$w/$DBNAME" >"$w.views"
            slurp "$w.views"
            [ "$REPLY" = "$REF_VIEWS" ] || note views "$n"
            inspect "$w/$DBNAME" "$w.i"
            slurp "$w.i/dump"
            _dump=$REPLY
            sound "$w.i" || note final "$n" "$why"
            [ "$_dump" = "$REF_S" ] || note final "$n" "not the database of the run never killed"
        done
    done
    echo "# milter: $((SECONDS - t0)) s; $replied times the milter had replied before it was killed"
    TALLY_OUT=
    tally milter "$TOTAL" "$RESULTS" && rm -rf "$T/run/milter-"+([0-9])*
fi

# ---------------------------------------------------------------------
# procmail and a killed filter: the message is kept

# pmrc NAME AT TORN RESCUE: a procmailrc $T/NAME.rc delivering to
# $T/NAME/inbox.mbox through the filter on $T/NAME/ledger.db, killed at
# step AT (none when empty; TORN=1: in the middle of that write; writes
# to stdout count), with the ":0e { EXITCODE=75 HOST }" recipe of
# twoway-filter(1) when RESCUE is 1.
pmrc() {
    _env=
    [ -n "$2" ] && _env="env \"LD_PRELOAD=$PRE_FILTER\" KILLSHIM_DB=$DBNAME KILLSHIM_AT=$2 KILLSHIM_TORN=$3 KILLSHIM_STDOUT=1 KILLSHIM_LOG=$T/$1.log"
    {
        echo "SHELL=/bin/sh"
        echo "PATH=/usr/local/bin:/usr/bin:/bin"
        echo "MAILDIR=$T/$1"
        echo "DEFAULT=$T/$1/inbox.mbox"
        echo "LOGFILE=$T/$1.pmlog"
        echo "VERBOSE=yes"
        echo ":0fw"
        echo "| $_env \"$FILTER\" --db \"$T/$1/$DBNAME\" --owner $OWNER"
        if [ "$4" = 1 ]; then
            echo ":0e"
            echo "{ EXITCODE=75 HOST }"
        fi
    } >"$T/$1.rc"
}

# pm NAME: procmail with $T/NAME.rc on Alice's message; status in $rc.
pm() {
    procmail -m "$T/$1.rc" <"$MAIL/alice.eml" >"$T/$1.pmout" 2>&1
    rc=$?
}

if ! command -v procmail >/dev/null 2>&1; then
    skip "procmail" "procmail is not installed"
else
    # the step numbers of the reference run of "in" (stdout counted)
    at_sync=$(awk '$2 == "fdatasync" && $3 == "wal" { print $1; exit }' "$IN_LOG")
    at_out=$(awk '$2 == "write" && $3 == "stdout" { print $1; exit }' "$IN_LOG")
    [ -n "$at_sync" ] && [ -n "$at_out" ]
    ok $? "procmail: the steps to kill at are found (first fdatasync of the log: ${at_sync:-none}, first write of the message: ${at_out:-none})"
    for c in "sync ${at_sync:-0} 0 1" "out ${at_out:-0} 1 1" "keep ${at_out:-0} 1 0"; do
        set -- $c
        mkdir -p "$T/pm-$1"
        cp "$BASE/$DBNAME" "$T/pm-$1/"
        pmrc "pm-$1" "$2" "$3" "$4"
        pm "pm-$1"
        case $1 in
        sync) what="killed at its first fdatasync (step $2)" ;;
        out) what="killed half way through writing the message (step $2)" ;;
        keep) what="killed half way through writing the message, no :0e recipe" ;;
        esac
        _t=
        [ "$3" = 1 ] && _t=" torn"
        killed_at "$T/pm-$1.log" "$2$_t"
        ok $? "procmail, filter $what: the filter was killed there"
        if [ "$4" = 1 ]; then
            is "$rc|$(cat "$T/pm-$1/inbox.mbox" 2>/dev/null | wc -c)" "75|0" \
               "procmail, filter $what: procmail exits 75 and delivers nothing"
            grep -q 'Rescue of unfiltered data succeeded' "$T/pm-$1.pmlog"
            ok $? "procmail, filter $what: procmail logs the rescue of the unfiltered message"
        else
            cmp -s "$T/pm-$1/inbox.mbox" "$MAIL/alice.eml"
            is "$rc|$?" "0|0" "procmail, filter $what: procmail delivers the original message, byte for byte"
        fi
        if [ "$1" != keep ]; then
            # the MTA delivers again: the tagged message, recorded once
            mkdir -p "$T/pm-$1-again"
            pmrc "pm-$1-again" "" "" 1
            sed -i "s|$T/pm-$1-again/$DBNAME|$T/pm-$1/$DBNAME|" "$T/pm-$1-again.rc"
            pm "pm-$1-again"
            cmp -s "$T/pm-$1-again/inbox.mbox" "$T/ref-in.out"
            is "$rc|$?|$(stat_of "$T/pm-$1/$DBNAME" messages)" "0|0|$(($(stat_of "$T/before.db" messages) + 1))" \
               "procmail, filter $what: delivered again, the tagged message is delivered and recorded once"
        fi
    done
fi

echo "# killsteps: $((SECONDS - STARTED)) s in all"
done_testing
