#!/bin/bash
# run.sh - twoway-milter under miltertest (OpenDKIM's milter test tool,
# speaking the MTA side of the milter protocol).
#
# For each Lua script of tests/milter: a configuration and a database
# of its own, a milter in the foreground on a port of its own, the
# script run by miltertest (one TAP line), the milter checked alive
# after it, then what the script recorded read back with the twoway
# command.  Around them: -n (configuration check), the stale and the
# live UNIX socket, SIGHUP with a broken and with a good configuration,
# the database locked past BusyTimeout (OnError accept and tempfail),
# and a 100 KB header line (rawmilter.pl: miltertest cannot send one).
# Every milter is stopped with SIGTERM by its PID; at the end each must
# have exited 0, with no CRITICAL or ERROR: (ASan, UBSan, GLib) in its
# stderr.
#
# Without miltertest every check is skipped.  MILTER_TEST_PORT sets the
# first port tried (default: from the PID, between 20000 and 31000).
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib/tap.sh"

LC_ALL=C
export LC_ALL

MILTER=${MILTER:-$BUILD/milter/twoway-milter}
HERE=$SRC/tests/milter
HELPER=$HERE/helper.lua
RAW=$HERE/rawmilter.pl
OWNER=robin@example.org
OWNER2=sam@example.org

if ! command -v miltertest >/dev/null 2>&1; then
    echo "1..0 # SKIP miltertest is not installed (Debian: apt-get install miltertest)"
    exit 0
fi
need jq perl sqlite3
if [ ! -x "$MILTER" ]; then
    ok 1 "twoway-milter is built ($MILTER)"
    done_testing
    exit
fi

# UNIX sockets need a short path (108 bytes)
SOCKDIR=$(mktemp -d "${TMPDIR:-/tmp}/twoway-milter.XXXXXX")

# ---------------------------------------------------------------------
# Milters

_port=${MILTER_TEST_PORT:-$((20000 + ($$ % 1100) * 10))}
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

# every milter started: "name pid stderr socket-file" per line
STARTED=$T/started
: >"$STARTED"

# write_config FILE NAME LINE...: the basic configuration, then LINEs.
write_config() {
    _f=$1 _n=$2
    shift 2
    {
        echo "# $_n"
        echo "Domain example.org"
        echo "Database $T/$_n.db"
        echo "Syslog no"
        for _l in "$@"; do echo "$_l"; done
    } >"$_f"
}

# start_milter NAME [CONFIG LINE...]: starts a milter with its own
# configuration ($CONF), database ($DB), stderr ($ERR) and socket
# ($SOCK: a new port, or $SOCKSPEC when set); $MPID is its PID.
start_milter() {
    NAME=$1
    shift
    CONF=$T/$NAME.conf DB=$T/$NAME.db ERR=$T/$NAME.err
    write_config "$CONF" "$NAME" "$@" "AllowRoot yes"
    if [ -n "${SOCKSPEC:-}" ]; then
        SOCK=$SOCKSPEC
    else
        next_port
        SOCK=inet:$PORT@127.0.0.1
    fi
    "$MILTER" -c "$CONF" -p "$SOCK" -f 2>"$ERR" &
    MPID=$!
    echo "$NAME $MPID $ERR ${SOCK#unix:}" >>"$STARTED"
    wait_log "$ERR" 'listening on' && kill -0 $MPID 2>/dev/null
    _rc=$?
    ok $_rc "$NAME: twoway-milter starts on $SOCK"
    [ $_rc -eq 0 ] || sed 's/^/# /' "$ERR" | head -20
}

# run_script LABEL SCRIPT [miltertest -D options]: one TAP line for
# miltertest's exit status, one for the milter still running.
run_script() {
    _label=$1 _script=$2
    shift 2
    miltertest -D HELPER="$HELPER" -D SOCK="$SOCK" "$@" -s "$HERE/$_script" >"$T/$_label.out" 2>&1
    _rc=$?
    ok $_rc "$_label: miltertest $_script${1:+ $*}"
    if [ $_rc -ne 0 ]; then
        echo "#   miltertest exited $_rc; its output:"
        sed 's/^/#   /' "$T/$_label.out" | tail -15
        echo "#   the milter's stderr ends with:"
        tail -5 "$ERR" | sed 's/^/#   /'
    fi
    alive "$_label"
}

# alive LABEL: the milter still runs (it must never crash).
alive() {
    kill -0 $MPID 2>/dev/null
    ok $? "$1: the milter is still running"
}

# stop_milter: SIGTERM by PID; its exit is checked at the end (libmilter
# takes a few seconds to stop, so the milters stop side by side).
stop_milter() {
    kill -TERM $MPID 2>/dev/null
}

# tw OWNER ARGS...: the twoway command on this milter's database.
tw() {
    _o=$1
    shift
    "$TWOWAY" --db "$DB" --owner "$_o" "$@"
}

# stat_is KEY EXPECTED LABEL [OWNER]: one number of `twoway stats --json`.
stat_is() {
    is "$(tw "${4:-$OWNER}" stats --json 2>&1 | jq -r ".$1" 2>&1)" "$2" "$3"
}

# pending_ids [OWNER] / waiting_ids [OWNER]: Message-IDs, sorted, one line.
pending_ids() {
    tw "${1:-$OWNER}" pending --json 2>&1 | jq -r '.[].message_id' 2>&1 | sed 's/^<//; s/>$//' | sort | tr '\n' ' '
}
waiting_ids() {
    tw "${1:-$OWNER}" waiting --json 2>&1 | jq -r '.[].message_id' 2>&1 | sed 's/^<//; s/>$//' | sort | tr '\n' ' '
}

# ---------------------------------------------------------------------
# The database held by another process

LOCK_PID=
# lock_db DB: sqlite3 holds DB with BEGIN EXCLUSIVE (fed from a FIFO)
# until unlock_db; returns once another connection sees it locked.
lock_db() {
    rm -f "$T/lock.fifo"
    mkfifo "$T/lock.fifo"
    sqlite3 "$1" <"$T/lock.fifo" >"$T/lock.out" 2>&1 &
    LOCK_PID=$!
    exec 7>"$T/lock.fifo"
    echo '.timeout 5000' >&7
    echo 'BEGIN EXCLUSIVE;' >&7
    _i=0
    while [ $_i -lt 100 ]; do
        if sqlite3 -cmd '.timeout 0' "$1" 'BEGIN IMMEDIATE; ROLLBACK;' 2>&1 | grep -q locked; then
            return 0
        fi
        sleep 0.05
        _i=$((_i + 1))
    done
    echo "# could not lock $1: $(cat "$T/lock.out")"
    unlock_db
    return 1
}

unlock_db() {
    echo 'COMMIT;' >&7
    exec 7>&-
    wait $LOCK_PID
    LOCK_PID=
}

cleanup() {
    [ -n "$LOCK_PID" ] && kill $LOCK_PID 2>/dev/null
    while read -r _n _p _e _s; do
        kill -0 "$_p" 2>/dev/null && kill -KILL "$_p" 2>/dev/null
    done <"$STARTED"
    rm -rf "$SOCKDIR"
}
trap cleanup EXIT

# ---------------------------------------------------------------------
# 1. -n: the configuration is checked, nothing is started

write_config "$T/good.conf" good "OnError tempfail" "BusyTimeout 500"
"$MILTER" -n -c "$T/good.conf" >"$T/good.out" 2>&1
ok $? "-n with a good configuration exits 0"
[ ! -e "$T/good.db" ]
ok $? "-n creates no database"

write_config "$T/bad-key.conf" bad-key "OnError accept" "Colour blue"
"$MILTER" -n -c "$T/bad-key.conf" >"$T/bad-key.out" 2>&1
rc=$?
is "$rc|$(grep -c 'bad-key\.conf:6' "$T/bad-key.out")" "78|1" \
   "-n with an unknown key on line 6 exits 78 (EX_CONFIG) naming bad-key.conf:6"
[ $rc -eq 78 ] || sed 's/^/# /' "$T/bad-key.out"

write_config "$T/bad-value.conf" bad-value "OnError sometimes"
"$MILTER" -n -c "$T/bad-value.conf" >"$T/bad-value.out" 2>&1
rc=$?
is "$rc|$(grep -c 'bad-value\.conf:5' "$T/bad-value.out")" "78|1" \
   "-n with a bad OnError value on line 5 exits 78 naming bad-value.conf:5"

# ---------------------------------------------------------------------
# 2. One behaviour per script

start_milter ask
run_script ask ask.lua
is "$(pending_ids)" "ask-1@example.com " "ask: twoway pending lists the ask"
is "$(tw $OWNER pending --json | jq -r '.[0] | "\(.correspondent)|\(.cue)"')" \
   "alice@example.com|Could you review the draft by Friday?" "ask: pending shows its sender and cue"
stat_is owners 1 "ask: one owner in the database (robin)"
stop_milter

start_milter newsletter
run_script newsletter newsletter.lua
is "$(tw $OWNER stats --json | jq -r '"\(.incoming) \(.bulk) \(.pending)"')" "1 1 0" \
   "newsletter: recorded as incoming bulk, no ask pending"
stop_milter

start_milter forged
run_script forged forged.lua
grep -q 'MT0001: removed 3 forged X-Twoway header' "$ERR"
ok $? "forged: the removal is logged with the queue id"
stop_milter

start_milter outgoing
run_script outgoing outgoing.lua
is "$(pending_ids)" "" "outgoing: the answered ask is no longer pending"
is "$(tw $OWNER stats --json | jq -r '"\(.incoming) \(.outgoing) \(.owners)"')" "1 1 1" \
   "outgoing: one incoming, one outgoing, for robin only"
is "$(tw $OWNER summary --json | jq -r '.[] | select(.correspondent == "alice@example.com") | "\(.sent) \(.answered_by_you) \(.you_owe)"')" \
   "1 1 0" "outgoing: summary: sent 1 to alice, answered 1, owes 0"
grep -q 'outgoing for robin@example.org' "$ERR"
ok $? "outgoing: logged as outgoing for robin"
stop_milter

start_milter spoofed
run_script spoofed spoofed.lua
is "$(pending_ids)" "ask-spoof-1@example.com " "spoofed: an unauthenticated outside 'reply' leaves the ask open"
stat_is outgoing 0 "spoofed: nothing recorded as robin's outgoing mail"
stop_milter

start_milter multi
run_script multi multi.lua
is "$(tw $OWNER stats --json | jq -r .incoming)|$(tw $OWNER2 stats --json | jq -r .incoming)" "3|1" \
   "multi: robin has 3 incoming messages, sam 1"
stat_is owners 2 "multi: two owners (robin and sam), no other"
pending_ids $OWNER2 | grep -q 'multi-1@example.com'
ok $? "multi: the ask to both is pending for sam too"
stop_milter

start_milter abort
run_script abort abort.lua
is "$(tw $OWNER stats --json | jq -r '"\(.messages) \(.correspondents)"')" "1 1" \
   "abort: only the complete message is recorded"
is "$(pending_ids)" "after-abort@example.com " "abort: only its ask is pending"
is "$(tw $OWNER2 stats --json 2>/dev/null | jq -r '.messages // 0' 2>/dev/null)" "0" \
   "abort: nothing recorded for sam (only in an aborted transaction)"
stop_milter

start_milter twotx
run_script twotx twotx.lua
is "$(tw $OWNER stats --json | jq -r .incoming)|$(tw $OWNER2 stats --json | jq -r .incoming)" "1|1" \
   "twotx: one message each for robin and sam"
is "$(pending_ids)|$(pending_ids $OWNER2)" "twotx-1@example.com |" "twotx: only robin has an ask pending"
stop_milter

start_milter malformed
run_script malformed malformed.lua
run_script malformed-replies malformed.lua -D REPLIES=all
# a header line longer than miltertest can send (its mt.header copies
# into a 1 KB buffer): rawmilter.pl speaks the protocol itself
huge_header_message() { # FILE ID BYTES
    {
        printf 'From: Alice Example <alice@example.com>\nTo: Robin Owner <robin@example.org>\n'
        printf 'Subject: Huge header %s\nMessage-ID: <%s@example.com>\n' "$2" "$2"
        printf 'Date: Tue, 10 Mar 2026 12:00:00 +0000\nX-Huge: '
        head -c "$3" /dev/zero | tr '\0' 'h'
        printf '\n\nHi Robin,\n\nCould you trim the header of message %s?\n\nAlice\n' "$2"
    } >"$1"
}
huge_header_message "$T/header-60k.eml" header-60k 60000
perl "$RAW" --qid RAW60K "$SOCK" "$T/header-60k.eml" >"$T/header-60k.out" 2>&1
rc=$?
is "$rc|$(grep -E '^final ' "$T/header-60k.out")|$(grep -c '^add X-Twoway-Ask: yes' "$T/header-60k.out")" \
   "0|final c|1" "malformed: a 60 KB header line: continue, and the ask is tagged"
[ $rc -eq 0 ] || sed 's/^/# /' "$T/header-60k.out" | tail -5
huge_header_message "$T/header-100k.eml" header-100k 102400
perl "$RAW" --qid RAW100K "$SOCK" "$T/header-100k.eml" >"$T/header-100k.out" 2>&1
rc=$?
grep -qE '^final [ca]$' "$T/header-100k.out"
ok $? "malformed: a 100 KB header line: the mail passes (final reply continue or accept)"
if [ $rc -ne 0 ]; then
    sed 's/^/#   /' "$T/header-100k.out" | tail -3
fi
alive "malformed (100 KB header)"
run_script malformed-next ping.lua -D TAG=after-huge-header
stop_milter

start_milter bigbody
run_script bigbody bigbody.lua
run_script bigbody-replies bigbody.lua -D REPLIES=all
is "$(tw $OWNER stats --json | jq -r .incoming)" "2" "bigbody: the 50 MB message and the next one are recorded"
hwm=$(awk '/^VmHWM:/ { print $2 }' /proc/$MPID/status 2>/dev/null)
if ldd "$MILTER" 2>/dev/null | grep -q 'libasan'; then
    skip "bigbody: peak memory under 40 MB" "an ASan build keeps freed memory in quarantine"
elif [ -z "$hwm" ]; then
    skip "bigbody: peak memory under 40 MB" "no /proc/PID/status"
else
    [ "$hwm" -lt 40960 ]
    ok $? "bigbody: peak memory under 40 MB for a 50 MB body (VmHWM ${hwm} kB): work is bounded"
fi
stop_milter

start_milter disconnect
run_script disconnect disconnect.lua
is "$(tw $OWNER stats --json | jq -r '"\(.messages) \(.correspondents)"')" "1 1" \
   "disconnect: only the whole message is recorded"
stop_milter

SEED=${MILTER_TEST_SEED:-$(( ($$ + $(date +%s)) % 100000 ))}
echo "# shuffle seed: $SEED (MILTER_TEST_SEED=$SEED repeats the order)"
start_milter shuffle
run_script shuffle shuffle.lua -D SEED=$SEED -D ROUNDS=3
is "$(tw $OWNER stats --json | jq -r '"\(.messages) \(.incoming) \(.outgoing) \(.bulk) \(.waiting)"')" "18 15 3 3 3" \
   "shuffle: robin: 18 messages, 15 in, 3 out, 3 bulk, his 3 asks waiting"
is "$(tw $OWNER2 stats --json | jq -r '"\(.messages) \(.incoming)"')" "3 3" "shuffle: sam: the 3 messages to both owners"
is "$(waiting_ids)" "sh-out-1@example.org sh-out-2@example.org sh-out-3@example.org " \
   "shuffle: waiting lists robin's three outgoing asks"
pending_ids | tr ' ' '\n' | grep -c '^sh-ask-[123]@example.com$' | grep -qx 3
ok $? "shuffle: pending lists the three asks"
stat_is owners 2 "shuffle: two owners, no other"
stop_milter

# the same with the milter's real reply to every step
start_milter shuffle-replies
run_script shuffle-replies shuffle.lua -D SEED=$SEED -D ROUNDS=3 -D REPLIES=all
is "$(tw $OWNER stats --json | jq -r '"\(.messages) \(.incoming) \(.outgoing) \(.bulk) \(.waiting)"')|$(tw $OWNER2 stats --json | jq -r .incoming)" \
   "18 15 3 3 3|3" "shuffle-replies: the same ledger for robin and sam"
stop_milter

# ---------------------------------------------------------------------
# 3. The database locked past BusyTimeout

start_milter locked-accept "BusyTimeout 300"
run_script locked-accept-before ask.lua
if lock_db "$DB"; then
    ok 0 "locked-accept: sqlite3 holds the database (BEGIN EXCLUSIVE)"
    run_script locked-accept locked.lua -D EXPECT=accept
    unlock_db
else
    ok 1 "locked-accept: sqlite3 holds the database (BEGIN EXCLUSIVE)"
fi
grep -E 'MT0001: .*(lock|busy).*mail passed untagged' "$ERR" >/dev/null
ok $? "locked-accept: the failure is logged with the queue id and 'mail passed untagged'"
stat_is messages 1 "locked-accept: the mail that met the lock is not recorded (rolled back)"
run_script locked-accept-after locked.lua -D EXPECT=tagged
stat_is messages 2 "locked-accept: once the lock is gone the same mail is recorded"
stop_milter

start_milter locked-tempfail "BusyTimeout 300" "OnError tempfail"
run_script locked-tempfail-before ask.lua
if lock_db "$DB"; then
    ok 0 "locked-tempfail: sqlite3 holds the database (BEGIN EXCLUSIVE)"
    run_script locked-tempfail locked.lua -D EXPECT=tempfail
    unlock_db
else
    ok 1 "locked-tempfail: sqlite3 holds the database (BEGIN EXCLUSIVE)"
fi
grep -E 'MT0001: .*OnError tempfail' "$ERR" >/dev/null
ok $? "locked-tempfail: the deferral is logged with the queue id"
stat_is messages 1 "locked-tempfail: the deferred mail is not recorded"
stop_milter

# ---------------------------------------------------------------------
# 4. SIGHUP: a broken configuration is refused, a good one taken

start_milter reload "BusyTimeout 300"
run_script reload-before ask.lua
# broken: it would switch to tempfail, but line 7 is wrong
write_config "$CONF" reload "BusyTimeout 300" "OnError tempfail" "NoSuchKey yes"
kill -HUP $MPID
wait_log "$ERR" 'reload:'
ok $? "reload: SIGHUP with a broken configuration is answered in the log"
grep -E "reload: .*reload\.conf:7: unknown key 'NoSuchKey'.*keeping" "$ERR" >/dev/null
rc=$?
ok $rc "reload: the log names reload.conf:7 and keeps the configuration in use"
[ $rc -eq 0 ] || grep 'reload' "$ERR" | sed 's/^/# /'
alive "reload (broken configuration)"
run_script reload-broken-ping ping.lua -D TAG=after-broken-reload
if lock_db "$DB"; then
    run_script reload-broken-locked locked.lua -D EXPECT=accept
    unlock_db
else
    ok 1 "reload: sqlite3 holds the database"
fi
# good: OnError tempfail
write_config "$CONF" reload "BusyTimeout 300" "OnError tempfail"
kill -HUP $MPID
wait_log "$ERR" 'reload:' 2
grep -E 'reload: .*reload\.conf read' "$ERR" >/dev/null
ok $? "reload: SIGHUP with a good configuration: the log says it was read"
alive "reload (good configuration)"
if lock_db "$DB"; then
    run_script reload-good-locked locked.lua -D EXPECT=tempfail
    unlock_db
else
    ok 1 "reload: sqlite3 holds the database"
fi
# SIGHUPs in a row: the next comes while the last is read (libmilter's
# own signal thread stops the milter on a SIGHUP it catches)
for i in 1 2 3 4 5 6 7 8 9 10; do kill -HUP $MPID; done
wait_log "$ERR" 'reload:' 4
sleep 0.5
alive "reload (ten SIGHUPs in a row)"
run_script reload-twice-ping ping.lua -D TAG=after-two-reloads
stop_milter

# ---------------------------------------------------------------------
# 5. UNIX sockets: a stale one is removed, a live one refused

STALE=$SOCKDIR/milter.sock
perl -MIO::Socket::UNIX -e 'IO::Socket::UNIX->new(Type => SOCK_STREAM(), Local => $ARGV[0], Listen => 1) or die "$!\n"' "$STALE"
[ -S "$STALE" ] && ! perl -MIO::Socket::UNIX -e 'exit(IO::Socket::UNIX->new(Type => SOCK_STREAM(), Peer => $ARGV[0]) ? 0 : 1)' "$STALE"
ok $? "stale: a socket file that nobody listens on"
SOCKSPEC=unix:$STALE start_milter stale
run_script stale ping.lua -D TAG=stale
write_config "$T/second.conf" second "AllowRoot yes"
"$MILTER" -c "$T/second.conf" -p "unix:$STALE" -f 2>"$T/second.err" &
SECOND=$!
echo "second $SECOND $T/second.err -" >>"$STARTED"
_i=0
while kill -0 $SECOND 2>/dev/null && [ $_i -lt 100 ]; do
    sleep 0.05
    _i=$((_i + 1))
done
if kill -0 $SECOND 2>/dev/null; then
    ok 1 "live: a second milter on the live socket refuses to start"
    kill -TERM $SECOND
else
    wait $SECOND
    rc=$?
    [ $rc -ne 0 ] && grep -qF "$STALE" "$T/second.err"
    ok $? "live: a second milter on the live socket refuses to start (exit $rc, names the socket)"
    [ $rc -ne 0 ] || sed 's/^/# /' "$T/second.err"
fi
[ -S "$STALE" ]
ok $? "live: the first milter's socket file is still there"
run_script live ping.lua -D TAG=live
stop_milter

# ---------------------------------------------------------------------
# 6. Every milter stopped: exit 0 on SIGTERM, stderr clean

while read -r name pid err sockfile; do
    [ "$name" = second ] && continue
    _i=0
    while kill -0 "$pid" 2>/dev/null && [ $_i -lt 300 ]; do
        sleep 0.05
        _i=$((_i + 1))
    done
    if kill -0 "$pid" 2>/dev/null; then
        ok 1 "$name: stops within 15 s of SIGTERM"
        kill -KILL "$pid"
    fi
    wait "$pid"
    rc=$?
    is "$rc" 0 "$name: exits 0 on SIGTERM"
    grep -E 'CRITICAL|ERROR:|runtime error:|AddressSanitizer|LeakSanitizer|Segmentation' "$err" >"$T/$name.bad"
    [ ! -s "$T/$name.bad" ]
    ok $? "$name: stderr has no CRITICAL, ERROR: or sanitizer report"
    sed 's/^/# /' "$T/$name.bad" | head -10
    if [ "$sockfile" != "${sockfile#/}" ]; then
        [ ! -e "$sockfile" ]
        ok $? "$name: the socket file is removed at exit"
    fi
done <"$STARTED"

done_testing
