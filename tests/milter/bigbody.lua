-- bigbody.lua - a 50 MB body in chunks of 65535 bytes: every chunk is
-- answered with continue (or skip), the end of message with continue
-- or accept, the message is recorded (Balance), and the milter still
-- answers the next connection.  run.sh checks its peak memory.
dofile(HELPER)

local SIZE = 50 * 1024 * 1024
local line = "The quarterly figures are in the attached table, line after line.\r\n"
local chunk = string.rep(line, math.floor(MAX_CHUNK / #line))
local body = {"Hi Robin,\r\n\r\nCould you check the figures below before the board meeting?\r\n\r\n"}
local total = #body[1]
while total < SIZE do
    local c = chunk
    if total + #c > SIZE then
        c = c:sub(1, SIZE - total)
    end
    table.insert(body, c)
    total = total + #c
end
note(string.format("body: %d bytes in %d chunks", total, #body))

local conn = connect()
send_message(conn, {
    label = "50 MB body",
    from = "<alice@example.com>",
    rcpt = "<robin@example.org>",
    headers = message({
        subject = "Quarterly figures",
        id = "<big-1@example.com>",
        date = "Wed, 11 Mar 2026 08:00:00 +0000",
    }),
    body = body,
})
check_only_our_tags(conn, "50 MB body")
check_tag(conn, "X-Twoway-Balance", "^alice@example%.com; received=1; ", "50 MB body")
mt.disconnect(conn)

conn = connect()
send_message(conn, {
    label = "next connection",
    from = "<bob@example.net>",
    rcpt = "<robin@example.org>",
    headers = message({
        from = "Bob <bob@example.net>",
        subject = "Lunch",
        id = "<after-big@example.net>",
        date = "Wed, 11 Mar 2026 09:00:00 +0000",
    }),
    body = "Robin,\r\n\r\nCan you make it to lunch on Thursday?\r\n\r\nBob\r\n",
})
check_tag(conn, "X-Twoway-Ask", "^yes; ", "next connection")
check_tag(conn, "X-Twoway-Balance", "^bob@example%.net; received=1; ", "next connection")
mt.disconnect(conn)
