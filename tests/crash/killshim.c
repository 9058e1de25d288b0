/* killshim.c - an LD_PRELOAD library that counts the calls by which a
 * process changes an SQLite database, and kills the process with
 * SIGKILL at the Nth.
 *
 * The calls counted ("steps") are those that reach the database file or
 * its companions (NAME, NAME-wal, NAME-shm, NAME-journal): open and
 * openat of one of them, write, pwrite and writev on a descriptor open
 * on one, fsync, fdatasync, ftruncate, fchmod and fchown on such a
 * descriptor, and unlink, chmod and chown of one of the names.  Writes
 * into the mapped -shm file are memory stores, not calls: they cannot
 * be counted here (SQLite rebuilds that index when it is stale).
 *
 * Environment:
 *   KILLSHIM_DB      the database's file name (only its last component
 *                    is compared); without it nothing is counted
 *   KILLSHIM_AT      N > 0: SIGKILL just before step N is carried out
 *   KILLSHIM_TORN    1: when step N writes more than one byte, write
 *                    the first half, then SIGKILL (as the kernel cuts a
 *                    write short when a fatal signal arrives in the
 *                    middle of it)
 *   KILLSHIM_STDOUT  1: writes to descriptor 1 are steps too
 *   KILLSHIM_LOG     a file that gets one line per step: "N CALL FILE
 *                    BYTES", then "killed N" before the kill
 *
 * Works in front of AddressSanitizer's own interceptors of write and
 * friends: it finds the next definition with dlsym(RTLD_NEXT), whatever
 * that is.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <unistd.h>

#define MAX_FD 4096

enum { F_NONE, F_DB, F_WAL, F_SHM, F_JOURNAL, F_STDOUT };
static const char *const kind_name[] = {"-", "db", "wal", "shm", "journal", "stdout"};

static unsigned char fd_kind[MAX_FD];
static const char *db_base; /* NULL: count nothing */
static long kill_at;
static int torn, count_stdout, log_fd = -1;
static unsigned long steps;
static int ready;

#define REAL(ret, name, ...)                                                   \
    static ret (*real_##name)(__VA_ARGS__);                                    \
    if (real_##name == NULL)                                                   \
        real_##name = (ret(*)(__VA_ARGS__))dlsym(RTLD_NEXT, #name)

static int (*raw_open)(const char *, int, ...);
static ssize_t (*raw_write)(int, const void *, size_t);

/* A yes-or-no setting: set, not empty and not "0". */
static int
flag(const char *name)
{
    const char *v = getenv(name);

    return v != NULL && *v != '\0' && strcmp(v, "0") != 0;
}

static void
setup(void)
{
    const char *v;

    if (ready)
        return;
    ready = 1;
    raw_open = (int (*)(const char *, int, ...))dlsym(RTLD_NEXT, "open");
    raw_write = (ssize_t(*)(int, const void *, size_t))dlsym(RTLD_NEXT, "write");
    v = getenv("KILLSHIM_DB");
    if (v != NULL && *v != '\0') {
        const char *slash = strrchr(v, '/');
        db_base = slash ? slash + 1 : v;
    }
    v = getenv("KILLSHIM_AT");
    kill_at = v ? strtol(v, NULL, 10) : 0;
    torn = flag("KILLSHIM_TORN");
    count_stdout = flag("KILLSHIM_STDOUT");
    if (count_stdout)
        fd_kind[1] = F_STDOUT;
    v = getenv("KILLSHIM_LOG");
    if (db_base != NULL && v != NULL && *v != '\0')
        log_fd = raw_open(v, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
}

__attribute__((constructor)) static void
init(void)
{
    setup();
}

/* The kind of file a path names: the database or a companion. */
static int
kind_of_path(const char *path)
{
    const char *base, *slash;
    size_t n;

    setup();
    if (db_base == NULL || path == NULL)
        return F_NONE;
    slash = strrchr(path, '/');
    base = slash ? slash + 1 : path;
    n = strlen(db_base);
    if (strncmp(base, db_base, n) != 0)
        return F_NONE;
    if (base[n] == '\0')
        return F_DB;
    if (strcmp(base + n, "-wal") == 0)
        return F_WAL;
    if (strcmp(base + n, "-shm") == 0)
        return F_SHM;
    if (strcmp(base + n, "-journal") == 0)
        return F_JOURNAL;
    return F_NONE;
}

static int
kind_of_fd(int fd)
{
    setup();
    return fd >= 0 && fd < MAX_FD ? fd_kind[fd] : F_NONE;
}

static void
log_line(const char *text)
{
    if (log_fd >= 0 && raw_write(log_fd, text, strlen(text)) < 0)
        return; /* nothing to be done about a log that cannot be written */
}

/* One step: logged, and the process killed when it is the one asked
 * for.  Returns 1 when the caller is to tear this write (write half of
 * it, then call die()). */
static int
step(const char *call, int kind, size_t bytes)
{
    unsigned long n = __atomic_add_fetch(&steps, 1, __ATOMIC_SEQ_CST);
    char line[128];

    snprintf(line, sizeof line, "%lu %s %s %zu\n", n, call, kind_name[kind], bytes);
    log_line(line);
    if (kill_at <= 0 || n != (unsigned long)kill_at)
        return 0;
    if (torn && bytes > 1)
        return 1;
    snprintf(line, sizeof line, "killed %lu\n", n);
    log_line(line);
    kill(getpid(), SIGKILL);
    for (;;)
        pause();
}

static void
die(void)
{
    char line[64];

    snprintf(line, sizeof line, "killed %lu torn\n", (unsigned long)kill_at);
    log_line(line);
    kill(getpid(), SIGKILL);
    for (;;)
        pause();
}

static void
track(int fd, int kind)
{
    if (fd >= 0 && fd < MAX_FD)
        fd_kind[fd] = (unsigned char)kind;
}

static int
mode_wanted(int flags)
{
    return (flags & O_CREAT) != 0 || (flags & O_TMPFILE) == O_TMPFILE;
}

/* Opening. */

#define OPEN_BODY(name, call)                                                  \
    mode_t mode = 0;                                                           \
    int kind = kind_of_path(path), fd;                                         \
    if (mode_wanted(flags)) {                                                  \
        va_list ap;                                                            \
        va_start(ap, flags);                                                   \
        mode = (mode_t)va_arg(ap, int);                                        \
        va_end(ap);                                                            \
    }                                                                          \
    if (kind != F_NONE)                                                        \
        step(name, kind, 0);                                                   \
    fd = call;                                                                 \
    if (fd >= 0)                                                               \
        track(fd, kind);                                                       \
    return fd

int
open(const char *path, int flags, ...)
{
    REAL(int, open, const char *, int, ...);
    OPEN_BODY("open", real_open(path, flags, mode));
}

int
open64(const char *path, int flags, ...)
{
    REAL(int, open64, const char *, int, ...);
    OPEN_BODY("open", real_open64(path, flags, mode));
}

int
openat(int dirfd, const char *path, int flags, ...)
{
    REAL(int, openat, int, const char *, int, ...);
    OPEN_BODY("openat", real_openat(dirfd, path, flags, mode));
}

int
openat64(int dirfd, const char *path, int flags, ...)
{
    REAL(int, openat64, int, const char *, int, ...);
    OPEN_BODY("openat", real_openat64(dirfd, path, flags, mode));
}

int
close(int fd)
{
    REAL(int, close, int);
    if (fd >= 0 && fd < MAX_FD && fd_kind[fd] != F_STDOUT)
        fd_kind[fd] = F_NONE;
    return real_close(fd);
}

/* Writing. */

ssize_t
write(int fd, const void *buf, size_t count)
{
    REAL(ssize_t, write, int, const void *, size_t);
    int kind = kind_of_fd(fd);

    if (kind != F_NONE && step("write", kind, count)) {
        real_write(fd, buf, count / 2);
        die();
    }
    return real_write(fd, buf, count);
}

ssize_t
pwrite(int fd, const void *buf, size_t count, off_t off)
{
    REAL(ssize_t, pwrite, int, const void *, size_t, off_t);
    int kind = kind_of_fd(fd);

    if (kind != F_NONE && step("pwrite", kind, count)) {
        real_pwrite(fd, buf, count / 2, off);
        die();
    }
    return real_pwrite(fd, buf, count, off);
}

ssize_t
pwrite64(int fd, const void *buf, size_t count, off64_t off)
{
    REAL(ssize_t, pwrite64, int, const void *, size_t, off64_t);
    int kind = kind_of_fd(fd);

    if (kind != F_NONE && step("pwrite", kind, count)) {
        real_pwrite64(fd, buf, count / 2, off);
        die();
    }
    return real_pwrite64(fd, buf, count, off);
}

ssize_t
writev(int fd, const struct iovec *iov, int n)
{
    REAL(ssize_t, writev, int, const struct iovec *, int);
    int kind = kind_of_fd(fd);
    size_t bytes = 0;

    for (int i = 0; i < n; i++)
        bytes += iov[i].iov_len;
    if (kind != F_NONE && step("writev", kind, bytes)) {
        /* the first half of the bytes, then the kill */
        size_t left = bytes / 2;
        for (int i = 0; i < n && left > 0; i++) {
            size_t k = iov[i].iov_len < left ? iov[i].iov_len : left;
            if (raw_write(fd, iov[i].iov_base, k) < 0)
                break;
            left -= k;
        }
        die();
    }
    return real_writev(fd, iov, n);
}

/* Syncing, sizing, ownership. */

int
fsync(int fd)
{
    REAL(int, fsync, int);
    int kind = kind_of_fd(fd);

    if (kind != F_NONE && kind != F_STDOUT)
        step("fsync", kind, 0);
    return real_fsync(fd);
}

int
fdatasync(int fd)
{
    REAL(int, fdatasync, int);
    int kind = kind_of_fd(fd);

    if (kind != F_NONE && kind != F_STDOUT)
        step("fdatasync", kind, 0);
    return real_fdatasync(fd);
}

int
ftruncate(int fd, off_t len)
{
    REAL(int, ftruncate, int, off_t);
    int kind = kind_of_fd(fd);

    if (kind != F_NONE && kind != F_STDOUT)
        step("ftruncate", kind, (size_t)len);
    return real_ftruncate(fd, len);
}

int
ftruncate64(int fd, off64_t len)
{
    REAL(int, ftruncate64, int, off64_t);
    int kind = kind_of_fd(fd);

    if (kind != F_NONE && kind != F_STDOUT)
        step("ftruncate", kind, (size_t)len);
    return real_ftruncate64(fd, len);
}

int
fchmod(int fd, mode_t mode)
{
    REAL(int, fchmod, int, mode_t);
    int kind = kind_of_fd(fd);

    if (kind != F_NONE && kind != F_STDOUT)
        step("fchmod", kind, 0);
    return real_fchmod(fd, mode);
}

int
fchown(int fd, uid_t uid, gid_t gid)
{
    REAL(int, fchown, int, uid_t, gid_t);
    int kind = kind_of_fd(fd);

    if (kind != F_NONE && kind != F_STDOUT)
        step("fchown", kind, 0);
    return real_fchown(fd, uid, gid);
}

/* Names. */

int
unlink(const char *path)
{
    REAL(int, unlink, const char *);
    int kind = kind_of_path(path);

    if (kind != F_NONE)
        step("unlink", kind, 0);
    return real_unlink(path);
}

int
unlinkat(int dirfd, const char *path, int flags)
{
    REAL(int, unlinkat, int, const char *, int);
    int kind = kind_of_path(path);

    if (kind != F_NONE)
        step("unlinkat", kind, 0);
    return real_unlinkat(dirfd, path, flags);
}

int
chmod(const char *path, mode_t mode)
{
    REAL(int, chmod, const char *, mode_t);
    int kind = kind_of_path(path);

    if (kind != F_NONE)
        step("chmod", kind, 0);
    return real_chmod(path, mode);
}

int
chown(const char *path, uid_t uid, gid_t gid)
{
    REAL(int, chown, const char *, uid_t, gid_t);
    int kind = kind_of_path(path);

    if (kind != F_NONE)
        step("chown", kind, 0);
    return real_chown(path, uid, gid);
}
