#!/bin/bash
# maildrop.sh - twoway-filter under a real maildrop: a mailfilter (mode
# 600) with xfilter "twoway-filter ...", delivering to a maildir in $T.
#
# "maildrop ./mailfilter < msg" reads the filter file named on the
# command line and delivers as the user running it, root or not (seen
# on Debian 12: the same results as root and as nobody).  The file is
# owned by that user with mode 600, as twoway-filter(1) asks; one the
# user cannot read makes maildrop exit 75.  xfilter runs its command
# with $SHELL, which maildrop takes from the passwd entry (nologin for
# system users), so the filter file sets SHELL.  Messages are fed
# without an mbox "From " line, as an MTA hands them over.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib/tap.sh"
. "$SRC/tests/face/common.sh"

if ! command -v maildrop >/dev/null 2>&1; then
    skip "maildrop" "maildrop is not installed"
    done_testing
    exit
fi

mbox_to_files "$SAMPLE/inbox.mbox" "$T/in"
mkdir -p "$T/Maildir/cur" "$T/Maildir/new" "$T/Maildir/tmp"

# filterfile NAME CONFIG: a mailfilter using twoway-filter with CONFIG.
filterfile() {
    cat >"$T/$1" <<EOF
SHELL="/bin/sh"
xfilter "$FILTER --config $2"
to "$T/Maildir/"
EOF
    chmod 600 "$T/$1"
}

# md NAME MESSAGE: delivers MESSAGE; status in $rc, the new file in $new
md() {
    ls "$T/Maildir/new" >"$T/.before"
    (cd "$T" && maildrop "./$1" <"$2" >"$T/md.out" 2>&1)
    rc=$?
    new=$(ls "$T/Maildir/new" | grep -v -x -F -f "$T/.before")
    [ -n "$new" ] && new=$T/Maildir/new/$new
}

printf 'Database %s\nOwner robin@example.org\n' "$T/md.db" >"$T/ok.conf"
filterfile mailfilter "$T/ok.conf"

# A first delivery tells whether maildrop runs here at all.
md mailfilter "$T/in/12.eml"
if [ "$rc" -ne 0 ] && [ -z "$new" ]; then
    skip "maildrop" "maildrop refuses to run here (exit $rc: $(head -n 1 "$T/md.out"))"
    done_testing
    exit
fi
is "$rc" 0 "maildrop: in-12 delivered, exit 0"
n=$(echo "$new" | grep -c .)
[ "$n" -eq 1 ] && inserted_ok "$T/in/12.eml" "$new" >"$T/.why" 2>&1 && [ "$(count_hdr "$new" X-Twoway-Ask)" = 1 ]
rc=$?; ok $rc "maildrop: in-12 file is the original bytes plus tags (X-Twoway-Ask) at the end of the header block"
[ $rc -eq 0 ] || sed 's/^/# /' "$T/.why"

for n in 03 13 10 01 24; do
    md mailfilter "$T/in/$n.eml"
    want=$([ "$(expected_field "in-$n" 8)" = yes ] && echo 1 || echo 0)
    [ "$rc" -eq 0 ] && [ -n "$new" ] && inserted_ok "$T/in/$n.eml" "$new" >"$T/.why" 2>&1 &&
        [ "$(count_hdr "$new" X-Twoway-Ask)" = "$want" ]
    rc=$?
    ok $rc "maildrop: in-$n delivered as the original plus tags (X-Twoway-Ask: $want)"
    [ $rc -eq 0 ] || sed 's/^/# /' "$T/.why"
done
is "$(stat_json "$T/md.db" | jq -c '[.messages, .incoming]')" "[6,6]" "maildrop: the six messages are in the ledger"

# A large message: the filter must read and write it whole.  (It ends
# in a newline: maildrop adds one to a message that does not.)
{ cat "$T/in/15.eml"; yes 'A line of a long report, seventy-odd characters wide, repeated again.' | head -c 10485760; echo; } >"$T/big.eml"
md mailfilter "$T/big.eml"
[ "$rc" -eq 0 ] && [ -n "$new" ] && inserted_ok "$T/big.eml" "$new" >/dev/null 2>&1
ok $? "maildrop: a 10 MB message delivered whole, with tags"

# Failing filter: OnError tempfail and an unusable database.
mkdir -p "$T/dir.db"
printf 'Database %s\nOwner robin@example.org\nOnError tempfail\n' "$T/dir.db" >"$T/tf.conf"
filterfile mailfilter-tf "$T/tf.conf"
md mailfilter-tf "$T/in/21.eml"
is "$rc" 75 "maildrop, filter exits 75 (database is a directory): maildrop exits 75"
[ -z "$new" ] && [ -z "$(ls "$T/Maildir/tmp")" ]; ok $? "maildrop, failing filter: nothing delivered, nothing left in tmp/"

printf 'Database %s\nOwner robin@example.org\nOnError tempfail\nBusyTimeout 200\n' "$T/md.db" >"$T/lock.conf"
filterfile mailfilter-lock "$T/lock.conf"
if lock_db "$T/md.db"; then
    md mailfilter-lock "$T/in/21.eml"
    unlock_db
    is "$rc" 75 "maildrop, database locked past BusyTimeout, OnError tempfail: maildrop exits 75"
    [ -z "$new" ]; ok $? "maildrop, locked database: nothing delivered"
else
    skip "maildrop, locked database" "sqlite3 could not hold the lock"
    skip "maildrop, locked database: nothing delivered" "sqlite3 could not hold the lock"
fi

# OnError accept: delivered untagged, byte for byte.
printf 'Database %s\nOwner robin@example.org\n' "$T/dir.db" >"$T/acc.conf"
filterfile mailfilter-acc "$T/acc.conf"
md mailfilter-acc "$T/in/21.eml"
[ "$rc" -eq 0 ] && [ -n "$new" ] && cmp -s "$new" "$T/in/21.eml"
ok $? "maildrop, unusable database, OnError accept: exit 0, delivered untagged byte for byte"

# As an ordinary user: the same delivery run by "nobody" (only when this
# test runs as root and can switch to it).
if [ "$(id -u)" -eq 0 ] && id nobody >/dev/null 2>&1 && command -v setpriv >/dev/null 2>&1; then
    U=$T/user
    mkdir -p "$U/Maildir/cur" "$U/Maildir/new" "$U/Maildir/tmp"
    printf 'Database %s\nOwner robin@example.org\n' "$U/user.db" >"$U/user.conf"
    printf 'SHELL="/bin/sh"\nxfilter "%s --config %s"\nto "%s/"\n' "$FILTER" "$U/user.conf" "$U/Maildir" >"$U/mailfilter"
    chmod 600 "$U/mailfilter"
    cp "$T/in/12.eml" "$U/msg"
    chown -R nobody "$U"
    (cd "$U" && HOME=$U setpriv --reuid=nobody --regid="$(id -g nobody)" --clear-groups maildrop ./mailfilter <msg >"$T/user.out" 2>&1)
    rc=$?
    new=$(ls "$U/Maildir/new")
    [ "$rc" -eq 0 ] && [ -n "$new" ] && inserted_ok "$T/in/12.eml" "$U/Maildir/new/$new" >/dev/null 2>&1 &&
        [ "$(count_hdr "$U/Maildir/new/$new" X-Twoway-Ask)" = 1 ] && [ "$(stat -c %U:%a "$U/user.db")" = nobody:600 ]
    ok $? "maildrop as an ordinary user (nobody): delivered with tags, the database is the user's, mode 600"
else
    skip "maildrop as an ordinary user" "not root, or no nobody user, or no setpriv"
fi

done_testing
