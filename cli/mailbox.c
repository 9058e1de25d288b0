/* mailbox.c - walking mbox files, maildirs and directories. */
#include "mailbox.h"

#include <errno.h>
#include <dirent.h>
#include <fcntl.h>
#include <gmime/gmime.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "raw.h"

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

/* An entry of a directory. */
typedef struct {
    char *path;
    bool dir;
} entry_name_t;

static void
entry_name_clear(gpointer p)
{
    g_free(((entry_name_t *)p)->path);
}

static gint
compare_names(gconstpointer a, gconstpointer b)
{
    return strcmp(((const entry_name_t *)a)->path, ((const entry_name_t *)b)->path);
}

/* The entries of a directory, sorted, without dot files; each known a
 * directory or not by its type in the listing, or by a look at it when
 * the listing does not say (a link, a file system without types). */
static GArray *
list_dir(const char *path, tw_error_t *err)
{
    DIR *dir = opendir(path);
    GArray *names;
    struct dirent *d;

    if (dir == NULL) {
        tw_error_set(err, "%s: %s", path, g_strerror(errno));
        return NULL;
    }
    names = g_array_new(FALSE, FALSE, sizeof(entry_name_t));
    g_array_set_clear_func(names, entry_name_clear);
    while ((d = readdir(dir)) != NULL) {
        if (d->d_name[0] == '.')
            continue;
        entry_name_t e = {g_build_filename(path, d->d_name, NULL), d->d_type == DT_DIR};
        if (d->d_type == DT_UNKNOWN || d->d_type == DT_LNK)
            e.dir = is_dir(e.path);
        g_array_append_val(names, e);
    }
    closedir(dir);
    g_array_sort(names, compare_names);
    return names;
}

/* Files up to this size are read rather than mapped. */
#define SMALL_FILE (1024 * 1024)

/* A file's bytes, read or mapped. */
typedef struct {
    char *path;
    const char *data;
    size_t len;
    char *copy;     /* read: a small file */
    void *map;      /* or mapped */
    size_t map_len;
    bool message;   /* kept: one message, not an mbox */
} file_t;

static void
file_unload(file_t *f)
{
    if (f->copy != NULL)
        g_free(f->copy);
    else if (f->map != NULL)
        munmap(f->map, f->map_len);
    f->copy = NULL;
    f->map = NULL;
    f->data = NULL;
}

/* Reads or maps the file at f->path (its data "" when empty); a file
 * kept loaded for long (map set) is mapped whatever its size. */
static tw_status_t
file_load(file_t *f, bool map, tw_error_t *err)
{
    int fd = open(f->path, O_RDONLY | O_CLOEXEC);
    struct stat sb;

    f->data = "";
    f->len = 0;
    f->copy = NULL;
    f->map = NULL;
    if (fd < 0 || fstat(fd, &sb) != 0) {
        tw_error_set(err, "%s: %s", f->path, g_strerror(errno));
        if (fd >= 0)
            close(fd);
        return TW_ERR_NOINPUT;
    }
    if (sb.st_size == 0) {
        close(fd);
        return TW_OK;
    }
    size_t len = (size_t)sb.st_size;
    if (len <= SMALL_FILE && !map) {
        /* a maildir's message: read, for an unmap in a process with
         * threads interrupts every other processor */
        f->copy = g_malloc(len);
        size_t got = 0;
        ssize_t n = 0;
        while (got < len &&
               ((n = read(fd, f->copy + got, len - got)) > 0 || (n < 0 && errno == EINTR)))
            got += n > 0 ? (size_t)n : 0;
        if (n < 0) {
            tw_error_set(err, "%s: %s", f->path, g_strerror(errno));
            g_free(f->copy);
            f->copy = NULL;
            close(fd);
            return TW_ERR_NOINPUT;
        }
        f->data = f->copy;
        f->len = got; /* a file that shrank meanwhile: what it holds now */
    } else {
        f->map = mmap(NULL, len, PROT_READ, MAP_PRIVATE, fd, 0);
        if (f->map == MAP_FAILED) {
            f->map = NULL;
            tw_error_set(err, "%s: %s", f->path, g_strerror(errno));
            close(fd);
            return TW_ERR_NOINPUT;
        }
        f->map_len = len;
        f->data = f->map;
        f->len = len;
    }
    close(fd);
    return TW_OK;
}

static bool
is_mbox(const file_t *f)
{
    return f->len >= 5 && memcmp(f->data, "From ", 5) == 0;
}

/* Receives one message of an mbox: its bytes and first line. */
typedef bool (*part_fn)(void *ctx, const file_t *f, size_t start, size_t len, unsigned line);

/* Splits an mbox at "From " lines that start the data or follow a
 * blank line. */
static bool
split_mbox(const file_t *f, part_fn fn, void *ctx)
{
    const char *data = f->data;
    size_t len = f->len, start = 0, pos = 0;
    unsigned line = 1, start_line = 1;

    while (pos < len) {
        const char *nl = memchr(data + pos, '\n', len - pos);
        size_t next = nl ? (size_t)(nl - data) + 1 : len;
        /* a blank line followed by "From " ends the message */
        bool blank = next - pos == 1 || (next - pos == 2 && data[pos] == '\r');
        if (blank && next + 5 <= len && memcmp(data + next, "From ", 5) == 0) {
            if (!fn(ctx, f, start, pos - start, start_line))
                return false;
            start = next;
            start_line = line + 1;
        }
        pos = next;
        line++;
    }
    return start >= len || fn(ctx, f, start, len - start, start_line);
}

typedef struct {
    tw_mailbox_fn fn;
    void *ctx;
} deliver_t;

static bool
deliver_part(void *ctx, const file_t *f, size_t start, size_t len, unsigned line)
{
    deliver_t *d = ctx;
    char origin[4200];

    g_snprintf(origin, sizeof origin, "%s:%u", f->path, line);
    return d->fn(d->ctx, f->data + start, len, origin, NULL);
}

/* Hands over a file that holds one message, then unloads it: a file read
 * into memory is the receiver's to take. */
static bool
deliver_message(file_t *f, tw_mailbox_fn fn, void *ctx)
{
    bool ok = fn(ctx, f->data, f->len, f->path, f->copy != NULL ? &f->copy : NULL);

    file_unload(f);
    return ok;
}

static tw_status_t
each_in_file(const char *path, tw_mailbox_fn fn, void *ctx, tw_error_t *err)
{
    file_t f = {.path = (char *)path};
    deliver_t d = {fn, ctx};
    tw_status_t st = file_load(&f, false, err);

    if (st != TW_OK)
        return st;
    if (!is_mbox(&f))
        return deliver_message(&f, fn, ctx) ? TW_OK : TW_ERR_IO;
    st = split_mbox(&f, deliver_part, &d) ? TW_OK : TW_ERR_IO;
    file_unload(&f);
    return st;
}

/* Receives the path of each file under a directory. */
typedef tw_status_t (*file_fn)(void *ctx, const char *path, tw_error_t *err);

static tw_status_t
walk_dir(const char *path, file_fn fn, void *ctx, tw_error_t *err, int depth)
{
    const char *subs[] = {"cur", "new"};
    bool maildir = is_maildir(path);
    tw_status_t st = TW_OK;

    if (depth > 16)
        return TW_OK;
    /* a maildir's messages are in cur and new; any other directory is
     * walked whole */
    for (size_t i = 0; i < (maildir ? 2 : 1) && st == TW_OK; i++) {
        char *sub = maildir ? g_build_filename(path, subs[i], NULL) : g_strdup(path);
        GArray *names = list_dir(sub, err);
        g_free(sub);
        if (names == NULL)
            return TW_ERR_NOINPUT;
        for (guint k = 0; k < names->len && st == TW_OK; k++) {
            const entry_name_t *e = &g_array_index(names, entry_name_t, k);
            if (!e->dir)
                st = fn(ctx, e->path, err);
            else if (!maildir)
                st = walk_dir(e->path, fn, ctx, err, depth + 1);
        }
        g_array_free(names, TRUE);
    }
    return st;
}

/* Walks path: a directory's files, or path itself. */
static tw_status_t
walk(const char *path, file_fn fn, void *ctx, tw_error_t *err)
{
    struct stat sb;

    if (stat(path, &sb) != 0) {
        tw_error_set(err, "%s: %s", path, g_strerror(errno));
        return TW_ERR_NOINPUT;
    }
    if (S_ISDIR(sb.st_mode))
        return walk_dir(path, fn, ctx, err, 0);
    return fn(ctx, path, err);
}

static tw_status_t
deliver_file(void *ctx, const char *path, tw_error_t *err)
{
    deliver_t *d = ctx;

    return each_in_file(path, d->fn, d->ctx, err);
}

tw_status_t
tw_mailbox_each(const char *path, tw_mailbox_fn fn, void *ctx, tw_error_t *err)
{
    deliver_t d = {fn, ctx};

    return walk(path, deliver_file, &d, err);
}

/* Date order. */

/* One message found under a path. */
typedef struct {
    gint64 date;
    guint64 seq;    /* in the order found: its file's place, then its own */
    file_t *file;
    unsigned line;  /* of an mbox's message, else 0 */
    size_t start, len;
} entry_t;

/* Files are looked at by several threads at once: opening and reading
 * tens of thousands of them is most of the time before the first
 * message can be handed over. */
#define MAX_INDEXERS 4

/* Message files read whole for their Date are kept, up to this many
 * bytes in all, so that they are not read again when handed over. */
#define KEPT_BYTES (64 * 1024 * 1024)

/* The files under a path, shared by the threads that index them. */
typedef struct {
    gint64 undated;
    GPtrArray *paths; /* in walk order */
    gint next;        /* the next path to look at */
    gint kept;        /* bytes of message files kept */
    gint failed;      /* a look failed: the others stop */
} index_t;

/* What one thread found. */
typedef struct {
    index_t *ix;
    GPtrArray *files;  /* file_t: an mbox stays loaded, and a message file read whole */
    GArray *entries;
    guint path;        /* the path looked at */
    guint parts;       /* messages found in it so far */
    tw_status_t st;    /* the first failure, at failed_path */
    guint failed_path;
    tw_error_t err;
} indexer_t;

static void
file_free(gpointer p)
{
    file_t *f = p;

    file_unload(f);
    g_free(f->path);
    g_free(f);
}

/* The date of the message data[0, len) as its Date header gives it, or
 * undated. */
static gint64
message_date(const char *data, size_t len, gint64 undated)
{
    tw_raw_t raw;
    tw_field_t field;
    size_t pos = 0;

    tw_raw_scan(&raw, data, len);
    while (tw_raw_next_field(&raw, &pos, &field)) {
        if (!tw_raw_field_is(&raw, &field, "Date"))
            continue;
        GString *value = g_string_sized_new(field.end - field.start);
        for (size_t i = field.start + field.name_len + 1; i < field.end; i++)
            if (data[i] != '\r' && data[i] != '\n')
                g_string_append_c(value, data[i]);
        GDateTime *dt = g_mime_utils_header_decode_date(g_strstrip(value->str));
        gint64 date = dt ? g_date_time_to_unix(dt) : undated;
        if (dt != NULL)
            g_date_time_unref(dt);
        g_string_free(value, TRUE);
        return date;
    }
    return undated;
}

/* The message data[start, start + len) of the file last added. */
static void
add_entry(indexer_t *me, size_t start, size_t len, unsigned line)
{
    file_t *f = me->files->pdata[me->files->len - 1];
    entry_t e = {
        .date = message_date(f->data + start, len, me->ix->undated),
        .seq = (guint64)me->path << 32 | me->parts++,
        .file = f,
        .line = line,
        .start = start,
        .len = len,
    };

    g_array_append_val(me->entries, e);
}

static bool
index_part(void *ctx, const file_t *f, size_t start, size_t len, unsigned line)
{
    (void)f;
    add_entry(ctx, start, len, line);
    return true;
}

/* Bytes of a message file read for its Date: its header block, unless
 * it is longer. */
#define HEAD_BYTES 16384

/* Whether data[0, len) holds the end of a header block. */
static bool
has_header_end(const char *data, size_t len)
{
    tw_raw_t raw;

    tw_raw_scan(&raw, data, len);
    return !raw.header_unterminated && raw.body_start < len;
}

/* Whether n more bytes may be kept. */
static bool
may_keep(index_t *ix, size_t n)
{
    if (n == 0 || n > KEPT_BYTES)
        return false;
    if (g_atomic_int_add(&ix->kept, (gint)n) + n <= KEPT_BYTES)
        return true;
    g_atomic_int_add(&ix->kept, -(gint)n);
    return false;
}

/* Indexes the messages of one file: an mbox stays loaded for its
 * messages to be handed over; of a message file the head is read, and
 * kept when it is the whole file and the budget allows, else the whole
 * file is read again when it is handed over. */
static tw_status_t
index_file(indexer_t *me, const char *path, tw_error_t *err)
{
    file_t *f = g_new0(file_t, 1);
    char head[HEAD_BYTES];
    ssize_t n = -1;
    tw_status_t st;
    int fd;

    f->path = g_strdup(path);
    g_ptr_array_add(me->files, f);
    if ((fd = open(path, O_RDONLY | O_CLOEXEC)) >= 0) {
        while ((n = read(fd, head, sizeof head)) < 0 && errno == EINTR)
            ;
        close(fd);
    }
    bool whole = n >= 0 && (size_t)n < sizeof head;
    bool mbox = n >= 5 && memcmp(head, "From ", 5) == 0;
    if (whole && (mbox || may_keep(me->ix, (size_t)n))) {
        f->copy = g_memdup2(head, (gsize)n);
        f->data = f->copy;
        f->len = (size_t)n;
        f->message = !mbox;
        if (mbox)
            split_mbox(f, index_part, me);
        else
            add_entry(me, 0, f->len, 0);
        return TW_OK;
    }
    if (whole || (n > 0 && !mbox && has_header_end(head, (size_t)n))) {
        f->data = head;
        f->len = (size_t)n;
        add_entry(me, 0, f->len, 0);
        f->data = NULL;
        return TW_OK;
    }
    /* what is not a message file stays until the end: mapped, its
     * pages the system's to drop */
    if ((st = file_load(f, true, err)) != TW_OK) {
        g_ptr_array_remove_index(me->files, me->files->len - 1);
        return st;
    }
    if (is_mbox(f)) {
        split_mbox(f, index_part, me);
    } else {
        add_entry(me, 0, f->len, 0);
        file_unload(f);
    }
    return TW_OK;
}

static gpointer
indexer(gpointer data)
{
    indexer_t *me = data;
    index_t *ix = me->ix;

    me->files = g_ptr_array_new_with_free_func(file_free);
    me->entries = g_array_new(FALSE, FALSE, sizeof(entry_t));
    while (!g_atomic_int_get(&ix->failed)) {
        guint i = (guint)g_atomic_int_add(&ix->next, 1);
        if (i >= ix->paths->len)
            break;
        me->path = i;
        me->parts = 0;
        tw_status_t st = index_file(me, ix->paths->pdata[i], &me->err);
        if (st != TW_OK) {
            me->st = st;
            me->failed_path = i;
            g_atomic_int_set(&ix->failed, 1);
        }
    }
    return NULL;
}

static tw_status_t
collect_path(void *ctx, const char *path, tw_error_t *err)
{
    (void)err;
    g_ptr_array_add(ctx, g_strdup(path));
    return TW_OK;
}

static gint
by_date(gconstpointer a, gconstpointer b)
{
    const entry_t *x = a, *y = b;

    if (x->date != y->date)
        return x->date < y->date ? -1 : 1;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

tw_status_t
tw_mailbox_each_by_date(const char *path, gint64 undated, tw_mailbox_fn fn, void *ctx,
                        tw_error_t *err)
{
    index_t ix = {.undated = undated, .paths = g_ptr_array_new_with_free_func(g_free)};
    indexer_t me[MAX_INDEXERS] = {{0}};
    GThread *threads[MAX_INDEXERS];
    int n = CLAMP((int)g_get_num_processors(), 1, MAX_INDEXERS);
    deliver_t d = {fn, ctx};
    tw_status_t st = walk(path, collect_path, ix.paths, err);

    if (st != TW_OK) {
        g_ptr_array_free(ix.paths, TRUE);
        return st;
    }
    n = MIN(n, (int)(ix.paths->len / 16) + 1); /* a thread for every 16 files at least */
    for (int t = 0; t < n; t++)
        me[t].ix = &ix;
    for (int t = 1; t < n; t++)
        threads[t] = g_thread_new("indexer", indexer, &me[t]);
    indexer(&me[0]);
    GArray *entries = g_array_new(FALSE, FALSE, sizeof(entry_t));
    const indexer_t *failed = NULL;
    for (int t = 0; t < n; t++) {
        if (t > 0)
            g_thread_join(threads[t]);
        g_array_append_vals(entries, me[t].entries->data, me[t].entries->len);
        if (me[t].st != TW_OK && (failed == NULL || me[t].failed_path < failed->failed_path))
            failed = &me[t];
    }
    if (failed != NULL) {
        st = failed->st;
        if (err != NULL)
            *err = failed->err;
    }
    g_array_sort(entries, by_date);
    for (guint i = 0; i < entries->len && st == TW_OK; i++) {
        entry_t *e = &g_array_index(entries, entry_t, i);
        file_t *f = e->file;
        if (f->data == NULL) {
            st = each_in_file(f->path, fn, ctx, err); /* a message file */
        } else if (f->message) {
            if (!deliver_message(f, fn, ctx))
                st = TW_ERR_IO;
        } else if (!deliver_part(&d, f, e->start, e->len, e->line)) {
            st = TW_ERR_IO;
        }
    }
    g_array_free(entries, TRUE);
    for (int t = 0; t < n; t++) {
        g_array_free(me[t].entries, TRUE);
        g_ptr_array_free(me[t].files, TRUE);
    }
    g_ptr_array_free(ix.paths, TRUE);
    return st;
}

static tw_status_t
add_size(void *ctx, const char *path, tw_error_t *err)
{
    struct stat sb;

    (void)err;
    if (stat(path, &sb) == 0)
        *(guint64 *)ctx += (guint64)sb.st_size;
    return TW_OK;
}

guint64
tw_mailbox_bytes(const char *path)
{
    guint64 total = 0;

    walk(path, add_size, &total, NULL);
    return total;
}
