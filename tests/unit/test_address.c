/* test_address.c - unit tests for lib/address.c: normalisation. */
#include "unit.h"

#include "address.h"

/* Normalises in with delims and compares with want (NULL: no address). */
static void
check(const char *in, const char *delims, const char *want)
{
    char *got = tw_address_normalise(in, delims);

    if (want == NULL) {
        if (got != NULL)
            fail_msg("'%s' gave '%s', want NULL", in ? in : "(null)", got);
    } else {
        if (got == NULL)
            fail_msg("'%s' gave NULL, want '%s'", in, want);
        assert_string_equal(got, want);
    }
    g_free(got);
}

static void
test_bare_address(void **state)
{
    check("alice@example.org", "+", "alice@example.org");
    check("  alice@example.org\t", "+", "alice@example.org");
    check("<alice@example.org>", "+", "alice@example.org");
    check("< alice@example.org >", "+", "alice@example.org");
}

static void
test_display_names(void **state)
{
    check("Alice Example <alice@example.org>", "+", "alice@example.org");
    check("\"Example, Alice\" <alice@example.org>", "+", "alice@example.org");
    check("\"Alice <alice@old.example>\" <alice@example.org>", "+", "alice@example.org");
    check("=?UTF-8?Q?J=C3=BCrgen?= <juergen@example.de>", "+", "juergen@example.de");
}

static void
test_case(void **state)
{
    check("Alice@Example.ORG", "+", "alice@example.org");
    check("ALICE <ALICE@EXAMPLE.ORG>", NULL, "alice@example.org");
}

static void
test_subaddress(void **state)
{
    check("alice+lists@example.org", "+", "alice@example.org");
    check("Alice+Lists@Example.org", "+", "alice@example.org");
    check("alice+a+b@example.org", "+", "alice@example.org");
    /* no delimiters configured: sub-addresses are kept */
    check("alice+lists@example.org", NULL, "alice+lists@example.org");
    check("alice+lists@example.org", "", "alice+lists@example.org");
    /* several delimiters */
    check("alice-lists@example.org", "+-", "alice@example.org");
    check("alice+lists@example.org", "+-", "alice@example.org");
    check("alice-lists@example.org", "+", "alice-lists@example.org");
    /* a delimiter in the domain is not a sub-address */
    check("alice@ex-ample.org", "-", "alice@ex-ample.org");
    check("alice@ex+ample.org", "+", "alice@ex+ample.org");
}

static void
test_trailing_dot(void **state)
{
    check("alice@example.org.", "+", "alice@example.org");
    check("Alice <alice@example.org.>", "+", "alice@example.org");
}

static void
test_junk(void **state)
{
    check(NULL, "+", NULL);
    check("", "+", NULL);
    check("   ", "+", NULL);
    check("<>", "+", NULL);
    check("Alice <>", "+", NULL);
    check("@example.org", "+", NULL);
    check("alice@", "+", NULL);
    check("alice@ ", "+", NULL);
    check("not an address at all", "+", NULL);
    check("alice smith@example.org", "+", NULL);
    check("alice@exa\r\nmple.org", "+", NULL);
    check("<alice@exa\nmple.org>", "+", NULL);
    check("Bcc: x@y.org", "+", NULL);
}

static void
test_huge(void **state)
{
    GString *local = g_string_new(NULL);

    for (int i = 0; i < 10000; i++)
        g_string_append_c(local, (char)('A' + i % 26));
    char *in = g_strconcat("Someone <", local->str, "@Example.ORG>", NULL);
    char *want = g_strconcat(local->str, "@example.org", NULL);
    for (char *p = want; *p; p++)
        *p = g_ascii_tolower(*p);
    check(in, "+", want);
    g_free(in);
    g_free(want);
    g_string_free(local, TRUE);
}

static void
test_result_is_a_copy(void **state)
{
    char in[] = "alice@example.org";
    char *got = tw_address_normalise(in, "+");

    assert_non_null(got);
    assert_ptr_not_equal(got, in);
    in[0] = 'X';
    assert_string_equal(got, "alice@example.org");
    g_free(got);
}

static void
test_domain(void **state)
{
    assert_string_equal(tw_address_domain("alice@example.org"), "example.org");
    assert_string_equal(tw_address_domain("a@b@example.org"), "example.org");
    assert_string_equal(tw_address_domain("mailer-daemon"), "");
    assert_string_equal(tw_address_domain(""), "");
    assert_string_equal(tw_address_domain(NULL), "");
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bare_address),
        cmocka_unit_test(test_display_names),
        cmocka_unit_test(test_case),
        cmocka_unit_test(test_subaddress),
        cmocka_unit_test(test_trailing_dot),
        cmocka_unit_test(test_junk),
        cmocka_unit_test(test_huge),
        cmocka_unit_test(test_result_is_a_copy),
        cmocka_unit_test(test_domain),
    };

    return cmocka_run_group_tests_name("address", tests, NULL, NULL);
}
