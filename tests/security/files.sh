#!/bin/bash
# files.sh - which configuration and which database every face trusts,
# and the modes of the databases the filter and the command create.
#
# Configuration (lib/config.c, shared by every face): a file anyone may
# write, one in a directory anyone may write without the sticky bit,
# one owned by another user, and, for a program running as root, one
# its group may write (unless the group is root's) are refused, with
# exit 78 and the file named, by twoway-filter, twoway and
# twoway-milter -n alike; the default file too; a link is judged by
# the file it points to.  A sticky directory (/tmp), the user's own
# file and /dev/null are accepted.
#
# Database (lib/store.c): a database in a directory anyone may write
# without the sticky bit is refused; in a sticky one, a database
# another user owns; a symbolic link when running as root (an ordinary
# user may keep one).  The filter follows OnError (the message passes
# whole and untagged, exit 0); the command exits non-zero.  Both create
# their database, its -wal and -shm files 0600 and a missing directory
# 0700, whatever the umask.
#
# The checks that need another user (owned by someone else, a link as
# an ordinary user) run as root only, through setpriv.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib/tap.sh"

LC_ALL=C
export LC_ALL
MILTER=${MILTER:-$BUILD/milter/twoway-milter}
OWNER=robin@example.org

for p in "$FILTER" "$TWOWAY" "$MILTER"; do
    if [ ! -x "$p" ]; then
        ok 1 "built: $p"
        done_testing
        exit
    fi
done
ROOT=
if [ "$(id -u)" -eq 0 ] && id nobody >/dev/null 2>&1 && command -v setpriv >/dev/null 2>&1; then
    ROOT=yes
fi
NOT_ROOT="needs root (and setpriv, and a user nobody) to act as another user"

# a private directory others may traverse (for the checks as nobody)
W=$(mktemp -d "${TMPDIR:-/tmp}/twoway-files.XXXXXX")
chmod 755 "$W"
trap 'rm -rf "$W"' EXIT

# A message with an ask, as procmail hands it to the filter.
cat >"$W/msg.eml" <<'EOF'
From alice@example.com Mon Mar  2 10:00:00 2026
From: Alice Example <alice@example.com>
To: Robin Owner <robin@example.org>
Subject: The draft
Date: Mon, 02 Mar 2026 10:00:00 +0000
Message-ID: <files-1@example.com>

Hi Robin,

Could you review the draft by Friday?

Alice
EOF
chmod 644 "$W/msg.eml"

# ---------------------------------------------------------------------
# 1. Configuration files

# faces CONF: runs each face on CONF; sets F_RC, T_RC, M_RC and their
# stderr in $W/f.err, $W/t.err, $W/m.err; the filter's stdout in $W/f.out.
faces() {
    "$FILTER" --config "$1" --db "$W/faces.db" <"$W/msg.eml" >"$W/f.out" 2>"$W/f.err"
    F_RC=$?
    "$TWOWAY" --config "$1" --db "$W/faces.db" stats >/dev/null 2>"$W/t.err"
    T_RC=$?
    "$MILTER" -n -c "$1" >/dev/null 2>"$W/m.err"
    M_RC=$?
}

# refused LABEL CONF PATTERN [NAME]: every face exits 78 naming CONF
# (or NAME: the milter reads a link as the file it points to) and
# saying PATTERN; the filter writes nothing (procmail keeps the mail).
refused() {
    faces "$2"
    _why=
    for _f in f t m; do
        grep -F -e "$2" -e "${4:-$2}" "$W/$_f.err" | grep -qE -- "$3" ||
            _why="$_why $_f:$(head -1 "$W/$_f.err")"
    done
    [ "$F_RC|$T_RC|$M_RC" = "78|78|78" ] && [ ! -s "$W/f.out" ] && [ -z "$_why" ]
    _rc=$?
    ok $_rc "$1: refused by the filter, twoway and the milter (exit 78, naming the file)"
    [ $_rc -eq 0 ] || echo "#   exits $F_RC $T_RC $M_RC;$_why"
}

# accepted LABEL CONF: every face takes it (the milter's -n says OK).
accepted() {
    faces "$2"
    [ "$F_RC|$T_RC|$M_RC" = "0|0|0" ] && cmp -s <(grep -v '^X-Twoway-' "$W/f.out") "$W/msg.eml"
    _rc=$?
    ok $_rc "$1: accepted by the filter, twoway and the milter -n"
    [ $_rc -eq 0 ] || echo "#   exits $F_RC $T_RC $M_RC: $(cat "$W/f.err" "$W/t.err" "$W/m.err" | head -3)"
}

config_text() {
    printf 'Owner %s\nDomain example.org\nSyslog no\n' "$OWNER"
}

mkdir -p "$W/c"
config_text >"$W/c/good.conf"
chmod 644 "$W/c/good.conf"
accepted "a file of this user's, 0644" "$W/c/good.conf"

config_text >"$W/c/world.conf"
chmod 666 "$W/c/world.conf"
refused "a file anyone may write (0666)" "$W/c/world.conf" 'writable by anyone: refused'

mkdir -p "$W/open"
chmod 777 "$W/open"
config_text >"$W/open/twoway.conf"
chmod 644 "$W/open/twoway.conf"
refused "a file in a directory anyone may write, not sticky (0777)" "$W/open/twoway.conf" \
    "directory $W/open is writable by anyone \\(and not sticky\\): refused"

mkdir -p "$W/sticky"
chmod 1777 "$W/sticky"
config_text >"$W/sticky/twoway.conf"
chmod 644 "$W/sticky/twoway.conf"
accepted "a file in a sticky directory anyone may write (1777, as /tmp)" "$W/sticky/twoway.conf"

ln -s "$W/open/twoway.conf" "$W/c/link.conf"
refused "a link to a file in a directory anyone may write" "$W/c/link.conf" \
    "directory $W/open is writable by anyone" "$W/open/twoway.conf"

# the default file, found through XDG_CONFIG_HOME, is checked the same way
mkdir -p "$W/xdg/twoway"
config_text >"$W/xdg/twoway/twoway.conf"
chmod 666 "$W/xdg/twoway/twoway.conf"
XDG_CONFIG_HOME=$W/xdg "$FILTER" --db "$W/faces.db" <"$W/msg.eml" >"$W/f.out" 2>"$W/f.err"
F_RC=$?
XDG_CONFIG_HOME=$W/xdg "$TWOWAY" --db "$W/faces.db" stats >/dev/null 2>"$W/t.err"
T_RC=$?
[ "$F_RC|$T_RC" = "78|78" ] && grep -qF "$W/xdg/twoway/twoway.conf: writable by anyone" "$W/f.err" &&
    grep -qF "$W/xdg/twoway/twoway.conf: writable by anyone" "$W/t.err"
ok $? "the default file (XDG_CONFIG_HOME) anyone may write: refused by the filter and twoway (exit $F_RC $T_RC)"

"$TWOWAY" --config /dev/null --db "$W/faces.db" --owner "$OWNER" stats >/dev/null 2>"$W/t.err"
ok $? "/dev/null as the configuration (a device, 0666): accepted"

if [ -n "$ROOT" ]; then
    config_text >"$W/c/nobody.conf"
    chown nobody "$W/c/nobody.conf"
    chmod 644 "$W/c/nobody.conf"
    refused "root reading a file owned by nobody" "$W/c/nobody.conf" \
        "owned by uid $(id -u nobody), neither root nor the user running this program \\(uid 0\\): refused"
    # ... which nobody itself may use
    mkdir -p "$W/n"
    chown nobody "$W/n"
    as_nobody() {
        setpriv --reuid nobody --regid "$(id -g nobody)" --clear-groups \
            env HOME="$W/n" XDG_CONFIG_HOME="$W/n" "$FILTER" --config "$1" --db "$W/n/n.db" \
            <"$W/msg.eml" >"$W/f.out" 2>"$W/f.err"
        _rc=$?
        [ $_rc -eq 0 ] && grep -q '^X-Twoway-Ask: yes' "$W/f.out"
    }
    as_nobody "$W/c/nobody.conf"
    ok $? "nobody reading its own file: accepted (the filter records and tags)"
    config_text >"$W/c/group.conf"
    chgrp 4242 "$W/c/group.conf"
    chmod 664 "$W/c/group.conf"
    refused "root reading a file group 4242 may write (0664)" "$W/c/group.conf" \
        'writable by group 4242, and this program runs as root: refused'
    chgrp 0 "$W/c/group.conf"
    accepted "root reading a file only root's group may write (0664 root:root)" "$W/c/group.conf"
    chown nobody:4242 "$W/c/group.conf"
    as_nobody "$W/c/group.conf"
    ok $? "nobody reading its own file its group may write: accepted (the rule on groups is root's)"
else
    skip "files of other users and groups" "$NOT_ROOT"
fi

# ---------------------------------------------------------------------
# 2. Databases the filter and the command create

# modes DIR: "name mode" of DIR and every file in it, one line.
modes() {
    (cd "$1" && stat -c '%n %a' . * | tr '\n' ' ')
}

( umask 000; "$FILTER" --db "$W/fdb/sub/twoway.db" --owner "$OWNER" <"$W/msg.eml" >"$W/f.out" 2>"$W/f.err" )
rc=$?
grep -q '^X-Twoway-Ask: yes' "$W/f.out"
is "$rc|$?|$(modes "$W/fdb/sub")" "0|0|. 700 twoway.db 600 twoway.db-shm 600 twoway.db-wal 600 " \
   "filter under umask 000: directory 0700; the database, its -wal and -shm 0600"
stat -c %a "$W/fdb" | grep -qx 700
ok $? "filter: every directory it makes is 0700"

mkdir -p "$W/mbox"
cp "$W/msg.eml" "$W/mbox/in.mbox"
( umask 000; "$TWOWAY" --db "$W/tdb/twoway.db" --owner "$OWNER" import "$W/mbox/in.mbox" >/dev/null 2>"$W/t.err"
  echo $? >"$W/t.rc"
  # a reader keeps the log files while it runs: look at them then
  "$TWOWAY" --db "$W/tdb/twoway.db" --owner "$OWNER" stats >/dev/null 2>&1 )
is "$(cat "$W/t.rc")|$(modes "$W/tdb")" "0|. 700 twoway.db 600 " \
   "twoway import under umask 000: directory 0700, database 0600 (its log folded in at close)"
# the log files, seen while a transaction holds them
sqlite3 --version >/dev/null 2>&1 && (
    umask 000
    "$TWOWAY" --db "$W/tdb2/twoway.db" --owner "$OWNER" import "$W/mbox/in.mbox" >/dev/null 2>&1
    # a second import of a new message, stopped while it holds the log
    sed 's/files-1@/files-2@/' "$W/msg.eml" >"$W/mbox/in2.mbox"
    "$FILTER" --db "$W/tdb2/twoway.db" --owner "$OWNER" <"$W/mbox/in2.mbox" >/dev/null 2>&1
)
if [ -e "$W/tdb2/twoway.db-wal" ]; then
    is "$(modes "$W/tdb2")" ". 700 twoway.db 600 twoway.db-shm 600 twoway.db-wal 600 " \
       "a database twoway made, then written by the filter: -wal and -shm 0600 as well"
else
    skip "a database twoway made, then written by the filter: -wal and -shm 0600" "no sqlite3, or no log left"
fi

# ---------------------------------------------------------------------
# 3. Where a database may be

# the filter: OnError accept, the message passes whole and untagged,
# stderr names the database and says why
filter_refuses() {
    _label=$1 _db=$2 _pat=$3
    shift 3
    "$@" "$FILTER" --db "$_db" --owner "$OWNER" <"$W/msg.eml" >"$W/f.out" 2>"$W/f.err"
    _rc=$?
    [ $_rc -eq 0 ] && cmp -s "$W/f.out" "$W/msg.eml" && grep -qF -- "$_db" "$W/f.err" &&
        grep -qE -- "$_pat" "$W/f.err" && grep -q 'OnError accept: message passed untagged' "$W/f.err"
    _ok=$?
    ok $_ok "$_label: the filter passes the message whole and untagged (exit $_rc) and says why"
    [ $_ok -eq 0 ] || sed 's/^/#   /' "$W/f.err" | head -3
}
# the command: non-zero, the database named
twoway_refuses() {
    _label=$1 _db=$2 _pat=$3
    shift 3
    "$@" "$TWOWAY" --db "$_db" --owner "$OWNER" import "$W/mbox/in.mbox" >/dev/null 2>"$W/t.err"
    _rc=$?
    [ $_rc -ne 0 ] && grep -qF -- "$_db" "$W/t.err" && grep -qE -- "$_pat" "$W/t.err"
    _ok=$?
    ok $_ok "$_label: twoway import refuses (exit $_rc) and says why"
    [ $_ok -eq 0 ] || sed 's/^/#   /' "$W/t.err" | head -3
}

mkdir -p "$W/odb"
chmod 777 "$W/odb"
filter_refuses "database in a directory anyone may write" "$W/odb/twoway.db" \
    "directory $W/odb is writable by anyone \\(and not sticky\\): refused"
twoway_refuses "database in a directory anyone may write" "$W/odb/twoway.db" 'writable by anyone'
[ -z "$(ls -A "$W/odb")" ]
ok $? "database in a directory anyone may write: nothing created there"
mkdir -p "$W/odb/sub"
chmod 777 "$W/odb/sub"
filter_refuses "database in a new directory below one anyone may write" "$W/odb/sub/new/twoway.db" \
    "directory $W/odb/sub is writable by anyone \\(and not sticky\\): refused"

mkdir -p "$W/sdb"
chmod 1777 "$W/sdb"
"$FILTER" --db "$W/sdb/twoway.db" --owner "$OWNER" <"$W/msg.eml" >"$W/f.out" 2>"$W/f.err"
grep -q '^X-Twoway-Ask: yes' "$W/f.out"
ok $? "database in a sticky directory anyone may write, this user's own: used"

if [ -n "$ROOT" ]; then
    cp "$W/sdb/twoway.db" "$W/sdb/theirs.db"
    chown nobody "$W/sdb/theirs.db"
    filter_refuses "root, a database nobody owns in a sticky directory" "$W/sdb/theirs.db" \
        "owned by uid $(id -u nobody) in $W/sdb, a directory anyone may write: refused"

    mkdir -p "$W/ldb"
    "$FILTER" --db "$W/ldb/real.db" --owner "$OWNER" <"$W/msg.eml" >/dev/null 2>&1
    ln -s "$W/ldb/real.db" "$W/ldb/link.db"
    filter_refuses "root, a database that is a symbolic link" "$W/ldb/link.db" \
        'a symbolic link, and this program runs as root: refused'
    "$TWOWAY" --db "$W/ldb/link.db" --owner "$OWNER" stats >/dev/null 2>"$W/t.err"
    rc=$?
    [ $rc -ne 0 ] && grep -qF "$W/ldb/link.db: a symbolic link" "$W/t.err"
    ok $? "root, a database that is a symbolic link: twoway stats refuses (exit $rc)"
    # an ordinary user may keep the database behind a link
    chown -R nobody "$W/ldb"
    setpriv --reuid nobody --regid "$(id -g nobody)" --clear-groups \
        env HOME="$W/n" XDG_CONFIG_HOME="$W/n" "$TWOWAY" --db "$W/ldb/link.db" --owner "$OWNER" stats \
        >"$W/t.out" 2>"$W/t.err"
    rc=$?
    [ $rc -eq 0 ] && grep -q '^messages: *1 ' "$W/t.out"
    ok $? "nobody, a database that is a symbolic link to its own: used (exit $rc)"
else
    skip "databases of other users, and links" "$NOT_ROOT"
fi

done_testing
