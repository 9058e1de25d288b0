/* bulk.c - the rules that tell bulk and list mail from personal mail. */
#include "bulk.h"

#include <string.h>

#include "address.h"
#include "tags.h"
#include "text.h"

static void
reason(tw_bulk_t *b, bool is_bulk, const char *fmt, ...) G_GNUC_PRINTF(3, 4);

/* Adds a reason; is_bulk says it makes the message bulk. */
static void
reason(tw_bulk_t *b, bool is_bulk, const char *fmt, ...)
{
    va_list ap;
    char *text, *clean;

    va_start(ap, fmt);
    text = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    /* Reasons quote header values: keep them short and on one line. */
    clean = g_utf8_make_valid(text, -1);
    g_free(text);
    for (char *p = clean; *p; p++)
        if (*p == '\r' || *p == '\n' || *p == '\t')
            *p = ' ';
    if (g_utf8_strlen(clean, -1) > 100) {
        char *cut = g_utf8_offset_to_pointer(clean, 100);
        *cut = '\0';
    }
    if (is_bulk)
        b->bulk = true;
    g_ptr_array_add(b->reasons, clean);
}

bool
tw_bulk_is_noreply_address(const char *addr)
{
    static const char *const locals[] = {
        "noreply", "no-reply", "no_reply", "donotreply", "do-not-reply",
        "do_not_reply", "mailer-daemon", "postmaster", "bounce", "bounces",
        "notifications", "notification", "notify", "newsletter", "newsletters",
        "mailer", "auto-reply", "autoreply", "auto-confirm", "daemon", "alerts",
        "alert", "announcements", "announce", "marketing", "promotions", "news",
        "digest", "updates", "info-noreply",
    };
    char local[128];
    const char *at;
    size_t n;

    if (addr == NULL)
        return false;
    at = strchr(addr, '@');
    n = at ? (size_t)(at - addr) : strlen(addr);
    if (n == 0 || n >= sizeof local)
        return false;
    memcpy(local, addr, n);
    local[n] = '\0';
    for (size_t i = 0; i < G_N_ELEMENTS(locals); i++) {
        size_t k = strlen(locals[i]);
        /* the whole local part, or a prefix followed by a separator:
         * "noreply", "no-reply-1234", "bounces+abc" */
        if (g_ascii_strncasecmp(local, locals[i], k) == 0 &&
            (local[k] == '\0' || strchr("-+._", local[k]) != NULL))
            return true;
    }
    /* or as one word of it: "enron_update", "it.alerts" */
    static const char *const words[] = {
        "update", "updates", "alerts", "notification", "notifications", "newsletter",
        "announcements", "announce", "mailer", "bounce", "bounces",
    };
    char **tokens = g_strsplit_set(local, "._+-", -1);
    bool hit = false;
    for (char **t = tokens + 1; *tokens && *t && !hit; t++)
        for (size_t i = 0; i < G_N_ELEMENTS(words) && !hit; i++)
            hit = g_ascii_strcasecmp(*t, words[i]) == 0;
    g_strfreev(tokens);
    if (hit)
        return true;
    return strstr(local, "noreply") != NULL || strstr(local, "no-reply") != NULL ||
           strstr(local, "no.address") != NULL || strstr(local, "noaddress") != NULL ||
           strstr(local, "donotreply") != NULL || strstr(local, "daemon") != NULL ||
           strstr(local, "rssfeed") != NULL || g_str_has_suffix(local, "-bounces");
}

static bool
has_header(const tw_message_t *msg, const char *name)
{
    return tw_message_header(msg, name) != NULL;
}

/* Case-insensitive substring; needle is in lower case. */
static bool
contains(const char *s, const char *needle)
{
    char lower = g_ascii_tolower(needle[0]), upper = g_ascii_toupper(needle[0]);
    size_t n = strlen(needle);

    for (; s && *s; s++)
        if ((*s == lower || *s == upper) && g_ascii_strncasecmp(s, needle, n) == 0)
            return true;
    return false;
}

static bool
starts_with(const char *s, const char *prefix)
{
    return s != NULL && g_ascii_strncasecmp(s, prefix, strlen(prefix)) == 0;
}

/* Subjects auto-responders write. */
static bool
is_auto_reply_subject(const char *subject)
{
    static const char *const prefixes[] = {
        "Out of Office", "Out of the office", "Automatic reply", "Auto reply",
        "Autoreply", "Auto-reply", "Auto Response", "Autoresponse",
        "Abwesenheitsnotiz", "Automatische Antwort", "Réponse automatique",
        "Respuesta automática", "Delivery Status Notification",
        "Undeliverable:", "Undelivered Mail Returned", "Mail delivery failed",
        "Returned mail:", "Delivery failure", "Read:", "Read receipt",
        "Gelesen:", "Lu :", "Leído:",
    };

    if (subject == NULL)
        return false;
    for (size_t i = 0; i < G_N_ELEMENTS(prefixes); i++)
        if (starts_with(subject, prefixes[i]))
            return true;
    return false;
}

/* Headers that bulk senders and their software put on mail. */
static const char *const vendor_headers[] = {
    "X-Campaign", "X-CampaignID", "X-Campaign-Id",
    "X-Mailchimp-Campaign", "X-MC-User", "X-SFMC-Stack", "X-Mailgun-Tag",
    "X-SG-EID", "X-MSYS-API", "X-Marketo-Id", "X-CSA-Complaints",
    "X-Newsletter", "X-Report-Abuse-To", "X-Auto-Response-Suppress-Bulk",
    "X-Autoreply", "X-Autorespond", "X-Autoresponder", "X-Auto-Reply",
};

static void
judge_auto(const tw_message_t *msg, tw_bulk_t *b)
{
    const char *v;

    v = tw_message_header(msg, "Auto-Submitted");
    if (v != NULL && g_ascii_strncasecmp(v, "no", 2) != 0)
        reason(b, true, "Auto-Submitted: %s", v);
    /* Lists such as vger's mark every post "Precedence: bulk": there it
     * says list, not bulk. */
    v = tw_message_header(msg, "Precedence");
    if (v != NULL && ((!b->list && (contains(v, "bulk") || contains(v, "junk"))) ||
                      contains(v, "auto_reply") || contains(v, "auto-reply")))
        reason(b, true, "Precedence: %s", v);
    for (size_t i = 0; i < G_N_ELEMENTS(vendor_headers); i++)
        if (has_header(msg, vendor_headers[i]))
            reason(b, true, "%s header", vendor_headers[i]);
    /* Feedback-ID marks bulk senders' mail, but some mailbox providers
     * stamp every message their users send. */
    v = tw_message_header(msg, "Feedback-ID");
    if (v != NULL && !contains(v, "fastmail") && !contains(v, ":user:") && !b->list)
        reason(b, true, "Feedback-ID: %s", v);
    v = tw_message_header(msg, "X-Auto-Response-Suppress");
    if (v != NULL && (contains(v, "oof") || contains(v, "autoreply")) &&
        has_header(msg, "X-MS-Exchange-Generated-Message-Source"))
        reason(b, true, "Exchange generated message");
    if (msg->return_path != NULL && msg->return_path[0] == '\0')
        reason(b, true, "null return path <>");
    if (msg->content_type != NULL &&
        strcmp(msg->content_type, "multipart/report") == 0)
        reason(b, true, "multipart/report%s%s", msg->report_type ? "; " : "",
               msg->report_type ? msg->report_type : "");
    if (msg->from != NULL && tw_bulk_is_noreply_address(msg->from->addr))
        reason(b, true, "sender %s takes no replies", msg->from->addr);
    if (is_auto_reply_subject(msg->subject))
        reason(b, true, "auto-reply subject \"%s\"", msg->subject);
    v = tw_message_header(msg, "X-Spam-Flag");
    if (v != NULL && starts_with(v, "yes"))
        reason(b, true, "X-Spam-Flag: YES");
}

/* List headers (RFC 2369, RFC 2919) and older conventions.  A list
 * that names no address to post to is an announcement list: bulk. */
static void
judge_list(const tw_message_t *msg, tw_bulk_t *b)
{
    const char *list_id = tw_message_header(msg, "List-Id");
    const char *post = tw_message_header(msg, "List-Post");
    const char *unsub = tw_message_header(msg, "List-Unsubscribe");
    const char *precedence = tw_message_header(msg, "Precedence");
    const char *sender = tw_message_header(msg, "Sender");
    const char *errors_to = tw_message_header(msg, "Errors-To");
    /* older list software shows itself in Sender and Errors-To */
    bool list_sender = (sender && (contains(sender, "owner-") || contains(sender, "-owner@") ||
                                   contains(sender, "-admin@") ||
                                   contains(sender, "-request@") || contains(sender, "-bounces"))) ||
                       (errors_to && (contains(errors_to, "owner-") ||
                                      contains(errors_to, "-admin@") ||
                                      contains(errors_to, "-bounces")));
    bool listish = list_id || post || has_header(msg, "Mailing-List") ||
                   has_header(msg, "X-Mailing-List") || has_header(msg, "List-Subscribe") ||
                   (precedence && contains(precedence, "list")) ||
                   has_header(msg, "X-BeenThere") || list_sender;
    /* "NO", possibly followed by a comment: "NO (posting not allowed)" */
    bool can_post = post != NULL &&
                    !(g_ascii_strncasecmp(post, "NO", 2) == 0 &&
                      (post[2] == '\0' || post[2] == ' ' || post[2] == '\t' || post[2] == '('));

    if (listish) {
        const char *name = list_id ? list_id : tw_message_header(msg, "X-Mailing-List");
        b->list = true;
        b->list_id = tw_tags_clean_text(name ? name : "(unnamed list)", 100);
    }
    if (unsub != NULL && !can_post && !has_header(msg, "Mailing-List") &&
        !has_header(msg, "X-Mailing-List") && !has_header(msg, "X-BeenThere"))
        reason(b, true, "List-Unsubscribe without List-Post (newsletter)");
    else if (post != NULL && !can_post)
        reason(b, true, "announce-only list (List-Post: NO)");
}

/* Software that sends mail in bulk names itself in X-Mailer. */
static void
judge_mailer(const tw_message_t *msg, tw_bulk_t *b)
{
    static const char *const mailers[] = {
        "accucast", "lyris", "listmanager", "mailking", "constant contact", "mailchimp",
        "sendgrid", "interspire", "phplist", "campaign", "bulk", "mass mail", "e-mail marketing",
        "emailmarketing", "sendblaster", "group mail",
    };
    const char *v = tw_message_header(msg, "X-Mailer");

    for (size_t i = 0; v != NULL && i < G_N_ELEMENTS(mailers); i++)
        if (contains(v, mailers[i])) {
            reason(b, true, "X-Mailer: %s", v);
            return;
        }
}

/* Mail sent from a list host or a newsletter host itself. */
static void
judge_sender_host(const tw_message_t *msg, tw_bulk_t *b)
{
    static const char *const hosts[] = {
        "newsletter", "newsletters", "news.", "list.", "lists.", "mailer.", "mailing.",
        "email.", "e-mail.", "bounce.", "updates.", "notify.", "alerts.", "campaign",
    };
    const char *domain = msg->from ? strchr(msg->from->addr, '@') : NULL;

    /* lists rewrite From to their own address ("Ann via the list") */
    if (domain == NULL || b->list)
        return;
    domain++;
    for (size_t i = 0; i < G_N_ELEMENTS(hosts); i++)
        if (starts_with(domain, hosts[i])) {
            reason(b, true, "sent from a mailing host (%s)", domain);
            return;
        }
}

/* Text that speaks of subscriptions and removal, or of offers, is a
 * sender's to many: a discussion list's footer (the list names where to
 * post) does not count. */
static void
judge_marketing_text(const tw_message_t *msg, tw_bulk_t *b)
{
    static const char *const phrases[] = {
        "unsubscribe", "to be removed", "remove yourself", "removed from our", "opt-out",
        "opt out", "you are receiving this", "you received this", "you are subscribed",
        "update your preferences", "manage your subscription", "email preferences",
        "click here", "special offer", "limited time", "order now", "buy now", "act now",
        "free trial", "100% free", "no obligation", "money back", "satisfaction guaranteed",
        "risk free", "risk-free", "call now", "lowest price", "save up to", "view it in your browser",
        "view this email", "privacy policy", "this message was sent to",
        "you have received this", "you're receiving this", "you subscribed",
        "you're subscribed", "to stop receiving", "all rights reserved", "tell a friend",
        "forward to a friend", "from this mailing list", "from our mailing list",
        "from our list", "change your subscription", "call today", "order today",
        "visit our website", "visit our web site", "toll free", "toll-free", "fill out the form",
    };
    const char *post = tw_message_header(msg, "List-Post");
    char *lower;
    int hits = 0;

    /* a person who replies to a mailing is not a mailing */
    if (post != NULL || msg->text->len == 0 || msg->in_reply_to != NULL)
        return;
    lower = tw_text_lower(msg->text->str, (gssize)MIN(msg->text->len, 200000), FALSE);
    /* nor one who forwards it, with the forwarded message marked as such
     * (spam often only pretends, with "Fw:" in the subject) */
    if ((starts_with(msg->subject, "fw:") || starts_with(msg->subject, "fwd:")) &&
        (strstr(lower, "original message") != NULL || strstr(lower, "forwarded") != NULL)) {
        g_free(lower);
        return;
    }
    for (size_t i = 0; i < G_N_ELEMENTS(phrases) && hits < 3; i++)
        hits += strstr(lower, phrases[i]) != NULL;
    g_free(lower);
    /* two such phrases, or one in mail read from its HTML */
    if (hits >= 2 || (hits >= 1 && msg->text_from_html))
        reason(b, true, "text of a mailing: %d subscription or offer phrase(s)%s", hits,
               msg->text_from_html ? ", read from HTML" : "");
}

/* Whether addr is the list's own address: named in List-Post, or the
 * List-Id "<name.host>" of an address name@host. */
static bool
is_list_address(const tw_message_t *msg, const char *addr)
{
    const char *post = tw_message_header(msg, "List-Post");
    const char *id = tw_message_header(msg, "List-Id");
    char *dotted = g_strdup(addr), *at = strchr(dotted, '@');
    bool yes;

    if (at != NULL)
        *at = '.';
    yes = (post != NULL && contains(post, addr)) || (id != NULL && contains(id, dotted));
    g_free(dotted);
    return yes;
}

/* Mail its sender addressed to itself alone: the readers were in Bcc,
 * as in mass mailings. */
static void
judge_self_addressed(const tw_message_t *msg, tw_bulk_t *b)
{
    const char *addr;

    if (msg->from == NULL || msg->to->len != 1 || msg->cc->len != 0)
        return;
    addr = ((tw_mailbox_t *)msg->to->pdata[0])->addr;
    if (strcmp(addr, msg->from->addr) != 0)
        return;
    /* a list that rewrites From to itself is not a mass mailing */
    if (b->list && is_list_address(msg, addr))
        return;
    reason(b, true, "sent to its own sender, the readers hidden");
}

/* Mail whose To names no reader at all ("undisclosed-recipients:;") went
 * to its readers in Bcc, as mass mailings do.  A missing To says less:
 * some archives and gateways drop it. */
static void
judge_hidden_readers(const tw_message_t *msg, tw_bulk_t *b)
{
    const char *to = tw_message_header(msg, "To");

    if (msg->from != NULL && to != NULL && msg->to->len == 0 && msg->cc->len == 0)
        reason(b, true, "To names no reader (%s)", to);
}

/* Bulk senders give each copy a return path of its own to tell whose
 * mail bounced (VERP): a long local part full of digits, or the
 * reader's address encoded with "=".  Lists do it too, but they are
 * judged by their headers; SRS rewrites forwarded mail and is not bulk;
 * a reply to a message was written by a person, whatever its return
 * path (some people use dated or tagged addresses). */
static void
judge_tracking_return_path(const tw_message_t *msg, tw_bulk_t *b)
{
    const char *rp = msg->return_path, *at;
    size_t digits = 0;

    if (b->list || rp == NULL || (at = strchr(rp, '@')) == NULL ||
        g_ascii_strncasecmp(rp, "srs", 3) == 0 || msg->in_reply_to != NULL)
        return;
    for (const char *p = rp; p < at; p++)
        digits += g_ascii_isdigit(*p) != 0;
    if ((at - rp >= 20 && digits >= 6) || memchr(rp, '=', (size_t)(at - rp)) != NULL ||
        starts_with(rp, "bounce") || starts_with(rp, "return-"))
        reason(b, true, "return path %s tracks each reader", rp);
}

/* Spammers end subjects with a tracking code: "Save big!     OYDQH". */
static void
judge_subject_code(const tw_message_t *msg, tw_bulk_t *b)
{
    const char *s = msg->subject, *end, *word;

    if (s == NULL)
        return;
    end = s + strlen(s);
    while (end > s && g_ascii_isspace(end[-1]))
        end--;
    word = end;
    while (word > s && g_ascii_isalnum(word[-1]))
        word--;
    if (end - word < 3 || end - word > 12 || word - s < 6)
        return;
    /* at least three blanks before it, and no lower-case letter in it */
    if (!(word[-1] == ' ' && word[-2] == ' ' && word[-3] == ' '))
        return;
    for (const char *p = word; p < end; p++)
        if (g_ascii_islower(*p))
            return;
    reason(b, true, "subject ends in a tracking code");
}

/* Whether s holds the end of a sentence: a full stop or an exclamation
 * mark before a space, not the dot of a date ("bis 12. März"). */
static bool
ends_a_sentence(const char *s)
{
    for (const char *p = s; *p; p++)
        if ((*p == '.' || *p == '!') && (p[1] == ' ' || p[1] == '\n' || p[1] == '\0') &&
            (p == s || !g_ascii_isdigit(p[-1])))
            return true;
    return false;
}

/* An out-of-office note sent without the headers that mark one: it
 * opens by saying its writer is away, speaks of the absence as an
 * automatic note does ("when I return", "in my absence") and asks
 * nothing.  A person who writes that they are away and then asks or
 * answers something writes more, or otherwise. */
static void
judge_away_note(const tw_message_t *msg, tw_bulk_t *b)
{
    static const char *const away[] = {
        "i am out of the office", "i am currently out of the office", "i'm out of the office",
        "i'm currently out of the office", "i will be out of the office", "i am out of office",
        "i am currently out of office", "i am away from the office", "i am currently away",
        "i will be away", "i am on vacation", "i am currently on vacation", "i'm on vacation",
        "i am on holiday", "i am on annual leave", "i am on leave", "i am currently on leave",
        "nicht im büro", "bin ich nicht erreichbar", "bin im urlaub", "je suis absent",
        "je serai absent", "estoy fuera de la oficina", "estaré fuera de la oficina",
        "estoy de vacaciones",
    };
    static const char *const automatic[] = {
        "when i return", "on my return", "upon my return", "limited access", "will respond",
        "will reply", "in my absence", "automated", "automatic", "immediate assistance",
        "urgent", "no access to", "nach meiner rückkehr", "in dringenden", "à mon retour",
        "en cas d'urgence", "a mi regreso", "en caso de urgencia",
    };
    char *text;
    bool is_away = false, automatic_note = false;

    /* a long text is a person writing at length, a question asks */
    if (msg->text->len == 0 || msg->text->len > 1500 || strchr(msg->text->str, '?') != NULL)
        return;
    text = tw_text_lower(msg->text->str, (gssize)msg->text->len, FALSE);
    /* the note opens with it, after a greeting or a line that says the
     * note is automatic at most */
    for (size_t i = 0; i < G_N_ELEMENTS(away) && !is_away; i++) {
        const char *at = strstr(text, away[i]);
        if (at != NULL && at - text < 150) {
            char *before = g_strndup(text, (gsize)(at - text));
            is_away = !ends_a_sentence(before) || strstr(before, "automat") != NULL ||
                      strstr(before, "thank you for your") != NULL ||
                      strstr(before, "thanks for your") != NULL;
            g_free(before);
        }
    }
    for (size_t i = 0; i < G_N_ELEMENTS(automatic) && is_away && !automatic_note; i++)
        automatic_note = strstr(text, automatic[i]) != NULL;
    g_free(text);
    if (is_away && automatic_note)
        reason(b, true, "an out-of-office note");
}

void
tw_bulk_judge(const tw_message_t *msg, tw_bulk_t *out)
{
    memset(out, 0, sizeof *out);
    out->reasons = g_ptr_array_new_with_free_func(g_free);
    if (!msg->is_mail)
        return;
    judge_list(msg, out);
    judge_auto(msg, out);
    judge_mailer(msg, out);
    judge_sender_host(msg, out);
    judge_marketing_text(msg, out);
    judge_away_note(msg, out);
    judge_subject_code(msg, out);
    judge_self_addressed(msg, out);
    judge_hidden_readers(msg, out);
    judge_tracking_return_path(msg, out);
}

void
tw_bulk_clear(tw_bulk_t *b)
{
    if (b->reasons)
        g_ptr_array_free(b->reasons, TRUE);
    b->reasons = NULL;
    g_free(b->list_id);
    b->list_id = NULL;
}
