#!/bin/bash
# procmail.sh - twoway-filter under a real procmail: ":0fw | twoway-filter"
# with the ":0e { EXITCODE=75 HOST }" recipe of twoway-filter(1) and
# contrib/procmailrc, delivering to an mbox in $T.
#
# procmail -m RCFILE runs as the current user and reads only RCFILE;
# DEFAULT, MAILDIR and LOGFILE are set there (TESTING.md).
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib/tap.sh"
. "$SRC/tests/face/common.sh"

if ! command -v procmail >/dev/null 2>&1; then
    skip "procmail" "procmail is not installed"
    done_testing
    exit
fi

split_mbox "$SAMPLE/inbox.mbox" "$T/in"
split_mbox "$SAMPLE/sent.mbox" "$T/out"
mkdir -p "$T/mail"

# rcfile NAME CONFIG: a procmailrc using twoway-filter with CONFIG.
rcfile() {
    cat >"$T/$1.rc" <<EOF
SHELL=/bin/sh
PATH=/usr/local/bin:/usr/bin:/bin
MAILDIR=$T/mail
DEFAULT=$T/mail/inbox.mbox
LOGFILE=$T/$1.log
VERBOSE=yes

# copies of Robin's own mail: recorded as sent, filed unchanged
:0
* ^From:(.*[< ])?robin@example\.org
{
    :0fw
    | "$FILTER" --config "$2" --sent --pass

    :0:
    $T/mail/sent.mbox
}

:0fw
| "$FILTER" --config "$2"

:0e
{ EXITCODE=75 HOST }
EOF
}

printf 'Database %s\nOwner robin@example.org\n' "$T/pm.db" >"$T/ok.conf"
rcfile ok "$T/ok.conf"

# pm RCNAME MESSAGE: delivers MESSAGE; status in $rc
pm() { procmail -m "$T/$1.rc" <"$2" >"$T/pm.out" 2>&1; rc=$?; }

# Deliver some sample messages: asks, a forged tag, a non-ASCII cue, a
# newsletter, personal list mail, and a copy of Robin's own ask.
msgs="03 12 13 10 01 24"
rcs=
for n in $msgs; do pm ok "$T/in/$n.eml"; rcs="$rcs$rc "; done
pm ok "$T/out/06.eml"; rcs="$rcs$rc"
is "$rcs" "0 0 0 0 0 0 0" "procmail: every delivery exits 0"

mkdir -p "$T/dlv"
split_mbox "$T/mail/inbox.mbox" "$T/dlv"
is "$(ls "$T/dlv" | wc -l)" 6 "procmail: six messages in the inbox mbox"
i=0
for n in $msgs; do
    i=$((i + 1))
    d=$(printf '%s/dlv/%02d.eml' "$T" "$i")
    inserted_ok "$T/in/$n.eml" "$d" >"$T/.why" 2>&1
    rc=$?
    ok $rc "procmail: in-$n delivered as its original bytes plus tags at the end of the header block"
    [ $rc -eq 0 ] || sed 's/^/# /' "$T/.why"
done
bad=
i=0
for n in $msgs; do
    i=$((i + 1))
    d=$(printf '%s/dlv/%02d.eml' "$T" "$i")
    want=$([ "$(expected_field "in-$n" 8)" = yes ] && echo 1 || echo 0)
    [ "$(count_hdr "$d" X-Twoway-Ask)" = "$want" ] || bad="$bad in-$n"
done
[ -z "$bad" ]; ok $? "procmail: X-Twoway-Ask exactly on the asks of EXPECTED.md${bad:+ (wrong:$bad)}"
is "$(count_hdr "$T/dlv/05.eml" X-Twoway-Balance)" 0 "procmail: the newsletter has no X-Twoway-Balance"
grep -q 'cue="forged"' "$T/mail/inbox.mbox"; ok $((!$?)) "procmail: the forged tag of in-13 is not delivered"
cmp -s "$T/mail/sent.mbox" "$T/out/06.eml"; ok $? "procmail: Robin's copy (out-06) filed in sent.mbox unchanged"
is "$(stat_json "$T/pm.db" | jq -c '[.messages, .incoming, .outgoing, .waiting]')" "[7,6,1,1]" \
   "procmail: the ledger holds the six received and the one sent"

# Failing filter: OnError tempfail with an unusable database.  procmail
# keeps the unfiltered message, the :0e recipe makes it exit 75, and
# nothing is delivered.
mkdir -p "$T/dir.db"
printf 'Database %s\nOwner robin@example.org\nOnError tempfail\n' "$T/dir.db" >"$T/tf.conf"
rcfile tf "$T/tf.conf"
cp "$T/mail/inbox.mbox" "$T/inbox.before"
pm tf "$T/in/21.eml"
is "$rc" 75 "procmail, filter exits 75 (database is a directory): procmail exits 75"
cmp -s "$T/mail/inbox.mbox" "$T/inbox.before"; ok $? "procmail, failing filter: nothing delivered, no partial message"
grep -q 'Rescue of unfiltered data succeeded' "$T/tf.log"; ok $? "procmail, failing filter: procmail rescued the unfiltered data"

printf 'Database %s\nOwner robin@example.org\nOnError tempfail\nBusyTimeout 200\n' "$T/pm.db" >"$T/lock.conf"
rcfile lock "$T/lock.conf"
if lock_db "$T/pm.db"; then
    pm lock "$T/in/21.eml"
    unlock_db
    is "$rc" 75 "procmail, database locked past BusyTimeout, OnError tempfail: procmail exits 75"
    cmp -s "$T/mail/inbox.mbox" "$T/inbox.before"; ok $? "procmail, locked database: nothing delivered"
else
    skip "procmail, locked database" "sqlite3 could not hold the lock"
    skip "procmail, locked database: nothing delivered" "sqlite3 could not hold the lock"
fi

# OnError accept: the same failure delivers the message untagged.
printf 'Database %s\nOwner robin@example.org\n' "$T/dir.db" >"$T/acc.conf"
rcfile acc "$T/acc.conf"
pm acc "$T/in/21.eml"
is "$rc" 0 "procmail, unusable database, OnError accept: exit 0"
{ cat "$T/inbox.before" "$T/in/21.eml"; } | cmp -s - "$T/mail/inbox.mbox"
ok $? "procmail, OnError accept: in-21 delivered untagged, byte for byte"

# After the failure the mail comes again (the MTA retries): tagged now.
pm ok "$T/in/21.eml"
rm -rf "$T/dlv2"; split_mbox "$T/mail/inbox.mbox" "$T/dlv2"
last=$(ls "$T/dlv2" | tail -n 1)
[ "$rc" -eq 0 ] && inserted_ok "$T/in/21.eml" "$T/dlv2/$last" >/dev/null 2>&1 && [ "$(count_hdr "$T/dlv2/$last" X-Twoway-Ask)" = 1 ]
ok $? "procmail, retry with a working database: delivered with its tags"

done_testing
