-- abort.lua - transactions aborted midway (mt.abort after a body
-- chunk, and after the headers) leave nothing behind: the complete
-- message that follows on the same connection is tagged for its own
-- content only, no header of the aborted ones is deleted from it, and
-- only it is recorded (run.sh checks the ledger).
dofile(HELPER)

local conn = connect()
send_message(conn, {
    label = "aborted after body",
    from = "<bob@example.net>",
    rcpt = "<robin@example.org>",
    headers = message({
        from = "Bob <bob@example.net>",
        subject = "Call me",
        id = "<aborted-1@example.net>",
        extra = {{"X-Twoway-Ask", "yes; score=1.00; cue=\"forged\""}},
    }),
    body = {"Robin,\r\n\r\nCan you call me back this afternoon?\r\n", "Bob\r\n"},
    stop = "body",
})
step(mt.abort(conn), "abort after body")

send_message(conn, {
    label = "aborted after headers",
    again = true,
    from = "<carol@example.com>",
    rcpt = {"<robin@example.org>", "<sam@example.org>"},
    headers = message({
        from = "Carol <carol@example.com>",
        subject = "Question",
        id = "<aborted-2@example.com>",
        extra = {{"X-Twoway-Thread", "unanswered; asks=9"}},
    }),
    stop = "headers",
})
step(mt.abort(conn), "abort after headers")

send_message(conn, {
    label = "complete",
    again = true,
    from = "<alice@example.com>",
    rcpt = "<robin@example.org>",
    headers = message({
        subject = "Budget",
        id = "<after-abort@example.com>",
        date = "Fri, 06 Mar 2026 08:00:00 +0000",
    }),
    body = "Hi Robin,\r\n\r\nCould you approve the budget for April?\r\n\r\nAlice\r\n",
})
check_tag(conn, "X-Twoway-Ask", '^yes; score=[01]%.%d%d; cue="Could you approve the budget for April%?"$', "complete")
-- Balance only when exactly one owner: the aborted message's second
-- owner (sam) must not linger in the recipient list
check_tag(conn, "X-Twoway-Balance", "^alice@example%.com; received=1; sent=0; you%-owe=1; they%-owe=0$", "complete")
check_tag(conn, "X-Twoway-Thread", "^unanswered; asks=1; since=2026%-03%-06T08:00:00Z$", "complete")
check_nothing_deleted(conn, "complete")
mt.disconnect(conn)
