#!/bin/sh
# Measures the reading of mail against labels: on the project's own
# labelled sample (sample/EXPECTED.md) always, and, when the shared
# corpora are present, on the messages labelled by hand in
# tests/eval/labels/, on Quagga's zone-labelled lines and on the
# labelled sentences.  Targets: text_ask F1 >= 0.85, bulk accuracy >=
# 0.97, zones >= 0.95 of the lines.  The figures go to the log (and to
# BENCHMARKS.md by hand).
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib/tap.sh"

EVAL=${EVAL:-$BUILD/tests/eval/twoway-eval}

# field N of a line "name n=... precision P recall R F1 F" or "accuracy A"
figure() { awk -v k="$2" '{ for (i = 1; i < NF; i++) if ($i == k) { print $(i + 1); exit } }' "$1"; }
at_least() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a + 0 >= b + 0) }'; }

# The sample: its table gives text_ask, bulk and list for 40 messages.
awk -F' \\| ' '
    /^\| (in|out)-[0-9]+ \| / && $2 ~ /\.mbox$/ {
        split($1, id, "-"); file = $2; gsub(/`/, "", $3); gsub(/[<>]/, "", $3)
        printf "sample/%s\t%d\t%s\t%d\t%d\t%d\t%s\n", file, id[2] - 1, $3,
            $9 == "yes", $7 == "yes", $8 == "yes", $13
    }' "$SAMPLE/EXPECTED.md" > "$T/sample.tsv"
is "$(wc -l < "$T/sample.tsv" | tr -d ' ')" 40 "the sample's table gives 40 labelled messages"
"$EVAL" messages "$SRC" "$T/sample.tsv" > "$T/sample.out"
sed 's/^/# /' "$T/sample.out"
grep '^all text_ask' "$T/sample.out" > "$T/f1"
at_least "$(figure "$T/f1" F1)" 0.85
ok $? "sample: text_ask F1 $(figure "$T/f1" F1) >= 0.85"
grep '^all bulk' "$T/sample.out" > "$T/acc"
at_least "$(figure "$T/acc" accuracy)" 0.97
ok $? "sample: bulk accuracy $(figure "$T/acc" accuracy) >= 0.97"

C=$(corpora)
if [ -z "$C" ]; then
    skip "labelled corpus messages" "TWOWAY_CORPORA is not set or absent"
    skip "labelled corpus: text_ask F1" "TWOWAY_CORPORA is not set or absent"
    skip "labelled corpus: bulk accuracy" "TWOWAY_CORPORA is not set or absent"
    skip "zones" "TWOWAY_CORPORA is not set or absent"
    skip "sentences" "TWOWAY_CORPORA is not set or absent"
    done_testing
    exit
fi

set -- "$SRC"/tests/eval/labels/*.tsv
if [ -f "$1" ]; then
    "$EVAL" messages "$C" "$@" > "$T/corpus.out"
    sed 's/^/# /' "$T/corpus.out"
    grep '^all text_ask  ' "$T/corpus.out" > "$T/cf1"
    n=$(awk '{print $3}' "$T/cf1")
    is "$n" "n=300" "labelled corpus messages: 300 measured"
    at_least "$(figure "$T/cf1" F1)" 0.85
    ok $? "labelled corpus: text_ask F1 $(figure "$T/cf1" F1) >= 0.85"
    grep '^all bulk' "$T/corpus.out" > "$T/cacc"
    at_least "$(figure "$T/cacc" accuracy)" 0.97
    ok $? "labelled corpus: bulk accuracy $(figure "$T/cacc" accuracy) >= 0.97"
else
    skip "labelled corpus messages" "no labels in tests/eval/labels"
fi

perl "$SRC/tests/eval/quagga2lines.pl" "$C/labels/quagga-zones" "$T/zones" > /dev/null
"$EVAL" zones "$T"/zones/*.lines > "$T/zones.out"
sed 's/^/# /' "$T/zones.out"
right=$(awk '{print $7}' "$T/zones.out")
at_least "$right" 0.95
ok $? "zones: $right of the lines in the right zone (target 0.95)"

"$EVAL" sentences "$C/labels/parakweet-email-intent/train.csv" > "$T/parakweet.out"
"$EVAL" sentences "$C/labels/enron-intent-verified/intent_verified.csv" > "$T/verified.out"
sed 's/^/# parakweet /' "$T/parakweet.out"
sed 's/^/# enron-intent-verified /' "$T/verified.out"
grep -q F1 "$T/parakweet.out" && grep -q F1 "$T/verified.out"
ok $? "sentences measured"
done_testing
