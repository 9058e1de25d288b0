#!/bin/sh
# One Enron mailbox from its owner's side: inbox folders as received,
# sent folders with --sent, owner from OWNERS.csv.  The corpus has no
# In-Reply-To/References and holds copies of one message under several
# Message-IDs; counts are checked against counts taken from the headers
# by a separate script.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib/tap.sh"
. "$SRC/tests/corpus/ledger-compare.sh"

C=$(corpora)
USER_DIR=${C:+$C/enron-mbox}
WHO=${TWOWAY_ENRON_USER:-buy-r}
if [ -z "$C" ] || [ ! -d "$USER_DIR/$WHO" ]; then
    skip "Enron import" "TWOWAY_CORPORA is not set or absent: corpus not checked"
    done_testing
    exit
fi

line=$(grep "^$WHO," "$USER_DIR/OWNERS.csv")
OWNER=$(echo "$line" | cut -d, -f2 | cut -d';' -f1)
sent_folders=$(echo "$line" | cut -d, -f3 | tr ';' ' ')
sent= inbox= count_args=
for f in $sent_folders; do
    [ -f "$USER_DIR/$WHO/$f.mbox" ] || continue
    sent="$sent $USER_DIR/$WHO/$f.mbox"
    count_args="$count_args sent:$USER_DIR/$WHO/$f.mbox"
done
for f in "$USER_DIR/$WHO"/inbox*.mbox; do
    inbox="$inbox $f"
    count_args="$count_args $f"
done

# shellcheck disable=SC2086
check "import sent folders" "$TWOWAY" --db "$T/t.db" --owner "$OWNER" import --quiet --sent $sent
# shellcheck disable=SC2086
check "import inbox folders" "$TWOWAY" --db "$T/t.db" --owner "$OWNER" import --quiet $inbox
# shellcheck disable=SC2086
perl "$SRC/tests/corpus/mboxcount.pl" "$OWNER" $count_args > "$T/expected.txt"
compare_ledger "$T/t.db" "$OWNER" "$T/expected.txt"

# The corpus's own list of copies agrees: every file's messages minus
# the copies among the imported folders.
folders=$(for f in $sent $inbox; do basename "$f" .mbox; done | tr '\n' ' ')
total=$(cat $sent $inbox | grep -c '^From ')
copies=$(awk -F, -v u="$WHO" -v folders=" $folders" '
    $1 == u && index(folders, " " $3 " ") { n[$2]++ }
    END { for (k in n) if (n[k] > 1) c += n[k] - 1; print c + 0 }' "$USER_DIR/CONTENT_DUPLICATES.csv")
is "$(jqr .messages "$T/stats.json")" "$((total - copies))" \
    "messages = $total in the folders - $copies copies listed in CONTENT_DUPLICATES.csv"

# Without reply headers, answers are found through threads by subject:
# some of the owner's replies must have closed asks.
answered=$(sqlite3 "$T/t.db" "SELECT count(*) FROM asks WHERE direction = 0 AND answered_at IS NOT NULL")
[ "$answered" -gt 0 ]
ok $? "asks answered through subject threads ($answered)"
done_testing
