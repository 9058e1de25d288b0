/* mailbox.c - walking mbox files, maildirs and directories. */
#include "mailbox.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

static bool
is_dir(const char *path)
{
    struct stat st;

    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static bool
is_maildir(const char *path)
{
    char *cur = g_build_filename(path, "cur", NULL);
    char *new = g_build_filename(path, "new", NULL);
    bool yes = is_dir(cur) && is_dir(new);

    g_free(cur);
    g_free(new);
    return yes;
}

/* The entries of a directory, sorted, without dot files. */
static GPtrArray *
list_dir(const char *path, tw_error_t *err)
{
    GError *error = NULL;
    GDir *dir = g_dir_open(path, 0, &error);
    GPtrArray *names;
    const char *name;

    if (dir == NULL) {
        tw_error_set(err, "%s: %s", path, error->message);
        g_error_free(error);
        return NULL;
    }
    names = g_ptr_array_new_with_free_func(g_free);
    while ((name = g_dir_read_name(dir)) != NULL)
        if (name[0] != '.')
            g_ptr_array_add(names, g_build_filename(path, name, NULL));
    g_dir_close(dir);
    return names;
}

/* g_ptr_array_sort passes pointers to elements. */
static gint
compare_paths(gconstpointer a, gconstpointer b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Files up to this size are read rather than mapped. */
#define SMALL_FILE (1024 * 1024)

static tw_status_t each_in_file(const char *path, tw_mailbox_fn fn, void *ctx,
                                tw_error_t *err);

static tw_status_t
each_in_dir(const char *path, tw_mailbox_fn fn, void *ctx, tw_error_t *err, int depth)
{
    GPtrArray *names;
    tw_status_t st = TW_OK;

    if (depth > 16)
        return TW_OK;
    if (is_maildir(path)) {
        const char *subs[] = {"cur", "new"};
        for (size_t i = 0; i < 2 && st == TW_OK; i++) {
            char *sub = g_build_filename(path, subs[i], NULL);
            names = list_dir(sub, err);
            g_free(sub);
            if (names == NULL)
                return TW_ERR_NOINPUT;
            g_ptr_array_sort(names, compare_paths);
            for (guint k = 0; k < names->len && st == TW_OK; k++)
                if (!is_dir(names->pdata[k]))
                    st = each_in_file(names->pdata[k], fn, ctx, err);
            g_ptr_array_free(names, TRUE);
        }
        return st;
    }
    names = list_dir(path, err);
    if (names == NULL)
        return TW_ERR_NOINPUT;
    g_ptr_array_sort(names, compare_paths);
    for (guint k = 0; k < names->len && st == TW_OK; k++) {
        const char *p = names->pdata[k];
        st = is_dir(p) ? each_in_dir(p, fn, ctx, err, depth + 1) : each_in_file(p, fn, ctx, err);
    }
    g_ptr_array_free(names, TRUE);
    return st;
}

/* Splits an mbox at "From " lines that start the data or follow a
 * blank line. */
static tw_status_t
each_in_mbox(const char *path, const char *data, size_t len, tw_mailbox_fn fn, void *ctx)
{
    size_t start = 0, pos = 0;
    unsigned line = 1, start_line = 1;
    char origin[4200];

    while (pos < len) {
        const char *nl = memchr(data + pos, '\n', len - pos);
        size_t next = nl ? (size_t)(nl - data) + 1 : len;
        /* a blank line followed by "From " ends the message */
        bool blank = next - pos == 1 || (next - pos == 2 && data[pos] == '\r');
        if (blank && next + 5 <= len && memcmp(data + next, "From ", 5) == 0) {
            g_snprintf(origin, sizeof origin, "%s:%u", path, start_line);
            if (!fn(ctx, data + start, pos - start, origin))
                return TW_ERR_IO;
            start = next;
            start_line = line + 1;
        }
        pos = next;
        line++;
    }
    if (start < len) {
        g_snprintf(origin, sizeof origin, "%s:%u", path, start_line);
        if (!fn(ctx, data + start, len - start, origin))
            return TW_ERR_IO;
    }
    return TW_OK;
}

static tw_status_t
each_in_file(const char *path, tw_mailbox_fn fn, void *ctx, tw_error_t *err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat sb;
    tw_status_t st = TW_OK;

    if (fd < 0 || fstat(fd, &sb) != 0) {
        tw_error_set(err, "%s: %s", path, g_strerror(errno));
        if (fd >= 0)
            close(fd);
        return TW_ERR_NOINPUT;
    }
    if (sb.st_size == 0) {
        close(fd);
        return fn(ctx, "", 0, path) ? TW_OK : TW_ERR_IO;
    }
    size_t len = (size_t)sb.st_size;
    char *copy = NULL;
    void *map = MAP_FAILED;
    if (len <= SMALL_FILE) {
        /* a maildir's message: read, for an unmap in a process with
         * threads interrupts every other processor */
        copy = g_malloc(len);
        size_t got = 0;
        ssize_t n = 0;
        while (got < len && ((n = read(fd, copy + got, len - got)) > 0 || (n < 0 && errno == EINTR)))
            got += n > 0 ? (size_t)n : 0;
        if (n < 0) {
            tw_error_set(err, "%s: %s", path, g_strerror(errno));
            g_free(copy);
            close(fd);
            return TW_ERR_NOINPUT;
        }
        len = got; /* a file that shrank meanwhile: what it holds now */
    } else {
        map = mmap(NULL, len, PROT_READ, MAP_PRIVATE, fd, 0);
    }
    close(fd);
    if (copy == NULL && map == MAP_FAILED) {
        tw_error_set(err, "%s: %s", path, g_strerror(errno));
        return TW_ERR_NOINPUT;
    }
    const char *data = copy ? copy : map;
    if (len >= 5 && memcmp(data, "From ", 5) == 0)
        st = each_in_mbox(path, data, len, fn, ctx);
    else if (!fn(ctx, data, len, path))
        st = TW_ERR_IO;
    if (copy != NULL)
        g_free(copy);
    else
        munmap(map, (size_t)sb.st_size);
    return st;
}

tw_status_t
tw_mailbox_each(const char *path, tw_mailbox_fn fn, void *ctx, tw_error_t *err)
{
    struct stat sb;

    if (stat(path, &sb) != 0) {
        tw_error_set(err, "%s: %s", path, g_strerror(errno));
        return TW_ERR_NOINPUT;
    }
    if (S_ISDIR(sb.st_mode))
        return each_in_dir(path, fn, ctx, err, 0);
    return each_in_file(path, fn, ctx, err);
}

static guint64
bytes_in(const char *path, int depth)
{
    struct stat sb;
    guint64 total = 0;

    if (stat(path, &sb) != 0)
        return 0;
    if (!S_ISDIR(sb.st_mode))
        return (guint64)sb.st_size;
    if (depth > 16)
        return 0;
    GDir *dir = g_dir_open(path, 0, NULL);
    const char *name;
    if (dir == NULL)
        return 0;
    while ((name = g_dir_read_name(dir)) != NULL) {
        if (name[0] == '.')
            continue;
        char *p = g_build_filename(path, name, NULL);
        total += bytes_in(p, depth + 1);
        g_free(p);
    }
    g_dir_close(dir);
    return total;
}

guint64
tw_mailbox_bytes(const char *path)
{
    return bytes_in(path, 0);
}
