/* store.h - the SQLite database: the only module that speaks SQL.
 *
 * One file in WAL mode, schema versioned with PRAGMA user_version and
 * migrated forward on open, every statement prepared once and reused,
 * a bounded busy timeout.  The functions here are plain data access;
 * the rules that decide what to store live in ledger.c and thread.c.
 */
#ifndef TW_STORE_H
#define TW_STORE_H

#include <glib.h>
#include <stdbool.h>
#include <sys/types.h>

#include "status.h"

typedef struct tw_store tw_store_t;

typedef enum {
    TW_DIR_IN = 0,  /* to the owner */
    TW_DIR_OUT = 1, /* from the owner */
} tw_direction_t;

/* Roles of an address in a message. */
typedef enum {
    TW_ROLE_FROM = 0,
    TW_ROLE_TO = 1,
    TW_ROLE_CC = 2,
    TW_ROLE_BCC = 3,
} tw_role_t;

#define TW_STORE_SCHEMA_VERSION 3

/* Opens (creating when create is set, mode 0600, and its directory)
 * and migrates the database at path.  Refused: a database whose
 * directory anyone may write without the sticky bit; in a directory
 * anyone may write, one that belongs to another user; a symbolic link,
 * for a program running as root.  A database the program may not read
 * is reported with the reason ("Permission denied"), as TW_ERR_NOINPUT
 * when create is not set. */
tw_status_t tw_store_open(const char *path, int busy_timeout_ms, bool create,
                          tw_store_t **out, tw_error_t *err);

/* Opens an existing database only to read it: nothing is migrated,
 * nothing written.  A database of another schema version is refused
 * (TW_ERR_DB, err says which); a missing or unreadable one is
 * TW_ERR_NOINPUT. */
tw_status_t tw_store_open_readonly(const char *path, int busy_timeout_ms,
                                   tw_store_t **out, tw_error_t *err);

/* The mode tw_store_open gives the files it creates from now on,
 * before the umask: 0600 unless set (0640 lets a group read the
 * ledger).  The database's -wal and -shm files take the database's
 * mode; a directory created for it gets x where the file has r.  Set it
 * once, before any database is opened. */
void tw_store_set_create_mode(mode_t mode);
void tw_store_close(tw_store_t *store);

/* For a long import: a larger page cache and memory-mapped reads. */
void tw_store_tune_for_import(tw_store_t *store);

/* For a process that records one message and exits: closing leaves the
 * write-ahead log as it is instead of copying it into the database and
 * syncing both at every delivery.  Call tw_store_trim_log() after the
 * commit to keep the log small. */
void tw_store_defer_checkpoints(tw_store_t *store);

/* Copies the write-ahead log into the database and empties it, when it
 * has grown past max_bytes. */
tw_status_t tw_store_trim_log(tw_store_t *store, gint64 max_bytes);

/* The last database error in words. */
const char *tw_store_error(const tw_store_t *store);
const char *tw_store_path(const tw_store_t *store);

/* Transactions.  begin takes the write lock at once (IMMEDIATE). */
tw_status_t tw_store_begin(tw_store_t *store);
tw_status_t tw_store_commit(tw_store_t *store);
void tw_store_rollback(tw_store_t *store);

/* Owners. */
tw_status_t tw_store_owner(tw_store_t *store, const char *addr, bool create,
                           gint64 *id);
/* The only owner in the database, or NULL (newly allocated). */
char *tw_store_sole_owner(tw_store_t *store);
tw_status_t tw_store_owner_count(tw_store_t *store, gint64 *count);

/* Messages. */
typedef struct {
    gint64 owner_id;
    const char *key;          /* Message-ID or "digest:..." */
    const char *content_key;
    gint64 thread_id;
    tw_direction_t direction;
    const char *sender;
    gint64 date;
    const char *subject;
    const char *in_reply_to;
    bool has_reply_headers;
    bool bulk;
    bool list;
    bool traffic;             /* list mail that does not name the owner */
    bool ask;                 /* the reading asks (bulk mail opens no ask) */
    bool thanks;              /* only thanks: answers nothing */
    bool one_way;             /* bulk only because its sender was a one-way
                               * stream when it was recorded */
    double score;
    const char *cue;
    gint64 recorded_at;
} tw_message_row_t;

/* The row of a message already recorded for owner under key or
 * content_key, or 0. */
tw_status_t tw_store_find_message(tw_store_t *store, gint64 owner_id,
                                  const char *key, const char *content_key,
                                  gint64 *row);
tw_status_t tw_store_insert_message(tw_store_t *store,
                                    const tw_message_row_t *m, gint64 *row);
/* The people of a message, several in one statement. */
typedef struct {
    const char *addr;
    tw_role_t role;
} tw_contact_t;
tw_status_t tw_store_add_contacts(tw_store_t *store, gint64 owner_id, gint64 message,
                                  const tw_contact_t *contacts, size_t n);
tw_status_t tw_store_add_ref(tw_store_t *store, gint64 message,
                             const char *ref);
/* Remembers the address of a mailing list: no correspondent. */
tw_status_t tw_store_add_list(tw_store_t *store, const char *addr);

/* Notes that owner_id has written to addr (a recipient of the owner's
 * own message dated date): such a correspondent is no one-way stream
 * from then on.  *earliest (may be NULL) says no message recorded
 * before wrote to addr by date: this is the owner's first. */
tw_status_t tw_store_add_written_to(tw_store_t *store, gint64 owner_id, const char *addr,
                                    gint64 date, bool *earliest);

/* Threads.  Every Message-ID seen (recorded or only referred to) is
 * bound to a thread; unrecorded ones are placeholders. */
tw_status_t tw_store_thread_of_id(tw_store_t *store, gint64 owner_id,
                                  const char *msgid, gint64 *thread);
tw_status_t tw_store_bind_id(tw_store_t *store, gint64 owner_id,
                             const char *msgid, gint64 thread);
tw_status_t tw_store_thread_create(tw_store_t *store, gint64 owner_id,
                                   const char *subject, gint64 date,
                                   gint64 *thread);
/* Moves everything of thread from into thread into. */
tw_status_t tw_store_thread_merge(tw_store_t *store, gint64 into, gint64 from);
/* The most recent thread of owner with this normalised subject, active
 * within [from, to], in which one of up to TW_STORE_PEOPLE people took
 * part (unused places NULL); 0 when none. */
#define TW_STORE_PEOPLE 6
tw_status_t tw_store_thread_by_subject(tw_store_t *store, gint64 owner_id,
                                       const char *subject,
                                       const char *const *people,
                                       gint64 from, gint64 to, gint64 *thread);
/* Widens the dates of thread to date.  *later (may be NULL) says the
 * thread already reached date or beyond: mail of the thread recorded
 * before is dated at or after this. */
tw_status_t tw_store_thread_touch(tw_store_t *store, gint64 thread,
                                  gint64 date, bool *later);

/* Asks. */
tw_status_t tw_store_insert_ask(tw_store_t *store, gint64 owner_id,
                                gint64 message, tw_direction_t direction,
                                const char *correspondent, gint64 thread,
                                gint64 asked_at);
/* Closes asks of direction whose message the answer's references name
 * (only those to only, when not NULL); *closed gets how many.  The
 * asks it closes are the open ones and those closed by an answer dated
 * after answered_at: the earlier answer is the one that counts. */
tw_status_t tw_store_close_referenced(tw_store_t *store, gint64 owner_id,
                                      tw_direction_t direction, gint64 answer,
                                      gint64 answered_at, const char *only,
                                      int *closed);
/* Closes asks of direction in thread, asked no later than before, of
 * every message that asked correspondent (only those to only, when not
 * NULL): open ones, and those answered after answered_at. */
tw_status_t tw_store_close_in_thread(tw_store_t *store, gint64 owner_id,
                                     tw_direction_t direction, gint64 thread,
                                     const char *correspondent, gint64 before,
                                     gint64 answer, gint64 answered_at,
                                     const char *only, int *closed);
/* The earliest answer recorded to an ask: a human message of the other
 * direction that is not only thanks and either names msgid in its
 * references (when msgid is not NULL; sent by from, when not NULL), or
 * has no reply headers and is in thread, dated at or after asked_at,
 * from (direction IN: to) correspondent (when not NULL).  *answer is 0
 * when there is none. */
tw_status_t tw_store_find_answer(tw_store_t *store, gint64 owner_id,
                                 tw_direction_t ask_direction,
                                 const char *msgid, const char *from,
                                 gint64 thread, const char *correspondent,
                                 gint64 asked_at, gint64 *answer,
                                 gint64 *answered_at);
/* Answers the open asks of message (only the one to correspondent, when
 * not NULL). */
tw_status_t tw_store_answer_ask(tw_store_t *store, gint64 message,
                                const char *correspondent, gint64 answer,
                                gint64 answered_at);
/* The earliest answer of any ask of message; *answer 0 when none. */
tw_status_t tw_store_message_answer(tw_store_t *store, gint64 message,
                                    gint64 *answer, gint64 *answered_at);
/* Counts a follow-up by the owner, dated date, on the owner's asks to
 * addr in thread that were open at that date: asked before it, not
 * answered before it, not done.  *chased gets how many. */
tw_status_t tw_store_chase(tw_store_t *store, gint64 owner_id, gint64 thread,
                           const char *addr, gint64 date, int *chased);

/* For putting the chases of a thread right when mail arrives out of
 * order. */

/* The people the owner's asks in thread asked (newly allocated
 * strings added to addrs). */
tw_status_t tw_store_thread_askees(tw_store_t *store, gint64 owner_id,
                                   gint64 thread, GPtrArray *addrs);

/* A human message of the owner's in a thread, to one person, not only
 * thanks: what the chase rules look at. */
typedef struct {
    gint64 row;
    char *key;
    gint64 date;
    bool ask;          /* it asks */
    bool askee;        /* and it asks this person (To, else Cc) */
    bool answers;      /* it is the answer of an ask */
    gint64 ask_id;     /* its ask to this person, 0 when none */
    bool answered;     /* that ask is answered, */
    gint64 answered_at; /* then */
    bool done;         /* or done */
} tw_follow_up_t;

void tw_follow_up_free(gpointer row);

/* The owner's messages in thread with addr as a recipient, oldest
 * first (tw_follow_up_t). */
tw_status_t tw_store_follow_ups(tw_store_t *store, gint64 owner_id,
                                gint64 thread, const char *addr,
                                GPtrArray *rows);
tw_status_t tw_store_delete_ask(tw_store_t *store, gint64 id);
/* Counts the chases of the owner's asks to addr in thread that are not
 * done again from the messages: the owner's human mail to addr in the
 * thread, not only thanks and answering nothing, dated after the ask
 * and before its answer. */
tw_status_t tw_store_recount_chases(tw_store_t *store, gint64 owner_id,
                                    gint64 thread, const char *addr);

/* The one-way rule. */

/* Sets aside the asks from addr to the owner asked before before that
 * were open at date (not answered, or answered after it): done at date,
 * by the one-way rule. */
tw_status_t tw_store_set_aside(tw_store_t *store, gint64 owner_id,
                               const char *addr, gint64 date, gint64 before);

/* Whether the one-way rule made any mail of addr's bulk. */
tw_status_t tw_store_has_one_way(tw_store_t *store, gint64 owner_id,
                                 const char *addr, bool *any);

/* Incoming mail the one-way rule looks at. */
typedef struct {
    gint64 row;
    char *key;
    gint64 thread;
    gint64 date;
    bool traffic;  /* list traffic: not counted */
    bool ask;      /* it asks */
    bool one_way;  /* the rule made it bulk */
    bool has_reply_headers;
    bool thanks;
} tw_sender_mail_t;

void tw_sender_mail_free(gpointer row);

/* The mail from addr to the owner that is bulk for no other reason than
 * the one-way rule, if at all, oldest first (tw_sender_mail_t). */
tw_status_t tw_store_sender_mail(tw_store_t *store, gint64 owner_id,
                                 const char *addr, GPtrArray *rows);

/* Makes a message bulk by the one-way rule (removing its asks), or
 * human mail again. */
tw_status_t tw_store_set_one_way(tw_store_t *store, gint64 message,
                                 bool one_way);

/* Opens again the asks from addr asked at since or later that the
 * one-way rule set aside; rows gets their messages (tw_sender_mail_t). */
tw_status_t tw_store_restore_set_aside(tw_store_t *store, gint64 owner_id,
                                       const char *addr, gint64 since,
                                       GPtrArray *rows);

/* Whether the recorded message is bulk only by the one-way rule. */
tw_status_t tw_store_message_one_way(tw_store_t *store, gint64 message,
                                     bool *one_way);
/* Whether the one-way rule set an ask of the recorded message aside. */
tw_status_t tw_store_message_set_aside(tw_store_t *store, gint64 message,
                                       bool *set_aside);

/* Replies and reply times. */
typedef struct {
    gint64 row;
    tw_direction_t direction;
    gint64 date;
    char sender[256];
    bool bulk;
} tw_parent_t;
/* The recorded message with this Message-ID, if any (row 0 if none). */
tw_status_t tw_store_message_by_id(tw_store_t *store, gint64 owner_id,
                                   const char *msgid, tw_parent_t *out);
/* The latest human message of direction in thread before date that
 * involves addr (its sender for IN, a recipient for OUT). */
tw_status_t tw_store_latest_in_thread(tw_store_t *store, gint64 thread,
                                      tw_direction_t direction,
                                      const char *addr, gint64 before,
                                      tw_parent_t *out);
/* Recorded human messages of direction whose In-Reply-To is msgid. */
tw_status_t tw_store_children(tw_store_t *store, gint64 owner_id,
                              const char *msgid, tw_direction_t direction,
                              GArray *rows /* of tw_parent_t */);
tw_status_t tw_store_add_reply(tw_store_t *store, gint64 owner_id,
                               gint64 message, gint64 parent,
                               tw_direction_t direction,
                               const char *correspondent, gint64 seconds);
/* For the message parent of direction, dated date, in thread, recorded
 * after mail dated later: the human messages without reply headers the
 * other way, from (direction IN: to) correspondent, that reply to it
 * (the latest of its direction before them) get it as their parent. */
tw_status_t tw_store_later_replies(tw_store_t *store, gint64 owner_id,
                                   gint64 thread, tw_direction_t direction,
                                   gint64 parent, gint64 date,
                                   const char *correspondent);

/* What tags and listings read. */
typedef struct {
    char *address;
    int received, sent;          /* human messages each way */
    int bulk_received;           /* bulk mail from them */
    int list_received;           /* list traffic from them */
    int asks_from, asks_to;      /* asks from them / the owner's asks to them */
    int answered_from, answered_to; /* of those, answered */
    int open_from, open_to;      /* you owe / they owe */
    int started_by_them, started_by_owner;
    double reply_owner, reply_them; /* median seconds, < 0 when unknown */
    int replies_owner, replies_them;
    gint64 first_contact, last_contact;
} tw_ledger_row_t;

void tw_ledger_row_clear(tw_ledger_row_t *row);

tw_status_t tw_store_balance(tw_store_t *store, gint64 owner_id,
                             const char *addr, int *received, int *sent,
                             int *you_owe, int *they_owe);
/* Whether addr has sent the owner at least after messages of human
 * mail (not bulk, not list traffic) and the owner had not written to it
 * by date; cheaper than counting the whole balance.  *written (may be
 * NULL), looked up when addr has sent that much, gets the date of the
 * owner's first message to addr: G_MAXINT64 for none (G_MININT64 when
 * the database does not know it). */
tw_status_t tw_store_one_way(tw_store_t *store, gint64 owner_id, const char *addr,
                             int after, gint64 date, bool *one_way, gint64 *written);
tw_status_t tw_store_thread_open(tw_store_t *store, gint64 owner_id,
                                 gint64 thread, int *asks, gint64 *since);
/* The ledger of owner, one row per correspondent with human mail since
 * since, newest contact first; addr limits it to one. */
tw_status_t tw_store_ledger(tw_store_t *store, gint64 owner_id, gint64 since,
                            const char *addr, GPtrArray *rows);

typedef struct {
    gint64 id;
    tw_direction_t direction;
    char *correspondent;
    char *message_id;
    gint64 thread;
    gint64 asked_at;
    char *subject;
    char *cue;
    double score;
    int chases;
    int recipients;      /* people the same message asked */
} tw_ask_row_t;

void tw_ask_row_free(gpointer row);

/* Open asks of direction, oldest first; addr limits to one
 * correspondent; limit 0 is no limit. */
tw_status_t tw_store_open_asks(tw_store_t *store, gint64 owner_id,
                               tw_direction_t direction, gint64 since,
                               const char *addr, int limit, GPtrArray *rows);
/* Marks an open ask (and the other rows of the same message) done. */
tw_status_t tw_store_mark_done(tw_store_t *store, gint64 owner_id, gint64 id,
                               gint64 now);
/* Removes what was recorded about addr; *removed counts messages. */
tw_status_t tw_store_forget(tw_store_t *store, gint64 owner_id,
                            const char *addr, int *removed);

typedef struct {
    gint64 messages, incoming, outgoing, bulk, list;
    gint64 correspondents, threads;
    gint64 asks_in, asks_out, open_in, open_out;
    gint64 owners;
} tw_stats_t;
tw_status_t tw_store_stats(tw_store_t *store, gint64 owner_id, tw_stats_t *out);

#endif
