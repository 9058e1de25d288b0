-- twotx.lua - two transactions on one connection: the second starts
-- afresh (envelope, headers, forged-header list, body).  The first is
-- an ask to robin carrying a forged X-Twoway-Thread; the second a
-- plain thank-you from another sender to sam: no ask, Balance for its
-- own sender and owner, nothing deleted.
dofile(HELPER)

local conn = connect()
send_message(conn, {
    label = "first",
    from = "<alice@example.com>",
    rcpt = "<robin@example.org>",
    headers = message({
        subject = "Contract",
        id = "<twotx-1@example.com>",
        date = "Fri, 06 Mar 2026 09:00:00 +0000",
        extra = {{"X-Twoway-Thread", "unanswered; asks=5; since=2020-01-01T00:00:00Z"}},
    }),
    body = "Robin,\r\n\r\nCould you sign the contract and send it back by Tuesday?\r\n\r\nAlice\r\n",
})
check_tag(conn, "X-Twoway-Ask", '^yes; score=[01]%.%d%d; cue="Could you sign the contract and send it back by Tuesday%?"$', "first")
check_tag(conn, "X-Twoway-Balance", "^alice@example%.com; received=1; sent=0; you%-owe=1; they%-owe=0$", "first")
check_deleted(conn, "X-Twoway-Thread", 1, "first")
check_tag(conn, "X-Twoway-Thread", "^unanswered; asks=1; since=2026%-03%-06T09:00:00Z$", "first")

send_message(conn, {
    label = "second",
    again = true,
    from = "<bob@example.net>",
    rcpt = "<sam@example.org>",
    headers = message({
        from = "Bob <bob@example.net>",
        to = "Sam Owner <sam@example.org>",
        subject = "Thanks for yesterday",
        id = "<twotx-2@example.net>",
        date = "Fri, 06 Mar 2026 10:00:00 +0000",
    }),
    body = "Sam,\r\n\r\nthanks for the dinner yesterday, it was great.\r\n\r\nBob\r\n",
})
check_no_tag(conn, "X-Twoway-Ask", "second")
check_no_tag(conn, "X-Twoway-Thread", "second")
check_tag(conn, "X-Twoway-Balance", "^bob@example%.net; received=1; sent=0; you%-owe=0; they%-owe=0$", "second")
check_nothing_deleted(conn, "second")
mt.disconnect(conn)
