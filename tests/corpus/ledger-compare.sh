# ledger-compare.sh - compares a ledger with counts taken from headers.
# Sourced by the corpus import tests after tap.sh.
#
# compare_ledger DB OWNER EXPECTED: EXPECTED is mboxcount.pl's output.
# Checks messages, outgoing and incoming, then every address: "from"
# against received + bulk + list mail from it, "to" against sent.
compare_ledger() {
    db=$1 owner=$2 exp=$3
    "$TWOWAY" --db "$db" --owner "$owner" stats --json > "$T/stats.json"
    for k in messages outgoing incoming; do
        is "$(jqr ".$k" "$T/stats.json")" "$(awk -v k=$k '$1 == k { print $2 }' "$exp")" \
            "$k recorded equals the count from the headers"
    done
    "$TWOWAY" --db "$db" --owner "$owner" summary --json > "$T/summary.json"
    jq -r '.[] | "from \(.correspondent) \(.received + .bulk_received + .list_received)",
                 "to \(.correspondent) \(.sent)"' "$T/summary.json" |
        awk '$3 != 0' | sort > "$T/got.txt"
    grep -E '^(from|to) ' "$exp" | sort > "$T/want.txt"
    # Senders of bulk mail only are left out of the summary: ask for them.
    comm -23 "$T/want.txt" "$T/got.txt" | while read -r kind addr n; do
        "$TWOWAY" --db "$db" --owner "$owner" show --json "$addr" > "$T/show.json" 2>/dev/null ||
            continue
        jq -r '.ledger | "from \(.correspondent) \(.received + .bulk_received + .list_received)",
                         "to \(.correspondent) \(.sent)"' "$T/show.json" | grep "^$kind "
    done > "$T/shown.txt"
    sort -u "$T/got.txt" "$T/shown.txt" | awk '$3 != 0' > "$T/all.txt"
    diff "$T/want.txt" "$T/all.txt" > "$T/diff.txt"
    ok $? "per-correspondent counts equal the counts from the headers ($(wc -l < "$T/want.txt") rows)"
    sed 's/^/# /' "$T/diff.txt" | head -20
}
