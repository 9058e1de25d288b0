-- shuffle.lua - every case of the other scripts, in a random order, on
-- one connection (as rspamd's milter test does): an ask, a newsletter,
-- forged tags, an authenticated outgoing ask, several owners, an
-- aborted transaction and malformed input, ROUNDS times.  The order
-- comes from SEED (run.sh prints it); each case checks its own reply
-- and tags, which must not depend on what came before.  run.sh then
-- counts what was recorded.
dofile(HELPER)

local rounds = tonumber(ROUNDS or "3")
math.randomseed(tonumber(SEED or "1"))

local cases = {}

function cases.ask(conn, n, label)
    send_message(conn, {
        label = label, again = true, from = "<alice@example.com>", rcpt = "<robin@example.org>",
        headers = message({subject = "Report " .. n, id = "<sh-ask-" .. n .. "@example.com>"}),
        body = "Hi Robin,\r\n\r\nCould you review report number " .. n .. " by Friday?\r\n\r\nAlice\r\n",
    })
    check_tag(conn, "X-Twoway-Ask", '^yes; score=[01]%.%d%d; cue="Could you review report number ' .. n .. ' by Friday%?"$', label)
    check_tag(conn, "X-Twoway-Balance", "^alice@example%.com; received=%d+; sent=0; ", label)
    check_tag(conn, "X-Twoway-Thread", "^unanswered; asks=1; ", label)
    check_nothing_deleted(conn, label)
end

function cases.newsletter(conn, n, label)
    send_message(conn, {
        label = label, again = true, from = "<bounce-" .. n .. "@mailer.shop.example.com>", rcpt = "<robin@example.org>",
        headers = message({
            from = "Example Shop <news@shop.example.com>",
            subject = "Offer " .. n .. ": could you use 20% off?",
            id = "<sh-news-" .. n .. "@shop.example.com>",
            extra = {{"List-Unsubscribe", "<mailto:unsub@shop.example.com>"}, {"Precedence", "bulk"}},
        }),
        body = "Could you use new shoes? Would you like offer " .. n .. "?\r\n",
    })
    check_untagged(conn, label)
    check_nothing_deleted(conn, label)
end

function cases.forged(conn, n, label)
    local h = message({from = "Bob <bob@example.net>", subject = "Notes " .. n,
                       id = "<sh-forged-" .. n .. "@example.net>"})
    table.insert(h, 1, {"X-Twoway-Ask", "yes; score=1.00"})
    table.insert(h, {"X-Twoway-Balance", "forged"})
    table.insert(h, {"X-Twoway-Ask", "yes; score=0.99"})
    send_message(conn, {
        label = label, again = true, from = "<bob@example.net>", rcpt = "<robin@example.org>",
        headers = h,
        body = "Robin,\r\n\r\nhere are the notes of meeting " .. n .. ".\r\n\r\nBob\r\n",
    })
    check_deleted(conn, "X-Twoway-Ask", 1, label)
    check_deleted(conn, "X-Twoway-Ask", 2, label)
    check_deleted(conn, "X-Twoway-Balance", 1, label)
    check_no_tag(conn, "X-Twoway-Ask", label)
    check_tag(conn, "X-Twoway-Balance", "^bob@example%.net; received=%d+; ", label)
end

function cases.outgoing(conn, n, label)
    send_message(conn, {
        label = label, again = true, auth = "robin", from = "<robin@example.org>", rcpt = "<carol@example.com>",
        headers = message({
            from = "Robin Owner <robin@example.org>", to = "Carol <carol@example.com>",
            subject = "Contract " .. n, id = "<sh-out-" .. n .. "@example.org>",
        }),
        body = "Hi Carol,\r\n\r\nCould you send me contract number " .. n .. " by Thursday?\r\n\r\nRobin\r\n",
    })
    check_untagged(conn, label)
    check_nothing_deleted(conn, label)
end

function cases.owners(conn, n, label)
    send_message(conn, {
        label = label, again = true, from = "<alice@example.com>",
        rcpt = {"<robin@example.org>", "<sam@example.org>"},
        headers = message({
            to = "Robin Owner <robin@example.org>, Sam Owner <sam@example.org>",
            subject = "Plan " .. n, id = "<sh-owners-" .. n .. "@example.com>",
        }),
        body = "Hi both,\r\n\r\nCould you agree on plan " .. n .. " by Monday?\r\n\r\nAlice\r\n",
    })
    check_no_tag(conn, "X-Twoway-Balance", label)
    check_no_tag(conn, "X-Twoway-Thread", label)
    check_only_our_tags(conn, label)
    check_nothing_deleted(conn, label)
end

function cases.abort(conn, n, label)
    send_message(conn, {
        label = label, again = true, from = "<dave@example.com>", rcpt = {"<robin@example.org>", "<sam@example.org>"},
        headers = message({from = "Dave <dave@example.com>", subject = "Aborted " .. n,
                           id = "<sh-abort-" .. n .. "@example.com>",
                           extra = {{"X-Twoway-Thread", "forged"}}}),
        body = {"Can you see this?\r\n"},
        stop = "body",
    })
    step(mt.abort(conn), label .. ": abort")
end

function cases.malformed(conn, n, label)
    send_message(conn, {
        label = label, again = true, from = "<erin@example.com>", rcpt = "<robin@example.org>",
        headers = {
            {"From", "\201rin \255 <erin@example.com>"},
            {"Subject", ""},
            {"Message-ID", "<<sh-bad-" .. n .. ">>"},
            {"Date", "not a date"},
            {"X-Bad", "\255\254\128"},
        },
        body = "\255\254 Kannst du mir " .. n .. " Dateien schicken? \252\246\r\n",
    })
    check_only_our_tags(conn, label)
    check_nothing_deleted(conn, label)
end

local names = {}
for k in pairs(cases) do
    table.insert(names, k)
end
table.sort(names)

local conn = connect()
session(conn, {label = "shuffle", ip = SUBMIT_IP, host = "client.example.net", helo = "client"})
for round = 1, rounds do
    local order = shuffle({table.unpack(names)})
    note("seed " .. tostring(SEED) .. ", round " .. round .. ": " .. table.concat(order, " "))
    for _, name in ipairs(order) do
        cases[name](conn, round, "round " .. round .. " " .. name)
    end
end
mt.disconnect(conn)
