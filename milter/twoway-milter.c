/* twoway-milter.c - the daemon: options, configuration, socket,
 * privileges, pid file, logging, signals.
 *
 * libmilter runs in a thread of its own and takes SIGTERM and SIGINT;
 * the main thread waits for SIGHUP and reloads the configuration,
 * keeping the old one when the new one is bad.  libmilter's signal
 * thread waits for SIGHUP too, and stops the milter when it gets it:
 * sigwait() below keeps SIGHUP from it.
 */
#include "autoconfig.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <grp.h>
#include <limits.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <pwd.h>
#include <signal.h>
#include <stdlib.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sysexits.h>
#include <syslog.h>
#include <unistd.h>

#include "ask.h"
#include "message.h"
#include "milter.h"
#include "store.h"

#define DEFAULT_CONFIG "/etc/twoway/twoway.conf"
#define DEFAULT_SOCKET "unix:/run/twoway/milter.sock"
#define DEFAULT_DATABASE "/var/lib/twoway/twoway.db"

/* Configuration in use. */

static GMutex conf_lock;
static tw_mconf_t *current;

tw_mconf_t *
tw_mconf_get(void)
{
    tw_mconf_t *c;

    g_mutex_lock(&conf_lock);
    c = current;
    g_atomic_int_inc(&c->refs);
    g_mutex_unlock(&conf_lock);
    return c;
}

void
tw_mconf_put(tw_mconf_t *c)
{
    if (c != NULL && g_atomic_int_dec_and_test(&c->refs)) {
        tw_config_free(c->cfg);
        g_free(c);
    }
}

void
tw_mconf_set(tw_config_t *cfg)
{
    tw_mconf_t *c = g_new0(tw_mconf_t, 1), *old;

    c->cfg = cfg;
    c->refs = 1;
    g_mutex_lock(&conf_lock);
    old = current;
    current = c;
    g_mutex_unlock(&conf_lock);
    tw_mconf_put(old);
}

/* Logging. */

static bool use_syslog;

static int
facility_of(const char *name)
{
    static const struct {
        const char *name;
        int facility;
    } table[] = {
        {"mail", LOG_MAIL}, {"daemon", LOG_DAEMON}, {"user", LOG_USER},
        {"local0", LOG_LOCAL0}, {"local1", LOG_LOCAL1}, {"local2", LOG_LOCAL2},
        {"local3", LOG_LOCAL3}, {"local4", LOG_LOCAL4}, {"local5", LOG_LOCAL5},
        {"local6", LOG_LOCAL6}, {"local7", LOG_LOCAL7},
    };

    for (size_t i = 0; i < G_N_ELEMENTS(table); i++)
        if (g_ascii_strcasecmp(name, table[i].name) == 0)
            return table[i].facility;
    return LOG_MAIL;
}

void
tw_mlog_open(const tw_config_t *cfg, bool foreground)
{
    use_syslog = cfg->syslog || !foreground;
    if (use_syslog)
        openlog("twoway-milter", LOG_PID, facility_of(cfg->syslog_facility));
}

void
tw_mlog(int priority, const char *queue_id, const char *fmt, ...)
{
    va_list ap;
    char *text;

    va_start(ap, fmt);
    text = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    if (use_syslog)
        syslog(priority, "%s: %s", queue_id ? queue_id : "-", text);
    if (!use_syslog || (priority <= LOG_ERR && isatty(STDERR_FILENO)))
        fprintf(stderr, "twoway-milter: %s: %s\n", queue_id ? queue_id : "-", text);
    g_free(text);
}

/* Start-up. */

typedef struct {
    const char *config;
    const char *socket;
    bool foreground;
    bool check;
} opts_t;

static void
usage(FILE *fp)
{
    fputs("usage: twoway-milter [-c FILE] [-p SOCKET] [-f] [-n]\n"
          "Keeps the reply ledger of every owner of a mail server, as a milter.\n"
          "  -c FILE    configuration (default " DEFAULT_CONFIG ")\n"
          "  -p SOCKET  inet:PORT@HOST, inet6:PORT@HOST or unix:PATH\n"
          "  -f         stay in the foreground\n"
          "  -n         check the configuration and exit\n"
          "See twoway-milter(8) and twoway.conf(5).\n",
          fp);
}

/* Reads the configuration with the milter's defaults. */
static tw_config_t *
load_config(const char *path, tw_error_t *err)
{
    tw_config_t *cfg = tw_config_new();

    if (access(path, F_OK) == 0 || strcmp(path, DEFAULT_CONFIG) != 0) {
        /* refuses a file anyone but root (or this user) could change */
        if (tw_config_load(cfg, path, err) != TW_OK) {
            tw_config_free(cfg);
            return NULL;
        }
    }
    if (cfg->database == NULL)
        cfg->database = g_strdup(DEFAULT_DATABASE);
    if (cfg->socket == NULL)
        cfg->socket = g_strdup(DEFAULT_SOCKET);
    if (cfg->owners->len == 0 && cfg->domains->len == 0) {
        tw_error_set(err, "%s: no Domain and no Owner: nobody to keep a ledger for", path);
        tw_config_free(cfg);
        return NULL;
    }
    return cfg;
}

/* libmilter writes "unix:PATH" or "local:PATH"; a path alone is one. */
static const char *
unix_path(const char *spec)
{
    if (g_str_has_prefix(spec, "unix:"))
        return spec + 5;
    if (g_str_has_prefix(spec, "local:"))
        return spec + 6;
    return spec[0] == '/' ? spec : NULL;
}

/* A stale socket (nobody listens) is removed; a live one is an error. */
static bool
clear_stale_socket(const char *path)
{
    struct sockaddr_un sun = {.sun_family = AF_UNIX};
    int fd;
    bool live;

    if (access(path, F_OK) != 0)
        return true;
    if (strlen(path) >= sizeof sun.sun_path)
        return false;
    g_strlcpy(sun.sun_path, path, sizeof sun.sun_path);
    fd = socket(AF_UNIX, SOCK_STREAM, 0);
    live = fd >= 0 && connect(fd, (struct sockaddr *)&sun, sizeof sun) == 0;
    if (fd >= 0)
        close(fd);
    if (live) {
        fprintf(stderr, "twoway-milter: %s: another milter listens there\n", path);
        return false;
    }
    if (unlink(path) != 0) {
        fprintf(stderr, "twoway-milter: %s: cannot remove stale socket: %s\n", path,
                g_strerror(errno));
        return false;
    }
    return true;
}

/* The user and group the milter runs as. */
typedef struct {
    bool change;      /* a switch is needed (started as root) */
    uid_t uid;
    gid_t gid;
    char name[64];
} run_as_t;

/* Decides who the milter runs as, before anything is opened.  Started
 * as root, it switches to UserID ("user" or "user:group"), and it
 * refuses to go on as root (no UserID, or a UserID that is root)
 * unless AllowRoot says so.  Started as another user, a UserID naming
 * that user (and group) needs no switch; any other cannot be had.
 * Returns 0 or the exit status. */
static int
decide_user(const tw_config_t *cfg, run_as_t *ra)
{
    const char *spec = cfg->user_id;
    char **parts;
    struct passwd *pw;
    int rc = EX_OK;

    memset(ra, 0, sizeof *ra);
    if (spec == NULL) {
        if (geteuid() == 0 && !cfg->allow_root) {
            fprintf(stderr, "twoway-milter: started as root without UserID: refused (set "
                    "UserID to the milter's own user, or AllowRoot yes to run as root)\n");
            return EX_CONFIG;
        }
        return EX_OK;
    }
    parts = g_strsplit(spec, ":", 2);
    if ((pw = getpwnam(parts[0])) == NULL) {
        fprintf(stderr, "twoway-milter: UserID %s: no such user\n", parts[0]);
        rc = EX_NOPERM;
        goto done;
    }
    ra->uid = pw->pw_uid;
    ra->gid = pw->pw_gid;
    g_strlcpy(ra->name, spec, sizeof ra->name);
    if (parts[1] != NULL) {
        struct group *gr = getgrnam(parts[1]);
        if (gr == NULL) {
            fprintf(stderr, "twoway-milter: UserID %s: no such group\n", spec);
            rc = EX_NOPERM;
            goto done;
        }
        ra->gid = gr->gr_gid;
    }
    if (geteuid() == 0) {
        if (ra->uid == 0 && !cfg->allow_root) {
            fprintf(stderr, "twoway-milter: UserID %s is root: refused (name the milter's own "
                    "user, or set AllowRoot yes to run as root)\n", spec);
            rc = EX_CONFIG;
            goto done;
        }
        ra->change = true;
    } else if (ra->uid != getuid() || ra->uid != geteuid() || ra->gid != getgid() ||
               ra->gid != getegid()) {
        fprintf(stderr, "twoway-milter: cannot become %s: only root can switch users "
                "(leave UserID out when the service manager starts the milter as its user)\n",
                spec);
        rc = EX_NOPERM;
    }
done:
    g_strfreev(parts);
    return rc;
}

/* Becomes ra's user for good: its group alone (no supplementary group
 * of root's is kept), real, effective and saved ids all changed, then
 * checked, and root out of reach. */
static bool
become(const run_as_t *ra)
{
    if (setgroups(1, &ra->gid) != 0 || setgid(ra->gid) != 0 || setuid(ra->uid) != 0) {
        tw_mlog(LOG_ERR, NULL, "cannot become %s: %s", ra->name, g_strerror(errno));
        return false;
    }
    if (getuid() != ra->uid || geteuid() != ra->uid || getgid() != ra->gid ||
        getegid() != ra->gid || (ra->uid != 0 && setuid(0) == 0)) {
        tw_mlog(LOG_ERR, NULL, "%s: privileges not dropped for good", ra->name);
        return false;
    }
    return true;
}

/* Writes the pid file.  Started as root in a directory the milter's
 * user may write, it must not follow a link that user left there nor
 * wait on a FIFO: the file is opened without following links and
 * without blocking, must be a plain file with one name, and is handed
 * to the user (ra) once written. */
static bool
write_pid_file(const char *path, const run_as_t *ra)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY,
                  0644);
    struct stat sb;
    char text[32];
    int n = snprintf(text, sizeof text, "%ld\n", (long)getpid());
    bool ok;

    if (fd < 0) {
        tw_mlog(LOG_ERR, NULL, "%s: %s", path, g_strerror(errno));
        return false;
    }
    if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode) || sb.st_nlink != 1) {
        tw_mlog(LOG_ERR, NULL, "%s: not a plain file of its own: refused", path);
        close(fd);
        return false;
    }
    ok = ftruncate(fd, 0) == 0 && write(fd, text, (size_t)n) == n &&
         (!ra->change || fchown(fd, ra->uid, ra->gid) == 0);
    if (!ok)
        tw_mlog(LOG_ERR, NULL, "%s: %s", path, g_strerror(errno));
    return close(fd) == 0 && ok;
}

/* libmilter's signal thread is the only caller of sigwait() in this
 * program (the main thread calls sigwaitinfo()), and it would stop the
 * milter on a SIGHUP whenever the kernel chose that thread to take one
 * sent to the process.  This definition, found before the C library's,
 * waits for the same signals but SIGHUP, which then only the main thread
 * takes. */
int
sigwait(const sigset_t *set, int *sig)
{
    sigset_t without_hup = *set;

    sigdelset(&without_hup, SIGHUP);
    for (;;) {
        int got = sigwaitinfo(&without_hup, NULL);
        if (got >= 0) {
            *sig = got;
            return 0;
        }
        if (errno != EINTR)
            return errno;
    }
}

static gpointer
milter_thread(gpointer data)
{
    int rc = smfi_main();

    /* wake the main thread: the milter has stopped */
    kill(getpid(), SIGUSR1);
    return GINT_TO_POINTER(rc);
}

/* Replies leave as soon as they are written.  At the end of a message
 * the milter writes a reply per header it adds, then the verdict; with
 * Nagle's algorithm each waits for the MTA to acknowledge the one
 * before, and the MTA delays its acknowledgements (40 ms each on
 * Linux).  libmilter keeps its listening socket to itself: find it,
 * and let the connections accepted on it inherit TCP_NODELAY. */
static void
tcp_no_delay(void)
{
    for (int fd = 3; fd < 1024; fd++) {
        int yes = 1, listening = 0, protocol = 0;
        socklen_t n = sizeof listening, m = sizeof protocol;
        if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &n) == 0 && listening &&
            getsockopt(fd, SOL_SOCKET, SO_PROTOCOL, &protocol, &m) == 0 &&
            protocol == IPPROTO_TCP &&
            setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &yes, sizeof yes) != 0)
            tw_mlog(LOG_WARNING, NULL, "cannot set TCP_NODELAY: %s", g_strerror(errno));
    }
}

int
main(int argc, char **argv)
{
    opts_t o = {.config = DEFAULT_CONFIG};
    tw_error_t err = {{0}};
    tw_config_t *cfg;
    const char *spec, *upath;
    run_as_t run_as;
    sigset_t set;
    int opt, rc;

    while ((opt = getopt(argc, argv, "c:p:fnhV")) != -1) {
        switch (opt) {
        case 'c': o.config = optarg; break;
        case 'p': o.socket = optarg; break;
        case 'f': o.foreground = true; break;
        case 'n': o.check = true; break;
        case 'h': usage(stdout); return EX_OK;
        case 'V': puts("twoway-milter " PACKAGE_VERSION); return EX_OK;
        default: usage(stderr); return EX_USAGE;
        }
    }
    if (optind < argc) {
        usage(stderr);
        return EX_USAGE;
    }
    /* daemon() changes to /: a reload needs the full path */
    static char config_path[PATH_MAX];
    if (realpath(o.config, config_path) != NULL)
        o.config = config_path;
    if ((cfg = load_config(o.config, &err)) == NULL) {
        fprintf(stderr, "twoway-milter: %s\n", err.text);
        return EX_CONFIG;
    }
    if (o.socket != NULL && tw_config_set(cfg, "Socket", o.socket, "-p", &err) != TW_OK) {
        fprintf(stderr, "twoway-milter: %s\n", err.text);
        tw_config_free(cfg);
        return EX_CONFIG;
    }
    if (o.check) {
        printf("%s: configuration OK\n", o.config);
        tw_config_free(cfg);
        return EX_OK;
    }
    if ((rc = decide_user(cfg, &run_as)) != EX_OK) {
        tw_config_free(cfg);
        return rc;
    }
    spec = cfg->socket;
    tw_message_init();
    tw_ask_optimise();
    umask((mode_t)cfg->umask);
    /* the milter's group may read the ledger: 0640 under UMask 007 */
    tw_store_set_create_mode(0640);

    if (!o.foreground && daemon(0, 0) != 0) {
        fprintf(stderr, "twoway-milter: cannot become a daemon: %s\n", g_strerror(errno));
        tw_config_free(cfg);
        return EX_OSERR;
    }
    tw_mlog_open(cfg, o.foreground);
    upath = unix_path(spec);
    if (upath != NULL && !clear_stale_socket(upath)) {
        tw_config_free(cfg);
        return EX_UNAVAILABLE;
    }
    /* a header line may be longer than libmilter's 64 KB default; the
     * MTA would lose the connection and fall back to its default */
    smfi_setmaxdatasize(1024 * 1024);
    if (smfi_setconn((char *)spec) != MI_SUCCESS || smfi_register(tw_milter_desc) != MI_SUCCESS ||
        smfi_opensocket(false) != MI_SUCCESS) {
        tw_mlog(LOG_ERR, NULL, "cannot listen on %s", spec);
        tw_config_free(cfg);
        return EX_UNAVAILABLE;
    }
    tcp_no_delay();
    if (cfg->pid_file != NULL && !write_pid_file(cfg->pid_file, &run_as)) {
        tw_config_free(cfg);
        return EX_CANTCREAT;
    }
    /* the socket goes to the milter's user so that it can remove it at
     * the end (lchown: a link left in its place is not followed) */
    if (run_as.change && upath != NULL && lchown(upath, run_as.uid, run_as.gid) != 0) {
        tw_mlog(LOG_ERR, NULL, "%s: cannot give the socket to %s: %s", upath, run_as.name,
                g_strerror(errno));
        tw_config_free(cfg);
        return EX_NOPERM;
    }
    if (run_as.change && !become(&run_as)) {
        tw_config_free(cfg);
        return EX_NOPERM;
    }
    /* nothing the milter could ever run would gain privileges */
    prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
    if (geteuid() == 0)
        tw_mlog(LOG_WARNING, NULL, "running as root (AllowRoot yes)");
    tw_mconf_set(cfg);
    tw_mlog(LOG_INFO, NULL, "listening on %s", spec);

    /* SIGHUP and SIGUSR1 come to this thread; the milter thread (and the
     * signal thread libmilter starts) inherit the block. */
    sigemptyset(&set);
    sigaddset(&set, SIGHUP);
    sigaddset(&set, SIGUSR1);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);
    GThread *thread = g_thread_new("milter", milter_thread, NULL);
    sigdelset(&set, SIGTERM);
    sigdelset(&set, SIGINT);
    for (;;) {
        int sig = sigwaitinfo(&set, NULL);
        if (sig < 0)
            continue;
        if (sig == SIGUSR1)
            break;
        tw_config_t *fresh = load_config(o.config, &err);
        if (fresh == NULL) {
            tw_mlog(LOG_ERR, NULL, "reload: %s; keeping the configuration in use", err.text);
            continue;
        }
        /* the socket and the user stay what they were at start */
        tw_mconf_set(fresh);
        tw_mlog(LOG_INFO, NULL, "reload: %s read", o.config);
    }
    rc = GPOINTER_TO_INT(g_thread_join(thread));
    tw_milter_close_store();
    tw_mlog(LOG_INFO, NULL, "stopped");
    if (upath != NULL)
        unlink(upath);
    if (current && current->cfg->pid_file)
        unlink(current->cfg->pid_file);
    tw_mconf_put(current);
    return rc == MI_SUCCESS ? EX_OK : EX_SOFTWARE;
}
