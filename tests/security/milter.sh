#!/bin/bash
# milter.sh - twoway-milter's privileges, the modes of what it creates,
# who may read its ledger, and owners kept apart.
#
# Started as root, the milter must become UserID for good and refuse to
# go on as root (no UserID, or UserID root) unless AllowRoot says so.
# Checked from the outside: /proc/PID/status (real, effective, saved
# and file-system ids, supplementary groups, capabilities,
# no_new_privs), gdb calling setuid(0) in the running milter (when gdb
# is installed), the owner and mode of the socket, the pid file, the
# database directory, the database and its -wal and -shm files under
# UMask 007, 027 and 077; a pid file planted as a link is refused; a
# database directory anyone may write is refused.  Then the access
# model: a member of the milter's group reads the whole ledger (every
# owner: --owner chooses, it does not protect), anyone else gets
# "Permission denied" naming the file and nothing else; and owners.lua
# (miltertest) checks that mail to two owners carries neither owner's
# ledger.
#
# Runs as root only (it switches users); the checks that send mail need
# miltertest.  Every milter listens on a unix socket of its own under a
# private directory in $TMPDIR (short paths, readable by nobody) and is
# stopped by its PID.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib/tap.sh"

LC_ALL=C
export LC_ALL
MILTER=${MILTER:-$BUILD/milter/twoway-milter}
HELPER=$SRC/tests/milter/helper.lua
MT_DIR=$SRC/tests/milter
HERE=$SRC/tests/security

if [ "$(id -u)" -ne 0 ]; then
    echo "1..0 # SKIP needs root: the milter's switch to UserID is what is tested"
    exit 0
fi
need setpriv stat
if ! id nobody >/dev/null 2>&1; then
    echo "1..0 # SKIP no user 'nobody' to run the milter as"
    exit 0
fi
if [ ! -x "$MILTER" ]; then
    ok 1 "twoway-milter is built ($MILTER)"
    done_testing
    exit
fi
HAVE_MT=yes
command -v miltertest >/dev/null 2>&1 || HAVE_MT=
NO_MT="miltertest is not installed (Debian: apt-get install miltertest)"

RUN_USER=nobody
RUN_UID=$(id -u nobody)
RUN_GID=$(id -g nobody)
RUN_GROUP=$(id -gn nobody)
# a reader who is neither root nor the milter's user
READER_UID=4711
# supplementary groups root holds when it starts the milter
EXTRA_GROUPS=4242,4243

W=$(mktemp -d "${TMPDIR:-/tmp}/twoway-sec.XXXXXX")
chmod 755 "$W"
STARTED=$W/started
: >"$STARTED"
cleanup() {
    while read -r _p; do
        kill -0 "$_p" 2>/dev/null && kill -KILL "$_p" 2>/dev/null
    done <"$STARTED"
    rm -rf "$W"
}
trap cleanup EXIT

# ---------------------------------------------------------------------
# Helpers

# setup NAME: directories as systemd's RuntimeDirectory and
# StateDirectory make them: $W/NAME/run and $W/NAME/state, the
# milter's user's, 0750.  The database goes into state/ledger, a
# directory the milter makes itself.
setup() {
    D=$W/$1
    mkdir -p "$D/run" "$D/state"
    chown "$RUN_UID:$RUN_GID" "$D/run" "$D/state"
    chmod 750 "$D/run" "$D/state"
    SOCK=$D/run/milter.sock
    PIDF=$D/run/milter.pid
    DB=$D/state/ledger/twoway.db
}

# conf NAME LINE...: $W/NAME.conf with the basic keys, then LINEs.
conf() {
    CONF=$W/$1.conf
    shift
    {
        echo "Domain example.org"
        echo "Database $DB"
        echo "Socket unix:$SOCK"
        echo "Syslog no"
        for _l in "$@"; do echo "$_l"; done
    } >"$CONF"
}

# start LABEL [COMMAND-PREFIX...]: runs the milter on $CONF in the
# foreground (through the prefix, e.g. setpriv); $MPID, $ERR.  Passes
# when it says it listens.
start() {
    _label=$1
    shift
    ERR=$W/$_label.err
    "$@" "$MILTER" -c "$CONF" -f 2>"$ERR" &
    MPID=$!
    echo "$MPID" >>"$STARTED"
    wait_log "$ERR" 'listening on' && kill -0 $MPID 2>/dev/null
    _rc=$?
    ok $_rc "$_label: the milter starts"
    [ $_rc -eq 0 ] || sed 's/^/#   /' "$ERR" | head -10
    return $_rc
}

# stop LABEL: SIGTERM; finish (at the end) waits for every milter
# stopped so (libmilter takes up to 5 s to stop: they stop side by
# side) and checks its exit and what it leaves behind.
STOPPING=$W/stopping
: >"$STOPPING"
stop() {
    kill -TERM "$MPID" 2>/dev/null
    echo "$MPID $1 $SOCK $(grep -q '^PidFile' "$CONF" && echo "$PIDF")" >>"$STOPPING"
}
finish() {
    while read -r _p _label _sock _pidf; do
        _i=0
        while kill -0 "$_p" 2>/dev/null && [ $_i -lt 300 ]; do
            sleep 0.05
            _i=$((_i + 1))
        done
        kill -0 "$_p" 2>/dev/null && kill -KILL "$_p"
        wait "$_p" 2>/dev/null
        _rc=$?
        [ $_rc -eq 0 ] && [ ! -e "$_sock" ] && { [ -z "$_pidf" ] || [ ! -e "$_pidf" ]; }
        ok $? "$_label: exits 0 on SIGTERM (exit $_rc), its socket${_pidf:+ and pid file} removed"
        grep -E 'CRITICAL|ERROR:|runtime error:|AddressSanitizer|LeakSanitizer' "$W/$_label.err" >"$W/$_label.bad"
        [ ! -s "$W/$_label.bad" ]
        ok $? "$_label: no CRITICAL, ERROR: or sanitizer report on stderr"
        sed 's/^/#   /' "$W/$_label.bad" | head -5
    done <"$STOPPING"
}

# refused LABEL STATUS PATTERN [COMMAND-PREFIX...]: the milter exits
# STATUS at once, saying PATTERN, and leaves no socket, pid file or
# database behind.
refused() {
    _label=$1 _want=$2 _pat=$3
    shift 3
    timeout 20 "$@" "$MILTER" -c "$CONF" -f >"$W/$_label.out" 2>&1
    _rc=$?
    [ "$_rc" = "$_want" ] && grep -qE "$_pat" "$W/$_label.out" &&
        [ ! -e "$SOCK" ] && [ ! -e "$PIDF" ] && [ ! -e "$DB" ]
    _ok=$?
    ok $_ok "$_label: refused, exit $_want, says why, creates nothing (exit $_rc)"
    [ $_ok -eq 0 ] || sed 's/^/#   /' "$W/$_label.out" | head -5
}

# field PID NAME: a line of /proc/PID/status without its name, blanks
# squeezed.
field() {
    awk -v n="$2:" '$1 == n { $1 = ""; sub(/^ +/, ""); print }' "/proc/$1/status"
}

# owner_mode FILE: "user:group mode type", as stat says it.
owner_mode() {
    stat -c '%U:%G %a %F' "$1" 2>&1
}

# mt LABEL SCRIPT [-D ...]: miltertest SCRIPT (tests/milter or here)
# against this milter; one TAP line.
mt() {
    _label=$1 _script=$2
    shift 2
    [ -e "$HERE/$_script" ] && _path=$HERE/$_script || _path=$MT_DIR/$_script
    miltertest -D HELPER="$HELPER" -D SOCK="unix:$SOCK" "$@" -s "$_path" >"$W/$_label.mt" 2>&1
    _rc=$?
    ok $_rc "$_label: miltertest $_script $*"
    if [ $_rc -ne 0 ]; then
        sed 's/^/#   /' "$W/$_label.mt" | tail -5
        tail -3 "$ERR" | sed 's/^/#   milter: /'
    fi
    return $_rc
}

# as_reader GROUPS ARGS...: the twoway command as uid $READER_UID with
# the given supplementary groups ("" for none); stdout, stderr and
# status in $R_OUT, $R_ERR, $R_RC.
as_reader() {
    _g=$1
    shift
    if [ -n "$_g" ]; then
        set -- --groups "$_g" -- "$TWOWAY" "$@"
    else
        set -- --clear-groups -- "$TWOWAY" "$@"
    fi
    env HOME="$W" XDG_CONFIG_HOME="$W/none" setpriv --reuid "$READER_UID" --regid "$READER_UID" \
        "$@" >"$W/reader.out" 2>"$W/reader.err"
    R_RC=$?
    R_OUT=$(cat "$W/reader.out")
    R_ERR=$(cat "$W/reader.err")
}

# ---------------------------------------------------------------------
# 1. Root without a user to become: refused

setup none
conf none
refused "no UserID" 78 'started as root without UserID: refused'
conf uid-root "UserID root"
refused "UserID root" 78 'UserID root is root: refused'
conf uid-root-group "UserID root:$RUN_GROUP"
refused "UserID root:$RUN_GROUP" 78 "UserID root:$RUN_GROUP is root: refused"
conf uid-unknown "UserID no-such-user-twoway"
refused "UserID of no user" 77 'UserID no-such-user-twoway: no such user'
# not root: UserID of another user cannot be had
conf nobody-to-root "UserID root"
chmod 644 "$CONF"
refused "started as $RUN_USER, UserID root" 77 'cannot become root: only root can switch users' \
    setpriv --reuid "$RUN_UID" --regid "$RUN_GID" --clear-groups

# AllowRoot: stays root, says so
setup allowroot
conf allowroot "AllowRoot yes"
if start allowroot; then
    grep -q 'running as root (AllowRoot yes)' "$ERR"
    ok $? "allowroot: the log says it runs as root"
    is "$(field $MPID Uid)" "0 0 0 0" "allowroot: runs as root, as asked"
    stop allowroot
fi

# started by the service manager as its user, with UserID naming that
# user: no switch needed
setup self
conf self "UserID $RUN_USER:$RUN_GROUP"
if start self setpriv --reuid "$RUN_UID" --regid "$RUN_GID" --clear-groups; then
    is "$(field $MPID Uid)|$(field $MPID Gid)" \
       "$RUN_UID $RUN_UID $RUN_UID $RUN_UID|$RUN_GID $RUN_GID $RUN_GID $RUN_GID" \
       "self: started as $RUN_USER with UserID $RUN_USER: runs as $RUN_USER"
    stop self
fi

# ---------------------------------------------------------------------
# 2. Root becomes UserID for good

# the wrapper hands root extra groups: the test could see them kept
is "$(setpriv --groups "$EXTRA_GROUPS" -- awk '$1 == "Groups:" { $1 = ""; sub(/^ +/, ""); print }' /proc/self/status)" \
   "${EXTRA_GROUPS/,/ }" "root with supplementary groups $EXTRA_GROUPS (what the milter must drop)"

setup drop
conf drop "UserID $RUN_USER:$RUN_GROUP" "PidFile $PIDF"
if start drop setpriv --groups "$EXTRA_GROUPS"; then
    DROP_PID=$MPID
    DROP_DB=$DB
    ids="$RUN_UID $RUN_UID $RUN_UID $RUN_UID"
    is "$(field $MPID Uid)" "$ids" "drop: real, effective, saved and file-system uid are $RUN_USER's"
    gids="$RUN_GID $RUN_GID $RUN_GID $RUN_GID"
    is "$(field $MPID Gid)" "$gids" "drop: every gid is $RUN_GROUP's"
    is "$(field $MPID Groups)" "$RUN_GID" "drop: supplementary groups: $RUN_GROUP alone ($EXTRA_GROUPS gone)"
    is "$(field $MPID CapPrm)|$(field $MPID CapEff)|$(field $MPID CapAmb)" \
       "0000000000000000|0000000000000000|0000000000000000" \
       "drop: no capability permitted, effective or ambient (root cannot be had back)"
    is "$(field $MPID NoNewPrivs)" 1 "drop: no_new_privs set"
    for t in $(ls /proc/$MPID/task); do
        [ "$(awk '$1 == "Uid:" { print $2 $3 $4 }' /proc/$MPID/task/$t/status)" = "$RUN_UID$RUN_UID$RUN_UID" ] || echo "$t"
    done >"$W/threads"
    [ ! -s "$W/threads" ] && [ "$(ls /proc/$MPID/task | wc -l)" -ge 2 ]
    ok $? "drop: every thread ($(ls /proc/$MPID/task | wc -l)) runs as $RUN_USER"
    if command -v gdb >/dev/null 2>&1; then
        timeout 60 gdb -p "$MPID" -batch -nx -ex 'call (int)setuid(0)' -ex 'call (int)setresuid(0, 0, 0)' \
            -ex 'call (int)geteuid()' >"$W/gdb.out" 2>&1
        is "$(grep -E '^\$[0-9]+ = ' "$W/gdb.out" | sed 's/^\$[0-9]* = //' | tr '\n' ' ')" "-1 -1 $RUN_UID " \
           "drop: setuid(0) and setresuid(0, 0, 0) called in the running milter fail (gdb)"
        kill -0 $MPID 2>/dev/null
        ok $? "drop: the milter still runs after gdb let go"
    else
        skip "drop: setuid(0) called in the running milter fails" "gdb is not installed"
    fi
    is "$(owner_mode "$SOCK")" "$RUN_USER:$RUN_GROUP 770 socket" \
       "drop: the socket is $RUN_USER's, 0770 (UMask 007: the MTA in the group may connect)"
    is "$(cat "$PIDF" 2>&1)|$(owner_mode "$PIDF")" "$MPID|$RUN_USER:$RUN_GROUP 640 regular file" \
       "drop: the pid file holds the PID, $RUN_USER's, 0640 (nobody else may write it)"
    if [ -n "$HAVE_MT" ]; then
        mt drop ask.lua
        is "$(owner_mode "$(dirname "$DB")")" "$RUN_USER:$RUN_GROUP 750 directory" \
           "drop: the database directory the milter made: $RUN_USER's, 0750"
        for f in "$DB" "$DB-wal" "$DB-shm"; do
            is "$(owner_mode "$f")" "$RUN_USER:$RUN_GROUP 640 regular file" \
               "drop: ${f##*/}: $RUN_USER's, 0640 (the group may read)"
        done
    else
        skip "drop: the database, its -wal and -shm 0640" "$NO_MT"
    fi
fi

# ---------------------------------------------------------------------
# 3. Who may read the ledger

if [ -n "${DROP_PID:-}" ] && [ -n "$HAVE_MT" ] && kill -0 "$DROP_PID" 2>/dev/null; then
    mt owners owners.lua
    # the ledger of each owner holds what was theirs
    tw() {
        "$TWOWAY" --db "$DB" --owner "$1" pending --json | jq -r '.[].message_id' |
            sed 's/^<//; s/>$//' | sort | tr '\n' ' '
    }
    if command -v jq >/dev/null 2>&1; then
        is "$(tw robin@example.org)" "ask-1@example.com own-b1@example.net own-r1@example.net " \
           "owners: robin's pending asks are his own"
        is "$(tw sam@example.org)" "own-b1@example.net own-s1@example.net own-s2@example.net " \
           "owners: sam's pending asks are his own"
    else
        skip "owners: each owner's pending asks are their own" "jq is not installed"
    fi
    # owner to owner with a copy to the sender: neither ledger
    miltertest -D HELPER="$HELPER" -D SOCK="unix:$SOCK" -D PART=owner-to-owner \
        -s "$HERE/owners.lua" >"$W/owner-to-owner.mt" 2>&1
    ok $? "owners: mail from one owner to another, with a copy to the sender, carries neither ledger"
    grep 'not ok' "$W/owner-to-owner.mt" | sed 's/^/#   /'

    # in the milter's group: the whole ledger, every owner's
    as_reader "$RUN_GID" --db "$DB" --owner robin@example.org stats --json
    [ $R_RC -eq 0 ] && echo "$R_OUT" | grep -q '"pending": *3'
    ok $? "group reader: a member of $RUN_GROUP reads robin's ledger (exit $R_RC)"
    [ $R_RC -eq 0 ] || echo "#   $R_ERR"
    as_reader "$RUN_GID" --db "$DB" --owner sam@example.org pending --json
    [ $R_RC -eq 0 ] && echo "$R_OUT" | grep -q 'own-s2@example.net'
    ok $? "group reader: and sam's too: --owner chooses a ledger, it does not guard one"

    # anyone else: Permission denied, naming the file, nothing shown
    as_reader "" --db "$DB" --owner robin@example.org pending
    [ $R_RC -ne 0 ] && [ -z "$R_OUT" ] && echo "$R_ERR" | grep -qF "$DB: Permission denied"
    rc=$?
    ok $rc "outsider, directory closed: exit $R_RC, '$DB: Permission denied', nothing on stdout"
    [ $rc -eq 0 ] || echo "$R_OUT$R_ERR" | sed 's/^/#   /' | head -3
    chmod o+x "$D/state" "$(dirname "$DB")"
    as_reader "" --db "$DB" --owner sam@example.org summary
    [ $R_RC -ne 0 ] && [ -z "$R_OUT" ] && echo "$R_ERR" | grep -qF "$DB: Permission denied"
    rc=$?
    ok $rc "outsider, directory open, database 0640: exit $R_RC, '$DB: Permission denied', nothing on stdout"
    [ $rc -eq 0 ] || echo "$R_OUT$R_ERR" | sed 's/^/#   /' | head -3
    as_reader "" --db "$DB" --owner robin@example.org stats
    is "$R_RC|$R_OUT" "66|" "outsider: exit 66 (EX_NOINPUT: the input cannot be read), not 75 (try later)"
    chmod o-x "$D/state" "$(dirname "$DB")"
else
    skip "owners and readers" "${HAVE_MT:+the milter did not start}${HAVE_MT:-$NO_MT}"
fi

if [ -n "${DROP_PID:-}" ]; then
    MPID=$DROP_PID
    stop drop
fi

# ---------------------------------------------------------------------
# 4. UMask

# umask_run MASK SOCKET-MODE FILE-MODE DIR-MODE
umask_run() {
    setup "umask$1"
    conf "umask$1" "UserID $RUN_USER:$RUN_GROUP" "PidFile $PIDF" "UMask $1"
    start "umask$1" || return
    is "$(owner_mode "$SOCK")|$(owner_mode "$PIDF")" \
       "$RUN_USER:$RUN_GROUP $2 socket|$RUN_USER:$RUN_GROUP $3 regular file" \
       "umask $1: socket $2, pid file $3"
    if [ -n "$HAVE_MT" ]; then
        mt "umask$1" ask.lua
        is "$(stat -c %a "$(dirname "$DB")" "$DB" "$DB-wal" "$DB-shm" 2>&1 | tr '\n' ' ')" "$4 $3 $3 $3 " \
           "umask $1: database directory $4; database, -wal and -shm $3"
    else
        skip "umask $1: the database files" "$NO_MT"
    fi
    stop "umask$1"
}
umask_run 027 750 640 750
umask_run 077 700 600 700

# ---------------------------------------------------------------------
# 5. What the milter refuses to create or follow

# a pid file left as a link (the pid file's directory is the milter
# user's: a compromised milter could leave one for root's next start)
setup pidlink
echo precious >"$W/victim"
ln -s "$W/victim" "$PIDF"
conf pidlink "UserID $RUN_USER:$RUN_GROUP" "PidFile $PIDF"
timeout 20 "$MILTER" -c "$CONF" -f >"$W/pidlink.out" 2>&1
rc=$?
[ $rc -eq 73 ] && [ "$(cat "$W/victim")" = precious ] && [ "$(stat -c %U "$W/victim")" = root ] &&
    grep -qF "$PIDF" "$W/pidlink.out"
ok $? "pid file a symbolic link: exit 73 naming it, the file it points to untouched (exit $rc)"
[ $rc -eq 73 ] || sed 's/^/#   /' "$W/pidlink.out" | head -3
rm -f "$PIDF"
ln "$W/victim" "$PIDF"
timeout 20 "$MILTER" -c "$CONF" -f >"$W/pidhard.out" 2>&1
rc=$?
[ $rc -eq 73 ] && [ "$(cat "$W/victim")" = precious ] && [ "$(stat -c %U "$W/victim")" = root ] &&
    grep -q 'not a plain file of its own' "$W/pidhard.out"
ok $? "pid file a second name of another file: exit 73, that file untouched (exit $rc)"

# a database directory anyone may write: the mail passes untagged and
# the log says why
if [ -n "$HAVE_MT" ]; then
    setup opendir
    DB=$D/open/twoway.db
    mkdir -p "$D/open"
    chmod 777 "$D/open"
    conf opendir "UserID $RUN_USER:$RUN_GROUP"
    if start opendir; then
        mt opendir locked.lua -D EXPECT=accept
        grep -qF "$DB: directory $D/open is writable by anyone (and not sticky): refused" "$ERR"
        ok $? "opendir: the log names the database and its directory anyone may write"
        [ ! -e "$DB" ]
        ok $? "opendir: no database created there"
        stop opendir
    fi
else
    skip "a database directory anyone may write" "$NO_MT"
fi

finish

# once the milter has stopped and the log files are folded in and gone,
# a reader who may not write cannot read (SQLite would have to make the
# -shm file): it is told so, and why
if [ -n "${DROP_DB:-}" ] && [ -e "$DROP_DB" ] && command -v sqlite3 >/dev/null 2>&1; then
    sqlite3 "$DROP_DB" 'PRAGMA wal_checkpoint(TRUNCATE);' >/dev/null 2>&1
    if [ ! -e "$DROP_DB-shm" ]; then
        as_reader "$RUN_GID" --db "$DROP_DB" --owner robin@example.org stats
        [ $R_RC -ne 0 ] && [ -z "$R_OUT" ] && echo "$R_ERR" | grep -qF "$DROP_DB: " &&
            echo "$R_ERR" | grep -q 'read only while its -wal and -shm files are there'
        rc=$?
        ok $rc "group reader, milter stopped, no -shm: refused with the reason (exit $R_RC)"
        [ $rc -eq 0 ] || echo "#   $R_ERR"
    else
        skip "group reader, milter stopped, no -shm" "sqlite3 left the -shm file"
    fi
else
    skip "group reader, milter stopped, no -shm" "no database from the drop run, or no sqlite3"
fi

done_testing
