#!/bin/bash
# database.sh - the database in trouble, for each face: locked by
# another process past BusyTimeout, read-only (file mode, directory
# mode, file system), on a full file system, deleted (under a running
# milter), corrupted (garbage over its pages, garbage over its first
# page, truncated, a file that is not SQLite at all).
#
# For every fault and every face (twoway-filter; twoway-milter under
# miltertest; twoway import):
#   OnError accept    the mail passes whole and untagged: filter exit 0
#                     and the input byte for byte; milter continue with
#                     no header added (forged tags still removed)
#   OnError tempfail  filter exit 75 with nothing written; milter 451
#                     4.3.0 (twoway-filter(1), twoway-milter(8))
#   import            a non-zero exit, an error naming the database and
#                     the cause, the database still consistent
#   the log           exactly one line about the failure, naming the
#                     database and the cause (filter: standard error;
#                     milter: its standard error with Syslog no and -f)
#   recovery          once the fault is gone, the next delivery is
#                     recorded and tagged, by the same milter process
#
# As root, the faces run as nobody (setpriv, or runuser) where a file
# mode must matter, the milter with UserID nobody; the file-system
# faults use a small tmpfs and a read-only bind mount.  Cells that need
# what this machine does not allow are skipped, with the reason.
#
# References: DESIGN.md ("Storage", "Never lose mail"), twoway-filter(1)
# FAILURES, twoway-milter(8) FAILURES, twoway(1) EXIT STATUS.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib/tap.sh"
. "$SRC/tests/face/common.sh"

MILTER=${MILTER:-$BUILD/milter/twoway-milter}
HELPER=$SRC/tests/milter/helper.lua
LUA=$SRC/tests/faults/fault.lua
ulimit -c 0

need sqlite3 jq
HAVE_MILTER=yes
if ! command -v miltertest >/dev/null 2>&1; then
    HAVE_MILTER="miltertest is not installed"
elif [ ! -x "$MILTER" ]; then
    HAVE_MILTER="twoway-milter is not built"
fi

# Everything the faces touch lives where the user nobody can reach it
# (the build tree may be out of its reach): under /tmp, mode 755.
WORK=$(mktemp -d /tmp/twoway-faults.XXXXXX)
chmod 755 "$WORK"
MOUNTS=
STARTED=$T/started
: >"$STARTED"
cleanup() {
    [ -n "$_lock_pid" ] && kill "$_lock_pid" 2>/dev/null
    while read -r _n _p _e; do
        kill -0 "$_p" 2>/dev/null && kill -KILL "$_p" 2>/dev/null
    done <"$STARTED"
    for _m in $MOUNTS; do
        umount "$_m" 2>/dev/null || umount -l "$_m" 2>/dev/null
    done
    rm -rf "$WORK"
}
trap cleanup EXIT

# ---------------------------------------------------------------------
# Who runs the faces

# U: the command prefix that runs a face as an unprivileged user (root
# ignores file modes); own PATH...: gives files to that user.
U=
AS=
if [ "$(id -u)" -eq 0 ]; then
    NB_UID=$(id -u nobody 2>/dev/null)
    NB_GID=$(id -g nobody 2>/dev/null)
    if [ -n "$NB_UID" ] && setpriv --reuid="$NB_UID" --regid="$NB_GID" --clear-groups true 2>/dev/null; then
        U="setpriv --reuid=$NB_UID --regid=$NB_GID --clear-groups"
        AS="nobody (setpriv)"
    elif [ -n "$NB_UID" ] && runuser -u nobody -- true 2>/dev/null; then
        U="runuser -u nobody --"
        AS="nobody (runuser)"
    else
        echo "1..0 # SKIP running as root, and neither setpriv nor runuser can become nobody"
        exit 0
    fi
    own() { chown -R "$NB_UID:$NB_GID" "$@"; }
else
    AS="$(id -un)"
    own() { :; }
fi
echo "# faces run as $AS"

# the programs, where that user can run them
mkdir -p "$WORK/bin"
cp "$FILTER" "$TWOWAY" "$WORK/bin/"
F=$WORK/bin/twoway-filter
TW=$WORK/bin/twoway

# the file-system faults: a tmpfs of 2 MB (given to that user), and a
# read-only bind mount
HAVE_TMPFS="mounting a tmpfs is not allowed here"
HAVE_ROBIND="a read-only bind mount is not allowed here"
if [ "$(id -u)" -eq 0 ]; then
    mkdir -p "$WORK/full"
    if mount -t tmpfs -o "size=2m,mode=0755,uid=$NB_UID,gid=$NB_GID" twoway-faults "$WORK/full" 2>/dev/null; then
        MOUNTS="$WORK/full $MOUNTS"
        HAVE_TMPFS=yes
    fi
    mkdir -p "$WORK/rofs"
    if mount --bind "$WORK/rofs" "$WORK/rofs" 2>/dev/null; then
        MOUNTS="$WORK/rofs $MOUNTS"
        if mount -o remount,bind,ro "$WORK/rofs" 2>/dev/null && ! touch "$WORK/rofs/.probe" 2>/dev/null &&
           mount -o remount,bind,rw "$WORK/rofs" 2>/dev/null; then
            HAVE_ROBIND=yes
        fi
    fi
else
    HAVE_TMPFS="mounting a tmpfs needs root"
    HAVE_ROBIND="a bind mount needs root"
fi

# ---------------------------------------------------------------------
# Mail, configurations, a good ledger

mbox_to_files "$SAMPLE/inbox.mbox" "$T/inf"
MSG=$WORK/in-12.eml           # Dmitri asks Robin to review a draft
cp "$T/inf/12.eml" "$MSG"
MBOX=$WORK/sent.mbox          # Robin's 12 sent messages, for the import
cp "$SAMPLE/sent.mbox" "$MBOX"
for kind in accept tempfail; do
    printf 'Owner robin@example.org\nBusyTimeout 300\nOnError %s\n' $kind >"$WORK/$kind.conf"
done
# the good ledger: nine earlier messages, not in-12
"$TWOWAY" --db "$WORK/good.db" --owner $OWNER import --quiet "$T"/inf/0[1-9].eml >"$T/good.out" 2>&1 ||
    { ok 1 "a good ledger to start from"; sed 's/^/# /' "$T/good.out"; done_testing; exit; }
sqlite3 "$WORK/good.db" 'PRAGMA wal_checkpoint(TRUNCATE);' >/dev/null
chmod 644 "$WORK/good.db"
GOOD_MESSAGES=$(stat_of "$WORK/good.db" messages)
[ "$GOOD_MESSAGES" = 9 ]
ok $? "a good ledger to start from: 9 messages ($GOOD_MESSAGES)"

# place DB: a copy of the good ledger at DB (its directory made), given
# to the faces' user
place() {
    mkdir -p "$(dirname "$1")"
    rm -f "$1" "$1-wal" "$1-shm"
    cp "$WORK/good.db" "$1"
    chmod 600 "$1"
    own "$(dirname "$1")"
}

# messages DB: how many messages DB holds (read as the faces' user, so
# that no -wal or -shm file is left to root)
messages() {
    $U "$TW" --db "$1" --owner $OWNER stats --json 2>/dev/null | jq -r '.messages // "none"' 2>/dev/null
}

# integrity DB: PRAGMA integrity_check of a copy of DB and its -wal
# (read-only places and the faces' files stay as they are)
integrity() {
    rm -f "$T/check.db" "$T/check.db-wal" "$T/check.db-shm"
    cp "$1" "$T/check.db" 2>/dev/null || { echo "cannot read $1"; return; }
    [ -f "$1-wal" ] && cp "$1-wal" "$T/check.db-wal"
    sqlite3 "$T/check.db" 'PRAGMA integrity_check;' 2>&1 | head -1
}

# the database held by another process: lock_db and unlock_db of
# tests/face/common.sh, run as the faces' user
LOCK_AS=$U

# ---------------------------------------------------------------------
# The filter

# filter_run NAME DB CONF: the filter on in-12 as the faces' user;
# $T/NAME.out, $T/NAME.err, $rc
filter_run() {
    $U "$F" --config "$WORK/$3.conf" --db "$2" <"$MSG" >"$T/$1.out" 2>"$T/$1.err"
    rc=$?
}

# one_line FILE DB CAUSE OUTCOME: FILE holds exactly one line, naming
# DB, matching the cause (extended regex) and saying OUTCOME
one_line() {
    [ "$(wc -l <"$1")" -eq 1 ] && grep -qF "$2" "$1" && grep -qE "$3" "$1" && grep -qF "$4" "$1"
}

# filter_faulty FAULT DB CAUSE: OnError accept and tempfail
filter_faulty() {
    filter_run "f-$1-acc" "$2" accept
    [ "$rc" -eq 0 ] && cmp -s "$T/f-$1-acc.out" "$MSG"
    ok $? "filter, $1, OnError accept: exit 0 ($rc), the message whole and untagged"
    one_line "$T/f-$1-acc.err" "$2" "$3" "OnError accept: message passed untagged"
    _rc=$?
    ok $_rc "filter, $1, OnError accept: one line on stderr naming the database and the cause"
    [ $_rc -eq 0 ] || sed 's/^/#   /' "$T/f-$1-acc.err"
    filter_run "f-$1-tf" "$2" tempfail
    [ "$rc" -eq 75 ] && [ ! -s "$T/f-$1-tf.out" ]
    ok $? "filter, $1, OnError tempfail: exit 75 ($rc), nothing written"
    one_line "$T/f-$1-tf.err" "$2" "$3" "OnError tempfail: delivery deferred"
    _rc=$?
    ok $_rc "filter, $1, OnError tempfail: one line on stderr naming the database and the cause"
    [ $_rc -eq 0 ] || sed 's/^/#   /' "$T/f-$1-tf.err"
}

# filter_recovers FAULT DB EXPECTED-MESSAGES: the same delivery, the
# fault gone: tagged, and recorded
filter_recovers() {
    filter_run "f-$1-rec" "$2" accept
    [ "$rc" -eq 0 ] && inserted_ok "$MSG" "$T/f-$1-rec.out" >/dev/null 2>&1 &&
        [ -n "$(tag "$T/f-$1-rec.out" Ask)" ] && [ "$(messages "$2")" = "$3" ] &&
        [ "$(integrity "$2")" = ok ]
    ok $? "filter, $1, once the fault is gone: exit 0 ($rc), tagged, recorded ($(messages "$2") messages), consistent"
    [ -s "$T/f-$1-rec.err" ] && sed 's/^/#   /' "$T/f-$1-rec.err"
}

# ---------------------------------------------------------------------
# The milter

# Milters listen on unix sockets in $WORK: over TCP on loopback each
# conversation costs ~100 ms of delayed acknowledgements.

# milter_start NAME DB KIND: a milter with OnError KIND on DB;
# sets SOCK_<KIND>, ERR_<KIND>, PID_<KIND>
milter_start() {
    _conf=$WORK/m-$1-$3.conf
    {
        echo "Domain example.org"
        echo "Database $2"
        echo "Syslog no"
        echo "BusyTimeout 300"
        echo "OnError $3"
        [ "$(id -u)" -eq 0 ] && echo "UserID nobody"
    } >"$_conf"
    _err=$T/m-$1-$3.err
    "$MILTER" -c "$_conf" -p "unix:$WORK/m-$1-$3.sock" -f 2>"$_err" &
    _pid=$!
    echo "m-$1-$3 $_pid $_err" >>"$STARTED"
    eval "SOCK_$3=unix:$WORK/m-$1-$3.sock ERR_$3=$_err PID_$3=$_pid"
    wait_log "$_err" 'listening on' && kill -0 $_pid 2>/dev/null
}

# milter_pair FAULT DB: the two milters (OnError accept and tempfail)
# on the same database
milter_pair() {
    milter_start "$1" "$2" accept && milter_start "$1" "$2" tempfail
    ok $? "milter, $1: two milters (OnError accept, tempfail) start on one database"
}

# mt KIND EXPECT TAG: fault.lua against the KIND milter
mt() {
    eval "_sock=\$SOCK_$1"
    miltertest -D HELPER="$HELPER" -D SOCK="$_sock" -D EXPECT="$2" -D TAG="$3" -s "$LUA" >"$T/mt-$3.out" 2>&1
}

# mt_ok NAME KIND EXPECT TAG: mt with one TAP line
mt_ok() {
    mt "$2" "$3" "$4"
    _rc=$?
    ok $_rc "$1"
    [ $_rc -eq 0 ] || { sed 's/^/#   /' "$T/mt-$4.out" | tail -5; eval "tail -3 \$ERR_$2" | sed 's/^/#   log: /'; }
}

# milter_faulty FAULT DB CAUSE: a message to each milter during the fault
milter_faulty() {
    mt_ok "milter, $1, OnError accept: continue, no tag added, the forged tag removed" accept accept "$1-a"
    grep -F "FAULT$1-a:" "$ERR_accept" | grep -F "$2" >"$T/m-$1-a.log"
    one_line "$T/m-$1-a.log" "$2" "$3" "mail passed untagged" &&
        ! grep -qE "FAULT$1-a: (recorded|known)" "$ERR_accept"
    _rc=$?
    ok $_rc "milter, $1, OnError accept: one log line naming the database and the cause, none saying it was recorded"
    [ $_rc -eq 0 ] || grep -F "FAULT$1-a:" "$ERR_accept" | sed 's/^/#   /'
    [ "$1" = full ] && fill 1b
    mt_ok "milter, $1, OnError tempfail: 451 4.3.0" tempfail tempfail "$1-t"
    grep -F "FAULT$1-t:" "$ERR_tempfail" | grep -F "$2" >"$T/m-$1-t.log"
    one_line "$T/m-$1-t.log" "$2" "$3" "OnError tempfail: mail deferred" &&
        ! grep -qE "FAULT$1-t: (recorded|known)" "$ERR_tempfail"
    _rc=$?
    ok $_rc "milter, $1, OnError tempfail: one log line naming the database and the cause, none saying it was recorded"
    [ $_rc -eq 0 ] || grep -F "FAULT$1-t:" "$ERR_tempfail" | sed 's/^/#   /'
}

# milter_recovers FAULT DB: once the fault is gone, each milter (still
# the same process) records and tags the next message
milter_recovers() {
    _before=$(messages "$2")
    mt_ok "milter, $1, once the fault is gone: the OnError accept milter tags the next mail" accept tagged "$1-ra"
    mt_ok "milter, $1, once the fault is gone: the OnError tempfail milter tags the next mail" tempfail tagged "$1-rt"
    _after=$(messages "$2")
    kill -0 "$PID_accept" 2>/dev/null && kill -0 "$PID_tempfail" 2>/dev/null &&
        [ "$_after" = $((${_before:-0} + 2)) ] 2>/dev/null && [ "$(integrity "$2")" = ok ]
    ok $? "milter, $1: both recorded ($_before, then $_after messages) by the same processes, consistent"
}

# milter_stop: SIGTERM to the pair; their exits are checked at the end
milter_stop() {
    kill -TERM "$PID_accept" "$PID_tempfail" 2>/dev/null
}

# milter_skip FAULT WHY N: N skipped milter checks
milter_skip() {
    for _i in $(seq "$3"); do skip "milter, $1" "$2"; done
}

# ---------------------------------------------------------------------
# The command

# import_run NAME DB: twoway import --sent of Robin's 12 sent messages;
# $T/NAME.out, $T/NAME.err, $rc
import_run() {
    $U "$TW" --db "$2" --owner $OWNER --config "$WORK/accept.conf" import --sent "$MBOX" \
        >"$T/$1.out" 2>"$T/$1.err"
    rc=$?
}

# import_faulty FAULT DB CAUSE [nocheck]: a clear error; the database
# still consistent (unless nocheck: a database that cannot be read)
import_faulty() {
    import_run "i-$1" "$2"
    [ "$rc" -ne 0 ] && head -1 "$T/i-$1.err" | grep -F "$2" | grep -qE "$3"
    _rc=$?
    ok $_rc "import, $1: exit $rc, the first line on stderr names the database and the cause"
    [ $_rc -eq 0 ] || sed 's/^/#   /' "$T/i-$1.err"
    if [ "${4:-}" != nocheck ]; then
        is "$(integrity "$2")" ok "import, $1: the database is still consistent (PRAGMA integrity_check)"
    fi
}

# import_recovers FAULT DB EXPECTED-MESSAGES
import_recovers() {
    import_run "i-$1-rec" "$2"
    [ "$rc" -eq 0 ] && grep -q '^12 messages read, 12 recorded' "$T/i-$1-rec.out" &&
        [ "$(messages "$2")" = "$3" ] && [ "$(integrity "$2")" = ok ]
    ok $? "import, $1, once the fault is gone: exit 0 ($rc), all 12 recorded, consistent"
    [ "$rc" -eq 0 ] || sed 's/^/#   /' "$T/i-$1-rec.err"
}

# ---------------------------------------------------------------------
# 1. Locked by another process past BusyTimeout (300 ms)

D=$WORK/lock
place "$D/f.db"
if lock_db "$D/f.db"; then
    t0=$(date +%s%N)
    filter_faulty locked "$D/f.db" 'database is locked'
    t1=$(date +%s%N)
    unlock_db
    [ $(((t1 - t0) / 1000000)) -lt 4000 ]
    ok $? "filter, locked: each run gives up after about BusyTimeout ($(((t1 - t0) / 1000000)) ms for two)"
    filter_recovers locked "$D/f.db" 10
else
    for i in 1 2 3 4 5 6; do skip "filter, locked" "sqlite3 could not hold the lock"; done
fi
if [ "$HAVE_MILTER" = yes ]; then
    place "$D/m.db"
    milter_pair locked "$D/m.db"
    mt_ok "milter, locked: a first message opens the database" accept tagged locked-w
    if lock_db "$D/m.db"; then
        milter_faulty locked "$D/m.db" 'database is locked'
        unlock_db
        milter_recovers locked "$D/m.db"
    else
        milter_skip locked "sqlite3 could not hold the lock" 7
    fi
    milter_stop
else
    milter_skip locked "$HAVE_MILTER" 9
fi
place "$D/i.db"
if lock_db "$D/i.db"; then
    import_faulty locked "$D/i.db" 'database is locked'
    unlock_db
    import_recovers locked "$D/i.db" 21
else
    for i in 1 2 3; do skip "import, locked" "sqlite3 could not hold the lock"; done
fi

# ---------------------------------------------------------------------
# 2. Read-only file: mode 0444 (the faces as nobody when run as root)

D=$WORK/rofile
for face in f m i; do
    place "$D/$face.db"
    chmod 444 "$D/$face.db"
done
filter_faulty ro-file "$D/f.db" 'Permission denied'
chmod 644 "$D/f.db"
filter_recovers ro-file "$D/f.db" 10
if [ "$HAVE_MILTER" = yes ]; then
    # the milter opens its database at the first message: a new milter
    # meets the mode (one that has the file open already writes on)
    milter_pair ro-file "$D/m.db"
    milter_faulty ro-file "$D/m.db" 'Permission denied'
    chmod 644 "$D/m.db"
    milter_recovers ro-file "$D/m.db"
    milter_stop
else
    milter_skip ro-file "$HAVE_MILTER" 8
fi
import_faulty ro-file "$D/i.db" 'Permission denied'
chmod 644 "$D/i.db"
import_recovers ro-file "$D/i.db" 21

# ---------------------------------------------------------------------
# 3. Read-only directory: mode 0555, the database writable but no room
#    for its -wal and -shm files

for face in f m i; do
    D=$WORK/rodir-$face
    place "$D/t.db"
    chmod 644 "$D/t.db"
    chmod 555 "$D"
done
RODIR_CAUSE='readonly database|unable to open database'
filter_faulty ro-dir "$WORK/rodir-f/t.db" "$RODIR_CAUSE"
chmod 755 "$WORK/rodir-f"
filter_recovers ro-dir "$WORK/rodir-f/t.db" 10
if [ "$HAVE_MILTER" = yes ]; then
    milter_pair ro-dir "$WORK/rodir-m/t.db"
    milter_faulty ro-dir "$WORK/rodir-m/t.db" "$RODIR_CAUSE"
    chmod 755 "$WORK/rodir-m"
    milter_recovers ro-dir "$WORK/rodir-m/t.db"
    milter_stop
else
    milter_skip ro-dir "$HAVE_MILTER" 8
fi
import_faulty ro-dir "$WORK/rodir-i/t.db" "$RODIR_CAUSE"
chmod 755 "$WORK/rodir-i"
import_recovers ro-dir "$WORK/rodir-i/t.db" 21

# ---------------------------------------------------------------------
# 4. Read-only file system (a bind mount made read-only, as root)

D=$WORK/rofs
if [ "$HAVE_ROBIND" = yes ]; then
    for face in f m i; do place "$D/$face.db"; done
    mount -o remount,bind,ro "$D"
    filter_faulty ro-fs "$D/f.db" 'Read-only file system'
    if [ "$HAVE_MILTER" = yes ]; then
        milter_pair ro-fs "$D/m.db"
        milter_faulty ro-fs "$D/m.db" 'Read-only file system'
    fi
    import_faulty ro-fs "$D/i.db" 'Read-only file system'
    mount -o remount,bind,rw "$D"
    filter_recovers ro-fs "$D/f.db" 10
    if [ "$HAVE_MILTER" = yes ]; then
        milter_recovers ro-fs "$D/m.db"
        milter_stop
    else
        milter_skip ro-fs "$HAVE_MILTER" 8
    fi
    import_recovers ro-fs "$D/i.db" 21
else
    for i in 1 2 3 4 5; do skip "filter, ro-fs" "$HAVE_ROBIND"; done
    milter_skip ro-fs "$HAVE_ROBIND" 8
    for i in 1 2 3; do skip "import, ro-fs" "$HAVE_ROBIND"; done
fi

# ---------------------------------------------------------------------
# 5. Full file system: a 2 MB tmpfs filled up

D=$WORK/full
if [ "$HAVE_TMPFS" = yes ]; then
    for face in f m i; do place "$D/$face/t.db"; done
    if [ "$HAVE_MILTER" = yes ]; then
        milter_pair full "$D/m/t.db"
        mt_ok "milter, full: a first message opens the database" accept tagged full-w
    fi
    # fill: takes whatever room there is left (a face that gives up may
    # free some: SQLite removes its -wal and -shm files at close)
    fill() { $U dd if=/dev/zero of="$D/filler.$1" bs=4096 2>/dev/null; }
    fill 0
    is "$(df -P "$D" | awk 'NR == 2 { print $4 }')" 0 "full: the file system has no room left"
    # with no room for its -shm file, SQLite says "disk I/O error"
    FULL_CAUSE='database or disk is full|disk I/O error'
    filter_faulty full "$D/f/t.db" "$FULL_CAUSE"
    if [ "$HAVE_MILTER" = yes ]; then
        fill 1
        milter_faulty full "$D/m/t.db" "$FULL_CAUSE"
    fi
    fill 2
    import_faulty full "$D/i/t.db" "$FULL_CAUSE"
    rm -f "$D"/filler.*
    filter_recovers full "$D/f/t.db" 10
    if [ "$HAVE_MILTER" = yes ]; then
        milter_recovers full "$D/m/t.db"
        milter_stop
    else
        milter_skip full "$HAVE_MILTER" 9
    fi
    import_recovers full "$D/i/t.db" 21
else
    skip "full: the file system has no room left" "$HAVE_TMPFS"
    for i in 1 2 3 4 5; do skip "filter, full" "$HAVE_TMPFS"; done
    milter_skip full "$HAVE_TMPFS" 9
    for i in 1 2 3; do skip "import, full" "$HAVE_TMPFS"; done
fi

# ---------------------------------------------------------------------
# 6. Deleted: the database and its -wal and -shm files removed

D=$WORK/deleted
place "$D/f.db"
"$F" --config "$WORK/accept.conf" --db "$D/f.db" <"$T/inf/10.eml" >/dev/null 2>&1
rm -f "$D/f.db" "$D/f.db-wal" "$D/f.db-shm"
filter_recovers deleted "$D/f.db" 1
if [ "$HAVE_MILTER" = yes ]; then
    place "$D/m.db"
    milter_pair deleted "$D/m.db"
    mt_ok "milter, deleted: a first message opens the database" accept tagged deleted-w
    rm -f "$D/m.db" "$D/m.db-wal" "$D/m.db-shm"
    mt_ok "milter, deleted under it: the next mail is tagged" accept tagged deleted-a
    [ "$(messages "$D/m.db")" = 1 ]
    ok $? "milter, deleted under it: the mail is recorded in a new database at its path ($(messages "$D/m.db") messages)"
    grep -F "FAULTdeleted-a:" "$ERR_accept" | grep -qF "$D/m.db: the database file was removed or replaced"
    ok $? "milter, deleted under it: the log says the database is opened afresh"
    mt_ok "milter, deleted under it: the other milter tags the next mail too" tempfail tagged deleted-t
    [ "$(messages "$D/m.db")" = 2 ]
    ok $? "milter, deleted under it: both milters record in the new database ($(messages "$D/m.db") messages)"
    milter_stop
else
    milter_skip deleted "$HAVE_MILTER" 7
fi
place "$D/i.db"
rm -f "$D/i.db"
import_recovers deleted "$D/i.db" 12

# ---------------------------------------------------------------------
# 7. Corrupted

# corrupt KIND DB: damages DB in place (its -wal copied in first)
corrupt() {
    $U sqlite3 "$2" 'PRAGMA wal_checkpoint(TRUNCATE);' >/dev/null 2>&1
    _pages=$(($(stat -c %s "$2") / 4096))
    case $1 in
    pages)     # garbage over every page but the first
        head -c $(((_pages - 1) * 4096)) /dev/urandom | dd of="$2" bs=4096 seek=1 conv=notrunc 2>/dev/null ;;
    header)    # garbage over the first page, the header included
        head -c 4096 /dev/urandom | dd of="$2" bs=4096 conv=notrunc 2>/dev/null ;;
    truncated) # cut in the middle of its second page
        truncate -s 6000 "$2" ;;
    notsqlite) # a text file in its place
        { echo "Robin's notes, not a database"; head -c 20000 /dev/urandom | base64; } >"$2" ;;
    esac
}

# restore DB: the good ledger back in place (the milter has closed it
# after the failure)
restore() {
    rm -f "$1-wal" "$1-shm"
    $U cp "$WORK/good.db" "$1"
}

CORRUPT_CAUSE='database disk image is malformed|file is not a database'
n=0
for kind in pages header truncated notsqlite; do
    D=$WORK/corrupt-$kind
    name=corrupt-$kind
    place "$D/f.db"
    corrupt $kind "$D/f.db"
    filter_faulty $name "$D/f.db" "$CORRUPT_CAUSE"
    restore "$D/f.db"
    filter_recovers $name "$D/f.db" 10
    if [ "$HAVE_MILTER" = yes ]; then
        place "$D/m.db"
        milter_pair $name "$D/m.db"
        # a running milter with the database open meets the damage at
        # its next message
        mt_ok "milter, $name: a first message opens the database" accept tagged $name-w
        corrupt $kind "$D/m.db"
        milter_faulty $name "$D/m.db" "$CORRUPT_CAUSE"
        restore "$D/m.db"
        milter_recovers $name "$D/m.db"
        milter_stop
    else
        milter_skip $name "$HAVE_MILTER" 9
    fi
    place "$D/i.db"
    corrupt $kind "$D/i.db"
    import_faulty $name "$D/i.db" "$CORRUPT_CAUSE" nocheck
    restore "$D/i.db"
    import_recovers $name "$D/i.db" 21
done

# ---------------------------------------------------------------------
# 8. Every milter stopped: exit 0 on SIGTERM, stderr clean

while read -r name pid err; do
    kill -TERM "$pid" 2>/dev/null
done <"$STARTED"
while read -r name pid err; do
    _i=0
    while kill -0 "$pid" 2>/dev/null && [ $_i -lt 300 ]; do
        sleep 0.05
        _i=$((_i + 1))
    done
    if kill -0 "$pid" 2>/dev/null; then
        kill -KILL "$pid"
    fi
    wait "$pid"
    _rc=$?
    grep -E 'CRITICAL|ERROR:|runtime error:|AddressSanitizer|LeakSanitizer|Segmentation' "$err" >"$T/$name.bad"
    [ "$_rc" -eq 0 ] && [ ! -s "$T/$name.bad" ]
    ok $? "$name: exits 0 on SIGTERM ($_rc), no CRITICAL, ERROR: or sanitizer report"
    sed 's/^/# /' "$T/$name.bad" | head -5
done <"$STARTED"

done_testing
