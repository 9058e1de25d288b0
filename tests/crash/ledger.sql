-- ledger.sql - the reply ledger of one owner (@owner) counted from the
-- rows: one line per correspondent with human mail or asks, sorted by
-- address, with the fields of `twoway summary --json` in this order:
--   correspondent received sent asks_from_them asks_to_them
--   answered_by_you answered_by_them you_owe they_owe replies_you
--   replies_them
-- Counted as doc/twoway.1 words them: received, personal mail from
-- them (not bulk, not list traffic); sent, the owner's personal mail
-- with them in To, Cc or Bcc; list addresses are nobody's row.

.mode list
.separator " "

WITH
o AS (SELECT id FROM owners WHERE address = @owner),
human AS (SELECT m.* FROM messages m, o WHERE m.owner_id = o.id AND m.bulk = 0 AND m.traffic = 0),
recv AS (SELECT c.address, count(DISTINCT m.id) AS n FROM human m JOIN contacts c ON c.message_id = m.id
          WHERE m.direction = 0 AND c.role = 0 GROUP BY c.address),
sent AS (SELECT c.address, count(DISTINCT m.id) AS n FROM human m JOIN contacts c ON c.message_id = m.id
          WHERE m.direction = 1 AND c.role IN (1, 2, 3) GROUP BY c.address),
ask AS (SELECT a.correspondent AS address,
               sum(a.direction = 0) AS from_them, sum(a.direction = 1) AS to_them,
               sum(a.direction = 0 AND a.answered_at IS NOT NULL) AS answered_by_you,
               sum(a.direction = 1 AND a.answered_at IS NOT NULL) AS answered_by_them,
               sum(a.direction = 0 AND a.answered_at IS NULL AND a.done_at IS NULL) AS you_owe,
               sum(a.direction = 1 AND a.answered_at IS NULL AND a.done_at IS NULL) AS they_owe
          FROM asks a, o WHERE a.owner_id = o.id GROUP BY a.correspondent),
rep AS (SELECT r.correspondent AS address, sum(r.direction = 1) AS you, sum(r.direction = 0) AS them
          FROM replies r, o WHERE r.owner_id = o.id GROUP BY r.correspondent),
people AS (SELECT address FROM recv UNION SELECT address FROM sent UNION SELECT address FROM ask)
SELECT p.address, coalesce(recv.n, 0), coalesce(sent.n, 0),
       coalesce(ask.from_them, 0), coalesce(ask.to_them, 0),
       coalesce(ask.answered_by_you, 0), coalesce(ask.answered_by_them, 0),
       coalesce(ask.you_owe, 0), coalesce(ask.they_owe, 0),
       coalesce(rep.you, 0), coalesce(rep.them, 0)
  FROM people p
  LEFT JOIN recv ON recv.address = p.address
  LEFT JOIN sent ON sent.address = p.address
  LEFT JOIN ask ON ask.address = p.address
  LEFT JOIN rep ON rep.address = p.address
 WHERE p.address NOT IN (SELECT address FROM lists)
 ORDER BY p.address;
