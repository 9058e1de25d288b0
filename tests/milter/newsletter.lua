-- newsletter.lua - bulk mail (List-Unsubscribe, Precedence: bulk, From
-- news@) whose text reads like a question gets no X-Twoway-Ask, and no
-- X-Twoway-Balance or X-Twoway-Thread either (DESIGN.md: Balance on
-- personal, non-bulk mail; bulk never creates an ask).
dofile(HELPER)

local conn = connect()
send_message(conn, {
    label = "newsletter",
    from = "<bounces+1234@mailer.shop.example.com>",
    rcpt = "<robin@example.org>",
    headers = message({
        from = "Example Shop <news@shop.example.com>",
        subject = "Spring sale: could you use 20% off?",
        id = "<news-2026-03@shop.example.com>",
        date = "Tue, 03 Mar 2026 07:00:00 +0000",
        extra = {
            {"List-Unsubscribe", "<https://shop.example.com/unsub?u=robin>, <mailto:unsub@shop.example.com>"},
            {"List-Unsubscribe-Post", "List-Unsubscribe=One-Click"},
            {"Precedence", "bulk"},
        },
    }),
    body = "Hi Robin,\r\n\r\nCould you use a new pair of running shoes? " ..
           "Would you like 20% off everything this week?\r\n" ..
           "Can you reply and tell us what you think of our shop?\r\n\r\n" ..
           "Unsubscribe: https://shop.example.com/unsub?u=robin\r\n",
})
check_no_tag(conn, "X-Twoway-Ask", "newsletter")
check_no_tag(conn, "X-Twoway-Balance", "newsletter")
check_no_tag(conn, "X-Twoway-Thread", "newsletter")
check_untagged(conn, "newsletter")
check_nothing_deleted(conn, "newsletter")
mt.disconnect(conn)
