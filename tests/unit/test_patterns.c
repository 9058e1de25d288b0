/* test_patterns.c - unit tests for lib/patterns.c: the copies the build
 * compiled are the patterns of the table, decode, and match as the
 * patterns compiled from their text do. */
#include "unit.h"

#include "cues.h"
#include "patterns.h"

static const char *const sentences[] = {
    "Could you send me the figures by Friday?",
    "Please review the attached draft and let me know what you think.",
    "Thanks for the update!",
    "If you have any questions, please feel free to contact me.",
    "Könnten Sie mir bitte Bescheid geben?",
    "Pourriez-vous m'envoyer le fichier, s'il vous plaît ?",
    "¿Podrías revisar esto por favor?",
    "Let's meet on Tuesday to discuss the plan.",
    "Click here to unsubscribe from this newsletter.",
    "I was wondering whether anyone has seen this error before",
    "We need a new server for the lab.",
    "How do I build the kernel module?",
    "FYI: the meeting moved to 3pm.",
    "Hope this helps.",
    "",
};

static size_t
cue_index(const char *name)
{
    for (size_t i = 0; i < tw_n_cues; i++)
        if (strcmp(tw_cues[i].name, name) == 0)
            return i;
    fail_msg("no cue named %s", name);
    return 0;
}

/* The words pattern re matches in s, or NULL. */
static char *
match_with(pcre2_code *re, const char *s)
{
    pcre2_match_data *md = pcre2_match_data_create(1, NULL);
    char *m = NULL;

    if (pcre2_match(re, (PCRE2_SPTR)s, PCRE2_ZERO_TERMINATED, 0, 0, md, NULL) >= 0) {
        PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);
        m = g_strndup(s + ov[0], ov[1] - ov[0]);
    }
    pcre2_match_data_free(md);
    return m;
}

static void
test_every_cue_has_a_stored_copy(void **state)
{
    (void)state;
    assert_int_equal(tw_n_compiled_cues, tw_n_cues);
    for (size_t i = 0; i < tw_n_cues; i++) {
        const tw_compiled_pattern_t *c = &tw_compiled_cues[i];
        pcre2_code *re = NULL;

        if (tw_cues[i].pattern == NULL) {
            assert_null(c->source);
            continue;
        }
        assert_non_null(c->source);
        assert_string_equal(c->source, tw_cues[i].pattern);
        /* this PCRE2 reads what the build wrote */
        assert_int_equal(pcre2_serialize_decode(&re, 1, c->bytes, NULL), 1);
        pcre2_code_free(re);
        assert_true(tw_pattern_ok(i));
    }
}

static void
test_stored_copies_match_as_compiled(void **state)
{
    (void)state;
    for (size_t i = 0; i < tw_n_cues; i++) {
        if (tw_cues[i].pattern == NULL)
            continue;
        pcre2_code *re = tw_pattern_compile(tw_cues[i].pattern);
        assert_non_null(re);
        for (size_t k = 0; k < G_N_ELEMENTS(sentences); k++) {
            char *want = match_with(re, sentences[k]);
            char *got = tw_pattern_match(i, sentences[k]);
            if (want == NULL)
                assert_null(got);
            else
                assert_string_equal(got, want);
            g_free(want);
            g_free(got);
        }
        pcre2_code_free(re);
    }
}

static void
test_match_gives_the_words(void **state)
{
    (void)state;
    char *m = tw_pattern_match(cue_index("could-you"), "Bob, could you send me the file?");
    assert_string_equal(m, "could you send");
    g_free(m);
    assert_null(tw_pattern_match(cue_index("could-you"), "Thanks for the file."));
    /* a cue tested in C has no pattern, and so matches nothing here */
    assert_null(tw_pattern_match(cue_index("code"), "x == y && z"));
    assert_true(tw_pattern_ok(cue_index("code")));
}

static void
test_compile_options(void **state)
{
    (void)state;
    pcre2_code *word = tw_pattern_compile("^\\w+\\b$");
    pcre2_code *caseless = tw_pattern_compile("ÉTÉ");
    pcre2_code *dot = tw_pattern_compile("^a.b$");
    pcre2_code *end = tw_pattern_compile("x$");
    char *m;

    /* \w knows accented letters */
    assert_non_null(m = match_with(word, "pétér"));
    g_free(m);
    /* caseless beyond ASCII */
    assert_non_null(m = match_with(caseless, "un été chaud"));
    g_free(m);
    /* any newline: '.' stops at a carriage return, '$' before CRLF */
    assert_null(match_with(dot, "a\rb"));
    assert_non_null(m = match_with(end, "x\r\n"));
    g_free(m);
    /* a subject that is not UTF-8 matches nothing, without harm */
    assert_null(match_with(word, "p\xe9t\xe9r"));
    assert_null(tw_pattern_match(cue_index("question"), "why \xff\xfe?"));
    assert_null(tw_pattern_compile("(unclosed"));
    pcre2_code_free(word);
    pcre2_code_free(caseless);
    pcre2_code_free(dot);
    pcre2_code_free(end);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_cue_has_a_stored_copy),
        cmocka_unit_test(test_stored_copies_match_as_compiled),
        cmocka_unit_test(test_match_gives_the_words),
        cmocka_unit_test(test_compile_options),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
