/* unit.h - helpers shared by the cmocka unit tests.
 *
 * Fixture files live in tests/fixtures/unit/ and are found through the
 * environment variable top_srcdir (set by the test harness), else
 * relative to this source file.  Databases live in fresh temporary
 * directories that the tests remove again.
 */
#ifndef TW_UNIT_H
#define TW_UNIT_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <glib.h>
#include <glib/gstdio.h>
#include <string.h>

/* The path of a fixture file, newly allocated. */
static inline char *
unit_fixture_path(const char *name)
{
    const char *top = g_getenv("top_srcdir");
    char *path;

    if (top != NULL && *top != '\0') {
        path = g_build_filename(top, "tests", "fixtures", "unit", name, NULL);
        if (g_file_test(path, G_FILE_TEST_EXISTS))
            return path;
        g_free(path);
    }
    char *dir = g_path_get_dirname(__FILE__);
    path = g_build_filename(dir, "..", "fixtures", "unit", name, NULL);
    g_free(dir);
    return path;
}

/* The contents of a fixture file (fails the test when missing). */
static inline char *
unit_fixture(const char *name, size_t *len)
{
    char *path = unit_fixture_path(name);
    char *data = NULL;
    gsize n = 0;
    GError *error = NULL;

    if (!g_file_get_contents(path, &data, &n, &error)) {
        fail_msg("fixture %s: %s", path, error ? error->message : "?");
    }
    g_free(path);
    if (len != NULL)
        *len = n;
    return data;
}

/* A fresh temporary directory, newly allocated. */
static inline char *
unit_tmpdir(void)
{
    GError *error = NULL;
    char *dir = g_dir_make_tmp("twoway-unit-XXXXXX", &error);

    if (dir == NULL)
        fail_msg("g_dir_make_tmp: %s", error ? error->message : "?");
    return dir;
}

/* Removes path and everything below it. */
static inline void
unit_rmtree(const char *path)
{
    GDir *dir;

    if (path == NULL)
        return;
    if (g_file_test(path, G_FILE_TEST_IS_DIR) &&
        !g_file_test(path, G_FILE_TEST_IS_SYMLINK) &&
        (dir = g_dir_open(path, 0, NULL)) != NULL) {
        const char *name;
        while ((name = g_dir_read_name(dir)) != NULL) {
            char *child = g_build_filename(path, name, NULL);
            unit_rmtree(child);
            g_free(child);
        }
        g_dir_close(dir);
        g_rmdir(path);
    } else {
        g_unlink(path);
    }
}

/* Writes text to dir/name and returns the path, newly allocated. */
static inline char *
unit_write_file(const char *dir, const char *name, const char *text, gssize len)
{
    char *path = g_build_filename(dir, name, NULL);
    GError *error = NULL;

    if (!g_file_set_contents(path, text, len, &error))
        fail_msg("writing %s: %s", path, error ? error->message : "?");
    return path;
}

/* True when haystack holds needle. */
static inline int
unit_contains(const char *haystack, const char *needle)
{
    return haystack != NULL && needle != NULL && strstr(haystack, needle) != NULL;
}

/* True when some string in array (of char *) holds needle. */
static inline int
unit_any_contains(GPtrArray *array, const char *needle)
{
    for (guint i = 0; array != NULL && i < array->len; i++)
        if (unit_contains(array->pdata[i], needle))
            return 1;
    return 0;
}

#endif
