#!/bin/bash
# recorder.sh - twoway-filter's recorder: the long-lived process the
# deliveries hand their mail to.  When it starts and which deliveries
# it serves (proved by what it holds open), that it changes nothing a
# delivery writes or records, that procmail and this harness do not
# wait for it, when it leaves, the database removed or replaced under
# it, killed between and during deliveries, a locked database with
# either OnError, --sent, concurrent deliveries, unsafe socket folders,
# a configuration edited, the protocol spoken badly or by another user,
# and --recorder in the foreground (under valgrind too).
#
# Every recorder lives under $RD (XDG_RUNTIME_DIR and TMPDIR point
# there); each holds its socket's lock file open, which is how the
# checks find it, and the end of the script kills whatever is left.
#
# References: filters/recorder.h, doc/twoway-filter.1, doc/twoway.conf.5
# (Recorder).
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib/tap.sh"
. "$SRC/tests/face/common.sh"

need jq
# the deliveries run from other folders too
case $FILTER in /*) ;; *) FILTER=$PWD/$FILTER ;; esac

# The recorders' folders.  A socket's path must fit a sockaddr_un (107
# bytes): r-<24 hex>.sock under RD/run/twoway or RD/tmp/twoway-UID.
RD=$T/r
if [ $((${#RD} + 50)) -gt 107 ]; then
    RD=$(mktemp -d /tmp/twoway-rec.XXXXXX)
    echo "# $T is too long a path for a socket: the recorders live in $RD"
fi
mkdir -p -m 700 "$RD" "$RD/run"
RUN=$RD/run
SOCKDIR=$RUN/twoway
export XDG_RUNTIME_DIR=$RUN
export TMPDIR=$RD/tmp
mkdir -p -m 700 "$TMPDIR"

X=$T/x
mkdir -p "$X" "$T/db" "$T/cfg"
mbox_to_files "$SAMPLE/inbox.mbox" "$T/inf"
mbox_to_files "$SAMPLE/sent.mbox" "$T/outf"

# ---------------------------------------------------------------------
# Helpers

# pids_with GLOB: the processes with a descriptor on a file whose name
# matches GLOB (a removed file's name ends in " (deleted)").
pids_with() {
    find /proc/[0-9]*/fd -maxdepth 1 -lname "$1" 2>/dev/null | cut -d/ -f3 | sort -un
}
# recorders: every recorder of this script (each holds its lock file).
recorders() { pids_with "$RD/*.sock.lock*"; }
# rec_of SOCK: the recorder holding SOCK's lock file.
rec_of() { pids_with "$1.lock*"; }
# has_open PID FILE: PID has FILE (not a removed one) open.
has_open() { find "/proc/$1/fd" -maxdepth 1 -lname "$2" 2>/dev/null | grep -q .; }
# alive PID: PID runs (not gone, not a zombie).
alive() {
    local s
    s=$(sed 's/^.*) //' "/proc/$1/stat" 2>/dev/null) || return 1
    [ -n "$s" ] && [ "${s%% *}" != Z ]
}
gone() { ! alive "$1"; }
# listening SOCK: a process listens on the Unix socket SOCK.
listening() { awk -v p="$1" '$NF == p && $4 == "00010000" { f = 1 } END { exit !f }' /proc/net/unix; }
# until_ok TENTHS COMMAND...: runs COMMAND every 0.1 s until it succeeds,
# TENTHS times at most.
until_ok() {
    local n=$1 i=1
    shift
    until "$@"; do
        [ $i -ge "$n" ] && return 1
        sleep 0.1
        i=$((i + 1))
    done
}
now_ms() { echo $(($(date +%s%N) / 1000000)); }
socks() { ls "$SOCKDIR" 2>/dev/null | grep '\.sock$' | tr '\n' ' '; }

# dl NAME MSG ARGS...: one delivery of MSG; stdout in $X/NAME.out,
# stderr in $X/NAME.err, exit status in $rc.
dl() {
    local n=$1 m=$2
    shift 2
    "$FILTER" "$@" <"$m" >"$X/$n.out" 2>"$X/$n.err"
    rc=$?
}
out() { echo "$X/$1.out"; }
# tagged NAME MSG: the delivery's output is MSG with tags inserted at the
# end of its header block, and there are tags.
tagged() {
    [ -n "$(tag_block "$(out "$1")")" ] && inserted_ok "$2" "$(out "$1")" >"$T/.why" 2>&1
}
# strip_is NAME MSG: the output minus its X-Twoway lines is MSG.
strip_is() {
    strip_tags "$(out "$1")" >"$T/.stripped"
    cmp -s "$T/.stripped" "$2"
}
msgs_in() { stat_of "$1" messages; }

# new_sock BEFORE: SOCK becomes the socket of $SOCKDIR not in BEFORE that
# a process listens on, RPID the one recorder holding its lock.
new_sock() {
    local s p
    for s in $(socks); do
        case " $1 " in *" $s "*) continue ;; esac
        listening "$SOCKDIR/$s" || continue
        p=$(rec_of "$SOCKDIR/$s")
        case $p in "" | *[!0-9]*) continue ;; esac
        SOCK=$SOCKDIR/$s RPID=$p
        return 0
    done
    return 1
}
# start_rec NAME MSG ARGS...: a delivery that starts a recorder; waits
# (5 s at most) until it listens: SOCK and RPID.  False when none came.
start_rec() {
    local before
    before=$(socks)
    SOCK='' RPID=''
    dl "$@"
    until_ok 50 new_sock "$before"
}
# conf NAME LINES...: $T/cfg/NAME.conf with these lines.
conf() {
    local n=$1
    shift
    printf '%s\n' "# recorder.sh" "$@" >"$T/cfg/$n.conf"
    echo "$T/cfg/$n.conf"
}

cleanup() {
    [ -n "${_lock_pid:-}" ] && kill "$_lock_pid" 2>/dev/null
    for _p in $(recorders); do kill -KILL "$_p" 2>/dev/null; done
    case $RD in "$T"/*) ;; *) rm -rf "$RD" ;; esac
}
trap cleanup EXIT

PERL_OK=
command -v perl >/dev/null 2>&1 && perl -MSocket -e 1 2>/dev/null && PERL_OK=yes
# client.pl SOCK MODE FILE: speaks the recorder's protocol (the header in
# the machine's own order: "twr1", flags, length) with FILE as the
# message; MODE: mail, sent, badmagic, short (the message cut off), huge
# (a length past the largest message taken).
# Prints "status N" and "error TEXT" then the tags, or "noreply".
cat >"$T/client.pl" <<'EOF'
use strict;
use warnings;
use Socket;
$SIG{PIPE} = 'IGNORE';
my ($path, $mode, $file) = @ARGV;
open(my $fh, '<:raw', $file) or die "$file: $!\n";
my $msg = do { local $/; <$fh> };
socket(my $s, AF_UNIX, SOCK_STREAM, 0) or die "socket: $!\n";
connect($s, pack_sockaddr_un($path)) or do { print "noconnect $!\n"; exit 2 };
my $req = $mode eq 'huge' ? pack('a4 L Q', 'twr1', 0, 2**32 + 1)
    : pack('a4 L Q', $mode eq 'badmagic' ? 'twrX' : 'twr1', $mode eq 'sent' ? 1 : 0, length $msg)
      . ($mode eq 'short' ? substr($msg, 0, 10) : $msg);
for (my $off = 0; $off < length $req;) {
    my $n = syswrite($s, $req, length($req) - $off, $off);
    last unless $n;
    $off += $n;
}
shutdown($s, 1) if $mode eq 'short';
sub readn {
    my $want = shift;
    my $buf = '';
    while (length $buf < $want) {
        my $n = sysread($s, $buf, $want - length $buf, length $buf);
        return undef unless $n;
    }
    return $buf;
}
my $h = readn(16);
unless (defined $h) { print "noreply\n"; exit 1 }
my ($m, $st, $el, $tl) = unpack('a4 L L L', $h);
my $err = $el ? readn($el) : '';
my $tags = $tl ? readn($tl) : '';
print "status $st\nerror $err\n", $tags;
EOF
client() { perl "$T/client.pl" "$@"; }

# distinct asks, copies of in-12 from as many senders: $T/many/NN.eml
mkdir -p "$T/many"
for i in $(seq -w 1 20); do
    { sed "s/^Message-ID: .*/Message-ID: <many-$i.recorder@mail.example.com>/; s/dmitri@/dmitri$i@/g" "$T/inf/12.eml"
      echo "Draft $i."; } >"$T/many/$i.eml"
done

# ---------------------------------------------------------------------
# 1. The first delivery starts a recorder, the second is served by it

DB1=$T/db/one.db
C1=$(conf one)
start_rec first "$T/inf/03.eml" --db "$DB1" --owner $OWNER --config "$C1"
ok $? "a first delivery (default Recorder) starts a recorder: a socket under \$XDG_RUNTIME_DIR/twoway listens, one process holds its lock file"
tagged first "$T/inf/03.eml"
ok $((rc != 0 || $?)) "first delivery: exit 0, the message written with its tags"
[[ ${SOCK##*/} =~ ^r-[0-9a-f]{24}\.sock$ ]] && [ -e "$SOCK.lock" ]
ok $? "the socket is named r-<24 hex>.sock, its lock file r-<24 hex>.sock.lock next to it"
is "$(stat -c %a "$SOCKDIR" 2>&1)" 700 "the socket folder is created with mode 0700"
is "$(msgs_in "$DB1")" 1 "first delivery: the delivery recorded its message itself"
R1=$RPID
if [ -n "$R1" ]; then
    has_open "$R1" "$DB1"
    ok $((!$?)) "first delivery: the recorder has not opened the database (it recorded nothing)"
    is "$(readlink "/proc/$R1/cwd")" / "the recorder works from /"
    is "$(readlink "/proc/$R1/fd/0") $(readlink "/proc/$R1/fd/1") $(readlink "/proc/$R1/fd/2")" \
       "/dev/null /dev/null /dev/null" "the recorder's standard descriptors are /dev/null"
    bad=$(find "/proc/$R1/fd" -mindepth 1 -maxdepth 1 ! -name 0 ! -name 1 ! -name 2 -printf '%l\n' |
          grep -v -e '^socket:' -e "^$SOCK.lock\$")
    is "$bad" "" "the recorder holds no descriptor of the delivery (only its lock file and socket)"
    # its own session, away from this script's
    sid=$(sed 's/^.*) //' "/proc/$R1/stat" | cut -d' ' -f4)
    [ -n "$sid" ] && [ "$sid" != "$(sed 's/^.*) //' /proc/$$/stat | cut -d' ' -f4)" ]
    ok $? "the recorder runs in a session of its own"
else
    for i in 1 2 3 4 5; do ok 1 "no recorder to look at"; done
fi
dl second "$T/inf/12.eml" --db "$DB1" --owner $OWNER --config "$C1"
tagged second "$T/inf/12.eml"
ok $((rc != 0 || $?)) "second delivery: exit 0, the message written with its tags"
is "$(msgs_in "$DB1")" 2 "second delivery: recorded"
[ -n "$R1" ] && has_open "$R1" "$DB1" && [ "$(rec_of "$SOCK")" = "$R1" ]
ok $? "second delivery: served by the recorder (it now has the database open)"

# A relative --db: the recorder works from /, the database stays where
# the delivery meant it.
CR=$(conf relative)
before=$(socks)
(cd "$T/db" && "$FILTER" --db relative.db --owner $OWNER --config "$CR" <"$T/inf/03.eml" >/dev/null 2>&1)
until_ok 50 new_sock "$before"
(cd "$T/db" && "$FILTER" --db relative.db --owner $OWNER --config "$CR" <"$T/inf/12.eml" >"$X/rel.out" 2>&1)
[ -n "$RPID" ] && has_open "$RPID" "$T/db/relative.db" && [ "$(msgs_in "$T/db/relative.db")" = 2 ]
ok $? "a relative --db: the recorder records into the same file, made absolute"

# ---------------------------------------------------------------------
# 2. The same bytes and the same ledger with and without a recorder
# 3. Recorder 0: no recorder at all

# the sample in date order, then a CRLF message, a 3 MB one and Robin's
# mail from another address
for m in "$T"/inf/*.eml "$T"/outf/*.eml; do
    d=$(sed -n 's/^Date: //p' "$m" | head -n 1)
    echo "$(date -u -d "$d" +%s) $m"
done | sort -n | awk '{ print $2 }' >"$T/order"
sed 's/^Message-ID: .*/Message-ID: <crlf.recorder@mail.example.com>/; s/$/\r/' "$T/inf/21.eml" >"$T/crlf.eml"
{
    sed 's/^Message-ID: .*/Message-ID: <big.recorder@mail.example.com>/' "$T/inf/15.eml"
    yes 'A line of a long report, seventy-odd characters wide, repeated again.' | head -c 3145728
} >"$T/big.eml"
# Robin's copy of a message sent from another of his addresses: only
# --sent makes it his
mkdir -p "$T/outx"
sed 's/^From: .*/From: Robin Vale <rvale@home.example.net>/; s/^Message-ID: .*/Message-ID: <alias.recorder@home.example.net>/' \
    "$T/outf/10.eml" >"$T/outx/alias.eml"
echo "$T/crlf.eml" >>"$T/order"
echo "$T/big.eml" >>"$T/order"
echo "$T/outx/alias.eml" >>"$T/order"

# sample_run TAG DB CONF: every message of $T/order; outputs in
# $X/TAG-N.out, exit statuses in $T/TAG.rcs.  After the first, waits for
# the recorder it started (if any): SOCK, RPID.
sample_run() {
    local i=0 m before
    : >"$T/$1.rcs"
    before=$(socks)
    SOCK='' RPID=''
    while read -r m; do
        i=$((i + 1))
        case $m in
        */outf/* | */outx/*) dl "$1-$i" "$m" --db "$2" --owner $OWNER --config "$3" --sent ;;
        *) dl "$1-$i" "$m" --db "$2" --owner $OWNER --config "$3" ;;
        esac
        echo "$rc" >>"$T/$1.rcs"
        [ $i -eq 1 ] && [ "$1" = rec ] && until_ok 50 new_sock "$before"
    done <"$T/order"
}
DBA=$T/db/norec.db
DBB=$T/db/rec.db
mkdir -p -m 700 "$RD/run0"
XDG_RUNTIME_DIR=$RD/run0 sample_run norec "$DBA" "$(conf norec 'Recorder 0')"
sample_run rec "$DBB" "$(conf rec)"
R2=$RPID
n=$(wc -l <"$T/order")
is "$(sort -u "$T/norec.rcs" | tr '\n' ' ')|$(sort -u "$T/rec.rcs" | tr '\n' ' ')" "0 |0 " \
   "the sample ($n messages), with and without a recorder: every delivery exits 0"
bad=
for i in $(seq 1 "$n"); do
    cmp -s "$X/norec-$i.out" "$X/rec-$i.out" || bad="$bad $i"
done
[ -z "$bad" ]; ok $? "the sample: every output is byte for byte the same with and without a recorder${bad:+ (differ:$bad)}"
is "$(cat "$X"/rec-*.out | grep -c '^X-Twoway-Ask:')" "$(jq '.asks_to_owner | length + 2' "$(expected_json)")" \
   "the sample through the recorder: X-Twoway-Ask on the asks to Robin (and the two extra asks)"
[ -n "$R2" ] && alive "$R2" && has_open "$R2" "$DBB" && [ "$(rec_of "$SOCK")" = "$R2" ]
ok $? "the sample: one recorder served the deliveries after the first (it holds the database)"
# the CRLF copy of in-21 is in-21 again, by its content
is "$(msgs_in "$DBA") $(msgs_in "$DBB")" "$(jq '.received + .sent + 2 | "\(.) \(.)"' -r "$(expected_json)")" \
   "the sample: every message recorded, with and without a recorder"
SAME='del(.. | objects | .age_seconds, .database, .database_bytes)'
for what in "stats --json" "summary --json" "pending --json" "waiting --json"; do
    # what differs: the database's name and size, the ages (from now)
    a=$("$TWOWAY" --db "$DBA" --owner $OWNER $what | jq -S "$SAME")
    b=$("$TWOWAY" --db "$DBB" --owner $OWNER $what | jq -S "$SAME")
    [ -n "$a" ] && [ "$a" = "$b" ]
    ok $? "the sample: twoway $what is the same with and without a recorder"
done
[ ! -e "$RD/run0/twoway" ] || [ -z "$(ls -A "$RD/run0/twoway")" ]
ok $? "Recorder 0: no socket (no socket folder) is made"
is "$(pids_with "$DBA*")" "" "Recorder 0: no process holds the database after the deliveries"

# ---------------------------------------------------------------------
# 4. Nobody waits for the recorder: procmail, and this script's reader

# the harness reads this script's output through a pipe: a delivery
# that starts a recorder, its stdout and stderr on a pipe, returns at
# once (Recorder 30: a pipe held by the recorder would stay open 30 s)
DB4=$T/db/pipe.db
C4=$(conf pipe 'Recorder 30')
before=$(socks)
t0=$(now_ms)
timeout 20 sh -c '"$1" --db "$2" --owner "$3" --config "$4" <"$5" 2>&1 | cat >"$6"' sh \
    "$FILTER" "$DB4" $OWNER "$C4" "$T/inf/12.eml" "$X/pipe.out"
rc=$?
ms=$(($(now_ms) - t0))
[ $rc -eq 0 ] && [ $ms -lt 5000 ]
ok $? "a delivery that starts a recorder, stdout and stderr on a pipe: the pipe closes at once (${ms} ms, status $rc)"
tagged pipe "$T/inf/12.eml"; ok $? "... and the message comes out with its tags"
until_ok 50 new_sock "$before" && alive "$RPID"
ok $? "... and the recorder it started runs on"

if command -v procmail >/dev/null 2>&1; then
    DB4P=$T/db/procmail.db
    C4P=$(conf procmail "Database $DB4P" "Owner $OWNER" 'Recorder 30')
    mkdir -p "$T/mail"
    # procmail clears the environment: the rc file sets XDG_RUNTIME_DIR
    cat >"$T/pm.rc" <<PMRC
SHELL=/bin/sh
PATH=/usr/local/bin:/usr/bin:/bin
XDG_RUNTIME_DIR=$RUN
MAILDIR=$T/mail
DEFAULT=$T/mail/inbox.mbox
LOGFILE=$T/pm.log
VERBOSE=yes

:0fw
| "$FILTER" --config "$C4P"

:0e
{ EXITCODE=75 HOST }
PMRC
    split_mbox "$SAMPLE/inbox.mbox" "$T/in"
    before=$(socks)
    t0=$(now_ms)
    timeout 20 procmail -m "$T/pm.rc" <"$T/in/21.eml" >"$X/pm1.out" 2>&1
    rc=$?
    ms=$(($(now_ms) - t0))
    [ $rc -eq 0 ] && [ $ms -lt 5000 ]
    # (procmail itself may wait a second, for a mailbox it just made)
    ok $? "procmail, a delivery that starts a recorder (Recorder 30): procmail returns at once (${ms} ms, status $rc)"
    until_ok 50 new_sock "$before" && alive "$RPID" && ! has_open "$RPID" "$DB4P"
    ok $? "procmail: the recorder that delivery started runs on"
    R4=$RPID
    timeout 20 procmail -m "$T/pm.rc" <"$T/in/15.eml" >"$X/pm2.out" 2>&1
    rc=$?
    [ $rc -eq 0 ] && [ -n "$R4" ] && has_open "$R4" "$DB4P"
    ok $? "procmail, the next delivery: exit $rc, served by the recorder"
    mkdir -p "$T/dlv"
    split_mbox "$T/mail/inbox.mbox" "$T/dlv"
    inserted_ok "$T/in/21.eml" "$T/dlv/01.eml" >"$T/.why" 2>&1 && inserted_ok "$T/in/15.eml" "$T/dlv/02.eml" >"$T/.why" 2>&1 &&
        [ "$(count_hdr "$T/dlv/01.eml" X-Twoway-Ask) $(count_hdr "$T/dlv/02.eml" X-Twoway-Ask)" = "1 1" ] &&
        [ ! -e "$T/dlv/03.eml" ]
    ok $? "procmail: both messages delivered as their bytes plus tags"
    is "$(msgs_in "$DB4P")" 2 "procmail: both messages recorded"
else
    for i in 1 2 3 4 5; do skip "procmail and the recorder" "procmail is not installed"; done
fi

# ---------------------------------------------------------------------
# 5. It leaves after Recorder seconds without a delivery

DB5=$T/db/idle.db
C5=$(conf idle 'Recorder 2')
start_rec idle1 "$T/inf/03.eml" --db "$DB5" --owner $OWNER --config "$C5"
R5=$RPID S5=$SOCK
dl idle2 "$T/inf/12.eml" --db "$DB5" --owner $OWNER --config "$C5"
t0=$(now_ms)
[ -n "$R5" ] && has_open "$R5" "$DB5"
ok $? "Recorder 2: the recorder serves the second delivery"
left5() { [ -n "$R5" ] && [ ! -e "$S5" ] && [ ! -e "$S5.lock" ] && gone "$R5"; }
until_ok 60 left5
r=$?
ms=$(($(now_ms) - t0))
[ $r -eq 0 ] && [ $ms -ge 1500 ]
ok $? "Recorder 2: it leaves 2 s after the last delivery, its socket and lock file removed (${ms} ms)"
is "$(msgs_in "$DB5")" 2 "Recorder 2: both messages recorded"

# ---------------------------------------------------------------------
# 6. It leaves when its database is removed

DB6=$T/db/removed.db
C6=$(conf removed)
start_rec rm1 "$T/inf/03.eml" --db "$DB6" --owner $OWNER --config "$C6"
R6=$RPID S6=$SOCK
dl rm2 "$T/inf/12.eml" --db "$DB6" --owner $OWNER --config "$C6"
[ -n "$R6" ] && has_open "$R6" "$DB6"
ok $? "database removed: the recorder held it"
rm -f "$DB6" "$DB6-wal" "$DB6-shm"
left6() { [ -n "$R6" ] && [ ! -e "$S6" ] && [ ! -e "$S6.lock" ] && gone "$R6"; }
until_ok 30 left6
ok $? "database removed (rm db db-wal db-shm): the recorder leaves within 3 s, socket and lock file removed"
[ ! -e "$DB6" ] && [ ! -e "$DB6-wal" ]
ok $? "database removed: the leaving recorder does not make it again"

# ---------------------------------------------------------------------
# 7. The database replaced while the recorder runs

DB7=$T/db/replaced.db
C7=$(conf replaced)
start_rec rp1 "$T/inf/03.eml" --db "$DB7" --owner $OWNER --config "$C7"
R7=$RPID
dl rp2 "$T/inf/12.eml" --db "$DB7" --owner $OWNER --config "$C7"
[ -n "$R7" ] && has_open "$R7" "$DB7" && [ "$(msgs_in "$DB7")" = 2 ]
ok $? "database replaced: the recorder held the first one (2 messages)"
# held still, so that it meets the new delivery before its check of
# the database each second
kill -STOP "$R7"
# the removed file kept open here: the new one cannot take its inode
exec 8<"$DB7"
rm -f "$DB7" "$DB7-wal" "$DB7-shm"
"$FILTER" --db "$DB7" --owner $OWNER --config "$C7" <"$T/inf/21.eml" >"$X/rp3.out" 2>"$X/rp3.err" &
bg=$!
sleep 0.2
kill -CONT "$R7"
wait $bg
rc=$?
tagged rp3 "$T/inf/21.eml"
ok $((rc != 0 || $?)) "database replaced: the next delivery exits 0, tagged"
is "$(msgs_in "$DB7")" 1 "database replaced: the message is in the new database, not lost into the removed one"
alive "$R7" && has_open "$R7" "$DB7" && ! has_open "$R7" "$DB7 (deleted)"
ok $? "database replaced: the same recorder recorded it, in the new file, the removed one closed"
is "$(stat -c %a "$DB7" 2>&1)" 600 "database replaced: the database the recorder made has mode 0600"
dl rp4 "$T/inf/15.eml" --db "$DB7" --owner $OWNER --config "$C7"
is "$rc $(msgs_in "$DB7")" "0 2" "database replaced: the delivery after that is recorded there too"
# the new file's device and inode are noted: the next idle check takes
# it for the recorder's own, not for a replaced one
sleep 1.3    # one idle check
alive "$R7" && has_open "$R7" "$DB7"
ok $? "database replaced: the recorder keeps the new database open past its next idle check"
exec 8<&-

# ---------------------------------------------------------------------
# 8. Killed between deliveries: a stale socket

DB8=$T/db/killed.db
C8=$(conf killed)
start_rec k1 "$T/inf/03.eml" --db "$DB8" --owner $OWNER --config "$C8"
R8=$RPID S8=$SOCK
dl k2 "$T/inf/12.eml" --db "$DB8" --owner $OWNER --config "$C8"
kill -KILL "$R8"
until_ok 50 gone "$R8"
[ -S "$S8" ] && ! listening "$S8"
ok $? "recorder killed (SIGKILL): its socket is left behind, nobody listens"
dl k3 "$T/inf/21.eml" --db "$DB8" --owner $OWNER --config "$C8"
tagged k3 "$T/inf/21.eml"
ok $((rc != 0 || $?)) "after the kill: the next delivery exits 0, tagged"
is "$(msgs_in "$DB8")" 3 "after the kill: the message is recorded"
new_rec8() { listening "$S8" && RPID=$(rec_of "$S8") && [ -n "$RPID" ] && [ "$RPID" != "$R8" ] && alive "$RPID"; }
until_ok 50 new_rec8
ok $? "after the kill: that delivery started a new recorder on the same socket"
R8B=$RPID
dl k4 "$T/inf/15.eml" --db "$DB8" --owner $OWNER --config "$C8"
tagged k4 "$T/inf/15.eml" && [ "$rc" = 0 ] && [ "$(msgs_in "$DB8")" = 4 ] && has_open "$R8B" "$DB8"
ok $? "after the kill: the following delivery is served by the new recorder"

# ---------------------------------------------------------------------
# 9. Killed in the middle of a delivery

DB9=$T/db/midway.db
C9=$(conf midway)
start_rec mid1 "$T/inf/03.eml" --db "$DB9" --owner $OWNER --config "$C9"
R9=$RPID
dl mid2 "$T/inf/12.eml" --db "$DB9" --owner $OWNER --config "$C9"
kill -STOP "$R9"
m=$T/inf/22.eml
"$FILTER" --db "$DB9" --owner $OWNER --config "$C9" <"$m" >"$X/mid3.out" 2>"$X/mid3.err" &
bg=$!
sleep 0.3
alive $bg
ok $? "recorder stopped: the delivery waits for its answer"
t0=$(now_ms)
kill -KILL "$R9"
wait $bg
rc=$?
ms=$(($(now_ms) - t0))
[ $rc -eq 0 ] && [ $ms -lt 5000 ]
ok $? "recorder killed in the middle of a delivery: the delivery exits 0 soon after (${ms} ms, status $rc)"
strip_is mid3 "$m" && tagged mid3 "$m"
ok $? "recorder killed midway: the output is the input plus tags, nothing else"
is "$(msgs_in "$DB9")" 3 "recorder killed midway: the message is in the ledger"

# ---------------------------------------------------------------------
# 10. A locked database while the recorder serves: OnError as ever

DB10=$T/db/locked.db
C10T=$(conf locked-tempfail 'BusyTimeout 300' 'OnError tempfail')
C10A=$(conf locked-accept 'BusyTimeout 300' 'OnError accept')
start_rec lk1 "$T/inf/03.eml" --db "$DB10" --owner $OWNER --config "$C10T"
R10T=$RPID
dl lk2 "$T/inf/12.eml" --db "$DB10" --owner $OWNER --config "$C10T"
start_rec lk3 "$T/inf/06.eml" --db "$DB10" --owner $OWNER --config "$C10A"
R10A=$RPID
dl lk4 "$T/inf/07.eml" --db "$DB10" --owner $OWNER --config "$C10A"
[ -n "$R10T" ] && [ -n "$R10A" ] && [ "$R10T" != "$R10A" ] && has_open "$R10T" "$DB10" && has_open "$R10A" "$DB10"
ok $? "locked database: a recorder for each configuration, each holding the database"
m=$T/inf/21.eml
if command -v sqlite3 >/dev/null 2>&1 && lock_db "$DB10"; then
    dl lk5 "$m" --db "$DB10" --owner $OWNER --config "$C10T"
    is "$rc:$(wc -c <"$(out lk5)")" "75:0" "locked database, OnError tempfail, through the recorder: exit 75, nothing on stdout"
    grep -q 'OnError tempfail' "$X/lk5.err"; ok $? "locked database, OnError tempfail: said on stderr"
    # a recorder closes its database after an error: so it was the one
    alive "$R10T" && ! has_open "$R10T" "$DB10"
    ok $? "locked database, OnError tempfail: the recorder served it (and let the database go after the error)"
    dl lk6 "$m" --db "$DB10" --owner $OWNER --config "$C10A"
    [ "$rc" -eq 0 ] && cmp -s "$(out lk6)" "$m"
    ok $? "locked database, OnError accept, through the recorder: exit 0, the input byte for byte"
    alive "$R10A" && ! has_open "$R10A" "$DB10"
    ok $? "locked database, OnError accept: the recorder served it"
    unlock_db
    dl lk7 "$m" --db "$DB10" --owner $OWNER --config "$C10T"
    tagged lk7 "$m" && [ "$rc" -eq 0 ] && has_open "$R10T" "$DB10"
    ok $? "lock gone: the same recorder opens the database again and tags the message"
    is "$(msgs_in "$DB10")" 5 "lock gone: the message is recorded, once"
else
    for i in 1 2 3 4 5 6 7; do skip "locked database" "sqlite3 could not hold the lock"; done
fi

# ---------------------------------------------------------------------
# 11. --sent through the recorder

DB11=$T/db/sent.db
C11=$(conf sent)
start_rec s1 "$T/inf/03.eml" --db "$DB11" --owner $OWNER --config "$C11"
R11=$RPID
dl s2 "$T/outf/06.eml" --db "$DB11" --owner $OWNER --config "$C11" --sent
[ "$rc" -eq 0 ] && [ ! -s "$(out s2)" ]
ok $? "--sent through the recorder: exit 0, nothing written"
is "$(stat_json "$DB11" | jq -c '[.messages, .outgoing, .waiting]')" "[2,1,1]" "--sent through the recorder: recorded as Robin's ask"
[ -n "$R11" ] && has_open "$R11" "$DB11"
ok $? "--sent: the recorder served it"
dl s3 "$T/outf/08.eml" --db "$DB11" --owner $OWNER --config "$C11" --sent --pass
[ "$rc" -eq 0 ] && cmp -s "$(out s3)" "$T/outf/08.eml"
ok $? "--sent --pass through the recorder: exit 0, the input written unchanged"
is "$(stat_of "$DB11" outgoing)" 2 "--sent --pass through the recorder: recorded"
dl s4 "$T/outx/alias.eml" --db "$DB11" --owner $OWNER --config "$C11" --sent
is "$rc $(stat_json "$DB11" | jq -c '[.incoming, .outgoing]')" "0 [1,3]" \
   "--sent through the recorder, Robin's mail from another address: recorded as his (outgoing)"

# ---------------------------------------------------------------------
# 12. Twenty deliveries at once, one recorder

DB12=$T/db/many.db
C12=$(conf many)
start_rec c0 "$T/inf/03.eml" --db "$DB12" --owner $OWNER --config "$C12"
R12=$RPID
pids=
for i in $(seq -w 1 20); do
    "$FILTER" --db "$DB12" --owner $OWNER --config "$C12" <"$T/many/$i.eml" >"$X/c$i.out" 2>"$X/c$i.err" &
    pids="$pids $!"
done
rcs=
for p in $pids; do wait "$p"; rcs="$rcs$? "; done
is "$rcs" "$(printf '0 %.0s' $(seq 1 20))" "20 deliveries at once: all exit 0"
bad=
for i in $(seq -w 1 20); do
    { tagged "c$i" "$T/many/$i.eml" && [ "$(count_hdr "$(out "c$i")" X-Twoway-Ask)" = 1 ]; } || bad="$bad $i"
done
[ -z "$bad" ]; ok $? "20 deliveries at once: each written with its tags${bad:+ (wrong:$bad)}"
is "$(msgs_in "$DB12")" 21 "20 deliveries at once: all 20 recorded"
is "$(stat_of "$DB12" pending)" 21 "20 deliveries at once: 20 distinct asks pending (and the first one)"
[ -n "$R12" ] && alive "$R12" && has_open "$R12" "$DB12" && [ "$(rec_of "$SOCK")" = "$R12" ]
ok $? "20 deliveries at once: the one recorder served them"

# ---------------------------------------------------------------------
# 13. Socket folders that are not the user's alone: no recorder

# unsafe NAME DIR MSG: with XDG_RUNTIME_DIR=DIR, a delivery is tagged and
# recorded, and no recorder starts
unsafe() {
    local db=$T/db/unsafe-$1.db
    XDG_RUNTIME_DIR=$2 dl "unsafe-$1" "$3" --db "$db" --owner $OWNER --config "$(conf "unsafe-$1")"
    tagged "unsafe-$1" "$3" && [ "$rc" -eq 0 ] && [ "$(msgs_in "$db")" = 1 ]
    ok $? "$1: the delivery exits 0, tagged and recorded"
    [ -z "$(find "$2/twoway/" -mindepth 1 2>/dev/null)" ] && [ -z "$(pids_with "$db*")" ]
    ok $? "$1: no socket made, no recorder holds the database"
}
mkdir -p -m 700 "$RD/open"
mkdir -m 755 "$RD/open/twoway"
unsafe "socket folder of mode 0755" "$RD/open" "$T/inf/03.eml"
XDG_RUNTIME_DIR=$RD/open "$FILTER" --recorder --db "$T/db/unsafe-fg.db" --owner $OWNER --config "$(conf unsafe-fg)" >/dev/null 2>"$X/unsafe-fg.err"
rc=$?
[ $rc -eq 73 ] && grep -q 'no private folder' "$X/unsafe-fg.err"
ok $? "socket folder of mode 0755: --recorder exits 73 (no private folder), status $rc"
mkdir -p -m 700 "$RD/link" "$RD/elsewhere"
ln -s "$RD/elsewhere" "$RD/link/twoway"
unsafe "socket folder a symbolic link" "$RD/link" "$T/inf/06.eml"
if [ "$(id -u)" -eq 0 ] && id nobody >/dev/null 2>&1; then
    mkdir -p -m 700 "$RD/theirs" "$RD/theirs/twoway"
    chown nobody "$RD/theirs/twoway"
    unsafe "socket folder of another user (nobody)" "$RD/theirs" "$T/inf/07.eml"
else
    skip "socket folder of another user" "not root"
    skip "socket folder of another user" "not root"
fi
# without XDG_RUNTIME_DIR (or a relative one): twoway-UID in TMPDIR
DB13=$T/db/tmpdir.db
XDG_RUNTIME_DIR=run dl tmp1 "$T/inf/03.eml" --db "$DB13" --owner $OWNER --config "$(conf tmpdir)"
tmpsock() { ls "$TMPDIR/twoway-$(id -u)"/r-*.sock 2>/dev/null | head -n 1; }
until_ok 50 eval 'listening "$(tmpsock)"'
ok $? "a relative XDG_RUNTIME_DIR: the recorder's socket is in \$TMPDIR/twoway-UID"
is "$(stat -c %a "$TMPDIR/twoway-$(id -u)" 2>&1)" 700 "\$TMPDIR/twoway-UID is made with mode 0700"

# ---------------------------------------------------------------------
# 14. An edited configuration gets a new recorder

DB14=$T/db/edited.db
C14=$(conf edited)
start_rec e1 "$T/inf/03.eml" --db "$DB14" --owner $OWNER --config "$C14"
R14=$RPID S14=$SOCK
echo "# edited" >>"$C14"
before=$(socks)
dl e2 "$T/inf/12.eml" --db "$DB14" --owner $OWNER --config "$C14"
tagged e2 "$T/inf/12.eml" && [ "$rc" -eq 0 ]
ok $? "configuration edited: the delivery exits 0, tagged"
until_ok 50 new_sock "$before" && [ "$SOCK" != "$S14" ] && [ "$RPID" != "$R14" ]
ok $? "configuration edited: a new recorder on a socket of another name"
R14B=$RPID
dl e3 "$T/inf/21.eml" --db "$DB14" --owner $OWNER --config "$C14"
[ "$rc" -eq 0 ] && has_open "$R14B" "$DB14" && ! has_open "$R14" "$DB14"
ok $? "configuration edited: the new recorder serves, the old one does not"
# and the owner is part of it too
before=$(socks)
dl e4 "$T/inf/15.eml" --db "$DB14" --owner carla@example.edu --config "$C14"
until_ok 50 new_sock "$before" && [ "$SOCK" != "$S14" ] && [ "$RPID" != "$R14B" ]
ok $? "another --owner: another recorder"

# ---------------------------------------------------------------------
# 15. --recorder in the foreground

"$FILTER" --recorder --db "$T/db/fg0.db" --owner $OWNER --config "$(conf fg-zero 'Recorder 0')" >/dev/null 2>"$X/fg0.err"
rc=$?
[ $rc -eq 78 ] && grep -q 'Recorder is 0' "$X/fg0.err"
ok $? "--recorder with Recorder 0: exit 78, said why (status $rc)"
DB15=$T/db/fg.db
C15=$(conf fg 'Recorder 2')
before=$(socks)
"$FILTER" --recorder --db "$DB15" --owner $OWNER --config "$C15" >"$X/fg.out" 2>"$X/fg.err" &
FG=$!
until_ok 50 new_sock "$before" && [ "$RPID" = "$FG" ]
ok $? "--recorder: listens, in the foreground (the lock is held by the process started)"
S15=$SOCK
rcs='' bad=''
for n in 03 12 21; do
    dl "fg$n" "$T/inf/$n.eml" --db "$DB15" --owner $OWNER --config "$C15"
    rcs="$rcs$rc "
    tagged "fg$n" "$T/inf/$n.eml" || bad="$bad in-$n"
done
[ "$rcs" = "0 0 0 " ] && [ -z "$bad" ]
ok $? "--recorder: three deliveries through it exit 0, tagged${bad:+ (wrong:$bad)}"
has_open "$FG" "$DB15" && [ "$(msgs_in "$DB15")" = 3 ]
ok $? "--recorder: it recorded them (holds the database, 3 messages)"
"$FILTER" --recorder --db "$DB15" --owner $OWNER --config "$C15" >/dev/null 2>"$X/fg2.err"
rc=$?
[ $rc -eq 75 ] && grep -q 'another recorder' "$X/fg2.err"
ok $? "a second --recorder for the same database and configuration: exit 75, 'another recorder' (status $rc)"
alive "$FG"; ok $? "... and the first one runs on"
until_ok 60 gone "$FG"
ok $? "--recorder with Recorder 2: leaves when idle"
alive "$FG" && kill -KILL "$FG"
wait "$FG"
rc=$?
is "$rc" 0 "--recorder: exit 0 after it ran and left"
is "$(cat "$X/fg.err" "$X/fg.out")" "" "--recorder: nothing on stderr or stdout (no sanitizer report either)"
[ ! -e "$S15" ] && [ ! -e "$S15.lock" ]
ok $? "--recorder: socket and lock file removed"

# under valgrind's memcheck: 20 deliveries (17 incoming, 3 --sent) and
# one under memcheck itself go through the recorder, and three bad
# requests; then it leaves
VG_OPTS=(--tool=memcheck --error-exitcode=99 --leak-check=full
         --errors-for-leak-kinds=definite --show-leak-kinds=definite --track-fds=no)
vg_why=
if ! command -v valgrind >/dev/null 2>&1; then
    vg_why="valgrind is not installed"
elif grep -q __asan_init "$FILTER" 2>/dev/null; then
    vg_why="the filter is built with AddressSanitizer, which does not run under valgrind"
elif ! DYN=$(dynamic_filter); then
    vg_why="no twoway-filter that loads its C library at run time"
fi
# vg_clean LOG: valgrind found no error and no definite leak
vg_clean() { grep -q 'ERROR SUMMARY: 0 errors' "$1" 2>/dev/null; }
vg_show() { grep -v '^==[0-9]*== *$' "$1" 2>/dev/null | sed -n '/Parent PID/,$p' | head -40 | sed 's/^/#   /'; }
if [ -z "$vg_why" ]; then
    [ "$DYN" = "$FILTER" ] || echo "# $FILTER is a static program: valgrind runs $DYN, the same objects with the C library shared"
    DBV=$T/db/valgrind.db
    CV=$(conf valgrind 'Recorder 3')
    before=$(socks)
    valgrind "${VG_OPTS[@]}" --log-file="$T/vg-rec.log" "$DYN" --recorder --db "$DBV" --owner $OWNER --config "$CV" \
        >"$X/vg.out" 2>"$X/vg.err" &
    VGP=$!
    if until_ok 200 new_sock "$before" && [ "$RPID" = "$VGP" ]; then
        ok 0 "valgrind: the recorder runs under memcheck"
        SV=$SOCK
        : >"$T/vg.rcs"
        bad=
        # the deliveries: the same program as the recorder (its socket's
        # name holds the program's identity)
        SAVED_FILTER=$FILTER FILTER=$DYN
        for n in $(seq -w 1 17); do
            dl "vg-in$n" "$T/inf/$n.eml" --db "$DBV" --owner $OWNER --config "$CV"
            echo "$rc" >>"$T/vg.rcs"
            inserted_ok "$T/inf/$n.eml" "$(out "vg-in$n")" >/dev/null 2>&1 || bad="$bad in-$n"
        done
        for n in 01 02 03; do
            dl "vg-out$n" "$T/outf/$n.eml" --db "$DBV" --owner $OWNER --config "$CV" --sent
            echo "$rc" >>"$T/vg.rcs"
        done
        FILTER=$SAVED_FILTER
        alive "$VGP" && has_open "$VGP" "$DBV"
        ok $? "valgrind: the recorder under memcheck serves the deliveries (it holds the database)"
        is "$(sort -u "$T/vg.rcs" | tr '\n' ' ')" "0 " "valgrind: 20 deliveries through it exit 0"
        [ -z "$bad" ] && [ "$(cat "$X"/vg-in*.out | grep -c '^X-Twoway-Ask:')" = \
            "$(head -n 17 "$(expected_rows)" | awk -F'\t' '$8 == "yes"' | wc -l)" ]
        ok $? "valgrind: each written with its tags, X-Twoway-Ask on the asks to Robin${bad:+ (wrong:$bad)}"
        if [ -n "$PERL_OK" ]; then
            for mode in badmagic short huge; do
                client "$SV" $mode "$T/inf/18.eml" >"$X/vgc-$mode.out"
                echo "$mode $(cat "$X/vgc-$mode.out")"
            done >"$T/vg.bad"
            is "$(tr '\n' ',' <"$T/vg.bad")" "badmagic noreply,short noreply,huge noreply," "valgrind: three bad requests, no answer"
        else
            skip "valgrind: three bad requests" "perl with Socket is not installed"
        fi
        valgrind "${VG_OPTS[@]}" --log-file="$T/vg-dl.%p.log" "$DYN" --db "$DBV" --owner $OWNER --config "$CV" \
            <"$T/inf/21.eml" >"$X/vgdl.out" 2>"$X/vgdl.err"
        rc=$?
        tagged vgdl "$T/inf/21.eml" && [ $rc -eq 0 ] && vg_clean "$(ls "$T"/vg-dl.*.log | head -n 1)" &&
            [ "$(ls "$T"/vg-dl.*.log | wc -l)" = 1 ]
        r=$?; ok $r "valgrind: a delivery itself under memcheck, through the recorder: exit $rc, tagged, no memory error"
        [ $r -eq 0 ] || for f in "$T"/vg-dl.*.log; do vg_show "$f"; done
        is "$(msgs_in "$DBV")" 21 "valgrind: the 17 incoming, 3 sent and the last delivery are recorded"
        until_ok 150 gone "$VGP"
        ok $? "valgrind: the recorder leaves when idle"
        alive "$VGP" && kill -KILL "$VGP"
    else
        ok 1 "valgrind: the recorder runs under memcheck (no socket came: $(head -c 300 "$X/vg.err"))"
        for i in 1 2 3 4 5 6 7; do skip "valgrind" "the recorder did not start"; done
        kill -KILL "$VGP" 2>/dev/null
    fi
    wait "$VGP"
    rc=$?
    [ $rc -eq 0 ] && vg_clean "$T/vg-rec.log"
    r=$?; ok $r "valgrind: the recorder exits 0 with no memory error and no definite leak (status $rc)"
    [ $r -eq 0 ] || vg_show "$T/vg-rec.log"
else
    for i in 1 2 3 4 5 6 7 8 9 10; do skip "--recorder under valgrind" "$vg_why"; done
fi

# ---------------------------------------------------------------------
# 16. Usage

"$FILTER" --help >"$X/help.out" 2>&1
[ $? -eq 0 ] && grep -q -- '--recorder' "$X/help.out"
ok $? "--help mentions --recorder"
"$FILTER" --recorder --sent --db "$T/db/usage.db" --owner $OWNER </dev/null >/dev/null 2>&1
is $? 64 "--recorder --sent: exit 64"

# ---------------------------------------------------------------------
# 17. The protocol spoken badly, or by another user

if [ -n "$PERL_OK" ]; then
    DB17=$T/db/protocol.db
    C17=$(conf protocol)
    start_rec p1 "$T/inf/03.eml" --db "$DB17" --owner $OWNER --config "$C17"
    R17=$RPID S17=$SOCK
    for mode in badmagic short huge; do
        client "$S17" $mode "$T/inf/12.eml" >"$X/p-$mode.out"
        is "$(cat "$X/p-$mode.out")" noreply "a request with $mode: no answer"
    done
    client "$S17" mail "$T/inf/12.eml" >"$X/p-mail.out"
    [ "$(head -n 1 "$X/p-mail.out")" = "status 0" ] && grep -q '^X-Twoway-Ask: yes' "$X/p-mail.out" &&
        alive "$R17" && [ "$(rec_of "$S17")" = "$R17" ] && [ "$(msgs_in "$DB17")" = 2 ]
    ok $? "after the bad requests: the same recorder answers a good one, with its tags, and records it"
    if [ "$(id -u)" -eq 0 ] && NB=$(id -u nobody 2>/dev/null) &&
        setpriv --reuid="$NB" --regid="$(id -g nobody)" --clear-groups --inh-caps=+dac_override \
            --ambient-caps=+dac_override true 2>/dev/null; then
        # nobody, allowed past the folder's mode, is still not the user
        setpriv --reuid="$NB" --regid="$(id -g nobody)" --clear-groups --inh-caps=+dac_override \
            --ambient-caps=+dac_override perl "$T/client.pl" "$S17" mail "$T/inf/21.eml" >"$X/p-nobody.out" 2>&1
        is "$(cat "$X/p-nobody.out")|$(msgs_in "$DB17")" "noreply|2" \
           "a request from another user (nobody): no answer, nothing recorded"
        client "$S17" mail "$T/inf/21.eml" >"$X/p-root.out"
        is "$(head -n 1 "$X/p-root.out")|$(msgs_in "$DB17")" "status 0|3" "the same request from the user: answered and recorded"
    else
        skip "a request from another user" "not root, or setpriv cannot give nobody CAP_DAC_OVERRIDE"
        skip "a request from another user" "not root, or setpriv cannot give nobody CAP_DAC_OVERRIDE"
    fi
else
    for i in 1 2 3 4 5 6; do skip "the protocol" "perl with Socket is not installed"; done
fi

# ---------------------------------------------------------------------
# 18. No --owner: the recorder finds the owner in each message, or none

DB18=$T/db/noowner.db
C18=$(conf noowner 'OnError tempfail')
sed '/^Delivered-To:/d' "$T/inf/21.eml" >"$T/nodt.eml"
start_rec no1 "$T/inf/03.eml" --db "$DB18" --config "$C18"
R18=$RPID
dl no2 "$T/inf/12.eml" --db "$DB18" --config "$C18"
tagged no2 "$T/inf/12.eml" && [ "$rc" = 0 ] && [ "$(msgs_in "$DB18")" = 2 ] && [ -n "$R18" ] && has_open "$R18" "$DB18"
ok $? "no --owner: the recorder takes the owner from Delivered-To, tags and records"
dl no3 "$T/nodt.eml" --db "$DB18" --config "$C18"
[ "$rc" = 0 ] && cmp -s "$(out no3)" "$T/nodt.eml" && grep -q 'no owner' "$X/no3.err" && [ "$(msgs_in "$DB18")" = 2 ] &&
    alive "$R18" && has_open "$R18" "$DB18"
ok $? "no owner at all, through the recorder: exit 0 (not OnError tempfail), passed untagged, said so"

# ---------------------------------------------------------------------
# The end: no recorder of this script is left

left=$(recorders)
for p in $left; do kill -TERM "$p" 2>/dev/null; done
until_ok 50 eval '[ -z "$(recorders)" ]'
ok $? "every recorder this script started is gone ($(echo $left | wc -w) were still running, killed)"

done_testing
