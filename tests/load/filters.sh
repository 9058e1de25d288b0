#!/bin/bash
# filters.sh - many twoway-filter processes delivering into one database
# at once, as procmail or maildrop do when mail arrives in a burst.
#
# 16 processes (LOAD_PROCS) deliver 2,000 messages (LOAD_MESSAGES) into
# one database that none of them finds made: they race to create it.
# The mail is real: with TWOWAY_CORPORA, an Enron mailbox (all folders
# of buy-r, or TWOWAY_LOAD_ENRON_USER), else the project's sample/ and
# fixtures copied into mailboxes of their own (mkmail.pl --replicas).
# About 5% of the deliveries repeat an earlier message on purpose: two
# thirds byte for byte, one third under a Message-ID of its own.
#
# With the default BusyTimeout and OnError: every delivery exits 0;
# every output is its input with our tags inserted at the end of its
# header block and nothing else changed (tagcheck.pl); the ledger holds
# each message once and per correspondent the counts mboxcount.pl
# takes from the headers; no delivery met the lock past its timeout;
# the Balance tags each correspondent's mail got count 1, 2, 3 ... with
# neither a gap nor a repeat (one transaction after the other, none
# reading a count another was changing).  Wall time, deliveries per
# second and the slowest delivery are printed as TAP comments.
#
# Then 16 deliveries at once while another process keeps a read
# transaction open and the log is past the size at which the filter
# trims it: none may give up on the database.
#
# Then the same burst (LOAD_BUSY_MESSAGES) with BusyTimeout 0, so that
# deliveries do meet the lock: under OnError accept each that does exits
# 0 with its input unchanged and untagged, and the ledger holds exactly
# the mail of the others; under OnError tempfail each that does exits
# 75 having written nothing, and once they are delivered again (as the
# MTA does) the ledger holds all of the mail.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib/tap.sh"
. "$SRC/tests/face/common.sh"
. "$SRC/tests/corpus/ledger-compare.sh"

HERE=$SRC/tests/load
N=${LOAD_MESSAGES:-2000}
P=${LOAD_PROCS:-16}
NB=${LOAD_BUSY_MESSAGES:-400}
SEED=${LOAD_SEED:-20261126}

for tool in perl jq; do
    if ! command -v $tool >/dev/null 2>&1; then
        skip "concurrent filters" "$tool is not installed"
        done_testing
        exit
    fi
done

# ---------------------------------------------------------------------
# The mail

C=$(corpora)
WHO=${TWOWAY_LOAD_ENRON_USER:-buy-r}
if [ -n "$C" ] && [ -d "$C/enron-mbox/$WHO" ]; then
    OWNER=$(grep "^$WHO," "$C/enron-mbox/OWNERS.csv" | cut -d, -f2 | cut -d';' -f1)
    source_desc="Enron $WHO ($OWNER)"
    set -- "$C/enron-mbox/$WHO"/*.mbox
    replicas=
else
    OWNER=robin@example.org
    source_desc="sample/ and fixtures, copied into mailboxes of their own"
    set -- "$SAMPLE/inbox.mbox" "$SAMPLE/sent.mbox" "$SRC"/tests/fixtures/unit/*.eml \
        "$SRC/tests/fixtures/face/forged.eml"
    replicas=--replicas
fi
echo "# mail: $source_desc; seed $SEED"

# make_mail DIR COUNT: COUNT deliveries into DIR, 5% duplicates.
make_mail() {
    perl "$HERE/mkmail.pl" --out "$1" --count "$2" --dups $(($2 / 20)) --seed "$SEED" \
        --owner "$OWNER" $replicas "${@:3}" >"$1.txt" 2>&1
}
if ! make_mail "$T/mail" "$N" "$@" || ! make_mail "$T/busy" "$NB" "$@"; then
    ok 1 "the deliveries are made (mkmail.pl)"
    sed 's/^/# /' "$T/mail.txt" "$T/busy.txt" | head
    done_testing
    exit
fi
sed 's/^/# /' "$T/mail.txt" | tr '\n' ' '
echo

# ---------------------------------------------------------------------
# Deliveries

# burst IN OUT ARGS...: P filter processes at once deliver every
# IN/NNNN.eml (process w takes NNNN = w, w + P, ...) with ARGS; each
# output in OUT/NNNN.out, its stderr in OUT/NNNN.err, and a line
# "NNNN STATUS START END" (times in seconds) in OUT/log.  Sets $wall
# (seconds, as a decimal).
burst() {
    local in=$1 out=$2 w
    shift 2
    mkdir -p "$out"
    local n
    n=$(find "$in" -name '*.eml' | wc -l)
    local t0=$EPOCHREALTIME pids=
    for ((w = 0; w < P; w++)); do
        (
            local i f s rc
            for ((i = w; i < n; i += P)); do
                printf -v f %04d "$i"
                s=$EPOCHREALTIME
                "$FILTER" "$@" <"$in/$f.eml" >"$out/$f.out" 2>"$out/$f.err"
                rc=$?
                echo "$f $rc $s $EPOCHREALTIME"
            done >"$out/w$w.log"
        ) &
        pids="$pids $!"
    done
    wait $pids
    wall=$(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.2f", b - a }')
    cat "$out"/w*.log | sort >"$out/log"
}

# statuses LOG: "count status" per exit status, one line.
statuses() {
    awk '{ n[$2]++ } END { for (s in n) printf "%s:%d ", s, n[s] }' "$1" | tr ' ' '\n' | sort | tr '\n' ' '
}

# fell_back OUT: the deliveries whose stderr says the database was locked.
fell_back() {
    grep -l 'database is locked' "$1"/*.err 2>/dev/null | sed 's|.*/||; s|\.err$||' | sort
}

# mbox_of IN LIST: the messages named in LIST (NNNN per line) as one
# mbox, a blank line after each, for mboxcount.pl.
mbox_of() {
    perl -e 'while (my $f = <STDIN>) {
        chomp $f;
        open my $fh, "<:raw", "$ARGV[0]/$f.eml" or die "$f: $!\n";
        local $/;
        my $m = <$fh>;
        print $m, ($m =~ /\n\n\z/ ? "" : "\n");
    }' "$1" <"$2"
}

DB=$T/load.db
burst "$T/mail" "$T/out" --db "$DB" --owner "$OWNER"
log=$T/out/log
is "$(wc -l <"$log" | tr -d ' ')" "$N" "$P filters at once: $N deliveries made"
is "$(statuses "$log")" "0:$N " "every delivery exits 0"

# times
awk -v wall="$wall" -v p="$P" '{ d = $4 - $3; s += d; if (d > max) { max = d; w = $1 } }
    END { printf "# wall %.2f s for %d deliveries by %d processes: %.0f deliveries/s; mean %.1f ms, slowest %.0f ms (%s)\n",
          wall, NR, p, NR / wall, 1000 * s / NR, 1000 * max, w }' "$log"
awk '{ print 1000 * ($4 - $3) }' "$log" | sort -n |
    awk '{ v[NR] = $1 } END { printf "# delivery time percentiles: 50%% %.0f ms, 90%% %.0f ms, 99%% %.0f ms, max %.0f ms\n",
          v[int(NR * .5)], v[int(NR * .9)], v[int(NR * .99)], v[NR] }'

# every output is its input plus our tags
cut -d' ' -f1 "$log" | perl "$HERE/tagcheck.pl" "$T/mail" "$T/out" >"$T/check.txt"
bad=$(grep -c ' bad ' "$T/check.txt")
tagged=$(grep -c ' tagged$' "$T/check.txt")
untagged=$(grep -c ' untagged$' "$T/check.txt")
is "$bad" 0 "every output is its input with our tags at the end of the header block, nothing else changed ($tagged tagged, $untagged untagged)"
grep ' bad ' "$T/check.txt" | head -5 | sed 's/^/#   /'
[ "$tagged" -gt $((N / 2)) ]
ok $? "most deliveries are tagged ($tagged of $N)"

# no delivery met the lock past its timeout
fell_back "$T/out" >"$T/fell.txt"
is "$(wc -l <"$T/fell.txt" | tr -d ' ')" 0 "no delivery met the database locked past the default BusyTimeout (OnError fallbacks)"
cat "$T/out"/*.err >"$T/stderr.txt"
is "$(wc -l <"$T/stderr.txt" | tr -d ' ')" 0 "no delivery wrote anything to stderr"
sort "$T/stderr.txt" | uniq -c | sort -rn | head -5 | sed 's/^/#   /'

# the ledger against the headers
cut -d' ' -f1 "$log" >"$T/all.list"
mbox_of "$T/mail" "$T/all.list" >"$T/all.mbox"
perl "$SRC/tests/corpus/mboxcount.pl" "$OWNER" "$T/all.mbox" >"$T/expected.txt"
distinct=$(awk '$1 == "messages" { print $2 }' "$T/expected.txt")
unique=$(awk '$1 == "unique" { print $2 }' "$T/mail.txt")
if [ -n "$replicas" ]; then [ "$distinct" = "$unique" ]; else [ "$distinct" -le "$unique" ]; fi
ok $? "the deliveries repeat messages ($N deliveries of $unique messages made distinct; $distinct distinct by the headers)"
compare_ledger "$DB" "$OWNER" "$T/expected.txt"

# Balance counts: each correspondent's received= values, over all the
# mail tagged with its Balance, are 1, 2, ... with no gap or repeat
# among the messages recorded, up to the ledger's final count.
grep '^balance ' "$T/check.txt" >"$T/balance.txt"
jq -r '.[] | "\(.correspondent) \(.received)"' "$T/summary.json" | sort >"$T/received.txt"
perl -e '
    my (%vals, %final);
    open my $fr, "<", $ARGV[1] or die; while (<$fr>) { my ($c, $n) = split; $final{$c} = $n }
    open my $fb, "<", $ARGV[0] or die;
    while (<$fb>) { my (undef, undef, $c, $n) = split; $vals{$c}{$n} = 1 }
    my ($bad, $rows) = (0, 0);
    for my $c (sort keys %vals) {
        my @v = sort { $a <=> $b } grep { $_ > 0 } keys %{ $vals{$c} };
        next unless @v;
        $rows++;
        my $want = $final{$c} // "none";
        my $ok = $want ne "none" && @v == $want && $v[0] == 1 && $v[-1] == $want;
        next if $ok;
        print "# $c: received= seen @v[0 .. ($#v < 9 ? $#v : 9)]", (@v > 10 ? " ..." : ""), "; ledger $want\n" if $bad++ < 5;
    }
    print "rows $rows bad $bad\n";
' "$T/balance.txt" "$T/received.txt" >"$T/balance.out"
grep '^#' "$T/balance.out"
res=$(grep '^rows' "$T/balance.out")
rows=$(echo "$res" | awk '{ print $2 }')
[ "${rows:-0}" -gt 0 ] && [ "$(echo "$res" | awk '{ print $4 }')" = 0 ]
ok $? "X-Twoway-Balance received= runs 1..N without gap or repeat for each of $rows correspondents, N the ledger's count"

# ---------------------------------------------------------------------
# A reader keeps a read transaction open (a backup, sqlite3, a slow
# pipe out of the twoway command) while the log is past the 512 KB at
# which each filter trims it after its delivery: 16 deliveries at once.
# The trimming delivery's TRUNCATE checkpoint must not wait for the
# reader holding the write lock (it once did, up to BusyTimeout, and
# the others gave up on the database).

rm -f "$T/reader.fifo"
mkfifo "$T/reader.fifo"
sqlite3 "$DB" <"$T/reader.fifo" >"$T/reader.out" 2>&1 &
reader_pid=$!
trap '[ -n "$reader_pid" ] && kill "$reader_pid" 2>/dev/null' EXIT
exec 8>"$T/reader.fifo"
printf '.timeout 5000\nBEGIN;\nSELECT count(*) FROM messages;\n' >&8
wait_for() { for _i in $(seq 100); do [ -s "$1" ] && return 0; sleep 0.05; done; return 1; }
wait_for "$T/reader.out"
sqlite3 -cmd '.timeout 5000' "$DB" 'CREATE TABLE load_pad (x BLOB);
    INSERT INTO load_pad SELECT randomblob(1024) FROM
        (WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 700) SELECT x FROM c);'
wal=$(stat -c %s "$DB-wal" 2>/dev/null || echo 0)
[ "$(grep -c '^[0-9]*$' "$T/reader.out")" -eq 1 ] && [ "$wal" -gt 524288 ]
ok $? "a reader holds a read transaction; the log is past 512 KB ($wal bytes)"
mkdir -p "$T/held"
for i in $(seq 0 15); do
    printf -v f %04d "$i"
    cp "$T/busy/$f.eml" "$T/held/$f.eml"
done
burst "$T/held" "$T/held.out" --db "$DB" --owner "$OWNER"
printf 'COMMIT;\n' >&8
exec 8>&-
wait "$reader_pid"
reader_pid=
awk '{ d = $4 - $3; if (d > m) m = d } END { printf "# with the reader: 16 deliveries in %.2f s, the slowest %.0f ms\n", wall, 1000 * m }' wall="$wall" "$T/held.out/log"
is "$(statuses "$T/held.out/log")" "0:16 " "with the reader: every delivery exits 0"
cut_list() { cut -d' ' -f1 "$1"; }
cut_list "$T/held.out/log" | perl "$HERE/tagcheck.pl" "$T/held" "$T/held.out" >"$T/held.check"
is "$(grep -c ' bad ' "$T/held.check")" 0 "with the reader: every output is its input plus our tags"
nheld=$(fell_back "$T/held.out" | wc -l)
echo "# with the reader: $nheld of 16 deliveries met the database locked past BusyTimeout"
ok "$nheld" "with the reader: no delivery meets the database locked ($nheld did)"

# ---------------------------------------------------------------------
# The same kind of burst with BusyTimeout 0: deliveries meet the lock.

printf 'BusyTimeout 0\nOnError accept\n' >"$T/accept.conf"
burst "$T/busy" "$T/acc" --db "$T/acc.db" --owner "$OWNER" --config "$T/accept.conf"
fell_back "$T/acc" >"$T/acc.fell"
nfell=$(wc -l <"$T/acc.fell" | tr -d ' ')
echo "# BusyTimeout 0, OnError accept: $nfell of $NB deliveries met the lock (${wall} s)"
is "$(statuses "$T/acc/log")" "0:$NB " "BusyTimeout 0, OnError accept: every delivery exits 0"
if [ "$nfell" -gt 0 ]; then
    ok 0 "BusyTimeout 0: deliveries do meet the lock ($nfell of $NB)"
else
    skip "BusyTimeout 0: deliveries do meet the lock" "no delivery met the lock in this run"
fi
cut_list "$T/acc/log" | perl "$HERE/tagcheck.pl" "$T/busy" "$T/acc" >"$T/acc.check"
is "$(grep -c ' bad ' "$T/acc.check")" 0 "OnError accept: every output is its input plus our tags"
grep ' bad ' "$T/acc.check" | head -5 | sed 's/^/#   /'
# those that met the lock passed untagged, and are the input as it came
# (less forged tags): tagcheck.pl said "untagged"
untagged_fell=$(join "$T/acc.fell" <(awk '$2 == "untagged" { print $1 }' "$T/acc.check" | sort) | wc -l)
is "$untagged_fell" "$nfell" "OnError accept: each delivery that met the lock passed untagged"
grep -l 'OnError accept: message passed untagged' "$T/acc"/*.err 2>/dev/null | sed 's|.*/||; s|\.err$||' | sort >"$T/acc.said"
is "$(comm -3 "$T/acc.fell" "$T/acc.said" | wc -l)" 0 "OnError accept: each says so on stderr ('message passed untagged')"
# the ledger holds the mail of the others, each once
comm -23 <(cut_list "$T/acc/log" | sort) "$T/acc.fell" >"$T/acc.recorded"
mbox_of "$T/busy" "$T/acc.recorded" >"$T/acc.mbox"
perl "$SRC/tests/corpus/mboxcount.pl" "$OWNER" "$T/acc.mbox" >"$T/acc.expected"
if [ -s "$T/acc.db" ]; then
    compare_ledger "$T/acc.db" "$OWNER" "$T/acc.expected"
else
    for i in 1 2 3 4; do ok 1 "OnError accept: the ledger (no database)"; done
fi

printf 'BusyTimeout 0\nOnError tempfail\n' >"$T/tempfail.conf"
burst "$T/busy" "$T/tf" --db "$T/tf.db" --owner "$OWNER" --config "$T/tempfail.conf"
awk '$2 == 75 { print $1 }' "$T/tf/log" | sort >"$T/tf.deferred"
ndef=$(wc -l <"$T/tf.deferred" | tr -d ' ')
echo "# BusyTimeout 0, OnError tempfail: $ndef of $NB deliveries deferred (${wall} s)"
is "$(awk '$2 != 0 && $2 != 75' "$T/tf/log" | wc -l)" 0 "BusyTimeout 0, OnError tempfail: every delivery exits 0 or 75"
fell_back "$T/tf" >"$T/tf.fell"
is "$(comm -3 "$T/tf.fell" "$T/tf.deferred" | wc -l)" 0 "OnError tempfail: exactly the deliveries that met the lock exit 75 ($ndef)"
empty=0
while read -r f; do [ -s "$T/tf/$f.out" ] && empty=$((empty + 1)); done <"$T/tf.deferred"
is "$empty" 0 "OnError tempfail: a deferred delivery writes nothing"
comm -23 <(cut_list "$T/tf/log" | sort) "$T/tf.deferred" | perl "$HERE/tagcheck.pl" "$T/busy" "$T/tf" >"$T/tf.check"
is "$(grep -c ' bad ' "$T/tf.check")" 0 "OnError tempfail: every delivery that exits 0 is its input plus our tags"
# the MTA tries again: one at a time now
retry_bad=0
while read -r f; do
    "$FILTER" --db "$T/tf.db" --owner "$OWNER" --config "$T/tempfail.conf" \
        <"$T/busy/$f.eml" >"$T/tf/$f.out" 2>"$T/tf/$f.err" || retry_bad=$((retry_bad + 1))
done <"$T/tf.deferred"
is "$retry_bad" 0 "OnError tempfail: the deferred deliveries succeed when tried again"
cut_list "$T/tf/log" >"$T/tf.all"
mbox_of "$T/busy" "$T/tf.all" >"$T/tf.mbox"
perl "$SRC/tests/corpus/mboxcount.pl" "$OWNER" "$T/tf.mbox" >"$T/tf.expected"
compare_ledger "$T/tf.db" "$OWNER" "$T/tf.expected"

done_testing
