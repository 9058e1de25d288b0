-- outgoing.lua - mail an owner sends from an authenticated session
-- ({auth_authen} set, envelope sender in the Domain, client not in
-- InternalHosts) is recorded as outgoing and closes the ask it answers
-- (In-Reply-To).  Outgoing mail gets no tag.  run.sh then checks with
-- `twoway pending --json` that the ask is no longer open.
dofile(HELPER)

-- the ask, from outside
local conn = connect()
send_message(conn, {
    label = "incoming ask",
    ip = OUTSIDE_IP,
    from = "<alice@example.com>",
    rcpt = "<robin@example.org>",
    headers = message({
        subject = "Venue for the offsite",
        id = "<ask-out-1@example.com>",
        date = "Mon, 02 Mar 2026 10:00:00 +0000",
    }),
    body = "Hi Robin,\r\n\r\nCould you book the venue for the offsite?\r\n\r\nAlice\r\n",
})
check_tag(conn, "X-Twoway-Ask", '^yes; score=[01]%.%d%d; cue="Could you book the venue for the offsite%?"$', "incoming ask")
mt.disconnect(conn)

-- Robin's answer, submitted from a remote client after SMTP AUTH
conn = connect()
send_message(conn, {
    label = "authenticated reply",
    ip = SUBMIT_IP,
    host = "laptop.example.net",
    helo = "laptop",
    auth = "robin",
    from = "<robin@example.org>",
    rcpt = "<alice@example.com>",
    headers = message({
        from = "Robin Owner <robin@example.org>",
        to = "Alice Example <alice@example.com>",
        subject = "Re: Venue for the offsite",
        id = "<reply-out-1@example.org>",
        date = "Mon, 02 Mar 2026 15:30:00 +0000",
        in_reply_to = "<ask-out-1@example.com>",
        references = "<ask-out-1@example.com>",
    }),
    body = "Hi Alice,\r\n\r\nDone: I booked the venue for Friday.\r\n\r\n" ..
           "On Mon, 2 Mar 2026, Alice wrote:\r\n> Could you book the venue for the offsite?\r\n\r\nRobin\r\n",
})
check_untagged(conn, "authenticated reply")
check_nothing_deleted(conn, "authenticated reply")
mt.disconnect(conn)
