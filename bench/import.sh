#!/bin/sh
# import.sh - twoway import throughput on one maildir, against notmuch new
# and a bare GMime parse of the same files, run side by side.
#
# usage: bench/import.sh [MBOX...]   (default: every Enron mailbox of the
# shared corpora).  Needs notmuch.  Prints one line per contender and the
# ratios.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD:-$top}
corpora=${TWOWAY_CORPORA:-$top/../shared/corpora}
work=${BENCH_DIR:-/tmp/twoway-bench-import}
runs=${RUNS:-3}

if [ $# -eq 0 ]; then
    set -- "$corpora"/enron-mbox/*/*.mbox
fi
rm -rf "$work"
mkdir -p "$work"
perl "$top/bench/mbox2maildir.pl" "$work/maildir" "$@" > "$work/count"
n=$(awk '{print $1}' "$work/count")
bytes=$(du -sb "$work/maildir" | awk '{print $1}')
echo "maildir: $n messages, $bytes bytes"

cat > "$work/notmuch-config" <<CONF
[database]
path=$work/maildir
[user]
name=Bench
primary_email=bench@example.org
[new]
tags=new
[maildir]
synchronize_flags=false
CONF

now() { date +%s.%N; }
best() { sort -n | head -1; }

: > "$work/parse" ; : > "$work/import" ; : > "$work/notmuch"
for r in $(seq "$runs"); do
    t0=$(now)
    "$build/bench/gmime-parse" "$work/maildir" > /dev/null
    t1=$(now)
    rm -f "$work/t.db" "$work/t.db-wal" "$work/t.db-shm"
    "$build/cli/twoway" --db "$work/t.db" --owner bench@example.org import --quiet "$work/maildir"
    t2=$(now)
    rm -rf "$work/maildir/.notmuch"
    NOTMUCH_CONFIG="$work/notmuch-config" notmuch new --quiet > /dev/null
    t3=$(now)
    echo "$t1 - $t0" | bc >> "$work/parse"
    echo "$t2 - $t1" | bc >> "$work/import"
    echo "$t3 - $t2" | bc >> "$work/notmuch"
done
p=$(best < "$work/parse")
i=$(best < "$work/import")
m=$(best < "$work/notmuch")
printf 'gmime parse   %8.3f s  %8.0f msg/s\n' "$p" "$(echo "$n / $p" | bc -l)"
printf 'twoway import %8.3f s  %8.0f msg/s\n' "$i" "$(echo "$n / $i" | bc -l)"
printf 'notmuch new   %8.3f s  %8.0f msg/s\n' "$m" "$(echo "$n / $m" | bc -l)"
printf 'import vs notmuch new: %.1fx faster (target >= 20)\n' "$(echo "$m / $i" | bc -l)"
printf 'import vs bare parse:  %.2f of the parse rate (target >= 0.5)\n' "$(echo "$p / $i" | bc -l)"
