-- deliver.lua - one message through twoway-milter for killsteps.sh.
--
-- Robin, authenticated, answers Alice's travel request and asks Sam,
-- another owner of the same domain, to book the flights: the milter
-- records it as Robin's outgoing mail and as Sam's incoming mail, in
-- one transaction.  The tags added at end of message are printed as
-- "TAG name: value" lines so that runs can be compared.  A milter
-- killed before its reply makes the script fail at end of message.
dofile(HELPER)

local conn = connect()
send_message(conn, {
    label = "deliver",
    qid = "KILL0001",
    from = "<robin@example.org>",
    auth = "robin",
    rcpt = {"<alice@example.com>", "<sam@example.org>"},
    headers = message({
        from = "Robin Vale <robin@example.org>",
        to = "Alice Moreno <alice@example.com>",
        cc = "Sam Ortiz <sam@example.org>",
        subject = "Re: Travel request for Lisbon",
        id = "<out-lisbon.20261116T1100@mail.example.org>",
        date = "Mon, 16 Nov 2026 11:00:00 +0000",
        in_reply_to = "<travel-lisbon.20261029T1910@mail.example.com>",
        references = "<travel-lisbon.20261029T1910@mail.example.com>",
    }),
    body = "Hi Alice,\r\n\r\nApproved, have a good trip.\r\n\r\n" ..
           "Sam, could you book the flights for Alice this week?\r\n\r\nRobin\r\n",
})
for _, n in ipairs({"X-Twoway-Ask", "X-Twoway-Balance", "X-Twoway-Thread"}) do
    local v = mt.getheader(conn, n, 0)
    if v ~= nil then
        mt.echo("TAG " .. n .. ": " .. unfold(v))
    end
end
mt.disconnect(conn)
