/* reading.c - direction, addressing and the ask verdict for one owner. */
#include "reading.h"

#include <string.h>

#include "text.h"

static void
why(tw_reading_t *r, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

static void
why(tw_reading_t *r, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    g_ptr_array_add(r->why, g_strdup_vprintf(fmt, ap));
    va_end(ap);
}

static bool
contains_identity(const tw_config_t *cfg, const char *owner, GPtrArray *mailboxes,
                  const char **name)
{
    for (guint i = 0; i < mailboxes->len; i++) {
        tw_mailbox_t *mb = mailboxes->pdata[i];
        if (tw_config_is_identity(cfg, owner, mb->addr)) {
            if (name)
                *name = mb->name;
            return true;
        }
    }
    return false;
}

static void
add_unique(GPtrArray *list, const char *addr)
{
    for (guint i = 0; i < list->len; i++)
        if (strcmp(list->pdata[i], addr) == 0)
            return;
    g_ptr_array_add(list, g_strdup(addr));
}

/* The addresses of the mailing list a message came through, from its
 * List-Post, X-Mailing-List and List-Id headers: a list is not a
 * person to answer or to owe. */
static GPtrArray *
list_addresses(const tw_config_t *cfg, const tw_message_t *msg)
{
    GPtrArray *out = g_ptr_array_new_with_free_func(g_free);
    const char *post = tw_message_header(msg, "List-Post");
    const char *xml = tw_message_header(msg, "X-Mailing-List");
    const char *id = tw_message_header(msg, "List-Id");
    char *a;

    if (post != NULL && (post = strstr(post, "mailto:")) != NULL) {
        char *copy = g_strndup(post + 7, strcspn(post + 7, ">?, "));
        if ((a = tw_config_normalise(cfg, copy)) != NULL)
            g_ptr_array_add(out, a);
        g_free(copy);
    }
    if (xml != NULL && (a = tw_config_normalise(cfg, xml)) != NULL)
        g_ptr_array_add(out, a);
    if (id != NULL) {
        /* "Name <list.host.example>" -> list@host.example */
        const char *lt = strrchr(id, '<');
        char *copy = g_strndup(lt ? lt + 1 : id, strcspn(lt ? lt + 1 : id, "> "));
        char *dot = strchr(copy, '.');
        if (dot != NULL && strchr(copy, '@') == NULL) {
            *dot = '@';
            if ((a = tw_config_normalise(cfg, copy)) != NULL)
                g_ptr_array_add(out, a);
        }
        g_free(copy);
    }
    return out;
}

static bool
in_list(GPtrArray *list, const char *addr)
{
    for (guint i = 0; i < list->len; i++)
        if (strcmp(list->pdata[i], addr) == 0)
            return true;
    return false;
}

/* Adds the addresses of mailboxes that are neither the owner's nor a
 * mailing list's. */
static void
add_others(const tw_config_t *cfg, const char *owner, GPtrArray *mailboxes,
           GPtrArray *lists, GPtrArray *out)
{
    for (guint i = 0; i < mailboxes->len; i++) {
        tw_mailbox_t *mb = mailboxes->pdata[i];
        if (!tw_config_is_identity(cfg, owner, mb->addr) && !in_list(lists, mb->addr))
            add_unique(out, mb->addr);
    }
}

static void
decide_direction(const tw_config_t *cfg, const tw_message_t *msg, const char *owner,
                 tw_direction_hint_t hint, tw_reading_t *r)
{
    const char *from = msg->from ? msg->from->addr : NULL;

    switch (hint) {
    case TW_HINT_IN:
        r->direction = TW_DIR_IN;
        why(r, "incoming: recorded as received");
        break;
    case TW_HINT_OUT:
        r->direction = TW_DIR_OUT;
        why(r, "outgoing: recorded as sent by %s", owner);
        break;
    case TW_HINT_AUTO:
        if (from != NULL && tw_config_is_identity(cfg, owner, from)) {
            r->direction = TW_DIR_OUT;
            why(r, "outgoing: From %s is the owner", from);
        } else {
            r->direction = TW_DIR_IN;
            why(r, "incoming: From %s is not the owner %s", from ? from : "(none)", owner);
        }
        break;
    }
}

static void
read_addressing(const tw_config_t *cfg, const tw_message_t *msg, const char *owner,
                tw_reading_t *r, const char **owner_name)
{
    bool in_to = contains_identity(cfg, owner, msg->to, owner_name);
    bool in_cc = !in_to && contains_identity(cfg, owner, msg->cc, owner_name);
    GPtrArray *lists = r->lists;

    r->names_owner = in_to || in_cc;
    r->role = in_to ? TW_READER_TO : in_cc ? TW_READER_CC : TW_READER_UNSEEN;

    if (msg->from != NULL && !tw_config_is_identity(cfg, owner, msg->from->addr))
        add_unique(r->participants, msg->from->addr);
    add_others(cfg, owner, msg->to, lists, r->participants);
    add_others(cfg, owner, msg->cc, lists, r->participants);

    if (r->direction == TW_DIR_IN) {
        if (msg->from != NULL && !tw_config_is_identity(cfg, owner, msg->from->addr))
            add_unique(r->correspondents, msg->from->addr);
    } else {
        add_others(cfg, owner, msg->to, lists, r->correspondents);
        add_others(cfg, owner, msg->cc, lists, r->correspondents);
        add_others(cfg, owner, msg->bcc, lists, r->correspondents);
        add_others(cfg, owner, msg->to, lists, r->askees);
        if (r->askees->len == 0)
            add_others(cfg, owner, msg->cc, lists, r->askees);
    }
}

/* Why bulk mail asks nothing, as judge_ask() and tw_reading_set_bulk()
 * say it. */
static const char bulk_text_asks_nobody[] =
    "the text of bulk mail asks nobody: its requests are calls to action";
static const char bulk_asks_nobody[] = "not an ask: bulk mail asks nobody";

/* Whom the greeting names: the owner, another reader in To or Cc, or
 * nobody. */
static tw_greeting_t
greeting(const tw_config_t *cfg, const tw_message_t *msg, const tw_reading_t *r,
         const char *owner_name)
{
    GPtrArray *const lists[] = {msg->to, msg->cc};
    GPtrArray *others = g_ptr_array_new();

    for (size_t k = 0; k < G_N_ELEMENTS(lists); k++)
        for (guint i = 0; i < lists[k]->len; i++) {
            tw_mailbox_t *mb = lists[k]->pdata[i];
            if (!tw_config_is_identity(cfg, r->owner, mb->addr))
                g_ptr_array_add(others, mb);
        }
    tw_greeting_t g = tw_ask_greeting(&r->text, owner_name, r->owner, others);
    g_ptr_array_free(others, TRUE);
    return g;
}

static void
judge_ask(const tw_config_t *cfg, const tw_message_t *msg, tw_reading_t *r,
          const char *owner_name)
{
    double t = cfg->ask_threshold;

    r->text_ask = r->text.score >= t;
    if (r->text.cue != NULL)
        why(r, "text score %.2f (threshold %.2f), cue: \"%s\"", r->text.score, t, r->text.cue);
    else
        why(r, "text score %.2f: no sentence asks", r->text.score);
    /* What a mailing, an auto-reply or a report asks is a call to action
     * to all its readers, not a question to answer. */
    if (r->text_ask && r->bulk.bulk) {
        r->text_ask = false;
        why(r, "%s", bulk_text_asks_nobody);
    }

    if (r->direction == TW_DIR_OUT) {
        r->score = r->text.score;
        r->ask = r->text_ask && !r->bulk.bulk && r->askees->len > 0;
        if (r->text_ask && r->askees->len == 0)
            why(r, "not an ask: nobody but the owner is addressed");
        return;
    }

    r->score = tw_ask_for_reader(r->text.score, r->role, tw_message_recipient_count(msg),
                                 greeting(cfg, msg, r, owner_name), r->why);
    if (r->score != r->text.score)
        why(r, "score for the owner: %.2f", r->score);
    r->ask = r->score >= t;
    if (!r->ask)
        return;
    if (r->bulk.bulk) {
        r->ask = false;
        why(r, "%s", bulk_asks_nobody);
    } else if (r->bulk.list && !r->names_owner && !cfg->list_asks) {
        r->ask = false;
        why(r, "not an ask: list traffic that does not name the owner");
    } else if (r->correspondents->len == 0) {
        r->ask = false;
        why(r, "not an ask: no sender to answer");
    }
}

void
tw_read(const tw_config_t *cfg, const tw_message_t *msg, const char *owner,
        tw_direction_hint_t hint, tw_reading_t *r)
{
    const char *owner_name = NULL;

    memset(r, 0, sizeof *r);
    r->msg = msg;
    r->owner = owner;
    r->correspondents = g_ptr_array_new_with_free_func(g_free);
    r->askees = g_ptr_array_new_with_free_func(g_free);
    r->participants = g_ptr_array_new_with_free_func(g_free);
    r->why = g_ptr_array_new_with_free_func(g_free);
    r->lists = list_addresses(cfg, msg);

    decide_direction(cfg, msg, owner, hint, r);
    tw_bulk_judge(msg, &r->bulk);
    for (guint i = 0; i < r->bulk.reasons->len; i++)
        why(r, "%s", (const char *)r->bulk.reasons->pdata[i]);
    read_addressing(cfg, msg, owner, r, &owner_name);
    if (r->bulk.list)
        why(r, "list mail: %s", r->bulk.list_id);
    if (r->bulk.list)
        why(r, r->names_owner ? "list mail naming the owner in To or Cc: personal"
                              : "list traffic: the owner is not in To or Cc");
    r->personal = !r->bulk.bulk && (!r->bulk.list || r->names_owner);
    r->fresh = tw_text_fresh(msg->text->str);
    /* "[PATCH 2/3] ...": the commit message's imperatives ask nobody */
    if (msg->subject != NULL && strstr(msg->subject, "[PATCH") != NULL)
        tw_ask_detect_patch(r->fresh, &r->text);
    else
        tw_ask_detect(r->fresh, &r->text);
    judge_ask(cfg, msg, r, owner_name);
    r->thanks = tw_ask_is_thanks(r->fresh);
    if (r->thanks)
        why(r, "only thanks: answers no ask");
}

void
tw_reading_clear(tw_reading_t *r)
{
    tw_bulk_clear(&r->bulk);
    tw_ask_clear(&r->text);
    g_free(r->fresh);
    if (r->correspondents)
        g_ptr_array_free(r->correspondents, TRUE);
    if (r->askees)
        g_ptr_array_free(r->askees, TRUE);
    if (r->participants)
        g_ptr_array_free(r->participants, TRUE);
    if (r->why)
        g_ptr_array_free(r->why, TRUE);
    if (r->lists)
        g_ptr_array_free(r->lists, TRUE);
    memset(r, 0, sizeof *r);
}

void
tw_reading_set_bulk(tw_reading_t *r, const char *reason)
{
    if (r->bulk.bulk)
        return;
    r->bulk.bulk = true;
    g_ptr_array_add(r->bulk.reasons, g_strdup(reason));
    why(r, "%s", reason);
    r->personal = false;
    if (r->text_ask) {
        r->text_ask = false;
        why(r, "%s", bulk_text_asks_nobody);
    }
    if (r->ask) {
        r->ask = false;
        why(r, "%s", bulk_asks_nobody);
    }
}

bool
tw_reading_is_nobody(const tw_config_t *cfg, const tw_reading_t *r, const char *addr)
{
    return tw_config_is_identity(cfg, r->owner, addr) || in_list(r->lists, addr);
}

static const char *
configured_owner_in(const tw_config_t *cfg, GPtrArray *mailboxes)
{
    for (guint i = 0; i < mailboxes->len; i++) {
        tw_mailbox_t *mb = mailboxes->pdata[i];
        const char *o = tw_config_owner_of(cfg, mb->addr);
        if (o != NULL)
            return o;
    }
    return NULL;
}

char *
tw_reading_owner(const tw_config_t *cfg, const tw_message_t *msg)
{
    const char *o;

    for (guint i = 0; i < msg->delivered_to->len; i++)
        if ((o = tw_config_owner_of(cfg, msg->delivered_to->pdata[i])) != NULL)
            return g_strdup(o);
    if ((o = configured_owner_in(cfg, msg->to)) || (o = configured_owner_in(cfg, msg->cc)))
        return g_strdup(o);
    if (msg->from != NULL && (o = tw_config_owner_of(cfg, msg->from->addr)) != NULL)
        return g_strdup(o);
    if (cfg->owners->len > 0)
        return g_strdup(cfg->owners->pdata[0]);
    if (msg->delivered_to->len > 0)
        return g_strdup(msg->delivered_to->pdata[0]);
    return NULL;
}
