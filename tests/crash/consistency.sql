-- consistency.sql - what must hold between the tables of a twoway
-- database, whatever happened to the process that wrote it.
--
-- Each query prints the rows that break one rule, led by the rule's
-- name; a sound database prints nothing.  The schema declares no
-- foreign keys (PRAGMA foreign_key_check has nothing to check), so the
-- references between tables are checked here, together with the
-- values copied from one table into another (an ask's date and thread
-- are its message's, a reply's delay is the time from its parent).
-- Written from lib/schema.sql.h and the rules of lib/ledger.c, not from
-- the queries of lib/store.c.

.mode list
.separator " "

-- Messages: an owner, a thread of the same owner, their Message-ID (or
-- digest) bound to that thread, flags that are flags; bulk mail asks
-- only when the one-way rule made it bulk (the ask kept for the rule
-- to be undone), and that rule only makes incoming mail bulk.
SELECT 'message-owner', m.id FROM messages m
 WHERE m.owner_id NOT IN (SELECT id FROM owners);
SELECT 'message-thread', m.id FROM messages m LEFT JOIN threads t ON t.id = m.thread_id
 WHERE t.id IS NULL OR t.owner_id != m.owner_id;
SELECT 'message-id-bound', m.id FROM messages m
  LEFT JOIN thread_ids i ON i.owner_id = m.owner_id AND i.msgid = m.msgid
 WHERE i.thread_id IS NOT m.thread_id;
SELECT 'message-flags', id FROM messages
 WHERE direction NOT IN (0, 1) OR bulk NOT IN (0, 1) OR list NOT IN (0, 1)
    OR traffic NOT IN (0, 1) OR ask NOT IN (0, 1) OR has_reply_headers NOT IN (0, 1)
    OR thanks NOT IN (0, 1) OR one_way NOT IN (0, 1)
    OR (ask = 1 AND bulk = 1 AND one_way = 0) OR (traffic = 1 AND (list = 0 OR direction = 1))
    OR (one_way = 1 AND (bulk = 0 OR direction = 1))
    OR score < 0 OR score > 1;

-- Threads: none without a message; first and last date are those of
-- its messages.
SELECT 'thread-empty', t.id FROM threads t
 WHERE NOT EXISTS (SELECT 1 FROM messages m WHERE m.thread_id = t.id);
SELECT 'thread-dates', t.id, t.first_date, t.last_date, d.lo, d.hi FROM threads t
  JOIN (SELECT thread_id, min(date) AS lo, max(date) AS hi FROM messages GROUP BY thread_id) d
    ON d.thread_id = t.id
 WHERE t.first_date != d.lo OR t.last_date != d.hi;
SELECT 'thread-id', i.owner_id, i.msgid FROM thread_ids i LEFT JOIN threads t ON t.id = i.thread_id
 WHERE t.id IS NULL OR t.owner_id != i.owner_id;

-- Contacts and references belong to a message (of the same owner).
SELECT 'contact', c.message_id, c.address FROM contacts c LEFT JOIN messages m ON m.id = c.message_id
 WHERE m.id IS NULL OR m.owner_id != c.owner_id OR c.role NOT IN (0, 1, 2, 3);
SELECT 'ref', r.message_id, r.ref FROM refs r
 WHERE r.message_id NOT IN (SELECT id FROM messages);

-- Asks: of a message that asks, in its direction, thread and date;
-- answered by a message the other way that is not only thanks, at that
-- message's date, or not answered at all; set aside by the one-way
-- rule only when asked of the owner, and then done, not answered.
SELECT 'ask-message', a.id FROM asks a LEFT JOIN messages m ON m.id = a.message_id
 WHERE m.id IS NULL OR m.owner_id != a.owner_id OR m.direction != a.direction
    OR m.thread_id != a.thread_id OR m.date != a.asked_at OR m.ask != 1 OR m.bulk != 0
    OR a.chases < 0;
SELECT 'ask-set-aside', a.id FROM asks a
 WHERE a.one_way NOT IN (0, 1)
    OR (a.one_way = 1 AND (a.done_at IS NULL OR a.answered_at IS NOT NULL OR a.direction = 1));
SELECT 'ask-answer', a.id FROM asks a LEFT JOIN messages r ON r.id = a.answer_id
 WHERE (a.answer_id IS NULL) != (a.answered_at IS NULL)
    OR (a.answer_id IS NOT NULL
        AND (r.id IS NULL OR r.owner_id != a.owner_id OR r.direction = a.direction
             OR r.date != a.answered_at OR r.bulk != 0 OR r.thanks != 0));

-- Replies: a message answering a parent the other way, both human
-- mail of the same owner; the delay is the time between them.
SELECT 'reply', r.message_id FROM replies r
  LEFT JOIN messages m ON m.id = r.message_id
  LEFT JOIN messages p ON p.id = r.parent_id
 WHERE m.id IS NULL OR p.id IS NULL OR m.owner_id != r.owner_id OR p.owner_id != r.owner_id
    OR m.direction != r.direction OR p.direction = r.direction OR m.bulk != 0 OR p.bulk != 0
    OR r.date != m.date OR r.seconds != max(0, m.date - p.date);
