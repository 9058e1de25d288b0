/* test_store.c - unit tests for lib/store.c: the SQLite database. */
#include "unit.h"

#include <sqlite3.h>
#include <stdlib.h>
#include <grp.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "schema.sql.h"
#include "store.h"

typedef struct {
    char *dir;
    char *path;
    tw_store_t *store;
} fixture_t;

static int
setup(void **state)
{
    fixture_t *f = g_new0(fixture_t, 1);
    tw_error_t err = {{0}};

    f->dir = unit_tmpdir();
    f->path = g_build_filename(f->dir, "twoway.db", NULL);
    if (tw_store_open(f->path, 2000, true, &f->store, &err) != TW_OK) {
        print_error("open %s: %s\n", f->path, err.text);
        return -1;
    }
    *state = f;
    return 0;
}

static int
teardown(void **state)
{
    fixture_t *f = *state;

    if (f == NULL)
        return 0;
    tw_store_close(f->store);
    unit_rmtree(f->dir);
    g_free(f->dir);
    g_free(f->path);
    g_free(f);
    return 0;
}

/* The first value of one query, read through a connection of our own,
 * newly allocated (NULL for no row). */
static char *
query_on(const char *path, const char *sql)
{
    sqlite3 *db;
    sqlite3_stmt *stmt;
    char *value = NULL;

    assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &stmt, NULL), SQLITE_OK);
    if (sqlite3_step(stmt) == SQLITE_ROW)
        value = g_strdup((const char *)sqlite3_column_text(stmt, 0));
    sqlite3_finalize(stmt);
    sqlite3_close(db);
    return value;
}

/* One contact of a message. */
static tw_status_t
add_contact(tw_store_t *s, gint64 owner, gint64 message, const char *addr, tw_role_t role)
{
    tw_contact_t c = {addr, role};

    return tw_store_add_contacts(s, owner, message, &c, 1);
}

/* A PRAGMA's value. */
static char *
pragma(const char *path, const char *name)
{
    char *sql = g_strdup_printf("PRAGMA %s", name);
    char *value = query_on(path, sql);

    g_free(sql);
    return value;
}

static void
exec_on(const char *path, const char *sql)
{
    sqlite3 *db;

    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
}

static gint64
insert_message(tw_store_t *s, gint64 owner, const char *key, const char *content_key,
               gint64 thread, tw_direction_t dir, const char *sender, gint64 date)
{
    tw_message_row_t m = {
        .owner_id = owner,
        .key = key,
        .content_key = content_key,
        .thread_id = thread,
        .direction = dir,
        .sender = sender,
        .date = date,
        .subject = "Subject",
        .score = 0.0,
        .recorded_at = date,
    };
    gint64 row = 0;

    assert_int_equal(tw_store_insert_message(s, &m, &row), TW_OK);
    assert_true(row > 0);
    return row;
}

static void
test_open_creates_private_file_and_directory(void **state)
{
    char *dir = unit_tmpdir();
    char *path = g_build_filename(dir, "a", "b", "twoway.db", NULL);
    char *sub = g_build_filename(dir, "a", "b", NULL);
    tw_store_t *s = NULL;
    tw_error_t err = {{0}};
    struct stat st;
    mode_t old = umask(0);

    assert_int_equal(tw_store_open(path, 1000, true, &s, &err), TW_OK);
    umask(old);
    assert_non_null(s);
    assert_string_equal(tw_store_path(s), path);
    assert_int_equal(stat(sub, &st), 0);
    assert_true(S_ISDIR(st.st_mode));
    assert_int_equal(stat(path, &st), 0);
    assert_true(S_ISREG(st.st_mode));
    assert_int_equal(st.st_mode & 0777, 0600);

    /* the write-ahead log is as private as the database */
    gint64 id;
    assert_int_equal(tw_store_begin(s), TW_OK);
    assert_int_equal(tw_store_owner(s, "me@example.org", true, &id), TW_OK);
    assert_int_equal(tw_store_commit(s), TW_OK);
    char *wal = g_strconcat(path, "-wal", NULL);
    if (stat(wal, &st) == 0)
        assert_int_equal(st.st_mode & 077, 0);
    g_free(wal);

    tw_store_close(s);
    unit_rmtree(dir);
    g_free(sub);
    g_free(path);
    g_free(dir);
}

/* mode & 0777 of path, or -1 */
static int
mode_of(const char *path)
{
    struct stat st;

    return stat(path, &st) == 0 ? (int)(st.st_mode & 0777) : -1;
}

static void
test_open_create_mode_for_a_group(void **state)
{
    char *dir = unit_tmpdir();
    char *path = g_build_filename(dir, "ledger", "twoway.db", NULL);
    char *sub = g_path_get_dirname(path);
    char *wal = g_strconcat(path, "-wal", NULL), *shm = g_strconcat(path, "-shm", NULL);
    tw_store_t *s = NULL;
    tw_error_t err = {{0}};
    gint64 id;
    mode_t old = umask(0);

    /* as the milter sets it: the group may read the database and the
     * log files SQLite makes beside it, from the first write on */
    tw_store_set_create_mode(0640);
    assert_int_equal(tw_store_open(path, 1000, true, &s, &err), TW_OK);
    assert_int_equal(mode_of(sub), 0750);
    assert_int_equal(mode_of(path), 0640);
    assert_int_equal(tw_store_begin(s), TW_OK);
    assert_int_equal(tw_store_owner(s, "me@example.org", true, &id), TW_OK);
    assert_int_equal(tw_store_commit(s), TW_OK);
    assert_int_equal(mode_of(wal), 0640);
    assert_int_equal(mode_of(shm), 0640);
    tw_store_close(s);
    unit_rmtree(sub);

    /* the umask still applies (UMask 077 keeps everything private) */
    umask(077);
    assert_int_equal(tw_store_open(path, 1000, true, &s, &err), TW_OK);
    assert_int_equal(tw_store_begin(s), TW_OK);
    assert_int_equal(tw_store_owner(s, "me@example.org", true, &id), TW_OK);
    assert_int_equal(tw_store_commit(s), TW_OK);
    assert_int_equal(mode_of(sub), 0700);
    assert_int_equal(mode_of(path), 0600);
    assert_int_equal(mode_of(wal), 0600);
    assert_int_equal(mode_of(shm), 0600);
    tw_store_close(s);
    unit_rmtree(sub);

    /* back to the default: private whatever the umask */
    tw_store_set_create_mode(0600);
    umask(0);
    assert_int_equal(tw_store_open(path, 1000, true, &s, &err), TW_OK);
    assert_int_equal(mode_of(sub), 0700);
    assert_int_equal(mode_of(path), 0600);
    tw_store_close(s);
    umask(old);
    unit_rmtree(dir);
    g_free(wal);
    g_free(shm);
    g_free(sub);
    g_free(path);
    g_free(dir);
}

static void
test_open_refuses_directory_anyone_may_write(void **state)
{
    char *dir = unit_tmpdir();
    char *open_dir = g_build_filename(dir, "open", NULL);
    char *path = g_build_filename(open_dir, "twoway.db", NULL);
    char *deep = g_build_filename(open_dir, "a", "b", "twoway.db", NULL);
    tw_store_t *s = NULL;
    tw_error_t err = {{0}};

    assert_int_equal(g_mkdir(open_dir, 0700), 0);
    assert_int_equal(chmod(open_dir, 0777), 0);
    assert_int_equal(tw_store_open(path, 1000, true, &s, &err), TW_ERR_DB);
    assert_null(s);
    assert_true(g_str_has_prefix(err.text, path));
    assert_true(unit_contains(err.text, "writable by anyone (and not sticky): refused"));
    assert_false(g_file_test(path, G_FILE_TEST_EXISTS));
    /* below it, in directories that would be made */
    assert_int_equal(tw_store_open(deep, 1000, true, &s, &err), TW_ERR_DB);
    assert_true(unit_contains(err.text, open_dir));
    char *a = g_build_filename(open_dir, "a", NULL);
    assert_false(g_file_test(a, G_FILE_TEST_EXISTS));
    g_free(a);
    /* a database there already is not read either */
    assert_int_equal(chmod(open_dir, 0700), 0);
    assert_int_equal(tw_store_open(path, 1000, true, &s, &err), TW_OK);
    tw_store_close(s);
    assert_int_equal(chmod(open_dir, 0777), 0);
    assert_int_equal(tw_store_open(path, 1000, false, &s, &err), TW_ERR_DB);
    assert_null(s);
    /* sticky, as /tmp: this user's own database is used */
    assert_int_equal(chmod(open_dir, 01777), 0);
    assert_int_equal(tw_store_open(path, 1000, false, &s, &err), TW_OK);
    tw_store_close(s);
    if (geteuid() == 0) {
        /* ... but not another user's */
        assert_int_equal(chown(path, 65534, 65534), 0);
        assert_int_equal(tw_store_open(path, 1000, false, &s, &err), TW_ERR_DB);
        assert_true(unit_contains(err.text, "owned by uid 65534"));
        assert_int_equal(chown(path, 0, 0), 0);
    }
    unit_rmtree(dir);
    g_free(deep);
    g_free(path);
    g_free(open_dir);
    g_free(dir);
}

static void
test_open_link_as_root(void **state)
{
    char *dir = unit_tmpdir();
    char *path = g_build_filename(dir, "real.db", NULL);
    char *link = g_build_filename(dir, "link.db", NULL);
    tw_store_t *s = NULL;
    tw_error_t err = {{0}};

    assert_int_equal(tw_store_open(path, 1000, true, &s, &err), TW_OK);
    tw_store_close(s);
    s = NULL;
    assert_int_equal(symlink(path, link), 0);
    if (geteuid() == 0) {
        assert_int_equal(tw_store_open(link, 1000, false, &s, &err), TW_ERR_DB);
        assert_null(s);
        assert_true(g_str_has_prefix(err.text, link));
        assert_true(unit_contains(err.text, "symbolic link, and this program runs as root"));
        assert_int_equal(tw_store_open(link, 1000, true, &s, &err), TW_ERR_DB);
        /* a dangling link is not followed to create a file either */
        char *nowhere = g_build_filename(dir, "nowhere.db", NULL);
        char *dangling = g_build_filename(dir, "dangling.db", NULL);
        assert_int_equal(symlink(nowhere, dangling), 0);
        assert_int_equal(tw_store_open(dangling, 1000, true, &s, &err), TW_ERR_DB);
        assert_false(g_file_test(nowhere, G_FILE_TEST_EXISTS));
        g_free(nowhere);
        g_free(dangling);
    } else {
        /* an ordinary user may keep the database behind a link */
        assert_int_equal(tw_store_open(link, 1000, false, &s, &err), TW_OK);
        tw_store_close(s);
    }
    unit_rmtree(dir);
    g_free(link);
    g_free(path);
    g_free(dir);
}

/* 0 when both ways of opening path say "PATH: Permission denied",
 * with the status of each (else the number of what failed). */
static int
open_denied(const char *path)
{
    tw_store_t *s = NULL;
    tw_error_t err = {{0}};
    char *want = g_strdup_printf("%s: Permission denied", path);
    int rc = 0;

    if (tw_store_open(path, 1000, false, &s, &err) != TW_ERR_NOINPUT || s != NULL)
        rc = 1;
    else if (strcmp(err.text, want) != 0)
        rc = 2;
    else if (tw_store_open(path, 1000, true, &s, &err) != TW_ERR_DB || s != NULL)
        rc = 3;
    else if (strcmp(err.text, want) != 0)
        rc = 4;
    g_free(want);
    return rc;
}

/* open_denied for an ordinary user: this one, or, when the test runs
 * as root (who reads every file), nobody (65534) in a child process. */
static int
open_denied_as_reader(const char *path)
{
    pid_t pid;
    int status;

    if (geteuid() != 0)
        return open_denied(path);
    fflush(NULL);
    if ((pid = fork()) == 0) {
        if (setgroups(0, NULL) != 0 || setgid(65534) != 0 || setuid(65534) != 0)
            _exit(10);
        _exit(open_denied(path));
    }
    if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
        return 20;
    return WEXITSTATUS(status);
}

static void
test_open_unreadable(void **state)
{
    char *dir = unit_tmpdir();
    char *path = g_build_filename(dir, "twoway.db", NULL);
    tw_store_t *s = NULL;
    tw_error_t err = {{0}};
    bool root = geteuid() == 0;

    assert_int_equal(tw_store_open(path, 1000, true, &s, &err), TW_OK);
    tw_store_close(s);
    /* the file closed to the reader: "Permission denied", not SQLite's
     * "unable to open database file" */
    assert_int_equal(chmod(dir, 0711), 0);
    assert_int_equal(chmod(path, root ? 0600 : 0), 0);
    assert_int_equal(open_denied_as_reader(path), 0);
    /* the directory closed: the same, not "no database here" */
    assert_int_equal(chmod(path, 0600), 0);
    assert_int_equal(chmod(dir, root ? 0700 : 0), 0);
    assert_int_equal(open_denied_as_reader(path), 0);
    assert_int_equal(chmod(dir, 0700), 0);
    unit_rmtree(dir);
    g_free(path);
    g_free(dir);
}

static void
test_schema_version_and_wal(void **state)
{
    fixture_t *f = *state;
    char *v = pragma(f->path, "user_version");

    assert_non_null(v);
    assert_int_equal(atoi(v), TW_STORE_SCHEMA_VERSION);
    g_free(v);
    v = pragma(f->path, "journal_mode");
    assert_string_equal(v, "wal");
    g_free(v);
}

static void
test_reopen_keeps_data(void **state)
{
    fixture_t *f = *state;
    gint64 id = 0, again = 0;
    tw_error_t err = {{0}};

    assert_int_equal(tw_store_owner(f->store, "me@example.org", true, &id), TW_OK);
    assert_true(id > 0);
    tw_store_close(f->store);
    f->store = NULL;

    /* read-only open of an existing file */
    assert_int_equal(tw_store_open(f->path, 1000, false, &f->store, &err), TW_OK);
    assert_int_equal(tw_store_owner(f->store, "me@example.org", false, &again), TW_OK);
    assert_int_equal(again, id);
    tw_store_close(f->store);

    /* opening with create does not start over */
    assert_int_equal(tw_store_open(f->path, 1000, true, &f->store, &err), TW_OK);
    assert_int_equal(tw_store_owner(f->store, "me@example.org", false, &again), TW_OK);
    assert_int_equal(again, id);
    char *v = pragma(f->path, "user_version");
    assert_int_equal(atoi(v), TW_STORE_SCHEMA_VERSION);
    g_free(v);
}

static void
test_open_missing_without_create(void **state)
{
    char *dir = unit_tmpdir();
    char *path = g_build_filename(dir, "absent", "twoway.db", NULL);
    tw_store_t *s = (tw_store_t *)0x1;
    tw_error_t err = {{0}};

    assert_int_equal(tw_store_open(path, 1000, false, &s, &err), TW_ERR_NOINPUT);
    assert_null(s);
    assert_true(unit_contains(err.text, path));
    assert_false(g_file_test(path, G_FILE_TEST_EXISTS));
    char *parent = g_path_get_dirname(path);
    assert_false(g_file_test(parent, G_FILE_TEST_EXISTS));
    g_free(parent);
    unit_rmtree(dir);
    g_free(path);
    g_free(dir);
}

static void
test_open_newer_schema_refused(void **state)
{
    fixture_t *f = *state;
    tw_error_t err = {{0}};

    tw_store_close(f->store);
    f->store = NULL;
    exec_on(f->path, "PRAGMA user_version = 99");
    assert_int_equal(tw_store_open(f->path, 1000, true, &f->store, &err), TW_ERR_DB);
    assert_null(f->store);
    assert_true(unit_contains(err.text, f->path));
    /* and the file is left alone */
    char *v = pragma(f->path, "user_version");
    assert_int_equal(atoi(v), 99);
    g_free(v);
}

/* A count of one query on the file itself. */
static int
count_on(const char *path, const char *sql)
{
    char *v = query_on(path, sql);
    int n = v ? atoi(v) : -1;

    g_free(v);
    return n;
}

/* A database as a program of schema version made it: the migrations up
 * to it, then the rows of sql. */
static void
make_old_database(const char *path, int version, const char *sql)
{
    sqlite3 *db;
    char pragma_sql[64];

    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, "PRAGMA journal_mode = WAL", NULL, NULL, NULL), SQLITE_OK);
    for (int i = 0; i < version; i++)
        assert_int_equal(sqlite3_exec(db, migrations[i], NULL, NULL, NULL), SQLITE_OK);
    g_snprintf(pragma_sql, sizeof pragma_sql, "PRAGMA user_version = %d", version);
    assert_int_equal(sqlite3_exec(db, pragma_sql, NULL, NULL, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
}

/* Rows of a version 1 or 2 database: the owner (1) wrote to bob in
 * thread 1; bob wrote six times, carol six times with bob in Cc. */
static char *
old_rows(void)
{
    GString *sql = g_string_new(
        "INSERT INTO owners (id, address) VALUES (1, 'me@example.org');"
        "INSERT INTO threads VALUES (1, 1, 's', 100, 300);"
        "INSERT INTO messages (id, owner_id, msgid, content_key, thread_id, direction, sender,"
        " date, subject, in_reply_to, has_reply_headers, bulk, list, traffic, ask, score, cue,"
        " recorded_at) VALUES (1, 1, 'out@x', 'k-out', 1, 1, NULL, 100, 'Subject', NULL, 0,"
        " 0, 0, 0, 0, 0.0, NULL, 100);"
        "INSERT INTO contacts VALUES (1, 'bob@example.org', 1, 1);");
    for (int i = 0; i < 12; i++) {
        const char *who = i % 2 ? "bob@example.org" : "carol@example.org";
        g_string_append_printf(
            sql,
            "INSERT INTO messages (id, owner_id, msgid, content_key, thread_id, direction,"
            " sender, date, subject, in_reply_to, has_reply_headers, bulk, list, traffic, ask,"
            " score, cue, recorded_at) VALUES (%d, 1, 'in%d@x', 'k-in%d', 1, 0, '%s', %d,"
            " 'Subject', NULL, 0, 0, 0, 0, 0, 0.0, NULL, %d);"
            "INSERT INTO contacts VALUES (%d, '%s', 0, 1);",
            i + 2, i, i, who, 200 + i, 200 + i, i + 2, who);
        /* bob also in Cc of carol's mail: a recipient of mail to the
         * owner, not someone the owner wrote to */
        if (i % 2 == 0)
            g_string_append_printf(sql, "INSERT INTO contacts VALUES (%d, 'bob@example.org', 2, 1);",
                                   i + 2);
    }
    return g_string_free(sql, FALSE);
}

/* Version 1 had no written_to: the migration fills it from the owners'
 * own mail, and a one-way sender is judged the same before and after. */
static void
test_migration_fills_written_to(void **state)
{
    fixture_t *f = *state;
    tw_error_t err = {{0}};
    bool one_way = true;
    char *rows = old_rows();

    tw_store_close(f->store);
    f->store = NULL;
    g_remove(f->path);
    make_old_database(f->path, 1, rows);
    g_free(rows);

    assert_int_equal(tw_store_open(f->path, 1000, true, &f->store, &err), TW_OK);
    char *v = pragma(f->path, "user_version");
    assert_int_equal(atoi(v), TW_STORE_SCHEMA_VERSION);
    g_free(v);
    gint64 owner = 0;
    assert_int_equal(tw_store_owner(f->store, "me@example.org", false, &owner), TW_OK);
    assert_int_equal(owner, 1);
    assert_int_equal(count_on(f->path, "SELECT count(*) FROM written_to"), 1);
    assert_int_equal(count_on(f->path, "SELECT count(*) FROM written_to"
                                       " WHERE address = 'bob@example.org'"),
                     1);
    /* bob was written to; carol wrote six times and never had an
     * answer: one way after five messages, not after seven */
    assert_int_equal(tw_store_one_way(f->store, owner, "bob@example.org", 5, 1000, &one_way, NULL), TW_OK);
    assert_false(one_way);
    assert_int_equal(tw_store_one_way(f->store, owner, "carol@example.org", 5, 1000, &one_way, NULL), TW_OK);
    assert_true(one_way);
    assert_int_equal(tw_store_one_way(f->store, owner, "carol@example.org", 7, 1000, &one_way, NULL), TW_OK);
    assert_false(one_way);

    /* forgetting bob forgets that he was written to */
    int removed = 0;
    assert_int_equal(tw_store_forget(f->store, owner, "bob@example.org", &removed), TW_OK);
    assert_int_equal(count_on(f->path, "SELECT count(*) FROM written_to"), 0);
}

/* Version 2 knew neither thanks nor the one-way rule's marks: mail
 * recorded before reads as neither, and the rules that use them work on
 * it. */
static void
test_migration_to_3(void **state)
{
    fixture_t *f = *state;
    tw_error_t err = {{0}};
    char *rows = old_rows();
    char *sql = g_strconcat(rows,
                            "INSERT INTO written_to VALUES (1, 'bob@example.org');"
                            /* bob's ask (message 3) answered by the owner's
                             * message 1, carol's (message 2) open */
                            "UPDATE messages SET ask = 1 WHERE id IN (2, 3);"
                            "INSERT INTO asks (owner_id, message_id, direction, correspondent,"
                            " thread_id, asked_at, answered_at, answer_id)"
                            " VALUES (1, 3, 0, 'bob@example.org', 1, 201, 250, 1);"
                            "INSERT INTO asks (owner_id, message_id, direction, correspondent,"
                            " thread_id, asked_at) VALUES (1, 2, 0, 'carol@example.org', 1, 200);",
                            NULL);

    tw_store_close(f->store);
    f->store = NULL;
    g_remove(f->path);
    make_old_database(f->path, 2, sql);
    g_free(sql);
    g_free(rows);

    assert_int_equal(tw_store_open(f->path, 1000, false, &f->store, &err), TW_OK);
    char *v = pragma(f->path, "user_version");
    assert_int_equal(atoi(v), 3);
    g_free(v);
    assert_int_equal(count_on(f->path, "SELECT count(*) FROM messages"), 13);
    assert_int_equal(count_on(f->path, "SELECT count(*) FROM messages"
                                       " WHERE thanks = 0 AND one_way = 0"),
                     13);
    assert_int_equal(count_on(f->path, "SELECT count(*) FROM asks WHERE one_way = 0"), 2);
    assert_int_equal(count_on(f->path, "SELECT count(*) FROM sqlite_master"
                                       " WHERE name = 'asks_by_answer'"),
                     1);
    char *check = query_on(f->path, "PRAGMA integrity_check");
    assert_string_equal(check, "ok");
    g_free(check);

    /* what was open stays open, what was answered stays answered */
    GPtrArray *open = g_ptr_array_new_with_free_func(tw_ask_row_free);
    assert_int_equal(tw_store_open_asks(f->store, 1, TW_DIR_IN, G_MININT64, NULL, 0, open), TW_OK);
    assert_int_equal(open->len, 1);
    assert_string_equal(((tw_ask_row_t *)open->pdata[0])->correspondent, "carol@example.org");
    g_ptr_array_free(open, TRUE);

    /* the rules of schema 3 on old rows: the migration dated the
     * owner's first message to bob; no mail was marked by the one-way
     * rule; carol's ask finds no answer in the old mail */
    assert_int_equal(count_on(f->path, "SELECT first_date FROM written_to"
                                       " WHERE address = 'bob@example.org'"),
                     100);
    bool any = true, one_way = true;
    assert_int_equal(tw_store_has_one_way(f->store, 1, "carol@example.org", &any), TW_OK);
    assert_false(any);
    /* bob, written to at 100, is no one-way stream after that */
    assert_int_equal(tw_store_one_way(f->store, 1, "bob@example.org", 5, 300, &one_way, NULL), TW_OK);
    assert_false(one_way);
    gint64 answer = -1, at = 0;
    assert_int_equal(tw_store_find_answer(f->store, 1, TW_DIR_IN, "in0@x", NULL, 1,
                                          "carol@example.org", 200, &answer, &at),
                     TW_OK);
    assert_int_equal(answer, 0);
    /* and the owner's message 1 is the answer of bob's ask */
    assert_int_equal(tw_store_message_answer(f->store, 3, &answer, &at), TW_OK);
    assert_int_equal(answer, 1);
    assert_int_equal(at, 250);
    /* new mail is recorded with the new columns */
    gint64 row = insert_message(f->store, 1, "new@x", "k-new", 1, TW_DIR_IN, "carol@example.org",
                                400);
    one_way = true;
    assert_int_equal(tw_store_message_one_way(f->store, row, &one_way), TW_OK);
    assert_false(one_way);
}

/* The owner's first message to someone, by date, of those recorded:
 * until then a sender may be a one-way stream. */
static void
test_written_to_first_date(void **state)
{
    fixture_t *f = *state;
    gint64 owner = 0, thread = 0;
    bool earliest = false, one_way = true;
    gint64 written = 0;

    assert_int_equal(tw_store_owner(f->store, "me@example.org", true, &owner), TW_OK);
    assert_int_equal(tw_store_add_written_to(f->store, owner, "bob@example.org", 500, &earliest),
                     TW_OK);
    assert_true(earliest);
    /* a later message changes nothing, an earlier one is the first */
    assert_int_equal(tw_store_add_written_to(f->store, owner, "bob@example.org", 800, &earliest),
                     TW_OK);
    assert_false(earliest);
    assert_int_equal(tw_store_add_written_to(f->store, owner, "bob@example.org", 300, &earliest),
                     TW_OK);
    assert_true(earliest);
    assert_int_equal(count_on(f->path, "SELECT first_date FROM written_to"), 300);

    /* bob's eleven messages, from 100 on: one way only before 300 */
    assert_int_equal(tw_store_thread_create(f->store, owner, "s", 100, &thread), TW_OK);
    for (int i = 0; i < 11; i++) {
        char key[32], ck[32];
        g_snprintf(key, sizeof key, "in%d@x", i);
        g_snprintf(ck, sizeof ck, "k-in%d", i);
        gint64 in = insert_message(f->store, owner, key, ck, thread, TW_DIR_IN, "bob@example.org",
                                   100 + i);
        assert_int_equal(add_contact(f->store, owner, in, "bob@example.org", TW_ROLE_FROM),
                         TW_OK);
    }
    assert_int_equal(tw_store_one_way(f->store, owner, "bob@example.org", 10, 200, &one_way,
                                      &written),
                     TW_OK);
    assert_true(one_way);
    assert_int_equal(written, 300);
    assert_int_equal(tw_store_one_way(f->store, owner, "bob@example.org", 10, 300, &one_way,
                                      &written),
                     TW_OK);
    assert_false(one_way);
    /* nobody written to */
    assert_int_equal(tw_store_one_way(f->store, owner, "carol@example.org", 1, 200, &one_way,
                                      &written),
                     TW_OK);
    assert_false(one_way);
}

/* For explain: reading without writing. */
static void
test_open_readonly(void **state)
{
    fixture_t *f = *state;
    tw_store_t *ro = NULL;
    tw_error_t err = {{0}};
    gint64 id = 0, again = 0;

    assert_int_equal(tw_store_owner(f->store, "me@example.org", true, &id), TW_OK);
    tw_store_close(f->store);
    f->store = NULL;
    assert_int_equal(tw_store_open_readonly(f->path, 1000, &ro, &err), TW_OK);
    assert_int_equal(tw_store_owner(ro, "me@example.org", false, &again), TW_OK);
    assert_int_equal(again, id);
    /* nothing can be written */
    assert_int_not_equal(tw_store_owner(ro, "you@example.org", true, &again), TW_OK);
    tw_store_close(ro);
    assert_int_equal(count_on(f->path, "SELECT count(*) FROM owners"), 1);

    /* a database of another version is not read, nor migrated */
    exec_on(f->path, "PRAGMA user_version = 2");
    ro = (tw_store_t *)0x1;
    assert_int_equal(tw_store_open_readonly(f->path, 1000, &ro, &err), TW_ERR_DB);
    assert_null(ro);
    assert_true(unit_contains(err.text, "schema version 2"));
    char *v = pragma(f->path, "user_version");
    assert_int_equal(atoi(v), 2);
    g_free(v);

    /* none there */
    char *missing = g_build_filename(f->dir, "none.db", NULL);
    assert_int_equal(tw_store_open_readonly(missing, 1000, &ro, &err), TW_ERR_NOINPUT);
    assert_false(g_file_test(missing, G_FILE_TEST_EXISTS));
    g_free(missing);
}

static void
test_open_not_a_database(void **state)
{
    char *dir = unit_tmpdir();
    char *path = unit_write_file(dir, "junk.db", "this is not an SQLite database, not at all.\n"
                                                 "0123456789012345678901234567890123456789\n"
                                                 "0123456789012345678901234567890123456789\n",
                                 -1);
    tw_store_t *s = NULL;
    tw_error_t err = {{0}};
    tw_status_t st = tw_store_open(path, 1000, false, &s, &err);

    assert_int_equal(st, TW_ERR_DB);
    assert_null(s);
    assert_true(unit_contains(err.text, path));
    assert_true(tw_status_is_infrastructure(st));
    unit_rmtree(dir);
    g_free(path);
    g_free(dir);
}

static void
test_open_impossible_path(void **state)
{
    tw_store_t *s = NULL;
    tw_error_t err = {{0}};

    assert_int_equal(tw_store_open("/dev/null/sub/twoway.db", 1000, true, &s, &err), TW_ERR_DB);
    assert_null(s);
    assert_true(err.text[0] != '\0');
}

/* Processes that all find the database new race to make it, released
 * at once by closing the pipe they wait on: each must open it within
 * its busy timeout (SQLite answers the loser of the change into WAL
 * with SQLITE_BUSY at once, without waiting).  Rounds of 8 children. */
static void
test_open_race_to_create(void **state)
{
    (void)state;
    char *dir = unit_tmpdir();
    int failed = 0;

    for (int round = 0; round < 40 && failed == 0; round++) {
        char *path = g_strdup_printf("%s/race%d.db", dir, round);
        int gate[2];
        pid_t pid[8];

        assert_int_equal(pipe(gate), 0);
        for (int i = 0; i < 8; i++) {
            pid[i] = fork();
            assert_true(pid[i] >= 0);
            if (pid[i] == 0) {
                tw_store_t *s = NULL;
                tw_error_t err = {{0}};
                char c;

                close(gate[1]);
                (void)read(gate[0], &c, 1);
                if (tw_store_open(path, 5000, true, &s, &err) != TW_OK) {
                    print_error("round %d, child %d: %s\n", round, i, err.text);
                    _exit(1);
                }
                tw_store_close(s);
                _exit(0);
            }
        }
        close(gate[0]);
        close(gate[1]);
        for (int i = 0; i < 8; i++) {
            int status;
            assert_int_equal(waitpid(pid[i], &status, 0), pid[i]);
            if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
                failed++;
        }
        g_free(path);
    }
    assert_int_equal(failed, 0);
    unit_rmtree(dir);
    g_free(dir);
}

static void
test_busy_second_connection(void **state)
{
    fixture_t *f = *state;
    tw_store_t *other = NULL;
    tw_error_t err = {{0}};

    /* a plain SQLite connection holds the write lock */
    sqlite3 *db;
    assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL), SQLITE_OK);

    assert_int_equal(tw_store_open(f->path, 100, false, &other, &err), TW_OK);
    gint64 t0 = g_get_monotonic_time();
    tw_status_t st = tw_store_begin(other);
    gint64 elapsed = g_get_monotonic_time() - t0;
    assert_int_equal(st, TW_ERR_DB_BUSY);
    assert_true(tw_status_is_infrastructure(st));
    assert_true(elapsed < 3 * G_USEC_PER_SEC);
    assert_true(unit_contains(tw_store_error(other), "locked"));

    /* and works once the lock is gone */
    assert_int_equal(sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
    gint64 id;
    assert_int_equal(tw_store_begin(other), TW_OK);
    assert_int_equal(tw_store_owner(other, "me@example.org", true, &id), TW_OK);
    assert_int_equal(tw_store_commit(other), TW_OK);
    tw_store_close(other);
}

static void
test_busy_between_stores(void **state)
{
    fixture_t *f = *state;
    tw_store_t *other = NULL;
    tw_error_t err = {{0}};
    gint64 id;

    assert_int_equal(tw_store_open(f->path, 50, false, &other, &err), TW_OK);
    assert_int_equal(tw_store_begin(f->store), TW_OK);
    assert_int_equal(tw_store_owner(f->store, "a@example.org", true, &id), TW_OK);
    assert_int_equal(tw_store_begin(other), TW_ERR_DB_BUSY);
    tw_store_rollback(other);
    assert_int_equal(tw_store_commit(f->store), TW_OK);
    assert_int_equal(tw_store_begin(other), TW_OK);
    assert_int_equal(tw_store_owner(other, "a@example.org", false, &id), TW_OK);
    assert_true(id > 0);
    assert_int_equal(tw_store_commit(other), TW_OK);
    tw_store_close(other);
}

static void
test_transactions(void **state)
{
    fixture_t *f = *state;
    tw_store_t *s = f->store;
    gint64 id;

    /* a committed transaction keeps what it made */
    assert_int_equal(tw_store_begin(s), TW_OK);
    assert_int_equal(tw_store_owner(s, "kept@example.org", true, &id), TW_OK);
    assert_int_equal(tw_store_commit(s), TW_OK);
    assert_int_equal(tw_store_owner(s, "kept@example.org", false, &id), TW_OK);
    assert_true(id > 0);

    /* a rolled-back transaction leaves nothing */
    assert_int_equal(tw_store_begin(s), TW_OK);
    assert_int_equal(tw_store_owner(s, "gone@example.org", true, &id), TW_OK);
    tw_store_rollback(s);
    assert_int_equal(tw_store_owner(s, "gone@example.org", false, &id), TW_OK);
    assert_int_equal(id, 0);
    /* rolling back with no transaction is harmless */
    tw_store_rollback(s);
}

static void
test_owners(void **state)
{
    fixture_t *f = *state;
    tw_store_t *s = f->store;
    gint64 a, b, again;

    assert_null(tw_store_sole_owner(s));
    assert_int_equal(tw_store_owner(s, "nobody@example.org", false, &a), TW_OK);
    assert_int_equal(a, 0);
    assert_int_equal(tw_store_owner(s, "a@example.org", true, &a), TW_OK);
    assert_true(a > 0);
    assert_int_equal(tw_store_owner(s, "a@example.org", true, &again), TW_OK);
    assert_int_equal(again, a);
    char *sole = tw_store_sole_owner(s);
    assert_string_equal(sole, "a@example.org");
    g_free(sole);
    assert_int_equal(tw_store_owner(s, "b@example.org", true, &b), TW_OK);
    assert_true(b != a);
    assert_null(tw_store_sole_owner(s));
}

static void
test_find_message_by_key_and_content(void **state)
{
    fixture_t *f = *state;
    tw_store_t *s = f->store;
    gint64 owner, other, thread, row, found;

    assert_int_equal(tw_store_owner(s, "me@example.org", true, &owner), TW_OK);
    assert_int_equal(tw_store_owner(s, "you@example.org", true, &other), TW_OK);
    assert_int_equal(tw_store_thread_create(s, owner, "subject", 1000, &thread), TW_OK);
    row = insert_message(s, owner, "m1@example.org", "0123456789abcdef0123456789abcdef", thread,
                         TW_DIR_IN, "alice@example.org", 1000);

    assert_int_equal(tw_store_find_message(s, owner, "m1@example.org", "ffff", &found), TW_OK);
    assert_int_equal(found, row);
    assert_int_equal(tw_store_find_message(s, owner, "copy@example.org",
                                           "0123456789abcdef0123456789abcdef", &found),
                     TW_OK);
    assert_int_equal(found, row);
    assert_int_equal(tw_store_find_message(s, owner, "m1@example.org",
                                           "0123456789abcdef0123456789abcdef", &found),
                     TW_OK);
    assert_int_equal(found, row);
    assert_int_equal(tw_store_find_message(s, owner, "new@example.org", "eeee", &found), TW_OK);
    assert_int_equal(found, 0);
    /* another owner's ledger is another ledger */
    assert_int_equal(tw_store_find_message(s, other, "m1@example.org",
                                           "0123456789abcdef0123456789abcdef", &found),
                     TW_OK);
    assert_int_equal(found, 0);

    /* a message by id */
    tw_parent_t p;
    assert_int_equal(tw_store_message_by_id(s, owner, "m1@example.org", &p), TW_OK);
    assert_int_equal(p.row, row);
    assert_int_equal(p.direction, TW_DIR_IN);
    assert_int_equal(p.date, 1000);
    assert_string_equal(p.sender, "alice@example.org");
    assert_false(p.bulk);
    assert_int_equal(tw_store_message_by_id(s, owner, "none@example.org", &p), TW_OK);
    assert_int_equal(p.row, 0);
}

static void
test_threads_bind_and_merge(void **state)
{
    fixture_t *f = *state;
    tw_store_t *s = f->store;
    gint64 owner, t1, t2, t;

    assert_int_equal(tw_store_owner(s, "me@example.org", true, &owner), TW_OK);
    assert_int_equal(tw_store_thread_create(s, owner, "one", 1000, &t1), TW_OK);
    assert_int_equal(tw_store_thread_create(s, owner, "two", 2000, &t2), TW_OK);
    assert_true(t1 > 0 && t2 > 0 && t1 != t2);
    assert_int_equal(tw_store_bind_id(s, owner, "a@x", t1), TW_OK);
    assert_int_equal(tw_store_bind_id(s, owner, "b@x", t2), TW_OK);
    /* a bound id keeps its thread */
    assert_int_equal(tw_store_bind_id(s, owner, "a@x", t2), TW_OK);
    assert_int_equal(tw_store_thread_of_id(s, owner, "a@x", &t), TW_OK);
    assert_int_equal(t, t1);
    assert_int_equal(tw_store_thread_of_id(s, owner, "unknown@x", &t), TW_OK);
    assert_int_equal(t, 0);

    gint64 row = insert_message(s, owner, "b@x", "c2", t2, TW_DIR_IN, "bob@example.org", 2000);
    assert_int_equal(tw_store_thread_merge(s, t1, t2), TW_OK);
    assert_int_equal(tw_store_thread_of_id(s, owner, "b@x", &t), TW_OK);
    assert_int_equal(t, t1);
    assert_int_equal(add_contact(s, owner, row, "bob@example.org", TW_ROLE_FROM), TW_OK);
    /* the merged thread spans both dates and keeps the message */
    assert_int_equal(tw_store_thread_by_subject(s, owner, "one", (const char *[TW_STORE_PEOPLE]){"bob@example.org"}, 1500, 1600, &t),
                     TW_OK);
    assert_int_equal(t, t1);
    tw_stats_t stats;
    assert_int_equal(tw_store_stats(s, owner, &stats), TW_OK);
    assert_int_equal(stats.threads, 1);
    assert_int_equal(stats.messages, 1);
}

/* A message's people go in several rows a statement: every count of
 * them is written whole, a repeated one once. */
static void
test_add_contacts_in_batches(void **state)
{
    fixture_t *f = *state;
    tw_store_t *s = f->store;
    gint64 owner, thread;
    tw_contact_t people[23];
    char addr[23][32];

    assert_int_equal(tw_store_owner(s, "me@example.org", true, &owner), TW_OK);
    assert_int_equal(tw_store_thread_create(s, owner, "many", 1000, &thread), TW_OK);
    for (size_t i = 0; i < G_N_ELEMENTS(people); i++) {
        g_snprintf(addr[i], sizeof addr[i], "p%02zu@example.org", i);
        people[i] = (tw_contact_t){addr[i], i == 0 ? TW_ROLE_FROM : TW_ROLE_TO};
    }
    people[22] = people[21]; /* the same person twice */
    for (size_t n = 0; n <= 23; n++) {
        char key[16], *sql, *got;
        g_snprintf(key, sizeof key, "m%zu@x", n);
        gint64 row = insert_message(s, owner, key, key, thread, TW_DIR_IN, "p00@example.org", 1000);
        assert_int_equal(tw_store_add_contacts(s, owner, row, people, n), TW_OK);
        sql = g_strdup_printf("SELECT count(*) || ' ' || coalesce(group_concat(address || ':' || role"
                              " || ':' || owner_id, ','), '') FROM (SELECT * FROM contacts"
                              " WHERE message_id = %" G_GINT64_FORMAT " ORDER BY address, role)", row);
        got = query_on(f->path, sql);
        GString *want = g_string_new(NULL);
        size_t distinct = n == 23 ? 22 : MIN(n, 22);
        g_string_printf(want, "%zu ", distinct);
        for (size_t i = 0; i < distinct; i++)
            g_string_append_printf(want, "%sp%02zu@example.org:%d:%" G_GINT64_FORMAT, i ? "," : "", i,
                                   i == 0 ? TW_ROLE_FROM : TW_ROLE_TO, owner);
        assert_string_equal(got, want->str);
        g_string_free(want, TRUE);
        g_free(got);
        g_free(sql);
    }
}

static void
test_thread_by_subject(void **state)
{
    fixture_t *f = *state;
    tw_store_t *s = f->store;
    gint64 owner, thread, t, row;

    assert_int_equal(tw_store_owner(s, "me@example.org", true, &owner), TW_OK);
    assert_int_equal(tw_store_thread_create(s, owner, "budget", 10000, &thread), TW_OK);
    row = insert_message(s, owner, "m@x", "c", thread, TW_DIR_IN, "alice@example.org", 10000);
    assert_int_equal(add_contact(s, owner, row, "alice@example.org", TW_ROLE_FROM), TW_OK);

    assert_int_equal(tw_store_thread_by_subject(s, owner, "budget", (const char *[TW_STORE_PEOPLE]){"alice@example.org"}, 5000,
                                                15000, &t),
                     TW_OK);
    assert_int_equal(t, thread);
    /* any of the people may have taken part */
    assert_int_equal(tw_store_thread_by_subject(s, owner, "budget",
                                                (const char *[TW_STORE_PEOPLE]){
                                                    "bob@example.org", "alice@example.org"},
                                                5000, 15000, &t),
                     TW_OK);
    assert_int_equal(t, thread);
    /* not someone else's */
    assert_int_equal(tw_store_thread_by_subject(s, owner, "budget", (const char *[TW_STORE_PEOPLE]){"bob@example.org"}, 5000,
                                                15000, &t),
                     TW_OK);
    assert_int_equal(t, 0);
    /* not another subject */
    assert_int_equal(tw_store_thread_by_subject(s, owner, "budgets", (const char *[TW_STORE_PEOPLE]){"alice@example.org"}, 5000,
                                                15000, &t),
                     TW_OK);
    assert_int_equal(t, 0);
    /* not outside the window */
    assert_int_equal(tw_store_thread_by_subject(s, owner, "budget", (const char *[TW_STORE_PEOPLE]){"alice@example.org"}, 20000,
                                                30000, &t),
                     TW_OK);
    assert_int_equal(t, 0);
    bool later = true;
    assert_int_equal(tw_store_thread_touch(s, thread, 25000, &later), TW_OK);
    assert_false(later);
    /* mail of the thread before its last: out of order */
    assert_int_equal(tw_store_thread_touch(s, thread, 12000, &later), TW_OK);
    assert_true(later);
    assert_int_equal(tw_store_thread_touch(s, thread, 25000, &later), TW_OK);
    assert_true(later);
    assert_int_equal(tw_store_thread_by_subject(s, owner, "budget", (const char *[TW_STORE_PEOPLE]){"alice@example.org"}, 20000,
                                                30000, &t),
                     TW_OK);
    assert_int_equal(t, thread);
}

static void
test_asks_and_balance(void **state)
{
    fixture_t *f = *state;
    tw_store_t *s = f->store;
    gint64 owner, thread, ask_row, reply_row, since;
    int received, sent, you_owe, they_owe, asks;

    assert_int_equal(tw_store_owner(s, "me@example.org", true, &owner), TW_OK);
    assert_int_equal(tw_store_thread_create(s, owner, "figures", 1000, &thread), TW_OK);
    ask_row = insert_message(s, owner, "ask@x", "c1", thread, TW_DIR_IN, "alice@example.org", 1000);
    assert_int_equal(add_contact(s, owner, ask_row, "alice@example.org", TW_ROLE_FROM), TW_OK);
    assert_int_equal(tw_store_insert_ask(s, owner, ask_row, TW_DIR_IN, "alice@example.org", thread,
                                         1000),
                     TW_OK);
    /* the same ask twice is one ask */
    assert_int_equal(tw_store_insert_ask(s, owner, ask_row, TW_DIR_IN, "alice@example.org", thread,
                                         1000),
                     TW_OK);

    assert_int_equal(tw_store_balance(s, owner, "alice@example.org", &received, &sent, &you_owe,
                                      &they_owe),
                     TW_OK);
    assert_int_equal(received, 1);
    assert_int_equal(sent, 0);
    assert_int_equal(you_owe, 1);
    assert_int_equal(they_owe, 0);
    assert_int_equal(tw_store_thread_open(s, owner, thread, &asks, &since), TW_OK);
    assert_int_equal(asks, 1);
    assert_int_equal(since, 1000);

    GPtrArray *open = g_ptr_array_new_with_free_func(tw_ask_row_free);
    assert_int_equal(tw_store_open_asks(s, owner, TW_DIR_IN, 0, NULL, 0, open), TW_OK);
    assert_int_equal(open->len, 1);
    tw_ask_row_t *a = open->pdata[0];
    assert_string_equal(a->correspondent, "alice@example.org");
    assert_string_equal(a->message_id, "ask@x");
    assert_int_equal(a->recipients, 1);
    gint64 ask_id = a->id;
    g_ptr_array_set_size(open, 0);

    /* the owner's reply, naming the ask, closes it */
    reply_row = insert_message(s, owner, "reply@x", "c2", thread, TW_DIR_OUT, "me@example.org",
                               2000);
    assert_int_equal(add_contact(s, owner, reply_row, "alice@example.org", TW_ROLE_TO), TW_OK);
    assert_int_equal(tw_store_add_ref(s, reply_row, "ask@x"), TW_OK);
    int closed = -1;
    assert_int_equal(tw_store_close_referenced(s, owner, TW_DIR_IN, reply_row, 2000, NULL, &closed),
                     TW_OK);
    assert_int_equal(closed, 1);
    assert_int_equal(tw_store_balance(s, owner, "alice@example.org", &received, &sent, &you_owe,
                                      &they_owe),
                     TW_OK);
    assert_int_equal(received, 1);
    assert_int_equal(sent, 1);
    assert_int_equal(you_owe, 0);
    assert_int_equal(tw_store_open_asks(s, owner, TW_DIR_IN, 0, NULL, 0, open), TW_OK);
    assert_int_equal(open->len, 0);
    /* a closed ask cannot be marked done */
    assert_int_equal(tw_store_mark_done(s, owner, ask_id, 3000), TW_ERR_NOT_FOUND);
    assert_int_equal(tw_store_mark_done(s, owner, 999999, 3000), TW_ERR_NOT_FOUND);
    g_ptr_array_free(open, TRUE);
}

static void
test_mark_done(void **state)
{
    fixture_t *f = *state;
    tw_store_t *s = f->store;
    gint64 owner, thread, row;
    int received, sent, you_owe, they_owe;

    assert_int_equal(tw_store_owner(s, "me@example.org", true, &owner), TW_OK);
    assert_int_equal(tw_store_thread_create(s, owner, "x", 1000, &thread), TW_OK);
    row = insert_message(s, owner, "ask@x", "c1", thread, TW_DIR_IN, "bob@example.org", 1000);
    assert_int_equal(add_contact(s, owner, row, "bob@example.org", TW_ROLE_FROM), TW_OK);
    assert_int_equal(tw_store_insert_ask(s, owner, row, TW_DIR_IN, "bob@example.org", thread, 1000),
                     TW_OK);
    GPtrArray *open = g_ptr_array_new_with_free_func(tw_ask_row_free);
    assert_int_equal(tw_store_open_asks(s, owner, TW_DIR_IN, 0, "bob@example.org", 0, open), TW_OK);
    assert_int_equal(open->len, 1);
    gint64 id = ((tw_ask_row_t *)open->pdata[0])->id;
    assert_int_equal(tw_store_mark_done(s, owner, id, 2000), TW_OK);
    assert_int_equal(tw_store_balance(s, owner, "bob@example.org", &received, &sent, &you_owe,
                                      &they_owe),
                     TW_OK);
    assert_int_equal(you_owe, 0);
    assert_int_equal(tw_store_mark_done(s, owner, id, 2000), TW_ERR_NOT_FOUND);
    g_ptr_array_free(open, TRUE);
}

static void
test_forget(void **state)
{
    fixture_t *f = *state;
    tw_store_t *s = f->store;
    gint64 owner, thread, row, kept;
    int received, sent, you_owe, they_owe, removed = -1;

    assert_int_equal(tw_store_owner(s, "me@example.org", true, &owner), TW_OK);
    assert_int_equal(tw_store_thread_create(s, owner, "x", 1000, &thread), TW_OK);
    row = insert_message(s, owner, "ask@x", "c1", thread, TW_DIR_IN, "bob@example.org", 1000);
    assert_int_equal(add_contact(s, owner, row, "bob@example.org", TW_ROLE_FROM), TW_OK);
    assert_int_equal(tw_store_insert_ask(s, owner, row, TW_DIR_IN, "bob@example.org", thread, 1000),
                     TW_OK);
    kept = insert_message(s, owner, "other@x", "c2", thread, TW_DIR_IN, "carol@example.org", 1100);
    assert_int_equal(add_contact(s, owner, kept, "carol@example.org", TW_ROLE_FROM), TW_OK);

    tw_status_t st = tw_store_forget(s, owner, "bob@example.org", &removed);
    if (st != TW_OK)
        print_error("forget: %s\n", tw_store_error(s));
    assert_int_equal(st, TW_OK);
    assert_int_equal(removed, 1);
    assert_int_equal(tw_store_balance(s, owner, "bob@example.org", &received, &sent, &you_owe,
                                      &they_owe),
                     TW_OK);
    assert_int_equal(received, 0);
    assert_int_equal(you_owe, 0);
    gint64 found;
    assert_int_equal(tw_store_find_message(s, owner, "ask@x", "c1", &found), TW_OK);
    assert_int_equal(found, 0);
    /* nobody else is forgotten */
    assert_int_equal(tw_store_find_message(s, owner, "other@x", "c2", &found), TW_OK);
    assert_int_equal(found, kept);
}

static void
test_odd_text_values(void **state)
{
    fixture_t *f = *state;
    tw_store_t *s = f->store;
    gint64 owner, again;
    /* quotes, SQL, non-UTF-8 and very long text go in and out as given */
    const char *odd[] = {
        "o'brien@example.org", "\"; DROP TABLE owners; --@example.org", "caf\xe9@example.org",
    };

    for (size_t i = 0; i < G_N_ELEMENTS(odd); i++) {
        assert_int_equal(tw_store_owner(s, odd[i], true, &owner), TW_OK);
        assert_true(owner > 0);
        assert_int_equal(tw_store_owner(s, odd[i], false, &again), TW_OK);
        assert_int_equal(again, owner);
    }
    GString *big = g_string_new(NULL);
    for (int i = 0; i < 100000; i++)
        g_string_append_c(big, 'x');
    g_string_append(big, "@example.org");
    assert_int_equal(tw_store_owner(s, big->str, true, &owner), TW_OK);
    assert_int_equal(tw_store_owner(s, big->str, false, &again), TW_OK);
    assert_int_equal(again, owner);
    g_string_free(big, TRUE);
    tw_stats_t stats;
    assert_int_equal(tw_store_stats(s, 0, &stats), TW_OK);
    assert_int_equal(stats.owners, 4);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_open_creates_private_file_and_directory),
        cmocka_unit_test(test_open_create_mode_for_a_group),
        cmocka_unit_test(test_open_refuses_directory_anyone_may_write),
        cmocka_unit_test(test_open_link_as_root),
        cmocka_unit_test(test_open_unreadable),
        T(test_schema_version_and_wal),
        T(test_reopen_keeps_data),
        cmocka_unit_test(test_open_missing_without_create),
        T(test_open_newer_schema_refused),
        T(test_migration_fills_written_to),
        T(test_migration_to_3),
        T(test_written_to_first_date),
        T(test_open_readonly),
        cmocka_unit_test(test_open_not_a_database),
        cmocka_unit_test(test_open_impossible_path),
        cmocka_unit_test(test_open_race_to_create),
        T(test_busy_second_connection),
        T(test_busy_between_stores),
        T(test_transactions),
        T(test_owners),
        T(test_find_message_by_key_and_content),
        T(test_threads_bind_and_merge),
        T(test_add_contacts_in_batches),
        T(test_thread_by_subject),
        T(test_asks_and_balance),
        T(test_mark_done),
        T(test_forget),
        T(test_odd_text_values),
    };

    return cmocka_run_group_tests_name("store", tests, NULL, NULL);
}
