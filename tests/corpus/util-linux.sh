#!/bin/sh
# A maintainer's view of a real list archive: the util-linux list with
# Karel Zak (kzak@redhat.com) as the owner.  Counts are checked against
# counts taken from the headers by a separate script.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib/tap.sh"
. "$SRC/tests/corpus/ledger-compare.sh"

C=$(corpora)
MBOX=${C:+$C/lists/util-linux.vger.kernel.org.mbox}
OWNER=kzak@redhat.com
if [ -z "$C" ] || [ ! -f "$MBOX" ]; then
    skip "util-linux import" "TWOWAY_CORPORA is not set or absent: corpus not checked"
    done_testing
    exit
fi

check "import the archive" "$TWOWAY" --db "$T/t.db" --owner $OWNER import --quiet "$MBOX"
perl "$SRC/tests/corpus/mboxcount.pl" $OWNER "$MBOX" > "$T/expected.txt"
compare_ledger "$T/t.db" $OWNER "$T/expected.txt"

# Every message of the archive is list mail.
is "$(jqr .list "$T/stats.json")" "$(jqr .messages "$T/stats.json")" "all messages are list mail"

# The list itself is no correspondent.
jq -e 'map(select(.correspondent == "util-linux@vger.kernel.org")) | length == 0' \
    "$T/summary.json" > /dev/null
ok $? "the list address is not a correspondent"

# Threads: every reply whose parent is in the archive shares its thread.
sqlite3 "$T/t.db" "SELECT count(*) FROM messages c JOIN messages p
    ON p.owner_id = c.owner_id AND p.msgid = c.in_reply_to WHERE p.thread_id != c.thread_id" \
    > "$T/split.txt"
is "$(cat "$T/split.txt")" 0 "replies share their parent's thread"

# A second import records nothing new.
"$TWOWAY" --db "$T/t.db" --owner $OWNER import "$MBOX" > "$T/again.txt"
grep -q ' 0 recorded' "$T/again.txt"
ok $? "re-import records nothing"
done_testing
