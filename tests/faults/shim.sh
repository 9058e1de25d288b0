#!/bin/bash
# shim.sh - calls made to fail on purpose, one at a time, for each face:
# tests/faults/failshim.c, an LD_PRELOAD library built here, fails the
# Nth malloc (and every later one, or only that one), the Nth write
# (EIO or ENOSPC, to any file or to one descriptor), fsync/fdatasync
# (EIO), and the SQLite calls sqlite3_step, sqlite3_prepare_v2/_v3 and
# sqlite3_open_v2 (SQLITE_IOERR, SQLITE_FULL, SQLITE_BUSY).  N is swept
# over every call the run makes (tests/faults/sweep.pl runs a program
# once per N; tests/faults/sweep.lua feeds a running milter one fault
# after another through the shim's control file).
#
# The promises (DESIGN.md "Never lose mail"):
#   filter   exit 0 with the whole message (tagged, or untagged under
#            OnError accept), or a non-zero exit: never 0 with partial
#            output.  GLib aborts when g_malloc fails, by design: a
#            filter that dies leaves the mail to procmail, which keeps
#            the original (checked here with a real procmail).
#   milter   a sane reply (continue/accept with all tags or none, or
#            451 4.3.0 under OnError tempfail) and it keeps serving; or,
#            when GLib aborts, it is gone and the MTA applies its
#            milter_default_action.
#   command  exit 0 having recorded everything, or a non-zero exit with
#            an error; the database passes PRAGMA integrity_check.
#
# The filter links SQLite statically: the sqlite3_* faults reach only
# the milter and the command.  A filter linked whole as a static PIE
# takes no LD_PRELOAD at all: the filter swept is then the one make
# check links from the same objects with the C library shared
# (tests/twoway-filter-dynamic, GLib and SQLite linked in as before).  Under AddressSanitizer the shim is
# preloaded before libasan (ASAN_OPTIONS=verify_asan_link_order=0).
# A sweep that would take longer than its share of FAULTS_BUDGET
# (seconds, default 60) takes every Kth call; FAULTS_BUDGET=0 sweeps
# every call whatever it takes.  Each sweep's coverage is printed.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib/tap.sh"
. "$SRC/tests/face/common.sh"

MILTER=${MILTER:-$BUILD/milter/twoway-milter}
HERE=$SRC/tests/faults
HELPER=$SRC/tests/milter/helper.lua
SWEEP="perl $HERE/sweep.pl"
BUDGET=${FAULTS_BUDGET:-60}
ulimit -c 0

need sqlite3 perl
use_dynamic_filter

# ---------------------------------------------------------------------
# The shim: built here, without sanitizers, so that it runs in front of
# any build of the faces

SHIM=$T/failshim.so
if ! ${CC:-cc} -shared -fPIC -O2 -Wall -Wextra -Werror -o "$SHIM" "$HERE/failshim.c" -ldl \
        >"$T/cc.out" 2>&1; then
    if ! command -v "${CC:-cc}" >/dev/null 2>&1; then
        echo "1..0 # SKIP no C compiler (${CC:-cc}) to build the shim"
        exit 0
    fi
    ok 1 "failshim.c compiles"
    sed 's/^/# /' "$T/cc.out"
    done_testing
    exit
fi
ok 0 "failshim.c compiles"

# preload PROGRAM: LD_PRELOAD for PROGRAM (the shim, then libasan when
# PROGRAM was built with AddressSanitizer)
libasan() { ldd "$1" 2>/dev/null | awk '/libasan/ { print $3; exit }'; }
preload() {
    _asan=$(libasan "$1")
    echo "$SHIM${_asan:+:$_asan}"
}
PRE_F=$(preload "$FILTER")
PRE_C=$(preload "$TWOWAY")
PRE_M=
[ -x "$MILTER" ] && PRE_M=$(preload "$MILTER")
ASAN=
[ -n "$(libasan "$FILTER")$(libasan "$TWOWAY")" ] && ASAN=yes
[ -x "$MILTER" ] && [ -n "$(libasan "$MILTER")" ] && ASAN=yes
if [ -n "$ASAN" ]; then
    export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0"
    echo "# AddressSanitizer build: the shim is preloaded before libasan"
fi

# Sweeps run in a tmpfs when there is one (/dev/shm), the faces' output
# included: the filter syncs its output when it is a file.
if [ -d /dev/shm ] && [ -w /dev/shm ]; then
    SW=$(mktemp -d /dev/shm/twoway-shim.XXXXXX)
else
    SW=$(mktemp -d "${TMPDIR:-/tmp}/twoway-shim.XXXXXX")
fi
STARTED=$T/started
: >"$STARTED"
cleanup() {
    while read -r _n _p _e; do
        kill -0 "$_p" 2>/dev/null && kill -KILL "$_p" 2>/dev/null
    done <"$STARTED"
    rm -rf "$SW"
}
trap cleanup EXIT

# ---------------------------------------------------------------------
# Mail and a ledger to start from

mbox_to_files "$SAMPLE/inbox.mbox" "$T/inf"
MSG=$SW/in-12.eml
cp "$T/inf/12.eml" "$MSG"
split_mbox "$SAMPLE/inbox.mbox" "$T/in"
awk '/^From / { n++ } n <= 3' "$SAMPLE/sent.mbox" >"$SW/three.mbox"
printf 'Owner robin@example.org\nBusyTimeout 300\n' >"$SW/accept.conf"
"$TWOWAY" --db "$SW/base.db" --owner $OWNER import --quiet "$T"/inf/0[1-9].eml >"$T/base.out" 2>&1
sqlite3 "$SW/base.db" 'PRAGMA wal_checkpoint(TRUNCATE);' >/dev/null
cp "$SW/base.db" "$SW/t.db"
"$FILTER" --config "$SW/accept.conf" --db "$SW/t.db" <"$MSG" >"$SW/tagged.eml" 2>"$T/tagged.err"
inserted_ok "$MSG" "$SW/tagged.eml" >/dev/null 2>&1 && [ -n "$(tag "$SW/tagged.eml" Ask)" ]
ok $? "the filter tags in-12 on the starting ledger (the whole output every sweep compares with)"
printf '3 messages read, 3 recorded, 0 already known, 0 not mail\n' >"$SW/imported.txt"

# the shim counts the calls of every face, and its malloc is the one
# they call, under AddressSanitizer too
rm -f "$SW/count"
LD_PRELOAD=$PRE_F FAILSHIM_COUNT=$SW/count "$FILTER" --version >/dev/null 2>&1
LD_PRELOAD=$PRE_C FAILSHIM_COUNT=$SW/count "$TWOWAY" --db "$SW/base.db" --owner $OWNER stats >/dev/null 2>&1
is "$(awk '$1 == "malloc" && $2 == "calls" && $3 > 0 { n++ }
           $1 == "sqlite3_step" && $2 == "calls" && $3 > 0 { s++ } END { print n + 0, s + 0 }' "$SW/count")" \
   "2 1" "the shim counts malloc in the filter and the command, sqlite3_step in the command${ASAN:+ (ASan build)}"
# (the shell's own word on the death is silenced with it)
{
    LD_PRELOAD=$PRE_F FAILSHIM_MALLOC=1 "$FILTER" --config "$SW/accept.conf" --db "$SW/x.db" \
        <"$MSG" >"$SW/x.out"
    rc=$?
} 2>/dev/null
[ $rc -ne 0 ] && [ ! -s "$SW/x.out" ]
ok $? "with every malloc failing, the filter exits non-zero ($rc) and writes nothing${ASAN:+ (ASan build)}"

# ---------------------------------------------------------------------
# Reading a sweep (sweep.pl's lines: N STATUS OUTPUT INJECTED CHECK
# ERRLINES SANITIZER | FIRST-STDERR-LINE)

# sweep NAME PRELOAD SHARE FAMILY [sweep.pl options] -- COMMAND...: runs
# sweep.pl into $T/NAME.txt, within SHARE (percent) of the budget
sweep() {
    _name=$1 _pre=$2 _share=$3 _fam=$4
    shift 4
    _b=
    [ "$BUDGET" != 0 ] && [ "$_share" != 0 ] && _b="--budget $((BUDGET * _share / 100))"
    $SWEEP --preload "$_pre" --family "$_fam" --tmp "$SW" $_b "$@" >"$T/$_name.txt" 2>"$T/$_name.err"
    echo "# $_name: $(coverage "$_name"): $(summary "$_name")"
}

# coverage NAME: "C calls, every call" or "C calls, every Kth call"
coverage() {
    awk 'NR == 1 { printf "%d calls, every %s", $3, $5 == 1 ? "call" : $5 "th call" }' "$T/$1.txt"
}

# summary NAME: how many runs ended how
summary() {
    awk 'NR > 1 && $4 == "yes" { c[$2 " " $3]++ }
         END { for (k in c) printf "%s%d %s", (n++ ? ", " : ""), c[k], k; print "" }' "$T/$1.txt"
}

# covered NAME: the sweep ran, failed calls, and (when it took every
# call) went one past the count (a run may make a call or two more than
# the one that counted: the command's reader thread)
covered() {
    awk 'NR == 1 { step = $5; calls = $3 }
         NR > 1 && $4 == "yes" { yes++ }
         NR > 1 { n = $1 }
         END { exit !(yes > 0 && (step != 1 || n == calls + 1)) }' "$T/$1.txt"
}

# bad NAME AWK-CONDITION: the runs that failed a call and for which the
# condition holds (none expected), shown as diagnostics; true when there
# are none
bad() {
    awk "NR > 1 && \$4 == \"yes\" && ($2)" "$T/$1.txt" >"$T/$1.bad"
    [ ! -s "$T/$1.bad" ] && return 0
    sed 's/^/#   /' "$T/$1.bad" | head -5
    return 1
}

# integrity_of DB: PRAGMA integrity_check of a copy of DB and its -wal
integrity_of() {
    rm -f "$SW/check.db" "$SW/check.db-wal" "$SW/check.db-shm"
    cp "$1" "$SW/check.db" 2>/dev/null || { echo "cannot read $1"; return; }
    [ -f "$1-wal" ] && cp "$1-wal" "$SW/check.db-wal"
    sqlite3 "$SW/check.db" 'PRAGMA integrity_check;' 2>&1 | head -1
}

# ---------------------------------------------------------------------
# 1. The filter

F_ARGS="--stdin $MSG --tags --whole tagged=$SW/tagged.eml --whole untagged=$MSG --db $SW/t.db --base $SW/base.db"
F_CMD="$FILTER --config $SW/accept.conf --db $SW/t.db"

# malloc, the Nth and every later call: GLib's g_malloc aborts (or,
# when its own message cannot be allocated, recurses until the stack
# runs out: a small stack makes that quick); SQLite's allocations fail
# softly and the mail passes untagged
(ulimit -s 1024; sweep f-malloc "$PRE_F" 35 malloc --timeout 3 $F_ARGS -- $F_CMD)
covered f-malloc
ok $? "filter, malloc from the Nth call on: swept ($(coverage f-malloc))"
bad f-malloc '$2 == "exit=0" && $3 != "tagged" && $3 != "retagged" && $3 != "untagged"'
ok $? "filter, malloc from the Nth call on: never exit 0 with a partial or empty message"
bad f-malloc '$2 == "exit=0" && $3 == "untagged" && $6 != 1'
ok $? "filter, malloc from the Nth call on: passed untagged, it says why in one line"
bad f-malloc '$2 ~ /^exit=/ && $2 != "exit=0" && $2 != "exit=75" && $7 == "-"'
ok $? "filter, malloc from the Nth call on: it exits 0 or 75, or dies (no other status)"

# malloc, the Nth call only
sweep f-malloc1 "$PRE_F" 10 malloc --set FAILSHIM_MODE=only --timeout 2 $F_ARGS -- $F_CMD
covered f-malloc1
ok $? "filter, malloc, the Nth call only: swept ($(coverage f-malloc1))"
bad f-malloc1 '$2 == "exit=0" && $3 != "tagged" && $3 != "retagged" && $3 != "untagged"'
ok $? "filter, malloc, the Nth call only: never exit 0 with a partial or empty message"

# write: to any file or pipe, EIO from the Nth on; ENOSPC on the Nth
# only; standard output only.  No crash, and the ledger stays whole.
# Every call, whatever the budget: there are few.
F_CHECK="sqlite3 $SW/t.db 'PRAGMA integrity_check;'"
sweep f-write "$PRE_F" 0 write --check "$F_CHECK" $F_ARGS -- $F_CMD
sweep f-write1 "$PRE_F" 0 write --set FAILSHIM_MODE=only --set FAILSHIM_WRITE_ERRNO=ENOSPC \
    --check "$F_CHECK" $F_ARGS -- $F_CMD
sweep f-write-out "$PRE_F" 0 write --set FAILSHIM_WRITE_ON=1 --set FAILSHIM_MODE=only $F_ARGS -- $F_CMD
sweep f-fsync "$PRE_F" 0 fsync --check "$F_CHECK" $F_ARGS -- $F_CMD
for s in f-write f-write1 f-write-out f-fsync; do
    covered $s && bad $s '!($2 == "exit=0" && ($3 == "tagged" || $3 == "retagged" || $3 == "untagged")) && $2 != "exit=75"'
    ok $? "filter, $s: every run exits 0 with the whole message or 75 ($(summary $s))"
done
for s in f-write f-write1 f-fsync; do
    bad $s '$5 != "ok"'
    ok $? "filter, $s: the ledger passes PRAGMA integrity_check after every run"
done
bad f-write-out '$2 != "exit=75"'
ok $? "filter, a failed write to standard output: always exit 75"

# sanitizers: nothing, but for the deaths of GLib when memory runs out
# (its recursion through g_error, a NULL that PCRE is handed)
SAN_MALLOC='$7 != "-" && $7 != "stack-overflow" && $7 != "SEGV"'
for s in f-malloc f-malloc1 f-write f-write1 f-write-out f-fsync; do
    case $s in *malloc*) cond=$SAN_MALLOC ;; *) cond='$7 != "-"' ;; esac
    bad $s "$cond"
    ok $? "filter, $s: no sanitizer report${ASAN:+ (AddressSanitizer build)}"
done

# ---------------------------------------------------------------------
# 2. procmail with a filter that dies: the :0fw recipe and
#    { EXITCODE=75 HOST } of twoway-filter(1)

if command -v procmail >/dev/null 2>&1; then
    mkdir -p "$T/mail"
    # rc NAME ENV...: a procmailrc running the filter with ENV (and the
    # :0e recipe unless NAME ends in -noe)
    rc() {
        _n=$1
        shift
        {
            echo "SHELL=/bin/sh"
            echo "MAILDIR=$T/mail"
            echo "DEFAULT=$T/mail/$_n.mbox"
            echo "LOGFILE=$T/$_n.log"
            echo "VERBOSE=yes"
            echo ":0fw"
            echo "| env $* $FILTER --config $SW/accept.conf --db $SW/pm.db"
            case $_n in *-noe) ;; *) printf ':0e\n{ EXITCODE=75 HOST }\n' ;; esac
        } >"$T/$_n.rc"
    }
    pm() { procmail -m "$T/$1.rc" <"$2" >"$T/$1.pm.out" 2>&1; rc=$?; }
    M=$T/in/21.eml
    # the signal each kind of death gives, as the sweeps saw it
    segv_at=$(awk 'NR > 1 && $2 == "signal=SEGV" { print $1; exit }' "$T/f-malloc.txt")
    for death in abort segv write; do
        case $death in
        abort) envs="LD_PRELOAD=$PRE_F FAILSHIM_MALLOC=1" ;;
        segv) envs="LD_PRELOAD=$PRE_F FAILSHIM_MALLOC=${segv_at:-0}" ;;
        write) envs="LD_PRELOAD=$PRE_F FAILSHIM_WRITE_ON=1 FAILSHIM_WRITE=2 FAILSHIM_MODE=only" ;;
        esac
        if [ $death = segv ] && [ -z "$segv_at" ]; then
            skip "procmail, a filter killed by SIGSEGV" "no malloc failure gave SIGSEGV in this build"
            skip "procmail, a filter killed by SIGSEGV, without :0e" "no malloc failure gave SIGSEGV in this build"
            continue
        fi
        # what the filter alone does with that
        {
            env $envs "$FILTER" --config "$SW/accept.conf" --db "$SW/pm.db" <"$M" >"$T/pm-$death.out"
            frc=$?
        } 2>/dev/null
        rc pm-$death $envs
        pm pm-$death "$M"
        [ "$rc" -eq 75 ] && [ ! -s "$T/mail/pm-$death.mbox" ] &&
            grep -q 'Rescue of unfiltered data succeeded' "$T/pm-$death.log"
        ok $? "procmail, the filter $death (status $frc, $(wc -c <"$T/pm-$death.out") bytes out): procmail rescues the mail and exits 75 ($rc), nothing delivered"
        rc pm-$death-noe $envs
        pm pm-$death-noe "$M"
        [ "$rc" -eq 0 ] && cmp -s "$T/mail/pm-$death-noe.mbox" "$M"
        ok $? "procmail, the filter $death, without :0e: the original delivered byte for byte"
    done
else
    for i in 1 2 3 4 5 6; do skip "procmail and a dying filter" "procmail is not installed"; done
fi

# ---------------------------------------------------------------------
# 3. The command: twoway import of three messages

I_ARGS="--whole whole=$SW/imported.txt --db $SW/i.db --base $SW/base.db --check"
I_CHECK="sqlite3 $SW/i.db 'PRAGMA integrity_check;'"
I_CMD="$TWOWAY --db $SW/i.db --owner $OWNER --config $SW/accept.conf import --sent $SW/three.mbox"
sweep c-malloc "$PRE_C" 10 malloc --timeout 3 $I_ARGS "$I_CHECK" -- $I_CMD
sweeps="c-malloc"
for fam in step prepare open; do
    for code in IOERR FULL BUSY; do
        sweep c-$fam-$code "$PRE_C" 2 $fam --set FAILSHIM_MODE=only --set FAILSHIM_SQLITE_RC=$code \
            $I_ARGS "$I_CHECK" -- $I_CMD
        sweeps="$sweeps c-$fam-$code"
    done
done
sweep c-write "$PRE_C" 0 write --set FAILSHIM_WRITE_ON=files $I_ARGS "$I_CHECK" -- $I_CMD
sweep c-write1 "$PRE_C" 0 write --set FAILSHIM_WRITE_ON=files --set FAILSHIM_MODE=only \
    --set FAILSHIM_WRITE_ERRNO=ENOSPC $I_ARGS "$I_CHECK" -- $I_CMD
sweep c-fsync "$PRE_C" 0 fsync $I_ARGS "$I_CHECK" -- $I_CMD
sweeps="$sweeps c-write c-write1 c-fsync"
for s in $sweeps; do
    covered $s && bad $s '$2 == "exit=0" && $3 != "whole"' &&
        bad $s '$2 ~ /^exit=/ && $2 != "exit=0" && $6 == 0' && bad $s '$5 != "ok"'
    ok $? "command, $s: exit 0 having recorded all, or an error; the ledger consistent after every run"
done
for s in $sweeps; do
    if [ $s = c-malloc ]; then
        bad $s "$SAN_MALLOC"
    else
        bad $s '$2 !~ /^exit=/ || $7 != "-"'
    fi
    ok $? "command, $s: no crash${ASAN:+, no sanitizer report}"
done

# ---------------------------------------------------------------------
# 4. The milter: one running process meets one fault after another

if ! command -v miltertest >/dev/null 2>&1 || [ ! -x "$MILTER" ]; then
    why="miltertest is not installed"
    [ -x "$MILTER" ] || why="twoway-milter is not built"
    skip "milter sweeps" "$why"
    done_testing
    exit
fi

# milter_conf NAME KIND: the configuration of milter NAME (OnError
# KIND, database $SW/NAME.db) and its control file (nothing fails)
milter_conf() {
    {
        printf 'Domain example.org\nDatabase %s\nSyslog no\nBusyTimeout 300\nOnError %s\n' "$SW/$1.db" "$2"
        [ "$(id -u)" -eq 0 ] && echo "AllowRoot yes"
    } >"$SW/$1.conf"
    printf 'FAILSHIM_MODE=only\n' >"$SW/$1.control"
}

# milter NAME KIND: a milter (OnError KIND) on $SW/NAME.db with the shim
# preloaded, controlled by $SW/NAME.control, listening on $SW/NAME.sock;
# the pid in $SW/NAME.pid
milter() {
    milter_conf "$1" "$2"
    rm -f "$SW/$1.sock"
    LD_PRELOAD=$PRE_M FAILSHIM_CONTROL=$SW/$1.control FAILSHIM_LOG=$SW/$1.log \
        FAILSHIM_COUNT=$SW/$1.count "$MILTER" -c "$SW/$1.conf" -p "unix:$SW/$1.sock" -f \
        2>>"$T/$1.err" &
    echo $! >"$SW/$1.pid"
    echo "$1 $! $T/$1.err" >>"$STARTED"
    _i=0
    while [ $_i -lt 200 ] && ! [ -S "$SW/$1.sock" ]; do
        sleep 0.02
        _i=$((_i + 1))
    done
    [ -S "$SW/$1.sock" ]
}

# msweep MILTER KIND LABEL VAR [SETTINGS [lua -D options]]: sweep.lua
msweep() {
    _m=$1 _k=$2 _l=$3 _v=$4 _s=${5:-}
    shift 4
    [ $# -gt 0 ] && shift
    # SIGPIPE ignored: miltertest writes into conversations the milter
    # has broken off (a failed write, a milter gone), and would die of it
    (
        trap '' PIPE
        exec timeout 300 miltertest -D HELPER="$HELPER" -D SOCK="unix:$SW/$_m.sock" \
            -D CONTROL="$SW/$_m.control" -D LOG="$SW/$_m.log" -D VAR="$_v" -D SETTINGS="$_s" \
            -D LABEL="$_l" -D EXPECT="$_k" "$@" -s "$HERE/sweep.lua"
    ) >"$T/m-$_l.out" 2>&1
    _rc=$?
    _sum=$(grep '^sweep ' "$T/m-$_l.out" | sed 's/^sweep [^:]*: //')
    ok $_rc "milter (OnError $_k), $_l: a sane reply every time, the same process recovers${_sum:+ ($_sum)}"
    [ $_rc -eq 0 ] || { tail -5 "$T/m-$_l.out" | sed 's/^/#   /'; tail -3 "$T/$_m.err" | sed 's/^/#   log: /'; }
}

milter ma accept && milter mt tempfail
_rc=$?
ok $_rc "milter: two milters (OnError accept, tempfail) start with the shim"
if [ $_rc -ne 0 ]; then
    tail -3 "$T/ma.err" "$T/mt.err" 2>/dev/null | sed 's/^/#   /'
    done_testing
    exit
fi
# sqlite3_prepare and sqlite3_open_v2 come only when the database is
# opened: after a failure (CLOSE=yes makes one before each N)
for fam in STEP PREPARE OPEN; do
    lc=$(echo $fam | tr 'A-Z' 'a-z')
    close=no
    [ $fam = STEP ] || close=yes
    for code in IOERR FULL BUSY; do
        msweep ma accept $lc-$code FAILSHIM_$fam FAILSHIM_SQLITE_RC=$code -D CLOSE=$close
    done
    msweep mt tempfail $lc-IOERR-t FAILSHIM_$fam FAILSHIM_SQLITE_RC=IOERR -D CLOSE=$close
done
msweep ma accept write-EIO FAILSHIM_WRITE FAILSHIM_WRITE_ON=files
msweep ma accept write-ENOSPC FAILSHIM_WRITE FAILSHIM_WRITE_ON=files,FAILSHIM_WRITE_ERRNO=ENOSPC
msweep mt tempfail write-EIO-t FAILSHIM_WRITE FAILSHIM_WRITE_ON=files
msweep ma accept fsync FAILSHIM_FSYNC
# writes to the MTA too, the Nth and every later one (a conversation
# whose writes fail is gone): it breaks off, the MTA applies its
# milter_default_action, and the next conversation works
msweep ma accept write-any FAILSHIM_WRITE FAILSHIM_WRITE_ON=any -D DROPS=yes -D MODE=from
for m in ma mt; do
    is "$(integrity_of "$SW/$m.db")" ok "milter $m: its ledger passes PRAGMA integrity_check after the sweeps"
done

# malloc: GLib aborts the milter when g_malloc fails; it is started
# again (as its service manager would: Restart=on-failure in
# contrib/twoway-milter.service) and the sweep goes on.  A milter that
# dies costs a restart: within the budget, every Kth call.
milter_conf mm accept
{
    echo '#!/bin/sh'
    echo '# restart.sh - starts the malloc-sweep milter again when it is gone'
    echo "pid=\$(cat '$SW/mm.pid' 2>/dev/null)"
    echo "alive() { kill -0 \"\$pid\" 2>/dev/null && ! grep -q '^State:.*Z' \"/proc/\$pid/status\" 2>/dev/null; }"
    echo "# a milter that said it aborts may take a while to go (AddressSanitizer"
    echo "# writes its report first): it is waited for, not taken for alive"
    echo "aborts=\$(grep -c 'Aborting\\|failed to allocate' '$T/mm.err' 2>/dev/null)"
    echo "restarts=0"
    echo "[ -f '$SW/restarted' ] && restarts=\$(wc -l <'$SW/restarted')"
    echo "if [ \"\${aborts:-0}\" -gt \"\$restarts\" ]; then"
    echo "    i=0"
    echo "    while [ \$i -lt 500 ] && alive; do sleep 0.02; i=\$((i + 1)); done"
    echo "fi"
    echo "if alive; then exit 0; fi"
    echo "echo restarted >>'$SW/restarted'"
    echo "rm -f '$SW/mm.sock'"
    echo "LD_PRELOAD='$PRE_M' FAILSHIM_CONTROL='$SW/mm.control' FAILSHIM_LOG='$SW/mm.log' \\"
    echo "    FAILSHIM_COUNT='$SW/mm.count' \\"
    echo "    '$MILTER' -c '$SW/mm.conf' -p 'unix:$SW/mm.sock' -f 2>>'$T/mm.err' &"
    echo "echo \$! >'$SW/mm.pid'"
    echo "echo \"mm \$! $T/mm.err\" >>'$STARTED'"
    echo "i=0"
    echo "while [ \$i -lt 200 ] && ! [ -S '$SW/mm.sock' ]; do sleep 0.02; i=\$((i + 1)); done"
} >"$SW/restart.sh"
# started by restart.sh, away from this shell, as every restart is
sh "$SW/restart.sh"
[ -S "$SW/mm.sock" ]
ok $? "milter: a milter for the malloc sweep starts with the shim"
# The calls one message makes to a milter that has served one before:
# the shim writes the counts of a period when the next control file
# comes, so the third of these runs writes those of the second.  (The
# first message of a milter also compiles the ask patterns and opens
# the database: those paths are the filter's, swept above.)
msweep mm accept malloc-count FAILSHIM_MALLOC "" -D MAX=0
msweep mm accept malloc-count2 FAILSHIM_MALLOC "" -D MAX=0
msweep mm accept malloc-count3 FAILSHIM_MALLOC "" -D MAX=0
first=$(awk '$1 == "malloc" && $2 == "calls" { c[++n] = $3 } END { print c[n - 1] + 0 }' "$SW/mm.count")
calls=$(awk '$1 == "malloc" && $2 == "calls" { c = $3 } END { print c + 0 }' "$SW/mm.count")
stride=1
# about 50 ms a call when the milter dies each time
[ "$BUDGET" != 0 ] && stride=$((calls * 50 / (BUDGET * 1000 * 15 / 100) + 1))
: >"$SW/restarted"
msweep mm accept malloc FAILSHIM_MALLOC "" -D DROPS=yes -D RESTART="sh $SW/restart.sh" \
    -D STRIDE=$stride -D LAST=$calls
restarts=$(wc -l <"$SW/restarted")
aborts=$(grep -c 'Aborting\|failed to allocate' "$T/mm.err")
every="every call"
[ "$stride" = 1 ] || every="every ${stride}th call"
echo "# milter malloc: $first calls for a first message, $calls for the next ($every of those): $restarts restarts after an abort"
[ "$restarts" -eq 0 ] || [ "$aborts" -gt 0 ]
ok $? "milter, malloc: each time it died, GLib said why ($aborts lines), and it was started again ($restarts times)"
is "$(integrity_of "$SW/mm.db")" ok "milter, malloc: the ledger passes PRAGMA integrity_check"

# ---------------------------------------------------------------------
# 5. Every milter stopped: exit 0 on SIGTERM, no sanitizer report

for m in ma mt mm; do
    kill -TERM "$(cat "$SW/$m.pid")" 2>/dev/null
done
for m in ma mt mm; do
    pid=$(cat "$SW/$m.pid")
    _i=0
    while kill -0 "$pid" 2>/dev/null && ! grep -q '^State:.*Z' "/proc/$pid/status" 2>/dev/null &&
          [ $_i -lt 300 ]; do
        sleep 0.05
        _i=$((_i + 1))
    done
    wait "$pid" 2>/dev/null
    _rc=$?
    # the malloc milter, started by restart.sh, is not this shell's
    # child: that it stopped is all there is to see
    [ $m = mm ] && _rc=0
    if kill -0 "$pid" 2>/dev/null && ! grep -q '^State:.*Z' "/proc/$pid/status" 2>/dev/null; then
        _rc=still-running
    fi
    # the malloc milter may have died as GLib does (a SEGV in PCRE,
    # a stack overflow through g_error): any other report counts
    grep -E 'runtime error:|ERROR: AddressSanitizer|ERROR: LeakSanitizer' "$T/$m.err" |
        { if [ $m = mm ]; then grep -vE 'AddressSanitizer: (SEGV on unknown address|stack-overflow)'; else cat; fi; } \
        >"$T/$m.bad"
    [ "$_rc" = 0 ] && [ ! -s "$T/$m.bad" ]
    ok $? "milter $m: stops on SIGTERM (exit status $_rc), no sanitizer report"
    sed 's/^/# /' "$T/$m.bad" | head -5
done

done_testing
