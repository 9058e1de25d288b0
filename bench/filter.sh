#!/bin/sh
# filter.sh - the cost of one delivery: 500 messages through
# twoway-filter, one process each, against cat and bogofilter -p, both
# bare (a shell loop) and as procmail runs them (procmail -m with a
# ":0fw" recipe delivering to an mbox).  twoway-filter runs as installed
# (its recorder keeps the database open between deliveries) and with
# "Recorder 0" (every delivery opens the database itself).  Every
# contender sees the same 500 messages; each loop runs RUNS times,
# interleaved, best time kept.
#
# usage: bench/filter.sh [MESSAGE_DIR]   (default: SpamAssassin easy_ham)
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD:-$top}
corpora=${TWOWAY_CORPORA:-$top/../shared/corpora}
dir=${1:-$corpora/spamassassin/easy_ham}
work=${BENCH_DIR:-/tmp/twoway-bench-filter}
runs=${RUNS:-3}
filter="$build/filters/twoway-filter --db $work/tw.db --owner bench@example.org"
solo="$filter --config $work/solo.conf"

rm -rf "$work"
mkdir -p "$work/bogo"
find "$dir" -type f | sort | head -500 > "$work/files"
# bogofilter needs a word list: train it on 50 messages first.
head -50 "$work/files" | xargs cat | bogofilter -d "$work/bogo" -n
echo "Recorder 0" > "$work/solo.conf"
for kind in cat twoway solo bogofilter; do
    case $kind in
    cat) cmd=cat ;;
    twoway) cmd=$filter ;;
    solo) cmd=$solo ;;
    bogofilter) cmd="bogofilter -d $work/bogo -p -e" ;;
    esac
    printf 'SHELL=/bin/sh\nMAILDIR=%s\nDEFAULT=%s/%s.mbox\nLOGFILE=/dev/null\n:0fw\n| %s\n:0e\n{ EXITCODE=75 HOST }\n' \
        "$work" "$work" "$kind" "$cmd" > "$work/rc.$kind"
done

now() { date +%s.%N; }
loop_bare() {
    case $1 in
    cat) while read -r f; do cat < "$f" > /dev/null; done < "$work/files" ;;
    twoway) while read -r f; do $filter < "$f" > /dev/null; done < "$work/files" ;;
    solo) while read -r f; do $solo < "$f" > /dev/null; done < "$work/files" ;;
    bogofilter) while read -r f; do bogofilter -d "$work/bogo" -p -e < "$f" > /dev/null; done < "$work/files" ;;
    esac
}
loop_procmail() {
    rm -f "$work/$1.mbox"
    while read -r f; do procmail -m "$work/rc.$1" < "$f"; done < "$work/files"
}

for mode in bare procmail; do
    for kind in cat twoway solo bogofilter; do : > "$work/$mode.$kind"; done
    for r in $(seq "$runs"); do
        # the first twoway run records 500 new messages; later runs see
        # known ones: start each run from an empty database
        for kind in cat twoway solo bogofilter; do
            rm -f "$work"/tw.db*
            t0=$(now)
            loop_$mode $kind
            t1=$(now)
            echo "$t1 - $t0" | bc >> "$work/$mode.$kind"
        done
    done
    c=$(sort -n "$work/$mode.cat" | head -1)
    t=$(sort -n "$work/$mode.twoway" | head -1)
    s=$(sort -n "$work/$mode.solo" | head -1)
    b=$(sort -n "$work/$mode.bogofilter" | head -1)
    printf '%-8s cat %.3f s (%.2f ms each)  twoway-filter %.3f s (%.2f ms)  bogofilter -p %.3f s (%.2f ms)\n' \
        "$mode" "$c" "$(echo "$c * 2" | bc -l)" "$t" "$(echo "$t * 2" | bc -l)" "$b" "$(echo "$b * 2" | bc -l)"
    printf '%-8s twoway-filter / cat = %.2f (target <= 1.5); / bogofilter -p = %.2f (target < 1)\n' \
        "$mode" "$(echo "$t / $c" | bc -l)" "$(echo "$t / $b" | bc -l)"
    printf '%-8s with Recorder 0: %.3f s (%.2f ms), / cat = %.2f, / bogofilter -p = %.2f\n' \
        "$mode" "$s" "$(echo "$s * 2" | bc -l)" "$(echo "$s / $c" | bc -l)" "$(echo "$s / $b" | bc -l)"
done
# the recorder leaves once its database is gone
rm -f "$work"/tw.db*
