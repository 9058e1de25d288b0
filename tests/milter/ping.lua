-- ping.lua - one plain personal message, to see that the milter
-- answers and records: reply continue or accept, X-Twoway-Balance for
-- the sender.  TAG makes the message unique (run.sh passes a number).
dofile(HELPER)

local t = TAG or "1"
local conn = connect()
send_message(conn, {
    label = "ping " .. t,
    from = "<bob@example.net>",
    rcpt = "<robin@example.org>",
    headers = message({
        from = "Bob <bob@example.net>",
        subject = "Ping " .. t,
        id = "<ping-" .. t .. "@example.net>",
        date = "Sat, 14 Mar 2026 08:00:00 +0000",
    }),
    body = "Robin,\r\n\r\njust saying hello (" .. t .. ").\r\n\r\nBob\r\n",
})
check_tag(conn, "X-Twoway-Balance", "^bob@example%.net; received=%d+; ", "ping " .. t)
check_no_tag(conn, "X-Twoway-Ask", "ping " .. t)
mt.disconnect(conn)
