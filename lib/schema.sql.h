/* schema.sql.h - the database schema, one entry per version.
 *
 * migrations[i] takes a database from user_version i to i + 1.  Add a
 * new entry for every change; never edit a released one.
 */
#ifndef TW_SCHEMA_SQL_H
#define TW_SCHEMA_SQL_H

static const char *const migrations[] = {
    /* 0 -> 1 */
    "CREATE TABLE owners ("
    "  id INTEGER PRIMARY KEY,"
    "  address TEXT NOT NULL UNIQUE);"
    "CREATE TABLE threads ("
    "  id INTEGER PRIMARY KEY,"
    "  owner_id INTEGER NOT NULL,"
    "  subject TEXT NOT NULL,"
    "  first_date INTEGER NOT NULL,"
    "  last_date INTEGER NOT NULL);"
    "CREATE INDEX threads_by_subject ON threads (owner_id, subject, last_date);"
    "CREATE TABLE thread_ids ("
    "  owner_id INTEGER NOT NULL,"
    "  msgid TEXT NOT NULL,"
    "  thread_id INTEGER NOT NULL,"
    "  PRIMARY KEY (owner_id, msgid)) WITHOUT ROWID;"
    "CREATE INDEX thread_ids_by_thread ON thread_ids (thread_id);"
    "CREATE TABLE messages ("
    "  id INTEGER PRIMARY KEY,"
    "  owner_id INTEGER NOT NULL,"
    "  msgid TEXT NOT NULL,"
    "  content_key TEXT NOT NULL,"
    "  thread_id INTEGER NOT NULL,"
    "  direction INTEGER NOT NULL,"
    "  sender TEXT,"
    "  date INTEGER NOT NULL,"
    "  subject TEXT,"
    "  in_reply_to TEXT,"
    "  has_reply_headers INTEGER NOT NULL,"
    "  bulk INTEGER NOT NULL,"
    "  list INTEGER NOT NULL,"
    "  traffic INTEGER NOT NULL,"
    "  ask INTEGER NOT NULL,"
    "  score REAL NOT NULL,"
    "  cue TEXT,"
    "  recorded_at INTEGER NOT NULL);"
    "CREATE UNIQUE INDEX messages_by_msgid ON messages (owner_id, msgid);"
    "CREATE UNIQUE INDEX messages_by_content ON messages (owner_id, content_key);"
    "CREATE INDEX messages_by_thread ON messages (thread_id, direction, date);"
    "CREATE INDEX messages_by_parent ON messages (owner_id, in_reply_to)"
    "  WHERE in_reply_to IS NOT NULL;"
    /* owner_id after the key columns: SQLite 3.40's integrity_check
     * misreads a WITHOUT ROWID table whose other columns come first */
    "CREATE TABLE contacts ("
    "  message_id INTEGER NOT NULL,"
    "  address TEXT NOT NULL,"
    "  role INTEGER NOT NULL,"
    "  owner_id INTEGER NOT NULL,"
    "  PRIMARY KEY (message_id, address, role)) WITHOUT ROWID;"
    "CREATE INDEX contacts_by_address ON contacts (owner_id, address, role);"
    "CREATE TABLE refs ("
    "  message_id INTEGER NOT NULL,"
    "  ref TEXT NOT NULL,"
    "  PRIMARY KEY (message_id, ref)) WITHOUT ROWID;"
    "CREATE INDEX refs_by_ref ON refs (ref);"
    "CREATE TABLE asks ("
    "  id INTEGER PRIMARY KEY,"
    "  owner_id INTEGER NOT NULL,"
    "  message_id INTEGER NOT NULL,"
    "  direction INTEGER NOT NULL,"
    "  correspondent TEXT NOT NULL,"
    "  thread_id INTEGER NOT NULL,"
    "  asked_at INTEGER NOT NULL,"
    "  answered_at INTEGER,"
    "  answer_id INTEGER,"
    "  done_at INTEGER,"
    "  chases INTEGER NOT NULL DEFAULT 0,"
    "  UNIQUE (message_id, correspondent));"
    "CREATE INDEX asks_by_owner ON asks (owner_id, direction, correspondent);"
    "CREATE INDEX asks_by_thread ON asks (thread_id);"
    "CREATE TABLE replies ("
    "  message_id INTEGER PRIMARY KEY,"
    "  owner_id INTEGER NOT NULL,"
    "  parent_id INTEGER NOT NULL,"
    "  direction INTEGER NOT NULL,"
    "  correspondent TEXT NOT NULL,"
    "  date INTEGER NOT NULL,"
    "  seconds INTEGER NOT NULL);"
    "CREATE INDEX replies_by_owner ON replies (owner_id, correspondent);"
    "CREATE TABLE lists ("
    "  address TEXT PRIMARY KEY) WITHOUT ROWID;",
    /* 1 -> 2: the people each owner has written to, so that a sender
     * never answered is known without a look at all their mail */
    "CREATE TABLE written_to ("
    "  owner_id INTEGER NOT NULL,"
    "  address TEXT NOT NULL,"
    "  PRIMARY KEY (owner_id, address)) WITHOUT ROWID;"
    "INSERT OR IGNORE INTO written_to (owner_id, address)"
    "  SELECT c.owner_id, c.address FROM contacts c CROSS JOIN messages m"
    "  ON m.id = c.message_id WHERE c.role > 0 AND m.direction = 1;",
    /* 2 -> 3: what the rules need to come to the same ledger whatever
     * the order mail is recorded in: the messages that only thank, the
     * ones that are bulk only because their sender was a one-way
     * stream, and the asks that rule set aside (all unknown for mail
     * recorded before: 0); when the owner first wrote to each person;
     * answers found from the message they answer */
    "ALTER TABLE messages ADD COLUMN thanks INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE messages ADD COLUMN one_way INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE asks ADD COLUMN one_way INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE written_to ADD COLUMN first_date INTEGER;"
    "UPDATE written_to SET first_date = (SELECT min(m.date) FROM contacts c"
    "  CROSS JOIN messages m ON m.id = c.message_id"
    "  WHERE c.owner_id = written_to.owner_id AND c.address = written_to.address"
    "  AND c.role > 0 AND m.direction = 1);"
    "CREATE INDEX asks_by_answer ON asks (answer_id) WHERE answer_id IS NOT NULL;",
};

#endif
