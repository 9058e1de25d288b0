-- multi.lua - a message to several local recipients (owners robin and
-- sam): no X-Twoway-Balance and no X-Twoway-Thread, which would show
-- one owner's ledger to the other; X-Twoway-Ask may be there.  Then,
-- on the same connection, the same sender to robin and an outside
-- address: the one copy goes to both, so still no Balance; then to two
-- addresses of the one owner robin alone: Balance (received=3: the two
-- messages before counted for robin too).
dofile(HELPER)

local conn = connect()
send_message(conn, {
    label = "two owners",
    from = "<alice@example.com>",
    rcpt = {"<robin@example.org>", "<sam@example.org>", "<carol@example.com>"},
    headers = message({
        to = "Robin Owner <robin@example.org>, Sam Owner <sam@example.org>",
        cc = "Carol <carol@example.com>",
        subject = "Launch date",
        id = "<multi-1@example.com>",
        date = "Thu, 05 Mar 2026 09:00:00 +0000",
    }),
    body = "Hi Robin, hi Sam,\r\n\r\nCould you both confirm the launch date by Monday?\r\n\r\nAlice\r\n",
})
check_no_tag(conn, "X-Twoway-Balance", "two owners")
check_no_tag(conn, "X-Twoway-Thread", "two owners")
check_only_our_tags(conn, "two owners")
local ask = tag(conn, "X-Twoway-Ask")
if ask ~= nil then
    check(unfold(ask):find("^yes; score=[01]%.%d%d") ~= nil, "two owners: X-Twoway-Ask is '" .. ask .. "'")
    note("two owners: X-Twoway-Ask: " .. unfold(ask))
end
check_nothing_deleted(conn, "two owners")

send_message(conn, {
    label = "one owner and an outsider",
    again = true,
    from = "<alice@example.com>",
    rcpt = {"<robin@example.org>", "<carol@example.com>"},
    headers = message({
        subject = "Slides",
        id = "<multi-2@example.com>",
        date = "Thu, 05 Mar 2026 10:00:00 +0000",
    }),
    body = "Robin,\r\n\r\nCould you also send me the slides of the launch?\r\n\r\nAlice\r\n",
})
check_no_tag(conn, "X-Twoway-Balance", "one owner and an outsider")
check_no_tag(conn, "X-Twoway-Thread", "one owner and an outsider")
check_tag(conn, "X-Twoway-Ask", "^yes; ", "one owner and an outsider")

send_message(conn, {
    label = "one owner, two addresses",
    again = true,
    from = "<alice@example.com>",
    rcpt = {"<robin@example.org>", "<robin+lists@example.org>"},
    headers = message({
        to = "Robin Owner <robin@example.org>, Robin <robin+lists@example.org>",
        subject = "Thanks",
        id = "<multi-3@example.com>",
        date = "Thu, 05 Mar 2026 11:00:00 +0000",
    }),
    body = "Robin,\r\n\r\nthanks for the slides, they look great.\r\n\r\nAlice\r\n",
})
check_tag(conn, "X-Twoway-Balance", "^alice@example%.com; received=3; sent=0; ", "one owner, two addresses")
mt.disconnect(conn)
