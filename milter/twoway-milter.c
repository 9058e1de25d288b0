/* twoway-milter.c - the daemon: options, configuration, socket,
 * privileges, pid file, logging, signals.
 *
 * libmilter runs in a thread of its own and takes SIGTERM and SIGINT;
 * the main thread waits for SIGHUP and reloads the configuration,
 * keeping the old one when the new one is bad.  (Linux hands a signal
 * sent to the process to its main thread first when that thread waits
 * for it.)
 */
#include "autoconfig.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <grp.h>
#include <pthread.h>
#include <pwd.h>
#include <signal.h>
#include <stdlib.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sysexits.h>
#include <syslog.h>
#include <unistd.h>

#include "ask.h"
#include "message.h"
#include "milter.h"

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
        struct stat sb;
        if (stat(path, &sb) == 0 && (sb.st_mode & S_IWOTH)) {
            tw_error_set(err, "%s: writable by anyone: refused", path);
            tw_config_free(cfg);
            return NULL;
        }
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

/* Switches to UserID ("user" or "user:group"), handing it the UNIX
 * socket and the pid file first so that the MTA can reach the one and
 * the milter remove both at the end. */
static bool
drop_privileges(const char *spec, const char *socket_path, const char *pid_file)
{
    char **parts = g_strsplit(spec, ":", 2);
    struct passwd *pw = getpwnam(parts[0]);
    gid_t gid;
    bool ok = false;

    if (pw == NULL) {
        fprintf(stderr, "twoway-milter: UserID %s: no such user\n", parts[0]);
        goto done;
    }
    gid = pw->pw_gid;
    if (parts[1] != NULL) {
        struct group *gr = getgrnam(parts[1]);
        if (gr == NULL) {
            fprintf(stderr, "twoway-milter: UserID %s: no such group\n", spec);
            goto done;
        }
        gid = gr->gr_gid;
    }
    if ((socket_path != NULL && chown(socket_path, pw->pw_uid, gid) != 0) ||
        (pid_file != NULL && chown(pid_file, pw->pw_uid, gid) != 0)) {
        fprintf(stderr, "twoway-milter: cannot give the socket or pid file to %s: %s\n", spec,
                g_strerror(errno));
        goto done;
    }
    if (setgroups(1, &gid) != 0 || setgid(gid) != 0 || setuid(pw->pw_uid) != 0) {
        fprintf(stderr, "twoway-milter: cannot become %s: %s\n", spec, g_strerror(errno));
        goto done;
    }
    ok = true;
done:
    g_strfreev(parts);
    return ok;
}

static bool
write_pid_file(const char *path)
{
    FILE *fp = fopen(path, "w");

    if (fp == NULL) {
        fprintf(stderr, "twoway-milter: %s: %s\n", path, g_strerror(errno));
        return false;
    }
    fprintf(fp, "%ld\n", (long)getpid());
    return fclose(fp) == 0;
}

static gpointer
milter_thread(gpointer data)
{
    int rc = smfi_main();

    /* wake the main thread: the milter has stopped */
    kill(getpid(), SIGUSR1);
    return GINT_TO_POINTER(rc);
}

int
main(int argc, char **argv)
{
    opts_t o = {.config = DEFAULT_CONFIG};
    tw_error_t err = {{0}};
    tw_config_t *cfg;
    const char *spec, *upath;
    sigset_t set;
    int opt;

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
    spec = cfg->socket;
    tw_message_init();
    tw_ask_optimise();
    umask((mode_t)cfg->umask);

    if (!o.foreground && daemon(0, 0) != 0) {
        fprintf(stderr, "twoway-milter: cannot become a daemon: %s\n", g_strerror(errno));
        return EX_OSERR;
    }
    tw_mlog_open(cfg, o.foreground);
    upath = unix_path(spec);
    if (upath != NULL && !clear_stale_socket(upath))
        return EX_UNAVAILABLE;
    /* a header line may be longer than libmilter's 64 KB default; the
     * MTA would lose the connection and fall back to its default */
    smfi_setmaxdatasize(1024 * 1024);
    if (smfi_setconn((char *)spec) != MI_SUCCESS || smfi_register(tw_milter_desc) != MI_SUCCESS ||
        smfi_opensocket(false) != MI_SUCCESS) {
        tw_mlog(LOG_ERR, NULL, "cannot listen on %s", spec);
        return EX_UNAVAILABLE;
    }
    if (cfg->pid_file != NULL && !write_pid_file(cfg->pid_file))
        return EX_CANTCREAT;
    if (cfg->user_id != NULL && !drop_privileges(cfg->user_id, upath, cfg->pid_file))
        return EX_NOPERM;
    if (geteuid() == 0)
        tw_mlog(LOG_WARNING, NULL, "running as root: set UserID");
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
        int sig = 0;
        if (sigwait(&set, &sig) != 0)
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
    int rc = GPOINTER_TO_INT(g_thread_join(thread));
    tw_mlog(LOG_INFO, NULL, "stopped");
    if (upath != NULL)
        unlink(upath);
    if (current && current->cfg->pid_file)
        unlink(current->cfg->pid_file);
    tw_mconf_put(current);
    return rc == MI_SUCCESS ? EX_OK : EX_SOFTWARE;
}
