/* store.c - SQLite: opening, migrations, statements, queries. */
#include "store.h"

#include <errno.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "schema.sql.h"

/* Every statement twoway runs; prepared on first use, kept open. */
typedef enum {
    S_BEGIN,
    S_COMMIT,
    S_ROLLBACK,
    S_OWNER_GET,
    S_OWNER_ADD,
    S_OWNER_SOLE,
    S_MESSAGE_FIND,
    S_MESSAGE_INSERT,
    S_CONTACT_ADD,
    S_CONTACT_ADD_2,
    S_CONTACT_ADD_4,
    S_CONTACT_ADD_8,
    S_REF_ADD,
    S_LIST_ADD,
    S_WRITTEN_ADD,
    S_THREAD_OF_ID,
    S_BIND_ID,
    S_THREAD_CREATE,
    S_MERGE_MESSAGES,
    S_MERGE_IDS,
    S_MERGE_ASKS,
    S_MERGE_DATES,
    S_THREAD_DELETE,
    S_SUBJECT_SEEN,
    S_THREAD_BY_SUBJECT,
    S_THREAD_EXTEND,
    S_THREAD_TOUCH,
    S_ASK_INSERT,
    S_CLOSE_REFERENCED,
    S_CLOSE_IN_THREAD,
    S_ANSWER_DIRECT,
    S_ANSWER_TO_ASKER,
    S_ANSWER_FROM_ASKEE,
    S_ANSWER_ASK,
    S_MESSAGE_ANSWER,
    S_CHASE,
    S_THREAD_ASKEES,
    S_FOLLOW_UPS,
    S_ASK_DELETE,
    S_RECOUNT_CHASES,
    S_SET_ASIDE,
    S_HAS_ONE_WAY,
    S_SENDER_MAIL,
    S_SET_ONE_WAY,
    S_MESSAGE_ASKS_DELETE,
    S_SET_ASIDE_LIST,
    S_SET_ASIDE_RESTORE,
    S_MESSAGE_ONE_WAY,
    S_MESSAGE_SET_ASIDE,
    S_MESSAGE_BY_ID,
    S_LATEST_FROM,
    S_LATEST_TO,
    S_CHILDREN,
    S_REPLY_ADD,
    S_LATER_REPLIES_FROM,
    S_LATER_REPLIES_TO,
    S_BALANCE_MESSAGES,
    S_SENT_BY,
    S_ONE_WAY,
    S_BALANCE_ASKS,
    S_THREAD_OPEN,
    S_LEDGER_MESSAGES,
    S_LEDGER_ASKS,
    S_LEDGER_REPLIES,
    S_LEDGER_STARTERS,
    S_OPEN_ASKS,
    S_MARK_DONE,
    S_FORGET_ASKS,
    S_FORGET_REPLIES,
    S_FORGET_COUNT,
    S_FORGET_REFS,
    S_FORGET_CONTACTS,
    S_FORGET_IDS,
    S_FORGET_MESSAGES,
    S_FORGET_ADDRESS,
    S_FORGET_WRITTEN,
    S_FORGET_ORPHAN_REFS,
    S_FORGET_ORPHAN_ASKS,
    S_FORGET_ORPHAN_REPLIES,
    S_FORGET_ORPHANS,
    S_FORGET_EMPTY_IDS,
    S_FORGET_EMPTY_THREADS,
    S_STATS_MESSAGES,
    S_STATS_PEOPLE,
    S_STATS_THREADS,
    S_STATS_ASKS,
    S_STATS_OWNERS,
    N_STATEMENTS
} stmt_id_t;

/* The join order of some queries is fixed with CROSS JOIN: without
 * statistics the planner would scan messages instead of looking up the
 * few rows of refs. */

/* Roles that count a message for a correspondent: the sender of
 * incoming mail, the recipients of outgoing mail. */
#define COUNTED_ROLE                                                            \
    "((m.direction = 0 AND c.role = 0) OR (m.direction = 1 AND c.role > 0))"  \
    " AND c.address NOT IN (SELECT address FROM lists)"
#define OPEN "answered_at IS NULL AND done_at IS NULL"
/* open, or answered by a message dated after the answer at ?N */
#define OPEN_BEFORE(n) "done_at IS NULL AND (answered_at IS NULL OR answered_at > ?" #n ")"

static const char *const sql[N_STATEMENTS] = {
    [S_BEGIN] = "BEGIN IMMEDIATE",
    [S_COMMIT] = "COMMIT",
    [S_ROLLBACK] = "ROLLBACK",
    [S_OWNER_GET] = "SELECT id FROM owners WHERE address = ?1",
    [S_OWNER_ADD] = "INSERT INTO owners (address) VALUES (?1)",
    [S_OWNER_SOLE] = "SELECT address FROM owners LIMIT 2",
    [S_MESSAGE_FIND] =
        "SELECT id FROM messages WHERE owner_id = ?1 AND msgid = ?2"
        " UNION ALL SELECT id FROM messages WHERE owner_id = ?1 AND content_key = ?3"
        " LIMIT 1",
    [S_MESSAGE_INSERT] =
        "INSERT INTO messages (owner_id, msgid, content_key, thread_id, direction,"
        " sender, date, subject, in_reply_to, has_reply_headers, bulk, list, traffic,"
        " ask, score, cue, recorded_at, thanks, one_way)"
        " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17,"
        " ?18, ?19)",
    /* a message's contacts, several rows a statement */
    [S_CONTACT_ADD] =
        "INSERT OR IGNORE INTO contacts (message_id, owner_id, address, role)"
        " VALUES (?2, ?1, ?3, ?4)",
    [S_CONTACT_ADD_2] =
        "INSERT OR IGNORE INTO contacts (message_id, owner_id, address, role)"
        " VALUES (?2, ?1, ?3, ?4), (?2, ?1, ?5, ?6)",
    [S_CONTACT_ADD_4] =
        "INSERT OR IGNORE INTO contacts (message_id, owner_id, address, role)"
        " VALUES (?2, ?1, ?3, ?4), (?2, ?1, ?5, ?6), (?2, ?1, ?7, ?8), (?2, ?1, ?9, ?10)",
    [S_CONTACT_ADD_8] =
        "INSERT OR IGNORE INTO contacts (message_id, owner_id, address, role)"
        " VALUES (?2, ?1, ?3, ?4), (?2, ?1, ?5, ?6), (?2, ?1, ?7, ?8), (?2, ?1, ?9, ?10),"
        " (?2, ?1, ?11, ?12), (?2, ?1, ?13, ?14), (?2, ?1, ?15, ?16), (?2, ?1, ?17, ?18)",
    [S_REF_ADD] = "INSERT OR IGNORE INTO refs (message_id, ref) VALUES (?1, ?2)",
    [S_LIST_ADD] = "INSERT OR IGNORE INTO lists (address) VALUES (?1)",
    /* written only when the owner had not written to ?2 by ?3 */
    [S_WRITTEN_ADD] =
        "INSERT OR REPLACE INTO written_to (owner_id, address, first_date)"
        " SELECT ?1, ?2, ?3 WHERE NOT EXISTS (SELECT 1 FROM written_to"
        "  WHERE owner_id = ?1 AND address = ?2 AND (first_date IS NULL OR first_date <= ?3))",
    [S_THREAD_OF_ID] = "SELECT thread_id FROM thread_ids WHERE owner_id = ?1 AND msgid = ?2",
    [S_BIND_ID] =
        "INSERT OR IGNORE INTO thread_ids (owner_id, msgid, thread_id) VALUES (?1, ?2, ?3)",
    [S_THREAD_CREATE] =
        "INSERT INTO threads (owner_id, subject, first_date, last_date) VALUES (?1, ?2, ?3, ?3)",
    [S_MERGE_MESSAGES] = "UPDATE messages SET thread_id = ?1 WHERE thread_id = ?2",
    [S_MERGE_IDS] = "UPDATE thread_ids SET thread_id = ?1 WHERE thread_id = ?2",
    [S_MERGE_ASKS] = "UPDATE asks SET thread_id = ?1 WHERE thread_id = ?2",
    [S_MERGE_DATES] =
        "UPDATE threads SET"
        " first_date = min(first_date, (SELECT first_date FROM threads WHERE id = ?2)),"
        " last_date = max(last_date, (SELECT last_date FROM threads WHERE id = ?2))"
        " WHERE id = ?1",
    [S_THREAD_DELETE] = "DELETE FROM threads WHERE id = ?1",
    /* cheap to prepare: most subjects are new, and then the dearer
     * statement below is never prepared */
    [S_SUBJECT_SEEN] =
        "SELECT count(*) FROM (SELECT 1 FROM threads"
        " WHERE owner_id = ?1 AND subject = ?2 AND last_date >= ?3 AND first_date <= ?4 LIMIT 1)",
    [S_THREAD_BY_SUBJECT] =
        "SELECT t.id FROM threads t"
        " WHERE t.owner_id = ?1 AND t.subject = ?2 AND t.last_date >= ?3 AND t.first_date <= ?4"
        " AND EXISTS (SELECT 1 FROM messages m JOIN contacts c ON c.message_id = m.id"
        "             WHERE m.thread_id = t.id AND c.address IN (?5, ?6, ?7, ?8, ?9, ?10))"
        " ORDER BY t.last_date DESC LIMIT 1",
    /* a message newer than the whole thread: the thread's first date
     * stays as it is */
    [S_THREAD_EXTEND] = "UPDATE threads SET last_date = ?2 WHERE id = ?1 AND last_date < ?2",
    [S_THREAD_TOUCH] =
        "UPDATE threads SET first_date = min(first_date, ?2), last_date = max(last_date, ?2)"
        " WHERE id = ?1",
    [S_ASK_INSERT] =
        "INSERT OR IGNORE INTO asks (owner_id, message_id, direction, correspondent,"
        " thread_id, asked_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    [S_CLOSE_REFERENCED] =
        "UPDATE asks SET answered_at = ?4, answer_id = ?3"
        " WHERE owner_id = ?1 AND direction = ?2 AND " OPEN_BEFORE(4)
        " AND message_id IN (SELECT m.id FROM refs r CROSS JOIN messages m"
        "                    ON m.owner_id = ?1 AND m.msgid = r.ref"
        "                    WHERE r.message_id = ?3)"
        " AND (?5 IS NULL OR correspondent = ?5)",
    [S_CLOSE_IN_THREAD] =
        "UPDATE asks SET answered_at = ?6, answer_id = ?5"
        " WHERE owner_id = ?1 AND direction = ?2 AND thread_id = ?3 AND " OPEN_BEFORE(6)
        " AND asked_at <= ?4"
        " AND message_id IN (SELECT message_id FROM asks WHERE thread_id = ?3"
        "                    AND correspondent = ?7)"
        " AND (?8 IS NULL OR correspondent = ?8)",
    [S_ANSWER_DIRECT] =
        "SELECT m.id, m.date FROM refs r CROSS JOIN messages m ON m.id = r.message_id"
        " WHERE r.ref = ?2 AND m.owner_id = ?1 AND m.direction = ?3 AND m.bulk = 0"
        " AND m.thanks = 0 AND (?4 IS NULL OR m.sender = ?4)"
        " ORDER BY m.date, m.id LIMIT 1",
    [S_ANSWER_TO_ASKER] =
        "SELECT m.id, m.date FROM messages m JOIN contacts c ON c.message_id = m.id"
        " WHERE m.thread_id = ?1 AND m.direction = 1 AND m.bulk = 0 AND m.thanks = 0"
        " AND m.has_reply_headers = 0 AND m.date >= ?2 AND c.address = ?3 AND c.role > 0"
        " ORDER BY m.date, m.id LIMIT 1",
    [S_ANSWER_FROM_ASKEE] =
        "SELECT m.id, m.date FROM messages m"
        " WHERE m.thread_id = ?1 AND m.direction = 0 AND m.bulk = 0 AND m.thanks = 0"
        " AND m.has_reply_headers = 0 AND m.date >= ?2 AND m.sender = ?3"
        " ORDER BY m.date, m.id LIMIT 1",
    [S_ANSWER_ASK] =
        "UPDATE asks SET answered_at = ?3, answer_id = ?2 WHERE message_id = ?1"
        " AND (?4 IS NULL OR correspondent = ?4) AND " OPEN,
    [S_MESSAGE_ANSWER] =
        "SELECT answer_id, answered_at FROM asks WHERE message_id = ?1 AND answer_id IS NOT NULL"
        " ORDER BY answered_at, answer_id LIMIT 1",
    [S_CHASE] =
        "UPDATE asks SET chases = chases + 1"
        " WHERE owner_id = ?1 AND direction = 1 AND thread_id = ?2 AND correspondent = ?3"
        " AND " OPEN_BEFORE(4) " AND asked_at < ?4",
    [S_THREAD_ASKEES] =
        "SELECT DISTINCT correspondent FROM asks WHERE thread_id = ?2 AND owner_id = ?1"
        " AND direction = 1 ORDER BY 1",
    /* the askees of a message: the people in To, else those in Cc
     * (contacts holds no owner and no list) */
    [S_FOLLOW_UPS] =
        "SELECT m.id, m.msgid, m.date, m.ask,"
        " EXISTS (SELECT 1 FROM contacts k WHERE k.message_id = m.id AND k.address = ?3"
        "         AND k.role = 1)"
        " OR (EXISTS (SELECT 1 FROM contacts k WHERE k.message_id = m.id AND k.address = ?3"
        "             AND k.role = 2)"
        "     AND NOT EXISTS (SELECT 1 FROM contacts k WHERE k.message_id = m.id AND k.role = 1)),"
        " EXISTS (SELECT 1 FROM asks x WHERE x.answer_id = m.id),"
        " a.id, a.answered_at, a.done_at"
        " FROM messages m LEFT JOIN asks a ON a.message_id = m.id AND a.correspondent = ?3"
        " WHERE m.thread_id = ?2 AND m.direction = 1 AND m.owner_id = ?1 AND m.bulk = 0"
        " AND m.thanks = 0 AND EXISTS (SELECT 1 FROM contacts c WHERE c.message_id = m.id"
        "                              AND c.address = ?3 AND c.role > 0)"
        " ORDER BY m.date, m.id",
    [S_ASK_DELETE] = "DELETE FROM asks WHERE id = ?1",
    [S_RECOUNT_CHASES] =
        "UPDATE asks SET chases = (SELECT count(*) FROM messages f"
        "  WHERE f.thread_id = asks.thread_id AND f.direction = 1 AND f.bulk = 0"
        "  AND f.thanks = 0 AND f.date > asks.asked_at"
        "  AND (asks.answered_at IS NULL OR f.date < asks.answered_at)"
        "  AND EXISTS (SELECT 1 FROM contacts k WHERE k.message_id = f.id"
        "              AND k.address = asks.correspondent AND k.role > 0)"
        "  AND NOT EXISTS (SELECT 1 FROM asks x WHERE x.answer_id = f.id))"
        " WHERE thread_id = ?2 AND owner_id = ?1 AND direction = 1 AND correspondent = ?3"
        " AND done_at IS NULL",
    /* what was open when the rule applied at ?3 (answered later or not
     * at all), asked before ?4 */
    [S_SET_ASIDE] =
        "UPDATE asks SET done_at = ?3, one_way = 1, answered_at = NULL, answer_id = NULL"
        " WHERE owner_id = ?1 AND direction = 0 AND correspondent = ?2 AND " OPEN_BEFORE(3)
        " AND asked_at < ?4",
    [S_HAS_ONE_WAY] =
        "SELECT EXISTS (SELECT 1 FROM contacts c CROSS JOIN messages m ON m.id = c.message_id"
        " WHERE c.owner_id = ?1 AND c.address = ?2 AND c.role = 0 AND m.one_way = 1)",
    /* the mail the rule looks at: incoming, bulk for no other reason */
    [S_SENDER_MAIL] =
        "SELECT m.id, m.msgid, m.thread_id, m.date, m.traffic, m.ask, m.one_way,"
        " m.has_reply_headers, m.thanks"
        " FROM contacts c CROSS JOIN messages m ON m.id = c.message_id"
        " WHERE c.owner_id = ?1 AND c.address = ?2 AND c.role = 0 AND m.direction = 0"
        " AND (m.bulk = 0 OR m.one_way = 1)"
        " ORDER BY m.date, m.id",
    [S_SET_ONE_WAY] = "UPDATE messages SET one_way = ?2, bulk = ?2 WHERE id = ?1",
    [S_MESSAGE_ASKS_DELETE] = "DELETE FROM asks WHERE message_id = ?1",
    [S_SET_ASIDE_LIST] =
        "SELECT m.id, m.msgid, m.thread_id, m.date, m.traffic, m.ask, m.one_way,"
        " m.has_reply_headers, m.thanks"
        " FROM asks a CROSS JOIN messages m ON m.id = a.message_id"
        " WHERE a.owner_id = ?1 AND a.direction = 0 AND a.correspondent = ?2 AND a.one_way = 1"
        " AND a.asked_at >= ?3 ORDER BY m.date, m.id",
    [S_SET_ASIDE_RESTORE] =
        "UPDATE asks SET done_at = NULL, one_way = 0"
        " WHERE owner_id = ?1 AND direction = 0 AND correspondent = ?2 AND one_way = 1"
        " AND asked_at >= ?3",
    [S_MESSAGE_ONE_WAY] = "SELECT one_way FROM messages WHERE id = ?1",
    [S_MESSAGE_SET_ASIDE] =
        "SELECT EXISTS (SELECT 1 FROM asks WHERE message_id = ?1 AND one_way = 1)",
    [S_MESSAGE_BY_ID] =
        "SELECT id, direction, date, sender, bulk FROM messages"
        " WHERE owner_id = ?1 AND msgid = ?2",
    [S_LATEST_FROM] =
        "SELECT id, direction, date, sender, bulk FROM messages"
        " WHERE thread_id = ?1 AND direction = 0 AND bulk = 0 AND sender = ?2 AND date <= ?3"
        " ORDER BY date DESC, id DESC LIMIT 1",
    [S_LATEST_TO] =
        "SELECT m.id, m.direction, m.date, m.sender, m.bulk FROM messages m"
        " JOIN contacts c ON c.message_id = m.id"
        " WHERE m.thread_id = ?1 AND m.direction = 1 AND m.bulk = 0 AND c.address = ?2"
        " AND c.role > 0 AND m.date <= ?3"
        " ORDER BY m.date DESC, m.id DESC LIMIT 1",
    [S_CHILDREN] =
        "SELECT id, direction, date, sender, bulk FROM messages"
        " WHERE owner_id = ?1 AND in_reply_to = ?2 AND direction = ?3 AND bulk = 0",
    [S_REPLY_ADD] =
        "INSERT OR IGNORE INTO replies (message_id, owner_id, parent_id, direction,"
        " correspondent, date, seconds)"
        " SELECT ?1, ?2, ?3, ?4, ?5, date, ?6 FROM messages WHERE id = ?1",
    /* mail without reply headers in thread ?2, dated at or after ?4,
     * whose reply parent ?3 (dated ?4) is, being the latest before it,
     * unless a later one is its parent already: replies of ?5 to the
     * owner's message ?3, or the owner's replies to ?5's message ?3 */
    [S_LATER_REPLIES_FROM] =
        "INSERT OR REPLACE INTO replies (message_id, owner_id, parent_id, direction,"
        " correspondent, date, seconds)"
        " SELECT l.id, ?1, ?3, 0, ?5, l.date, max(0, l.date - ?4) FROM messages l"
        " WHERE l.thread_id = ?2 AND l.direction = 0 AND l.bulk = 0 AND l.sender = ?5"
        " AND l.has_reply_headers = 0 AND l.date >= ?4 AND l.id != ?3"
        " AND NOT EXISTS (SELECT 1 FROM replies r CROSS JOIN messages p ON p.id = r.parent_id"
        "   WHERE r.message_id = l.id AND (p.date > ?4 OR (p.date = ?4 AND p.id > ?3)))",
    [S_LATER_REPLIES_TO] =
        "INSERT OR REPLACE INTO replies (message_id, owner_id, parent_id, direction,"
        " correspondent, date, seconds)"
        " SELECT l.id, ?1, ?3, 1, ?5, l.date, max(0, l.date - ?4) FROM messages l"
        " WHERE l.thread_id = ?2 AND l.direction = 1 AND l.bulk = 0"
        " AND l.has_reply_headers = 0 AND l.date >= ?4 AND l.id != ?3"
        " AND EXISTS (SELECT 1 FROM contacts c WHERE c.message_id = l.id AND c.address = ?5"
        "             AND c.role > 0)"
        " AND NOT EXISTS (SELECT 1 FROM replies r CROSS JOIN messages p ON p.id = r.parent_id"
        "   WHERE r.message_id = l.id AND (p.date > ?4 OR (p.date = ?4 AND p.id > ?3)))",
    [S_BALANCE_MESSAGES] =
        "SELECT count(DISTINCT CASE WHEN m.direction = 0 THEN m.id END),"
        " count(DISTINCT CASE WHEN m.direction = 1 THEN m.id END)"
        " FROM contacts c JOIN messages m ON m.id = c.message_id"
        " WHERE c.owner_id = ?1 AND c.address = ?2 AND m.bulk = 0 AND m.traffic = 0"
        " AND " COUNTED_ROLE,
    /* an upper bound of S_ONE_WAY's count, cheap to prepare */
    [S_SENT_BY] =
        "SELECT count(*) FROM (SELECT 1 FROM contacts"
        " WHERE owner_id = ?1 AND address = ?2 AND role = 0 LIMIT ?3)",
    [S_ONE_WAY] =
        "SELECT NOT EXISTS (SELECT 1 FROM written_to WHERE owner_id = ?1 AND address = ?2"
        "                   AND (first_date IS NULL OR first_date <= ?4))"
        " AND ?2 NOT IN (SELECT address FROM lists)"
        " AND (SELECT count(*) FROM (SELECT 1 FROM contacts c JOIN messages m ON m.id = c.message_id"
        "  WHERE c.owner_id = ?1 AND c.address = ?2 AND c.role = 0 AND m.direction = 0"
        "  AND m.bulk = 0 AND m.traffic = 0 LIMIT ?3)) >= ?3,"
        " coalesce((SELECT coalesce(first_date, -9223372036854775807 - 1) FROM written_to"
        "           WHERE owner_id = ?1 AND address = ?2), 9223372036854775807)",
    [S_BALANCE_ASKS] =
        "SELECT coalesce(sum(direction = 0), 0), coalesce(sum(direction = 1), 0) FROM asks"
        " WHERE owner_id = ?1 AND correspondent = ?2 AND " OPEN,
    [S_THREAD_OPEN] =
        "SELECT count(*), min(asked_at) FROM asks"
        " WHERE owner_id = ?1 AND thread_id = ?2 AND direction = 0 AND " OPEN,
    [S_LEDGER_MESSAGES] =
        "SELECT c.address, m.direction, m.bulk + 2 * m.traffic, count(DISTINCT m.id), min(m.date),"
        " max(m.date)"
        " FROM contacts c JOIN messages m ON m.id = c.message_id"
        " WHERE c.owner_id = ?1 AND m.date >= ?2 AND (?3 IS NULL OR c.address = ?3)"
        " AND " COUNTED_ROLE
        " GROUP BY 1, 2, 3",
    [S_LEDGER_ASKS] =
        "SELECT correspondent, direction, count(*), sum(answered_at IS NOT NULL),"
        " sum(" OPEN ") FROM asks"
        " WHERE owner_id = ?1 AND asked_at >= ?2 AND (?3 IS NULL OR correspondent = ?3)"
        " AND correspondent NOT IN (SELECT address FROM lists)"
        " GROUP BY correspondent, direction",
    [S_LEDGER_REPLIES] =
        "SELECT correspondent, direction, seconds FROM replies"
        " WHERE owner_id = ?1 AND date >= ?2 AND (?3 IS NULL OR correspondent = ?3)"
        " ORDER BY correspondent, direction, seconds",
    [S_LEDGER_STARTERS] =
        "SELECT DISTINCT c.address, m.direction, m.id"
        " FROM messages m JOIN contacts c ON c.message_id = m.id"
        " WHERE m.id IN (SELECT id FROM (SELECT id, row_number() OVER"
        "                (PARTITION BY thread_id ORDER BY date, id) AS rn"
        "                FROM messages WHERE owner_id = ?1 AND bulk = 0 AND traffic = 0)"
        "              WHERE rn = 1)"
        " AND m.date >= ?2 AND (?3 IS NULL OR c.address = ?3) AND " COUNTED_ROLE,
    [S_OPEN_ASKS] =
        "SELECT a.id, a.direction, a.correspondent, m.msgid, a.thread_id, a.asked_at,"
        " m.subject, m.cue, m.score, a.chases,"
        " (SELECT count(*) FROM asks b WHERE b.message_id = a.message_id)"
        " FROM asks a JOIN messages m ON m.id = a.message_id"
        " WHERE a.owner_id = ?1 AND a.direction = ?2 AND a.answered_at IS NULL"
        " AND a.done_at IS NULL AND a.asked_at >= ?3 AND (?4 IS NULL OR a.correspondent = ?4)"
        " ORDER BY a.asked_at, a.id LIMIT ?5",
    [S_MARK_DONE] =
        "UPDATE asks SET done_at = ?3 WHERE owner_id = ?1 AND " OPEN
        " AND message_id = (SELECT message_id FROM asks WHERE id = ?2 AND owner_id = ?1)",
    [S_FORGET_ASKS] =
        "DELETE FROM asks WHERE owner_id = ?1 AND (correspondent = ?2 OR message_id IN"
        " (SELECT id FROM messages WHERE owner_id = ?1 AND direction = 0 AND sender = ?2))",
    [S_FORGET_REPLIES] =
        "DELETE FROM replies WHERE owner_id = ?1 AND correspondent = ?2",
    [S_FORGET_COUNT] =
        "SELECT count(*) FROM messages WHERE owner_id = ?1 AND direction = 0 AND sender = ?2",
    [S_FORGET_REFS] =
        "DELETE FROM refs WHERE message_id IN"
        " (SELECT id FROM messages WHERE owner_id = ?1 AND direction = 0 AND sender = ?2)",
    [S_FORGET_CONTACTS] =
        "DELETE FROM contacts WHERE message_id IN"
        " (SELECT id FROM messages WHERE owner_id = ?1 AND direction = 0 AND sender = ?2)",
    [S_FORGET_IDS] =
        "DELETE FROM thread_ids WHERE owner_id = ?1 AND msgid IN"
        " (SELECT msgid FROM messages WHERE owner_id = ?1 AND direction = 0 AND sender = ?2)",
    [S_FORGET_MESSAGES] =
        "DELETE FROM messages WHERE owner_id = ?1 AND direction = 0 AND sender = ?2",
    [S_FORGET_ADDRESS] =
        "DELETE FROM contacts WHERE owner_id = ?1 AND address = ?2",
    [S_FORGET_WRITTEN] =
        "DELETE FROM written_to WHERE owner_id = ?1 AND address = ?2",
    [S_FORGET_ORPHAN_REFS] =
        "DELETE FROM refs WHERE message_id IN (SELECT id FROM messages m WHERE owner_id = ?1"
        " AND direction = 1 AND NOT EXISTS (SELECT 1 FROM contacts c WHERE c.message_id = m.id))",
    [S_FORGET_ORPHAN_ASKS] =
        "DELETE FROM asks WHERE message_id IN (SELECT id FROM messages m WHERE owner_id = ?1"
        " AND direction = 1 AND NOT EXISTS (SELECT 1 FROM contacts c WHERE c.message_id = m.id))",
    [S_FORGET_ORPHAN_REPLIES] =
        "DELETE FROM replies WHERE owner_id = ?1 AND (parent_id NOT IN (SELECT id FROM messages)"
        " OR message_id IN (SELECT id FROM messages m WHERE owner_id = ?1 AND direction = 1"
        " AND NOT EXISTS (SELECT 1 FROM contacts c WHERE c.message_id = m.id)))",
    [S_FORGET_ORPHANS] =
        "DELETE FROM messages AS m WHERE owner_id = ?1 AND direction = 1"
        " AND NOT EXISTS (SELECT 1 FROM contacts c WHERE c.message_id = m.id)",
    [S_FORGET_EMPTY_IDS] =
        "DELETE FROM thread_ids WHERE owner_id = ?1 AND thread_id NOT IN"
        " (SELECT thread_id FROM messages WHERE owner_id = ?1)",
    [S_FORGET_EMPTY_THREADS] =
        "DELETE FROM threads WHERE owner_id = ?1 AND id NOT IN"
        " (SELECT thread_id FROM messages WHERE owner_id = ?1)",
    [S_STATS_MESSAGES] =
        "SELECT count(*), coalesce(sum(direction = 0), 0), coalesce(sum(direction = 1), 0),"
        " coalesce(sum(bulk), 0), coalesce(sum(list), 0)"
        " FROM messages WHERE (?1 = 0 OR owner_id = ?1)",
    [S_STATS_PEOPLE] =
        "SELECT count(DISTINCT c.address) FROM contacts c JOIN messages m ON m.id = c.message_id"
        " WHERE (?1 = 0 OR m.owner_id = ?1) AND m.bulk = 0 AND m.traffic = 0 AND " COUNTED_ROLE,
    [S_STATS_THREADS] = "SELECT count(*) FROM threads WHERE (?1 = 0 OR owner_id = ?1)",
    [S_STATS_ASKS] =
        "SELECT count(DISTINCT CASE WHEN direction = 0 THEN message_id END),"
        " count(DISTINCT CASE WHEN direction = 1 THEN message_id END),"
        " count(DISTINCT CASE WHEN direction = 0 AND " OPEN " THEN message_id END),"
        " count(DISTINCT CASE WHEN direction = 1 AND " OPEN " THEN message_id END)"
        " FROM asks WHERE (?1 = 0 OR owner_id = ?1)",
    [S_STATS_OWNERS] = "SELECT count(*) FROM owners",
};

struct tw_store {
    sqlite3 *db;
    char *path;
    int busy_timeout_ms;
    gint64 busy_since; /* when the current wait for a lock began */
    sqlite3_stmt *stmt[N_STATEMENTS];
    char error[512];
};

static tw_status_t
status_of(tw_store_t *s, int rc)
{
    switch (rc & 0xff) {
    case SQLITE_OK:
    case SQLITE_ROW:
    case SQLITE_DONE:
        return TW_OK;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        g_strlcpy(s->error, "database is locked", sizeof s->error);
        return TW_ERR_DB_BUSY;
    case SQLITE_NOMEM:
        g_strlcpy(s->error, "out of memory", sizeof s->error);
        return TW_ERR_NOMEM;
    default: {
        /* "disk I/O error" says less than the system's own reason:
         * "No space left on device" */
        int e = (rc & 0xff) == SQLITE_IOERR || (rc & 0xff) == SQLITE_FULL ||
                        (rc & 0xff) == SQLITE_CANTOPEN
                    ? sqlite3_system_errno(s->db)
                    : 0;
        g_snprintf(s->error, sizeof s->error, "%s%s%s", sqlite3_errmsg(s->db), e ? ": " : "",
                   e ? g_strerror(e) : "");
        return TW_ERR_DB;
    }
    }
}

/* Waiting for a lock, up to the busy timeout.  SQLite's own handler
 * sleeps longer and longer, up to 100 ms at a time: among many writers
 * a waiter can sleep through every moment the lock is free until its
 * time is up.  Sleeps of 1 to 3 ms give it a turn. */
static int
busy_wait(void *data, int count)
{
    tw_store_t *s = data;
    gint64 now = g_get_monotonic_time();

    if (count == 0)
        s->busy_since = now;
    if (now - s->busy_since >= (gint64)s->busy_timeout_ms * 1000)
        return 0;
    g_usleep(1000 + (gulong)g_random_int_range(0, 2000));
    return 1;
}

static sqlite3_stmt *
prepare(tw_store_t *s, stmt_id_t id, tw_status_t *st)
{
    if (s->stmt[id] == NULL) {
        int rc = sqlite3_prepare_v3(s->db, sql[id], -1, SQLITE_PREPARE_PERSISTENT,
                                    &s->stmt[id], NULL);
        if (rc != SQLITE_OK) {
            *st = status_of(s, rc);
            return NULL;
        }
    }
    *st = TW_OK;
    return s->stmt[id];
}

/* Binds arguments by a format: 'i' gint64, 'd' double, 't' text (NULL
 * binds NULL), 'b' bool. */
static tw_status_t
bind_args(tw_store_t *s, sqlite3_stmt *stmt, const char *fmt, va_list ap)
{
    int rc = SQLITE_OK;

    for (int i = 1; *fmt && rc == SQLITE_OK; fmt++, i++) {
        switch (*fmt) {
        case 'i':
            rc = sqlite3_bind_int64(stmt, i, va_arg(ap, gint64));
            break;
        case 'b':
            rc = sqlite3_bind_int(stmt, i, va_arg(ap, int) ? 1 : 0);
            break;
        case 'd':
            rc = sqlite3_bind_double(stmt, i, va_arg(ap, double));
            break;
        case 't': {
            const char *t = va_arg(ap, const char *);
            rc = t ? sqlite3_bind_text(stmt, i, t, -1, SQLITE_STATIC)
                   : sqlite3_bind_null(stmt, i);
            break;
        }
        default:
            g_assert_not_reached();
        }
    }
    return status_of(s, rc);
}

static sqlite3_stmt *
start_v(tw_store_t *s, stmt_id_t id, tw_status_t *st, const char *fmt, va_list ap)
{
    sqlite3_stmt *stmt = prepare(s, id, st);

    if (stmt == NULL)
        return NULL;
    *st = bind_args(s, stmt, fmt, ap);
    if (*st != TW_OK) {
        sqlite3_reset(stmt);
        sqlite3_clear_bindings(stmt);
        return NULL;
    }
    return stmt;
}

/* Prepares and binds id; the caller steps it and calls done(). */
static sqlite3_stmt *
start(tw_store_t *s, stmt_id_t id, tw_status_t *st, const char *fmt, ...)
{
    va_list ap;
    sqlite3_stmt *stmt;

    va_start(ap, fmt);
    stmt = start_v(s, id, st, fmt, ap);
    va_end(ap);
    return stmt;
}

static void
done(sqlite3_stmt *stmt)
{
    sqlite3_reset(stmt);
    sqlite3_clear_bindings(stmt);
}

/* Steps: true on a row; false at the end or on error (*st set). */
static bool
next_row(tw_store_t *s, sqlite3_stmt *stmt, tw_status_t *st)
{
    int rc = sqlite3_step(stmt);

    if (rc == SQLITE_ROW)
        return true;
    *st = status_of(s, rc);
    return false;
}

/* Runs a statement that returns no rows. */
static tw_status_t
run(tw_store_t *s, stmt_id_t id, const char *fmt, ...)
{
    tw_status_t st;
    sqlite3_stmt *stmt = prepare(s, id, &st);
    va_list ap;

    if (stmt == NULL)
        return st;
    va_start(ap, fmt);
    st = bind_args(s, stmt, fmt, ap);
    va_end(ap);
    if (st == TW_OK) {
        int rc;
        while ((rc = sqlite3_step(stmt)) == SQLITE_ROW)
            ;
        st = status_of(s, rc);
    }
    done(stmt);
    return st;
}

static char *
column_text(sqlite3_stmt *stmt, int col)
{
    const unsigned char *t = sqlite3_column_text(stmt, col);

    return t ? g_strdup((const char *)t) : NULL;
}

static tw_status_t query_int(tw_store_t *s, stmt_id_t id, gint64 *out, const char *fmt, ...);

/* Opening. */

static tw_status_t
exec_sql(tw_store_t *s, const char *text)
{
    char *msg = NULL;
    int rc = sqlite3_exec(s->db, text, NULL, NULL, &msg);
    tw_status_t st = status_of(s, rc);

    if (msg != NULL) {
        g_strlcpy(s->error, msg, sizeof s->error);
        sqlite3_free(msg);
    }
    return st;
}

static tw_status_t
user_version(tw_store_t *s, int *version)
{
    sqlite3_stmt *stmt;
    int rc = sqlite3_prepare_v2(s->db, "PRAGMA user_version", -1, &stmt, NULL);

    if (rc != SQLITE_OK)
        return status_of(s, rc);
    rc = sqlite3_step(stmt);
    *version = rc == SQLITE_ROW ? sqlite3_column_int(stmt, 0) : 0;
    sqlite3_finalize(stmt);
    return rc == SQLITE_ROW ? TW_OK : status_of(s, rc);
}

/* What each migration leaves in user_version: one constant statement
 * per version (a PRAGMA takes no bound parameter, and no SQL here is
 * ever built by formatting). */
static const char *const set_version[] = {
    "PRAGMA user_version = 1",
    "PRAGMA user_version = 2",
    "PRAGMA user_version = 3",
};
G_STATIC_ASSERT(G_N_ELEMENTS(set_version) == G_N_ELEMENTS(migrations));
G_STATIC_ASSERT(G_N_ELEMENTS(migrations) == TW_STORE_SCHEMA_VERSION);

/* Puts a new database in WAL mode.  SQLite makes the change from a read
 * transaction, and when two processes that found the file new make it
 * at once, it answers one of them SQLITE_BUSY without calling the busy
 * handler (two readers waiting for each other to leave would wait
 * forever): that one waits here instead, as for any lock. */
static tw_status_t
set_wal(tw_store_t *s)
{
    tw_status_t st;

    for (int count = 0; (st = exec_sql(s, "PRAGMA journal_mode = WAL")) == TW_ERR_DB_BUSY &&
                        busy_wait(s, count);
         count++)
        ;
    return st;
}

/* Brings the schema to TW_STORE_SCHEMA_VERSION, one step per
 * transaction. */
static tw_status_t
migrate(tw_store_t *s, tw_error_t *err)
{
    int version;
    tw_status_t st = user_version(s, &version);

    if (st != TW_OK)
        return st;
    if (version > TW_STORE_SCHEMA_VERSION) {
        g_snprintf(s->error, sizeof s->error,
                   "schema version %d is newer than this program's %d", version,
                   TW_STORE_SCHEMA_VERSION);
        return TW_ERR_DB;
    }
    if (version == TW_STORE_SCHEMA_VERSION)
        return TW_OK;
    if (version == 0 && (st = set_wal(s)) != TW_OK)
        return st;
    while (version < TW_STORE_SCHEMA_VERSION) {
        if ((st = exec_sql(s, "BEGIN IMMEDIATE")) != TW_OK)
            return st;
        /* Another process may have migrated while we waited. */
        if ((st = user_version(s, &version)) != TW_OK ||
            version >= TW_STORE_SCHEMA_VERSION) {
            exec_sql(s, st == TW_OK ? "COMMIT" : "ROLLBACK");
            return st;
        }
        if ((st = exec_sql(s, migrations[version])) != TW_OK ||
            (st = exec_sql(s, set_version[version])) != TW_OK) {
            exec_sql(s, "ROLLBACK");
            return st;
        }
        if ((st = exec_sql(s, "COMMIT")) != TW_OK)
            return st;
        version++;
    }
    return TW_OK;
}

/* Files tw_store_open creates: tw_store_set_create_mode(). */
static mode_t create_mode = 0600;

void
tw_store_set_create_mode(mode_t mode)
{
    create_mode = mode & 0666;
}

/* Refuses a database anyone could replace: one below a directory
 * anyone may write without the sticky bit, and, in a sticky one
 * (/tmp), one that belongs to another user.  A program running as root
 * refuses a symbolic link: it would write wherever the link points. */
static tw_status_t
check_place(const char *path, tw_error_t *err)
{
    char *dir = g_path_get_dirname(path);
    char *open_dir = tw_config_unsafe_dir(path);
    struct stat db, sb;
    bool exists = lstat(path, &sb) == 0;
    tw_status_t st = TW_OK;

    if (exists && S_ISLNK(sb.st_mode) && geteuid() == 0) {
        tw_error_set(err, "%s: a symbolic link, and this program runs as root: refused", path);
        st = TW_ERR_DB;
    } else if (open_dir != NULL) {
        tw_error_set(err, "%s: directory %s is writable by anyone (and not sticky): refused",
                     path, open_dir);
        st = TW_ERR_DB;
    } else if (exists && stat(dir, &db) == 0 && (db.st_mode & S_IWOTH) && stat(path, &sb) == 0 &&
               sb.st_uid != geteuid() && sb.st_uid != 0) {
        tw_error_set(err, "%s: owned by uid %lu in %s, a directory anyone may write: refused",
                     path, (unsigned long)sb.st_uid, dir);
        st = TW_ERR_DB;
    }
    g_free(open_dir);
    g_free(dir);
    return st;
}

/* Creates the file's directory and the file itself with create_mode
 * (less the umask), so that SQLite never creates it with the process
 * umask and its -wal and -shm files, which SQLite makes with the
 * database's mode, are no more open than the database. */
static tw_status_t
create_file(const char *path, tw_error_t *err)
{
    char *dir = g_path_get_dirname(path);
    mode_t dir_mode = 0700 | (create_mode & 0044) | ((create_mode & 0044) >> 2);
    int fd;

    if (g_mkdir_with_parents(dir, (int)dir_mode) != 0) {
        tw_error_set(err, "%s: cannot create directory: %s", dir, g_strerror(errno));
        g_free(dir);
        return TW_ERR_DB;
    }
    g_free(dir);
    fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | (geteuid() == 0 ? O_NOFOLLOW : 0),
              create_mode);
    if (fd < 0) {
        tw_error_set(err, "%s: %s", path, g_strerror(errno));
        return TW_ERR_DB;
    }
    close(fd);
    return TW_OK;
}

/* Says why a database that exists cannot be read: "Permission denied"
 * rather than SQLite's "unable to open database file". */
static bool
readable(const char *path, tw_error_t *err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);

    if (fd < 0) {
        tw_error_set(err, "%s: %s", path, g_strerror(errno));
        return false;
    }
    close(fd);
    return true;
}

/* Once per process, before SQLite starts: no memory statistics, which
 * nothing here reads and which cost a lock around every allocation. */
static void
configure_sqlite(void)
{
    static gsize done;

    if (g_once_init_enter(&done)) {
        (void)sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
        g_once_init_leave(&done, 1);
    }
}

tw_status_t
tw_store_open(const char *path, int busy_timeout_ms, bool create,
              tw_store_t **out, tw_error_t *err)
{
    tw_store_t *s;
    tw_status_t st;
    int rc;

    *out = NULL;
    if (create) {
        /* the directories it makes are its own, and private */
        if ((st = check_place(path, err)) != TW_OK || (st = create_file(path, err)) != TW_OK)
            return st;
    } else if (access(path, F_OK) != 0) {
        if (errno == ENOENT) {
            tw_error_set(err, "%s: no database here (record some mail first)", path);
        } else {
            tw_error_set(err, "%s: %s", path, g_strerror(errno));
        }
        return TW_ERR_NOINPUT;
    } else if ((st = check_place(path, err)) != TW_OK) {
        return st;
    }
    if (!readable(path, err))
        return create ? TW_ERR_DB : TW_ERR_NOINPUT;
    s = g_new0(tw_store_t, 1);
    s->path = g_strdup(path);
    configure_sqlite();
    rc = sqlite3_open_v2(path, &s->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL);
    if (rc != SQLITE_OK) {
        st = s->db ? status_of(s, rc) : TW_ERR_NOMEM;
        goto fail;
    }
    sqlite3_extended_result_codes(s->db, 0);
    /* a database file is data, never code: no schema tricks from a
     * file someone else made */
    sqlite3_db_config(s->db, SQLITE_DBCONFIG_DEFENSIVE, 1, NULL);
#ifdef SQLITE_DBCONFIG_TRUSTED_SCHEMA
    sqlite3_db_config(s->db, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, NULL);
#endif
    s->busy_timeout_ms = busy_timeout_ms;
    sqlite3_busy_handler(s->db, busy_wait, s);
    if ((st = exec_sql(s, "PRAGMA synchronous = NORMAL")) != TW_OK ||
        (st = migrate(s, err)) != TW_OK)
        goto fail;
    *out = s;
    return TW_OK;
fail:
    tw_error_set(err, "%s: %s", path, s->error[0] ? s->error : tw_status_str(st));
    if (!create && (sqlite3_errcode(s->db) == SQLITE_READONLY ||
                    sqlite3_errcode(s->db) == SQLITE_CANTOPEN) && access(path, W_OK) != 0) {
        /* SQLite reads a database in WAL mode through its -shm file,
         * which a reader who may not write cannot create */
        char *shm = g_strconcat(path, "-shm", NULL);
        if (access(shm, F_OK) != 0)
            tw_error_set(err, "%s: %s (without write access it can be read only while its "
                         "-wal and -shm files are there, as they are while the milter runs)",
                         path, s->error[0] ? s->error : tw_status_str(st));
        g_free(shm);
    }
    tw_store_close(s);
    return st;
}

tw_status_t
tw_store_open_readonly(const char *path, int busy_timeout_ms, tw_store_t **out,
                       tw_error_t *err)
{
    tw_store_t *s;
    tw_status_t st;
    int version = 0;

    *out = NULL;
    if (access(path, F_OK) != 0) {
        tw_error_set(err, "%s: %s", path, g_strerror(errno));
        return TW_ERR_NOINPUT;
    }
    if ((st = check_place(path, err)) != TW_OK)
        return st;
    if (!readable(path, err))
        return TW_ERR_NOINPUT;
    s = g_new0(tw_store_t, 1);
    s->path = g_strdup(path);
    configure_sqlite();
    int rc = sqlite3_open_v2(path, &s->db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, NULL);
    if (rc != SQLITE_OK) {
        st = s->db ? status_of(s, rc) : TW_ERR_NOMEM;
        goto fail;
    }
    sqlite3_extended_result_codes(s->db, 0);
    sqlite3_db_config(s->db, SQLITE_DBCONFIG_DEFENSIVE, 1, NULL);
#ifdef SQLITE_DBCONFIG_TRUSTED_SCHEMA
    sqlite3_db_config(s->db, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, NULL);
#endif
    s->busy_timeout_ms = busy_timeout_ms;
    sqlite3_busy_handler(s->db, busy_wait, s);
    if ((st = user_version(s, &version)) != TW_OK)
        goto fail;
    if (version != TW_STORE_SCHEMA_VERSION) {
        g_snprintf(s->error, sizeof s->error,
                   "schema version %d, this program's is %d (recording mail brings it up to "
                   "date)",
                   version, TW_STORE_SCHEMA_VERSION);
        st = TW_ERR_DB;
        goto fail;
    }
    *out = s;
    return TW_OK;
fail:
    tw_error_set(err, "%s: %s", path, s->error[0] ? s->error : tw_status_str(st));
    tw_store_close(s);
    return st;
}

void
tw_store_close(tw_store_t *s)
{
    if (s == NULL)
        return;
    for (int i = 0; i < N_STATEMENTS; i++)
        sqlite3_finalize(s->stmt[i]);
    sqlite3_close(s->db);
    g_free(s->path);
    g_free(s);
}

void
tw_store_tune_for_import(tw_store_t *s)
{
    exec_sql(s, "PRAGMA cache_size = -131072"); /* 128 MB */
    exec_sql(s, "PRAGMA mmap_size = 1073741824");
    exec_sql(s, "PRAGMA temp_store = MEMORY");
}

void
tw_store_defer_checkpoints(tw_store_t *s)
{
    int on = 1;

    sqlite3_db_config(s->db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, NULL);
    sqlite3_file_control(s->db, "main", SQLITE_FCNTL_PERSIST_WAL, &on);
}

tw_status_t
tw_store_trim_log(tw_store_t *s, gint64 max_bytes)
{
    char *wal = g_strconcat(s->path, "-wal", NULL);
    struct stat sb;
    tw_status_t st = TW_OK;

    /* The log is only read back at the next start: a busy log is left
     * for a later delivery to trim, at once (a truncating checkpoint
     * waits for every reader to leave, holding the write lock that
     * concurrent deliveries wait for). */
    if (stat(wal, &sb) == 0 && sb.st_size > max_bytes) {
        sqlite3_busy_handler(s->db, NULL, NULL);
        int rc = sqlite3_wal_checkpoint_v2(s->db, "main", SQLITE_CHECKPOINT_TRUNCATE, NULL, NULL);
        sqlite3_busy_handler(s->db, busy_wait, s);
        if (rc != SQLITE_OK && rc != SQLITE_BUSY)
            st = status_of(s, rc);
    }
    g_free(wal);
    return st;
}

const char *
tw_store_error(const tw_store_t *s)
{
    return s->error;
}

const char *
tw_store_path(const tw_store_t *s)
{
    return s->path;
}

tw_status_t
tw_store_begin(tw_store_t *s)
{
    return run(s, S_BEGIN, "");
}

tw_status_t
tw_store_commit(tw_store_t *s)
{
    tw_status_t st = run(s, S_COMMIT, "");

    if (st != TW_OK)
        tw_store_rollback(s);
    return st;
}

void
tw_store_rollback(tw_store_t *s)
{
    if (!sqlite3_get_autocommit(s->db))
        run(s, S_ROLLBACK, "");
}

/* Owners. */

tw_status_t
tw_store_owner(tw_store_t *s, const char *addr, bool create, gint64 *id)
{
    tw_status_t st;
    sqlite3_stmt *stmt = start(s, S_OWNER_GET, &st, "t", addr);

    *id = 0;
    if (stmt == NULL)
        return st;
    if (next_row(s, stmt, &st))
        *id = sqlite3_column_int64(stmt, 0);
    done(stmt);
    if (st != TW_OK || *id != 0 || !create)
        return st;
    if ((st = run(s, S_OWNER_ADD, "t", addr)) == TW_OK)
        *id = sqlite3_last_insert_rowid(s->db);
    return st;
}

tw_status_t
tw_store_owner_count(tw_store_t *s, gint64 *count)
{
    return query_int(s, S_STATS_OWNERS, count, "");
}

char *
tw_store_sole_owner(tw_store_t *s)
{
    tw_status_t st;
    sqlite3_stmt *stmt = start(s, S_OWNER_SOLE, &st, "");
    char *owner = NULL;
    int rows = 0;

    if (stmt == NULL)
        return NULL;
    while (next_row(s, stmt, &st)) {
        if (rows++ == 0)
            owner = column_text(stmt, 0);
    }
    done(stmt);
    if (rows != 1) {
        g_free(owner);
        owner = NULL;
    }
    return owner;
}

/* Messages. */

tw_status_t
tw_store_find_message(tw_store_t *s, gint64 owner_id, const char *key,
                      const char *content_key, gint64 *row)
{
    tw_status_t st;
    sqlite3_stmt *stmt = start(s, S_MESSAGE_FIND, &st, "itt", owner_id, key, content_key);

    *row = 0;
    if (stmt == NULL)
        return st;
    if (next_row(s, stmt, &st))
        *row = sqlite3_column_int64(stmt, 0);
    done(stmt);
    return st;
}

tw_status_t
tw_store_insert_message(tw_store_t *s, const tw_message_row_t *m, gint64 *row)
{
    tw_status_t st = run(s, S_MESSAGE_INSERT, "ittiitittbbbbbdtibb", m->owner_id, m->key,
                         m->content_key, m->thread_id, (gint64)m->direction, m->sender,
                         m->date, m->subject, m->in_reply_to, m->has_reply_headers,
                         m->bulk, m->list, m->traffic, m->ask, m->score, m->cue,
                         m->recorded_at, m->thanks, m->one_way);

    *row = st == TW_OK ? sqlite3_last_insert_rowid(s->db) : 0;
    return st;
}

tw_status_t
tw_store_add_contacts(tw_store_t *s, gint64 owner_id, gint64 message, const tw_contact_t *c,
                      size_t n)
{
    static const struct {
        stmt_id_t id;
        size_t rows;
    } sizes[] = {{S_CONTACT_ADD_8, 8}, {S_CONTACT_ADD_4, 4}, {S_CONTACT_ADD_2, 2},
                 {S_CONTACT_ADD, 1}};
    tw_status_t st = TW_OK;
    size_t i = 0, k = 0;

    while (i < n && st == TW_OK) {
        if (n - i < sizes[k].rows) {
            k++;
            continue;
        }
        sqlite3_stmt *stmt = prepare(s, sizes[k].id, &st);
        if (stmt == NULL)
            return st;
        int rc = sqlite3_bind_int64(stmt, 1, owner_id);
        if (rc == SQLITE_OK)
            rc = sqlite3_bind_int64(stmt, 2, message);
        for (size_t r = 0; r < sizes[k].rows && rc == SQLITE_OK; r++, i++) {
            rc = sqlite3_bind_text(stmt, (int)(3 + 2 * r), c[i].addr, -1, SQLITE_STATIC);
            if (rc == SQLITE_OK)
                rc = sqlite3_bind_int(stmt, (int)(4 + 2 * r), (int)c[i].role);
        }
        if (rc == SQLITE_OK)
            rc = sqlite3_step(stmt);
        st = status_of(s, rc);
        done(stmt);
    }
    return st;
}

tw_status_t
tw_store_add_ref(tw_store_t *s, gint64 message, const char *ref)
{
    return run(s, S_REF_ADD, "it", message, ref);
}

tw_status_t
tw_store_add_list(tw_store_t *s, const char *addr)
{
    return run(s, S_LIST_ADD, "t", addr);
}

tw_status_t
tw_store_add_written_to(tw_store_t *s, gint64 owner_id, const char *addr, gint64 date,
                        bool *earliest)
{
    tw_status_t st = run(s, S_WRITTEN_ADD, "iti", owner_id, addr, date);

    if (earliest != NULL)
        *earliest = st == TW_OK && sqlite3_changes(s->db) > 0;
    return st;
}

/* Threads. */

/* Runs a query; *out gets the integer in the first column of its first
 * row, or 0. */
static tw_status_t
query_int(tw_store_t *s, stmt_id_t id, gint64 *out, const char *fmt, ...)
{
    va_list ap;
    tw_status_t st;
    sqlite3_stmt *stmt;

    *out = 0;
    va_start(ap, fmt);
    stmt = start_v(s, id, &st, fmt, ap);
    va_end(ap);
    if (stmt == NULL)
        return st;
    if (next_row(s, stmt, &st))
        *out = sqlite3_column_int64(stmt, 0);
    done(stmt);
    return st;
}

tw_status_t
tw_store_thread_of_id(tw_store_t *s, gint64 owner_id, const char *msgid, gint64 *thread)
{
    return query_int(s, S_THREAD_OF_ID, thread, "it", owner_id, msgid);
}

tw_status_t
tw_store_bind_id(tw_store_t *s, gint64 owner_id, const char *msgid, gint64 thread)
{
    return run(s, S_BIND_ID, "iti", owner_id, msgid, thread);
}

tw_status_t
tw_store_thread_create(tw_store_t *s, gint64 owner_id, const char *subject, gint64 date,
                       gint64 *thread)
{
    tw_status_t st = run(s, S_THREAD_CREATE, "iti", owner_id, subject, date);

    *thread = st == TW_OK ? sqlite3_last_insert_rowid(s->db) : 0;
    return st;
}

tw_status_t
tw_store_thread_merge(tw_store_t *s, gint64 into, gint64 from)
{
    static const stmt_id_t steps[] = {
        S_MERGE_MESSAGES, S_MERGE_IDS, S_MERGE_ASKS, S_MERGE_DATES,
    };
    tw_status_t st = TW_OK;

    for (size_t i = 0; i < G_N_ELEMENTS(steps) && st == TW_OK; i++)
        st = run(s, steps[i], "ii", into, from);
    if (st == TW_OK)
        st = run(s, S_THREAD_DELETE, "i", from);
    return st;
}

tw_status_t
tw_store_thread_by_subject(tw_store_t *s, gint64 owner_id, const char *subject,
                           const char *const *people, gint64 from, gint64 to, gint64 *thread)
{
    gint64 seen;
    tw_status_t st = query_int(s, S_SUBJECT_SEEN, &seen, "itii", owner_id, subject, from, to);

    *thread = 0;
    if (st != TW_OK || seen == 0)
        return st;
    return query_int(s, S_THREAD_BY_SUBJECT, thread, "itiitttttt", owner_id, subject, from, to,
                     people[0], people[1], people[2], people[3], people[4], people[5]);
}

tw_status_t
tw_store_thread_touch(tw_store_t *s, gint64 thread, gint64 date, bool *later)
{
    tw_status_t st = run(s, S_THREAD_EXTEND, "ii", thread, date);
    bool reached = st == TW_OK && sqlite3_changes(s->db) == 0;

    if (later != NULL)
        *later = reached;
    if (reached)
        st = run(s, S_THREAD_TOUCH, "ii", thread, date);
    return st;
}

/* Asks. */

tw_status_t
tw_store_insert_ask(tw_store_t *s, gint64 owner_id, gint64 message,
                    tw_direction_t direction, const char *correspondent, gint64 thread,
                    gint64 asked_at)
{
    return run(s, S_ASK_INSERT, "iiitii", owner_id, message, (gint64)direction,
               correspondent, thread, asked_at);
}

tw_status_t
tw_store_close_referenced(tw_store_t *s, gint64 owner_id, tw_direction_t direction,
                          gint64 answer, gint64 answered_at, const char *only, int *closed)
{
    tw_status_t st = run(s, S_CLOSE_REFERENCED, "iiiit", owner_id, (gint64)direction,
                         answer, answered_at, only);

    *closed = st == TW_OK ? sqlite3_changes(s->db) : 0;
    return st;
}

tw_status_t
tw_store_close_in_thread(tw_store_t *s, gint64 owner_id, tw_direction_t direction,
                         gint64 thread, const char *correspondent, gint64 before,
                         gint64 answer, gint64 answered_at, const char *only, int *closed)
{
    tw_status_t st = run(s, S_CLOSE_IN_THREAD, "iiiiiitt", owner_id, (gint64)direction,
                         thread, before, answer, answered_at, correspondent, only);

    *closed = st == TW_OK ? sqlite3_changes(s->db) : 0;
    return st;
}

/* Reads (id, date) of the first row. */
static tw_status_t
query_id_date(tw_store_t *s, sqlite3_stmt *stmt, tw_status_t st, gint64 *id,
              gint64 *date)
{
    *id = 0;
    if (stmt == NULL)
        return st;
    if (next_row(s, stmt, &st)) {
        *id = sqlite3_column_int64(stmt, 0);
        *date = sqlite3_column_int64(stmt, 1);
    }
    done(stmt);
    return st;
}

tw_status_t
tw_store_find_answer(tw_store_t *s, gint64 owner_id, tw_direction_t ask_direction,
                     const char *msgid, const char *from, gint64 thread,
                     const char *correspondent, gint64 asked_at, gint64 *answer,
                     gint64 *answered_at)
{
    gint64 other = ask_direction == TW_DIR_IN ? TW_DIR_OUT : TW_DIR_IN;
    gint64 id = 0, date = 0;
    tw_status_t st = TW_OK;
    sqlite3_stmt *stmt;

    *answer = 0;
    if (msgid != NULL) {
        stmt = start(s, S_ANSWER_DIRECT, &st, "itit", owner_id, msgid, other, from);
        if ((st = query_id_date(s, stmt, st, answer, answered_at)) != TW_OK)
            return st;
    }
    if (correspondent == NULL)
        return st;
    stmt = start(s, ask_direction == TW_DIR_IN ? S_ANSWER_TO_ASKER : S_ANSWER_FROM_ASKEE,
                 &st, "iit", thread, asked_at, correspondent);
    if ((st = query_id_date(s, stmt, st, &id, &date)) != TW_OK)
        return st;
    if (id != 0 && (*answer == 0 || date < *answered_at ||
                    (date == *answered_at && id < *answer))) {
        *answer = id;
        *answered_at = date;
    }
    return st;
}

tw_status_t
tw_store_answer_ask(tw_store_t *s, gint64 message, const char *correspondent, gint64 answer,
                    gint64 answered_at)
{
    return run(s, S_ANSWER_ASK, "iiit", message, answer, answered_at, correspondent);
}

tw_status_t
tw_store_message_answer(tw_store_t *s, gint64 message, gint64 *answer, gint64 *answered_at)
{
    tw_status_t st;
    sqlite3_stmt *stmt = start(s, S_MESSAGE_ANSWER, &st, "i", message);

    return query_id_date(s, stmt, st, answer, answered_at);
}

tw_status_t
tw_store_chase(tw_store_t *s, gint64 owner_id, gint64 thread, const char *addr,
               gint64 date, int *chased)
{
    tw_status_t st = run(s, S_CHASE, "iiti", owner_id, thread, addr, date);

    *chased = st == TW_OK ? sqlite3_changes(s->db) : 0;
    return st;
}

tw_status_t
tw_store_thread_askees(tw_store_t *s, gint64 owner_id, gint64 thread, GPtrArray *addrs)
{
    tw_status_t st;
    sqlite3_stmt *stmt = start(s, S_THREAD_ASKEES, &st, "ii", owner_id, thread);

    if (stmt == NULL)
        return st;
    while (next_row(s, stmt, &st))
        g_ptr_array_add(addrs, column_text(stmt, 0));
    done(stmt);
    return st;
}

void
tw_follow_up_free(gpointer p)
{
    tw_follow_up_t *f = p;

    if (f == NULL)
        return;
    g_free(f->key);
    g_free(f);
}

tw_status_t
tw_store_follow_ups(tw_store_t *s, gint64 owner_id, gint64 thread, const char *addr,
                    GPtrArray *rows)
{
    tw_status_t st;
    sqlite3_stmt *stmt = start(s, S_FOLLOW_UPS, &st, "iit", owner_id, thread, addr);

    if (stmt == NULL)
        return st;
    while (next_row(s, stmt, &st)) {
        tw_follow_up_t *f = g_new0(tw_follow_up_t, 1);
        f->row = sqlite3_column_int64(stmt, 0);
        f->key = column_text(stmt, 1);
        f->date = sqlite3_column_int64(stmt, 2);
        f->ask = sqlite3_column_int(stmt, 3) != 0;
        f->askee = sqlite3_column_int(stmt, 4) != 0;
        f->answers = sqlite3_column_int(stmt, 5) != 0;
        f->ask_id = sqlite3_column_int64(stmt, 6);
        f->answered = sqlite3_column_type(stmt, 7) != SQLITE_NULL;
        f->answered_at = sqlite3_column_int64(stmt, 7);
        f->done = sqlite3_column_type(stmt, 8) != SQLITE_NULL;
        g_ptr_array_add(rows, f);
    }
    done(stmt);
    return st;
}

tw_status_t
tw_store_delete_ask(tw_store_t *s, gint64 id)
{
    return run(s, S_ASK_DELETE, "i", id);
}

tw_status_t
tw_store_recount_chases(tw_store_t *s, gint64 owner_id, gint64 thread, const char *addr)
{
    return run(s, S_RECOUNT_CHASES, "iit", owner_id, thread, addr);
}

/* The one-way rule. */

tw_status_t
tw_store_set_aside(tw_store_t *s, gint64 owner_id, const char *addr, gint64 date, gint64 before)
{
    return run(s, S_SET_ASIDE, "itii", owner_id, addr, date, before);
}

tw_status_t
tw_store_has_one_way(tw_store_t *s, gint64 owner_id, const char *addr, bool *any)
{
    gint64 v;
    tw_status_t st = query_int(s, S_HAS_ONE_WAY, &v, "it", owner_id, addr);

    *any = st == TW_OK && v != 0;
    return st;
}

void
tw_sender_mail_free(gpointer p)
{
    tw_sender_mail_t *m = p;

    if (m == NULL)
        return;
    g_free(m->key);
    g_free(m);
}

static tw_status_t
query_sender_mail(tw_store_t *s, sqlite3_stmt *stmt, tw_status_t st, GPtrArray *rows)
{
    if (stmt == NULL)
        return st;
    while (next_row(s, stmt, &st)) {
        tw_sender_mail_t *m = g_new0(tw_sender_mail_t, 1);
        m->row = sqlite3_column_int64(stmt, 0);
        m->key = column_text(stmt, 1);
        m->thread = sqlite3_column_int64(stmt, 2);
        m->date = sqlite3_column_int64(stmt, 3);
        m->traffic = sqlite3_column_int(stmt, 4) != 0;
        m->ask = sqlite3_column_int(stmt, 5) != 0;
        m->one_way = sqlite3_column_int(stmt, 6) != 0;
        m->has_reply_headers = sqlite3_column_int(stmt, 7) != 0;
        m->thanks = sqlite3_column_int(stmt, 8) != 0;
        g_ptr_array_add(rows, m);
    }
    done(stmt);
    return st;
}

tw_status_t
tw_store_sender_mail(tw_store_t *s, gint64 owner_id, const char *addr, GPtrArray *rows)
{
    tw_status_t st;
    sqlite3_stmt *stmt = start(s, S_SENDER_MAIL, &st, "it", owner_id, addr);

    return query_sender_mail(s, stmt, st, rows);
}

tw_status_t
tw_store_set_one_way(tw_store_t *s, gint64 message, bool one_way)
{
    tw_status_t st = run(s, S_SET_ONE_WAY, "ib", message, (int)one_way);

    /* bulk mail asks nothing */
    if (st == TW_OK && one_way)
        st = run(s, S_MESSAGE_ASKS_DELETE, "i", message);
    return st;
}

tw_status_t
tw_store_restore_set_aside(tw_store_t *s, gint64 owner_id, const char *addr, gint64 since,
                           GPtrArray *rows)
{
    tw_status_t st;
    sqlite3_stmt *stmt = start(s, S_SET_ASIDE_LIST, &st, "iti", owner_id, addr, since);

    if ((st = query_sender_mail(s, stmt, st, rows)) != TW_OK)
        return st;
    return run(s, S_SET_ASIDE_RESTORE, "iti", owner_id, addr, since);
}

/* A yes-or-no column of a message, read by statement id. */
static tw_status_t
message_flag(tw_store_t *s, stmt_id_t id, gint64 message, bool *flag)
{
    gint64 v;
    tw_status_t st = query_int(s, id, &v, "i", message);

    *flag = st == TW_OK && v != 0;
    return st;
}

tw_status_t
tw_store_message_set_aside(tw_store_t *s, gint64 message, bool *set_aside)
{
    return message_flag(s, S_MESSAGE_SET_ASIDE, message, set_aside);
}

tw_status_t
tw_store_message_one_way(tw_store_t *s, gint64 message, bool *one_way)
{
    return message_flag(s, S_MESSAGE_ONE_WAY, message, one_way);
}

/* Replies. */

static void
read_parent(sqlite3_stmt *stmt, tw_parent_t *out)
{
    const unsigned char *sender = sqlite3_column_text(stmt, 3);

    out->row = sqlite3_column_int64(stmt, 0);
    out->direction = (tw_direction_t)sqlite3_column_int(stmt, 1);
    out->date = sqlite3_column_int64(stmt, 2);
    g_strlcpy(out->sender, sender ? (const char *)sender : "", sizeof out->sender);
    out->bulk = sqlite3_column_int(stmt, 4) != 0;
}

static tw_status_t
query_parent(tw_store_t *s, sqlite3_stmt *stmt, tw_status_t st, tw_parent_t *out)
{
    memset(out, 0, sizeof *out);
    if (stmt == NULL)
        return st;
    if (next_row(s, stmt, &st))
        read_parent(stmt, out);
    done(stmt);
    return st;
}

tw_status_t
tw_store_message_by_id(tw_store_t *s, gint64 owner_id, const char *msgid, tw_parent_t *out)
{
    tw_status_t st;
    sqlite3_stmt *stmt = start(s, S_MESSAGE_BY_ID, &st, "it", owner_id, msgid);

    return query_parent(s, stmt, st, out);
}

tw_status_t
tw_store_latest_in_thread(tw_store_t *s, gint64 thread, tw_direction_t direction,
                          const char *addr, gint64 before, tw_parent_t *out)
{
    tw_status_t st;
    sqlite3_stmt *stmt = start(s, direction == TW_DIR_IN ? S_LATEST_FROM : S_LATEST_TO, &st,
                               "iti", thread, addr, before);

    return query_parent(s, stmt, st, out);
}

tw_status_t
tw_store_children(tw_store_t *s, gint64 owner_id, const char *msgid,
                  tw_direction_t direction, GArray *rows)
{
    tw_status_t st;
    sqlite3_stmt *stmt = start(s, S_CHILDREN, &st, "iti", owner_id, msgid, (gint64)direction);

    if (stmt == NULL)
        return st;
    while (next_row(s, stmt, &st)) {
        tw_parent_t p;
        read_parent(stmt, &p);
        g_array_append_val(rows, p);
    }
    done(stmt);
    return st;
}

tw_status_t
tw_store_add_reply(tw_store_t *s, gint64 owner_id, gint64 message, gint64 parent,
                   tw_direction_t direction, const char *correspondent, gint64 seconds)
{
    return run(s, S_REPLY_ADD, "iiiiti", message, owner_id, parent, (gint64)direction,
               correspondent, seconds);
}

tw_status_t
tw_store_later_replies(tw_store_t *s, gint64 owner_id, gint64 thread, tw_direction_t direction,
                       gint64 parent, gint64 date, const char *correspondent)
{
    return run(s, direction == TW_DIR_OUT ? S_LATER_REPLIES_FROM : S_LATER_REPLIES_TO, "iiiit",
               owner_id, thread, parent, date, correspondent);
}

/* Tags and listings. */

tw_status_t
tw_store_balance(tw_store_t *s, gint64 owner_id, const char *addr, int *received,
                 int *sent, int *you_owe, int *they_owe)
{
    tw_status_t st;
    sqlite3_stmt *stmt = start(s, S_BALANCE_MESSAGES, &st, "it", owner_id, addr);

    *received = *sent = *you_owe = *they_owe = 0;
    if (stmt == NULL)
        return st;
    if (next_row(s, stmt, &st)) {
        *received = sqlite3_column_int(stmt, 0);
        *sent = sqlite3_column_int(stmt, 1);
    }
    done(stmt);
    if (st != TW_OK || (stmt = start(s, S_BALANCE_ASKS, &st, "it", owner_id, addr)) == NULL)
        return st;
    if (next_row(s, stmt, &st)) {
        *you_owe = sqlite3_column_int(stmt, 0);
        *they_owe = sqlite3_column_int(stmt, 1);
    }
    done(stmt);
    return st;
}

tw_status_t
tw_store_one_way(tw_store_t *s, gint64 owner_id, const char *addr, int after, gint64 date,
                 bool *one_way, gint64 *written)
{
    tw_status_t st;
    gint64 sent;
    sqlite3_stmt *stmt;

    *one_way = false;
    if (written != NULL)
        *written = G_MAXINT64;
    /* fewer messages from addr than after, of any kind: not one way */
    if ((st = query_int(s, S_SENT_BY, &sent, "iti", owner_id, addr, (gint64)after)) != TW_OK ||
        sent < after)
        return st;
    if ((stmt = start(s, S_ONE_WAY, &st, "itii", owner_id, addr, (gint64)after, date)) == NULL)
        return st;
    if (next_row(s, stmt, &st)) {
        *one_way = sqlite3_column_int(stmt, 0) != 0;
        if (written != NULL)
            *written = sqlite3_column_int64(stmt, 1);
    }
    done(stmt);
    return st;
}

tw_status_t
tw_store_thread_open(tw_store_t *s, gint64 owner_id, gint64 thread, int *asks,
                     gint64 *since)
{
    tw_status_t st;
    sqlite3_stmt *stmt = start(s, S_THREAD_OPEN, &st, "ii", owner_id, thread);

    *asks = 0;
    *since = 0;
    if (stmt == NULL)
        return st;
    if (next_row(s, stmt, &st)) {
        *asks = sqlite3_column_int(stmt, 0);
        *since = sqlite3_column_int64(stmt, 1);
    }
    done(stmt);
    return st;
}

void
tw_ledger_row_clear(tw_ledger_row_t *row)
{
    g_free(row->address);
    memset(row, 0, sizeof *row);
}

static void
ledger_row_free(gpointer p)
{
    tw_ledger_row_clear(p);
    g_free(p);
}

static tw_ledger_row_t *
ledger_row(GHashTable *by_address, GPtrArray *rows, const char *addr)
{
    tw_ledger_row_t *row = g_hash_table_lookup(by_address, addr);

    if (row == NULL) {
        row = g_new0(tw_ledger_row_t, 1);
        row->address = g_strdup(addr);
        row->reply_owner = row->reply_them = -1;
        row->first_contact = G_MAXINT64;
        row->last_contact = G_MININT64;
        g_hash_table_insert(by_address, row->address, row);
        g_ptr_array_add(rows, row);
    }
    return row;
}

static double
median(GArray *v)
{
    guint n = v->len;

    if (n == 0)
        return -1;
    gint64 *x = (gint64 *)(void *)v->data;
    return n % 2 ? (double)x[n / 2] : ((double)x[n / 2 - 1] + (double)x[n / 2]) / 2.0;
}

/* Sets the median reply times of row from the sorted seconds. */
static void
flush_replies(tw_ledger_row_t *row, tw_direction_t direction, GArray *secs)
{
    if (row != NULL && secs->len > 0) {
        if (direction == TW_DIR_OUT) {
            row->reply_owner = median(secs);
            row->replies_owner = (int)secs->len;
        } else {
            row->reply_them = median(secs);
            row->replies_them = (int)secs->len;
        }
    }
    g_array_set_size(secs, 0);
}

static gint
by_last_contact(gconstpointer a, gconstpointer b)
{
    const tw_ledger_row_t *x = *(tw_ledger_row_t *const *)a;
    const tw_ledger_row_t *y = *(tw_ledger_row_t *const *)b;

    if (x->last_contact != y->last_contact)
        return x->last_contact > y->last_contact ? -1 : 1;
    return strcmp(x->address, y->address);
}

tw_status_t
tw_store_ledger(tw_store_t *s, gint64 owner_id, gint64 since, const char *addr,
                GPtrArray *rows)
{
    GHashTable *by_address = g_hash_table_new(g_str_hash, g_str_equal);
    GPtrArray *all = g_ptr_array_new();
    tw_status_t st;
    sqlite3_stmt *stmt;

    stmt = start(s, S_LEDGER_MESSAGES, &st, "iit", owner_id, since, addr);
    while (stmt && next_row(s, stmt, &st)) {
        tw_ledger_row_t *r = ledger_row(by_address, all, (const char *)sqlite3_column_text(stmt, 0));
        int dir = sqlite3_column_int(stmt, 1), kind = sqlite3_column_int(stmt, 2);
        int n = sqlite3_column_int(stmt, 3);
        if (kind & 1)
            r->bulk_received += dir == TW_DIR_IN ? n : 0;
        else if (kind & 2)
            r->list_received += dir == TW_DIR_IN ? n : 0;
        else if (dir == TW_DIR_IN)
            r->received += n;
        else
            r->sent += n;
        r->first_contact = MIN(r->first_contact, sqlite3_column_int64(stmt, 4));
        r->last_contact = MAX(r->last_contact, sqlite3_column_int64(stmt, 5));
    }
    if (stmt)
        done(stmt);

    if (st == TW_OK && (stmt = start(s, S_LEDGER_ASKS, &st, "iit", owner_id, since, addr))) {
        while (next_row(s, stmt, &st)) {
            tw_ledger_row_t *r = ledger_row(by_address, all, (const char *)sqlite3_column_text(stmt, 0));
            if (sqlite3_column_int(stmt, 1) == TW_DIR_IN) {
                r->asks_from = sqlite3_column_int(stmt, 2);
                r->answered_from = sqlite3_column_int(stmt, 3);
                r->open_from = sqlite3_column_int(stmt, 4);
            } else {
                r->asks_to = sqlite3_column_int(stmt, 2);
                r->answered_to = sqlite3_column_int(stmt, 3);
                r->open_to = sqlite3_column_int(stmt, 4);
            }
        }
        done(stmt);
    }

    if (st == TW_OK && (stmt = start(s, S_LEDGER_REPLIES, &st, "iit", owner_id, since, addr))) {
        GArray *secs = g_array_new(FALSE, FALSE, sizeof(gint64));
        tw_ledger_row_t *cur = NULL;
        tw_direction_t cur_dir = TW_DIR_IN;
        while (next_row(s, stmt, &st)) {
            const char *a = (const char *)sqlite3_column_text(stmt, 0);
            tw_direction_t dir = (tw_direction_t)sqlite3_column_int(stmt, 1);
            gint64 sec = sqlite3_column_int64(stmt, 2);
            if (cur == NULL || strcmp(cur->address, a) != 0 || dir != cur_dir) {
                flush_replies(cur, cur_dir, secs);
                cur = ledger_row(by_address, all, a);
                cur_dir = dir;
            }
            g_array_append_val(secs, sec);
        }
        flush_replies(cur, cur_dir, secs);
        g_array_free(secs, TRUE);
        done(stmt);
    }

    if (st == TW_OK && (stmt = start(s, S_LEDGER_STARTERS, &st, "iit", owner_id, since, addr))) {
        while (next_row(s, stmt, &st)) {
            tw_ledger_row_t *r = ledger_row(by_address, all, (const char *)sqlite3_column_text(stmt, 0));
            if (sqlite3_column_int(stmt, 1) == TW_DIR_IN)
                r->started_by_them++;
            else
                r->started_by_owner++;
        }
        done(stmt);
    }

    /* The whole ledger lists people with human mail; asked about one
     * address, it shows whatever there is. */
    for (guint i = 0; i < all->len; i++) {
        tw_ledger_row_t *r = all->pdata[i];
        if (st == TW_OK && (addr != NULL || r->received > 0 || r->sent > 0 ||
                            r->asks_from > 0 || r->asks_to > 0))
            g_ptr_array_add(rows, r);
        else
            ledger_row_free(r);
    }
    g_ptr_array_sort(rows, by_last_contact);
    g_ptr_array_free(all, TRUE);
    g_hash_table_destroy(by_address);
    return st;
}

void
tw_ask_row_free(gpointer p)
{
    tw_ask_row_t *r = p;

    if (r == NULL)
        return;
    g_free(r->correspondent);
    g_free(r->message_id);
    g_free(r->subject);
    g_free(r->cue);
    g_free(r);
}

tw_status_t
tw_store_open_asks(tw_store_t *s, gint64 owner_id, tw_direction_t direction, gint64 since,
                   const char *addr, int limit, GPtrArray *rows)
{
    tw_status_t st;
    sqlite3_stmt *stmt = start(s, S_OPEN_ASKS, &st, "iiiti", owner_id, (gint64)direction,
                               since, addr, (gint64)(limit > 0 ? limit : -1));

    if (stmt == NULL)
        return st;
    while (next_row(s, stmt, &st)) {
        tw_ask_row_t *r = g_new0(tw_ask_row_t, 1);
        r->id = sqlite3_column_int64(stmt, 0);
        r->direction = (tw_direction_t)sqlite3_column_int(stmt, 1);
        r->correspondent = column_text(stmt, 2);
        r->message_id = column_text(stmt, 3);
        r->thread = sqlite3_column_int64(stmt, 4);
        r->asked_at = sqlite3_column_int64(stmt, 5);
        r->subject = column_text(stmt, 6);
        r->cue = column_text(stmt, 7);
        r->score = sqlite3_column_double(stmt, 8);
        r->chases = sqlite3_column_int(stmt, 9);
        r->recipients = sqlite3_column_int(stmt, 10);
        g_ptr_array_add(rows, r);
    }
    done(stmt);
    return st;
}

tw_status_t
tw_store_mark_done(tw_store_t *s, gint64 owner_id, gint64 id, gint64 now)
{
    tw_status_t st = run(s, S_MARK_DONE, "iii", owner_id, id, now);

    if (st == TW_OK && sqlite3_changes(s->db) == 0)
        return TW_ERR_NOT_FOUND;
    return st;
}

tw_status_t
tw_store_forget(tw_store_t *s, gint64 owner_id, const char *addr, int *removed)
{
    /* of one owner and one address */
    static const stmt_id_t steps[] = {
        S_FORGET_ASKS, S_FORGET_REPLIES, S_FORGET_REFS, S_FORGET_CONTACTS,
        S_FORGET_IDS, S_FORGET_MESSAGES, S_FORGET_ADDRESS, S_FORGET_WRITTEN,
    };
    /* of the owner: the owner's messages left with nobody to write to */
    static const stmt_id_t orphans[] = {
        S_FORGET_ORPHAN_REFS, S_FORGET_ORPHAN_ASKS, S_FORGET_ORPHAN_REPLIES,
    };
    gint64 count;
    tw_status_t st = query_int(s, S_FORGET_COUNT, &count, "it", owner_id, addr);

    if (st != TW_OK)
        return st;
    for (size_t i = 0; i < G_N_ELEMENTS(steps) && st == TW_OK; i++)
        st = run(s, steps[i], "it", owner_id, addr);
    for (size_t i = 0; i < G_N_ELEMENTS(orphans) && st == TW_OK; i++)
        st = run(s, orphans[i], "i", owner_id);
    if (st == TW_OK)
        st = run(s, S_FORGET_ORPHANS, "i", owner_id);
    if (st == TW_OK)
        count += sqlite3_changes(s->db);
    if (st == TW_OK)
        st = run(s, S_FORGET_EMPTY_IDS, "i", owner_id);
    if (st == TW_OK)
        st = run(s, S_FORGET_EMPTY_THREADS, "i", owner_id);
    *removed = (int)count;
    return st;
}

tw_status_t
tw_store_stats(tw_store_t *s, gint64 owner_id, tw_stats_t *out)
{
    tw_status_t st;
    sqlite3_stmt *stmt;

    memset(out, 0, sizeof *out);
    if ((stmt = start(s, S_STATS_MESSAGES, &st, "i", owner_id)) == NULL)
        return st;
    if (next_row(s, stmt, &st)) {
        out->messages = sqlite3_column_int64(stmt, 0);
        out->incoming = sqlite3_column_int64(stmt, 1);
        out->outgoing = sqlite3_column_int64(stmt, 2);
        out->bulk = sqlite3_column_int64(stmt, 3);
        out->list = sqlite3_column_int64(stmt, 4);
    }
    done(stmt);
    if (st != TW_OK ||
        (st = query_int(s, S_STATS_PEOPLE, &out->correspondents, "i", owner_id)) != TW_OK ||
        (st = query_int(s, S_STATS_THREADS, &out->threads, "i", owner_id)) != TW_OK ||
        (st = query_int(s, S_STATS_OWNERS, &out->owners, "")) != TW_OK)
        return st;
    if ((stmt = start(s, S_STATS_ASKS, &st, "i", owner_id)) == NULL)
        return st;
    if (next_row(s, stmt, &st)) {
        out->asks_in = sqlite3_column_int64(stmt, 0);
        out->asks_out = sqlite3_column_int64(stmt, 1);
        out->open_in = sqlite3_column_int64(stmt, 2);
        out->open_out = sqlite3_column_int64(stmt, 3);
    }
    done(stmt);
    return st;
}
