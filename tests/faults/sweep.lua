-- sweep.lua - one call after another made to fail in a running milter.
-- The milter runs with failshim.so preloaded, FAILSHIM_CONTROL=CONTROL
-- and FAILSHIM_LOG=LOG.  For N = 1, 1 + STRIDE, ...: the control file
-- says "fail only the Nth call of VAR (counted from now)" (with
-- MODE=from: the Nth and every later one), plus SETTINGS (comma-
-- separated VAR=VALUE); one new ask is sent; the reply must be sane:
--   EXPECT=accept    continue or accept, with all three tags (the
--                    failure did not matter) or none (OnError accept)
--   EXPECT=tempfail  all three tags, or 451 4.3.0 (OnError tempfail)
-- With DROPS=yes a conversation may also break off (a failed write to
-- the MTA, or the milter gone: the MTA then applies its
-- milter_default_action); RESTART, a shell command, is run after each
-- such break (it starts the milter again if it is gone) and counts
-- what it restarted by printing lines "restarted" to RESTARTED.
-- With CLOSE=yes, the milter's database is closed before each N (see
-- close_store).  The sweep ends when the shim failed nothing (N went
-- past the last call); then, nothing failing, one more ask must be
-- tagged.  The last
-- line says what was seen:
--   sweep LABEL: K injection points (every Sth call): T tagged,
--   U untagged, D deferred, B broken off
dofile(HELPER)

check(CONTROL and LOG and VAR and LABEL, "run with -D CONTROL= -D LOG= -D VAR= -D LABEL=")
check(EXPECT == "accept" or EXPECT == "tempfail", "run with -D EXPECT=accept|tempfail")
local stride = tonumber(STRIDE or "1")
local max = tonumber(MAX or "100000")

local function write_control(lines)
    local f = assert(io.open(CONTROL .. ".new", "w"))
    f:write(lines)
    f:close()
    assert(os.rename(CONTROL .. ".new", CONTROL))
end

local function control(n)
    local lines = "FAILSHIM_MODE=" .. (MODE or "only") .. "\n" .. VAR .. "=" .. n .. "\n"
    for kv in string.gmatch(SETTINGS or "", "[^,]+") do
        lines = lines .. kv .. "\n"
    end
    write_control(lines)
end

local function log_lines()
    local f = io.open(LOG, "r")
    if f == nil then
        return 0
    end
    local n = 0
    for _ in f:lines() do
        n = n + 1
    end
    f:close()
    return n
end

-- ask(n): one new ask, each from a sender of its own (one who keeps
-- writing without an answer would become bulk); returns "tagged",
-- "untagged" or "deferred"
local function ask(n)
    local label = "sweep " .. LABEL .. " " .. n
    local sender = ("sw-" .. LABEL .. "-" .. n):lower() .. "@example.com"
    local connected, conn = pcall(connect)
    if not connected then
        error({broken = conn}, 0)
    end
    local sent, r = pcall(send_message, conn, {
        label = label,
        qid = "SW" .. n,
        from = "<" .. sender .. ">",
        rcpt = "<robin@example.org>",
        headers = message({
            from = "Sweeper <" .. sender .. ">",
            subject = "Sweep " .. LABEL .. " " .. n,
            id = "<sweep-" .. LABEL .. "-" .. n .. "@example.com>",
            date = "Sat, 14 Mar 2026 09:00:00 +0000",
        }),
        body = "Hi Robin,\r\n\r\nCould you sign form " .. n .. " today?\r\n\r\nAlice\r\n",
        eom = {SMFIR_CONTINUE, SMFIR_ACCEPT, SMFIR_TEMPFAIL, SMFIR_REPLYCODE},
    })
    if not sent then
        -- miltertest keeps a broken connection until it is let go
        pcall(mt.disconnect, conn)
        error({broken = r}, 0)
    end
    local what
    if r == SMFIR_TEMPFAIL or r == SMFIR_REPLYCODE then
        check(EXPECT == "tempfail", label .. ": deferred under OnError accept (" .. reply_name(r) .. ")")
        check(is_tempfail(conn), label .. ": a deferral other than 451 4.3.0")
        what = "deferred"
    elseif tag(conn, "X-Twoway-Balance") == nil then
        check(EXPECT == "accept", label .. ": passed untagged under OnError tempfail")
        check_untagged(conn, label)
        what = "untagged"
    else
        check_tag(conn, "X-Twoway-Ask", '^yes; score=[01]%.%d%d; cue="Could you sign form %w+ today%?"$', label)
        check_tag(conn, "X-Twoway-Balance", "^" .. sender:gsub("[%.%-]", "%%%0") .. "; received=1; ", label)
        check_tag(conn, "X-Twoway-Thread", "^unanswered; asks=1; ", label)
        what = "tagged"
    end
    mt.disconnect(conn)
    return what
end

-- try_ask(n): ask(n); with DROPS=yes, a conversation that breaks off
-- (no connection, or a step that fails) counts as "broken" and the next
-- one must work again; a reply that came whole is checked all the same
local function try_ask(n)
    local ok, what = pcall(ask, n)
    if ok then
        return what
    end
    if type(what) == "table" then
        check(DROPS == "yes", "sweep " .. LABEL .. " " .. n .. ": " .. tostring(what.broken))
        return "broken"
    end
    error(what, 0)
end

-- With CLOSE=yes, each N comes after one more ask that meets a failed
-- first sqlite3_step: the milter closes its database after a failure,
-- so the ask that counts opens it (sqlite3_open_v2) and prepares its
-- statements (sqlite3_prepare_v3) afresh.
local function close_store(n)
    write_control("FAILSHIM_MODE=only\nFAILSHIM_STEP=1\nFAILSHIM_SQLITE_RC=IOERR\n")
    local what = ask("close-" .. n)
    check(what ~= "tagged", "sweep " .. LABEL .. " close-" .. n .. ": the first step failed, yet tagged")
end

local seen = {tagged = 0, untagged = 0, deferred = 0, broken = 0}
local points = 0
local n = tonumber(FIRST or "1")
-- LAST: the calls a message makes, when they vary from one message to
-- the next (malloc): N goes one past it, a message that meets no failure
-- does not end the sweep
local last = LAST and tonumber(LAST)
if last then
    max = math.min(max, last + 1)
end
while n <= max do
    if CLOSE == "yes" then
        close_store(n)
    end
    control(n)
    local before = log_lines()
    local what = try_ask(n)
    if what == "broken" then
        control(0)
        if RESTART then
            os.execute(RESTART)
        end
    end
    if log_lines() == before then
        check(what == "tagged", "sweep " .. LABEL .. " " .. n .. ": nothing failed, yet " .. what)
        if not last then
            break
        end
    else
        points = points + 1
        seen[what] = seen[what] + 1
    end
    n = n + stride
end
control(0)
check(try_ask("after") == "tagged", "sweep " .. LABEL .. ": nothing failing, the next ask is not tagged")
mt.echo(string.format("sweep %s: %d injection points (every %scall): %d tagged, %d untagged, " ..
                      "%d deferred, %d broken off", LABEL, points, stride == 1 and "" or
                      (stride .. "th "), seen.tagged, seen.untagged, seen.deferred, seen.broken))
