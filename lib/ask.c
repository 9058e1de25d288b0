/* ask.c - the ask score: cues matched sentence by sentence, then weighed
 * for one reader. */
#include "ask.h"

#include <string.h>

#include "cues.h"
#include "message.h"
#include "patterns.h"
#include "text.h"


void
tw_ask_optimise(void)
{
    tw_patterns_optimise();
}

/* Each cue's anchors, split and prepared once: the words of each '&'
 * group, the groups ended by GROUP_END, the list by NULL.  One
 * allocation holds the lists, the words and their text: the filter
 * splits them in every process it starts. */
static const tw_text_word_t GROUP_END[1];
static const tw_text_word_t **anchor_words[TW_MAX_CUES];

static void
split_anchors(void)
{
    static gsize done;

    if (!g_once_init_enter(&done))
        return;
    size_t n_words = 0, n_slots = 0, n_chars = 0;
    for (size_t i = 0; i < tw_n_cues; i++) {
        const char *a = tw_cues[i].anchors;
        size_t len = strlen(a);
        if (len > 0) /* a word, its group's end */
            n_words++, n_slots += 2;
        for (size_t k = 0; k < len; k++)
            if (a[k] == '|' || a[k] == '&') /* one more word, and for '&' one more end */
                n_words++, n_slots += 1 + (a[k] == '&');
        n_slots++; /* the list's end */
        n_chars += len + 1;
    }
    const tw_text_word_t **slot = g_malloc(n_slots * sizeof *slot + n_words * sizeof(tw_text_word_t) +
                                           n_chars);
    tw_text_word_t *word = (tw_text_word_t *)(slot + n_slots);
    char *text = (char *)(word + n_words);
    for (size_t i = 0; i < tw_n_cues; i++) {
        const char *a = tw_cues[i].anchors;
        anchor_words[i] = slot;
        while (*a != '\0') {
            size_t len = strcspn(a, "|&");
            char sep = a[len];
            memcpy(text, a, len);
            text[len] = '\0';
            tw_text_word_init(word, text); /* the words live on in the list */
            *slot++ = word++;
            text += len + 1;
            if (sep != '|')
                *slot++ = GROUP_END;
            if (sep == '\0')
                break;
            a += len + 1;
        }
        *slot++ = NULL;
    }
    g_once_init_leave(&done, 1);
}

/* True when every '&' group of cue i's anchors has one of its '|'
 * choices in the text seen by v, as has() tells. */
static bool
anchored(size_t i, const tw_text_view_t *v,
         bool (*has)(const tw_text_view_t *, const tw_text_word_t *))
{
    bool group_ok = false;

    for (const tw_text_word_t **w = anchor_words[i]; *w != NULL; w++) {
        if (*w == GROUP_END) {
            if (!group_ok)
                return false;
            group_ok = false;
        } else if (!group_ok) {
            group_ok = has(v, *w);
        }
    }
    return true;
}

static void
hit_free(gpointer p)
{
    tw_cue_hit_t *h = p;

    g_free(h->matched);
    g_free(h);
}

/* Cues weighing less than this only strengthen an ask found otherwise. */
#define BOOSTER 0.2

static int
word_count(const char *s)
{
    int n = 0;
    bool in_word = false;

    for (; *s; s++) {
        bool letter = g_ascii_isalnum(*s) || (unsigned char)*s >= 0x80;
        n += letter && !in_word;
        in_word = letter;
    }
    return n;
}

/* Runs cue i on the sentence; adds a hit and returns true when it
 * matches. */
static bool
try_cue(size_t i, const char *sentence, const tw_text_view_t *view, int index, GPtrArray *hits)
{
    char *matched = NULL;

    if (!anchored(i, view, tw_text_view_has))
        return false;
    /* "Copyright ?", "Why?": a question mark alone on a word or two */
    if (strcmp(tw_cues[i].name, "question") == 0 && word_count(sentence) < 3)
        return false;
    if (tw_cues[i].test != NULL) {
        const char *m = tw_cues[i].test(sentence);
        matched = m ? g_strdup(m) : NULL;
    } else {
        matched = tw_pattern_match(i, sentence);
    }
    if (matched == NULL)
        return false;
    tw_cue_hit_t *h = g_new0(tw_cue_hit_t, 1);
    h->name = tw_cues[i].name;
    h->weight = tw_cues[i].weight;
    h->matched = g_strstrip(matched);
    h->sentence = index;
    g_ptr_array_add(hits, h);
    return true;
}

/* Scores one sentence, appending its hits: first the cues that ask;
 * only when one did, the boosters and the cues that damp. */
static double
score_sentence(const char *sentence, int index, const bool *candidate, GPtrArray *hits)
{
    /* padded so that " i " and " u " anchors find words at either end */
    char *padded = tw_text_lower(sentence, -1, TRUE);
    double miss = 1.0, damp = 1.0;
    bool asks = false;
    tw_text_view_t view;

    tw_text_view_init(&view, padded);

    for (size_t i = 0; i < tw_n_cues; i++)
        if (candidate[i] && tw_cues[i].weight >= BOOSTER &&
            try_cue(i, sentence, &view, index, hits)) {
            miss *= 1.0 - tw_cues[i].weight;
            asks = true;
        }
    for (size_t i = 0; i < tw_n_cues && asks; i++) {
        double w = tw_cues[i].weight;
        if (!candidate[i] || w >= BOOSTER || !try_cue(i, sentence, &view, index, hits))
            continue;
        if (w > 0)
            miss *= 1.0 - w;
        else if (1.0 + w < damp)
            damp = 1.0 + w;
    }
    g_free(padded);
    return (1.0 - miss) * damp;
}

static void detect(const char *fresh, bool patch, tw_ask_t *out);

void
tw_ask_detect(const char *fresh, tw_ask_t *out)
{
    detect(fresh, false, out);
}

void
tw_ask_detect_patch(const char *fresh, tw_ask_t *out)
{
    detect(fresh, true, out);
}

static void
detect(const char *fresh, bool patch, tw_ask_t *out)
{
    double best = 0.0;
    int best_index = -1, asking = 0;

    bool candidate[TW_MAX_CUES];
    char *padded;

    memset(out, 0, sizeof *out);
    out->hits = g_ptr_array_new_with_free_func(hit_free);
    out->sentences = tw_text_sentences(fresh);
    /* A cue whose anchors are nowhere in the text needs no look at any
     * sentence. */
    padded = tw_text_lower(fresh ? fresh : "", -1, TRUE);
    for (char *p = padded; *p; p++)
        if (*p == '\n' || *p == '\t')
            *p = ' ';
    split_anchors();
    tw_text_view_t view;
    tw_text_view_init(&view, padded);
    for (size_t k = 0; k < tw_n_cues; k++)
        candidate[k] = anchored(k, &view, tw_text_view_may_have) &&
                       !(patch && strcmp(tw_cues[k].name, "imperative") == 0);
    g_free(padded);
    for (guint i = 0; i < out->sentences->len && i < 80; i++) {
        const char *s = out->sentences->pdata[i];
        if (strlen(s) > 2000)
            continue;
        double score = score_sentence(s, (int)i, candidate, out->hits);
        if (score >= 0.5)
            asking++;
        if (score > best) {
            best = score;
            best_index = (int)i;
        }
    }
    /* Several asking sentences make the ask surer. */
    if (asking > 1)
        best = MIN(1.0, best + 0.05 * (asking - 1));
    out->score = best;
    if (best_index >= 0 && best > 0.0)
        out->cue = g_strdup(out->sentences->pdata[best_index]);
}

/* Words that thank or only acknowledge, in a lower-case text padded
 * with spaces. */
static const char *const thanks_words[] = {
    " thanks ", " thank you ", " thx ", " ty ", " danke ", " dankeschön ", " vielen dank ",
    " merci ", " gracias ", " cheers ", " got it ", " received ", " much appreciated ",
    " appreciate it ", " grazie ", " obrigado ", " obrigada ",
};

/* Words of an answer: "Yes, thanks!" answers "Can you come?". */
static const char *const answer_words[] = {
    " yes ", " no ", " yep ", " nope ", " sure ", " done ", " sent ", " attached ",
    " agreed ", " works ", " fine ", " confirmed ", " will do ", " ja ", " nein ",
    " oui ", " non ", " sí ", " si ", " claro ", " vale ", " erledigt ",
};

/* A thank-you for something named, and what goes on to say more. */
static const char *const thanks_for_words[] = {
    " thanks for ", " thank you for ", " thanks so much for ", " thank you so much for ",
    " thank you very much for ", " thanks again for ", " many thanks for ", " danke für ",
    " vielen dank für ", " merci pour ", " merci de ", " gracias por ",
};
static const char *const saying_more[] = {
    " but ", " - ", " i ", " i'll ", " i'm ", " we ", " will ", " aber ", " mais ", " pero ",
};

/* Words that close a short line: "Best, Alice", "Kind regards". */
static const char *const closing_words[] = {
    " best ", " regards ", " cheers ", " sincerely ", " gruß ", " grüße ", " gruss ",
    " cordialement ", " saludos ", " abrazo ", " bises ", " ciao ", " hi ", " hello ", " dear ",
    " hallo ", " bonjour ", " hola ",
};

static bool
has_any(const char *padded, const char *const *words, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (strstr(padded, words[i]) != NULL)
            return true;
    return false;
}

/* A name, a team, a telephone number: every word a capital or digits
 * ("Elizabeth Sager 713-853-6349"). */
static bool
is_signature(const char *s)
{
    for (const char *p = s; *p; p++)
        if (g_ascii_islower(*p) && (p == s || !g_ascii_isalnum(p[-1])))
            return false;
    return true;
}

static int
count_words(const char *s, int max)
{
    int words = 0;

    for (const char *p = s; *p && words <= max; p++)
        words += g_ascii_isalnum(*p) && (p == s || !g_ascii_isalnum(p[-1]));
    return words;
}

/* A sentence that thanks, acknowledges, greets or signs off and says
 * nothing else; *thanked is set when it thanks.  A thank-you of more
 * than eight words says something more ("Thanks, I sent the contract
 * to Jim yesterday" answers) unless it only names what it thanks for
 * ("Thank you so much for sending the figures over"). */
static bool
is_courtesy(const char *sentence, bool *thanked)
{
    char *padded = tw_text_lower(sentence, -1, TRUE);
    int words = count_words(sentence, 16);
    bool yes = false;

    /* words glued by punctuation ("Yes,thanks") read as words */
    for (char *p = padded; *p; p++)
        if (*p == ',' || *p == '.' || *p == '!' || *p == ';' || *p == ':')
            *p = ' ';
    if (has_any(padded, answer_words, G_N_ELEMENTS(answer_words))) {
        yes = false;
    } else if (has_any(padded, thanks_words, G_N_ELEMENTS(thanks_words))) {
        yes = words <= 8 ||
              (words <= 16 && has_any(padded, thanks_for_words, G_N_ELEMENTS(thanks_for_words)) &&
               !has_any(padded, saying_more, G_N_ELEMENTS(saying_more)));
        *thanked = *thanked || yes;
    } else {
        yes = (words <= 2 && strpbrk(sentence, "0123456789") == NULL) ||
              (words <= 4 && has_any(padded, closing_words, G_N_ELEMENTS(closing_words))) ||
              (words <= 6 && is_signature(sentence));
    }
    g_free(padded);
    return yes;
}

bool
tw_ask_is_thanks(const char *fresh)
{
    bool thanked = false, courtesy = true;

    /* a question asks again; a long text says more than thanks */
    if (fresh == NULL || strchr(fresh, '?') != NULL || count_words(fresh, 40) > 40)
        return false;
    GPtrArray *sentences = tw_text_sentences(fresh);
    for (guint i = 0; i < sentences->len && courtesy; i++)
        courtesy = is_courtesy(sentences->pdata[i], &thanked);
    g_ptr_array_free(sentences, TRUE);
    return courtesy && thanked;
}

bool
tw_ask_check_cues(char **bad_cue)
{
    *bad_cue = NULL;
    for (size_t i = 0; i < tw_n_cues; i++)
        if (!tw_pattern_ok(i)) {
            *bad_cue = g_strdup(tw_cues[i].name);
            return false;
        }
    return true;
}

void
tw_ask_clear(tw_ask_t *ask)
{
    if (ask->hits)
        g_ptr_array_free(ask->hits, TRUE);
    if (ask->sentences)
        g_ptr_array_free(ask->sentences, TRUE);
    g_free(ask->cue);
    memset(ask, 0, sizeof *ask);
}

/* Does sentence start with a greeting followed by name? */
static bool
greets_name(const char *sentence, const char *name)
{
    static const char *const greetings[] = {
        "hi ", "hello ", "hey ", "dear ", "hallo ", "liebe ", "lieber ",
        "bonjour ", "salut ", "hola ", "good morning ", "morning ", "",
    };
    size_t n = strlen(name);

    if (n < 2)
        return false;
    for (size_t i = 0; i < G_N_ELEMENTS(greetings); i++) {
        size_t g = strlen(greetings[i]);
        if (g_ascii_strncasecmp(sentence, greetings[i], g) != 0)
            continue;
        const char *p = sentence + g;
        if (g_ascii_strncasecmp(p, name, n) == 0 &&
            (p[n] == ',' || p[n] == '!' || p[n] == ' ' || p[n] == '\0' || p[n] == ':' ||
             p[n] == '-'))
            return g > 0 || p[n] == ',' || p[n] == ':';
    }
    return false;
}

/* The reader's first name: "Vale, Robin" and "Robin Vale" give Robin;
 * without a display name, the local part of addr up to a dot. */
static void
first_name(const char *display_name, const char *addr, char *out, size_t size)
{
    const char *p = NULL;
    size_t n = 0;

    out[0] = '\0';
    if (display_name != NULL && *display_name) {
        const char *comma = strchr(display_name, ',');
        p = comma ? comma + 1 : display_name;
        while (*p == ' ' || *p == '"')
            p++;
        n = strcspn(p, " ,\"");
    } else if (addr != NULL) {
        p = addr;
        n = strcspn(addr, "@.");
    }
    if (p != NULL && n < size) {
        memcpy(out, p, n);
        out[n] = '\0';
    }
}

bool
tw_ask_greets(const tw_ask_t *ask, const char *display_name, const char *addr)
{
    char first[64];

    if (ask->sentences == NULL || ask->sentences->len == 0)
        return false;
    first_name(display_name, addr, first, sizeof first);
    return greets_name(ask->sentences->pdata[0], first);
}

/* Whether sentence holds name as a word. */
static bool
names(const char *sentence, const char *name)
{
    size_t n = strlen(name);

    for (const char *p = sentence; *p; p++)
        if ((p == sentence || !g_ascii_isalpha(p[-1])) && g_ascii_strncasecmp(p, name, n) == 0 &&
            !g_ascii_isalpha(p[n]))
            return true;
    return false;
}

tw_greeting_t
tw_ask_greeting(const tw_ask_t *ask, const char *display_name, const char *addr,
                const GPtrArray *others)
{
    char first[64];

    if (ask->sentences == NULL || ask->sentences->len == 0)
        return TW_GREETS_NOBODY;
    const char *sentence = ask->sentences->pdata[0];
    first_name(display_name, addr, first, sizeof first);
    if (greets_name(sentence, first))
        return TW_GREETS_READER;
    /* a reader whose name is not known may be the one greeted */
    if (strlen(first) < 2 || names(sentence, first))
        return TW_GREETS_NOBODY;
    for (guint i = 0; i < others->len; i++) {
        const tw_mailbox_t *mb = others->pdata[i];
        if (tw_ask_greets(ask, mb->name, mb->addr))
            return TW_GREETS_OTHER;
    }
    return TW_GREETS_NOBODY;
}

double
tw_ask_for_reader(double text_score, tw_reader_role_t role, guint recipients,
                  tw_greeting_t greeting, GPtrArray *why)
{
    double s = text_score;

    switch (role) {
    case TW_READER_TO:
        break;
    case TW_READER_CC:
        s *= 0.75;
        if (why)
            g_ptr_array_add(why, g_strdup("reader only in Cc: x0.75"));
        break;
    case TW_READER_UNSEEN:
        s *= 0.9;
        if (why)
            g_ptr_array_add(why, g_strdup("reader not in To or Cc: x0.9"));
        break;
    }
    if (recipients > 15) {
        s *= 0.7;
        if (why)
            g_ptr_array_add(why, g_strdup_printf("%u recipients: x0.7", recipients));
    } else if (recipients > 5) {
        s *= 0.85;
        if (why)
            g_ptr_array_add(why, g_strdup_printf("%u recipients: x0.85", recipients));
    }
    if (greeting == TW_GREETS_READER) {
        s = MIN(1.0, s * 1.15);
        if (why)
            g_ptr_array_add(why, g_strdup("greeting names the reader: x1.15"));
    } else if (greeting == TW_GREETS_OTHER) {
        s *= 0.5;
        if (why)
            g_ptr_array_add(why, g_strdup("greeting names another reader: x0.5"));
    }
    return s;
}
