/* fuzz_ask.c - lib/ask.c on any text.
 *
 * tw_ask_detect() (and its patch variant) on the input read as a fresh
 * text (to its first NUL byte), and again on its valid UTF-8 form when
 * it is not valid UTF-8, as a message's text always is.  Inputs over
 * 64 KB are skipped.
 * Invariants: the score is in [0, 1]; there is a cue exactly when the
 * score is above 0, and the cue is one of the sentences read; every hit
 * names a sentence read; the score for a reader stays in [0, 1].
 */
#include <math.h>

#include "ask.h"
#include "message.h"
#include "fuzz.h"

#define FUZZ_MAX_INPUT (64 * 1024)

static void
check_ask(const tw_ask_t *a)
{
    FUZZ_CHECK(!isnan(a->score) && a->score >= 0.0 && a->score <= 1.0, "score %g", a->score);
    FUZZ_CHECK(a->sentences != NULL && a->hits != NULL, "no sentences or hits");
    FUZZ_CHECK((a->cue != NULL) == (a->score > 0.0), "cue %s with score %g",
               a->cue ? a->cue : "(none)", a->score);
    if (a->cue != NULL) {
        bool found = false;
        for (guint i = 0; i < a->sentences->len && !found; i++)
            found = strcmp(a->sentences->pdata[i], a->cue) == 0;
        FUZZ_CHECK(found, "cue '%s' is not a sentence", a->cue);
    }
    for (guint i = 0; i < a->hits->len; i++) {
        const tw_cue_hit_t *h = a->hits->pdata[i];
        FUZZ_CHECK(h->name != NULL && h->matched != NULL, "hit %u without name or match", i);
        FUZZ_CHECK(h->sentence >= 0 && (guint)h->sentence < a->sentences->len,
                   "hit %s in sentence %d of %u", h->name, h->sentence, a->sentences->len);
        FUZZ_CHECK(h->weight != 0.0 && h->weight > -1.0 && h->weight < 1.0,
                   "hit %s weighs %g", h->name, h->weight);
    }
}

static void
detect_all(const char *text, unsigned salt)
{
    tw_ask_t a;

    tw_ask_detect(text, &a);
    check_ask(&a);
    tw_mailbox_t sam = {.addr = (char *)"sam@example.org", .name = (char *)"Sam Reed"};
    GPtrArray *others = g_ptr_array_new();
    g_ptr_array_add(others, &sam);
    tw_greeting_t greeting =
        tw_ask_greeting(&a, (salt & 1) ? "Robin Vale" : NULL, "robin@example.org", others);
    g_ptr_array_free(others, TRUE);
    GPtrArray *why = g_ptr_array_new_with_free_func(g_free);
    for (int role = TW_READER_TO; role <= TW_READER_UNSEEN; role++) {
        double s = tw_ask_for_reader(a.score, (tw_reader_role_t)role, salt % 40, greeting, why);
        FUZZ_CHECK(!isnan(s) && s >= 0.0 && s <= 1.0, "score for a reader %g", s);
    }
    g_ptr_array_free(why, TRUE);
    tw_ask_clear(&a);

    tw_ask_detect_patch(text, &a);
    check_ask(&a);
    tw_ask_clear(&a);
    (void)tw_ask_is_thanks(text);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > FUZZ_MAX_INPUT)
        return 0;
    char *text = fuzz_cstring(data, size);
    unsigned salt = size > 0 ? data[size - 1] : 0;

    detect_all(text, salt);
    if (!g_utf8_validate(text, -1, NULL)) {
        char *valid = g_utf8_make_valid(text, -1);
        detect_all(valid, salt);
        g_free(valid);
    }
    g_free(text);
    return 0;
}
