-- locked.lua - an ask with a forged X-Twoway-Thread while run.sh holds
-- the database (BEGIN EXCLUSIVE) past BusyTimeout.  EXPECT says what
-- the reply must be:
--   accept    (OnError accept, the default) the mail passes untagged,
--             the forged header still removed
--   tempfail  (OnError tempfail) the mail is deferred: SMFIR_TEMPFAIL,
--             or a 451 4.3.0 reply code
--   tagged    (the lock is gone) the same mail is tagged as usual
dofile(HELPER)

check(EXPECT == "accept" or EXPECT == "tempfail" or EXPECT == "tagged",
      "run with -D EXPECT=accept|tempfail|tagged")
local conn = connect()
local r = send_message(conn, {
    label = "locked (" .. EXPECT .. ")",
    from = "<alice@example.com>",
    rcpt = "<robin@example.org>",
    headers = message({
        subject = "Invoice 2026-117",
        id = "<locked-1@example.com>",
        date = "Thu, 12 Mar 2026 08:00:00 +0000",
        extra = {{"X-Twoway-Thread", "unanswered; asks=7; since=2020-01-01T00:00:00Z"}},
    }),
    body = "Hi Robin,\r\n\r\nCould you approve invoice 2026-117 today?\r\n\r\nAlice\r\n",
    eom = {SMFIR_CONTINUE, SMFIR_ACCEPT, SMFIR_TEMPFAIL, SMFIR_REPLYCODE},
})
if EXPECT == "tempfail" then
    check(is_tempfail(conn), "locked: OnError tempfail must defer the mail (SMFIR_TEMPFAIL or 451 4.3.0), got " ..
          reply_name(r))
else
    check(r == SMFIR_CONTINUE or r == SMFIR_ACCEPT, "locked (" .. EXPECT .. "): the mail must pass, got " ..
          reply_name(r))
    check_deleted(conn, "X-Twoway-Thread", 1, "locked (" .. EXPECT .. ")")
    if EXPECT == "accept" then
        check_untagged(conn, "locked (accept)")
    else
        check_tag(conn, "X-Twoway-Ask", '^yes; score=[01]%.%d%d; cue="Could you approve invoice 2026%-117 today%?"$', "after the lock")
        check_tag(conn, "X-Twoway-Thread", "^unanswered; asks=1; since=2026%-03%-12T08:00:00Z$", "after the lock")
    end
end
mt.disconnect(conn)
