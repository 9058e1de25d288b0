-- spoofed.lua - a client that is neither authenticated nor internal
-- sends mail "from" an owner: it is not the owner's outgoing mail, so
-- it must not close the owner's open ask (nor be recorded for anyone:
-- no recipient is local).  run.sh checks the ledger afterwards.
dofile(HELPER)

local conn = connect()
send_message(conn, {
    label = "incoming ask",
    ip = OUTSIDE_IP,
    from = "<alice@example.com>",
    rcpt = "<robin@example.org>",
    headers = message({
        subject = "Keys for the lab",
        id = "<ask-spoof-1@example.com>",
        date = "Mon, 02 Mar 2026 11:00:00 +0000",
    }),
    body = "Hi Robin,\r\n\r\nCould you leave the keys for the lab at the front desk?\r\n\r\nAlice\r\n",
})
check_tag(conn, "X-Twoway-Ask", "^yes; ", "incoming ask")
mt.disconnect(conn)

conn = connect()
send_message(conn, {
    label = "spoofed reply",
    ip = "192.0.2.99",
    host = "unknown",
    helo = "robin-laptop",
    from = "<robin@example.org>",
    rcpt = "<alice@example.com>",
    headers = message({
        from = "Robin Owner <robin@example.org>",
        to = "Alice Example <alice@example.com>",
        subject = "Re: Keys for the lab",
        id = "<spoof-1@evil.example.net>",
        date = "Mon, 02 Mar 2026 12:00:00 +0000",
        in_reply_to = "<ask-spoof-1@example.com>",
        references = "<ask-spoof-1@example.com>",
    }),
    body = "Sure, the keys are at the front desk.\r\n\r\n> Could you leave the keys for the lab at the front desk?\r\n",
})
check_untagged(conn, "spoofed reply")
mt.disconnect(conn)
