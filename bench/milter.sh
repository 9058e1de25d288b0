#!/bin/sh
# milter.sh - Postfix throughput with twoway-milter against Postfix
# without any milter, same run, and the milter's resident memory as the
# messages go by.
#
# A private Postfix instance (its own config and queue under $work,
# 127.0.0.1 only) takes mail from smtp-source and relays it to
# smtp-sink.  smtp-source numbers its recipients (-N), so each message
# goes to another local user of the milter's Domain and is recorded.  Each round sends N messages over S sessions and waits
# until the sink has them all.  Rounds alternate: no milter, a milter
# that does nothing (bench/null-milter.c: libmilter's own cost), twoway-milter.
#
# DELIVERY=maildir: Postfix delivers into a maildir (virtual(8), each
# message written and synced) instead of relaying to smtp-sink.
#
# usage: bench/milter.sh   (root; env N, S, ROUNDS, SIZE, DELIVERY)
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD:-$top}
work=${BENCH_DIR:-/tmp/twoway-bench-milter}
N=${N:-4000}
S=${S:-8}
ROUNDS=${ROUNDS:-3}
SIZE=${SIZE:-2000}
DELIVERY=${DELIVERY:-sink}
SMTP_PORT=${SMTP_PORT:-2625}
SINK_PORT=${SINK_PORT:-2626}
conf=$work/postfix
pf() { postfix -c "$conf" "$@"; }

cleanup() {
    pf stop >/dev/null 2>&1 || true
    [ -n "${sink_pid:-}" ] && kill "$sink_pid" 2>/dev/null || true
    [ -n "${milter_pid:-}" ] && kill "$milter_pid" 2>/dev/null || true
    [ -n "${null_pid:-}" ] && kill "$null_pid" 2>/dev/null || true
}
trap cleanup EXIT INT TERM
cleanup
rm -rf "$work"
mkdir -p "$conf" "$work/queue" "$work/data"
chown postfix "$work/data"
cp /etc/postfix/master.cf "$conf/"
grep -q '^postlog' "$conf/master.cf" ||
    echo 'postlog   unix-dgram n  -       n       -       1       postlogd' >> "$conf/master.cf"
sed -i "s/^smtp      inet  n       -       y       -       -       smtpd/127.0.0.1:$SMTP_PORT inet n - n - - smtpd/" "$conf/master.cf"
cat > "$conf/main.cf" <<CONF
compatibility_level = 3.6
queue_directory = $work/queue
data_directory = $work/data
command_directory = /usr/sbin
daemon_directory = /usr/lib/postfix/sbin
meta_directory = /etc/postfix
shlib_directory = /usr/lib/postfix
mail_owner = postfix
setgid_group = postdrop
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
myhostname = bench.test
mydomain = bench.test
mydestination =
alias_maps =
alias_database =
mynetworks = 127.0.0.0/8
smtpd_recipient_restrictions = permit_mynetworks, reject
maillog_file = $work/maillog
maillog_file_prefixes = $work
smtp_connection_cache_on_demand = yes
default_process_limit = 50
milter_protocol = 6
milter_default_action = accept
CONF
case $DELIVERY in
sink)
    printf 'relay_domains = example.test\nrelay_transport = smtp:[127.0.0.1]:%s\n' \
        "$SINK_PORT" >> "$conf/main.cf"
    smtp-sink -u postfix -c 127.0.0.1:$SINK_PORT 200 > "$work/sink.out" 2>&1 &
    sink_pid=$!
    ;;
maildir)
    # every recipient into one maildir: the cost of a delivery, not of
    # making thousands of mailboxes
    mkdir -p "$work/mail"
    chown postfix "$work/mail"
    echo '/@example\.test$/ box/' > "$conf/vmailbox"
    cat >> "$conf/main.cf" <<CONF
virtual_mailbox_domains = example.test
virtual_mailbox_base = $work/mail
virtual_mailbox_maps = regexp:$conf/vmailbox
virtual_minimum_uid = 1
virtual_uid_maps = static:$(id -u postfix)
virtual_gid_maps = static:$(id -g postfix)
CONF
    ;;
*) echo "DELIVERY: sink or maildir" >&2; exit 64 ;;
esac
postfix -c "$conf" check

# A UNIX socket: over TCP, a macro packet that gets no reply waits for
# the milter's delayed ACK before the MTA's next packet may go (Nagle).
printf 'Domain example.test\nDatabase %s/twoway.db\nSyslog no\nUMask 000\nAllowRoot yes\n' "$work" > "$work/twoway.conf"

sent() { grep -c 'status=sent' "$work/maillog" 2>/dev/null || true; }
round() { # $1: label, $2: expected total sent so far
    t0=$(date +%s.%N)
    # -N numbers the recipients: every message is new to the ledger
    smtp-source -N -s "$S" -m "$N" -l "$SIZE" -f sender@outside.example -t user@example.test \
        127.0.0.1:$SMTP_PORT
    while [ "$(sent)" -lt "$2" ]; do sleep 0.2; done
    t1=$(date +%s.%N)
    echo "$1 $(echo "$t1 - $t0" | bc)" >> "$work/times"
}
rss() { awk '/VmRSS/ {print $2}' "/proc/$milter_pid/status"; }
cpu_ticks() { awk '{print $14 + $15}' "/proc/${1:-$milter_pid}/stat"; }

"$build/milter/twoway-milter" -c "$work/twoway.conf" -p "unix:$work/milter.sock" -f \
    2> "$work/milter.log" &
milter_pid=$!
# the floor: a libmilter milter that does nothing with what it is sent
"$build/bench/null-milter" "unix:$work/null.sock" 2> "$work/null.log" &
null_pid=$!
sleep 0.5
echo "milter rss at start: $(rss) kB" > "$work/rss"
total=0 seen=0
for r in $(seq "$ROUNDS"); do
    postconf -c "$conf" -e 'smtpd_milters ='
    pf start >/dev/null
    total=$((total + N)); round none $total
    pf stop >/dev/null
    postconf -c "$conf" -e "smtpd_milters = unix:$work/null.sock"
    pf start >/dev/null
    c0=$(cpu_ticks "$null_pid")
    total=$((total + N)); round null $total
    c1=$(cpu_ticks "$null_pid")
    echo "null milter cpu per message: $(echo "($c1 - $c0) * 1000 / $(getconf CLK_TCK) / $N" | bc -l | cut -c1-5) ms" >> "$work/rss"
    pf stop >/dev/null
    postconf -c "$conf" -e "smtpd_milters = unix:$work/milter.sock"
    pf start >/dev/null
    c0=$(cpu_ticks)
    total=$((total + N)); round milter $total
    c1=$(cpu_ticks)
    echo "milter cpu per message: $(echo "($c1 - $c0) * 1000 / $(getconf CLK_TCK) / $N" | bc -l | cut -c1-5) ms" >> "$work/rss"
    seen=$((seen + N))
    echo "milter rss after $seen messages: $(rss) kB" >> "$work/rss"
    pf stop >/dev/null
done
recorded=$(sqlite3 "$work/twoway.db" 'SELECT count(*) FROM messages')
none=$(awk '$1 == "none" {print $2}' "$work/times" | sort -n | head -1)
with=$(awk '$1 == "milter" {print $2}' "$work/times" | sort -n | head -1)
null=$(awk '$1 == "null" {print $2}' "$work/times" | sort -n | head -1)
printf 'postfix alone      %6.2f s  %6.0f msg/s\n' "$none" "$(echo "$N / $none" | bc -l)"
printf 'postfix + null     %6.2f s  %6.0f msg/s  (%.2f of alone: a milter that does nothing)\n' \
    "$null" "$(echo "$N / $null" | bc -l)" "$(echo "$none / $null" | bc -l)"
printf 'postfix + milter   %6.2f s  %6.0f msg/s\n' "$with" "$(echo "$N / $with" | bc -l)"
printf 'milter / alone = %.2f of the throughput (target >= 0.9)\n' "$(echo "$none / $with" | bc -l)"
cat "$work/rss"
echo "messages recorded by the milter: $recorded of $seen"
