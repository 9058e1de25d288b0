-- owners.lua - one owner's ledger is never shown to another.  Robin
-- and Sam (owners of example.org) each hold open asks from Dana, with
-- tags of their own on mail to them alone; a message to both then
-- carries no X-Twoway-Balance and no X-Twoway-Thread, and its
-- X-Twoway-Ask holds only what the message itself says.  With
-- -D PART=owner-to-owner: a message an owner sends to another owner
-- concerns two owners as well.
dofile(HELPER)

-- what a tag of one owner's ledger would show; none may appear in a
-- message that goes to two owners
local function check_no_ledger(conn, label)
    check_no_tag(conn, "X-Twoway-Balance", label)
    check_no_tag(conn, "X-Twoway-Thread", label)
    check_only_our_tags(conn, label)
    local ask = tag(conn, "X-Twoway-Ask")
    if ask ~= nil then
        local u = unfold(ask)
        for _, w in ipairs({"received=", "sent=", "you%-owe", "they%-owe", "asks=", "since=",
                            "@"}) do
            check(u:find(w) == nil, label .. ": X-Twoway-Ask shows '" .. w .. "': " .. u)
        end
    end
end

if (PART or "") == "owner-to-owner" then
    -- Sam has an open ask from Robin; then Robin, authenticated,
    -- writes to Sam (and keeps a copy: Bcc to himself)
    local conn = connect()
    send_message(conn, {
        label = "robin to sam, first",
        ip = SUBMIT_IP, auth = "robin",
        from = "<robin@example.org>",
        rcpt = "<sam@example.org>",
        headers = message({
            from = "Robin Owner <robin@example.org>",
            to = "Sam Owner <sam@example.org>",
            subject = "Rota",
            id = "<own-rs1@example.org>",
            date = "Tue, 03 Mar 2026 09:00:00 +0000",
        }),
        body = "Sam,\r\n\r\nCould you take the Friday shift?\r\n\r\nRobin\r\n",
    })
    mt.disconnect(conn)
    conn = connect()
    send_message(conn, {
        label = "robin to sam, copy to robin",
        ip = SUBMIT_IP, auth = "robin",
        from = "<robin@example.org>",
        rcpt = {"<sam@example.org>", "<robin@example.org>"},
        headers = message({
            from = "Robin Owner <robin@example.org>",
            to = "Sam Owner <sam@example.org>",
            subject = "Re: Rota",
            id = "<own-rs2@example.org>",
            in_reply_to = "<own-rs1@example.org>",
            references = "<own-rs1@example.org>",
            date = "Tue, 03 Mar 2026 11:00:00 +0000",
        }),
        body = "Sam,\r\n\r\nCould you also take the Saturday shift?\r\n\r\nRobin\r\n",
    })
    check_no_ledger(conn, "robin to sam, copy to robin")
    mt.disconnect(conn)
    return
end

-- 1. Dana asks Robin alone: Robin's own tags (so they exist at all)
local conn = connect()
send_message(conn, {
    label = "to robin",
    from = "<dana@example.net>",
    rcpt = "<robin@example.org>",
    headers = message({
        from = "Dana <dana@example.net>",
        subject = "Budget",
        id = "<own-r1@example.net>",
        date = "Mon, 02 Mar 2026 09:00:00 +0000",
    }),
    body = "Hi Robin,\r\n\r\nCould you send me the budget figures?\r\n\r\nDana\r\n",
})
check_tag(conn, "X-Twoway-Balance", "^dana@example%.net; received=1; sent=0; you%-owe=1; they%-owe=0$", "to robin")
check_tag(conn, "X-Twoway-Thread", "^unanswered; asks=1; since=2026%-03%-02T09:00:00Z$", "to robin")

-- 2. Dana asks Sam alone, twice: Sam's ledger differs from Robin's
for i, day in ipairs({"03", "04"}) do
    send_message(conn, {
        label = "to sam " .. i,
        again = true,
        from = "<dana@example.net>",
        rcpt = "<sam@example.org>",
        headers = message({
            from = "Dana <dana@example.net>",
            to = "Sam Owner <sam@example.org>",
            subject = "Venue " .. i,
            id = "<own-s" .. i .. "@example.net>",
            date = "Tue, " .. day .. " Mar 2026 09:00:00 +0000",
        }),
        body = "Hi Sam,\r\n\r\nCould you check venue number " .. i .. "?\r\n\r\nDana\r\n",
    })
    check_tag(conn, "X-Twoway-Balance", "^dana@example%.net; received=" .. i .. "; sent=0; you%-owe=" .. i .. "; they%-owe=0$", "to sam " .. i)
end
mt.disconnect(conn)

-- 3. Dana writes to both, in Robin's thread, with an ask of its own
conn = connect()
send_message(conn, {
    label = "to both",
    from = "<dana@example.net>",
    rcpt = {"<robin@example.org>", "<sam@example.org>"},
    headers = message({
        from = "Dana <dana@example.net>",
        to = "Robin Owner <robin@example.org>, Sam Owner <sam@example.org>",
        subject = "Re: Budget",
        id = "<own-b1@example.net>",
        in_reply_to = "<own-r1@example.net>",
        references = "<own-r1@example.net>",
        date = "Thu, 05 Mar 2026 09:00:00 +0000",
    }),
    body = "Hi Robin, hi Sam,\r\n\r\nCould you both confirm the figures by Friday?\r\n\r\nDana\r\n",
})
check_no_ledger(conn, "to both")
check_tag(conn, "X-Twoway-Ask", '^yes; score=[01]%.%d%d; cue="Could you both confirm the figures by Friday%?"$', "to both")

-- 4. The same to one owner under two addresses and the other under a
-- sub-address: still two owners
send_message(conn, {
    label = "to both, other addresses",
    again = true,
    from = "<dana@example.net>",
    rcpt = {"<robin+budget@example.org>", "<Sam@EXAMPLE.org>", "<robin@example.org>"},
    headers = message({
        from = "Dana <dana@example.net>",
        to = "Robin <robin+budget@example.org>, Sam <Sam@EXAMPLE.org>",
        subject = "Re: Budget",
        id = "<own-b2@example.net>",
        in_reply_to = "<own-b1@example.net>",
        references = "<own-r1@example.net> <own-b1@example.net>",
        date = "Thu, 05 Mar 2026 10:00:00 +0000",
    }),
    body = "Robin, Sam,\r\n\r\nthe figures are attached; thanks.\r\n\r\nDana\r\n",
})
check_no_ledger(conn, "to both, other addresses")
mt.disconnect(conn)
