#!/bin/sh
# Every message of the shared corpora passes twoway-filter byte for byte,
# with only our tags added at the end of its header block.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib/tap.sh"

C=$(corpora)
dirs="spamassassin mime-torture notmuch-corpora"
if [ -z "$C" ]; then
    for d in $dirs; do
        skip "$d byte-exact" "TWOWAY_CORPORA is not set or absent: corpus not checked"
    done
    done_testing
    exit
fi
set --
for d in $dirs; do set -- "$@" "$C/$d"; done
out=$(perl "$SRC/tests/corpus/bytecheck.pl" 1 "$@" -- \
    "$FILTER" --db "$T/bytes.db" --owner owner@example.org)
echo "$out"
echo "1..$(echo "$dirs" | wc -w)"
! echo "$out" | grep -q '^not ok'
