#!/bin/bash
# audit.sh - no SQL is built from strings and no program or shell is
# started, checked on the sources and on the objects built from them.
#
# 1. audit.pl on the product's sources (lib, cli, filters, milter):
#    SQL text only in the constant statement tables of lib/store.c and
#    lib/schema.sql.h, no printf conversion in it, statement runners
#    given constant text only, no SQLite string builder, SQLite only in
#    lib/store.c, no system/popen/exec*/spawn/fork.  audit.pl holds the
#    short allowlist and the reason for each entry.
# 2. The same checker on planted sources (a copy of the tree with one
#    bad line per rule, and a small file of its own) must report each
#    of them: the audit can fail.
# 3. The symbols our objects take from libraries (nm -u on
#    lib/libtwoway.a and the faces' objects): nothing that starts a
#    program, no SQLite string builder, SQLite only from store.o,
#    daemon() only from the milter, fork() (running no program) only
#    from the filter's recorder.  (The filter binary itself links
#    GLib and the C library statically, spawn and dlopen code and all,
#    so its objects are read rather than the binary.)
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib/tap.sh"

AUDIT=$SRC/tests/security/audit.pl

if ! command -v perl >/dev/null 2>&1; then
    echo "1..0 # SKIP perl is not installed"
    exit 0
fi

# ---------------------------------------------------------------------
# 1. The sources

perl "$AUDIT" "$SRC" >"$T/audit.out" 2>&1
rc=$?
ok $rc "the sources build no SQL from strings and start no program (audit.pl)"
[ $rc -eq 0 ] || sed 's/^/#   /' "$T/audit.out"

n=$(cd "$SRC" && ls lib/*.[ch] cli/*.[ch] filters/*.[ch] milter/*.[ch] | wc -l)
[ "$n" -ge 30 ]
ok $? "the audit read every C source of lib, cli, filters and milter ($n files)"

# ---------------------------------------------------------------------
# 2. Planted faults must be found

BAD=$T/bad
mkdir -p "$BAD"
(cd "$SRC" && tar cf - lib/*.[ch] cli/*.[ch] filters/*.[ch] milter/*.[ch]) | (cd "$BAD" && tar xf -)

# plant FILE 'AFTER-PATTERN' 'LINE': inserts LINE after the first line
# matching AFTER-PATTERN in the copy of FILE.
plant() {
    perl -i -pe 'BEGIN { ($p, $l) = splice @ARGV, 1, 2 } if (!$done && /$p/) { $_ .= "$l\n"; $done = 1 }' \
        "$BAD/$1" "$2" "$3"
}
# a statement with a value formatted into it, in the statement table
plant lib/store.c '\[S_OWNER_GET\] =' '    /* planted */ "SELECT id FROM owners WHERE address = '"'"'%s'"'"'"'
# a runner given text built at run time
plant lib/store.c '^G_STATIC_ASSERT\(G_N_ELEMENTS\(migrations\)' 'static void planted1(tw_store_t *s, char *q) { exec_sql(s, q); }'
cat >"$BAD/cli/planted.c" <<'EOF'
/* planted.c - one of each thing the audit must refuse */
#include <stdio.h>
#include <stdlib.h>
#include <sqlite3.h>
#include <glib.h>
void
planted(sqlite3 *db, const char *who)
{
    char *q = g_strdup_printf("DELETE FROM asks WHERE correspondent = '%s'", who);
    sqlite3_exec(db, q, NULL, NULL, NULL);
    char *r = sqlite3_mprintf("UPDATE asks SET done_at = 1 WHERE id = %Q", who);
    GString *g = g_string_new("INSERT INTO owners (address) VALUES ('");
    FILE *p = popen("sh -c true", "r");
    system("true");
    execl("/bin/sh", "sh", "-c", who, (char *)NULL);
    g_spawn_command_line_sync(who, NULL, NULL, NULL, NULL);
    pid_t child = fork();
    /* comments are no code: popen("x") and "SELECT 1" here are not reported */
    (void)r; (void)g; (void)p; (void)child;
}
EOF
perl "$AUDIT" "$BAD" >"$T/bad.out" 2>&1
rc=$?
is "$rc" 1 "planted faults: the audit fails"
# expected: file:line and words of each report
expect_report() {
    grep -E "^$1:[0-9]+: .*$2" "$T/bad.out" >/dev/null
    ok $? "planted faults: reported: $1: $3"
}
expect_report lib/store.c "printf conversion in SQL text: .*%s" "a %s in a statement of the table"
expect_report lib/store.c "exec_sql given SQL that is not constant text: q" "exec_sql given a variable"
expect_report cli/planted.c "SQL text outside .*DELETE FROM asks" "SQL formatted by g_strdup_printf"
expect_report cli/planted.c "SQL text outside .*INSERT INTO owners" "SQL begun in a GString"
expect_report cli/planted.c "sqlite3_exec given SQL that is not constant text: q" "sqlite3_exec given a variable"
expect_report cli/planted.c "SQLite string builder sqlite3_mprintf" "sqlite3_mprintf"
expect_report cli/planted.c "SQLite used outside lib/store.c" "SQLite outside the store"
for f in popen system execl g_spawn_command_line_sync fork; do
    expect_report cli/planted.c "starts a program or a shell: $f\\(\\)" "$f()"
done
is "$(grep -c 'planted.c:1[89]:' "$T/bad.out")" 0 "planted faults: nothing reported from a comment"
is "$(grep -vc '^cli/planted.c:\|^lib/store.c:' "$T/bad.out")" 0 \
   "planted faults: nothing reported from the untouched files"
[ "$_tap_failed" -eq 0 ] || sed 's/^/#   /' "$T/bad.out" | head -40

# ---------------------------------------------------------------------
# 3. What the objects take from libraries

# undefined OBJECT...: "object symbol" for every symbol each takes from
# elsewhere (archive members by their own name)
undefined() {
    for _o in "$@"; do
        nm -u -A "$_o" 2>/dev/null
    done | sed -E 's/^([^:]*:)?([^:]*): *U? *([^ ]+)$/\2 \3/; s/@.*//'
}
SPAWN=' (system|popen|execl|execlp|execle|execv|execvp|execvpe|execve|fexecve|posix_spawnp?|fork|vfork|clone|wordexp|dlopen|g_spawn_[a-z_]*|g_subprocess_[a-z_]*|g_app_info_launch[a-z_]*)$'
BUILDERS=' sqlite3_(mprintf|vmprintf|snprintf|vsnprintf|str_[a-z_]*)$'

if ! command -v nm >/dev/null 2>&1; then
    skip "objects: what they take from libraries" "nm is not installed"
elif [ ! -e "$BUILD/lib/libtwoway.a" ]; then
    ok 1 "objects: lib/libtwoway.a is built under $BUILD"
else
    undefined "$BUILD"/lib/libtwoway.a "$BUILD"/cli/*.o "$BUILD"/filters/*.o "$BUILD"/milter/*.o \
        >"$T/undefined"
    n=$(wc -l <"$T/undefined")
    faces=$(grep -cE '(cli/twoway|filters/twoway-filter|milter/twoway-milter)\.o ' "$T/undefined")
    [ "$n" -gt 100 ] && [ "$faces" -gt 30 ]
    ok $? "objects: the symbols our objects take read ($n, $faces of them the faces' main objects)"
    # the recorder forks (a fork that runs no program), nothing else may
    grep -E "$SPAWN" "$T/undefined" | grep -Ev '(^|/)filters/[^ ]*recorder\.o fork$' >"$T/spawn"
    [ ! -s "$T/spawn" ]
    ok $? "objects: none calls system, popen, exec*, posix_spawn*, fork (but the recorder), dlopen or g_spawn_*"
    sed 's/^/#   /' "$T/spawn"
    grep -Eq '(^|/)filters/[^ ]*recorder\.o fork$' "$T/undefined"
    ok $? "objects: the recorder's fork is seen (and allowed there alone)"
    grep -E "$BUILDERS" "$T/undefined" >"$T/builders"
    [ ! -s "$T/builders" ]
    ok $? "objects: none calls an SQLite string builder"
    sed 's/^/#   /' "$T/builders"
    grep ' sqlite3_' "$T/undefined" | grep -Ev '(^|[-_/])store\.o ' >"$T/outside"
    [ ! -s "$T/outside" ]
    ok $? "objects: only store.o calls SQLite"
    sed 's/^/#   /' "$T/outside" | head
    grep -Eq '(^|[-_/])store\.o sqlite3_prepare_v3$' "$T/undefined"
    ok $? "objects: store.o is among them (it prepares statements)"
    grep ' daemon$' "$T/undefined" | grep -Ev '(^|/)milter/[^ ]*twoway-milter\.o ' >"$T/daemon"
    [ ! -s "$T/daemon" ]
    ok $? "objects: daemon() (a fork that runs no program) only in the milter"

    # the same reading finds the planted calls in an object
    CC=${CC:-cc}
    if command -v "$CC" >/dev/null 2>&1 && command -v pkg-config >/dev/null 2>&1 &&
        "$CC" -w -c -o "$T/planted.o" "$BAD/cli/planted.c" $(pkg-config --cflags glib-2.0 sqlite3) \
            2>"$T/cc.err"; then
        undefined "$T/planted.o" >"$T/planted.undefined"
        is "$(grep -cE "$SPAWN" "$T/planted.undefined")|$(grep -cE "$BUILDERS" "$T/planted.undefined")|$(grep -c ' sqlite3_exec$' "$T/planted.undefined")" \
           "5|1|1" "objects: a planted object is caught (popen, system, execl, g_spawn, fork; sqlite3_mprintf; sqlite3_exec)"
    else
        skip "objects: a planted object is caught" "cannot compile with $CC: $(head -1 "$T/cc.err" 2>/dev/null)"
    fi
fi

done_testing
