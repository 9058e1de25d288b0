/* thread.c - thread resolution and subject normalisation. */
#include "thread.h"

#include <string.h>

/* Length of a reply or forward prefix ("Re:", "RE[2]:", "AW:",
 * "Fwd:") at s, or 0. */
static size_t
prefix_length(const char *s)
{
    static const char *const words[] = {
        "re", "aw", "fwd", "fw", "wg", "tr", "sv", "vs", "antw", "rif", "r", "ref",
        "réf", "rv", "enc", "res", "odp", "atb",
    };

    for (size_t i = 0; i < G_N_ELEMENTS(words); i++) {
        size_t n = strlen(words[i]);
        if (g_ascii_strncasecmp(s, words[i], n) != 0)
            continue;
        const char *p = s + n;
        if (*p == '[' || *p == '(') { /* "Re[2]:" */
            char close = *p == '[' ? ']' : ')';
            p++;
            while (g_ascii_isdigit(*p))
                p++;
            if (*p++ != close)
                continue;
        }
        while (*p == ' ')
            p++;
        if (*p == ':' || (strncmp(p, "\xef\xbc\x9a", 3) == 0)) /* ':' or fullwidth */
            return (size_t)(p - s) + (*p == ':' ? 1 : 3);
    }
    return 0;
}

char *
tw_thread_subject(const char *subject)
{
    const char *p = subject ? subject : "";
    GString *out = g_string_new(NULL);
    bool changed = true;

    while (changed) {
        changed = false;
        while (*p && g_ascii_isspace(*p))
            p++;
        size_t n = prefix_length(p);
        if (n > 0) {
            p += n;
            changed = true;
        } else if (*p == '[') { /* "[list-name]" */
            const char *close = strchr(p, ']');
            if (close != NULL && close - p < 64) {
                p = close + 1;
                changed = true;
            }
        }
    }
    bool space = false;
    for (; *p; p++) {
        if (g_ascii_isspace(*p)) {
            space = out->len > 0;
            continue;
        }
        if (space)
            g_string_append_c(out, ' ');
        space = false;
        g_string_append_c(out, g_ascii_tolower(*p));
    }
    return g_string_free(out, FALSE);
}

/* The thread with the same subject and people, for mail without reply
 * headers. */
static tw_status_t
thread_by_subject(tw_store_t *store, const tw_config_t *cfg, gint64 owner_id,
                  const tw_reading_t *r, const char *subject, gint64 date, gint64 *thread)
{
    gint64 window = (gint64)cfg->thread_window_days * 86400;
    const char *people[TW_STORE_PEOPLE] = {NULL};

    *thread = 0;
    if (*subject == '\0' || r->participants->len == 0)
        return TW_OK;
    /* The sender and the first recipients are enough to recognise the
     * people of a thread; a long distribution list adds nothing. */
    for (guint i = 0; i < r->participants->len && i < TW_STORE_PEOPLE; i++)
        people[i] = r->participants->pdata[i];
    return tw_store_thread_by_subject(store, owner_id, subject, people, date - window,
                                      date + window, thread);
}

tw_status_t
tw_thread_resolve(tw_store_t *store, const tw_config_t *cfg, gint64 owner_id,
                  const tw_reading_t *r, const char *key, gint64 date, gint64 *thread,
                  bool *created, bool *later)
{
    const tw_message_t *msg = r->msg;
    GPtrArray *ids = g_ptr_array_new();
    GArray *found = g_array_new(FALSE, FALSE, sizeof(gint64));
    char *subject = tw_thread_subject(msg->subject);
    tw_status_t st = TW_OK;

    *thread = 0;
    *created = false;
    *later = false;
    g_ptr_array_add(ids, (gpointer)key);
    for (guint i = 0; i < msg->references->len; i++)
        g_ptr_array_add(ids, msg->references->pdata[i]);

    for (guint i = 0; i < ids->len && st == TW_OK; i++) {
        gint64 t;
        st = tw_store_thread_of_id(store, owner_id, ids->pdata[i], &t);
        if (st == TW_OK && t != 0) {
            if (*thread == 0 || t < *thread)
                *thread = t;
            g_array_append_val(found, t);
        }
    }
    /* Threads that this message shows to be one are merged. */
    for (guint i = 0; i < found->len && st == TW_OK; i++) {
        gint64 t = g_array_index(found, gint64, i);
        if (t != *thread) {
            st = tw_store_thread_merge(store, *thread, t);
            for (guint j = i + 1; j < found->len; j++)
                if (g_array_index(found, gint64, j) == t)
                    g_array_index(found, gint64, j) = *thread;
        }
    }
    if (st == TW_OK && *thread == 0 && msg->references->len == 0)
        st = thread_by_subject(store, cfg, owner_id, r, subject, date, thread);
    if (st == TW_OK && *thread == 0) {
        st = tw_store_thread_create(store, owner_id, subject, date, thread);
        *created = st == TW_OK;
    }
    for (guint i = 0; i < ids->len && st == TW_OK; i++)
        st = tw_store_bind_id(store, owner_id, ids->pdata[i], *thread);
    /* a new thread has this message's date already */
    if (st == TW_OK && !*created)
        st = tw_store_thread_touch(store, *thread, date, later);

    g_free(subject);
    g_array_free(found, TRUE);
    g_ptr_array_free(ids, TRUE);
    return st;
}
