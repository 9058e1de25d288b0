/* test_siphash.c - unit tests for lib/siphash.c: the published test
 * values, and the same hash whatever the pieces it is fed in. */
#include "unit.h"

#include "siphash.h"

static void
hash(const guint8 *data, const size_t *pieces, guint8 out[16])
{
    guint8 key[16];
    tw_siphash_t h;

    for (int i = 0; i < 16; i++)
        key[i] = (guint8)i;
    tw_siphash_init(&h, key);
    for (; *pieces != (size_t)-1; data += *pieces++)
        tw_siphash_update(&h, data, *pieces);
    tw_siphash_final(&h, out);
}

static void
test_reference_values(void **state)
{
    /* SipHash-2-4-128, key 00 01 .. 0f, message 00 01 .. of length 0, 1 */
    static const guint8 empty[16] = {0xa3, 0x81, 0x7f, 0x04, 0xba, 0x25, 0xa8, 0xe6,
                                     0x6d, 0xf6, 0x72, 0x14, 0xc7, 0x55, 0x02, 0x93};
    static const guint8 one[16] = {0xda, 0x87, 0xc1, 0xd8, 0x6b, 0x99, 0xaf, 0x44,
                                   0x34, 0x76, 0x59, 0x11, 0x9b, 0x22, 0xfc, 0x45};
    const guint8 msg[1] = {0};
    const size_t none[] = {(size_t)-1}, whole[] = {1, (size_t)-1};
    guint8 out[16];

    hash(msg, none, out);
    assert_memory_equal(out, empty, 16);
    hash(msg, whole, out);
    assert_memory_equal(out, one, 16);
}

static void
test_pieces(void **state)
{
    guint8 msg[100], a[16], b[16];
    const size_t whole[] = {100, (size_t)-1};
    const size_t pieces[][8] = {
        {0, 3, 10, 87, (size_t)-1},
        {7, 1, 8, 9, 75, (size_t)-1},
        {1, 1, 1, 1, 1, 1, 94, (size_t)-1},
    };

    for (int i = 0; i < 100; i++)
        msg[i] = (guint8)(i * 7);
    hash(msg, whole, a);
    for (size_t i = 0; i < G_N_ELEMENTS(pieces); i++) {
        hash(msg, pieces[i], b);
        assert_memory_equal(a, b, 16);
    }
    /* and a change anywhere shows */
    for (int i = 0; i < 100; i += 9) {
        msg[i] ^= 1;
        hash(msg, whole, b);
        assert_memory_not_equal(a, b, 16);
        msg[i] ^= 1;
    }
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reference_values),
        cmocka_unit_test(test_pieces),
    };

    return cmocka_run_group_tests_name("siphash", tests, NULL, NULL);
}
