-- helper.lua - what the miltertest scripts of tests/milter share.
--
-- Each script starts with dofile(HELPER).  The runner (run.sh) passes
-- with -D: HELPER (this file), SOCK (the socket of the milter it
-- started, inet:PORT@127.0.0.1 or unix:PATH), optionally REPLIES=all
-- (negotiate as an MTA that waits for every reply) and whatever the
-- script itself reads (EXPECT, SEED, TAG).
--
-- The milter asks for no reply to most steps (SMFIP_NR_*) when the MTA
-- offers that, as miltertest does by default: miltertest then stands
-- in SMFIR_CONTINUE for those replies.  With REPLIES=all the scripts
-- see the milter's real reply to every step.
--
-- Traps of Debian's miltertest (OpenDKIM 2.11), all seen:
--  * error("msg") prints nothing: check() echoes the reason first.
--  * The milter registers a HELO callback: mt.helo() must come right
--    after mt.conninfo() and before mt.macro(conn, SMFIC_MAIL, ...),
--    or the implicit HELO that mt.mailfrom() sends clears the MAIL
--    macros ({auth_authen} and i are lost).
--  * mt.header() copies name and value into a 1 KB stack buffer: a
--    longer header smashes miltertest's stack (it dies with SIGSEGV or
--    "stack smashing detected").  send_message() refuses such headers;
--    run.sh sends the 100 KB header line with rawmilter.pl.
--  * mt.bodystring() sends its string as one packet: libmilter drops a
--    packet over 65535 bytes, so long bodies go in chunks.
--  * mt.eom() stops at SMFIR_REPLYCODE: a tempfail with a text
--    (smfi_setreply) shows as SMFIR_REPLYCODE, the code in
--    mt.eom_check(conn, MT_SMTPREPLY, code, ecode, text).
--  * mt.negotiate(conn, version, steps, actions): the manual page swaps
--    the last two.
--  * The reply to end of message is read into a 1 KB buffer: keep the
--    cue of an ask short so that the X-Twoway-Ask value stays small.

OWNER = "robin@example.org"     -- an owner (Domain example.org)
OWNER2 = "sam@example.org"      -- another owner of the same domain
OUTSIDE_IP = "192.0.2.25"       -- a client that is not internal
SUBMIT_IP = "198.51.100.7"      -- a remote submission client (not internal)
MAX_CHUNK = 65535               -- libmilter's largest packet

-- check(cond, msg): passes when cond holds; otherwise prints the reason
-- (Debian's miltertest prints nothing for error()) and stops the script.
function check(cond, msg)
    if not cond then
        mt.echo("not ok: " .. msg)
        error(msg, 2)
    end
    return cond
end

-- note(msg): a line in the script's output (run.sh shows it on failure).
function note(msg)
    mt.echo("# " .. msg)
end

local reply_names = {}
local function name_reply(r)
    if r == nil then
        return "nil"
    end
    if next(reply_names) == nil then
        for _, k in ipairs({"SMFIR_CONTINUE", "SMFIR_ACCEPT", "SMFIR_REJECT", "SMFIR_TEMPFAIL",
                            "SMFIR_DISCARD", "SMFIR_REPLYCODE", "SMFIR_SKIP"}) do
            if _G[k] ~= nil then
                reply_names[_G[k]] = k
            end
        end
    end
    local c = math.tointeger(r)
    if reply_names[r] then
        return reply_names[r]
    elseif c ~= nil and c > 32 and c < 127 then
        return "reply '" .. string.char(c) .. "'"
    end
    return "reply " .. tostring(r)
end
reply_name = name_reply

-- step(ret, what): an mt.* call returns nil on success, a text otherwise.
function step(ret, what)
    check(ret == nil, what .. " failed: " .. tostring(ret))
end

-- expect(conn, what, reply...): the last reply is one of those given.
function expect(conn, what, ...)
    local r = mt.getreply(conn)
    for _, want in ipairs({...}) do
        if r == want then
            return r
        end
    end
    local names = {}
    for _, want in ipairs({...}) do
        table.insert(names, name_reply(want))
    end
    check(false, what .. ": reply " .. name_reply(r) .. ", expected " .. table.concat(names, " or "))
end

function connect(sock)
    -- mt.connect raises an error (which Debian's miltertest does not
    -- print) when nobody listens
    local ok, conn = pcall(mt.connect, sock or SOCK, 40, 0.25)
    check(ok and conn ~= nil, "connect to " .. tostring(sock or SOCK) .. ": " .. tostring(conn))
    if REPLIES == "all" then
        -- an MTA that waits for every reply (no SMFIP_NR_* offered, as
        -- milter_protocol 2 or an old Sendmail): every step's reply is
        -- the milter's own, not miltertest's stand-in
        local nr = SMFIP_NR_CONN | SMFIP_NR_HELO | SMFIP_NR_MAIL | SMFIP_NR_RCPT |
                   SMFIP_NR_DATA | SMFIP_NR_UNKN | SMFIP_NR_EOH | SMFIP_NR_BODY | SMFIP_NR_HDR
        local steps = 0x1FFFFF & ~nr & ~(SMFIP_HDR_LEADSPC or 0)
        -- the third argument is the protocol steps, the fourth the
        -- actions (the manual page has them the other way round)
        step(mt.negotiate(conn, 6, steps, nil), "negotiate without no-reply steps")
        for _, k in ipairs({"SMFIP_NR_CONN", "SMFIP_NR_HELO", "SMFIP_NR_MAIL", "SMFIP_NR_RCPT",
                            "SMFIP_NR_HDR", "SMFIP_NR_EOH", "SMFIP_NR_BODY"}) do
            check(not mt.test_option(conn, _G[k]), "negotiate: the milter asked for " .. k .. " though not offered")
        end
    end
    return conn
end

-- session(conn, o): connection information and HELO, once per connection.
function session(conn, o)
    o = o or {}
    local label = o.label or "session"
    step(mt.conninfo(conn, o.host or "mx.example.net", o.ip or OUTSIDE_IP), label .. ": conninfo")
    expect(conn, label .. ": reply to conninfo", SMFIR_CONTINUE)
    -- explicitly, before the MAIL macros (see the trap above)
    step(mt.helo(conn, o.helo or "mx.example.net"), label .. ": helo")
    expect(conn, label .. ": reply to HELO", SMFIR_CONTINUE)
end

local qid_n = 0
function next_qid(prefix)
    qid_n = qid_n + 1
    return string.format("%s%04d", prefix or "MT", qid_n)
end

-- chunks(body): the body as a list of packets libmilter accepts.
function chunks(body)
    if type(body) == "table" then
        return body
    end
    local out = {}
    for i = 1, #body, MAX_CHUNK do
        table.insert(out, body:sub(i, i + MAX_CHUNK - 1))
    end
    return out
end

-- message(m): the header list of a simple message.
-- m: from, to, cc, subject, id, date, in_reply_to, references, extra
-- (a list of {name, value} put after the others).
function message(m)
    local h = {}
    local function add(n, v)
        if v ~= nil then
            table.insert(h, {n, v})
        end
    end
    add("From", m.from or "Alice Example <alice@example.com>")
    add("To", m.to or "Robin Owner <robin@example.org>")
    add("Cc", m.cc)
    add("Subject", m.subject)
    add("Date", m.date or "Mon, 02 Mar 2026 10:00:00 +0000")
    add("Message-ID", m.id)
    add("In-Reply-To", m.in_reply_to)
    add("References", m.references)
    add("MIME-Version", "1.0")
    add("Content-Type", m.content_type or "text/plain; charset=us-ascii")
    for _, e in ipairs(m.extra or {}) do
        table.insert(h, e)
    end
    return h
end

-- send_message(conn, o): one SMTP transaction, every reply checked.
--   o.again      the connection already had its conninfo and HELO
--   o.ip, o.host, o.helo   for the connection (when not o.again)
--   o.qid        queue id (macro i); o.auth: {auth_authen}
--   o.from       envelope sender; o.rcpt: one recipient or a list
--   o.headers    list of {name, value}; o.body: a string or a list of chunks
--   o.stop       "rcpt", "headers" or "body": stop there (to abort or
--                disconnect); nothing after that step is sent
--   o.eom        list of accepted replies at end of message
--                (default: SMFIR_CONTINUE or SMFIR_ACCEPT)
-- Returns the reply at end of message.
function send_message(conn, o)
    local label = o.label or "message"
    if not o.again then
        session(conn, {label = label, ip = o.ip, host = o.host, helo = o.helo})
    end
    local macros = {"i", o.qid or next_qid()}
    if o.auth ~= nil then
        table.insert(macros, "{auth_authen}")
        table.insert(macros, o.auth)
    end
    step(mt.macro(conn, SMFIC_MAIL, table.unpack(macros)), label .. ": MAIL macros")
    step(mt.mailfrom(conn, o.from or "<alice@example.com>"), label .. ": mailfrom")
    expect(conn, label .. ": reply to MAIL", SMFIR_CONTINUE)
    local rcpts = o.rcpt or ("<" .. OWNER .. ">")
    if type(rcpts) == "string" then
        rcpts = {rcpts}
    end
    for _, r in ipairs(rcpts) do
        step(mt.rcptto(conn, r), label .. ": rcptto " .. r)
        expect(conn, label .. ": reply to RCPT " .. r, SMFIR_CONTINUE)
    end
    if o.stop == "rcpt" then
        return nil
    end
    for _, hv in ipairs(o.headers or message({})) do
        local n, v = hv[1], hv[2]
        check(#n + #v + 2 <= 1000, label .. ": header " .. n .. " too long for miltertest (" ..
              (#n + #v) .. " bytes; its buffer is 1 KB)")
        step(mt.header(conn, n, v), label .. ": header " .. n)
        expect(conn, label .. ": reply to header " .. n, SMFIR_CONTINUE)
    end
    if o.stop == "headers" then
        return nil
    end
    step(mt.eoh(conn), label .. ": eoh")
    expect(conn, label .. ": reply to end of headers", SMFIR_CONTINUE)
    local n = 0
    for _, c in ipairs(chunks(o.body or "Hello.\r\n")) do
        n = n + 1
        check(#c <= MAX_CHUNK, label .. ": body chunk over 65535 bytes")
        step(mt.bodystring(conn, c), label .. ": body chunk " .. n)
        -- SMFIR_SKIP: the milter has seen enough (the MTA stops sending)
        local r = expect(conn, label .. ": reply to body chunk " .. n, SMFIR_CONTINUE, SMFIR_SKIP)
        if r == SMFIR_SKIP then
            break
        end
        if o.stop == "body" then
            return nil
        end
    end
    step(mt.eom(conn), label .. ": eom")
    return expect(conn, label .. ": reply at end of message", table.unpack(o.eom or {SMFIR_CONTINUE, SMFIR_ACCEPT}))
end

-- A tag value as DESIGN.md has it: ASCII, folded at 78 columns (a
-- newline only before a blank), never a CR or a raw control character.
function check_tag_text(name, value, label)
    local first = true
    for line in (value .. "\n"):gmatch("(.-)\n") do
        local full = first and (name .. ": " .. line) or line
        check(first or line:match("^[ \t]"), label .. ": " .. name .. " continuation line without a blank: '" .. line .. "'")
        check(not line:find("[^\t\32-\126]"), label .. ": " .. name .. " holds a byte that is not printable ASCII: '" .. line .. "'")
        check(#full <= 78, label .. ": " .. name .. " line of " .. #full .. " columns (folded at 78): '" .. full .. "'")
        first = false
    end
end

-- unfold(value): a folded header value on one line (RFC 5322 2.2.3).
function unfold(v)
    return (v:gsub("\r?\n", ""))
end

-- tag(conn, name): the value of header name added at end of message, or nil.
function tag(conn, name)
    return mt.getheader(conn, name, 0)
end

-- check_tag(conn, name, pattern, label): name was added, once, with a
-- well-formed value whose unfolded text matches the Lua pattern (when
-- given).  Returns the unfolded value.
function check_tag(conn, name, pattern, label)
    local v = mt.getheader(conn, name, 0)
    check(v ~= nil, label .. ": " .. name .. " added")
    check(mt.eom_check(conn, MT_HDRADD, name) or mt.eom_check(conn, MT_HDRINSERT, name),
          label .. ": " .. name .. " added or inserted")
    check(mt.getheader(conn, name, 1) == nil, label .. ": " .. name .. " added only once")
    check_tag_text(name, v, label)
    local u = unfold(v)
    if pattern ~= nil then
        check(u:find(pattern) ~= nil, label .. ": " .. name .. " is '" .. u .. "', expected to match '" .. pattern .. "'")
    end
    return u
end

function check_no_tag(conn, name, label)
    local v = mt.getheader(conn, name, 0)
    check(v == nil, label .. ": no " .. name .. " expected, got '" .. tostring(v) .. "'")
end

-- check_untagged(conn, label): no header added or inserted at all.
function check_untagged(conn, label)
    for _, n in ipairs({"X-Twoway-Ask", "X-Twoway-Balance", "X-Twoway-Thread"}) do
        check_no_tag(conn, n, label)
    end
    check(not mt.eom_check(conn, MT_HDRADD) and not mt.eom_check(conn, MT_HDRINSERT),
          label .. ": no header added at all")
end

-- Every added or inserted header is one of our three tags, well formed.
function check_only_our_tags(conn, label)
    for _, n in ipairs({"X-Twoway-Ask", "X-Twoway-Balance", "X-Twoway-Thread"}) do
        local v = mt.getheader(conn, n, 0)
        if v ~= nil then
            check(mt.getheader(conn, n, 1) == nil, label .. ": " .. n .. " added only once")
            check_tag_text(n, v, label)
        end
    end
end

-- check_deleted(conn, name, index, label): the index-th header called
-- name (1-based, as the MTA counts) was deleted.
function check_deleted(conn, name, index, label)
    check(mt.eom_check(conn, MT_HDRDELETE, name, index),
          label .. ": " .. name .. " #" .. index .. " deleted (MT_HDRDELETE)")
end

-- check_not_deleted(conn, name, index, label)
function check_not_deleted(conn, name, index, label)
    check(not mt.eom_check(conn, MT_HDRDELETE, name, index),
          label .. ": " .. name .. " #" .. index .. " must not be deleted")
end

-- check_nothing_deleted(conn, label): no header changed or deleted.
function check_nothing_deleted(conn, label)
    check(not mt.eom_check(conn, MT_HDRDELETE), label .. ": no header deleted")
    check(not mt.eom_check(conn, MT_HDRCHANGE), label .. ": no header changed")
end

-- is_tempfail(conn): the reply at end of message defers the mail: a
-- plain SMFIR_TEMPFAIL, or a 4xx reply code set with smfi_setreply.
TEMPFAIL_TEXT = "twoway: ledger unavailable, try again later"
function is_tempfail(conn)
    local r = mt.getreply(conn)
    if r == SMFIR_TEMPFAIL then
        return true
    end
    return r == SMFIR_REPLYCODE and mt.eom_check(conn, MT_SMTPREPLY, "451", "4.3.0", TEMPFAIL_TEXT)
end

-- shuffle(list): Fisher-Yates with math.random (seed it first).
function shuffle(list)
    for i = #list, 2, -1 do
        local j = math.random(i)
        list[i], list[j] = list[j], list[i]
    end
    return list
end

check(SOCK ~= nil, "run with -D SOCK=inet:PORT@127.0.0.1")
