/* recorder.c - a process that keeps the database open between
 * deliveries: where its socket is, how a delivery talks to it, how it
 * starts and when it leaves. */
#include "autoconfig.h"

#include "recorder.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <string.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sysexits.h>
#include <unistd.h>

#include "io.h"
#include "record.h"

/* A request: the header, then len bytes of message.  A reply: the
 * header, then err_len bytes of error text and tags_len of tags.  Both
 * ends are the same program (the socket's name holds its identity), so
 * the numbers travel in the machine's own order. */
#define MAGIC "twr1"
#define SENT 1u

typedef struct {
    char magic[4];
    guint32 flags;
    guint64 len;
} request_t;

typedef struct {
    char magic[4];
    guint32 status;
    guint32 err_len;
    guint32 tags_len;
} reply_t;

/* The largest message the recorder takes; a larger one is recorded by
 * its delivery itself. */
#define MAX_MESSAGE (1ULL << 32)
/* How long the recorder waits on a delivery that stopped talking. */
#define PEER_TIMEOUT_MS 10000
/* The log is trimmed at this size.  Nothing reads it back while the
 * recorder runs; SQLite's own checkpoints keep it near 4 MB. */
#define RECORDER_TRIM (8 * 1024 * 1024)

static void
set_timeouts(int fd, int ms)
{
    struct timeval tv = {.tv_sec = ms / 1000, .tv_usec = (ms % 1000) * 1000};

    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
}

/* Appends what tells a file from another, and its name when named:
 * a file replaced or edited gets another recorder. */
static void
add_identity(GString *id, const char *path, bool named)
{
    struct stat sb;

    if (named)
        g_string_append_printf(id, "%s:", path ? path : "");
    if (path != NULL && stat(path, &sb) == 0)
        g_string_append_printf(id, "%ju:%ju:%jd:%ld.%ld", (uintmax_t)sb.st_dev,
                               (uintmax_t)sb.st_ino, (intmax_t)sb.st_size,
                               (long)sb.st_mtim.tv_sec, sb.st_mtim.tv_nsec);
    g_string_append_c(id, '|');
}

/* The private folder of the user's recorders: $XDG_RUNTIME_DIR/twoway,
 * else twoway-UID in the temporary folder.  NULL when it is not ours
 * alone. */
static char *
socket_dir(void)
{
    const char *run = g_getenv("XDG_RUNTIME_DIR");
    char *dir;
    struct stat sb;

    if (run != NULL && g_path_is_absolute(run))
        dir = g_build_filename(run, "twoway", NULL);
    else {
        char *name = g_strdup_printf("twoway-%ju", (uintmax_t)geteuid());
        dir = g_build_filename(g_get_tmp_dir(), name, NULL);
        g_free(name);
    }
    if ((mkdir(dir, 0700) != 0 && errno != EEXIST) || lstat(dir, &sb) != 0 ||
        !S_ISDIR(sb.st_mode) || sb.st_uid != geteuid() || (sb.st_mode & 077) != 0) {
        g_free(dir);
        return NULL;
    }
    return dir;
}

/* The socket of the recorder for this program (started as argv0),
 * user, database, configuration and owner; NULL when there is to be
 * none.  The database's path becomes absolute in cfg: the recorder
 * works from /. */
static char *
socket_path(const char *argv0, const tw_globals_t *g, tw_config_t *cfg)
{
    if (cfg->recorder_seconds == 0)
        return NULL;
    char *db = tw_config_database(cfg);
    if (!g_path_is_absolute(db)) {
        char *abs = g_canonicalize_filename(db, NULL);
        g_free(db);
        db = abs;
    }
    g_free(cfg->database);
    cfg->database = db;

    char *dir = socket_dir();
    if (dir == NULL)
        return NULL;
    /* the program as it was started (under valgrind, /proc/self/exe
     * is valgrind): another build gets another recorder */
    char *program = strchr(argv0, '/') ? g_strdup(argv0) : g_find_program_in_path(argv0);
    GString *id = g_string_new(PACKAGE_VERSION "|");
    add_identity(id, program ? program : "/proc/self/exe", false);
    g_free(program);
    g_string_append_printf(id, "%ju|%s|", (uintmax_t)geteuid(), db);
    add_identity(id, cfg->path, true);
    g_string_append(id, g->owner ? g->owner : "");
    char *sum = g_compute_checksum_for_string(G_CHECKSUM_SHA256, id->str, (gssize)id->len);
    sum[24] = '\0';
    char *name = g_strconcat("r-", sum, ".sock", NULL);
    char *path = g_build_filename(dir, name, NULL);
    g_free(name);
    g_free(sum);
    g_string_free(id, TRUE);
    g_free(dir);
    if (strlen(path) >= sizeof((struct sockaddr_un *)0)->sun_path) {
        g_free(path);
        return NULL;
    }
    return path;
}

static void
address_of(const char *path, struct sockaddr_un *sa)
{
    memset(sa, 0, sizeof *sa);
    sa->sun_family = AF_UNIX;
    g_strlcpy(sa->sun_path, path, sizeof sa->sun_path);
}

/* ---- the recorder ---- */

/* The database the recorder holds, and which file it was. */
typedef struct {
    const tw_config_t *cfg;
    char *db;
    tw_store_t *store;
    dev_t dev;
    ino_t ino;
    bool seen; /* the database was there once */
} kept_t;

/* Closes the database when its path no longer names the file that was
 * opened (removed, or replaced).  False when the path names nothing
 * and there was a database there before: the recorder's work is done. */
static bool
check_database(kept_t *k)
{
    struct stat sb;
    bool there = stat(k->db, &sb) == 0;

    if (k->store != NULL && (!there || sb.st_dev != k->dev || sb.st_ino != k->ino)) {
        tw_store_close(k->store);
        k->store = NULL;
    }
    if (there)
        k->seen = true;
    return there || !k->seen;
}

static void
reply(int fd, tw_status_t st, const char *err, const char *tags, size_t tags_len)
{
    reply_t r = {.magic = MAGIC, .status = (guint32)st};

    r.err_len = (guint32)strlen(err);
    r.tags_len = (guint32)tags_len;
    if (io_write_all(fd, &r, sizeof r) && io_write_all(fd, err, r.err_len))
        io_write_all(fd, tags, tags_len);
}

static void
handle(int fd, kept_t *k)
{
    struct ucred cred;
    socklen_t cred_len = sizeof cred;
    request_t rq;

    if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &cred_len) != 0 ||
        cred.uid != geteuid())
        return;
    set_timeouts(fd, PEER_TIMEOUT_MS);
    if (!io_read_all(fd, &rq, sizeof rq) || memcmp(rq.magic, MAGIC, 4) != 0 ||
        rq.len > MAX_MESSAGE)
        return;
    char *data = g_try_malloc(rq.len + 1);
    if (data == NULL) {
        reply(fd, TW_ERR_NOMEM, "", NULL, 0);
        return;
    }
    if (io_read_all(fd, data, rq.len)) {
        tw_raw_t raw;
        tw_error_t err = {{0}};
        char *tags = NULL;
        size_t tags_len = 0;

        tw_raw_scan(&raw, data, rq.len);
        check_database(k);
        bool opened = k->store != NULL;
        tw_status_t st = filter_record(k->cfg, rq.flags & SENT, &raw, &k->store, RECORDER_TRIM,
                                       &tags, &tags_len, &err);
        struct stat sb;
        if (!opened && k->store != NULL && stat(k->db, &sb) == 0) {
            k->dev = sb.st_dev;
            k->ino = sb.st_ino;
        }
        if (st != TW_OK && st != TW_ERR_NO_OWNER && k->store != NULL) {
            /* the next delivery opens it afresh */
            tw_store_close(k->store);
            k->store = NULL;
        }
        reply(fd, st, err.text, tags, tags_len);
        g_free(tags);
    }
    g_free(data);
}

/* Takes the socket's lock: a recorder holds it while it runs.  -1
 * when another recorder has it. */
static int
take_lock(const char *path)
{
    char *lock = g_strconcat(path, ".lock", NULL);
    int fd = open(lock, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
    struct stat held, named;

    /* the lock file a leaving recorder removed may have been opened
     * just before: only the one its name holds counts */
    if (fd >= 0 && (flock(fd, LOCK_EX | LOCK_NB) != 0 || fstat(fd, &held) != 0 ||
                    stat(lock, &named) != 0 || held.st_ino != named.st_ino ||
                    held.st_dev != named.st_dev)) {
        close(fd);
        fd = -1;
    }
    g_free(lock);
    return fd;
}

/* Serves deliveries one at a time until none came for the configured
 * time or the database is gone.  NULL when it ran, else why not. */
static const char *
serve(const tw_config_t *cfg, const char *path)
{
    int lock_fd = take_lock(path);
    int fd = -1;
    kept_t k = {.cfg = cfg, .db = tw_config_database(cfg)};
    struct sockaddr_un sa;
    const char *why = NULL;

    if (lock_fd < 0) {
        why = "another recorder runs for this database";
        goto out;
    }
    /* what is left of a recorder that did not leave in order */
    unlink(path);
    address_of(path, &sa);
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof sa) != 0 || listen(fd, 128) != 0) {
        why = g_strerror(errno);
        goto out;
    }
    for (int idle = 0; idle < cfg->recorder_seconds;) {
        struct pollfd p = {.fd = fd, .events = POLLIN};
        int n = poll(&p, 1, 1000);
        if (n == 0) {
            idle++;
            if (!check_database(&k))
                break;
            continue;
        }
        if (n < 0) {
            if (errno == EINTR)
                continue;
            break;
        }
        int c = accept4(fd, NULL, NULL, SOCK_CLOEXEC);
        if (c >= 0) {
            handle(c, &k);
            close(c);
            idle = 0;
        }
    }
    /* new deliveries start another recorder from here on */
    unlink(path);
out:
    if (lock_fd >= 0) {
        char *lock = g_strconcat(path, ".lock", NULL);
        unlink(lock);
        g_free(lock);
    }
    if (fd >= 0)
        close(fd);
    if (k.store != NULL) {
        /* leave no log for the next process to read back */
        if (check_database(&k) && k.store != NULL)
            tw_store_trim_log(k.store, 0);
        tw_store_close(k.store);
    }
    g_free(k.db);
    if (lock_fd >= 0)
        close(lock_fd);
    return why;
}

void
recorder_start(const tw_config_t *cfg, const char *path)
{
    /* no wait for it: the delivery leaves next, and the recorder, its
     * own session's leader, is the init process's child then */
    if (fork() != 0)
        return;
    setsid();
    int null = open("/dev/null", O_RDWR | O_NOCTTY);
    if (null < 0)
        _exit(0);
    for (int i = 0; i < 3; i++)
        if (null != i)
            dup2(null, i);
#ifdef SYS_close_range
    if (syscall(SYS_close_range, 3U, ~0U, 0U) != 0)
#endif
        for (int i = 3, max = (int)MIN(sysconf(_SC_OPEN_MAX), 65536); i < max; i++)
            close(i);
    if (chdir("/") == 0)
        serve(cfg, path);
    _exit(0);
}

int
recorder_run(const char *argv0, const tw_globals_t *g, tw_config_t *cfg)
{
    if (cfg->recorder_seconds == 0) {
        tw_warn("Recorder is 0: no recorder to run");
        return EX_CONFIG;
    }
    char *path = socket_path(argv0, g, cfg);
    if (path == NULL) {
        tw_warn("no private folder for the recorder's socket");
        return EX_CANTCREAT;
    }
    const char *why = serve(cfg, path);
    if (why != NULL)
        tw_warn("%s: %s", path, why);
    g_free(path);
    return why ? EX_TEMPFAIL : EX_OK;
}

/* ---- a delivery ---- */

bool
recorder_deliver(const char *argv0, const tw_globals_t *g, tw_config_t *cfg, bool sent,
                 const tw_raw_t *raw, tw_status_t *st, char **tags, size_t *tags_len,
                 tw_error_t *err, char **start)
{
    char *path = socket_path(argv0, g, cfg);
    struct sockaddr_un sa;
    bool done = false;
    int fd;

    if (path == NULL)
        return false;
    address_of(path, &sa);
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        goto out;
    /* the recorder may itself wait BusyTimeout for the database */
    set_timeouts(fd, cfg->busy_timeout_ms + PEER_TIMEOUT_MS);
    if (connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
        if (errno == ENOENT || errno == ECONNREFUSED) {
            *start = path;
            path = NULL;
        }
        goto out;
    }
    request_t rq = {.magic = MAGIC, .flags = sent ? SENT : 0, .len = raw->len};
    reply_t r;
    if (raw->len > MAX_MESSAGE || !io_write_all(fd, &rq, sizeof rq) ||
        !io_write_all(fd, raw->data, raw->len) || !io_read_all(fd, &r, sizeof r) ||
        memcmp(r.magic, MAGIC, 4) != 0 || r.err_len >= sizeof err->text)
        goto out;
    char *t = g_malloc(r.tags_len + 1);
    if (io_read_all(fd, err->text, r.err_len) && io_read_all(fd, t, r.tags_len)) {
        err->text[r.err_len] = '\0';
        t[r.tags_len] = '\0';
        *st = (tw_status_t)r.status;
        *tags = t;
        *tags_len = r.tags_len;
        done = true;
    } else {
        g_free(t);
        err->text[0] = '\0';
    }
out:
    if (fd >= 0)
        close(fd);
    g_free(path);
    return done;
}
