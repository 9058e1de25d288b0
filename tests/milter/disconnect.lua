-- disconnect.lua - clients that go away mid-message: one says QUIT
-- after the headers, one drops the connection after a body chunk; the
-- milter keeps serving: the next connection's ask is tagged and its
-- Balance shows that nothing of the dropped messages was recorded.
dofile(HELPER)

local conn = connect()
send_message(conn, {
    label = "quit after headers",
    from = "<bob@example.net>",
    rcpt = "<robin@example.org>",
    headers = message({
        from = "Bob <bob@example.net>",
        subject = "Half a message",
        id = "<dropped-1@example.net>",
    }),
    stop = "headers",
})
mt.disconnect(conn)

conn = connect()
send_message(conn, {
    label = "dropped after a body chunk",
    from = "<alice@example.com>",
    rcpt = "<robin@example.org>",
    headers = message({
        subject = "Another half",
        id = "<dropped-2@example.com>",
    }),
    body = {"Hi Robin,\r\n\r\nCould you ", "finish this sentence?\r\n"},
    stop = "body",
})
-- abrupt: no QUIT, the socket just closes
mt.disconnect(conn, false)

conn = connect()
send_message(conn, {
    label = "next client",
    from = "<alice@example.com>",
    rcpt = "<robin@example.org>",
    headers = message({
        subject = "Whole message",
        id = "<whole-1@example.com>",
        date = "Fri, 13 Mar 2026 08:00:00 +0000",
    }),
    body = "Hi Robin,\r\n\r\nCould you send me the whole message next time?\r\n\r\nAlice\r\n",
})
check_tag(conn, "X-Twoway-Ask", "^yes; ", "next client")
check_tag(conn, "X-Twoway-Balance", "^alice@example%.com; received=1; sent=0; you%-owe=1; they%-owe=0$", "next client")
check_nothing_deleted(conn, "next client")
mt.disconnect(conn)
