#!/bin/bash
# cli.sh - the twoway command against sample/EXPECTED.md: import (mbox,
# maildir, directory of files), pending, waiting, summary, show, stats,
# explain, done, forget, --since/--limit, exit statuses, --json, --help.
#
# References: doc/twoway.1, DESIGN.md, sample/EXPECTED.md.  Every
# expected value is read from EXPECTED.md at run time.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib/tap.sh"
. "$SRC/tests/face/common.sh"

EJ=$(expected_json)
DB=$T/sample.db
tw() { "$TWOWAY" --db "$DB" --owner $OWNER "$@"; }
# ids: Message-IDs on stdin (with or without <>), bare, sorted, one line
ids() { sed 's/^<//; s/>$//' | sort | tr '\n' ' '; }
ejids() { jq -r "$1[]" "$EJ" | ids; }
# noage: listing JSON without what changes with the clock
noage() { jq -S 'if type == "array" then map(del(.age_seconds)) else . end'; }
json_ok() { jq -e . "$1" >/dev/null 2>&1; }

# ---------------------------------------------------------------------
# 1. Import of the sample

tw import "$SAMPLE/inbox.mbox" >"$T/imp-in.out" 2>"$T/imp-in.err"
rc=$?
is "$rc|$(cat "$T/imp-in.out" "$T/imp-in.err" | grep 'messages read')" \
   "0|$(jq -r '"\(.received) messages read, \(.received) recorded, 0 already known, 0 not mail"' "$EJ")" \
   "import inbox.mbox: exit 0 and the count line"
tw import --sent "$SAMPLE/sent.mbox" >"$T/imp-out.out" 2>"$T/imp-out.err"
rc=$?
is "$rc|$(cat "$T/imp-out.out" "$T/imp-out.err" | grep 'messages read')" \
   "0|$(jq -r '"\(.sent) messages read, \(.sent) recorded, 0 already known, 0 not mail"' "$EJ")" \
   "import --sent sent.mbox: exit 0 and the count line"

tw pending --json >"$T/pending.json"; rc=$?
[ $rc -eq 0 ] && json_ok "$T/pending.json"; ok $? "pending --json: exit 0, valid JSON"
is "$(jq -r '.[].message_id' "$T/pending.json" | ids)" "$(ejids .pending)" "pending: the five open asks of EXPECTED.md"
expected_table Pending | while IFS=$'\t' read -r n id from date cue; do
    printf '%s\t%s\t%s\t%s\n' "$(bare "$id")" "$from" "$(utc "$date")" "$cue"
done | sort >"$T/pending.exp"
jq -r '.[] | [(.message_id | ltrimstr("<") | rtrimstr(">")), .correspondent, .date, .cue] | @tsv' "$T/pending.json" | sort >"$T/pending.got"
cmp -s "$T/pending.exp" "$T/pending.got"; rc=$?
ok $rc "pending: correspondent, date (UTC) and cue of each as EXPECTED.md"
[ $rc -eq 0 ] || diff "$T/pending.exp" "$T/pending.got" | sed 's/^/# /'

tw waiting --json >"$T/waiting.json"; rc=$?
[ $rc -eq 0 ] && json_ok "$T/waiting.json"; ok $? "waiting --json: exit 0, valid JSON"
is "$(jq -r '.[].message_id' "$T/waiting.json" | ids)" "$(ejids .waiting)" "waiting: Robin's two open asks of EXPECTED.md"
expected_table Waiting | while IFS=$'\t' read -r n id to date cue; do
    printf '%s\t%s\t%s\t%s\n' "$(bare "$id")" "$to" "$(utc "$date")" "$cue"
done | sort >"$T/waiting.exp"
jq -r '.[] | [(.message_id | ltrimstr("<") | rtrimstr(">")), .correspondent, .date, .cue] | @tsv' "$T/waiting.json" | sort >"$T/waiting.got"
cmp -s "$T/waiting.exp" "$T/waiting.got"; rc=$?
ok $rc "waiting: correspondent, date (UTC) and cue of each as EXPECTED.md"
[ $rc -eq 0 ] || diff "$T/waiting.exp" "$T/waiting.got" | sed 's/^/# /'

# summary against the "Per correspondent" table
tw summary --json >"$T/summary.json"; rc=$?
[ $rc -eq 0 ] && json_ok "$T/summary.json"; ok $? "summary --json: exit 0, valid JSON"
expected_table 'Per correspondent' | grep -v '^total' | sed 's/^[^\t]*&lt;\([^&]*\)&gt;/\1/' >"$T/corr.exp"
# address received bulk/list sent asks-from answered-by-you you-owe asks-to answered-by-them they-owe
while IFS=$'\t' read -r addr recv bl sent af aby yo at abt to; do
    got=$(jq -r --arg a "$addr" '.[] | select(.correspondent == $a) |
        "\(.received) \(.bulk_received + .list_received) \(.sent) \(.asks_from_them) \(.answered_by_you) \(.you_owe) \(.asks_to_them) \(.answered_by_them) \(.they_owe)"' "$T/summary.json")
    if [ "$addr" = priya@example.edu ] && [ -z "$got" ]; then
        ok 0 "summary: $addr may be left out (list traffic only)"
        continue
    fi
    is "$got" "$recv $bl $sent $af $aby $yo $at $abt $to" \
       "summary: $addr received, bulk/list, sent, asks from, answered by you, you owe, asks to, answered by them, they owe"
done <"$T/corr.exp"
is "$(jq -r '.[].correspondent' "$T/summary.json" | grep -v '^priya@example.edu$' | sort | tr '\n' ' ')" \
   "$(cut -f1 "$T/corr.exp" | grep -v '^priya@example.edu$' | sort | tr '\n' ' ')" \
   "summary: exactly the correspondents of EXPECTED.md (no list address, no bulk sender)"
jq -r '.[].last_contact' "$T/summary.json" >"$T/last"
sort -r "$T/last" | cmp -s - "$T/last"; ok $? "summary: rows sorted by last contact, newest first"

# show
tw show alice@example.com --json >"$T/show-order.json" 2>"$T/show-order.err"
rc=$?
[ $rc -eq 0 ] && json_ok "$T/show-order.json"; ok $? "show ADDR --json (option after the address, as in twoway(1)): exit 0, JSON"
[ $rc -eq 0 ] || sed 's/^/# /' "$T/show-order.err"
bad=
while IFS=$'\t' read -r addr rest; do
    [ "$addr" = priya@example.edu ] && continue
    tw show --json "$addr" >"$T/show.json" 2>/dev/null || { bad="$bad $addr(exit)"; continue; }
    a=$(jq -S '.ledger' "$T/show.json")
    b=$(jq -S --arg a "$addr" '.[] | select(.correspondent == $a)' "$T/summary.json")
    [ -n "$a" ] && [ "$a" = "$b" ] || bad="$bad $addr(ledger)"
done <"$T/corr.exp"
[ -z "$bad" ]; ok $? "show --json ADDR: the ledger row equals the summary row, for every correspondent${bad:+ (not for:$bad)}"
# open asks each way, from the "Details per correspondent" list
open_ids() { # open_ids ADDR from|to: the open asks EXPECTED.md lists for ADDR
    grep -F -- "- **$1**" "$EXPECTED_MD" |
        sed -n "s/.*asks $2 them [^;]*(open: \([^)]*\)).*/\1/p" | tr ',' '\n' | tr -d ' ' |
        while read -r n; do [ -n "$n" ] && bare "$(expected_field "$n" 3)"; done | sort | tr '\n' ' '
}
bad=
while IFS=$'\t' read -r addr rest; do
    [ "$addr" = priya@example.edu ] && continue
    tw show --json "$addr" >"$T/show.json" 2>/dev/null
    [ "$(jq -r '.you_owe[].message_id' "$T/show.json" | ids)" = "$(open_ids "$addr" from)" ] || bad="$bad $addr(you_owe)"
    [ "$(jq -r '.they_owe[].message_id' "$T/show.json" | ids)" = "$(open_ids "$addr" to)" ] || bad="$bad $addr(they_owe)"
done <"$T/corr.exp"
[ -z "$bad" ]; ok $? "show: the open asks each way, for every correspondent, as EXPECTED.md${bad:+ (wrong:$bad)}"
tw show --json 'Alice Moreno <alice+roadmap@EXAMPLE.COM>' >"$T/show-norm.json" 2>&1
is "$(jq -r '.ledger.correspondent' "$T/show-norm.json" 2>/dev/null)" alice@example.com \
   "show: the address is normalised (display name, sub-address, domain case)"
tw show nobody@example.com >/dev/null 2>&1
is $? 1 "show of an unknown address: exit 1"

# stats
tw stats --json >"$T/stats.json"; rc=$?
[ $rc -eq 0 ] && json_ok "$T/stats.json"; ok $? "stats --json: exit 0, valid JSON"
is "$(jq -c '[.owner, .messages, .incoming, .outgoing, .bulk, .list, .threads, .asks_to_you, .pending, .waiting]' "$T/stats.json")" \
   "$(jq -c '[.owner, .received + .sent, .received, .sent, (.bulk | length), 3, 24, (.asks_to_owner | length), (.pending | length), (.waiting | length)]' "$EJ")" \
   "stats: owner, messages=40, incoming, outgoing, bulk, list (3), threads (24), asks to you, pending, waiting as EXPECTED.md"
# Robin's asks: 5 messages, 6 (message, recipient) pairs (out-12 asks two)
case $(jq -r '.asks_by_you' "$T/stats.json") in
5|6) ok 0 "stats: asks_by_you is 5 messages or 6 recipient asks" ;;
*) ok 1 "stats: asks_by_you is 5 messages or 6 recipient asks (got $(jq -r '.asks_by_you' "$T/stats.json"))" ;;
esac
is "$(jq -r '.correspondents' "$T/stats.json")" "$(jq length "$T/summary.json")" "stats: correspondents is the number of summary rows"

# Re-import: nothing changes.
for c in pending waiting summary; do tw $c --json | noage >"$T/before-$c.json"; done
tw stats --json | jq -S 'del(.database_bytes)' >"$T/before-stats.json"
tw import "$SAMPLE/inbox.mbox" >"$T/re.out" 2>&1
tw import --sent "$SAMPLE/sent.mbox" >>"$T/re.out" 2>&1
is "$(grep 'messages read' "$T/re.out" | tr '\n' '|')" \
   "$(jq -r '"\(.received) messages read, 0 recorded, \(.received) already known, 0 not mail|\(.sent) messages read, 0 recorded, \(.sent) already known, 0 not mail|"' "$EJ")" \
   "re-import: 0 recorded, all already known"
same=0
for c in pending waiting summary; do tw $c --json | noage | cmp -s - "$T/before-$c.json" || same=1; done
tw stats --json | jq -S 'del(.database_bytes)' | cmp -s - "$T/before-stats.json" || same=1
ok $same "re-import: pending, waiting, summary and stats JSON unchanged"
tw import "$SAMPLE/sent.mbox" >"$T/re2.out" 2>&1
tw stats --json | jq -S 'del(.database_bytes)' | cmp -s - "$T/before-stats.json"
ok $? "re-import of sent.mbox without --sent (direction from From): unchanged"

# Sent first, then the inbox: answers recorded before their asks.
"$TWOWAY" --db "$T/rev.db" --owner $OWNER import --sent "$SAMPLE/sent.mbox" >/dev/null 2>&1 &&
"$TWOWAY" --db "$T/rev.db" --owner $OWNER import "$SAMPLE/inbox.mbox" >/dev/null 2>&1
ok $? "sent first, then inbox: imports succeed"
is "$("$TWOWAY" --db "$T/rev.db" --owner $OWNER pending --json | jq -r '.[].message_id' | ids)" "$(ejids .pending)" \
   "sent first, then inbox: same pending set"
is "$("$TWOWAY" --db "$T/rev.db" --owner $OWNER waiting --json | jq -r '.[].message_id' | ids)" "$(ejids .waiting)" \
   "sent first, then inbox: same waiting set"
is "$(stat_json "$T/rev.db" | jq -S -c 'del(.database, .database_bytes)')" "$(jq -S -c 'del(.database, .database_bytes)' "$T/before-stats.json")" \
   "sent first, then inbox: same stats"

# ---------------------------------------------------------------------
# 2. Maildir and a directory of single files

mbox_to_files "$SAMPLE/inbox.mbox" "$T/files-in"
mbox_to_files "$SAMPLE/sent.mbox" "$T/files-out"
mkmaildir() { # mkmaildir FILES MAILDIR: odd ones in cur (seen), even in new
    mkdir -p "$2/cur" "$2/new" "$2/tmp"
    for m in "$1"/*.eml; do
        n=$(basename "$m" .eml)
        if [ $((10#$n % 2)) -eq 1 ]; then cp "$m" "$2/cur/17950000$n.M${n}P1.test:2,S"
        else cp "$m" "$2/new/17950000$n.M${n}P1.test"; fi
    done
}
mkmaildir "$T/files-in" "$T/Maildir"
mkmaildir "$T/files-out" "$T/Sent"
"$TWOWAY" --db "$T/md.db" --owner $OWNER import "$T/Maildir" >"$T/md.out" 2>&1
rc=$?
"$TWOWAY" --db "$T/md.db" --owner $OWNER import --sent "$T/Sent" >>"$T/md.out" 2>&1
is "$rc $?|$(grep 'messages read' "$T/md.out" | tr '\n' '|')" \
   "0 0|$(jq -r '"\(.received) messages read, \(.received) recorded, 0 already known, 0 not mail|\(.sent) messages read, \(.sent) recorded, 0 already known, 0 not mail|"' "$EJ")" \
   "maildir import: exit 0, every message recorded"
is "$(stat_json "$T/md.db" | jq -S -c 'del(.database, .database_bytes)')" "$(jq -S -c 'del(.database, .database_bytes)' "$T/before-stats.json")" \
   "maildir import: same stats as the mbox import"
is "$("$TWOWAY" --db "$T/md.db" --owner $OWNER pending --json | jq -r '.[].message_id' | ids)" "$(ejids .pending)" \
   "maildir import: same pending set"
"$TWOWAY" --db "$T/dir.db" --owner $OWNER import "$T/files-in" >/dev/null 2>&1 &&
"$TWOWAY" --db "$T/dir.db" --owner $OWNER import --sent "$T/files-out" >/dev/null 2>&1
ok $? "directory of single files: import succeeds"
is "$(stat_json "$T/dir.db" | jq -S -c 'del(.database, .database_bytes)')" "$(jq -S -c 'del(.database, .database_bytes)' "$T/before-stats.json")" \
   "directory of single files: same stats as the mbox import"
"$TWOWAY" --db "$T/one.db" --owner $OWNER import "$T/files-in/12.eml" >/dev/null 2>&1
is "$(stat_json "$T/one.db" | jq -c '[.messages, .pending]')" "[1,1]" "a single message file: recorded (in-12, an open ask)"
"$TWOWAY" --db "$T/md.db" --owner $OWNER import "$SAMPLE/inbox.mbox" >"$T/md2.out" 2>&1
is "$(grep 'messages read' "$T/md2.out")" "$(jq -r '"\(.received) messages read, 0 recorded, \(.received) already known, 0 not mail"' "$EJ")" \
   "the mbox after the maildir: all already known"

# ---------------------------------------------------------------------
# 3. explain

"$TWOWAY" --owner $OWNER explain --json "$SAMPLE/inbox.mbox" >"$T/explain-in.json" 2>"$T/explain.err"
rc1=$?
"$TWOWAY" --owner $OWNER explain --json "$SAMPLE/sent.mbox" >"$T/explain-out.json" 2>>"$T/explain.err"
is "$rc1 $?" "0 0" "explain --json on both mboxes: exit 0"
cat "$T/explain-in.json" "$T/explain-out.json" >"$T/explain.json"
is "$(wc -l <"$T/explain-in.json")|$(while IFS= read -r l; do printf '%s\n' "$l" | jq -e 'type == "object"' >/dev/null 2>&1 || echo bad; done <"$T/explain-in.json" | wc -l)" \
   "28|0" "explain --json on an mbox: one JSON object per line, 28 lines"
is "$(jq -r '[has("message_id", "direction", "bulk", "bulk_reasons", "list", "personal", "text_ask", "ask", "score", "cue", "fresh_text") | tostring] | join("")' "$T/explain.json" | sort -u)" \
   "truetruetruetruetruetruetruetruetruetruetrue" "explain: every object has message_id, direction, bulk, bulk_reasons, list, personal, text_ask, ask, score, cue, fresh_text"
is "$(jq -r '.message_id' "$T/explain.json" | ids)" "$(cut -f3 "$(expected_rows)" | ids)" "explain: the 40 Message-IDs of EXPECTED.md"
# field by field against the Messages table (yes/no -> true/false)
jq -r '[(.message_id | ltrimstr("<") | rtrimstr(">")), .direction, .bulk, .list, .text_ask, .ask, (.cue // "—")] | @tsv' "$T/explain.json" |
    sort >"$T/explain.got"
awk -F'\t' 'function b(s) { return s == "yes" ? "true" : "false" }
    { id = $3; gsub(/^<|>$/, "", id); print id "\t" $4 "\t" b($5) "\t" b($6) "\t" b($7) "\t" b($8) "\t" $11 }' "$(expected_rows)" |
    sort >"$T/explain.exp"
explain_col() { # explain_col COLUMN NAME
    cut -f1,"$1" "$T/explain.got" >"$T/.g"
    cut -f1,"$1" "$T/explain.exp" >"$T/.e"
    cmp -s "$T/.g" "$T/.e"
    _r=$?
    ok $_r "explain: $2 of all 40 messages as EXPECTED.md"
    [ $_r -eq 0 ] || diff "$T/.e" "$T/.g" | grep '^[<>]' | sed 's/^</# expected/; s/^>/# got     /'
}
explain_col 2 direction
explain_col 3 bulk
explain_col 4 list
explain_col 5 text_ask
explain_col 6 "ask (for Robin)"
# cues where EXPECTED.md gives one (text_ask yes)
awk -F'\t' '$5 == "true"' "$T/explain.exp" | cut -f1,7 >"$T/.e"
join -t "$(printf '\t')" "$T/.e" <(cut -f1,7 "$T/explain.got") | awk -F'\t' '$2 != $3' >"$T/.bad"
[ "$(wc -l <"$T/.e")" -gt 10 ] && [ ! -s "$T/.bad" ]; ok $? "explain: the cue of every text ask as EXPECTED.md"
sed 's/^/# /' "$T/.bad"
xf() { jq -r --arg id "$(bare "$(expected_field "$1" 3)")" "select((.message_id | ltrimstr(\"<\") | rtrimstr(\">\")) == \$id) | $2" "$T/explain.json"; }
is "$(xf in-01 '.bulk')" true "explain: the newsletter (in-01) is bulk"
is "$(xf in-01 '.bulk_reasons | length > 0')" true "explain: the newsletter has bulk reasons"
is "$(xf in-25 '.text_ask')" true "explain: the HTML-only ask (in-25) has text_ask=true"
is "$(xf in-04 '.text_ask') $(xf in-05 '.text_ask') $(xf in-08 '.text_ask') $(xf in-14 '.text_ask')" "false false false false" \
   "explain: a question only in quoted text (in-04, in-05, in-08, in-14) gives text_ask=false"
is "$(xf in-23 '.text_ask')" false "explain: a question mark only in the signature (in-23) gives text_ask=false"
case $(xf in-04 '.fresh_text') in
*"Thursday's meeting?"*) ok 1 "explain: in-04's fresh text leaves out the quoted ask" ;;
"") ok 1 "explain: in-04's fresh text leaves out the quoted ask (empty)" ;;
*) ok 0 "explain: in-04's fresh text leaves out the quoted ask" ;;
esac
# bulk_reasons is empty when the message is not bulk (twoway(1))
is "$(jq -r 'select(.bulk == false and (.bulk_reasons | length) > 0) | .message_id' "$T/explain.json" | tr '\n' ' ')" "" \
   "explain: bulk_reasons is empty on every message that is not bulk"
# personal: not bulk, and for list mail naming the owner (twoway(1));
# EXPECTED.md: everything but the bulk mail and the list traffic.
is "$(jq -r 'select(.personal == true) | .message_id' "$T/explain-in.json" | ids)" \
   "$(awk -F'\t' '$2 == "inbox.mbox" { print $3 }' "$(expected_rows)" | grep -v -x -F -f <(jq -r '(.bulk + .list_traffic)[]' "$EJ") | ids)" \
   "explain: personal is true exactly on the 23 personal messages of the inbox"
"$TWOWAY" --owner $OWNER explain --json "$T/files-in/12.eml" "$T/files-in/01.eml" >"$T/explain2.json" 2>&1
is "$(jq -r '.message_id' "$T/explain2.json" 2>/dev/null | ids)" \
   "$( (expected_field in-12 3; expected_field in-01 3) | ids)" "explain on two message files: one object each"
[ ! -e "$XDG_DATA_HOME/twoway/twoway.db" ]; ok $? "explain records nothing (no database created)"

# ---------------------------------------------------------------------
# 4. done, forget, --since, --limit

sqlite3 "$DB" ".backup '$T/work.db'"
W=$T/work.db
tww() { "$TWOWAY" --db "$W" --owner $OWNER "$@"; }
id12=$(bare "$(expected_field in-12 3)")
askid=$(tww pending --json | jq -r --arg m "$id12" '.[] | select((.message_id | ltrimstr("<") | rtrimstr(">")) == $m) | .id')
tww done "$askid" >"$T/done.out" 2>&1
is "$?" 0 "done ID: exit 0"
is "$(tww pending --json | jq -r '.[].message_id' | ids)" "$(ejids .pending | tr ' ' '\n' | grep -v -x -F "$id12" | grep -v '^$' | sort | tr '\n' ' ')" \
   "done ID: the ask (in-12) left pending, the other four stay"
is "$(tww waiting --json | jq -r '.[].message_id' | ids)" "$(ejids .waiting)" "done ID: waiting unchanged"
tww done not-a-number >/dev/null 2>&1; is $? 64 "done with a bad ID: exit 64"

tww forget alice@example.com >"$T/forget.out" 2>&1
is "$?" 0 "forget ADDR: exit 0"
is "$(tww summary --json | jq -r '.[].correspondent' | grep -c -x alice@example.com)" 0 "forget: Alice is gone from summary"
is "$(tww pending --json | jq -r '.[].correspondent' | grep -c -x alice@example.com)|$(tww waiting --json | jq -r '.[].correspondent' | grep -c -x alice@example.com)" "0|0" \
   "forget: Alice's asks are gone from pending and waiting"
tww show alice@example.com >/dev/null 2>&1; is $? 1 "forget: show Alice now exits 1"
is "$(tww pending --json | jq length) $(tww waiting --json | jq length)" "3 1" "forget: the others' asks stay (3 pending, 1 waiting)"

# --since DAY: asks made since then (UTC dates from EXPECTED.md)
since_exp() { # since_exp SECTION DAY: the ids of the table dated on/after DAY
    expected_table "$1" | while IFS=$'\t' read -r n id who date cue; do
        [ "$(utc "$date")" \> "$2" ] && bare "$id"
    done | sort | tr '\n' ' '
}
is "$(tw pending --json --since 2026-10-25 | jq -r '.[].message_id' | ids)" "$(since_exp Pending 2026-10-25)" "pending --since 2026-10-25"
is "$(tw waiting --json --since 2026-11-06 | jq -r '.[].message_id' | ids)" "$(since_exp Waiting 2026-11-06)" "waiting --since 2026-11-06"
# summary --since: in contact on or after 2026-11-04: in-26 and out-10
# (Farid, 11-05), out-11 (Alice, 11-10), out-12 (Ben, Carla, 11-12),
# in-28 (Ben, 11-13) -- the dates are in EXPECTED.md's Message-IDs.
is "$(tw summary --json --since 2026-11-04 | jq -r '.[].correspondent' | sort | tr '\n' ' ')" \
   "alice@example.com ben.okafor@example.net carla@example.edu farid@example.edu " "summary --since 2026-11-04"
is "$(tw pending --json --since 1000w | jq length)" 5 "pending --since 1000w: all five"
if [ "$(date -u +%Y%m%d)" -gt 20261114 ]; then
    is "$(tw pending --json --since 12h | jq length)" 0 "pending --since 12h: none (the newest ask is from November 3)"
else
    skip "pending --since 12h" "the clock is before the sample's last message"
fi
is "$(tw pending --json --limit 2 | jq length)" 2 "pending --limit 2: two rows"
tw pending --json --limit 2 | jq -r '.[].message_id' | sed 's/^<//; s/>$//' | grep -v -x -F -f <(ejids .pending | tr ' ' '\n' | grep -v '^$') >/dev/null
ok $((!$?)) "pending --limit 2: rows from the pending set"
is "$(tw summary --json --limit 3 | jq -c '[.[].correspondent]')" "$(jq -c '[.[0:3][].correspondent]' "$T/summary.json")" \
   "summary --limit 3: the first three rows"
is "$(tw pending --since 2026-10-25 --limit 1 --json | jq length)" 1 "--since and --limit together"

# ---------------------------------------------------------------------
# 4b. The order mail is recorded in, and the one-way rule in explain

# mail NAME FROM TO SUBJECT DATE MSGID [IN-REPLY-TO] BODY: a message file
# in $T/ord
mail() {
    mkdir -p "$T/ord/$(dirname "$1")"
    { printf 'From: %s\nTo: %s\nSubject: %s\nDate: %s\nMessage-ID: <%s>\n' "$2" "$3" "$4" "$5" "$6"
      [ -n "$7" ] && printf 'In-Reply-To: <%s>\nReferences: <%s>\n' "$7" "$7"
      printf '\n%s\n' "$8"; } >"$T/ord/$1"
}
ODB=$T/order.db
otw() { "$TWOWAY" --db "$ODB" --owner $OWNER "$@"; }
# the files' names are out of date order: the follow-ups come first
mail sent/a-chase1.eml $OWNER carol@example.net "Re: Slides" "Thu, 05 Mar 2026 10:00:00 +0000" \
    chase1@example.org ask@example.org "Hi Carol, just following up on this."
mail sent/b-chase2.eml $OWNER carol@example.net "Re: Slides" "Mon, 09 Mar 2026 10:00:00 +0000" \
    chase2@example.org chase1@example.org "Any news on the slides? The talk is on Wednesday."
mail sent/z-ask.eml $OWNER carol@example.net "Slides" "Tue, 03 Mar 2026 10:00:00 +0000" \
    ask@example.org "" "Could you send me the slides for the talk?"
mail sent/contract.eml $OWNER bob@example.net "Contract" "Tue, 03 Mar 2026 09:00:00 +0000" \
    contract@example.org "" "Could you sign the contract and send it back by Friday?"
mail in/thanks.eml bob@example.net $OWNER "Re: Contract" "Wed, 04 Mar 2026 09:00:00 +0000" \
    thanks@example.net contract@example.org "Thanks, got it."
# the inbox first, as the README's quick start does it
otw import --quiet "$T/ord/in" && otw import --quiet --sent "$T/ord/sent"
is "$(otw waiting --json | jq -r '.[] | "\(.correspondent) \(.message_id) \(.chases)"' | sort | tr '\n' ' ')" \
   "bob@example.net contract@example.org 0 carol@example.net ask@example.org 2 " \
   "import: a thank-you recorded before the ask answers nothing; follow-ups found before their ask are its chases"
rm -f "$ODB"*
otw import --quiet --sent "$T/ord/sent/a-chase1.eml" "$T/ord/sent/b-chase2.eml" && otw import --quiet --sent "$T/ord/sent/z-ask.eml"
is "$(otw waiting --json | jq -r '.[] | "\(.message_id) \(.chases)"' | tr '\n' ' ')" "ask@example.org 2 " \
   "the ask recorded after its follow-ups, in another import: one ask, chased twice"

# a sender who never had a message from the owner
rm -f "$ODB"*
for i in 01 02 03 04 05 06 07 08 09 10 11 12; do
    mail "oneway/o$i.eml" seller@vendor.example $OWNER "Offer $i" "Mon, $i Mar 2026 09:00:00 +0000" \
        "offer$i@vendor.example" "" "Could you buy our product number $i?"
done
for i in 01 02 03 04 05 06 07 08 09 10 11; do otw import --quiet "$T/ord/oneway/o$i.eml"; done
ex() { "$TWOWAY" "$@" | jq -r '"\(.bulk) \(.ask) \(.bulk_reasons | map(select(startswith("one-way sender:"))) | length)"'; }
is "$(ex --db "$ODB" --owner $OWNER explain --json "$T/ord/oneway/o12.eml")" "true false 1" \
   "explain with a database: a twelfth message from a one-way sender is bulk, no ask, the reason given"
is "$(ex --owner $OWNER explain --json "$T/ord/oneway/o12.eml")" "false true 0" \
   "explain without a database: the message alone, an ask"
"$TWOWAY" --db "$ODB" --owner $OWNER explain "$T/ord/oneway/o12.eml" >"$T/ow.txt"
grep -q '^  bulk: *yes' "$T/ow.txt" && grep -q -- '- one-way sender: seller@vendor.example' "$T/ow.txt"
ok $? "explain (text) with a database: bulk yes, the one-way reason among the reasons"
sum1=$(cat "$ODB" | cksum)
otw import --quiet "$T/ord/oneway/o12.eml"
is "$(ex --db "$ODB" --owner $OWNER explain --json "$T/ord/oneway/o12.eml")" "true false 1" \
   "explain of a message recorded as one-way: as recorded"
"$TWOWAY" --db "$ODB" --owner $OWNER explain --json "$T/ord/oneway/o05.eml" >"$T/o05.json"
is "$(jq -r '"\(.bulk) \([.why[] | select(startswith("its ask was set aside"))] | length)"' "$T/o05.json")" "false 1" \
   "explain of an earlier message: recorded as personal, its ask set aside since"
is "$(otw pending --json | jq length)|$(otw show --json seller@vendor.example | jq -r '.ledger | "\(.asks_from_them) \(.you_owe) \(.received) \(.bulk_received)"')" \
   "0|10 0 10 2" "the one-way sender's earlier asks are set aside: not pending, not answered"
otw stats >/dev/null
sum2=$(otw explain --json "$T/ord/oneway/o12.eml" >/dev/null; cat "$ODB" | cksum)
[ "$sum1" != "$sum2" ] && [ "$sum2" = "$(cat "$ODB" | cksum)" ]; ok $? "explain writes nothing to the database"
# the owner writes to the sender before the third offer, in the Sent
# folder imported after the inbox: never one-way in date order
mail sent2/re.eml $OWNER seller@vendor.example "Re: Offer 02" "Mon, 02 Mar 2026 10:00:00 +0000" \
    re@example.org offer02@vendor.example "We do not need it at the moment."
otw import --quiet --sent "$T/ord/sent2"
is "$(otw show --json seller@vendor.example | jq -r '.ledger | "\(.asks_from_them) \(.answered_by_you) \(.you_owe) \(.received) \(.bulk_received)"')" \
   "12 1 11 12 0" "the owner's first message to the sender, recorded last, dated early: none of its mail is one-way"

# Many files, looked at by several threads before the first is recorded:
# names in the reverse of date order, a message longer than the head read
# for its Date, a small mbox and one longer than that head.
BIG=$T/big
mkdir -p "$BIG"
t0=1772445600 # Mon, 02 Mar 2026 10:00:00 +0000
for i in $(seq 1 240); do
    printf 'From: p%d@example.net\nTo: %s\nSubject: Note %d\nDate: %s\nMessage-ID: <n%d@example.net>\n\nNote %d.\n' \
        "$i" $OWNER "$i" "$(date -u -R -d @$((t0 + i * 3600)))" "$i" "$i" >"$BIG/$(printf '%03d' $((241 - i))).eml"
done
{ printf 'From: long@example.net\nTo: %s\nSubject: Long\nDate: %s\nMessage-ID: <long@example.net>\n\n' \
      $OWNER "$(date -u -R -d @$((t0 + 100 * 3600 + 60)))"
  for k in $(seq 1 400); do echo "A long line of the long message, line $k of 400."; done; } >"$BIG/long.eml"
for m in 1 2 3; do
    printf 'From box@example.net  Mon Mar  2 10:00:00 2026\nFrom: box@example.net\nTo: %s\nSubject: Box %d\nDate: %s\nMessage-ID: <box%d@example.net>\n\nBox %d.\n\n' \
        $OWNER "$m" "$(date -u -R -d @$((t0 + (m * 70) * 3600 + 120)))" "$m" "$m"
done >"$BIG/a-small.mbox"
for m in 1 2; do
    printf 'From big@example.net  Mon Mar  2 10:00:00 2026\nFrom: big@example.net\nTo: %s\nSubject: Big %d\nDate: %s\nMessage-ID: <big%d@example.net>\n\n' \
        $OWNER "$m" "$(date -u -R -d @$((t0 + (m * 90) * 3600 + 180)))" "$m"
    for k in $(seq 1 300); do echo "Line $k of the big mbox's message $m."; done
    echo
done >"$BIG/b-big.mbox"
BDB=$T/big.db
"$TWOWAY" --db "$BDB" --owner $OWNER import --quiet "$BIG"; rc=$?
want=$( { for i in $(seq 1 240); do echo "$((i * 3600)) n$i@example.net"; done
          echo "$((100 * 3600 + 60)) long@example.net"
          for m in 1 2 3; do echo "$((m * 70 * 3600 + 120)) box$m@example.net"; done
          for m in 1 2; do echo "$((m * 90 * 3600 + 180)) big$m@example.net"; done; } | sort -n | cut -d' ' -f2 | tr '\n' ' ')
is "$rc|$(sqlite3 "$BDB" "SELECT msgid FROM messages ORDER BY id" | tr '\n' ' ')" "0|$want" \
   "import of 246 messages in 243 files named out of date order: every one recorded, in date order"

# Copies within one import (as a mailbox's folders hold them): each of 150
# asks twice, the copy with another folder header; a message with the
# key of an earlier one and other content, then one with that content
# and a key of its own (known only if the second were recorded: it is not).
CP=$T/copies
mkdir -p "$CP/orig" "$CP/both"
for i in $(seq 1 150); do
    for folder in Inbox All; do
        printf 'From: c%d@example.net\nTo: %s\nSubject: Question %d\nDate: %s\nMessage-ID: <q%d@example.net>\nX-Folder: %s\n\nCould you send me the figures for item %d?\n' \
            "$i" $OWNER "$i" "$(date -u -R -d @$((t0 + i * 600)))" "$i" "$folder" "$i" >"$CP/both/$folder-$i.eml"
    done
    cp "$CP/both/Inbox-$i.eml" "$CP/orig/"
done
printf 'From: a@example.net\nTo: %s\nSubject: A\nDate: %s\nMessage-ID: <m@example.net>\n\nFirst text.\n' \
    $OWNER "$(date -u -R -d @$((t0 + 200000)))" >"$CP/both/x1.eml"
printf 'From: a@example.net\nTo: %s\nSubject: A\nDate: %s\nMessage-ID: <m@example.net>\n\nSecond text.\n' \
    $OWNER "$(date -u -R -d @$((t0 + 200001)))" >"$CP/both/x2.eml"
printf 'From: a@example.net\nTo: %s\nSubject: A\nDate: %s\nMessage-ID: <n@example.net>\n\nSecond text.\n' \
    $OWNER "$(date -u -R -d @$((t0 + 200001)))" >"$CP/both/x3.eml"
cp "$CP/both/x1.eml" "$CP/both/x3.eml" "$CP/orig/"
for d in both orig; do
    "$TWOWAY" --db "$T/cp-$d.db" --owner $OWNER import "$CP/$d" >"$T/cp-$d.out" 2>&1
    "$TWOWAY" --db "$T/cp-$d.db" --owner $OWNER pending --json | jq -c 'map(del(.age_seconds))' >"$T/cp-$d.json"
done
is "$(grep 'messages read' "$T/cp-both.out")" "303 messages read, 152 recorded, 151 already known, 0 not mail" \
   "import of 150 messages with their copies in other folders: each copy known, not recorded again"
cmp -s "$T/cp-both.json" "$T/cp-orig.json" && [ "$(jq length "$T/cp-both.json")" -eq 150 ]
ok $? "the ledger of the import with copies is the ledger of the originals alone: 150 pending"

# A copy told by its bytes (sender, date, subject and body fields as they
# stand) is known only when the ledger holds that content: x2 is known by
# the key x1 was recorded under, with other content; x3, the same bytes
# under a key of its own, is new and recorded.
mkdir -p "$CP/late"
cp "$CP/both/x2.eml" "$CP/both/x3.eml" "$CP/late/"
"$TWOWAY" --db "$T/cp-late.db" --owner $OWNER import --quiet "$CP/both/x1.eml"
"$TWOWAY" --db "$T/cp-late.db" --owner $OWNER import "$CP/late" >"$T/cp-late.out" 2>&1
is "$(grep 'messages read' "$T/cp-late.out")|$(sqlite3 "$T/cp-late.db" "SELECT msgid FROM messages ORDER BY id" | tr '\n' ' ')" \
   "2 messages read, 1 recorded, 1 already known, 0 not mail|m@example.net n@example.net " \
   "a message with the bytes of one known by its key but not its content is recorded"

# ---------------------------------------------------------------------
# 5. Errors and exit statuses

tw frobnicate >/dev/null 2>&1; is $? 64 "unknown command: exit 64"
tw pending --no-such-option >/dev/null 2>&1; is $? 64 "unknown option: exit 64"
"$TWOWAY" --no-such-option pending >/dev/null 2>&1; is $? 64 "unknown global option: exit 64"
tw pending --since yesterday >/dev/null 2>&1; is $? 64 "bad --since: exit 64"
tw pending --since 2026-13-45 >/dev/null 2>&1; is $? 64 "impossible --since date: exit 64"
tw pending --limit many >/dev/null 2>&1; is $? 64 "bad --limit: exit 64"
"$TWOWAY" pending --db "$DB" --owner $OWNER >/dev/null 2>&1; is $? 64 "global options after the command: exit 64 (they stand before it)"
tw show >/dev/null 2>&1; is $? 64 "show without an address: exit 64"
"$TWOWAY" >/dev/null 2>&1; is $? 64 "no command: exit 64"
for c in pending waiting summary stats "show alice@example.com" digest "done 1" "forget alice@example.com"; do
    "$TWOWAY" --db "$T/missing.db" --owner $OWNER $c >"$T/missing.out" 2>"$T/missing.err"
    rc=$?
    [ "$rc" -eq 66 ] && grep -q -F "$T/missing.db" "$T/missing.err" && [ ! -e "$T/missing.db" ]
    ok $? "$c on a missing database: exit 66, the message names it, nothing created (got $rc: $(head -n 1 "$T/missing.err"))"
done
"$TWOWAY" --db "$T/x.db" --owner $OWNER import "$T/no-such.mbox" >/dev/null 2>&1; is $? 66 "import of a missing file: exit 66"
printf 'Ownr robin@example.org\n' >"$T/bad.conf"
"$TWOWAY" --config "$T/bad.conf" --db "$DB" pending >/dev/null 2>"$T/bad.err"
rc=$?
[ $rc -eq 78 ] && grep -q -F "$T/bad.conf:1:" "$T/bad.err"; ok $? "bad config: exit 78 naming FILE:LINE"

# ---------------------------------------------------------------------
# 6. Global options, config, JSON, --help

is "$(tw digest >/dev/null 2>&1; echo $?)" 0 "digest: exit 0"
bad=
for c in "pending --json" "waiting --json" "summary --json" "stats --json" "show --json hugo@example.net"; do
    tw $c >"$T/j.json" 2>/dev/null && json_ok "$T/j.json" || bad="$bad [$c]"
done
[ -z "$bad" ]; ok $? "every --json output is valid JSON${bad:+ (not:$bad)}"
mkdir -p "$XDG_CONFIG_HOME/twoway"
printf 'Database %s\nOwner %s\n' "$DB" "$OWNER" >"$XDG_CONFIG_HOME/twoway/twoway.conf"
"$TWOWAY" stats --json 2>/dev/null | jq -S 'del(.database_bytes)' >"$T/cfg-stats.json"
cmp -s "$T/cfg-stats.json" "$T/before-stats.json"; ok $? "database and owner from \$XDG_CONFIG_HOME/twoway/twoway.conf"
rm -f "$XDG_CONFIG_HOME/twoway/twoway.conf"
"$TWOWAY" --owner $OWNER import "$T/files-in/12.eml" >/dev/null 2>&1
is "$(stat -c %a "$XDG_DATA_HOME/twoway/twoway.db" 2>&1)" 600 "default database in \$XDG_DATA_HOME/twoway/twoway.db, mode 0600"
"$TWOWAY" --db "$DB" stats --json >"$T/soleowner.json" 2>/dev/null
is "$(jq -r .messages "$T/soleowner.json" 2>/dev/null)" 40 "without --owner, the database's only owner is used"
"$TWOWAY" --help >"$T/help.out" 2>&1; rc=$?
is "$rc" 0 "--help: exit 0"
awk 'length($0) >= 80 { print "# too long (" length($0) "): " $0; bad = 1 } END { exit bad }' "$T/help.out" >"$T/.why"
rc=$?; [ -s "$T/help.out" ] && [ $rc -eq 0 ]; ok $? "--help: every line under 80 columns"; cat "$T/.why"
bad=
for c in import pending waiting summary show explain done forget digest stats; do
    grep -q "^ *$c " "$T/help.out" || bad="$bad $c"
done
[ -z "$bad" ]; ok $? "--help lists every command${bad:+ (missing:$bad)}"
"$TWOWAY" --version >"$T/version.out" 2>&1
[ $? -eq 0 ] && grep -q '^twoway [0-9]' "$T/version.out"; ok $? "--version: exit 0, prints the version"

done_testing
