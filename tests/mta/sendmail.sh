#!/bin/bash
# sendmail.sh - twoway-milter behind a real Sendmail.
#
# Debian's sendmail-bin cannot be installed beside Postfix (apt removes
# postfix), so the test runs Sendmail from wherever it finds it without
# touching the system's mail setup:
#   - TWOWAY_SENDMAIL_ROOT=DIR: a tree unpacked by
#     tests/mta/sendmail-unpack.sh (dpkg-deb -x of sendmail-bin,
#     sendmail-cf and libwrap0);
#   - else an installed Sendmail (/usr/libexec/sendmail/sendmail or
#     /usr/lib/sm.bin/sendmail with /usr/share/sendmail/cf).
# Its configuration is built with m4 under $T: an MTA on a free port of
# 127.0.0.1 with INPUT_MAIL_FILTER pointing at twoway-milter (F=T, so
# that any milter failure shows as a 4xx reply; later the line of
# contrib/sendmail.mc, F=, with the milter stopped), local mail through
# aliases into maildirs under $T, all other mail into $T/mail/outbox
# (SMART_HOST is a program mailer), and an MSP (submit.cf) that relays
# "sendmail -t" to the MTA over SMTP, as Debian's does.  Command-line
# submissions pass milters only that way.  When the host name has no
# dot, Sendmail sleeps 60 s at start ("My unqualified host name");
# then it runs in a UTS namespace of its own (unshare --uts) named
# mx.example.test, which leaves the system's host name alone.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib/tap.sh"
. "$SRC/tests/mta/common.sh"

SM_BIN= SM_CF= SM_LIB=
if [ -n "${TWOWAY_SENDMAIL_ROOT:-}" ]; then
    for b in usr/libexec/sendmail/sendmail usr/lib/sm.bin/sendmail; do
        [ -f "$TWOWAY_SENDMAIL_ROOT/$b" ] && { SM_BIN=$TWOWAY_SENDMAIL_ROOT/$b; break; }
    done
    SM_CF=$TWOWAY_SENDMAIL_ROOT/usr/share/sendmail/cf
    SM_LIB=$TWOWAY_SENDMAIL_ROOT/usr/lib/x86_64-linux-gnu:$TWOWAY_SENDMAIL_ROOT/usr/lib/$(uname -m)-linux-gnu
else
    for b in /usr/libexec/sendmail/sendmail /usr/lib/sm.bin/sendmail; do
        [ -x "$b" ] && { SM_BIN=$b; break; }
    done
    SM_CF=/usr/share/sendmail/cf
fi

# sm ARGS...: runs the private Sendmail (exec: its pid is the caller's).
sm() {
    if [ "$SM_RUN" = uts ]; then
        exec unshare --uts sh -c 'hostname mx.example.test && exec "$0" "$@"' "$SM/sendmail" "$@"
    else
        exec "$SM/sendmail" "$@"
    fi
}

why=
if [ -z "$SM_BIN" ]; then
    why="no Sendmail: Debian's sendmail-bin conflicts with postfix (apt-get install would remove postfix); unpack it with tests/mta/sendmail-unpack.sh DIR and set TWOWAY_SENDMAIL_ROOT=DIR"
elif [ ! -f "$SM_CF/m4/cf.m4" ]; then
    why="no Sendmail m4 files in $SM_CF (sendmail-cf)"
elif ! command -v m4 >/dev/null 2>&1; then
    why="m4 is not installed"
elif [ "$(id -u)" -ne 0 ]; then
    why="a private Sendmail daemon needs root"
elif ! command -v swaks >/dev/null 2>&1 || ! command -v jq >/dev/null 2>&1; then
    why="swaks or jq is not installed"
elif [ ! -x "$MILTER" ]; then
    why="$MILTER is not built"
elif ! id nobody >/dev/null 2>&1; then
    why="no user nobody for local delivery"
fi
if [ -z "$why" ]; then
    SM=$T/sm
    mkdir -p "$SM"
    chmod 755 "$T" "$SM"
    # a copy without the set-group-id bit, so that LD_LIBRARY_PATH counts
    cp "$SM_BIN" "$SM/sendmail" && chmod 755 "$SM/sendmail"
    if [ -n "$SM_LIB" ]; then
        LD_LIBRARY_PATH=$SM_LIB${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
        export LD_LIBRARY_PATH
    fi
    # how Sendmail is run: in a UTS namespace when the host name is bare
    SM_RUN=
    case "$(hostname)" in
    *.*) ;;
    *)
        if unshare --uts true 2>/dev/null; then
            SM_RUN=uts
        else
            why="host name '$(hostname)' has no dot and unshare --uts fails: Sendmail would sleep 60 s at every start"
        fi
        ;;
    esac
    if [ -z "$why" ] && ! (sm -d0.1 -bt -C /dev/null) </dev/null 2>&1 | grep -q '^Version 8\.'; then
        why="$SM_BIN does not run: $( (sm -d0.1 -bt -C /dev/null) </dev/null 2>&1 | head -1)"
    fi
fi
if [ -n "$why" ]; then
    skip "sendmail" "$why"
    done_testing
    exit
fi

MAIL=$T/mail
MLOG=$T/milter.log
DB=$T/twoway.db
SPORT=$(free_port)
MPORT=$(free_port "$SPORT")
mkdir -p "$SM/mqueue" "$SM/clientmqueue" "$MAIL"
chmod 700 "$SM/mqueue" "$SM/clientmqueue"
chown nobody "$SM/clientmqueue"
chmod 1777 "$MAIL"
: >"$MLOG"

sm_pid=
cleanup() {
    stop_milter
    stop_sendmail
}
stop_sendmail() {
    if [ -n "$sm_pid" ]; then
        kill -TERM "$sm_pid" 2>/dev/null
        wait "$sm_pid" 2>/dev/null
        sm_pid=
    fi
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

# deliver NAME: a program mailer: stdin into the maildir $MAIL/NAME.
cat >"$SM/deliver" <<EOF
umask 077
d=$MAIL/\$1
mkdir -p "\$d/tmp" "\$d/new" "\$d/cur" || exit 75
f=\$(date +%s.%N).\$\$
cat >"\$d/tmp/\$f" && mv "\$d/tmp/\$f" "\$d/new/\$f" || exit 75
EOF
printf 'hosts files\naliases files\n' >"$SM/service.switch"
printf '127.0.0.1 localhost mx.example.test\n' >"$SM/hosts"
cat >"$SM/aliases" <<EOF
robin: "|/bin/sh $SM/deliver robin"
postmaster: robin
MAILER-DAEMON: robin
EOF

# mc NAME FILTER: the MTA's .mc with the lines of the file FILTER (an
# INPUT_MAIL_FILTER), built into $SM/NAME.cf
mc() {
    cat >"$SM/$1.mc" <<EOF
divert(-1)
# A private Sendmail MTA for tests/mta/sendmail.sh
divert(0)dnl
VERSIONID(\`twoway tests/mta/sendmail.sh')dnl
OSTYPE(\`linux')dnl
define(\`confDOMAIN_NAME', \`mx.example.test')dnl
define(\`confDONT_PROBE_INTERFACES', \`True')dnl
define(\`QUEUE_DIR', \`$SM/mqueue')dnl
define(\`STATUS_FILE', \`$SM/statistics')dnl
define(\`ALIAS_FILE', \`$SM/aliases')dnl
define(\`confPID_FILE', \`$SM/$1.pid')dnl
define(\`confSERVICE_SWITCH_FILE', \`$SM/service.switch')dnl
define(\`confHOSTS_FILE', \`$SM/hosts')dnl
define(\`confDEF_USER_ID', \`nobody')dnl
define(\`confTO_IDENT', \`0')dnl
define(\`confDONT_BLAME_SENDMAIL', \`TrustStickyBit,MapInUnsafeDirPath,GroupWritableDirPathSafe,GroupWritableAliasFile,WorldWritableAliasFile,ForwardFileInUnsafeDirPath,IncludeFileInUnsafeDirPath,RunProgramInUnsafeDirPath')dnl
define(\`confMILTER_LOG_LEVEL', \`9')dnl
define(\`SMART_HOST', \`twsink:outside')dnl
FEATURE(\`no_default_msa')dnl
FEATURE(\`nocanonify')dnl
FEATURE(\`accept_unresolvable_domains')dnl
DAEMON_OPTIONS(\`Port=$SPORT, Addr=127.0.0.1, Name=MTA')dnl
LOCAL_DOMAIN(\`example.test')dnl
$(cat "$2")
MAILER(\`local')dnl
MAILER(\`smtp')dnl
MAILER_DEFINITIONS
Mtwsink, P=/bin/sh, F=lsDFMq9, S=EnvFromSMTP/HdrFromSMTP, R=EnvToSMTP/HdrFromSMTP, T=DNS/RFC822/SMTP, A=sh $SM/deliver outbox \$u
EOF
    m4 -D_CF_DIR_="$SM_CF/" "$SM_CF/m4/cf.m4" "$SM/$1.mc" >"$SM/$1.cf"
}

# F=T while the milter runs: any failure of it shows as a 4xx reply
echo "INPUT_MAIL_FILTER(\`twoway', \`S=inet:$MPORT@127.0.0.1, F=T, T=S:30s;R:30s;E:5m')dnl" >"$SM/filter-t.m4"
# F= as contrib/sendmail.mc ships it, on our port
sed "s/inet:8894@127\.0\.0\.1/inet:$MPORT@127.0.0.1/" "$SRC/contrib/sendmail.mc" >"$SM/filter-contrib.m4"
mc tempfail "$SM/filter-t.m4" &&
    mc accept "$SM/filter-contrib.m4" &&
    grep -q "^Xtwoway, S=inet:$MPORT@127.0.0.1, F=, " "$SM/accept.cf" &&
    cat >"$SM/submit.mc" <<EOF &&
divert(-1)
# The MSP: "sendmail -C submit.cf -t" relays to the MTA over SMTP
divert(0)dnl
VERSIONID(\`twoway tests/mta/sendmail.sh MSP')dnl
define(\`confCF_VERSION', \`Submit')dnl
define(\`__OSTYPE__',\`')dnl
define(\`confTIME_ZONE', \`USE_TZ')dnl
define(\`confDONT_INIT_GROUPS', \`True')dnl
define(\`confDONT_BLAME_SENDMAIL', \`TrustStickyBit,GroupWritableDirPathSafe')dnl
define(\`confDOMAIN_NAME', \`mx.example.test')dnl
define(\`MSP_QUEUE_DIR', \`$SM/clientmqueue')dnl
define(\`confRUN_AS_USER', \`nobody')dnl
define(\`confSERVICE_SWITCH_FILE', \`$SM/service.switch')dnl
define(\`confHOSTS_FILE', \`$SM/hosts')dnl
define(\`RELAY_MAILER_ARGS', \`TCP \$h $SPORT')dnl
FEATURE(\`msp', \`[127.0.0.1]')dnl
EOF
    m4 -D_CF_DIR_="$SM_CF/" "$SM_CF/m4/cf.m4" "$SM/submit.mc" >"$SM/submit.cf" &&
    (sm -C "$SM/tempfail.cf" -bi) >"$SM/newaliases.out" 2>&1
ok $? "sendmail: configuration built with m4, aliases built"
[ -f "$SM/aliases.db" ] || sed 's/^/# /' "$SM/newaliases.out"

# start_sendmail CF: the MTA daemon in the foreground (-bD), SMTP
# traffic written to $SM/traffic; sets $sm_pid.
start_sendmail() {
    (sm -C "$1" -bD -X "$SM/traffic") >>"$SM/daemon.out" 2>&1 &
    sm_pid=$!
    wait_until 15 listening "$SPORT"
}

milter_conf "$T/milter.conf" "$DB"
start_milter "$T/milter.conf" "$MPORT" "$MLOG"
ok $? "milter: listens on inet:$MPORT@127.0.0.1"
start_sendmail "$SM/tempfail.cf"
rc=$?
ok $rc "sendmail: the MTA listens on 127.0.0.1:$SPORT"
if [ $rc -ne 0 ]; then
    sed 's/^/# /' "$SM/daemon.out" | tail -10
    done_testing
    exit
fi

# smtp_in NAME FILE FROM TO: sends FILE over SMTP; $qid gets the queue
# id, $swaks_rc swaks's status.
smtp_in() {
    head -c -2 "$2" >"$T/swaks-data.$1"
    swaks --server "127.0.0.1:$SPORT" --helo outside.test --from "$3" --to "$4" \
        --data "@$T/swaks-data.$1" >"$T/swaks.$1" 2>&1
    swaks_rc=$?
    qid=$(qid_of "$T/swaks.$1")
}

# ---------------------------------------------------------------------
# Incoming

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
is "$swaks_rc:$([ -n "$q_ask" ] && echo queued)" "0:queued" "sendmail: the ask is accepted over SMTP (F=T: the milter answered)"
[ -n "$q_ask" ] || sed 's/^/# /' "$T/swaks.ask" | tail -6
wait_delivery "$MAIL/robin" "<ask1@outside.test>"
d_ask=$dlv
ok "$([ -n "$d_ask" ]; echo $?)" "sendmail: the ask is delivered to robin's maildir"
a=$([ -n "$d_ask" ] && hdr "$d_ask" X-Twoway-Ask)
is "$([ -n "$d_ask" ] && count_hdr "$d_ask" X-Twoway-Ask)" 1 "ask: exactly one X-Twoway-Ask"
case "$a" in
yes\;*score=*cue=*"review the draft"*) ok 0 "ask: X-Twoway-Ask is ours, with the cue, the forged one gone" ;;
*) ok 1 "ask: X-Twoway-Ask is ours, with the cue, the forged one gone"; echo "#   got: '$a'" ;;
esac
b=$([ -n "$d_ask" ] && hdr "$d_ask" X-Twoway-Balance)
case "$b" in
"$OUTSIDE;"*received=1*) ok 0 "ask: X-Twoway-Balance names carol, received=1" ;;
*) ok 1 "ask: X-Twoway-Balance names carol, received=1"; echo "#   got: '$b'" ;;
esac

message "$T/news.eml" "<news1@mailer.shop.test>" "Our autumn offers" "Shop News <news@shop.test>" "$OWNER" \
    'List-Unsubscribe: <mailto:unsubscribe@shop.test>
List-Id: Shop news <news.shop.test>
Precedence: bulk
X-Twoway-Ask: yes; score=1.00; cue="forged"' <<'EOF'
Dear customer,

Would you like to save 20% on every order this autumn?
Could you tell us what you think of our new range? Click here to answer our survey.
EOF
smtp_in news "$T/news.eml" "bounces@shop.test" "$OWNER"
q_news=$qid
wait_delivery "$MAIL/robin" "<news1@mailer.shop.test>"
d_news=$dlv
is "$([ -n "$d_news" ] && echo delivered):$([ -n "$d_news" ] && count_hdr "$d_news" X-Twoway-Ask)" \
    "delivered:0" "newsletter: delivered, no X-Twoway-Ask (ours or forged)"

pending_json "$DB" >"$T/pending.before" 2>&1
check "ledger: the ask is pending before the reply" grep -qF "ask1@outside.test" "$T/pending.before"

# ---------------------------------------------------------------------
# The reply: sendmail -t through the MSP, which relays to the MTA

message "$T/reply.eml" "<reply1@example.test>" "Re: Draft for Friday" "Robin <$OWNER>" "Carol <$OUTSIDE>" \
    'In-Reply-To: <ask1@outside.test>
References: <ask1@outside.test>' <<'EOF'
Hi Carol,

yes, I went through it: the numbers hold.

Robin
EOF
sed 's/\r$//' "$T/reply.eml" >"$T/reply.lf"
(sm -C "$SM/submit.cf" -f "$OWNER" -t) <"$T/reply.lf" >"$T/msp.out" 2>&1
ok $? "reply: sendmail -C submit.cf -t (the MSP) takes the reply"
wait_delivery "$MAIL/outbox" "<reply1@example.test>"
d_reply=$dlv
ok "$([ -n "$d_reply" ]; echo $?)" "reply: it reaches the outside (the outbox)"
is "$([ -n "$d_reply" ] && grep -ci '^X-Twoway-' "$d_reply")" 0 "reply: outgoing mail is not tagged"
q_reply=$(sed -n 's/^[0-9]* >>> 250 2\.0\.0 \([0-9A-Za-z]*\) Message accepted.*/\1/p' "$SM/traffic" |
    grep -v -e "^${q_ask:-none}\$" -e "^${q_news:-none}\$" | tail -1)
grep -q "^twoway-milter: ${q_reply:-none}: recorded outgoing for $OWNER" "$MLOG"
ok $? "reply: the milter records it as outgoing under the MTA's queue id (${q_reply:-none})"

pending_json "$DB" >"$T/pending.after" 2>&1
if jq -e . "$T/pending.after" >/dev/null 2>&1 && ! grep -qF "ask1@outside.test" "$T/pending.after"; then
    ok 0 "ledger: pending --json holds no more the ask after the reply"
else
    ok 1 "ledger: pending --json holds no more the ask after the reply"
    sed 's/^/# /' "$T/pending.after" | head -20
fi
stats_json "$DB" >"$T/stats.json" 2>&1
got=$(jq -r '"\(.incoming):\(.outgoing):\(.pending)"' "$T/stats.json" 2>/dev/null)
is "${got:-none}" "2:1:0" "ledger: stats --json: 2 incoming, 1 outgoing, 0 pending"

# every line about a message starts with a queue id Sendmail gave
sed -n 's/^[0-9]* >>> 250 2\.0\.0 \([0-9A-Za-z]*\) Message accepted.*/\1/p' "$SM/traffic" | sort -u >"$T/qids"
stray=$(grep -v '^twoway-milter: -: \(listening on\|running as root\|stopped\)' "$MLOG" |
    awk -v f="$T/qids" 'BEGIN { while ((getline q < f) > 0) ok[q] = 1 }
        { split($0, w, ": ") } !(w[2] in ok) { print }')
is "$stray" "" "milter log: every other line starts with a queue id Sendmail gave"

# ---------------------------------------------------------------------
# The milter stops.

stop_milter
is "$milter_rc" 0 "milter: SIGTERM stops it with status 0"

message "$T/down.eml" "<down1@outside.test>" "While the milter is down" "Carol <$OUTSIDE>" "$OWNER" <<'EOF'
Robin, could you call me back when you have a minute?
EOF
smtp_in down-t "$T/down.eml" "$OUTSIDE" "$OWNER"
grep -q '^<\*\* *4[0-9][0-9] 4\.[0-9.]* .*' "$T/swaks.down-t" && [ -z "$qid" ]
ok $? "milter down, F=T: Sendmail answers 4xx (tempfail)"

stop_sendmail
start_sendmail "$SM/accept.cf"
ok $? "sendmail: restarted with contrib/sendmail.mc's F= (accept when the milter is unavailable)"
smtp_in down "$T/down.eml" "$OUTSIDE" "$OWNER"
is "$swaks_rc:$([ -n "$qid" ] && echo queued)" "0:queued" "milter down, F=: the mail is accepted"
wait_delivery "$MAIL/robin" "<down1@outside.test>"
d_down=$dlv
is "$([ -n "$d_down" ] && echo delivered):$([ -n "$d_down" ] && grep -ci '^X-Twoway-' "$d_down")" \
    "delivered:0" "milter down, F=: delivered, untagged"

done_testing
