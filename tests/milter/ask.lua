-- ask.lua - an ask from outside to one owner gets X-Twoway-Ask (with
-- its cue), X-Twoway-Balance (the owner's ledger with the sender) and
-- X-Twoway-Thread (the open ask); nothing is removed.
-- run.sh then finds the ask in `twoway pending --json`.
dofile(HELPER)

local conn = connect()
send_message(conn, {
    label = "ask",
    from = "<alice@example.com>",
    rcpt = "<robin@example.org>",
    headers = message({
        subject = "Draft of the spring report",
        id = "<ask-1@example.com>",
        date = "Mon, 02 Mar 2026 10:00:00 +0000",
    }),
    body = "Hi Robin,\r\n\r\nI attached the draft of the spring report.\r\n" ..
           "Could you review the draft by Friday?\r\n\r\nThanks,\r\nAlice\r\n",
})
check_tag(conn, "X-Twoway-Ask", '^yes; score=[01]%.%d%d; cue="Could you review the draft by Friday%?"$', "ask")
check_tag(conn, "X-Twoway-Balance", "^alice@example%.com; received=1; sent=0; you%-owe=1; they%-owe=0$", "ask")
check_tag(conn, "X-Twoway-Thread", "^unanswered; asks=1; since=2026%-03%-02T10:00:00Z$", "ask")
check_nothing_deleted(conn, "ask")
mt.disconnect(conn)
