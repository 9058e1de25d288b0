/* gmime-parse.c - the floor for import speed: read every file of a
 * maildir and build its message with GMime, nothing more.
 *
 * usage: gmime-parse MAILDIR
 * Prints "N messages in S seconds".
 */
#include <gmime/gmime.h>
#include <stdio.h>
#include <stdlib.h>

static long
parse_dir(const char *dir)
{
    GDir *d = g_dir_open(dir, 0, NULL);
    const char *name;
    long n = 0;

    if (d == NULL)
        return 0;
    while ((name = g_dir_read_name(d)) != NULL) {
        char *path = g_build_filename(dir, name, NULL);
        gchar *data;
        gsize len;
        if (g_file_get_contents(path, &data, &len, NULL)) {
            GMimeStream *stream = g_mime_stream_mem_new_with_buffer(data, len);
            GMimeParser *parser = g_mime_parser_new_with_stream(stream);
            GMimeMessage *msg = g_mime_parser_construct_message(parser, NULL);
            if (msg != NULL) {
                n++;
                g_object_unref(msg);
            }
            g_object_unref(parser);
            g_object_unref(stream);
            g_free(data);
        }
        g_free(path);
    }
    g_dir_close(d);
    return n;
}

int
main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: gmime-parse MAILDIR\n");
        return 64;
    }
    g_mime_init();
    gint64 t0 = g_get_monotonic_time();
    char *cur = g_build_filename(argv[1], "cur", NULL);
    char *new = g_build_filename(argv[1], "new", NULL);
    long n = parse_dir(cur) + parse_dir(new);
    double secs = (double)(g_get_monotonic_time() - t0) / G_USEC_PER_SEC;
    printf("%ld messages in %.3f seconds\n", n, secs);
    g_free(cur);
    g_free(new);
    return 0;
}
