-- fault.lua - one ask, with a forged X-Twoway-Thread, while database.sh
-- holds the milter's database in some fault (or after it went away).
-- EXPECT says what the reply must be:
--   accept    (OnError accept) the mail passes untagged, the forged
--             header still removed
--   tempfail  (OnError tempfail) the mail is deferred: SMFIR_TEMPFAIL,
--             or 451 4.3.0
--   tagged    (no fault) the mail passes with its three tags
-- TAG makes the message unique (its Message-ID is <fault-TAG@example.com>).
dofile(HELPER)

check(EXPECT == "accept" or EXPECT == "tempfail" or EXPECT == "tagged",
      "run with -D EXPECT=accept|tempfail|tagged")
local t = TAG or "1"
local label = "fault " .. t .. " (" .. EXPECT .. ")"
local conn = connect()
local r = send_message(conn, {
    label = label,
    qid = "FAULT" .. t,
    from = "<alice@example.com>",
    rcpt = "<robin@example.org>",
    headers = message({
        subject = "Order " .. t,
        id = "<fault-" .. t .. "@example.com>",
        date = "Fri, 13 Mar 2026 08:00:00 +0000",
        extra = {{"X-Twoway-Thread", "unanswered; asks=9; since=2020-01-01T00:00:00Z"}},
    }),
    body = "Hi Robin,\r\n\r\nCould you confirm order " .. t .. " today?\r\n\r\nAlice\r\n",
    eom = {SMFIR_CONTINUE, SMFIR_ACCEPT, SMFIR_TEMPFAIL, SMFIR_REPLYCODE},
})
if EXPECT == "tempfail" then
    check(is_tempfail(conn), label .. ": the mail must be deferred (SMFIR_TEMPFAIL or 451 4.3.0), got " ..
          reply_name(r))
else
    check(r == SMFIR_CONTINUE or r == SMFIR_ACCEPT, label .. ": the mail must pass, got " .. reply_name(r))
    check_deleted(conn, "X-Twoway-Thread", 1, label)
    if EXPECT == "accept" then
        check_untagged(conn, label)
    else
        check_tag(conn, "X-Twoway-Ask", '^yes; score=[01]%.%d%d; cue="Could you confirm order .* today%?"$', label)
        check_tag(conn, "X-Twoway-Balance", "^alice@example%.com; received=%d+; ", label)
        check_tag(conn, "X-Twoway-Thread", "^unanswered; asks=1; since=2026%-03%-13T08:00:00Z$", label)
    end
end
mt.disconnect(conn)
