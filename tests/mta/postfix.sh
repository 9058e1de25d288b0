#!/bin/bash
# postfix.sh - twoway-milter behind a real Postfix.
#
# A private Postfix instance (its own config_directory, queue_directory
# and data_directory under $T, SMTP on a free port of 127.0.0.1, its
# log in $T through postlogd because there is no syslog daemon) with
# the milter settings of contrib/postfix-main.cf: smtpd_milters and
# non_smtpd_milters pointing at twoway-milter on another loopback
# port, milter_default_action = accept, milter_protocol = 6.  Mail for
# example.test goes through local(8) into maildirs under $T (aliases,
# delivered as default_privs); all other mail is discarded.  The
# system Postfix and its files are never written, and the private
# instance is stopped on exit.
#
# Checks: incoming asks are delivered with X-Twoway-Ask and
# X-Twoway-Balance, forged X-Twoway-* headers are removed, newsletters
# get no ask, mail to two owners shows neither's ledger, a non-ASCII
# cue is RFC 2047, a body past MaxBodyBytes passes whole; the owner's
# reply through sendmail(1) -> postdrop -> pickup -> cleanup
# (non_smtpd_milters) closes the ask in the ledger; the milter's log
# lines start with Postfix's queue ids; Postfix logs no milter warning;
# and with the milter gone and { ..., default_action=accept } mail is
# still delivered, untagged.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib/tap.sh"
. "$SRC/tests/mta/common.sh"

why=
if ! command -v postfix >/dev/null 2>&1 || ! command -v postconf >/dev/null 2>&1; then
    why="Postfix is not installed"
elif [ "$(id -u)" -ne 0 ]; then
    why="a private Postfix instance needs root (master(8) starts as root)"
elif ! id postfix >/dev/null 2>&1 || ! getent group postdrop >/dev/null 2>&1; then
    why="no postfix user or postdrop group (Postfix not set up)"
elif ! command -v swaks >/dev/null 2>&1; then
    why="swaks is not installed"
elif ! command -v jq >/dev/null 2>&1; then
    why="jq is not installed"
elif [ ! -x "$MILTER" ]; then
    why="$MILTER is not built"
elif ! id nobody >/dev/null 2>&1; then
    why="no user nobody for local delivery"
fi
if [ -n "$why" ]; then
    skip "postfix" "$why"
    done_testing
    exit
fi

# ---------------------------------------------------------------------
# The private instance

CD=$T/pf/etc                 # config_directory
QD=$T/pf/spool               # queue_directory
DD=$T/pf/data                # data_directory
PFLOG=$T/pf/postfix.log
MAIL=$T/mail
MLOG=$T/milter.log
DB=$T/twoway.db
SPORT=$(free_port)           # Postfix smtpd
MPORT=$(free_port "$SPORT")  # twoway-milter
mkdir -p "$CD" "$QD" "$DD" "$MAIL"
chmod 755 "$T" "$T/pf" "$CD" "$QD" "$DD"
chown nobody "$MAIL"
chown postfix "$DD"; chmod 700 "$DD"
: >"$MLOG"

pf_started=
cleanup() {
    stop_milter
    pf_stop
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

# texthash: "name value" lines, read as they are (no postalias)
cat >"$CD/aliases" <<EOF
robin $MAIL/robin/
kim $MAIL/kim/
postmaster $MAIL/postmaster/
EOF

cat >"$CD/main.cf" <<EOF
# A private Postfix instance for tests/mta/postfix.sh
compatibility_level = 3.6
queue_directory = $QD
data_directory = $DD
mail_owner = postfix
setgid_group = postdrop
myhostname = mx.example.test
mydomain = example.test
myorigin = \$mydomain
mydestination = example.test
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
smtpd_banner = \$myhostname ESMTP twoway test
biff = no
append_dot_mydomain = no
recipient_delimiter = +
alias_maps = texthash:$CD/aliases
alias_database =
local_recipient_maps = \$alias_maps
default_privs = nobody
mailbox_size_limit = 0
# nothing leaves this instance
default_transport = discard:no mail leaves the test
relay_transport = \$default_transport
smtp_dns_support_level = disabled
maillog_file = $PFLOG
maillog_file_prefixes = $T
EOF
# the milter settings: contrib/postfix-main.cf as shipped, on our port
sed "s/127\.0\.0\.1:8894/127.0.0.1:$MPORT/g" "$SRC/contrib/postfix-main.cf" >>"$CD/main.cf"

master_cf "$CD/master.cf" "$SPORT" local

milter_conf "$T/milter.conf" "$DB"
# a small analysis cap, so that a big message crosses it
echo 'MaxBodyBytes 64k' >>"$T/milter.conf"

is "$(postconf -c "$CD" -h smtpd_milters non_smtpd_milters milter_default_action milter_protocol 2>&1 | tr '\n' ' ')" \
    "inet:127.0.0.1:$MPORT \$smtpd_milters accept 6 " "postfix: contrib/postfix-main.cf sets the four milter parameters"
pf_check
ok 0 "postfix: private instance passes postfix check"
if ! start_milter "$T/milter.conf" "$MPORT" "$MLOG"; then
    ok 1 "milter: listens on inet:$MPORT@127.0.0.1"
    sed 's/^/# /' "$MLOG"
    done_testing
    exit
fi
ok 0 "milter: listens on inet:$MPORT@127.0.0.1"
pf_start

# smtp_in NAME FILE FROM TO: sends FILE over SMTP; $qid gets the queue id.
# (swaks sends CRLF "." CRLF after the data: the data goes without its
# last CRLF, or the body would gain an empty line.)
smtp_in() {
    head -c -2 "$2" >"$T/swaks-data.$1"
    swaks --server "127.0.0.1:$SPORT" --helo outside.test --from "$3" --to "$4" \
        --data "@$T/swaks-data.$1" >"$T/swaks.$1" 2>&1
    swaks_rc=$?
    qid=$(qid_of "$T/swaks.$1")
}

# ---------------------------------------------------------------------
# Incoming mail

message "$T/ask.eml" "<ask1@outside.test>" "Draft for Friday" "Carol <$OUTSIDE>" "Robin <$OWNER>" \
    'X-Twoway-Ask: yes; score=1.00; cue="FORGED cue from outside"' <<'EOF'
Hi Robin,

I attached the draft of the quarterly report.
Could you review the draft by Friday and tell me whether the numbers hold?

Thanks,
Carol
EOF
smtp_in ask "$T/ask.eml" "$OUTSIDE" "$OWNER"
q_ask=$qid
is "$swaks_rc:$([ -n "$q_ask" ] && echo queued)" "0:queued" "postfix: the ask is accepted over SMTP"
[ -n "$q_ask" ] || sed 's/^/# /' "$T/swaks.ask" | tail -8
wait_delivery "$MAIL/robin" "<ask1@outside.test>"
d_ask=$dlv
ok "$([ -n "$d_ask" ]; echo $?)" "postfix: the ask is delivered to robin's maildir"
if [ -n "$d_ask" ]; then
    is "$(count_hdr "$d_ask" X-Twoway-Ask)" 1 "ask: exactly one X-Twoway-Ask"
    a=$(hdr "$d_ask" X-Twoway-Ask)
    case "$a" in
    yes\;*score=*cue=*"review the draft"*) ok 0 "ask: X-Twoway-Ask is ours, with the cue" ;;
    *) ok 1 "ask: X-Twoway-Ask is ours, with the cue"; echo "#   got: '$a'" ;;
    esac
    if grep -q FORGED "$d_ask"; then
        ok 1 "ask: the forged X-Twoway-Ask is gone"
        grep -n FORGED "$d_ask" | sed 's/^/# /'
    else
        ok 0 "ask: the forged X-Twoway-Ask is gone"
    fi
    b=$(hdr "$d_ask" X-Twoway-Balance)
    case "$b" in
    "$OUTSIDE;"*received=1*) ok 0 "ask: X-Twoway-Balance names carol, received=1" ;;
    *) ok 1 "ask: X-Twoway-Balance names carol, received=1"; echo "#   got: '$b'" ;;
    esac
    # the body passes whole
    body_of "$d_ask" >"$T/ask.body"
    sed '1,/^\r$/d; s/\r$//' "$T/ask.eml" >"$T/ask.want"
    check "ask: the body is delivered unchanged" cmp "$T/ask.want" "$T/ask.body"
else
    for n in "exactly one X-Twoway-Ask" "X-Twoway-Ask is ours" "forged tag gone" "X-Twoway-Balance" "body unchanged"; do
        ok 1 "ask: $n (not delivered)"
    done
    sed 's/^/# /' "$MLOG" | tail -5
    tail -15 "$PFLOG" | sed 's/^/# /'
fi

# A personal note that asks nothing, carrying forged tags of every kind.
message "$T/note.eml" "<note1@outside.test>" "Lunch" "Carol <$OUTSIDE>" "$OWNER" \
    'X-Twoway-Ask: yes; score=0.99; cue="forged"
X-TWOWAY-THREAD: unanswered; asks=9
X-Twoway-Balance: forged; received=99
x-twoway-ask: yes; score=0.98;
 cue="a second forged ask, folded"' <<'EOF'
Robin,

lunch was great today. See you next week.

Carol
EOF
smtp_in note "$T/note.eml" "$OUTSIDE" "$OWNER"
q_note=$qid
wait_delivery "$MAIL/robin" "<note1@outside.test>"
d_note=$dlv
ok "$([ -n "$d_note" ]; echo $?)" "note: delivered"
if [ -n "$d_note" ]; then
    is "$(count_hdr "$d_note" X-Twoway-Ask):$(grep -c 'folded' "$d_note")" "0:0" "note: no X-Twoway-Ask (both forged ones gone, the folded one whole; no ask)"
    is "$(count_hdr "$d_note" X-Twoway-Thread):$(grep -ci 'asks=9' "$d_note")" "0:0" \
        "note: the forged X-TWOWAY-THREAD is gone"
    b=$(hdr "$d_note" X-Twoway-Balance)
    is "$(count_hdr "$d_note" X-Twoway-Balance):${b%%;*}" "1:$OUTSIDE" \
        "note: one X-Twoway-Balance, ours (the forged one is gone)"
else
    for n in "no X-Twoway-Ask" "forged Thread gone" "one Balance"; do ok 1 "note: $n (not delivered)"; done
fi

# A newsletter with a question in it.
message "$T/news.eml" "<news1@mailer.shop.test>" "Our autumn offers" "Shop News <news@shop.test>" "$OWNER" \
    'List-Unsubscribe: <mailto:unsubscribe@shop.test>
List-Id: Shop news <news.shop.test>
Precedence: bulk
Feedback-ID: 1234:autumn:shop' <<'EOF'
Dear customer,

Would you like to save 20% on every order this autumn?
Could you tell us what you think of our new range? Click here to answer our survey.

Unsubscribe: https://shop.test/u
EOF
smtp_in news "$T/news.eml" "bounces@shop.test" "$OWNER"
wait_delivery "$MAIL/robin" "<news1@mailer.shop.test>"
d_news=$dlv
ok "$([ -n "$d_news" ]; echo $?)" "newsletter: delivered"
if [ -n "$d_news" ]; then
    is "$(count_hdr "$d_news" X-Twoway-Ask)" 0 "newsletter: no X-Twoway-Ask"
    is "$(count_hdr "$d_news" X-Twoway-Balance)" 0 "newsletter: no X-Twoway-Balance (bulk)"
else
    ok 1 "newsletter: no X-Twoway-Ask (not delivered)"
    ok 1 "newsletter: no X-Twoway-Balance (not delivered)"
fi

# Two local owners: the ask is shown, no owner's ledger is.
message "$T/both.eml" "<both1@outside.test>" "Venue" "Carol <$OUTSIDE>" "Robin <$OWNER>, kim@example.test" <<'EOF'
Hi both,

Can you tell me which room we booked for the workshop?

Carol
EOF
smtp_in both "$T/both.eml" "$OUTSIDE" "$OWNER,kim@example.test"
wait_delivery "$MAIL/robin" "<both1@outside.test>"
d_r=$dlv
wait_delivery "$MAIL/kim" "<both1@outside.test>"
d_k=$dlv
both=
for f in "$d_r" "$d_k"; do
    if [ -n "$f" ]; then
        both="$both $(count_hdr "$f" X-Twoway-Ask)/$(count_hdr "$f" X-Twoway-Balance)/$(count_hdr "$f" X-Twoway-Thread)"
    else
        both="$both missing"
    fi
done
is "$both" " 1/0/0 1/0/0" "two owners: each copy has X-Twoway-Ask and neither Balance nor Thread"

# Non-ASCII: the cue is carried in RFC 2047, the header stays ASCII.
message "$T/utf8.eml" "<utf1@outside.test>" "Menu" "Carol <$OUTSIDE>" "$OWNER" <<'EOF'
Robin,

could you send me the menu of the café on the Champs-Élysées before Friday?

Carol
EOF
sed -i 's/charset=us-ascii/charset=utf-8\r\nContent-Transfer-Encoding: 8bit/' "$T/utf8.eml"
smtp_in utf8 "$T/utf8.eml" "$OUTSIDE" "$OWNER"
wait_delivery "$MAIL/robin" "<utf1@outside.test>"
d_u=$dlv
a=$([ -n "$d_u" ] && head_of "$d_u" | awk '/^X-Twoway-Ask:/ { on = 1; print; next } on && /^[ \t]/ { print; next } { on = 0 }')
if [ -n "$a" ] && ! printf '%s' "$a" | LC_ALL=C grep -q '[^ -~]' && printf '%s' "$a" | grep -qi '=?utf-8?'; then
    ok 0 "utf-8 ask: X-Twoway-Ask is ASCII, the cue in RFC 2047"
else
    ok 1 "utf-8 ask: X-Twoway-Ask is ASCII, the cue in RFC 2047"
    echo "#   got: '$a'"
fi

# A message far beyond MaxBodyBytes passes whole.
awk 'BEGIN { for (i = 0; i < 6000; i++) printf "line %05d of a long report, nothing to ask here at all.\n", i }' |
    message "$T/big.eml" "<big1@outside.test>" "Big report" "Carol <$OUTSIDE>" "$OWNER"
smtp_in big "$T/big.eml" "$OUTSIDE" "$OWNER"
wait_delivery "$MAIL/robin" "<big1@outside.test>"
d_big=$dlv
if [ -n "$d_big" ]; then
    body_of "$d_big" >"$T/big.body"
    sed '1,/^\r$/d; s/\r$//' "$T/big.eml" >"$T/big.want"
    check "big message ($(wc -c <"$T/big.want") bytes, MaxBodyBytes 64k): the body is delivered whole" \
        cmp "$T/big.want" "$T/big.body"
else
    ok 1 "big message: delivered whole (not delivered)"
fi

# The ask is pending for robin before the reply.
pending_json "$DB" >"$T/pending.before" 2>&1
check "ledger: the ask is pending before the reply" grep -qF "ask1@outside.test" "$T/pending.before"

# ---------------------------------------------------------------------
# The owner answers: sendmail(1) -> postdrop -> pickup -> cleanup, which
# runs non_smtpd_milters.

message "$T/reply.eml" "<reply1@example.test>" "Re: Draft for Friday" "Robin <$OWNER>" "Carol <$OUTSIDE>" \
    'In-Reply-To: <ask1@outside.test>
References: <ask1@outside.test>' <<'EOF'
Hi Carol,

yes, I went through it: the numbers hold. Two small notes inline.

Robin

On Mon, Carol wrote:
> Could you review the draft by Friday and tell me whether the numbers hold?
EOF
sed 's/\r$//' "$T/reply.eml" >"$T/reply.lf"
"$(postconf -c "$CD" -h sendmail_path)" -C "$CD" -f "$OWNER" -t <"$T/reply.lf" >"$T/sendmail.out" 2>&1
ok $? "reply: sendmail -C $CD -t accepts the reply"
# the queue id pickup gave it, and the milter's word on it
pickup_qid() { sed -n 's/.*postfix\/pickup\[[0-9]*\]: \([0-9A-Za-z]*\): uid=[0-9]* from=<robin@example\.test>.*/\1/p' "$PFLOG" | tail -1; }
reply_done() {
    q_reply=$(pickup_qid)
    [ -n "$q_reply" ] && grep -q "^twoway-milter: $q_reply: .*outgoing" "$MLOG"
}
q_reply=
wait_until "$MTA_WAIT" reply_done
ok $? "reply: the milter records it as outgoing under its queue id ($q_reply)"
# and Postfix passes it on (to the discard transport)
wait_until "$MTA_WAIT" grep -q "${q_reply:-none}: to=<$OUTSIDE>.*status=sent" "$PFLOG"
ok $? "reply: Postfix passes the reply on"

pending_json "$DB" >"$T/pending.after" 2>&1
if jq -e . "$T/pending.after" >/dev/null 2>&1 && ! grep -qF "ask1@outside.test" "$T/pending.after"; then
    ok 0 "ledger: pending --json holds no more the ask after the reply"
else
    ok 1 "ledger: pending --json holds no more the ask after the reply"
    sed 's/^/# /' "$T/pending.after" | head -20
fi
stats_json "$DB" >"$T/stats.json" 2>&1
sent=$(jq -r '.outgoing' "$T/stats.json" 2>/dev/null)
recv=$(jq -r '.incoming' "$T/stats.json" 2>/dev/null)
is "${sent:-none}" 1 "ledger: stats --json counts the outgoing reply"
is "${recv:-none}" 6 "ledger: stats --json counts six incoming messages"
is "$(jq -r '.pending' "$T/stats.json" 2>/dev/null)" 2 "ledger: stats --json: two asks pending (the venue, the menu), the answered one not"
[ "${sent:-none}:${recv:-none}:$(jq -r .pending "$T/stats.json" 2>/dev/null)" = "1:6:2" ] || sed 's/^/# /' "$T/stats.json" | head -20

# ---------------------------------------------------------------------
# Logs

# every line the milter wrote about a message starts with its queue id
bad_q=
for q in "$q_ask" "$q_note" "$q_reply"; do
    grep -q "^twoway-milter: ${q:-none}: " "$MLOG" || { bad_q="$bad_q ${q:-?}"; }
done
is "${bad_q:-}" "" "milter log: lines about the ask, the note and the reply start with their queue ids"
grep -q "^twoway-milter: ${q_ask:-none}: recorded incoming for $OWNER, an ask" "$MLOG"
ok $? "milter log: the ask's line says recorded incoming for robin, an ask"
grep -q "^twoway-milter: ${q_note:-none}: removed 4 forged" "$MLOG"
ok $? "milter log: the note's line says four forged headers were removed"
# the queue ids Postfix's cleanup(8) gave
sed -n 's/.*postfix\/cleanup\[[0-9]*\]: \([0-9A-Za-z]*\): message-id=.*/\1/p' "$PFLOG" | sort -u >"$T/qids"
stray=$(grep -v '^twoway-milter: -: \(listening on\|running as root\|stopped\)' "$MLOG" |
    awk -v f="$T/qids" 'BEGIN { while ((getline q < f) > 0) ok[q] = 1 }
        { split($0, w, ": ") } !(w[2] in ok) { print }')
is "$stray" "" "milter log: every other line starts with a queue id Postfix gave"
[ -s "$T/qids" ] || echo "# no queue id in Postfix's log"
w=$(pf_milter_warnings)
is "$w" "" "postfix log: no milter warnings while the milter runs"
[ -z "$w" ] || tail -20 "$PFLOG" | sed 's/^/# /'

# ---------------------------------------------------------------------
# The milter stops: with default_action=accept mail still flows.

stop_milter
is "$milter_rc" 0 "milter: SIGTERM stops it with status 0"
listening "$MPORT"
ok $((! $?)) "milter: nobody listens on its port any more"

postconf -c "$CD" -e "smtpd_milters = { inet:127.0.0.1:$MPORT, default_action=accept }" \
    'non_smtpd_milters = $smtpd_milters' 'milter_default_action = tempfail'
lines=$(wc -l <"$PFLOG")
postfix -c "$CD" reload >>"$T/start.out" 2>&1
wait_until 10 eval 'tail -n +$((lines + 1)) "$PFLOG" | grep -q "reload"'
message "$T/down.eml" "<down1@outside.test>" "While the milter is down" "Carol <$OUTSIDE>" "$OWNER" \
    'X-Twoway-Ask: yes; score=1.00; cue="passes as it came"' <<'EOF'
Robin, could you call me back when you have a minute?
EOF
smtp_in down "$T/down.eml" "$OUTSIDE" "$OWNER"
is "$swaks_rc:$([ -n "$qid" ] && echo queued)" "0:queued" "milter down, default_action=accept: the mail is accepted"
wait_delivery "$MAIL/robin" "<down1@outside.test>"
d_down=$dlv
ok "$([ -n "$d_down" ]; echo $?)" "milter down, default_action=accept: the mail is delivered"
if [ -n "$d_down" ]; then
    # untagged: nothing added; what came in passes as it came
    is "$(count_hdr "$d_down" X-Twoway-Balance):$(count_hdr "$d_down" X-Twoway-Ask)" "0:1" \
        "milter down: the mail is untagged (no Balance; only the X-Twoway-Ask it came with)"
else
    ok 1 "milter down: the mail is untagged (not delivered)"
fi
tail -n +$((lines + 1)) "$PFLOG" | grep -qi "warning: connect to milter service inet:127.0.0.1:$MPORT"
ok $? "postfix log: the milter outage is logged (this is the bad case)"

done_testing
