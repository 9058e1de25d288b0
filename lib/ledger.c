/* ledger.c - recording a message and the rules of asks and answers. */
#include "ledger.h"

#include <string.h>

#include "thread.h"

#define MAX_CONTACTS 200

/* A sender who has mailed the owner this often and never had a reply
 * is treated as bulk: a one-way stream asks nothing of the owner. */
#define ONE_WAY_AFTER 10

typedef struct {
    tw_store_t *store;
    const tw_config_t *cfg;
    const tw_reading_t *r;
    gint64 owner_id;
    gint64 row;
    gint64 thread;
    bool new_thread;    /* begun by this message: nothing came before */
    bool later;         /* its thread holds mail dated at or after it: it
                         * comes out of order */
    bool opened_asks;   /* this message's asks were opened */
    bool found_answer;  /* and an answer recorded before was found */
    gint64 date;
    const char *key;
    const char *sender; /* of incoming mail */
    bool one_way;       /* from a sender the owner never answers */
    gint64 written;     /* when the owner first wrote to the sender */
    GPtrArray *first_written; /* people this message is the owner's first
                               * message to, by date */
} recording_t;

/* Adds the message's people, references and lists.  The people this
 * is the owner's first message to (by date, of those recorded) are
 * added to c->first_written. */
static tw_status_t
add_contacts(recording_t *c)
{
    const tw_message_t *msg = c->r->msg;
    GPtrArray *lists[] = {msg->to, msg->cc, msg->bcc};
    tw_role_t roles[] = {TW_ROLE_TO, TW_ROLE_CC, TW_ROLE_BCC};
    tw_contact_t people[MAX_CONTACTS + 1];
    size_t n = 0;
    tw_status_t st;

    if (c->sender != NULL)
        people[n++] = (tw_contact_t){c->sender, TW_ROLE_FROM};
    size_t readers = n; /* where the recipients start */
    for (size_t l = 0; l < G_N_ELEMENTS(lists); l++) {
        for (guint i = 0; i < lists[l]->len && n - readers < MAX_CONTACTS; i++) {
            tw_mailbox_t *mb = lists[l]->pdata[i];
            if (!tw_reading_is_nobody(c->cfg, c->r, mb->addr))
                people[n++] = (tw_contact_t){mb->addr, roles[l]};
        }
    }
    st = tw_store_add_contacts(c->store, c->owner_id, c->row, people, n);
    for (size_t i = readers; i < n && st == TW_OK && c->r->direction == TW_DIR_OUT; i++) {
        bool first = false;
        st = tw_store_add_written_to(c->store, c->owner_id, people[i].addr, c->date, &first);
        if (first)
            g_ptr_array_add(c->first_written, (gpointer)people[i].addr);
    }
    for (guint i = 0; i < msg->references->len && st == TW_OK; i++)
        st = tw_store_add_ref(c->store, c->row, msg->references->pdata[i]);
    for (guint i = 0; i < c->r->lists->len && st == TW_OK; i++)
        st = tw_store_add_list(c->store, c->r->lists->pdata[i]);
    return st;
}

/* Reply time: the message this one answers, by In-Reply-To or, without
 * reply headers, the latest from (to) the first correspondent in the
 * thread. */
static tw_status_t
record_reply_time(recording_t *c)
{
    const tw_message_t *msg = c->r->msg;
    GPtrArray *people = c->r->correspondents;
    const char *correspondent = people->len > 0 ? people->pdata[0] : NULL;
    tw_direction_t want = c->r->direction == TW_DIR_IN ? TW_DIR_OUT : TW_DIR_IN;
    tw_parent_t p = {0};
    tw_status_t st = TW_OK;

    if (msg->in_reply_to != NULL)
        st = tw_store_message_by_id(c->store, c->owner_id, msg->in_reply_to, &p);
    else if (msg->references->len == 0 && correspondent != NULL)
        st = tw_store_latest_in_thread(c->store, c->thread, want, correspondent, c->date, &p);
    if (st != TW_OK || p.row == 0 || p.direction != want || p.bulk)
        return st;
    if (c->r->direction == TW_DIR_OUT)
        correspondent = p.sender;
    if (correspondent == NULL || *correspondent == '\0')
        return TW_OK;
    return tw_store_add_reply(c->store, c->owner_id, c->row, p.row, c->r->direction,
                              correspondent, MAX(0, c->date - p.date));
}

/* Replies recorded before this message (imports out of order): their
 * reply times can be counted now. */
static tw_status_t
record_earlier_children(recording_t *c)
{
    tw_direction_t want = c->r->direction == TW_DIR_IN ? TW_DIR_OUT : TW_DIR_IN;
    GArray *kids = g_array_new(FALSE, FALSE, sizeof(tw_parent_t));
    tw_status_t st = tw_store_children(c->store, c->owner_id, c->key, want, kids);

    for (guint i = 0; i < kids->len && st == TW_OK; i++) {
        tw_parent_t *k = &g_array_index(kids, tw_parent_t, i);
        const char *who = c->r->direction == TW_DIR_IN ? c->sender : k->sender;
        if (who != NULL && *who != '\0')
            st = tw_store_add_reply(c->store, c->owner_id, k->row, c->row, want, who,
                                    MAX(0, k->date - c->date));
    }
    g_array_free(kids, TRUE);
    return st;
}

/* Recorded after mail dated later in its thread: the replies to it
 * without reply headers recorded before, which took an earlier message
 * for their parent or none, are its replies. */
static tw_status_t
record_later_replies(recording_t *c)
{
    GPtrArray *people = c->r->correspondents;
    tw_status_t st = TW_OK;

    if (!c->later)
        return TW_OK;
    for (guint i = 0; i < people->len && st == TW_OK; i++)
        st = tw_store_later_replies(c->store, c->owner_id, c->thread, c->r->direction, c->row,
                                    c->date, people->pdata[i]);
    return st;
}

/* Closes the asks this message answers; *answered counts them. */
static tw_status_t
close_answered(recording_t *c, int *answered)
{
    const tw_reading_t *r = c->r;
    tw_direction_t asks = r->direction == TW_DIR_IN ? TW_DIR_OUT : TW_DIR_IN;
    int n = 0;
    tw_status_t st = TW_OK;

    /* the owner's ask to several people: closed for all when one
     * answers, or only for the one who answered (PerPersonAsks) */
    const char *only = r->direction == TW_DIR_IN && c->cfg->per_person_asks ? c->sender : NULL;

    *answered = 0;
    if (r->msg->references->len > 0) {
        st = tw_store_close_referenced(c->store, c->owner_id, asks, c->row, c->date, only, &n);
        *answered = n;
        return st;
    }
    /* No reply headers: the same thread, answered by (to) the asker. */
    if (r->direction == TW_DIR_IN) {
        if (c->sender != NULL)
            st = tw_store_close_in_thread(c->store, c->owner_id, asks, c->thread, c->sender,
                                          c->date, c->row, c->date, only, &n);
        *answered += n;
        return st;
    }
    for (guint i = 0; i < r->correspondents->len && st == TW_OK; i++) {
        st = tw_store_close_in_thread(c->store, c->owner_id, asks, c->thread,
                                      r->correspondents->pdata[i], c->date, c->row, c->date,
                                      NULL, &n);
        *answered += n;
    }
    return st;
}

/* The earliest answer recorded to the owner's ask of message row (key,
 * asked_at) to whom, opened after the message's other asks: the rules
 * of close_answered() from the other side.  With PerPersonAsks only
 * whom's own answer counts; otherwise an answer by anyone, and the
 * answer of the message's other asks. */
static tw_status_t
find_answer(recording_t *c, gint64 row, const char *key, gint64 thread, gint64 asked_at,
            const char *whom, gint64 *answer, gint64 *answered_at)
{
    bool per_person = c->cfg->per_person_asks;
    gint64 id = 0, date = 0;
    tw_status_t st;

    st = tw_store_find_answer(c->store, c->owner_id, TW_DIR_OUT, key, per_person ? whom : NULL,
                              thread, whom, asked_at, answer, answered_at);
    if (st != TW_OK || per_person)
        return st;
    if ((st = tw_store_message_answer(c->store, row, &id, &date)) == TW_OK && id != 0 &&
        (*answer == 0 || date < *answered_at)) {
        *answer = id;
        *answered_at = date;
    }
    return st;
}

/* Opens the asks of this message to everyone it asks but the people it
 * chases; they are closed at once when their answer was recorded
 * first. */
static tw_status_t
open_asks(recording_t *c, GHashTable *chased)
{
    const tw_reading_t *r = c->r;
    GPtrArray *asked = r->direction == TW_DIR_IN ? r->correspondents : r->askees;
    GPtrArray *whom = g_ptr_array_new();
    const char *msgid = r->msg->message_id ? c->key : NULL;
    bool per_person = r->direction == TW_DIR_OUT && c->cfg->per_person_asks;
    tw_status_t st = TW_OK;
    gint64 best = 0, best_at = 0;

    for (guint i = 0; i < asked->len; i++)
        if (!g_hash_table_contains(chased, asked->pdata[i]))
            g_ptr_array_add(whom, asked->pdata[i]);
    for (guint i = 0; i < whom->len && st == TW_OK; i++)
        st = tw_store_insert_ask(c->store, c->owner_id, c->row, r->direction,
                                 whom->pdata[i], c->thread, c->date);
    /* the answer recorded first: the earliest of any asked person's,
     * which answers them all, or with PerPersonAsks each one's own */
    for (guint i = 0; i < whom->len && st == TW_OK; i++) {
        gint64 answer = 0, answered_at = 0;
        st = tw_store_find_answer(c->store, c->owner_id, r->direction,
                                  i == 0 || per_person ? msgid : NULL,
                                  per_person ? whom->pdata[i] : NULL, c->thread,
                                  whom->pdata[i], c->date, &answer, &answered_at);
        if (st != TW_OK || answer == 0)
            continue;
        c->found_answer = true;
        if (per_person)
            st = tw_store_answer_ask(c->store, c->row, whom->pdata[i], answer, answered_at);
        else if (best == 0 || answered_at < best_at || (answered_at == best_at && answer < best)) {
            best = answer;
            best_at = answered_at;
        }
    }
    if (st == TW_OK && best != 0)
        st = tw_store_answer_ask(c->store, c->row, NULL, best, best_at);
    g_ptr_array_free(whom, TRUE);
    return st;
}

/* The owner writing again in a thread where the owner's asks to the
 * same people were open at this message's date: a chase of those asks.
 * The people chased are added to chased. */
static tw_status_t
count_chases(recording_t *c, GHashTable *chased)
{
    const tw_reading_t *r = c->r;
    tw_status_t st = TW_OK;

    for (guint i = 0; i < r->correspondents->len && st == TW_OK; i++) {
        const char *who = r->correspondents->pdata[i];
        int n = 0;
        st = tw_store_chase(c->store, c->owner_id, c->thread, who, c->date, &n);
        if (st == TW_OK && n > 0)
            g_hash_table_add(chased, (gpointer)who);
    }
    return st;
}

/* A real ask as replay_chases() goes: when it was asked and until when
 * it was open. */
typedef struct {
    gint64 asked_at;
    bool answered;
    gint64 answered_at;
    bool done;
} open_span_t;

/* Whether an ask of spans was open at date. */
static bool
open_at(GArray *spans, gint64 date)
{
    for (guint i = 0; i < spans->len; i++) {
        open_span_t *x = &g_array_index(spans, open_span_t, i);
        if (x->asked_at < date && !x->done && (!x->answered || x->answered_at > date))
            return true;
    }
    return false;
}

/* Goes through the owner's mail to who in thread in date order, as
 * recording it in that order would have: a message that answers
 * nothing while an ask to who is open chases it and asks nothing of
 * who itself; any other message that asks who opens its ask.  Asks
 * opened or left out when their mail came out of order are put right,
 * and the chases counted again. */
static tw_status_t
replay_chases(recording_t *c, gint64 thread, const char *who)
{
    GPtrArray *mail = g_ptr_array_new_with_free_func(tw_follow_up_free);
    GArray *spans = g_array_new(FALSE, FALSE, sizeof(open_span_t));
    tw_status_t st = tw_store_follow_ups(c->store, c->owner_id, thread, who, mail);

    for (guint i = 0; i < mail->len && st == TW_OK; i++) {
        tw_follow_up_t *f = mail->pdata[i];
        bool chase = !f->answers && open_at(spans, f->date);
        bool wanted = f->ask && f->askee && !chase;
        if (wanted && f->ask_id == 0) {
            gint64 answer = 0;
            st = tw_store_insert_ask(c->store, c->owner_id, f->row, TW_DIR_OUT, who, thread,
                                     f->date);
            if (st == TW_OK)
                st = find_answer(c, f->row, f->key, thread, f->date, who, &answer,
                                 &f->answered_at);
            if (st == TW_OK && answer != 0)
                st = tw_store_answer_ask(c->store, f->row, who, answer, f->answered_at);
            f->answered = answer != 0;
            f->ask_id = 1;
        } else if (!wanted && f->ask_id != 0) {
            st = tw_store_delete_ask(c->store, f->ask_id);
            f->ask_id = 0;
        }
        if (f->ask_id != 0) {
            open_span_t x = {f->date, f->answered, f->answered_at, f->done};
            g_array_append_val(spans, x);
        }
    }
    if (st == TW_OK)
        st = tw_store_recount_chases(c->store, c->owner_id, thread, who);
    g_array_free(spans, TRUE);
    g_ptr_array_free(mail, TRUE);
    return st;
}

/* After mail that came out of order: the chases of the thread. */
static tw_status_t
repair_chases(recording_t *c, gint64 thread)
{
    GPtrArray *people = g_ptr_array_new_with_free_func(g_free);
    tw_status_t st = tw_store_thread_askees(c->store, c->owner_id, thread, people);

    for (guint i = 0; i < people->len && st == TW_OK; i++)
        st = replay_chases(c, thread, people->pdata[i]);
    g_ptr_array_free(people, TRUE);
    return st;
}

/* Opens the ask of addr's message m again, answered at once when its
 * answer is recorded; *answered counts those this message answers. */
static tw_status_t
reopen_ask(recording_t *c, const char *addr, const tw_sender_mail_t *m, int *answered)
{
    gint64 answer = 0, answered_at = 0;
    tw_status_t st = tw_store_insert_ask(c->store, c->owner_id, m->row, TW_DIR_IN, addr,
                                         m->thread, m->date);

    if (st == TW_OK)
        st = tw_store_find_answer(c->store, c->owner_id, TW_DIR_IN, m->key, NULL, m->thread, addr,
                                  m->date, &answer, &answered_at);
    if (st == TW_OK && answer != 0)
        st = tw_store_answer_ask(c->store, m->row, NULL, answer, answered_at);
    if (st == TW_OK && answer != 0 && answer == c->row)
        (*answered)++;
    return st;
}

/* addr's message m, bulk by the one-way rule until now, answers the
 * owner's asks it replies to, as close_answered() would have had it
 * been human mail when recorded. */
static tw_status_t
answer_as_restored(recording_t *c, const char *addr, const tw_sender_mail_t *m)
{
    const char *only = c->cfg->per_person_asks ? addr : NULL;
    int n = 0;
    tw_status_t st;

    if (m->thanks)
        return TW_OK;
    if (m->has_reply_headers)
        st = tw_store_close_referenced(c->store, c->owner_id, TW_DIR_OUT, m->row, m->date, only,
                                       &n);
    else
        st = tw_store_close_in_thread(c->store, c->owner_id, TW_DIR_OUT, m->thread, addr, m->date,
                                      m->row, m->date, only, &n);
    if (st == TW_OK && n > 0)
        st = repair_chases(c, m->thread);
    return st;
}

/* The owner's first message to addr is dated written, and the one-way
 * rule made some of addr's mail bulk (or always is set): the rule is
 * applied again to addr's mail in date order, as
 * recording it in that order would have, this message included.  Mail
 * from written on is human mail; mail before it is bulk from the
 * sender's eleventh message on, and what the sender asked before that
 * is set aside; the rest is open, or answered when its answer is
 * recorded.  *answered counts the asks this message answers. */
static tw_status_t
reread_one_way(recording_t *c, const char *addr, gint64 written, bool always, int *answered)
{
    GPtrArray *mail = g_ptr_array_new_with_free_func(tw_sender_mail_free);
    GPtrArray *reopen = g_ptr_array_new();
    GPtrArray *set_aside = g_ptr_array_new_with_free_func(tw_sender_mail_free);
    bool any = always, applied = false;
    gint64 first = G_MININT64;
    int human = 0;
    tw_status_t st = TW_OK;

    if (!any)
        st = tw_store_has_one_way(c->store, c->owner_id, addr, &any);
    if (st == TW_OK && any)
        st = tw_store_sender_mail(c->store, c->owner_id, addr, mail);
    for (guint i = 0; i < mail->len && st == TW_OK; i++) {
        tw_sender_mail_t *m = mail->pdata[i];
        bool one_way = m->date < written && human >= ONE_WAY_AFTER;
        if (m->row == c->row)
            c->one_way = one_way;
        if (!one_way && !m->traffic)
            human++;
        if (one_way && !applied) {
            applied = true;
            first = m->date;
        }
        if (one_way != m->one_way)
            st = tw_store_set_one_way(c->store, m->row, one_way);
        if (st == TW_OK && !one_way && m->one_way)
            st = answer_as_restored(c, addr, m);
        if (!one_way && m->one_way && m->ask)
            g_ptr_array_add(reopen, m);
    }
    if (st == TW_OK && applied)
        st = tw_store_set_aside(c->store, c->owner_id, addr, first, first);
    if (st == TW_OK && any)
        st = tw_store_restore_set_aside(c->store, c->owner_id, addr, first, set_aside);
    for (guint i = 0; i < set_aside->len && st == TW_OK; i++)
        g_ptr_array_add(reopen, set_aside->pdata[i]);
    for (guint i = 0; i < reopen->len && st == TW_OK; i++)
        st = reopen_ask(c, addr, reopen->pdata[i], answered);
    g_ptr_array_free(reopen, TRUE);
    g_ptr_array_free(set_aside, TRUE);
    g_ptr_array_free(mail, TRUE);
    return st;
}

static tw_status_t
record_new(recording_t *c, tw_record_t *out)
{
    const tw_reading_t *r = c->r;
    const tw_message_t *msg = r->msg;
    tw_status_t st;

    st = tw_thread_resolve(c->store, c->cfg, c->owner_id, r, c->key, c->date, &c->thread,
                           &c->new_thread, &c->later);
    if (st != TW_OK)
        return st;
    if (!r->bulk.bulk && r->direction == TW_DIR_IN && c->sender != NULL &&
        (st = tw_store_one_way(c->store, c->owner_id, c->sender, ONE_WAY_AFTER, c->date,
                               &c->one_way, &c->written)) != TW_OK)
        return st;
    /* Mail dated before the owner's first message to its sender,
     * recorded after it: which of the sender's mail is one-way is
     * decided in date order once this message is in. */
    bool reread = c->one_way && c->written != G_MAXINT64 && c->written > c->date;
    if (reread)
        c->one_way = false;
    bool bulk = r->bulk.bulk || c->one_way;
    tw_message_row_t m = {
        .owner_id = c->owner_id,
        .key = c->key,
        .content_key = msg->content_key,
        .thread_id = c->thread,
        .direction = r->direction,
        .sender = msg->from ? msg->from->addr : NULL,
        .date = c->date,
        .subject = msg->subject,
        .in_reply_to = msg->in_reply_to,
        .has_reply_headers = msg->references->len > 0,
        .bulk = bulk,
        .list = r->bulk.list,
        .traffic = r->bulk.list && !r->names_owner && r->direction == TW_DIR_IN,
        /* kept for mail the one-way rule makes bulk: its asks open
         * should the owner write to the sender after all */
        .ask = r->ask,
        .thanks = r->thanks,
        .one_way = c->one_way,
        .score = r->score,
        .cue = r->ask || r->text_ask ? r->text.cue : NULL,
        .recorded_at = (gint64)(g_get_real_time() / G_USEC_PER_SEC),
    };
    if ((st = tw_store_insert_message(c->store, &m, &c->row)) != TW_OK ||
        (st = add_contacts(c)) != TW_OK ||
        (reread && (st = reread_one_way(c, c->sender, c->written, true, &out->answered)) != TW_OK))
        return st;
    out->message_row = c->row;
    out->thread = c->thread;
    if (reread && c->one_way)
        return TW_OK; /* made bulk, and what was open set aside */
    /* a one-way stream asks nothing: what it asked before is set aside */
    if (c->one_way)
        return tw_store_set_aside(c->store, c->owner_id, c->sender, c->date, G_MAXINT64);
    for (guint i = 0; i < c->first_written->len && st == TW_OK; i++)
        st = reread_one_way(c, c->first_written->pdata[i], c->date, false, &out->answered);
    if (st != TW_OK || bulk)
        return st; /* bulk never answers and never asks */
    /* A message that begins its thread has no parent, no earlier reply
     * and no ask before it to answer or to chase: only its own asks are
     * left to open.  A thank-you answers nothing; it is a reply all the
     * same, and may have replies of its own recorded before it. */
    if (r->thanks) {
        if (!c->new_thread && (st = record_reply_time(c)) == TW_OK && c->later &&
            (st = record_earlier_children(c)) == TW_OK)
            st = record_later_replies(c);
        return st;
    }

    int answered = 0;
    if (!c->new_thread && ((st = close_answered(c, &answered)) != TW_OK ||
                           (st = record_reply_time(c)) != TW_OK ||
                           (st = record_earlier_children(c)) != TW_OK ||
                           (st = record_later_replies(c)) != TW_OK))
        return st;
    out->answered += answered;
    GHashTable *chased = g_hash_table_new(g_str_hash, g_str_equal);
    if (r->direction == TW_DIR_OUT && out->answered == 0 && !c->new_thread)
        st = count_chases(c, chased);
    if (st == TW_OK && r->ask) {
        st = open_asks(c, chased);
        c->opened_asks = true;
    }
    g_hash_table_destroy(chased);
    /* Mail dated after this one was recorded first: the owner's later
     * mail in the thread may chase an ask of this message, or no longer
     * chase one this message answers. */
    if (st == TW_OK && c->later &&
        (r->direction == TW_DIR_OUT || answered > 0 || c->found_answer))
        st = repair_chases(c, c->thread);
    return st;
}

static tw_status_t
compute_tags(recording_t *c, tw_record_t *out)
{
    const tw_reading_t *r = c->r;
    tw_tags_t *t = &out->tags;
    tw_status_t st = TW_OK;

    if (r->direction != TW_DIR_IN)
        return TW_OK;
    if (r->ask && !c->one_way) {
        t->ask = true;
        t->score = r->score;
        t->cue = g_strdup(r->text.cue);
    }
    if (r->personal && !c->one_way && c->sender != NULL) {
        t->balance = true;
        t->correspondent = g_strdup(c->sender);
        st = tw_store_balance(c->store, c->owner_id, c->sender, &t->received, &t->sent,
                              &t->you_owe, &t->they_owe);
    }
    /* a thread this message began holds no ask but its own, if any */
    if (st == TW_OK && c->thread != 0 && !(c->new_thread && !c->opened_asks)) {
        st = tw_store_thread_open(c->store, c->owner_id, c->thread, &t->thread_asks, &t->since);
        t->thread = t->thread_asks > 0;
    }
    return st;
}

tw_status_t
tw_ledger_record(tw_store_t *store, const tw_config_t *cfg, const tw_reading_t *r,
                 gint64 now, bool tags, tw_record_t *out, tw_error_t *err)
{
    const tw_message_t *msg = r->msg;
    char *key = tw_message_key(msg);
    recording_t c = {
        .store = store,
        .cfg = cfg,
        .r = r,
        .date = msg->date_valid ? msg->date : now,
        .key = key,
        .sender = r->direction == TW_DIR_IN && r->correspondents->len > 0
                      ? r->correspondents->pdata[0]
                      : NULL,
    };
    tw_status_t st;

    memset(out, 0, sizeof *out);
    c.first_written = g_ptr_array_new();
    if ((st = tw_store_owner(store, r->owner, true, &c.owner_id)) != TW_OK ||
        (st = tw_store_find_message(store, c.owner_id, key, msg->content_key, &c.row)) != TW_OK)
        goto fail;
    if (c.row != 0) {
        out->message_row = c.row;
        st = tw_store_thread_of_id(store, c.owner_id, key, &c.thread);
        out->thread = c.thread;
    } else {
        out->recorded = true;
        st = record_new(&c, out);
    }
    if (st == TW_OK && tags)
        st = compute_tags(&c, out);
    if (st != TW_OK)
        goto fail;
    g_ptr_array_free(c.first_written, TRUE);
    g_free(key);
    return TW_OK;
fail:
    tw_error_set(err, "%s: %s", tw_store_path(store), tw_store_error(store));
    tw_record_clear(out);
    g_ptr_array_free(c.first_written, TRUE);
    g_free(key);
    return st;
}

tw_status_t
tw_ledger_record_one(tw_store_t *store, const tw_config_t *cfg, const tw_reading_t *r,
                     gint64 now, tw_record_t *out, tw_error_t *err)
{
    tw_status_t st = tw_store_begin(store);

    if (st != TW_OK) {
        memset(out, 0, sizeof *out);
        tw_error_set(err, "%s: %s", tw_store_path(store), tw_store_error(store));
        return st;
    }
    st = tw_ledger_record(store, cfg, r, now, true, out, err);
    if (st != TW_OK) {
        tw_store_rollback(store);
        return st;
    }
    if ((st = tw_store_commit(store)) != TW_OK) {
        tw_error_set(err, "%s: %s", tw_store_path(store), tw_store_error(store));
        tw_record_clear(out);
    }
    return st;
}

void
tw_record_clear(tw_record_t *rec)
{
    tw_tags_clear(&rec->tags);
}

/* The owner's id and the row of the message recorded under key or
 * content_key, each 0 when there is none: a look that writes nothing. */
static tw_status_t
find_recorded(tw_store_t *store, const char *owner, const char *key, const char *content_key,
              gint64 *owner_id, gint64 *row)
{
    tw_status_t st = tw_store_owner(store, owner, false, owner_id);

    *row = 0;
    if (st == TW_OK && *owner_id != 0)
        st = tw_store_find_message(store, *owner_id, key, content_key, row);
    return st;
}

tw_status_t
tw_ledger_known(tw_store_t *store, const char *owner, const char *key, const char *content_key,
                bool *known, tw_error_t *err)
{
    gint64 owner_id = 0, row = 0;
    tw_status_t st = find_recorded(store, owner, key, content_key, &owner_id, &row);

    *known = row != 0;
    if (st != TW_OK)
        tw_error_set(err, "%s: %s", tw_store_path(store), tw_store_error(store));
    return st;
}

tw_status_t
tw_ledger_one_way(tw_store_t *store, const tw_reading_t *r, gint64 now, tw_one_way_t *out)
{
    const tw_message_t *msg = r->msg;
    const char *sender = r->correspondents->len > 0 ? r->correspondents->pdata[0] : NULL;
    gint64 owner_id = 0, row = 0;
    tw_status_t st;

    memset(out, 0, sizeof *out);
    if (r->direction != TW_DIR_IN || r->bulk.bulk || sender == NULL)
        return TW_OK;
    char *key = tw_message_key(msg);
    st = find_recorded(store, r->owner, key, msg->content_key, &owner_id, &row);
    g_free(key);
    if (st != TW_OK || owner_id == 0)
        return st;
    out->recorded = row != 0;
    if (row != 0) {
        if ((st = tw_store_message_one_way(store, row, &out->one_way)) == TW_OK && !out->one_way)
            st = tw_store_message_set_aside(store, row, &out->set_aside);
    } else {
        st = tw_store_one_way(store, owner_id, sender, ONE_WAY_AFTER,
                              msg->date_valid ? msg->date : now, &out->one_way, NULL);
    }
    if (st != TW_OK)
        return st;
    if (out->one_way && out->recorded)
        out->reason = g_strdup_printf("one-way sender: recorded as bulk, %s having mailed the "
                                      "owner %d times before without a message from the owner",
                                      sender, ONE_WAY_AFTER);
    else if (out->one_way)
        out->reason = g_strdup_printf("one-way sender: %s has mailed the owner %d times or more "
                                      "without a message from the owner",
                                      sender, ONE_WAY_AFTER);
    else if (out->set_aside)
        out->reason = g_strdup_printf("its ask was set aside: %s has since mailed the owner more "
                                      "than %d times without a message from the owner",
                                      sender, ONE_WAY_AFTER);
    return TW_OK;
}

void
tw_one_way_clear(tw_one_way_t *ow)
{
    g_free(ow->reason);
    memset(ow, 0, sizeof *ow);
}
