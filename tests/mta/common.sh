# common.sh - helpers shared by the MTA tests (sourced after tap.sh).
#
# The MTA tests run a real mail server (Postfix, Sendmail) of their own
# on 127.0.0.1 against a real twoway-milter, and look at what arrives
# in mailboxes under $T.  Nothing outside $T is written, no system
# mail server is touched, and every process they start is stopped by
# its process id when the script ends.

LC_ALL=C
export LC_ALL
MILTER=${MILTER:-$BUILD/milter/twoway-milter}
OWNER=robin@example.test
OUTSIDE=carol@outside.test
# Seconds to wait for one delivery before a check gives up.
MTA_WAIT=${MTA_WAIT:-20}

# free_port [TAKEN...]: a TCP port on 127.0.0.1 that nothing listens
# on and that is none of TAKEN (picked at random from 20000-29999 so
# that parallel runs rarely meet).
free_port() {
    _p=$((20000 + (RANDOM * 32768 + RANDOM) % 10000))
    while listening "$_p" || case " $* " in *" $_p "*) true ;; *) false ;; esac; do
        _p=$((_p + 1))
        [ $_p -gt 29999 ] && _p=20000
    done
    echo "$_p"
}

# listening PORT: something listens on 127.0.0.1:PORT.
listening() {
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# wait_until SECONDS COMMAND...: runs COMMAND every 0.1 s until it
# succeeds (status 0) or SECONDS have passed (status 1).
wait_until() {
    _end=$(($(date +%s) + $1))
    shift
    while ! "$@"; do
        [ "$(date +%s)" -ge "$_end" ] && return 1
        sleep 0.1
    done
    return 0
}

# delivered MAILDIR MARK: prints the file in MAILDIR/new holding MARK
# (a Message-ID, say); status 1 when there is none yet.
delivered() {
    _f=$(grep -lF -- "$2" "$1"/new/* 2>/dev/null | head -1)
    [ -n "$_f" ] && echo "$_f"
}

# wait_delivery MAILDIR MARK: waits up to $MTA_WAIT s for the message
# holding MARK; sets $dlv to its file (empty when it did not come).
wait_delivery() {
    dlv=
    if wait_until "$MTA_WAIT" delivered "$1" "$2" >/dev/null; then
        dlv=$(delivered "$1" "$2")
    fi
}

# header block of a delivered message, and one header's unfolded value
head_of() { sed '/^$/q' "$1"; }

# count_hdr FILE NAME: how many NAME: headers FILE's header block holds.
count_hdr() {
    head_of "$1" | awk -v h="$(echo "$2:" | tr 'A-Z' 'a-z')" '
        index(tolower($0), h) == 1 { n++ } END { print n + 0 }'
}

# hdr FILE NAME: the unfolded value of the first NAME: header.
hdr() {
    head_of "$1" | awk -v h="$(echo "$2:" | tr 'A-Z' 'a-z')" '
        on && /^[ \t]/ { v = v $0; next }
        on { exit }
        index(tolower($0), h) == 1 { on = 1; v = substr($0, length(h) + 1) }
        END { if (on) { sub(/^[ \t]+/, "", v); print v } }'
}

# body_of FILE: the body of a delivered message.
body_of() { sed '1,/^$/d' "$1"; }

# master_cf FILE PORT TRANSPORT: a master.cf without chroot (the
# instance lives under $T) with smtpd on 127.0.0.1:PORT and the services
# Postfix needs, delivering with TRANSPORT: local (to maildirs) or smtp
# (onwards, to a sink).
master_cf() {
    case $3 in
    local) _transport="local     unix  -       n       n       -       -       local" ;;
    smtp) _transport="smtp      unix  -       -       n       -       -       smtp" ;;
    esac
    cat >"$1" <<EOF
127.0.0.1:$2 inet n - n - - smtpd
pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
$_transport
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
EOF
}

# A test's private Postfix instance: its configuration in $CD, its queue
# in $QD, smtpd on 127.0.0.1:$SPORT, its log in $PFLOG.  pf_started is
# set once it was started, for pf_stop.

# pf_check: "postfix check" passes, or the test ends saying why.
pf_check() {
    if ! postfix -c "$CD" check >"$T/check.out" 2>&1; then
        ok 1 "postfix: private instance passes postfix check"
        sed 's/^/# /' "$T/check.out"
        done_testing
        exit
    fi
}

# pf_start: the instance starts and listens, or the test ends saying why.
pf_start() {
    pf_started=1
    postfix -c "$CD" start >"$T/start.out" 2>&1
    if [ $? -ne 0 ] || ! wait_until 15 listening "$SPORT"; then
        ok 1 "postfix: private instance listens on 127.0.0.1:$SPORT"
        sed 's/^/# /' "$T/start.out"
        [ -f "$PFLOG" ] && sed 's/^/# /' "$PFLOG" | tail -20
        done_testing
        exit
    fi
    ok 0 "postfix: private instance listens on 127.0.0.1:$SPORT"
}

# pf_stop: stops the instance if it was started; master(8) leaves once
# its children have gone.
pf_stop() {
    if [ -n "${pf_started:-}" ]; then
        postfix -c "$CD" stop >/dev/null 2>&1
        wait_until 10 eval '! [ -s "$QD/pid/master.pid" ] || ! kill -0 "$(cat "$QD/pid/master.pid" 2>/dev/null)" 2>/dev/null'
    fi
}

# pf_milter_warnings: Postfix's warnings and errors about milters, and
# the mail a milter held back.
pf_milter_warnings() {
    grep -iE '(warning|error|fatal|panic).*milter|milter.*(warning|error)|milter-(reject|discard|hold)' "$PFLOG" 2>/dev/null
}


# milter_conf FILE DB: a configuration for the milter under test.
milter_conf() {
    cat >"$1" <<EOF
# twoway-milter for the MTA tests
Database $2
Domain example.test
Syslog no
AllowRoot yes
BusyTimeout 5000
EOF
}

# start_milter CONF PORT LOG: twoway-milter in the foreground on
# inet:PORT@127.0.0.1, stderr to LOG; sets $milter_pid.  Status 1 when
# it does not listen within 10 s.
start_milter() {
    "$MILTER" -c "$1" -p "inet:$2@127.0.0.1" -f >>"$3" 2>&1 &
    milter_pid=$!
    wait_until 10 listening "$2"
}

# stop_milter: SIGTERM to the milter we started; waits for it to go.
# Sets $milter_rc to its exit status.
stop_milter() {
    milter_rc=
    if [ -n "${milter_pid:-}" ]; then
        kill -TERM "$milter_pid" 2>/dev/null
        wait "$milter_pid" 2>/dev/null
        milter_rc=$?
        milter_pid=
    fi
}

# qid_of SWAKS_OUTPUT: the queue id in "250 ... queued as ID" (Postfix)
# or "250 2.0.0 ID Message accepted for delivery" (Sendmail).
qid_of() {
    sed -n 's/.*<-  250 .*queued as \([0-9A-Za-z]*\).*/\1/p
            s/.*<-  250 2\.0\.0 \([0-9A-Za-z]*\) Message accepted.*/\1/p' "$1" | tail -1
}

# message FILE MSGID SUBJECT FROM TO [EXTRA-HEADER-LINES] < BODY:
# writes a message with CRLF line ends, as it goes over SMTP.
message() {
    _f=$1 _id=$2 _subj=$3 _from=$4 _to=$5 _extra=${6:-}
    {
        printf 'From: %s\n' "$_from"
        printf 'To: %s\n' "$_to"
        printf 'Subject: %s\n' "$_subj"
        printf 'Date: %s\n' "$(date -R)"
        printf 'Message-ID: %s\n' "$_id"
        printf 'MIME-Version: 1.0\nContent-Type: text/plain; charset=us-ascii\n'
        [ -n "$_extra" ] && printf '%s\n' "$_extra"
        printf '\n'
        cat
    } | sed 's/$/\r/' >"$_f"
}

# pending_json DB / stats_json DB: the owner's pending asks and
# ledger figures, as twoway prints them with --json.
pending_json() {
    "$TWOWAY" --db "$1" --owner "$OWNER" pending --json
}
stats_json() {
    "$TWOWAY" --db "$1" --owner "$OWNER" stats --json
}
