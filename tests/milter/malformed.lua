-- malformed.lua - input the milter must survive and pass: headers
-- without a value, 8-bit garbage in headers and body, a From with no
-- address, broken ids and dates, odd header names, a bare newline in a
-- value, a header as long as miltertest can send (the 100 KB header
-- line goes through rawmilter.pl: see run.sh).  Every reply is
-- continue or accept, every tag that comes is well formed (ASCII,
-- folded), and a clean message at the end is tagged as usual.
dofile(HELPER)

local conn = connect()
local first = true
local function send(label, from, headers, body)
    send_message(conn, {
        label = label,
        again = not first,
        from = from or "<alice@example.com>",
        rcpt = "<robin@example.org>",
        headers = headers,
        body = body,
    })
    first = false
    check_only_our_tags(conn, label)
end

send("empty values", nil, {
    {"From", "Alice Example <alice@example.com>"},
    {"To", ""},
    {"Subject", ""},
    {"X-Empty", ""},
    {"Message-ID", ""},
    {"Date", ""},
}, "Hi Robin,\r\n\r\ncould you look at the empty headers?\r\n")

send("8-bit garbage", "<elodie@example.fr>", {
    {"From", "\201lodie \255\254 <elodie@example.fr>"},
    {"To", "Robin \233\232 <robin@example.org>"},
    {"Subject", "R\233union \255\254\128\129 \195\040 \240\040\140\040"},
    {"Message-ID", "<8bit-\255@example.fr>"},
    {"Date", "Mon, 09 Mar 2026 09:00:00 +0100"},
    {"MIME-Version", "1.0"},
    {"Content-Type", "text/plain; charset=iso-8859-1"},
    {"Content-Transfer-Encoding", "8bit"},
}, "Bonjour Robin,\r\n\r\n\201t\233 \224 Paris \255\254\128 \195\040\r\n" ..
   "Pourriez-vous m'envoyer le fichier \224 temps ?\r\n\r\n\201lodie\r\n")

send("undeclared 8-bit charset", "<elodie@example.fr>", {
    {"From", "elodie@example.fr"},
    {"Subject", "=?unknown-8bit?Q?R=E9union?= =?utf-8?B?////?= =?x?q?"},
    {"Message-ID", "<8bit-2@example.fr>"},
    {"Content-Type", "text/plain; charset=unknown-8bit"},
}, "Kannst du mir die Datei schicken? \252\246\228\223 \255\r\n")

send("From without address", nil, {
    {"From", "Alice"},
    {"To", "Robin Owner <robin@example.org>"},
    {"Subject", "who am I"},
    {"Message-ID", "<no-address-1@example.com>"},
}, "Could you guess who wrote this?\r\n")

send("From empty angle brackets", "<>", {
    {"From", "<>"},
    {"Sender", ";"},
    {"Reply-To", "@,;:"},
    {"To", "undisclosed-recipients:;"},
    {"Subject", "nobody"},
}, "Can anybody read this?\r\n")

send("broken ids and dates", nil, {
    {"From", "Alice Example <alice@example.com>"},
    {"To", "<robin@example.org"},
    {"Subject", "Re: Re: Fwd: RE: AW: [list] broken"},
    {"Message-ID", "<<<>>>"},
    {"In-Reply-To", "<@> <a@> <@b> <"},
    {"References", string.rep("<ref@example.com> <> ", 30)},
    {"Date", "yesterday at noon, more or less"},
}, "Could you parse this?\r\n")

send("odd header names", nil, {
    {"From", "Alice Example <alice@example.com>"},
    {"X Bad Name", "spaces in the name"},
    {"Subject:Colon", "a colon in the name"},
    {"X-Control", "tab\tbell\007escape\027del\127"},
    {"Subject", "injected\nBcc: injected@example.org"},
    {"X-Folded", "first line\r\n\tsecond line\r\n third line"},
}, "Would you look at these names?\r\n")

send("long header", nil, {
    {"From", "Alice Example <alice@example.com>"},
    {"To", "Robin Owner <robin@example.org>"},
    {"Subject", string.rep("x", 900)},
    {"X-Long", string.rep("word ", 190)},
}, "Could you read a long subject?\r\n")

send("body without newline, lone CR and LF", nil, {
    {"From", "Alice Example <alice@example.com>"},
    {"Subject", "line endings"},
    {"Message-ID", "<eol-1@example.com>"},
}, "Hi\rRobin\n\ncould you check\r\r\n the line endings?")

-- the milter is still sane: a clean ask is tagged as usual
send_message(conn, {
    label = "clean ask",
    again = true,
    from = "<alice@example.com>",
    rcpt = "<robin@example.org>",
    headers = message({
        subject = "After the garbage",
        id = "<clean-after-malformed@example.com>",
        date = "Tue, 10 Mar 2026 10:00:00 +0000",
    }),
    body = "Hi Robin,\r\n\r\nCould you send me the minutes of the meeting?\r\n\r\nAlice\r\n",
})
check_tag(conn, "X-Twoway-Ask", '^yes; score=[01]%.%d%d; cue="Could you send me the minutes of the meeting%?"$', "clean ask")
check_tag(conn, "X-Twoway-Balance", "^alice@example%.com; ", "clean ask")
mt.disconnect(conn)
