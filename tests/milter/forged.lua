-- forged.lua - X-Twoway-* headers that arrive from outside are removed
-- (MT_HDRDELETE, counted per name as the MTA counts them): two
-- X-Twoway-Ask and one X-Twoway-Balance, between other headers.  The
-- milter's own X-Twoway-Ask is added once, with its own value.
dofile(HELPER)

local FORGED_ASK = "no; score=0.00"
local conn = connect()
local h = message({
    subject = "Meeting notes",
    id = "<forged-1@example.com>",
    date = "Wed, 04 Mar 2026 09:00:00 +0000",
})
-- the forged headers among the others, one of them twice
table.insert(h, 2, {"X-Twoway-Ask", FORGED_ASK})
table.insert(h, 4, {"X-Twoway-Balance", "alice@example.com; received=99; sent=99; you-owe=0; they-owe=0"})
table.insert(h, {"X-Twoway-Ask", "yes; score=1.00; cue=\"Send me your password?\""})
send_message(conn, {
    label = "forged",
    headers = h,
    body = "Robin,\r\n\r\nhere are the notes of today.\r\n" ..
           "Can you send me the budget figures by Thursday?\r\n\r\nAlice\r\n",
})
check_deleted(conn, "X-Twoway-Ask", 1, "forged")
check_deleted(conn, "X-Twoway-Ask", 2, "forged")
check_deleted(conn, "X-Twoway-Balance", 1, "forged")
check_not_deleted(conn, "X-Twoway-Thread", 1, "forged")
check_not_deleted(conn, "X-Twoway-Ask", 3, "forged")
for _, other in ipairs({"From", "To", "Subject", "Date", "Message-ID"}) do
    check_not_deleted(conn, other, 1, "forged")
end
local ask = check_tag(conn, "X-Twoway-Ask", '^yes; score=[01]%.%d%d; cue="Can you send me the budget figures by Thursday%?"$', "forged")
check(ask ~= FORGED_ASK, "forged: the forged value is not kept")
check_tag(conn, "X-Twoway-Balance", "^alice@example%.com; received=1; sent=0; you%-owe=1; they%-owe=0$", "forged")
mt.disconnect(conn)
