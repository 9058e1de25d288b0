/* test_config.c - unit tests for lib/config.c: keys, files, identities. */
#include "unit.h"

#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"

/* Sets key to value; returns the status, err text in *err. */
static tw_status_t
set(tw_config_t *cfg, const char *key, const char *value, tw_error_t *err)
{
    memset(err, 0, sizeof *err);
    return tw_config_set(cfg, key, value, "test", err);
}

/* key value must be refused, with an error naming the origin and key. */
static void
refuse(const char *key, const char *value)
{
    tw_config_t *cfg = tw_config_new();
    tw_error_t err;
    tw_status_t st = set(cfg, key, value, &err);

    if (st != TW_ERR_CONFIG)
        fail_msg("%s '%s' was accepted (status %d)", key, value, st);
    assert_true(g_str_has_prefix(err.text, "test: "));
    assert_true(unit_contains(err.text, key));
    tw_config_free(cfg);
}

/* key value must be accepted. */
static tw_config_t *
accept_value(const char *key, const char *value)
{
    tw_config_t *cfg = tw_config_new();
    tw_error_t err;
    tw_status_t st = set(cfg, key, value, &err);

    if (st != TW_OK)
        fail_msg("%s '%s' was refused: %s", key, value, err.text);
    return cfg;
}

/* Writes text into a fresh file and loads it; *path gets the file. */
static tw_status_t
load_text(const char *text, tw_config_t **cfg, tw_error_t *err, char **dir, char **path)
{
    *dir = unit_tmpdir();
    *path = unit_write_file(*dir, "twoway.conf", text, -1);
    *cfg = tw_config_new();
    memset(err, 0, sizeof *err);
    return tw_config_load(*cfg, *path, err);
}

static void
test_defaults(void **state)
{
    tw_config_t *cfg = tw_config_new();

    assert_null(cfg->path);
    assert_null(cfg->database);
    assert_int_equal(cfg->owners->len, 0);
    assert_int_equal(g_hash_table_size(cfg->aliases), 0);
    assert_int_equal(cfg->domains->len, 0);
    assert_string_equal(cfg->subaddress_delims, "+");
    assert_int_equal(cfg->on_error, TW_ON_ERROR_ACCEPT);
    assert_int_equal(cfg->max_body_bytes, 1048576);
    assert_int_equal(cfg->busy_timeout_ms, 5000);
    assert_int_equal(cfg->recorder_seconds, 60);
    assert_false(cfg->list_asks);
    assert_int_equal(cfg->thread_window_days, 30);
    assert_float_equal(cfg->ask_threshold, 0.5, 1e-9);
    assert_int_equal(cfg->umask, 007);
    assert_true(cfg->syslog);
    assert_string_equal(cfg->syslog_facility, "mail");
    assert_null(cfg->socket);
    assert_int_equal(cfg->internal_hosts->len, 0);
    tw_config_free(cfg);
    tw_config_free(NULL);
}

static void
test_database(void **state)
{
    tw_config_t *cfg = accept_value("Database", "/var/lib/twoway/tw.db");

    assert_string_equal(cfg->database, "/var/lib/twoway/tw.db");
    char *db = tw_config_database(cfg);
    assert_string_equal(db, "/var/lib/twoway/tw.db");
    g_free(db);
    /* the last line wins */
    tw_error_t err;
    assert_int_equal(set(cfg, "Database", "/tmp/other.db", &err), TW_OK);
    assert_string_equal(cfg->database, "/tmp/other.db");
    tw_config_free(cfg);
    refuse("Database", "");
}

static void
test_owner(void **state)
{
    tw_config_t *cfg = accept_value("Owner", "Alice@Example.ORG");
    tw_error_t err;

    assert_int_equal(cfg->owners->len, 1);
    assert_string_equal(cfg->owners->pdata[0], "alice@example.org");
    /* repeatable, in order, duplicates once */
    assert_int_equal(set(cfg, "Owner", "bob+work@example.org", &err), TW_OK);
    assert_int_equal(set(cfg, "Owner", "alice@example.org", &err), TW_OK);
    assert_int_equal(cfg->owners->len, 2);
    assert_string_equal(cfg->owners->pdata[1], "bob@example.org");
    tw_config_free(cfg);

    refuse("Owner", "alice");
    refuse("Owner", "alice@");
    refuse("Owner", "@example.org");
    refuse("Owner", "a@b@example.org");
    refuse("Owner", "Alice <alice@example.org>");
    refuse("Owner", "alice@example.org bob@example.org");
    refuse("Owner", "alice@example.org, bob@example.org");
    refuse("Owner", "");
}

static void
test_alias(void **state)
{
    tw_config_t *cfg = accept_value("Alias", "alice@example.org  Alice.Smith@Work.example.com");

    assert_int_equal(g_hash_table_size(cfg->aliases), 1);
    assert_string_equal(g_hash_table_lookup(cfg->aliases, "alice.smith@work.example.com"),
                        "alice@example.org");
    tw_config_free(cfg);

    cfg = accept_value("Alias", "alice@example.org\talice@home.example.net");
    assert_string_equal(g_hash_table_lookup(cfg->aliases, "alice@home.example.net"),
                        "alice@example.org");
    tw_config_free(cfg);

    refuse("Alias", "alice@example.org");
    refuse("Alias", "alice@example.org a@x.org b@x.org");
    refuse("Alias", "alice other@example.org");
    refuse("Alias", "alice@example.org other");
    refuse("Alias", "");
}

static void
test_domain(void **state)
{
    tw_config_t *cfg = accept_value("Domain", "Example.ORG");

    assert_int_equal(cfg->domains->len, 1);
    assert_string_equal(cfg->domains->pdata[0], "example.org");
    tw_config_free(cfg);

    refuse("Domain", "localhost");
    refuse("Domain", "alice@example.org");
    refuse("Domain", "exa mple.org");
    refuse("Domain", "<example.org>");
    refuse("Domain", "");
}

static void
test_subaddress_delimiter(void **state)
{
    tw_config_t *cfg = accept_value("SubAddressDelimiter", "+-");
    tw_error_t err;

    assert_string_equal(cfg->subaddress_delims, "+-");
    char *a = tw_config_normalise(cfg, "Bob-Lists@Example.org");
    assert_string_equal(a, "bob@example.org");
    g_free(a);
    /* Owner lines after it use it */
    assert_int_equal(set(cfg, "Owner", "alice-work@example.org", &err), TW_OK);
    assert_string_equal(cfg->owners->pdata[0], "alice@example.org");
    tw_config_free(cfg);

    cfg = accept_value("SubAddressDelimiter", "none");
    assert_string_equal(cfg->subaddress_delims, "");
    a = tw_config_normalise(cfg, "bob+lists@example.org");
    assert_string_equal(a, "bob+lists@example.org");
    g_free(a);
    assert_int_equal(set(cfg, "Owner", "alice+work@example.org", &err), TW_OK);
    assert_string_equal(cfg->owners->pdata[0], "alice+work@example.org");
    tw_config_free(cfg);

    refuse("SubAddressDelimiter", "+@");
    refuse("SubAddressDelimiter", "+ -");
    refuse("SubAddressDelimiter", "");
}

static void
test_on_error(void **state)
{
    tw_config_t *cfg = accept_value("OnError", "tempfail");
    tw_error_t err;

    assert_int_equal(cfg->on_error, TW_ON_ERROR_TEMPFAIL);
    assert_int_equal(set(cfg, "OnError", "ACCEPT", &err), TW_OK);
    assert_int_equal(cfg->on_error, TW_ON_ERROR_ACCEPT);
    tw_config_free(cfg);

    refuse("OnError", "reject");
    refuse("OnError", "accept now");
    refuse("OnError", "");
}

static void
test_max_body_bytes(void **state)
{
    static const struct {
        const char *value;
        size_t want;
    } good[] = {
        {"1024", 1024},       {"2048", 2048}, {"1k", 1024},
        {"64k", 65536},       {"64K", 65536}, {"2M", 2097152},
        {"1G", 1073741824},   {"1073741824", 1073741824},
    };

    for (size_t i = 0; i < G_N_ELEMENTS(good); i++) {
        tw_config_t *cfg = accept_value("MaxBodyBytes", good[i].value);
        assert_int_equal(cfg->max_body_bytes, good[i].want);
        tw_config_free(cfg);
    }
    refuse("MaxBodyBytes", "1023");
    refuse("MaxBodyBytes", "0");
    refuse("MaxBodyBytes", "2G");
    refuse("MaxBodyBytes", "1073741825");
    refuse("MaxBodyBytes", "-5");
    refuse("MaxBodyBytes", "abc");
    refuse("MaxBodyBytes", "10x");
    refuse("MaxBodyBytes", "5kk");
    refuse("MaxBodyBytes", "5 k");
    refuse("MaxBodyBytes", "99999999999999999999999");
    refuse("MaxBodyBytes", "");
}

static void
test_busy_timeout(void **state)
{
    tw_config_t *cfg = accept_value("BusyTimeout", "0");

    assert_int_equal(cfg->busy_timeout_ms, 0);
    tw_config_free(cfg);
    cfg = accept_value("BusyTimeout", "25000");
    assert_int_equal(cfg->busy_timeout_ms, 25000);
    tw_config_free(cfg);

    refuse("BusyTimeout", "25001");
    refuse("BusyTimeout", "30000");
    refuse("BusyTimeout", "-1");
    refuse("BusyTimeout", "1.5");
    refuse("BusyTimeout", "1k");
    refuse("BusyTimeout", "soon");
}

static void
test_recorder(void **state)
{
    tw_config_t *cfg = accept_value("Recorder", "0");

    assert_int_equal(cfg->recorder_seconds, 0);
    tw_config_free(cfg);
    cfg = accept_value("Recorder", "86400");
    assert_int_equal(cfg->recorder_seconds, 86400);
    tw_config_free(cfg);

    refuse("Recorder", "86401");
    refuse("Recorder", "-1");
    refuse("Recorder", "2.5");
    refuse("Recorder", "1k");
    refuse("Recorder", "off");
}

static void
test_list_asks(void **state)
{
    static const char *const yes[] = {"yes", "YES", "true", "on", "1"};
    static const char *const no[] = {"no", "False", "off", "0"};

    for (size_t i = 0; i < G_N_ELEMENTS(yes); i++) {
        tw_config_t *cfg = accept_value("ListAsks", yes[i]);
        assert_true(cfg->list_asks);
        tw_config_free(cfg);
    }
    for (size_t i = 0; i < G_N_ELEMENTS(no); i++) {
        tw_config_t *cfg = tw_config_new();
        tw_error_t err;
        cfg->list_asks = true;
        assert_int_equal(set(cfg, "ListAsks", no[i], &err), TW_OK);
        assert_false(cfg->list_asks);
        tw_config_free(cfg);
    }
    refuse("ListAsks", "maybe");
    refuse("ListAsks", "2");
    refuse("ListAsks", "yes please");
}

static void
test_thread_window(void **state)
{
    tw_config_t *cfg = accept_value("ThreadWindow", "1");

    assert_int_equal(cfg->thread_window_days, 1);
    tw_config_free(cfg);
    cfg = accept_value("ThreadWindow", "3650");
    assert_int_equal(cfg->thread_window_days, 3650);
    tw_config_free(cfg);

    refuse("ThreadWindow", "0");
    refuse("ThreadWindow", "3651");
    refuse("ThreadWindow", "7d");
    refuse("ThreadWindow", "-3");
}

static void
test_ask_threshold(void **state)
{
    tw_config_t *cfg = accept_value("AskThreshold", "0.7");

    assert_float_equal(cfg->ask_threshold, 0.7, 1e-9);
    tw_config_free(cfg);
    cfg = accept_value("AskThreshold", "0");
    assert_float_equal(cfg->ask_threshold, 0.0, 1e-9);
    tw_config_free(cfg);
    cfg = accept_value("AskThreshold", "1");
    assert_float_equal(cfg->ask_threshold, 1.0, 1e-9);
    tw_config_free(cfg);

    refuse("AskThreshold", "1.5");
    refuse("AskThreshold", "-0.1");
    refuse("AskThreshold", "abc");
    refuse("AskThreshold", "0.5x");
    refuse("AskThreshold", "nan");
    refuse("AskThreshold", "0,5");
}

static void
test_socket(void **state)
{
    static const char *const good[] = {
        "inet:8891@localhost", "inet6:8891@[::1]", "unix:/run/twoway/milter.sock",
        "local:/run/twoway/milter.sock", "/run/twoway/milter.sock",
    };

    for (size_t i = 0; i < G_N_ELEMENTS(good); i++) {
        tw_config_t *cfg = accept_value("Socket", good[i]);
        assert_string_equal(cfg->socket, good[i]);
        tw_config_free(cfg);
    }
    refuse("Socket", "tcp:8891");
    refuse("Socket", "8891");
    refuse("Socket", "run/milter.sock");
}

static void
test_internal_hosts(void **state)
{
    tw_config_t *cfg = accept_value("InternalHosts", "127.0.0.1, 10.0.0.0/8  ::1");
    tw_error_t err;

    assert_int_equal(cfg->internal_hosts->len, 3);
    assert_string_equal(cfg->internal_hosts->pdata[0], "127.0.0.1");
    assert_string_equal(cfg->internal_hosts->pdata[1], "10.0.0.0/8");
    assert_string_equal(cfg->internal_hosts->pdata[2], "::1");
    /* repeatable */
    assert_int_equal(set(cfg, "InternalHosts", "192.0.2.0/24", &err), TW_OK);
    assert_int_equal(cfg->internal_hosts->len, 4);
    tw_config_free(cfg);
    refuse("InternalHosts", "");
    /* a name or a mistyped network would match nothing: refused */
    refuse("InternalHosts", "mail.example.org");
    refuse("InternalHosts", "10.0.0.0/99");
    refuse("InternalHosts", "2001:db8::/129");
    refuse("InternalHosts", "10.0.0.0/");
}

static void
test_milter_strings(void **state)
{
    tw_config_t *cfg = accept_value("UserID", "twoway");
    tw_error_t err;

    assert_string_equal(cfg->user_id, "twoway");
    assert_int_equal(set(cfg, "PidFile", "/run/twoway/twoway-milter.pid", &err), TW_OK);
    assert_string_equal(cfg->pid_file, "/run/twoway/twoway-milter.pid");
    tw_config_free(cfg);
    refuse("UserID", "");
    refuse("PidFile", "");
}

static void
test_umask(void **state)
{
    tw_config_t *cfg = accept_value("UMask", "027");

    assert_int_equal(cfg->umask, 027);
    tw_config_free(cfg);
    cfg = accept_value("UMask", "0");
    assert_int_equal(cfg->umask, 0);
    tw_config_free(cfg);

    refuse("UMask", "8");
    refuse("UMask", "0800");
    refuse("UMask", "1000");
    refuse("UMask", "rwx");
    refuse("UMask", "-1");
}

static void
test_syslog(void **state)
{
    tw_config_t *cfg = accept_value("Syslog", "no");
    tw_error_t err;

    assert_false(cfg->syslog);
    assert_int_equal(set(cfg, "Syslog", "on", &err), TW_OK);
    assert_true(cfg->syslog);
    assert_int_equal(set(cfg, "SyslogFacility", "LOCAL3", &err), TW_OK);
    assert_string_equal(cfg->syslog_facility, "local3");
    assert_int_equal(set(cfg, "SyslogFacility", "daemon", &err), TW_OK);
    assert_string_equal(cfg->syslog_facility, "daemon");
    tw_config_free(cfg);

    refuse("Syslog", "sometimes");
    refuse("SyslogFacility", "kern");
    refuse("SyslogFacility", "local8");
}

static void
test_unknown_key(void **state)
{
    tw_config_t *cfg = tw_config_new();
    tw_error_t err;

    assert_int_equal(tw_config_set(cfg, "Ownr", "a@example.org", "--owner", &err),
                     TW_ERR_CONFIG);
    assert_true(g_str_has_prefix(err.text, "--owner: "));
    assert_true(unit_contains(err.text, "Ownr"));
    assert_int_equal(cfg->owners->len, 0);
    /* keys are matched without regard to case */
    assert_int_equal(tw_config_set(cfg, "owner", "a@example.org", "x", &err), TW_OK);
    assert_int_equal(tw_config_set(cfg, "OWNER", "b@example.org", "x", &err), TW_OK);
    assert_int_equal(cfg->owners->len, 2);
    tw_config_free(cfg);
}

static void
test_load_file(void **state)
{
    const char *text =
        "# twoway configuration\n"
        "\n"
        "   # an indented comment\n"
        "SubAddressDelimiter +-\n"
        "Owner    alice@example.org\n"
        "  Alias  alice@example.org   alice.smith@work.example.com  \n"
        "Domain\texample.net\n"
        "Database /srv/tw.db\n"
        "OnError tempfail\r\n"
        "MaxBodyBytes 256k\n"
        "BusyTimeout 2000\n"
        "ListAsks yes\n"
        "ThreadWindow 14\n"
        "AskThreshold 0.6\n"
        "Socket inet:8895@127.0.0.1\n"
        "\t\n"
        "UMask 077\n"
        "Syslog no";
    tw_config_t *cfg;
    tw_error_t err;
    char *dir, *path;

    assert_int_equal(load_text(text, &cfg, &err, &dir, &path), TW_OK);
    assert_string_equal(cfg->path, path);
    assert_string_equal(cfg->subaddress_delims, "+-");
    assert_int_equal(cfg->owners->len, 1);
    assert_string_equal(cfg->owners->pdata[0], "alice@example.org");
    assert_string_equal(g_hash_table_lookup(cfg->aliases, "alice.smith@work.example.com"),
                        "alice@example.org");
    assert_string_equal(cfg->domains->pdata[0], "example.net");
    assert_string_equal(cfg->database, "/srv/tw.db");
    assert_int_equal(cfg->on_error, TW_ON_ERROR_TEMPFAIL);
    assert_int_equal(cfg->max_body_bytes, 262144);
    assert_int_equal(cfg->busy_timeout_ms, 2000);
    assert_true(cfg->list_asks);
    assert_int_equal(cfg->thread_window_days, 14);
    assert_float_equal(cfg->ask_threshold, 0.6, 1e-9);
    assert_string_equal(cfg->socket, "inet:8895@127.0.0.1");
    assert_int_equal(cfg->umask, 077);
    assert_false(cfg->syslog);
    tw_config_free(cfg);
    g_free(path);
    unit_rmtree(dir);
    g_free(dir);
}

/* Loads text and expects an error starting "PATH:LINE:" and holding
 * every string in the NULL-terminated list. */
static void
load_fails(const char *text, unsigned line, ...)
{
    tw_config_t *cfg;
    tw_error_t err;
    char *dir, *path;
    va_list ap;

    assert_int_equal(load_text(text, &cfg, &err, &dir, &path), TW_ERR_CONFIG);
    char *prefix = g_strdup_printf("%s:%u: ", path, line);
    if (!g_str_has_prefix(err.text, prefix))
        fail_msg("error '%s' does not start with '%s'", err.text, prefix);
    va_start(ap, line);
    for (const char *s = va_arg(ap, const char *); s; s = va_arg(ap, const char *))
        if (!unit_contains(err.text, s))
            fail_msg("error '%s' does not mention '%s'", err.text, s);
    va_end(ap);
    g_free(prefix);
    tw_config_free(cfg);
    g_free(path);
    unit_rmtree(dir);
    g_free(dir);
}

static void
test_load_errors_name_file_and_line(void **state)
{
    load_fails("Owner alice@example.org\nOwnr bob@example.org\n", 2, "Ownr", (char *)NULL);
    load_fails("# comment\n\nOwner a@example.org\nBusyTimeout 99999\n", 4, "BusyTimeout",
               "99999", (char *)NULL);
    load_fails("ListAsks maybe\n", 1, "ListAsks", "maybe", (char *)NULL);
    load_fails("\n\n\nOwner\n", 4, "Owner", (char *)NULL);
    /* a '#' after the value is part of the value */
    load_fails("Owner alice@example.org # me\n", 1, "Owner", (char *)NULL);
    load_fails("Domain example.org\r\nAskThreshold 2\r\n", 2, "AskThreshold", (char *)NULL);
}

static void
test_load_nul_byte(void **state)
{
    static const char text[] = "Owner a@example.org\nDatabase /tmp/x\0y.db\n";
    char *dir = unit_tmpdir();
    char *path = unit_write_file(dir, "nul.conf", text, sizeof text - 1);
    tw_config_t *cfg = tw_config_new();
    tw_error_t err = {{0}};

    assert_int_equal(tw_config_load(cfg, path, &err), TW_ERR_CONFIG);
    char *prefix = g_strdup_printf("%s:2:", path);
    assert_true(g_str_has_prefix(err.text, prefix));
    g_free(prefix);
    tw_config_free(cfg);
    g_free(path);
    unit_rmtree(dir);
    g_free(dir);
}

static void
test_load_missing_file(void **state)
{
    char *dir = unit_tmpdir();
    char *path = g_build_filename(dir, "absent.conf", NULL);
    tw_config_t *cfg = tw_config_new();
    tw_error_t err = {{0}};

    assert_int_equal(tw_config_load(cfg, path, &err), TW_ERR_CONFIG);
    assert_true(unit_contains(err.text, path));
    tw_config_free(cfg);
    g_free(path);
    unit_rmtree(dir);
    g_free(dir);
}

static void
test_load_empty_file(void **state)
{
    tw_config_t *cfg;
    tw_error_t err;
    char *dir, *path;

    assert_int_equal(load_text("", &cfg, &err, &dir, &path), TW_OK);
    assert_int_equal(cfg->owners->len, 0);
    assert_int_equal(cfg->busy_timeout_ms, 5000);
    tw_config_free(cfg);
    g_free(path);
    unit_rmtree(dir);
    g_free(dir);
}

static void
test_load_long_line(void **state)
{
    GString *text = g_string_new("Database /");

    for (int i = 0; i < 20000; i++)
        g_string_append_c(text, 'd');
    g_string_append(text, "\nOwner a@example.org\nBogus 1\n");

    tw_config_t *cfg;
    tw_error_t err;
    char *dir, *path;
    assert_int_equal(load_text(text->str, &cfg, &err, &dir, &path), TW_ERR_CONFIG);
    assert_int_equal(strlen(cfg->database), 20001);
    char *prefix = g_strdup_printf("%s:3:", path);
    assert_true(g_str_has_prefix(err.text, prefix));
    g_free(prefix);
    tw_config_free(cfg);
    g_free(path);
    unit_rmtree(dir);
    g_free(dir);
    g_string_free(text, TRUE);
}

static void
test_allow_root(void **state)
{
    tw_config_t *cfg = tw_config_new();

    assert_false(cfg->allow_root);
    tw_config_free(cfg);
    cfg = accept_value("AllowRoot", "yes");
    assert_true(cfg->allow_root);
    tw_config_free(cfg);
    cfg = accept_value("allowroot", "no");
    assert_false(cfg->allow_root);
    tw_config_free(cfg);
    refuse("AllowRoot", "sometimes");
    refuse("AllowRoot", "");
}

/* Loads a good file at dir/name after set-up by the caller; returns the
 * status and the error text. */
static tw_status_t
load_path(const char *path, tw_error_t *err)
{
    tw_config_t *cfg = tw_config_new();
    tw_status_t st;

    memset(err, 0, sizeof *err);
    st = tw_config_load(cfg, path, err);
    if (st == TW_OK)
        assert_int_equal(cfg->owners->len, 1);
    tw_config_free(cfg);
    return st;
}

/* err starts with "path: " and holds what. */
static void
refused_with(const tw_error_t *err, const char *path, const char *what)
{
    char *prefix = g_strconcat(path, ": ", NULL);

    if (!g_str_has_prefix(err->text, prefix) || !unit_contains(err->text, what))
        fail_msg("error '%s' does not start with '%s' and say '%s'", err->text, prefix, what);
    g_free(prefix);
}

static void
test_load_refuses_file_anyone_may_write(void **state)
{
    char *dir = unit_tmpdir();
    char *path = unit_write_file(dir, "twoway.conf", "Owner a@example.org\n", -1);
    tw_error_t err;

    assert_int_equal(chmod(path, 0644), 0);
    assert_int_equal(load_path(path, &err), TW_OK);
    assert_int_equal(chmod(path, 0666), 0);
    assert_int_equal(load_path(path, &err), TW_ERR_CONFIG);
    refused_with(&err, path, "writable by anyone: refused");
    assert_int_equal(chmod(path, 0602), 0);
    assert_int_equal(load_path(path, &err), TW_ERR_CONFIG);
    /* what is read is the file opened: a link to it is judged the same */
    char *link = g_build_filename(dir, "link.conf", NULL);
    assert_int_equal(symlink(path, link), 0);
    assert_int_equal(load_path(link, &err), TW_ERR_CONFIG);
    refused_with(&err, link, "writable by anyone");
    unit_rmtree(dir);
    g_free(link);
    g_free(path);
    g_free(dir);
}

static void
test_load_refuses_directory_anyone_may_write(void **state)
{
    char *dir = unit_tmpdir();
    char *sub = g_build_filename(dir, "a", "b", NULL);
    char *top = g_build_filename(dir, "a", NULL);
    char *path;
    tw_error_t err;

    assert_int_equal(g_mkdir_with_parents(sub, 0755), 0);
    path = unit_write_file(sub, "twoway.conf", "Owner a@example.org\n", -1);
    assert_int_equal(chmod(path, 0644), 0);
    assert_int_equal(load_path(path, &err), TW_OK);

    /* its own directory */
    assert_int_equal(chmod(sub, 0777), 0);
    assert_int_equal(load_path(path, &err), TW_ERR_CONFIG);
    refused_with(&err, path, "writable by anyone (and not sticky): refused");
    assert_true(unit_contains(err.text, sub));
    /* sticky, as /tmp: nobody else may replace the file */
    assert_int_equal(chmod(sub, 01777), 0);
    assert_int_equal(load_path(path, &err), TW_OK);
    /* a directory further up */
    assert_int_equal(chmod(sub, 0755), 0);
    assert_int_equal(chmod(top, 0777), 0);
    assert_int_equal(load_path(path, &err), TW_ERR_CONFIG);
    char *want = g_strdup_printf("directory %s is writable by anyone", top);
    refused_with(&err, path, want);
    g_free(want);
    assert_int_equal(chmod(top, 0755), 0);

    char *found = tw_config_unsafe_dir(path);
    assert_null(found);
    assert_int_equal(chmod(top, 0777), 0);
    found = tw_config_unsafe_dir(path);
    assert_string_equal(found, top);
    g_free(found);
    /* a path that does not exist yet is judged by what is above it */
    char *later = g_build_filename(sub, "not", "yet", "x.db", NULL);
    found = tw_config_unsafe_dir(later);
    assert_string_equal(found, top);
    g_free(found);
    g_free(later);
    assert_int_equal(chmod(top, 0755), 0);
    unit_rmtree(dir);
    g_free(top);
    g_free(sub);
    g_free(path);
    g_free(dir);
}

static void
test_load_device(void **state)
{
    tw_config_t *cfg = tw_config_new();
    tw_error_t err = {{0}};

    /* a character device anyone may write (no file content changes) */
    assert_int_equal(tw_config_load(cfg, "/dev/null", &err), TW_OK);
    assert_int_equal(cfg->owners->len, 0);
    tw_config_free(cfg);
}

static void
test_load_owner_and_group(void **state)
{
    char *dir = unit_tmpdir();
    char *path = unit_write_file(dir, "twoway.conf", "Owner a@example.org\n", -1);
    tw_error_t err;

    /* this user's own file, its group allowed to write: accepted for
     * an ordinary user, refused for root unless the group is root's */
    assert_int_equal(chmod(path, 0664), 0);
    if (geteuid() != 0) {
        assert_int_equal(load_path(path, &err), TW_OK);
        unit_rmtree(dir);
        g_free(path);
        g_free(dir);
        return; /* the rest needs root: files of other users and groups */
    }
    assert_int_equal(chown(path, 0, 0), 0);
    assert_int_equal(load_path(path, &err), TW_OK);
    assert_int_equal(chown(path, 0, 4242), 0);
    assert_int_equal(load_path(path, &err), TW_ERR_CONFIG);
    refused_with(&err, path, "writable by group 4242, and this program runs as root: refused");
    assert_int_equal(chmod(path, 0644), 0);
    assert_int_equal(load_path(path, &err), TW_OK);
    /* another user's file */
    assert_int_equal(chown(path, 65534, 0), 0);
    assert_int_equal(load_path(path, &err), TW_ERR_CONFIG);
    refused_with(&err, path, "owned by uid 65534, neither root nor the user running this program");
    unit_rmtree(dir);
    g_free(path);
    g_free(dir);
}

static void
test_owner_of(void **state)
{
    tw_config_t *cfg = tw_config_new();
    tw_error_t err;

    assert_int_equal(set(cfg, "Owner", "alice@example.org", &err), TW_OK);
    assert_int_equal(set(cfg, "Owner", "bob@example.org", &err), TW_OK);
    assert_int_equal(set(cfg, "Alias", "alice@example.org alice@home.example.net", &err), TW_OK);
    assert_int_equal(set(cfg, "Domain", "Corp.Example.COM", &err), TW_OK);

    assert_string_equal(tw_config_owner_of(cfg, "alice@example.org"), "alice@example.org");
    assert_string_equal(tw_config_owner_of(cfg, "bob@example.org"), "bob@example.org");
    assert_string_equal(tw_config_owner_of(cfg, "alice@home.example.net"), "alice@example.org");
    assert_string_equal(tw_config_owner_of(cfg, "carol@corp.example.com"),
                        "carol@corp.example.com");
    assert_null(tw_config_owner_of(cfg, "carol@example.org"));
    assert_null(tw_config_owner_of(cfg, "mallory@evil.example"));
    assert_null(tw_config_owner_of(cfg, "corp.example.com"));
    assert_null(tw_config_owner_of(cfg, NULL));

    assert_true(tw_config_is_identity(cfg, "alice@example.org", "alice@example.org"));
    assert_true(tw_config_is_identity(cfg, "alice@example.org", "alice@home.example.net"));
    assert_false(tw_config_is_identity(cfg, "bob@example.org", "alice@home.example.net"));
    assert_false(tw_config_is_identity(cfg, "alice@example.org", "bob@example.org"));
    assert_false(tw_config_is_identity(cfg, NULL, "alice@example.org"));
    assert_false(tw_config_is_identity(cfg, "alice@example.org", NULL));
    tw_config_free(cfg);
}

static void
test_owner_of_empty_config(void **state)
{
    tw_config_t *cfg = tw_config_new();

    assert_null(tw_config_owner_of(cfg, "alice@example.org"));
    assert_null(tw_config_owner_of(cfg, ""));
    assert_false(tw_config_is_identity(cfg, "alice@example.org", "bob@example.org"));
    tw_config_free(cfg);
}

/* Saves and restores an environment variable around a test. */
static char *
save_env(const char *name)
{
    const char *v = g_getenv(name);

    return v ? g_strdup(v) : NULL;
}

static void
restore_env(const char *name, char *value)
{
    if (value)
        g_setenv(name, value, TRUE);
    else
        g_unsetenv(name);
    g_free(value);
}

static void
test_xdg_paths(void **state)
{
    char *home = save_env("HOME"), *cfg_home = save_env("XDG_CONFIG_HOME"),
         *data_home = save_env("XDG_DATA_HOME");
    char *p;

    g_setenv("HOME", "/home/tester", TRUE);
    g_setenv("XDG_CONFIG_HOME", "/xdg/config", TRUE);
    g_setenv("XDG_DATA_HOME", "/xdg/data", TRUE);
    p = tw_config_default_path();
    assert_string_equal(p, "/xdg/config/twoway/twoway.conf");
    g_free(p);
    p = tw_config_default_database();
    assert_string_equal(p, "/xdg/data/twoway/twoway.db");
    g_free(p);

    tw_config_t *cfg = tw_config_new();
    p = tw_config_database(cfg);
    assert_string_equal(p, "/xdg/data/twoway/twoway.db");
    g_free(p);
    tw_config_free(cfg);

    g_unsetenv("XDG_CONFIG_HOME");
    g_unsetenv("XDG_DATA_HOME");
    p = tw_config_default_path();
    assert_string_equal(p, "/home/tester/.config/twoway/twoway.conf");
    g_free(p);
    p = tw_config_default_database();
    assert_string_equal(p, "/home/tester/.local/share/twoway/twoway.db");
    g_free(p);

    /* relative or empty values are ignored (XDG Base Directory spec) */
    g_setenv("XDG_CONFIG_HOME", "relative/config", TRUE);
    g_setenv("XDG_DATA_HOME", "", TRUE);
    p = tw_config_default_path();
    assert_string_equal(p, "/home/tester/.config/twoway/twoway.conf");
    g_free(p);
    p = tw_config_default_database();
    assert_string_equal(p, "/home/tester/.local/share/twoway/twoway.db");
    g_free(p);

    restore_env("HOME", home);
    restore_env("XDG_CONFIG_HOME", cfg_home);
    restore_env("XDG_DATA_HOME", data_home);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_database),
        cmocka_unit_test(test_owner),
        cmocka_unit_test(test_alias),
        cmocka_unit_test(test_domain),
        cmocka_unit_test(test_subaddress_delimiter),
        cmocka_unit_test(test_on_error),
        cmocka_unit_test(test_max_body_bytes),
        cmocka_unit_test(test_busy_timeout),
        cmocka_unit_test(test_recorder),
        cmocka_unit_test(test_list_asks),
        cmocka_unit_test(test_thread_window),
        cmocka_unit_test(test_ask_threshold),
        cmocka_unit_test(test_socket),
        cmocka_unit_test(test_internal_hosts),
        cmocka_unit_test(test_milter_strings),
        cmocka_unit_test(test_umask),
        cmocka_unit_test(test_syslog),
        cmocka_unit_test(test_unknown_key),
        cmocka_unit_test(test_load_file),
        cmocka_unit_test(test_load_errors_name_file_and_line),
        cmocka_unit_test(test_load_nul_byte),
        cmocka_unit_test(test_load_missing_file),
        cmocka_unit_test(test_load_empty_file),
        cmocka_unit_test(test_load_long_line),
        cmocka_unit_test(test_allow_root),
        cmocka_unit_test(test_load_refuses_file_anyone_may_write),
        cmocka_unit_test(test_load_refuses_directory_anyone_may_write),
        cmocka_unit_test(test_load_device),
        cmocka_unit_test(test_load_owner_and_group),
        cmocka_unit_test(test_owner_of),
        cmocka_unit_test(test_owner_of_empty_config),
        cmocka_unit_test(test_xdg_paths),
    };

    return cmocka_run_group_tests_name("config", tests, NULL, NULL);
}
