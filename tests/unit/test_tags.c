/* test_tags.c - unit tests for lib/tags.c: formatting, folding,
 * encoding of the X-Twoway-* header lines. */
#include "unit.h"

#include <gmime/gmime.h>

#include "message.h"
#include "tags.h"

/* 2026-11-20T09:14:00Z */
static gint64
since_example(void)
{
    GDateTime *dt = g_date_time_new_utc(2026, 11, 20, 9, 14, 0);
    gint64 t = g_date_time_to_unix(dt);

    g_date_time_unref(dt);
    return t;
}

static char *
format(const tw_tags_t *tags, const char *eol)
{
    size_t len = 12345;
    char *out = tw_tags_format(tags, eol, &len);

    assert_non_null(out);
    assert_int_equal(len, strlen(out));
    return out;
}

/* The physical lines of out (split at eol, the last empty one dropped). */
static char **
physical_lines(const char *out, const char *eol)
{
    char **lines = g_strsplit(out, eol, -1);
    guint n = g_strv_length(lines);

    assert_true(n > 0);
    assert_string_equal(lines[n - 1], ""); /* out ends with eol */
    g_free(lines[n - 1]);
    lines[n - 1] = NULL;
    return lines;
}

/* Every byte is printable ASCII apart from the line endings; no line
 * is longer than max; continuation lines start with white space; no
 * bare CR or LF. */
static void
assert_well_formed(const char *out, const char *eol, size_t max)
{
    char **lines = physical_lines(out, eol);

    for (char **l = lines; *l; l++) {
        for (const char *p = *l; *p; p++)
            if ((unsigned char)*p < 0x20 || (unsigned char)*p > 0x7e)
                fail_msg("byte 0x%02x in line '%s'", (unsigned char)*p, *l);
        if (strlen(*l) > max)
            fail_msg("line of %zu characters: '%s'", strlen(*l), *l);
        if (**l != ' ' && **l != '\t' && !g_str_has_prefix(*l, TW_TAG_PREFIX))
            fail_msg("line is neither a tag nor a continuation: '%s'", *l);
        assert_true(strlen(*l) > 0);
    }
    g_strfreev(lines);
}

/* The logical header lines of out, unfolded (RFC 5322: the line break
 * before white space is removed). */
static char **
unfold(const char *out, const char *eol)
{
    GString *s = g_string_new(NULL);
    size_t k = strlen(eol);

    for (const char *p = out; *p;) {
        if (strncmp(p, eol, k) == 0 && (p[k] == ' ' || p[k] == '\t')) {
            p += k;
            continue;
        }
        g_string_append_c(s, *p++);
    }
    char **lines = physical_lines(s->str, eol);
    g_string_free(s, TRUE);
    return lines;
}

static void
test_exact_format(void **state)
{
    tw_tags_t t = {0};

    t.ask = true;
    t.score = 0.87;
    t.cue = g_strdup("Could you review the draft by Friday?");
    t.balance = true;
    t.correspondent = g_strdup("alice@example.org");
    t.received = 14;
    t.sent = 9;
    t.you_owe = 2;
    t.they_owe = 1;
    t.thread = true;
    t.thread_asks = 2;
    t.since = since_example();

    char *out = format(&t, "\n");
    assert_string_equal(out,
                        "X-Twoway-Ask: yes; score=0.87; cue=\"Could you review the draft by "
                        "Friday?\"\n"
                        /* 79 characters: folded */
                        "X-Twoway-Balance: alice@example.org; received=14; sent=9; you-owe=2;\n"
                        " they-owe=1\n"
                        "X-Twoway-Thread: unanswered; asks=2; since=2026-11-20T09:14:00Z\n");
    g_free(out);
    tw_tags_clear(&t);
    assert_null(t.cue);
    assert_null(t.correspondent);
    assert_false(t.ask);
}

static void
test_each_tag_alone(void **state)
{
    tw_tags_t t = {0};
    char *out;

    out = format(&t, "\n");
    assert_string_equal(out, "");
    g_free(out);

    t.ask = true;
    t.score = 0.5;
    out = format(&t, "\n");
    assert_string_equal(out, "X-Twoway-Ask: yes; score=0.50\n");
    g_free(out);

    t.ask = false;
    t.thread = true;
    t.thread_asks = 1;
    t.since = 0;
    out = format(&t, "\n");
    assert_string_equal(out, "X-Twoway-Thread: unanswered; asks=1; since=1970-01-01T00:00:00Z\n");
    g_free(out);

    /* a balance needs a correspondent */
    t.thread = false;
    t.balance = true;
    out = format(&t, "\n");
    assert_string_equal(out, "");
    g_free(out);
    tw_tags_clear(&t);
}

static void
test_score_clamped(void **state)
{
    tw_tags_t t = {.ask = true, .score = 1.7};
    char *out = format(&t, "\n");

    assert_string_equal(out, "X-Twoway-Ask: yes; score=1.00\n");
    g_free(out);
    t.score = -0.3;
    out = format(&t, "\n");
    assert_string_equal(out, "X-Twoway-Ask: yes; score=0.00\n");
    g_free(out);
}

static void
test_crlf(void **state)
{
    tw_tags_t t = {0};

    t.ask = true;
    t.score = 0.9;
    t.cue = g_strdup("Could you please take a look at the long proposal that I sent you last "
                     "week, and tell me what you think of the budget section?");
    t.balance = true;
    t.correspondent = g_strdup("alice@example.org");
    t.thread = true;
    t.thread_asks = 3;
    char *out = format(&t, "\r\n");

    /* every line ends in CRLF: no LF without CR before it, no CR
     * without LF after it */
    for (const char *p = out; *p; p++) {
        if (*p == '\n')
            assert_true(p > out && p[-1] == '\r');
        if (*p == '\r')
            assert_true(p[1] == '\n');
    }
    assert_true(g_str_has_suffix(out, "\r\n"));
    assert_well_formed(out, "\r\n", 78);
    char **lines = unfold(out, "\r\n");
    assert_int_equal(g_strv_length(lines), 3);
    g_strfreev(lines);
    g_free(out);
    tw_tags_clear(&t);
}

static void
test_folding(void **state)
{
    const char *cue = "Could you please take a look at the long proposal that I sent you last "
                      "week, and tell me what you think of the budget section, the timeline, "
                      "and the staffing plan?";
    tw_tags_t t = {.ask = true, .score = 0.93, .cue = g_strdup(cue)};
    char *out = format(&t, "\n");

    assert_well_formed(out, "\n", 78);
    char **phys = physical_lines(out, "\n");
    assert_true(g_strv_length(phys) >= 3);
    g_strfreev(phys);

    /* unfolded, the value is whole again */
    char **lines = unfold(out, "\n");
    assert_int_equal(g_strv_length(lines), 1);
    char *want = g_strdup_printf("X-Twoway-Ask: yes; score=0.93; cue=\"%s\"", cue);
    assert_string_equal(lines[0], want);
    g_free(want);
    g_strfreev(lines);
    g_free(out);
    tw_tags_clear(&t);
}

static void
test_long_cue_cut(void **state)
{
    GString *cue = g_string_new(NULL);

    for (int i = 0; i < 100; i++)
        g_string_append(cue, "word ");
    g_string_append(cue, "end?");
    tw_tags_t t = {.ask = true, .score = 0.6, .cue = g_string_free(cue, FALSE)};
    char *out = format(&t, "\n");

    assert_well_formed(out, "\n", 78);
    char **lines = unfold(out, "\n");
    assert_int_equal(g_strv_length(lines), 1);
    assert_true(g_str_has_suffix(lines[0], "...\""));
    assert_false(unit_contains(lines[0], "end?"));
    assert_true(strlen(lines[0]) < 300);
    g_strfreev(lines);
    g_free(out);
    tw_tags_clear(&t);
}

static void
test_long_word_not_broken(void **state)
{
    /* a word longer than a line is kept whole: no line break inside */
    GString *word = g_string_new("Could you open https://example.org/");

    for (int i = 0; i < 120; i++)
        g_string_append_c(word, (char)('a' + i % 26));
    g_string_append(word, " please?");
    tw_tags_t t = {.ask = true, .score = 0.6, .cue = g_strdup(word->str)};
    char *out = format(&t, "\n");
    char **lines = unfold(out, "\n");

    assert_true(unit_contains(lines[0], word->str));
    g_strfreev(lines);
    g_free(out);
    tw_tags_clear(&t);
    g_string_free(word, TRUE);
}

/* The cue in the unfolded Ask line, decoded from RFC 2047. */
static char *
decoded_cue(const char *out)
{
    char **lines = unfold(out, "\n");
    const char *v = strstr(lines[0], "cue=");

    assert_non_null(v);
    v += 4;
    while (*v == ' ')
        v++;
    char *decoded = g_mime_utils_header_decode_text(NULL, v);
    g_strfreev(lines);
    return decoded;
}

static void
test_encoded_words(void **state)
{
    const char *cue = "K\xc3\xb6nnten Sie mir bitte die Unterlagen f\xc3\xbcr die "
                      "Sitzung am Freitag schicken? Gr\xc3\xbc\xc3\x9f" "e, J\xc3\xbcrgen \xe2\x82\xac";
    tw_tags_t t = {.ask = true, .score = 0.8, .cue = g_strdup(cue)};
    char *out = format(&t, "\n");

    assert_well_formed(out, "\n", 78);
    assert_true(unit_contains(out, "=?UTF-8?Q?"));
    /* every encoded word is at most 75 characters */
    for (const char *p = strstr(out, "=?"); p; p = strstr(p + 2, "=?")) {
        const char *end = strstr(p + 2, "?=");
        assert_non_null(end);
        /* skip the "?Q?" inside the word */
        const char *q = strstr(p, "?Q?");
        assert_true(q != NULL && q < end);
        end = strstr(q + 3, "?=");
        assert_true(end - p + 2 <= 75);
        p = end;
    }
    char *decoded = decoded_cue(out);
    assert_string_equal(decoded, cue);
    g_free(decoded);
    g_free(out);
    tw_tags_clear(&t);
}

static void
test_encoded_words_special_characters(void **state)
{
    /* characters that mean something in an encoded word or header */
    const char *cue = "\xc3\x9c" "ber_das? =?x?= \"quoted\" (paren) a;b: 100% fertig?";
    tw_tags_t t = {.ask = true, .score = 0.8, .cue = g_strdup(cue)};
    char *out = format(&t, "\n");

    assert_well_formed(out, "\n", 78);
    char *decoded = decoded_cue(out);
    assert_string_equal(decoded, cue);
    g_free(decoded);
    g_free(out);
    tw_tags_clear(&t);
}

static void
test_long_encoded_cue(void **state)
{
    GString *cue = g_string_new(NULL);

    for (int i = 0; i < 60; i++)
        g_string_append(cue, "\xc3\xa4\xc3\xb6\xc3\xbc ");
    g_string_append(cue, "\xe2\x82\xac?");
    tw_tags_t t = {.ask = true, .score = 0.8, .cue = g_string_free(cue, FALSE)};
    char *out = format(&t, "\r\n");

    assert_well_formed(out, "\r\n", 78);
    g_free(out);
    tw_tags_clear(&t);
}

static void
test_no_raw_line_breaks_from_cue(void **state)
{
    const char *cue = "Could you\r\nX-Injected: evil\r\n\r\nbody?\n\tmore\x01\x1b[31m\x7f"
                      " next\xc2\x85" "nel\xe2\x80\xa8" "ls end";
    tw_tags_t t = {0};

    t.ask = true;
    t.score = 0.7;
    t.cue = g_strdup(cue);
    t.balance = true;
    t.correspondent = g_strdup("alice@example.org\r\nX-Evil: 1");
    t.received = 1;
    for (int e = 0; e < 2; e++) {
        const char *eol = e ? "\r\n" : "\n";
        char *out = format(&t, eol);
        assert_well_formed(out, eol, 78);
        char **lines = unfold(out, eol);
        assert_int_equal(g_strv_length(lines), 2);
        assert_true(g_str_has_prefix(lines[0], "X-Twoway-Ask: "));
        assert_true(g_str_has_prefix(lines[1], "X-Twoway-Balance: "));
        assert_true(unit_contains(lines[0], "Could you X-Injected: evil body? more"));
        g_strfreev(lines);
        /* no physical line starts a forged field */
        assert_false(unit_contains(out, "\nX-Injected"));
        assert_false(unit_contains(out, "\nX-Evil"));
        g_free(out);
    }
    tw_tags_clear(&t);
}

static void
test_quotes_and_backslashes_escaped(void **state)
{
    tw_tags_t t = {.ask = true, .score = 0.7, .cue = g_strdup("Is \"C:\\temp\" the right path?")};
    char *out = format(&t, "\n");

    assert_string_equal(out, "X-Twoway-Ask: yes; score=0.70; cue=\"Is \\\"C:\\\\temp\\\" the "
                             "right path?\"\n");
    g_free(out);
    tw_tags_clear(&t);
}

static void
test_balance_correspondent_cleaned(void **state)
{
    tw_tags_t t = {0};

    t.balance = true;
    t.correspondent = g_strdup("\"odd;name\"@example.org");
    char *out = format(&t, "\n");
    /* the value's structure survives: exactly the four counts follow */
    assert_string_equal(out, "X-Twoway-Balance: _odd_name_@example.org; received=0; sent=0; "
                             "you-owe=0;\n they-owe=0\n");
    g_free(out);
    tw_tags_clear(&t);

    /* an internationalised address is encoded */
    t.balance = true;
    t.correspondent = g_strdup("j\xc3\xbcrgen@example.de");
    out = format(&t, "\n");
    assert_well_formed(out, "\n", 78);
    assert_true(unit_contains(out, "=?UTF-8?Q?"));
    g_free(out);
    tw_tags_clear(&t);
}

static void
test_clean_text(void **state)
{
    static const struct {
        const char *in;
        glong max;
        const char *want;
    } cases[] = {
        {"plain", 100, "plain"},
        {"  a\t\tb\n\nc  ", 100, "a b c"},
        {"a\r\nb", 100, "a b"},
        {"abcdef", 3, "abc..."},
        {"abc", 3, "abc"},
        {"\xc3\xa4\xc3\xb6\xc3\xbc\xc3\x9f", 2, "\xc3\xa4\xc3\xb6..."},
        {"x\x01y\x7fz", 100, "x y z"},
        {"a\xe2\x80\xa8" "b\xc2\x85" "c", 100, "a b c"},
        {"", 10, ""},
        {NULL, 10, ""},
    };

    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        char *got = tw_tags_clean_text(cases[i].in, cases[i].max);
        assert_string_equal(got, cases[i].want);
        g_free(got);
    }
    char *got = tw_tags_clean_text("bad \xff\xfe utf-8", 100);
    assert_true(g_utf8_validate(got, -1, NULL));
    assert_true(g_str_has_prefix(got, "bad "));
    assert_true(g_str_has_suffix(got, " utf-8"));
    g_free(got);
}

static void
test_clean_text_cut_at_max_chars(void **state)
{
    /* at most max_chars characters before the ellipsis, wherever the
     * cut falls */
    const char *text = "aaaa bbbb cccc dddd eeee";

    for (glong max = 1; max < 24; max++) {
        char *got = tw_tags_clean_text(text, max);
        assert_true(g_str_has_suffix(got, "..."));
        glong kept = g_utf8_strlen(got, -1) - 3;
        bool prefix = strncmp(got, text, (size_t)kept) == 0;
        if (kept > max)
            print_error("max %ld gave '%s': %ld characters\n", max, got, kept);
        g_free(got);
        assert_true(kept <= max);
        assert_true(prefix);
    }
}

static void
test_iso_time(void **state)
{
    char buf[32];

    tw_tags_iso_time(since_example(), buf);
    assert_string_equal(buf, "2026-11-20T09:14:00Z");
    tw_tags_iso_time(0, buf);
    assert_string_equal(buf, "1970-01-01T00:00:00Z");
    tw_tags_iso_time(-5, buf);
    assert_string_equal(buf, "1970-01-01T00:00:00Z");
    tw_tags_iso_time(951782400, buf); /* leap day */
    assert_string_equal(buf, "2000-02-29T00:00:00Z");
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_exact_format),
        cmocka_unit_test(test_each_tag_alone),
        cmocka_unit_test(test_score_clamped),
        cmocka_unit_test(test_crlf),
        cmocka_unit_test(test_folding),
        cmocka_unit_test(test_long_cue_cut),
        cmocka_unit_test(test_long_word_not_broken),
        cmocka_unit_test(test_encoded_words),
        cmocka_unit_test(test_encoded_words_special_characters),
        cmocka_unit_test(test_long_encoded_cue),
        cmocka_unit_test(test_no_raw_line_breaks_from_cue),
        cmocka_unit_test(test_quotes_and_backslashes_escaped),
        cmocka_unit_test(test_balance_correspondent_cleaned),
        cmocka_unit_test(test_clean_text),
        cmocka_unit_test(test_clean_text_cut_at_max_chars),
        cmocka_unit_test(test_iso_time),
    };

    tw_message_init();
    return cmocka_run_group_tests_name("tags", tests, NULL, NULL);
}
