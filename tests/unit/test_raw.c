/* test_raw.c - unit tests for lib/raw.c: header block, fields, rewriting. */
#include "unit.h"

#include "raw.h"

/* A sink that collects everything into a GString. */
static bool
collect(void *ctx, const void *buf, size_t len)
{
    g_string_append_len(ctx, buf, (gssize)len);
    return true;
}

/* Scans data[0, len) and writes it out with remove/add; returns the
 * output (newly allocated GString). */
static GString *
rewrite(const char *data, size_t len, const char *remove, const char *add)
{
    tw_raw_t raw;
    GString *out = g_string_new(NULL);

    tw_raw_scan(&raw, data, len);
    assert_true(tw_raw_write(&raw, remove, add, add ? strlen(add) : 0, collect, out));
    return out;
}

/* rewrite() of a NUL-terminated string, compared with want. */
static void
assert_rewrite(const char *in, const char *remove, const char *add, const char *want)
{
    GString *out = rewrite(in, strlen(in), remove, add);

    assert_string_equal(out->str, want);
    assert_int_equal(out->len, strlen(want));
    g_string_free(out, TRUE);
}

static void
test_scan_lf(void **state)
{
    const char *m = "From: a@example.org\nSubject: hi\n\nbody\n";
    tw_raw_t raw;

    tw_raw_scan(&raw, m, strlen(m));
    assert_true(raw.is_mail);
    assert_false(raw.crlf);
    assert_false(raw.header_unterminated);
    assert_int_equal(raw.from_len, 0);
    assert_int_equal(raw.header_end, strlen("From: a@example.org\nSubject: hi\n"));
    assert_int_equal(raw.body_start, raw.header_end + 1);
    assert_string_equal(m + raw.body_start, "body\n");
    assert_string_equal(tw_raw_eol(&raw), "\n");
    assert_ptr_equal(raw.data, m);
    assert_int_equal(raw.len, strlen(m));
    assert_int_equal(raw.longest_field, strlen("From: a@example.org\n"));
}

static void
test_scan_crlf(void **state)
{
    const char *m = "From: a@example.org\r\nSubject: hi\r\n\r\nbody\r\n";
    tw_raw_t raw;

    tw_raw_scan(&raw, m, strlen(m));
    assert_true(raw.is_mail);
    assert_true(raw.crlf);
    assert_int_equal(raw.header_end, strlen("From: a@example.org\r\nSubject: hi\r\n"));
    assert_int_equal(raw.body_start, raw.header_end + 2);
    assert_string_equal(m + raw.body_start, "body\r\n");
    assert_string_equal(tw_raw_eol(&raw), "\r\n");
}

static void
test_scan_mbox_from_line(void **state)
{
    const char *from = "From alice@example.org Mon Nov 20 09:14:00 2026\n";
    char *m = g_strconcat(from, "Subject: hi\nTo: b@example.org\n\nFrom the body\n", NULL);
    tw_raw_t raw;
    tw_field_t f;
    size_t pos = 0;

    tw_raw_scan(&raw, m, strlen(m));
    assert_true(raw.is_mail);
    assert_int_equal(raw.from_len, strlen(from));
    assert_int_equal(raw.header_end, strlen(from) + strlen("Subject: hi\nTo: b@example.org\n"));
    assert_string_equal(m + raw.body_start, "From the body\n");
    /* the "From " line is no field */
    assert_int_equal(raw.longest_field, strlen("To: b@example.org\n"));
    /* the first field is Subject, not the "From " line */
    assert_true(tw_raw_next_field(&raw, &pos, &f));
    assert_int_equal(f.start, strlen(from));
    assert_true(tw_raw_field_is(&raw, &f, "Subject"));
    assert_false(tw_raw_field_is(&raw, &f, "From"));
    g_free(m);
}

static void
test_scan_mbox_from_line_only_is_not_mail(void **state)
{
    const char *m = "From alice@example.org Mon Nov 20 09:14:00 2026\n\nbody\n";
    tw_raw_t raw;

    tw_raw_scan(&raw, m, strlen(m));
    assert_false(raw.is_mail);
}

static void
test_scan_from_header_is_not_mbox_line(void **state)
{
    const char *m = "From: a@example.org\n\nx\n";
    tw_raw_t raw;

    tw_raw_scan(&raw, m, strlen(m));
    assert_int_equal(raw.from_len, 0);
    assert_true(raw.is_mail);
}

static void
test_scan_body_without_separator(void **state)
{
    const char *m = "Subject: hi\nTo: b@example.org\nthis line is the body\nmore\n";
    tw_raw_t raw;

    tw_raw_scan(&raw, m, strlen(m));
    assert_true(raw.is_mail);
    assert_int_equal(raw.header_end, strlen("Subject: hi\nTo: b@example.org\n"));
    assert_int_equal(raw.body_start, raw.header_end);
    assert_string_equal(m + raw.body_start, "this line is the body\nmore\n");
    assert_false(raw.header_unterminated);
}

static void
test_scan_no_body(void **state)
{
    const char *m1 = "Subject: hi\nTo: b@example.org\n";
    const char *m2 = "Subject: hi\nTo: b@example.org\n\n";
    tw_raw_t raw;

    tw_raw_scan(&raw, m1, strlen(m1));
    assert_true(raw.is_mail);
    assert_int_equal(raw.header_end, strlen(m1));
    assert_int_equal(raw.body_start, strlen(m1));
    assert_false(raw.header_unterminated);

    tw_raw_scan(&raw, m2, strlen(m2));
    assert_true(raw.is_mail);
    assert_int_equal(raw.header_end, strlen(m1));
    assert_int_equal(raw.body_start, strlen(m2));
}

static void
test_scan_unterminated_last_header(void **state)
{
    const char *m = "Subject: hi\nTo: b@example.org";
    tw_raw_t raw;
    tw_field_t f;
    size_t pos = 0;
    int n = 0;

    tw_raw_scan(&raw, m, strlen(m));
    assert_true(raw.is_mail);
    assert_true(raw.header_unterminated);
    assert_int_equal(raw.header_end, strlen(m));
    assert_int_equal(raw.body_start, strlen(m));
    while (tw_raw_next_field(&raw, &pos, &f)) {
        n++;
        assert_true(f.end <= raw.len);
    }
    assert_int_equal(n, 2);
    assert_true(tw_raw_field_is(&raw, &f, "to"));
    assert_int_equal(f.end, strlen(m));
}

static void
test_scan_not_mail(void **state)
{
#define CASE(s) {s, sizeof s - 1}
    static const struct {
        const char *data;
        size_t len;
    } cases[] = {
        CASE(""),
        CASE("hello world\nthis is not mail\n"),
        CASE(" leading continuation: x\nSubject: y\n\n"),
        CASE(":no name\n\n"),
        CASE("\n\nSubject: after a blank\n"),
        CASE("\r\nSubject: after a blank\r\n"),
        CASE("Sub ject: x\n"),
        CASE("\x01\x02\x03\xff\xfe"),
        CASE("\0\0\0\0"),
        CASE("Subject\n\n"),
        CASE("Subject\0: x\n\n"),
    };
#undef CASE

    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        tw_raw_t raw;
        tw_field_t f;
        size_t pos = 0;

        tw_raw_scan(&raw, cases[i].data, cases[i].len);
        if (raw.is_mail)
            fail_msg("case %zu was read as mail", i);
        assert_false(tw_raw_next_field(&raw, &pos, &f));
    }
}

static void
test_scan_name_with_blanks_before_colon(void **state)
{
    const char *m = "Subject : hi\nX-Tab\t: y\n\nbody";
    tw_raw_t raw;
    tw_field_t f;
    size_t pos = 0;

    tw_raw_scan(&raw, m, strlen(m));
    assert_true(raw.is_mail);
    assert_string_equal(m + raw.body_start, "body");
    assert_true(tw_raw_next_field(&raw, &pos, &f));
    assert_int_equal(f.name_len, 7);
    assert_true(tw_raw_field_is(&raw, &f, "Subject"));
    assert_true(tw_raw_next_field(&raw, &pos, &f));
    assert_int_equal(f.name_len, 5);
    assert_true(tw_raw_field_is(&raw, &f, "x-tab"));
}

static void
test_fields_with_continuations(void **state)
{
    const char *m =
        "Received: from a\n"
        "\tby b\n"
        "  with c\n"
        "Subject: one\n"
        "X-Folded: first\n"
        " second\n"
        "\n"
        " not a continuation: body\n";
    tw_raw_t raw;
    tw_field_t f;
    size_t pos = 0;

    tw_raw_scan(&raw, m, strlen(m));
    assert_true(raw.is_mail);
    /* a field's length counts its continuation lines */
    assert_int_equal(raw.longest_field, strlen("Received: from a\n\tby b\n  with c\n"));

    assert_true(tw_raw_next_field(&raw, &pos, &f));
    assert_int_equal(f.start, 0);
    assert_int_equal(f.end, strlen("Received: from a\n\tby b\n  with c\n"));
    assert_int_equal(f.name_len, strlen("Received"));
    assert_true(tw_raw_field_is(&raw, &f, "RECEIVED"));
    assert_false(tw_raw_field_is(&raw, &f, "Receive"));
    assert_false(tw_raw_field_is(&raw, &f, "Received-SPF"));
    assert_true(tw_raw_field_has_prefix(&raw, &f, "rec"));
    assert_false(tw_raw_field_has_prefix(&raw, &f, "Received-"));

    assert_true(tw_raw_next_field(&raw, &pos, &f));
    assert_memory_equal(m + f.start, "Subject: one\n", f.end - f.start);
    assert_int_equal(f.end - f.start, strlen("Subject: one\n"));

    assert_true(tw_raw_next_field(&raw, &pos, &f));
    assert_int_equal(f.end - f.start, strlen("X-Folded: first\n second\n"));
    assert_int_equal(f.end, raw.header_end);
    assert_true(tw_raw_field_has_prefix(&raw, &f, "x-"));

    assert_false(tw_raw_next_field(&raw, &pos, &f));
    assert_false(tw_raw_next_field(&raw, &pos, &f));
}

static void
test_fields_crlf_continuation(void **state)
{
    const char *m = "Subject: a\r\n b\r\nTo: c\r\n\r\n";
    tw_raw_t raw;
    tw_field_t f;
    size_t pos = 0;

    tw_raw_scan(&raw, m, strlen(m));
    assert_true(tw_raw_next_field(&raw, &pos, &f));
    assert_int_equal(f.end, strlen("Subject: a\r\n b\r\n"));
    assert_true(tw_raw_next_field(&raw, &pos, &f));
    assert_true(tw_raw_field_is(&raw, &f, "To"));
    assert_false(tw_raw_next_field(&raw, &pos, &f));
}

/* Output equals input, byte for byte, when nothing is added or removed. */
static void
test_write_byte_exact(void **state)
{
    static const char nul_body[] = "Subject: x\n\nbinary\0body\xff\xfe\x80 end\n";
    static const char *const inputs[] = {
        "From: a@example.org\nSubject: hi\n\nbody\n",
        "From: a@example.org\r\nSubject: hi\r\n\r\nbody\r\nline two\r\n",
        "From a@example.org Mon Nov 20 09:14:00 2026\nSubject: hi\n\nFrom body\n",
        "Subject: hi\nTo: b@example.org",
        "Subject: hi\nbody without separator\n",
        "Subject: hi\n",
        "Subject: h\xe9llo \xff\n\n\xc3\x28 not utf-8\n",
        "Subject: a\n b\n\tc\n\n\n\n",
        "Mixed: endings\r\nOther: x\n\r\nbody",
        "not mail at all\n",
        "",
    };

    for (size_t i = 0; i < G_N_ELEMENTS(inputs); i++) {
        GString *out = rewrite(inputs[i], strlen(inputs[i]), NULL, NULL);
        assert_int_equal(out->len, strlen(inputs[i]));
        assert_memory_equal(out->str, inputs[i], out->len);
        g_string_free(out, TRUE);
        /* removing a prefix that is not there changes nothing either */
        out = rewrite(inputs[i], strlen(inputs[i]), "X-Twoway-", NULL);
        assert_int_equal(out->len, strlen(inputs[i]));
        assert_memory_equal(out->str, inputs[i], out->len);
        g_string_free(out, TRUE);
    }

    GString *out = rewrite(nul_body, sizeof nul_body - 1, "X-Twoway-", NULL);
    assert_int_equal(out->len, sizeof nul_body - 1);
    assert_memory_equal(out->str, nul_body, sizeof nul_body - 1);
    g_string_free(out, TRUE);
}

static void
test_write_huge_header_exact(void **state)
{
    GString *in = g_string_new(NULL);

    for (int i = 0; i < 20000; i++)
        g_string_append_printf(in, "Received: from host%d\n\tby relay%d\n", i, i);
    g_string_append(in, "X-Twoway-Ask: forged\n\n");
    for (int i = 0; i < 5000; i++)
        g_string_append(in, "a body line that is not short at all, really\n");

    GString *out = rewrite(in->str, in->len, NULL, NULL);
    assert_int_equal(out->len, in->len);
    assert_memory_equal(out->str, in->str, in->len);
    g_string_free(out, TRUE);

    out = rewrite(in->str, in->len, "X-Twoway-", NULL);
    assert_int_equal(out->len, in->len - strlen("X-Twoway-Ask: forged\n"));
    assert_null(strstr(out->str, "X-Twoway-Ask"));
    g_string_free(out, TRUE);
    g_string_free(in, TRUE);
}

static void
test_write_remove_first(void **state)
{
    assert_rewrite("X-Twoway-Ask: yes\nSubject: hi\nTo: b\n\nbody\n", "X-Twoway-", NULL,
                   "Subject: hi\nTo: b\n\nbody\n");
}

static void
test_write_remove_middle(void **state)
{
    assert_rewrite("Subject: hi\nX-Twoway-Balance: x; received=1\nTo: b\n\nbody\n",
                   "X-Twoway-", NULL, "Subject: hi\nTo: b\n\nbody\n");
}

static void
test_write_remove_last(void **state)
{
    assert_rewrite("Subject: hi\nTo: b\nX-Twoway-Thread: unanswered\n\nbody\n", "X-Twoway-",
                   NULL, "Subject: hi\nTo: b\n\nbody\n");
}

static void
test_write_remove_folded(void **state)
{
    assert_rewrite("Subject: hi\nX-Twoway-Ask: yes; score=0.9;\n cue=\"Could\n\tyou?\"\n"
                   "To: b\n\nbody\n",
                   "X-Twoway-", NULL, "Subject: hi\nTo: b\n\nbody\n");
}

static void
test_write_remove_several_and_case(void **state)
{
    assert_rewrite("x-twoway-ask: a\nX-TWOWAY-THREAD: b\nSubject: hi\nX-Twoway-Other: c\n"
                   "X-TwowayNot: kept\nX-Two: kept\n\nX-Twoway-Ask: in the body stays\n",
                   "X-Twoway-", NULL,
                   "Subject: hi\nX-TwowayNot: kept\nX-Two: kept\n\n"
                   "X-Twoway-Ask: in the body stays\n");
}

static void
test_write_remove_keeps_from_line(void **state)
{
    assert_rewrite("From a@b Mon Nov 20 09:14:00 2026\nX-Twoway-Ask: yes\nSubject: s\n\nb\n",
                   "X-Twoway-", NULL, "From a@b Mon Nov 20 09:14:00 2026\nSubject: s\n\nb\n");
}

static void
test_write_remove_crlf(void **state)
{
    assert_rewrite("Subject: hi\r\nX-Twoway-Ask: yes\r\n cue\r\nTo: b\r\n\r\nbody\r\n",
                   "X-Twoway-", NULL, "Subject: hi\r\nTo: b\r\n\r\nbody\r\n");
}

static void
test_write_insert_at_header_end(void **state)
{
    assert_rewrite("Subject: hi\nTo: b\n\nbody\n", NULL, "X-Twoway-Ask: yes\n",
                   "Subject: hi\nTo: b\nX-Twoway-Ask: yes\n\nbody\n");
    assert_rewrite("Subject: hi\nTo: b\n\nbody\n", NULL,
                   "X-Twoway-Ask: yes\nX-Twoway-Thread: unanswered\n",
                   "Subject: hi\nTo: b\nX-Twoway-Ask: yes\nX-Twoway-Thread: unanswered\n\nbody\n");
}

static void
test_write_insert_after_folded_last_field(void **state)
{
    assert_rewrite("Subject: hi\nReceived: a\n\tb\n\nbody\n", NULL, "X-Twoway-Ask: yes\n",
                   "Subject: hi\nReceived: a\n\tb\nX-Twoway-Ask: yes\n\nbody\n");
}

static void
test_write_insert_and_remove(void **state)
{
    assert_rewrite("Subject: hi\nX-Twoway-Ask: forged\n\nbody\n", "X-Twoway-",
                   "X-Twoway-Ask: yes; score=0.80\n",
                   "Subject: hi\nX-Twoway-Ask: yes; score=0.80\n\nbody\n");
    /* the only field is forged */
    assert_rewrite("X-Twoway-Ask: forged\n\nbody\n", "X-Twoway-", "X-Twoway-Ask: yes\n",
                   "X-Twoway-Ask: yes\n\nbody\n");
}

/* A forged field removed from before a "From " field: ours go first,
 * or that field would open the message and read as an mbox From line. */
static void
test_write_insert_before_exposed_from_field(void **state)
{
    assert_rewrite("X-Twoway-Ask: forged\nFrom :a@b\nSubject: s\n\nbody\n", "X-Twoway-",
                   "X-Twoway-Ask: yes\n", "X-Twoway-Ask: yes\nFrom :a@b\nSubject: s\n\nbody\n");
    /* a "From" field that cannot be read as a From line stays where it was */
    assert_rewrite("X-Twoway-Ask: forged\nFrom: a@b\n\nbody\n", "X-Twoway-",
                   "X-Twoway-Ask: yes\n", "From: a@b\nX-Twoway-Ask: yes\n\nbody\n");
}

static void
test_write_insert_mbox(void **state)
{
    assert_rewrite("From a@b Mon Nov 20 09:14:00 2026\nSubject: s\n\nb\n", NULL,
                   "X-Twoway-Ask: yes\n",
                   "From a@b Mon Nov 20 09:14:00 2026\nSubject: s\nX-Twoway-Ask: yes\n\nb\n");
}

static void
test_write_insert_body_without_separator(void **state)
{
    assert_rewrite("Subject: s\nbody line\n", NULL, "X-Twoway-Ask: yes\n",
                   "Subject: s\nX-Twoway-Ask: yes\nbody line\n");
}

static void
test_write_insert_no_body(void **state)
{
    assert_rewrite("Subject: s\n", NULL, "X-Twoway-Ask: yes\n",
                   "Subject: s\nX-Twoway-Ask: yes\n");
}

static void
test_write_insert_unterminated(void **state)
{
    /* the last header line gets its line ending before the added ones */
    assert_rewrite("Subject: s\nTo: b", NULL, "X-Twoway-Ask: yes\n",
                   "Subject: s\nTo: b\nX-Twoway-Ask: yes\n");
    assert_rewrite("Subject: s\r\nTo: b", NULL, "X-Twoway-Ask: yes\r\n",
                   "Subject: s\r\nTo: b\r\nX-Twoway-Ask: yes\r\n");
    /* a removed unterminated last field leaves a terminated block */
    assert_rewrite("Subject: s\nX-Twoway-Ask: forged", "X-Twoway-", "X-Twoway-Ask: yes\n",
                   "Subject: s\nX-Twoway-Ask: yes\n");
    /* nothing added: the bytes stay as they were */
    assert_rewrite("Subject: s\nX-Twoway-Ask: forged", "X-Twoway-", NULL, "Subject: s\n");
}

static void
test_write_insert_crlf(void **state)
{
    const char *m = "Subject: hi\r\nTo: b\r\n\r\nbody\r\n";
    tw_raw_t raw;

    tw_raw_scan(&raw, m, strlen(m));
    assert_string_equal(tw_raw_eol(&raw), "\r\n");
    assert_rewrite(m, "X-Twoway-", "X-Twoway-Ask: yes\r\nX-Twoway-Thread: unanswered\r\n",
                   "Subject: hi\r\nTo: b\r\nX-Twoway-Ask: yes\r\n"
                   "X-Twoway-Thread: unanswered\r\n\r\nbody\r\n");
}

static void
test_write_not_mail_unchanged(void **state)
{
    const char *m = "this is not mail\nX-Twoway-Ask: x\n";

    assert_rewrite(m, "X-Twoway-", "X-Twoway-Ask: yes\n", m);
    assert_rewrite("", "X-Twoway-", "X-Twoway-Ask: yes\n", "");
}

typedef struct {
    int calls;
    int fail_at; /* the call that fails (1-based) */
    int after_failure;
} failing_sink_t;

static bool
failing_sink(void *ctx, const void *buf, size_t len)
{
    failing_sink_t *s = ctx;

    if (s->calls >= s->fail_at)
        s->after_failure++;
    s->calls++;
    return s->calls < s->fail_at;
}

static void
test_write_sink_failure(void **state)
{
    const char *m = "Subject: hi\nX-Twoway-Ask: forged\nTo: b\n\nbody\n";
    tw_raw_t raw;

    tw_raw_scan(&raw, m, strlen(m));
    for (int fail_at = 1; fail_at <= 6; fail_at++) {
        failing_sink_t s = {0, fail_at, 0};
        bool ok = tw_raw_write(&raw, "X-Twoway-", "X-Twoway-Ask: yes\n", 18, failing_sink, &s);
        if (s.calls >= fail_at) {
            assert_false(ok);
            /* nothing more is written after the failing call */
            assert_int_equal(s.after_failure, 0);
            assert_int_equal(s.calls, fail_at);
        } else {
            assert_true(ok);
        }
    }
    /* not mail: the one write fails */
    const char *junk = "no header here\n";
    tw_raw_scan(&raw, junk, strlen(junk));
    failing_sink_t s = {0, 1, 0};
    assert_false(tw_raw_write(&raw, NULL, NULL, 0, failing_sink, &s));
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_scan_lf),
        cmocka_unit_test(test_scan_crlf),
        cmocka_unit_test(test_scan_mbox_from_line),
        cmocka_unit_test(test_scan_mbox_from_line_only_is_not_mail),
        cmocka_unit_test(test_scan_from_header_is_not_mbox_line),
        cmocka_unit_test(test_scan_body_without_separator),
        cmocka_unit_test(test_scan_no_body),
        cmocka_unit_test(test_scan_unterminated_last_header),
        cmocka_unit_test(test_scan_not_mail),
        cmocka_unit_test(test_scan_name_with_blanks_before_colon),
        cmocka_unit_test(test_fields_with_continuations),
        cmocka_unit_test(test_fields_crlf_continuation),
        cmocka_unit_test(test_write_byte_exact),
        cmocka_unit_test(test_write_huge_header_exact),
        cmocka_unit_test(test_write_remove_first),
        cmocka_unit_test(test_write_remove_middle),
        cmocka_unit_test(test_write_remove_last),
        cmocka_unit_test(test_write_remove_folded),
        cmocka_unit_test(test_write_remove_several_and_case),
        cmocka_unit_test(test_write_remove_keeps_from_line),
        cmocka_unit_test(test_write_remove_crlf),
        cmocka_unit_test(test_write_insert_at_header_end),
        cmocka_unit_test(test_write_insert_after_folded_last_field),
        cmocka_unit_test(test_write_insert_and_remove),
        cmocka_unit_test(test_write_insert_before_exposed_from_field),
        cmocka_unit_test(test_write_insert_mbox),
        cmocka_unit_test(test_write_insert_body_without_separator),
        cmocka_unit_test(test_write_insert_no_body),
        cmocka_unit_test(test_write_insert_unterminated),
        cmocka_unit_test(test_write_insert_crlf),
        cmocka_unit_test(test_write_not_mail_unchanged),
        cmocka_unit_test(test_write_sink_failure),
    };

    return cmocka_run_group_tests_name("raw", tests, NULL, NULL);
}
