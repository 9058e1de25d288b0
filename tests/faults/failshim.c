/* failshim.c - an LD_PRELOAD library that makes chosen calls fail.
 *
 * Each family of calls has its own counter (per process, shared by its
 * threads) and fails at its Nth call, or at the Nth and every later
 * one, as the environment says:
 *
 *   FAILSHIM_MALLOC=N         malloc, calloc, realloc, posix_memalign,
 *                             aligned_alloc, memalign (one counter):
 *                             NULL, errno ENOMEM
 *   FAILSHIM_WRITE=N          write, writev, pwrite, pwrite64 (one
 *                             counter, of the chosen files only): -1
 *   FAILSHIM_WRITE_ON=what    which writes count: "any" (default),
 *                             "files" (regular files only) or one
 *                             descriptor ("1" for standard output)
 *   FAILSHIM_WRITE_ERRNO=e    EIO (default) or ENOSPC
 *   FAILSHIM_FSYNC=N          fsync, fdatasync (one counter): -1, EIO
 *   FAILSHIM_STEP=N           sqlite3_step
 *   FAILSHIM_PREPARE=N        sqlite3_prepare_v2, sqlite3_prepare_v3
 *   FAILSHIM_OPEN=N           sqlite3_open_v2
 *   FAILSHIM_SQLITE_RC=c      what the sqlite calls return: IOERR (the
 *                             default), FULL or BUSY
 *   FAILSHIM_MODE=from|only   fail the Nth call and every later one
 *                             (from, the default) or the Nth only
 *   FAILSHIM_COUNT=FILE       at exit (and with FAILSHIM_CONTROL, when the
 *                             control file changes), append one line
 *                             "FAMILY calls K" per family, and "FAMILY
 *                             failed K" for each family whose calls were
 *                             failed
 *   FAILSHIM_LOG=FILE         append "FAMILY N" when the first call of a
 *                             family is failed (N: its number), so a
 *                             sweep knows when N went past the last call
 *   FAILSHIM_CONTROL=FILE     take the settings above (not COUNT, LOG or
 *                             CONTROL) from FILE, VAR=VALUE lines, in
 *                             place of the environment; each new version
 *                             of FILE (renamed into place) replaces them
 *                             and starts every count again from 0, so a
 *                             milter that keeps running meets one fault
 *                             after another
 *
 * N counts from 1; unset or 0 never fails.  A failing sqlite call
 * returns its code without doing anything (its connection's error
 * message is then whatever it was before); sqlite3_open_v2 hands back
 * a connection that could not open, so the caller can still read a
 * message.  Only the program's own calls count and fail, not those
 * SQLite makes to itself.  The sqlite wrappers take effect only where
 * SQLite is a shared library (the milter and the command): the filter
 * links SQLite statically.
 *
 * Under AddressSanitizer the shim must come first in LD_PRELOAD, before
 * libasan (ASAN_OPTIONS=verify_asan_link_order=0 allows it), so that
 * its malloc is the one called; it hands every call on to ASan's.
 * dlsym() may allocate while the shim looks up the next malloc: those
 * few early blocks come from a static arena and are never freed.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <unistd.h>

enum { F_MALLOC, F_WRITE, F_FSYNC, F_STEP, F_PREPARE, F_OPEN, N_FAMILIES };

static const char *const family_name[N_FAMILIES] = {
    "malloc", "write", "fsync", "sqlite3_step", "sqlite3_prepare", "sqlite3_open_v2",
};
static const char *const family_env[N_FAMILIES] = {
    "FAILSHIM_MALLOC", "FAILSHIM_WRITE",   "FAILSHIM_FSYNC",
    "FAILSHIM_STEP",   "FAILSHIM_PREPARE", "FAILSHIM_OPEN",
};

static unsigned long fail_at[N_FAMILIES];
static unsigned long calls[N_FAMILIES];
static unsigned long failed[N_FAMILIES];
static int only_once;      /* FAILSHIM_MODE=only */
static int write_on = -1;  /* -1 any, -2 regular files, else a descriptor */
static int write_errno = EIO;
static int sqlite_rc = 10; /* SQLITE_IOERR */
static const char *count_file, *log_file, *control_file;
static int ready;

/* The control file's text (VAR=VALUE lines) once read, and which
 * version of the file it is. */
static char control[4096];
static int have_control;
static struct stat control_seen;
static int control_busy;

/* The value of a setting: from the control file when there is one,
 * else from the environment. */
static const char *
setting(const char *name)
{
    size_t len = strlen(name);

    if (!have_control)
        return getenv(name);
    for (const char *p = control; *p; p = strchr(p, '\0') + 1) {
        if (strncmp(p, name, len) == 0 && p[len] == '=')
            return p + len + 1;
    }
    return NULL;
}

/* Reads the settings; getenv, strtoul and the system calls used here
 * do not allocate. */
static void
read_settings(void)
{
    const char *v;

    for (int i = 0; i < N_FAMILIES; i++)
        fail_at[i] = (v = setting(family_env[i])) != NULL ? strtoul(v, NULL, 10) : 0;
    only_once = (v = setting("FAILSHIM_MODE")) != NULL && strcmp(v, "only") == 0;
    write_on = -1;
    if ((v = setting("FAILSHIM_WRITE_ON")) != NULL && strcmp(v, "any") != 0)
        write_on = strcmp(v, "files") == 0 ? -2 : (int)strtol(v, NULL, 10);
    write_errno = (v = setting("FAILSHIM_WRITE_ERRNO")) != NULL && strcmp(v, "ENOSPC") == 0
                      ? ENOSPC
                      : EIO;
    sqlite_rc = 10; /* SQLITE_IOERR */
    if ((v = setting("FAILSHIM_SQLITE_RC")) != NULL) {
        if (strcmp(v, "FULL") == 0)
            sqlite_rc = 13; /* SQLITE_FULL */
        else if (strcmp(v, "BUSY") == 0)
            sqlite_rc = 5; /* SQLITE_BUSY */
    }
}

static void
settings(void)
{
    if (__atomic_load_n(&ready, __ATOMIC_ACQUIRE))
        return;
    count_file = getenv("FAILSHIM_COUNT");
    log_file = getenv("FAILSHIM_LOG");
    control_file = getenv("FAILSHIM_CONTROL");
    read_settings();
    __atomic_store_n(&ready, 1, __ATOMIC_RELEASE);
}

/* Under AddressSanitizer the first calls come from ASan's start-up,
 * before libc has set up the environment: read it again once the
 * shim's own turn to start comes. */
__attribute__((constructor)) static void
start(void)
{
    __atomic_store_n(&ready, 0, __ATOMIC_RELEASE);
    settings();
}

static void report_counts(void);

/* With FAILSHIM_CONTROL, a new version of the file (written beside it
 * and renamed into place) replaces the settings and starts every
 * count again from 0: a long-running process takes one fault after
 * another. */
static void
check_control(void)
{
    struct stat sb;
    ssize_t n;
    int fd;

    if (control_file == NULL || syscall(SYS_newfstatat, AT_FDCWD, control_file, &sb, 0) != 0)
        return;
    if (sb.st_ino == control_seen.st_ino && sb.st_mtim.tv_sec == control_seen.st_mtim.tv_sec &&
        sb.st_mtim.tv_nsec == control_seen.st_mtim.tv_nsec && sb.st_size == control_seen.st_size)
        return;
    if (__atomic_exchange_n(&control_busy, 1, __ATOMIC_ACQUIRE))
        return; /* another thread is reading it */
    fd = (int)syscall(SYS_openat, AT_FDCWD, control_file, O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
        n = syscall(SYS_read, fd, control, sizeof control - 2);
        syscall(SYS_close, fd);
        if (n >= 0) {
            control[n] = '\0';
            control[n + 1] = '\0';
            for (ssize_t i = 0; i < n; i++)
                if (control[i] == '\n')
                    control[i] = '\0';
            if (have_control)
                report_counts(); /* the counts of the period that ends */
            have_control = 1;
            read_settings();
            for (int i = 0; i < N_FAMILIES; i++) {
                __atomic_store_n(&calls[i], 0, __ATOMIC_RELAXED);
                __atomic_store_n(&failed[i], 0, __ATOMIC_RELAXED);
            }
            control_seen = sb;
        }
    }
    __atomic_store_n(&control_busy, 0, __ATOMIC_RELEASE);
}

static void note_failure(int f, unsigned long n);

/* Counts a call of family f; true when this one is to fail. */
static int
hit(int f)
{
    unsigned long n;

    settings();
    check_control();
    n = __atomic_add_fetch(&calls[f], 1, __ATOMIC_RELAXED);
    if (fail_at[f] == 0 || n < fail_at[f] || (only_once && n != fail_at[f]))
        return 0;
    if (__atomic_add_fetch(&failed[f], 1, __ATOMIC_RELAXED) == 1)
        note_failure(f, n);
    return 1;
}

/* The next definition of a symbol (libc's, or ASan's). */
static void *
next(const char *name)
{
    return dlsym(RTLD_NEXT, name);
}

/* ------------------------------------------------------------------ */
/* Memory */

typedef void *(*malloc_fn)(size_t);
typedef void *(*calloc_fn)(size_t, size_t);
typedef void *(*realloc_fn)(void *, size_t);
typedef void (*free_fn)(void *);
typedef int (*posix_memalign_fn)(void **, size_t, size_t);
typedef void *(*aligned_alloc_fn)(size_t, size_t);

static malloc_fn real_malloc;
static calloc_fn real_calloc;
static realloc_fn real_realloc;
static free_fn real_free;
static posix_memalign_fn real_posix_memalign;
static aligned_alloc_fn real_aligned_alloc, real_memalign;

/* Blocks handed out while dlsym runs: 16-byte aligned, each with its
 * size in front. */
static _Alignas(16) unsigned char arena[65536];
static size_t arena_used;
static int looking_up;

static int
in_arena(const void *p)
{
    return (const unsigned char *)p >= arena && (const unsigned char *)p < arena + sizeof arena;
}

static void *
arena_alloc(size_t size)
{
    size_t need = (size + 16 + 15) & ~(size_t)15;
    size_t at = __atomic_fetch_add(&arena_used, need, __ATOMIC_RELAXED);

    if (at + need > sizeof arena)
        return NULL;
    *(size_t *)(void *)(arena + at) = size;
    return arena + at + 16;
}

static size_t
arena_size(const void *p)
{
    return *(const size_t *)(const void *)((const unsigned char *)p - 16);
}

static void
lookup_memory(void)
{
    if (real_malloc != NULL)
        return;
    looking_up = 1;
    real_calloc = (calloc_fn)next("calloc");
    real_realloc = (realloc_fn)next("realloc");
    real_free = (free_fn)next("free");
    real_posix_memalign = (posix_memalign_fn)next("posix_memalign");
    real_aligned_alloc = (aligned_alloc_fn)next("aligned_alloc");
    real_memalign = (aligned_alloc_fn)next("memalign");
    __atomic_store_n(&real_malloc, (malloc_fn)next("malloc"), __ATOMIC_RELEASE);
    looking_up = 0;
}

void *
malloc(size_t size)
{
    if (looking_up)
        return arena_alloc(size);
    lookup_memory();
    if (hit(F_MALLOC)) {
        errno = ENOMEM;
        return NULL;
    }
    return real_malloc(size);
}

void *
calloc(size_t n, size_t size)
{
    if (looking_up) {
        if (size != 0 && n > (size_t)-1 / size)
            return NULL;
        void *p = arena_alloc(n * size);
        return p ? memset(p, 0, n * size) : NULL;
    }
    lookup_memory();
    if (hit(F_MALLOC)) {
        errno = ENOMEM;
        return NULL;
    }
    return real_calloc(n, size);
}

void *
realloc(void *p, size_t size)
{
    if (looking_up)
        return NULL;
    lookup_memory();
    if (hit(F_MALLOC)) {
        errno = ENOMEM;
        return NULL;
    }
    if (p != NULL && in_arena(p)) {
        void *q = real_malloc(size);
        if (q != NULL) {
            size_t old = arena_size(p);
            memcpy(q, p, old < size ? old : size);
        }
        return q;
    }
    return real_realloc(p, size);
}

void
free(void *p)
{
    if (p == NULL || in_arena(p))
        return;
    lookup_memory();
    real_free(p);
}

int
posix_memalign(void **out, size_t align, size_t size)
{
    lookup_memory();
    if (hit(F_MALLOC))
        return ENOMEM;
    return real_posix_memalign(out, align, size);
}

void *
aligned_alloc(size_t align, size_t size)
{
    lookup_memory();
    if (hit(F_MALLOC)) {
        errno = ENOMEM;
        return NULL;
    }
    return real_aligned_alloc(align, size);
}

void *
memalign(size_t align, size_t size)
{
    lookup_memory();
    if (hit(F_MALLOC)) {
        errno = ENOMEM;
        return NULL;
    }
    return real_memalign(align, size);
}

/* ------------------------------------------------------------------ */
/* Writes and syncs */

/* Does a write to fd count? */
static int
chosen(int fd)
{
    struct stat sb;

    settings();
    if (write_on == -1)
        return 1;
    if (write_on == -2)
        return fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode);
    return fd == write_on;
}

static int
write_fails(int fd)
{
    if (!chosen(fd) || !hit(F_WRITE))
        return 0;
    errno = write_errno;
    return 1;
}

ssize_t
write(int fd, const void *buf, size_t len)
{
    static ssize_t (*real)(int, const void *, size_t);

    if (write_fails(fd))
        return -1;
    if (real == NULL)
        real = (ssize_t(*)(int, const void *, size_t))next("write");
    return real(fd, buf, len);
}

ssize_t
writev(int fd, const struct iovec *iov, int n)
{
    static ssize_t (*real)(int, const struct iovec *, int);

    if (write_fails(fd))
        return -1;
    if (real == NULL)
        real = (ssize_t(*)(int, const struct iovec *, int))next("writev");
    return real(fd, iov, n);
}

ssize_t
pwrite(int fd, const void *buf, size_t len, off_t off)
{
    static ssize_t (*real)(int, const void *, size_t, off_t);

    if (write_fails(fd))
        return -1;
    if (real == NULL)
        real = (ssize_t(*)(int, const void *, size_t, off_t))next("pwrite");
    return real(fd, buf, len, off);
}

ssize_t
pwrite64(int fd, const void *buf, size_t len, off64_t off)
{
    static ssize_t (*real)(int, const void *, size_t, off64_t);

    if (write_fails(fd))
        return -1;
    if (real == NULL)
        real = (ssize_t(*)(int, const void *, size_t, off64_t))next("pwrite64");
    return real(fd, buf, len, off);
}

int
fsync(int fd)
{
    static int (*real)(int);

    if (hit(F_FSYNC)) {
        errno = EIO;
        return -1;
    }
    if (real == NULL)
        real = (int (*)(int))next("fsync");
    return real(fd);
}

int
fdatasync(int fd)
{
    static int (*real)(int);

    if (hit(F_FSYNC)) {
        errno = EIO;
        return -1;
    }
    if (real == NULL)
        real = (int (*)(int))next("fdatasync");
    return real(fd);
}

/* ------------------------------------------------------------------ */
/* SQLite (declared here: the shim does not link it) */

typedef struct sqlite3 sqlite3;
typedef struct sqlite3_stmt sqlite3_stmt;
int sqlite3_step(sqlite3_stmt *stmt);
int sqlite3_prepare_v2(sqlite3 *db, const char *sql, int n, sqlite3_stmt **out,
                       const char **tail);
int sqlite3_prepare_v3(sqlite3 *db, const char *sql, int n, unsigned int flags,
                       sqlite3_stmt **out, const char **tail);
int sqlite3_open_v2(const char *path, sqlite3 **out, int flags, const char *vfs);

/* Is the call made by SQLite itself (sqlite3_exec stepping, the schema
 * read at the first statement...)?  Those are left alone: only the
 * program's own calls fail, as SQLite would fail them.  Failing SQLite's
 * inner calls would break it in ways no disk can (a schema read half
 * way, then used). */
static int
from_sqlite(const void *caller, const void *real)
{
    Dl_info a, b;

    return dladdr(caller, &a) != 0 && dladdr(real, &b) != 0 && a.dli_fbase == b.dli_fbase;
}

int
sqlite3_step(sqlite3_stmt *stmt)
{
    static int (*real)(sqlite3_stmt *);

    if (real == NULL)
        real = (int (*)(sqlite3_stmt *))next("sqlite3_step");
    if (!from_sqlite(__builtin_return_address(0), (const void *)real) && hit(F_STEP))
        return sqlite_rc;
    return real(stmt);
}

int
sqlite3_prepare_v2(sqlite3 *db, const char *sql, int n, sqlite3_stmt **out, const char **tail)
{
    static int (*real)(sqlite3 *, const char *, int, sqlite3_stmt **, const char **);

    if (real == NULL)
        real = (int (*)(sqlite3 *, const char *, int, sqlite3_stmt **, const char **))next(
            "sqlite3_prepare_v2");
    if (!from_sqlite(__builtin_return_address(0), (const void *)real) && hit(F_PREPARE)) {
        *out = NULL;
        return sqlite_rc;
    }
    return real(db, sql, n, out, tail);
}

int
sqlite3_prepare_v3(sqlite3 *db, const char *sql, int n, unsigned int flags, sqlite3_stmt **out,
                   const char **tail)
{
    static int (*real)(sqlite3 *, const char *, int, unsigned int, sqlite3_stmt **,
                       const char **);

    if (real == NULL)
        real = (int (*)(sqlite3 *, const char *, int, unsigned int, sqlite3_stmt **,
                        const char **))next("sqlite3_prepare_v3");
    if (!from_sqlite(__builtin_return_address(0), (const void *)real) && hit(F_PREPARE)) {
        *out = NULL;
        return sqlite_rc;
    }
    return real(db, sql, n, flags, out, tail);
}

int
sqlite3_open_v2(const char *path, sqlite3 **out, int flags, const char *vfs)
{
    static int (*real)(const char *, sqlite3 **, int, const char *);

    if (real == NULL)
        real = (int (*)(const char *, sqlite3 **, int, const char *))next("sqlite3_open_v2");
    if (!from_sqlite(__builtin_return_address(0), (const void *)real) && hit(F_OPEN)) {
        /* a connection that failed to open, with SQLite's own message;
         * the caller closes it */
        real("/nonexistent/failshim/unopenable.db", out, 0x2 /* READWRITE */, vfs);
        return sqlite_rc;
    }
    return real(path, out, flags, vfs);
}

/* ------------------------------------------------------------------ */
/* The counts, at exit */

static void
put_text(char **p, const char *s)
{
    size_t len = strlen(s);

    memcpy(*p, s, len);
    *p += len;
}

static void
put_line(char **p, const char *name, const char *what, unsigned long n)
{
    char digits[24];
    int k = 0;

    put_text(p, name);
    put_text(p, what);
    do {
        digits[k++] = (char)('0' + n % 10);
        n /= 10;
    } while (n > 0);
    while (k > 0)
        *(*p)++ = digits[--k];
    *(*p)++ = '\n';
}

/* FAILSHIM_LOG: a line "FAMILY N" for the first call of a family
 * failed since the start (or since the control file changed). */
static void
note_failure(int f, unsigned long n)
{
    char buf[64], *p = buf;
    int fd;

    if (log_file == NULL)
        return;
    put_line(&p, family_name[f], " ", n);
    fd = (int)syscall(SYS_openat, AT_FDCWD, log_file, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC,
                      0600);
    if (fd >= 0) {
        if (syscall(SYS_write, fd, buf, (size_t)(p - buf)) < 0) {
            /* nothing to be done */
        }
        syscall(SYS_close, fd);
    }
}

static void
report_counts(void)
{
    char buf[1024], *p = buf;
    int fd;

    if (count_file == NULL)
        return;
    for (int i = 0; i < N_FAMILIES; i++) {
        put_line(&p, family_name[i], " calls ", calls[i]);
        if (failed[i] > 0)
            put_line(&p, family_name[i], " failed ", failed[i]);
    }
    /* plain system calls: the wrappers above must not count these */
    fd = (int)syscall(SYS_openat, AT_FDCWD, count_file, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC,
                      0600);
    if (fd >= 0) {
        if (syscall(SYS_write, fd, buf, (size_t)(p - buf)) < 0) {
            /* nothing to be done */
        }
        syscall(SYS_close, fd);
    }
}

__attribute__((destructor)) static void
report(void)
{
    settings();
    report_counts();
}
