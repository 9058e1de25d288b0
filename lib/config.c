/* config.c - the key table, the file parser and identities. */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "address.h"

typedef tw_status_t (*setter_fn)(tw_config_t *cfg, const char *value,
                                 GString *why);

static tw_status_t bad(GString *why, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

/* Sets why to the formatted text and returns TW_ERR_CONFIG. */
static tw_status_t
bad(GString *why, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    g_string_vprintf(why, fmt, ap);
    va_end(ap);
    return TW_ERR_CONFIG;
}

static tw_status_t
parse_bool(const char *value, bool *out, GString *why)
{
    static const char *const yes[] = {"yes", "true", "on", "1"};
    static const char *const no[] = {"no", "false", "off", "0"};

    for (size_t i = 0; i < G_N_ELEMENTS(yes); i++) {
        if (g_ascii_strcasecmp(value, yes[i]) == 0)
            return *out = true, TW_OK;
        if (g_ascii_strcasecmp(value, no[i]) == 0)
            return *out = false, TW_OK;
    }
    return bad(why, "'%s' is not yes or no", value);
}

/* A whole number in [lo, hi] with an optional k/M/G suffix when
 * scaled is set. */
static tw_status_t
parse_number(const char *value, long long lo, long long hi, bool scaled,
             long long *out, GString *why)
{
    char *end;
    long long n;

    errno = 0;
    n = strtoll(value, &end, 10);
    if (end == value || errno != 0 || n < 0)
        return bad(why, "'%s' is not a number", value);
    if (scaled && *end != '\0') {
        long long unit = 0;
        switch (g_ascii_tolower(*end)) {
        case 'k': unit = 1024; break;
        case 'm': unit = 1024 * 1024; break;
        case 'g': unit = 1024LL * 1024 * 1024; break;
        }
        if (unit == 0 || end[1] != '\0' || n > hi / unit)
            return bad(why, "'%s' is not a size (N, Nk, NM or NG)", value);
        n *= unit;
        end++;
    }
    if (*end != '\0')
        return bad(why, "'%s' is not a number", value);
    if (n < lo || n > hi) {
        g_string_printf(why, "%s is out of range (%lld to %lld)", value, lo, hi);
        return TW_ERR_CONFIG;
    }
    *out = n;
    return TW_OK;
}

static bool
valid_address(const char *value)
{
    const char *at = strchr(value, '@');

    return at != NULL && at != value && at[1] != '\0' &&
           strchr(at + 1, '@') == NULL && strpbrk(value, " \t<>,;\"") == NULL;
}

static void
replace(char **slot, const char *value)
{
    g_free(*slot);
    *slot = g_strdup(value);
}

static tw_status_t
set_database(tw_config_t *cfg, const char *value, GString *why)
{
    replace(&cfg->database, value);
    return TW_OK;
}

static tw_status_t
set_owner(tw_config_t *cfg, const char *value, GString *why)
{
    if (!valid_address(value))
        return bad(why, "'%s' is not an address", value);
    char *a = tw_config_normalise(cfg, value);
    for (guint i = 0; i < cfg->owners->len; i++)
        if (strcmp(cfg->owners->pdata[i], a) == 0)
            return g_free(a), TW_OK;
    g_ptr_array_add(cfg->owners, a);
    return TW_OK;
}

static tw_status_t
set_alias(tw_config_t *cfg, const char *value, GString *why)
{
    char **words = g_strsplit_set(value, " \t", -1);
    char *parts[2] = {NULL, NULL};
    int n = 0;
    tw_status_t st = TW_OK;

    for (char **w = words; *w; w++) {
        if (**w == '\0')
            continue;
        if (n == 2) {
            n = 3;
            break;
        }
        parts[n++] = *w;
    }
    if (n != 2)
        st = bad(why, "'%s' must be two addresses: OWNER OTHER", value);
    else if (!valid_address(parts[0]))
        st = bad(why, "'%s' is not an address", parts[0]);
    else if (!valid_address(parts[1]))
        st = bad(why, "'%s' is not an address", parts[1]);
    else
        g_hash_table_replace(cfg->aliases, tw_config_normalise(cfg, parts[1]),
                             tw_config_normalise(cfg, parts[0]));
    g_strfreev(words);
    return st;
}

static tw_status_t
set_domain(tw_config_t *cfg, const char *value, GString *why)
{
    if (strpbrk(value, " \t@<>,;\"") != NULL || strchr(value, '.') == NULL)
        return bad(why, "'%s' is not a domain", value);
    g_ptr_array_add(cfg->domains, g_ascii_strdown(value, -1));
    return TW_OK;
}

static tw_status_t
set_subaddress(tw_config_t *cfg, const char *value, GString *why)
{
    if (g_ascii_strcasecmp(value, "none") == 0)
        value = "";
    else if (strpbrk(value, " \t@") != NULL)
        return bad(why, "'%s' is not a set of delimiter characters", value);
    replace(&cfg->subaddress_delims, value);
    return TW_OK;
}

static tw_status_t
set_on_error(tw_config_t *cfg, const char *value, GString *why)
{
    if (g_ascii_strcasecmp(value, "accept") == 0)
        cfg->on_error = TW_ON_ERROR_ACCEPT;
    else if (g_ascii_strcasecmp(value, "tempfail") == 0)
        cfg->on_error = TW_ON_ERROR_TEMPFAIL;
    else
        return bad(why, "'%s' is not accept or tempfail", value);
    return TW_OK;
}

static tw_status_t
set_max_body(tw_config_t *cfg, const char *value, GString *why)
{
    long long n;
    tw_status_t st = parse_number(value, 1024, 1LL << 30, true, &n, why);

    if (st == TW_OK)
        cfg->max_body_bytes = (size_t)n;
    return st;
}

static tw_status_t
set_busy_timeout(tw_config_t *cfg, const char *value, GString *why)
{
    long long n;
    tw_status_t st = parse_number(value, 0, 25000, false, &n, why);

    if (st == TW_OK)
        cfg->busy_timeout_ms = (int)n;
    return st;
}

static tw_status_t
set_recorder(tw_config_t *cfg, const char *value, GString *why)
{
    long long n;
    tw_status_t st = parse_number(value, 0, 86400, false, &n, why);

    if (st == TW_OK)
        cfg->recorder_seconds = (int)n;
    return st;
}

static tw_status_t
set_list_asks(tw_config_t *cfg, const char *value, GString *why)
{
    return parse_bool(value, &cfg->list_asks, why);
}

static tw_status_t
set_thread_window(tw_config_t *cfg, const char *value, GString *why)
{
    long long n;
    tw_status_t st = parse_number(value, 1, 3650, false, &n, why);

    if (st == TW_OK)
        cfg->thread_window_days = (int)n;
    return st;
}

static tw_status_t
set_ask_threshold(tw_config_t *cfg, const char *value, GString *why)
{
    char *end;
    double d = g_ascii_strtod(value, &end);

    if (end == value || *end != '\0' || !(d >= 0.0 && d <= 1.0))
        return bad(why, "'%s' is not a number from 0 to 1", value);
    cfg->ask_threshold = d;
    return TW_OK;
}

static tw_status_t
set_per_person_asks(tw_config_t *cfg, const char *value, GString *why)
{
    return parse_bool(value, &cfg->per_person_asks, why);
}

static tw_status_t
set_socket(tw_config_t *cfg, const char *value, GString *why)
{
    if (!g_str_has_prefix(value, "inet:") && !g_str_has_prefix(value, "inet6:") &&
        !g_str_has_prefix(value, "unix:") && !g_str_has_prefix(value, "local:") &&
        value[0] != '/')
        return bad(why, "'%s' is not a socket (inet:PORT@HOST, inet6:PORT@HOST, unix:PATH)",
                   value);
    replace(&cfg->socket, value);
    return TW_OK;
}

/* An address or a network: "192.0.2.1", "10.0.0.0/8", "2001:db8::/32". */
static bool
valid_network(const char *text)
{
    char addr[INET6_ADDRSTRLEN + 1];
    unsigned char bytes[16];
    const char *slash = strchr(text, '/');
    size_t n = slash ? (size_t)(slash - text) : strlen(text);
    int family, max;

    if (n == 0 || n >= sizeof addr)
        return false;
    memcpy(addr, text, n);
    addr[n] = '\0';
    family = strchr(addr, ':') ? AF_INET6 : AF_INET;
    max = family == AF_INET ? 32 : 128;
    if (inet_pton(family, addr, bytes) != 1)
        return false;
    if (slash == NULL)
        return true;
    char *end;
    long bits = strtol(slash + 1, &end, 10);
    return end != slash + 1 && *end == '\0' && bits >= 0 && bits <= max;
}

static tw_status_t
set_internal_hosts(tw_config_t *cfg, const char *value, GString *why)
{
    char **words = g_strsplit_set(value, " \t,", -1);
    tw_status_t st = TW_OK;

    for (char **w = words; *w && st == TW_OK; w++) {
        if (**w == '\0')
            continue;
        if (valid_network(*w))
            g_ptr_array_add(cfg->internal_hosts, g_strdup(*w));
        else
            st = bad(why, "'%s' is not an address or a network (192.0.2.0/24, 2001:db8::/32)",
                     *w);
    }
    g_strfreev(words);
    return st;
}

static tw_status_t
set_user_id(tw_config_t *cfg, const char *value, GString *why)
{
    replace(&cfg->user_id, value);
    return TW_OK;
}

static tw_status_t
set_allow_root(tw_config_t *cfg, const char *value, GString *why)
{
    return parse_bool(value, &cfg->allow_root, why);
}

static tw_status_t
set_pid_file(tw_config_t *cfg, const char *value, GString *why)
{
    replace(&cfg->pid_file, value);
    return TW_OK;
}

static tw_status_t
set_umask(tw_config_t *cfg, const char *value, GString *why)
{
    char *end;
    long n = strtol(value, &end, 8);

    if (end == value || *end != '\0' || n < 0 || n > 0777)
        return bad(why, "'%s' is not an octal umask", value);
    cfg->umask = (int)n;
    return TW_OK;
}

static tw_status_t
set_syslog(tw_config_t *cfg, const char *value, GString *why)
{
    return parse_bool(value, &cfg->syslog, why);
}

static tw_status_t
set_syslog_facility(tw_config_t *cfg, const char *value, GString *why)
{
    static const char *const names[] = {
        "mail", "daemon", "user", "local0", "local1", "local2", "local3",
        "local4", "local5", "local6", "local7",
    };

    for (size_t i = 0; i < G_N_ELEMENTS(names); i++)
        if (g_ascii_strcasecmp(value, names[i]) == 0) {
            replace(&cfg->syslog_facility, names[i]);
            return TW_OK;
        }
    return bad(why, "'%s' is not a syslog facility (mail, daemon, user, local0-7)",
               value);
}

static const struct {
    const char *key;
    setter_fn set;
} key_table[] = {
    {"Database", set_database},
    {"Owner", set_owner},
    {"Alias", set_alias},
    {"Domain", set_domain},
    {"SubAddressDelimiter", set_subaddress},
    {"OnError", set_on_error},
    {"MaxBodyBytes", set_max_body},
    {"BusyTimeout", set_busy_timeout},
    {"Recorder", set_recorder},
    {"ListAsks", set_list_asks},
    {"ThreadWindow", set_thread_window},
    {"AskThreshold", set_ask_threshold},
    {"PerPersonAsks", set_per_person_asks},
    {"Socket", set_socket},
    {"InternalHosts", set_internal_hosts},
    {"UserID", set_user_id},
    {"AllowRoot", set_allow_root},
    {"PidFile", set_pid_file},
    {"UMask", set_umask},
    {"Syslog", set_syslog},
    {"SyslogFacility", set_syslog_facility},
};

tw_config_t *
tw_config_new(void)
{
    tw_config_t *cfg = g_new0(tw_config_t, 1);

    cfg->owners = g_ptr_array_new_with_free_func(g_free);
    cfg->aliases = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    cfg->domains = g_ptr_array_new_with_free_func(g_free);
    cfg->internal_hosts = g_ptr_array_new_with_free_func(g_free);
    cfg->subaddress_delims = g_strdup("+");
    cfg->on_error = TW_ON_ERROR_ACCEPT;
    cfg->max_body_bytes = 1024 * 1024;
    cfg->busy_timeout_ms = 5000;
    cfg->recorder_seconds = 60;
    cfg->list_asks = false;
    cfg->thread_window_days = 30;
    cfg->ask_threshold = 0.5;
    cfg->umask = 007;
    cfg->syslog = true;
    cfg->syslog_facility = g_strdup("mail");
    return cfg;
}

void
tw_config_free(tw_config_t *cfg)
{
    if (cfg == NULL)
        return;
    g_free(cfg->path);
    g_free(cfg->database);
    g_ptr_array_free(cfg->owners, TRUE);
    g_hash_table_destroy(cfg->aliases);
    g_ptr_array_free(cfg->domains, TRUE);
    g_ptr_array_free(cfg->internal_hosts, TRUE);
    g_free(cfg->subaddress_delims);
    g_free(cfg->socket);
    g_free(cfg->user_id);
    g_free(cfg->pid_file);
    g_free(cfg->syslog_facility);
    g_free(cfg);
}

tw_status_t
tw_config_set(tw_config_t *cfg, const char *key, const char *value,
              const char *origin, tw_error_t *err)
{
    for (size_t i = 0; i < G_N_ELEMENTS(key_table); i++) {
        if (g_ascii_strcasecmp(key, key_table[i].key) != 0)
            continue;
        if (*value == '\0') {
            tw_error_set(err, "%s: %s needs a value", origin, key_table[i].key);
            return TW_ERR_CONFIG;
        }
        GString *why = g_string_new(NULL);
        tw_status_t st = key_table[i].set(cfg, value, why);
        if (st != TW_OK)
            tw_error_set(err, "%s: %s: %s", origin, key_table[i].key, why->str);
        g_string_free(why, TRUE);
        return st;
    }
    tw_error_set(err, "%s: unknown key '%s'", origin, key);
    return TW_ERR_CONFIG;
}

tw_status_t
tw_config_check_file(int fd, const char *path, tw_error_t *err)
{
    struct stat sb;
    uid_t me = geteuid();
    char *real, *dir;
    bool unsafe_dir;

    if (fstat(fd, &sb) != 0) {
        tw_error_set(err, "%s: %s", path, g_strerror(errno));
        return TW_ERR_CONFIG;
    }
    if (sb.st_uid != 0 && sb.st_uid != me) {
        tw_error_set(err, "%s: owned by uid %lu, neither root nor the user running this "
                     "program (uid %lu): refused", path, (unsigned long)sb.st_uid,
                     (unsigned long)me);
        return TW_ERR_CONFIG;
    }
    if (!S_ISCHR(sb.st_mode) && (sb.st_mode & S_IWOTH)) {
        tw_error_set(err, "%s: writable by anyone: refused", path);
        return TW_ERR_CONFIG;
    }
    if (!S_ISCHR(sb.st_mode) && me == 0 && (sb.st_mode & S_IWGRP) && sb.st_gid != 0) {
        tw_error_set(err, "%s: writable by group %lu, and this program runs as root: refused",
                     path, (unsigned long)sb.st_gid);
        return TW_ERR_CONFIG;
    }
    /* the directories above the file itself, after symbolic links */
    real = realpath(path, NULL);
    dir = tw_config_unsafe_dir(real != NULL ? real : path);
    free(real);
    if (dir != NULL)
        tw_error_set(err, "%s: directory %s is writable by anyone (and not sticky): refused",
                     path, dir);
    unsafe_dir = dir != NULL;
    g_free(dir);
    return unsafe_dir ? TW_ERR_CONFIG : TW_OK;
}

char *
tw_config_unsafe_dir(const char *path)
{
    char *dir, *full = g_canonicalize_filename(path, NULL);

    dir = g_path_get_dirname(full);
    g_free(full);
    for (;;) {
        struct stat sb;
        char *up;

        if (stat(dir, &sb) == 0 && S_ISDIR(sb.st_mode) && (sb.st_mode & S_IWOTH) &&
            !(sb.st_mode & S_ISVTX))
            return dir;
        up = g_path_get_dirname(dir);
        if (strcmp(up, dir) == 0) {
            g_free(up);
            g_free(dir);
            return NULL;
        }
        g_free(dir);
        dir = up;
    }
}

tw_status_t
tw_config_load(tw_config_t *cfg, const char *path, tw_error_t *err)
{
    FILE *fp = fopen(path, "r");
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    unsigned lineno = 0;
    tw_status_t st = TW_OK;

    if (fp == NULL) {
        int e = errno;
        tw_error_set(err, "%s: %s", path, g_strerror(e));
        /* out of memory or of descriptors passes; a missing or
         * unreadable file is the configuration's fault */
        return e == ENOMEM || e == EMFILE || e == ENFILE ? TW_ERR_NOMEM : TW_ERR_CONFIG;
    }
    /* checked on the file opened, not on a name that could change */
    if ((st = tw_config_check_file(fileno(fp), path, err)) != TW_OK) {
        fclose(fp);
        return st;
    }
    replace(&cfg->path, path);
    while (st == TW_OK && (n = getline(&line, &cap, fp)) != -1) {
        char *p = line, *key, *value, origin[1100];

        lineno++;
        if (memchr(line, '\0', (size_t)n) != NULL) {
            tw_error_set(err, "%s:%u: line holds a NUL byte", path, lineno);
            st = TW_ERR_CONFIG;
            break;
        }
        g_strstrip(p);
        if (*p == '\0' || *p == '#')
            continue;
        key = p;
        while (*p && !g_ascii_isspace(*p))
            p++;
        if (*p)
            *p++ = '\0';
        value = g_strstrip(p);
        snprintf(origin, sizeof origin, "%s:%u", path, lineno);
        st = tw_config_set(cfg, key, value, origin, err);
    }
    /* getline also stops when it cannot grow its buffer: only the end
     * of the file ends the configuration */
    if (st == TW_OK && !feof(fp)) {
        int e = errno;
        tw_error_set(err, "%s:%u: %s", path, lineno + 1,
                     ferror(fp) ? g_strerror(e) : "out of memory");
        st = ferror(fp) ? TW_ERR_IO : TW_ERR_NOMEM;
    }
    free(line);
    fclose(fp);
    return st;
}

static char *
xdg_path(const char *var, const char *fallback, const char *file)
{
    const char *base = g_getenv(var);

    if (base != NULL && base[0] == '/')
        return g_build_filename(base, "twoway", file, NULL);
    const char *home = g_getenv("HOME");
    if (home == NULL || *home == '\0')
        home = g_get_home_dir();
    return g_build_filename(home, fallback, "twoway", file, NULL);
}

char *
tw_config_default_path(void)
{
    return xdg_path("XDG_CONFIG_HOME", ".config", "twoway.conf");
}

char *
tw_config_default_database(void)
{
    return xdg_path("XDG_DATA_HOME", ".local/share", "twoway.db");
}

char *
tw_config_database(const tw_config_t *cfg)
{
    return cfg->database ? g_strdup(cfg->database) : tw_config_default_database();
}

char *
tw_config_normalise(const tw_config_t *cfg, const char *addr)
{
    return tw_address_normalise(addr, cfg->subaddress_delims);
}

const char *
tw_config_owner_of(const tw_config_t *cfg, const char *addr)
{
    const char *owner;

    if (addr == NULL)
        return NULL;
    for (guint i = 0; i < cfg->owners->len; i++)
        if (strcmp(cfg->owners->pdata[i], addr) == 0)
            return cfg->owners->pdata[i];
    owner = g_hash_table_lookup(cfg->aliases, addr);
    if (owner != NULL)
        return owner;
    const char *domain = tw_address_domain(addr);
    for (guint i = 0; i < cfg->domains->len; i++)
        if (g_ascii_strcasecmp(cfg->domains->pdata[i], domain) == 0)
            return addr;
    return NULL;
}

bool
tw_config_is_identity(const tw_config_t *cfg, const char *owner,
                      const char *addr)
{
    const char *alias_of;

    if (owner == NULL || addr == NULL)
        return false;
    if (strcmp(owner, addr) == 0)
        return true;
    alias_of = g_hash_table_lookup(cfg->aliases, addr);
    return alias_of != NULL && strcmp(alias_of, owner) == 0;
}
