#!/usr/bin/perl
# audit.pl - no SQL built from strings, no program or shell started.
#
# usage: audit.pl TOP [FILE...]
#
# Reads the product's C sources (TOP/lib, TOP/cli, TOP/filters,
# TOP/milter, *.c and *.h; or the FILEs given, relative to TOP) with
# comments removed, and reports, one line each ("FILE:LINE: what"):
#
#  * SQL text anywhere but in the allowed places below: a string
#    literal holding an SQL statement word (SELECT, INSERT, UPDATE,
#    DELETE, PRAGMA, CREATE, ...) outside them is SQL built at run time,
#    or a format meant for it;
#  * a printf conversion (%s, %d, %q ...) inside SQL text, even in an
#    allowed place;
#  * sqlite3_exec, sqlite3_prepare* or exec_sql given anything but a
#    literal or one of the constant tables;
#  * SQLite's string builders (sqlite3_mprintf, sqlite3_str_*, ...)
#    anywhere, and any sqlite3_ call outside lib/store.c (the only file
#    that speaks SQL);
#  * a call that starts a program or a shell: system, popen, exec*,
#    posix_spawn*, fork (but in the one file allowed below), vfork,
#    clone, wordexp, dlopen, g_spawn_*, g_subprocess_*,
#    g_app_info_launch*.
#
# Exits 0 when there is nothing to report, 1 otherwise.
use strict;
use warnings;

my $top = shift @ARGV or die "usage: audit.pl TOP [FILE...]\n";

# Where SQL text may stand, and why.  Each is a region of one file:
# the initializer of an array, or a #define.
my %allowed = (
    'lib/store.c' => [
        ['array', 'sql',
         'the prepared statements: constant text, every value bound as ?N'],
        ['array', 'set_version',
         'one constant PRAGMA user_version per schema version (a PRAGMA takes no parameter)'],
        ['define', 'COUNTED_ROLE', 'a constant fragment pasted into the statements of sql[]'],
        ['define', 'OPEN', 'a constant fragment pasted into the statements of sql[]'],
        ['call', 'exec_sql', 'transactions and pragmas run as constant text'],
        ['call', 'sqlite3_prepare_v2', 'PRAGMA user_version read as constant text'],
    ],
    'lib/schema.sql.h' => [
        ['array', 'migrations', 'the schema, one constant script per version'],
    ],
);

# Where fork may be called, and why: a fork that runs no program (exec
# and the rest stay refused there too).
my %fork_allowed = (
    'filters/recorder.c' =>
        'the recorder: the delivery forks it off, detached, to serve the deliveries after it',
);

# The SQL argument of each statement runner (1-based), and what it may be
# besides a string literal.
my %runners = (
    sqlite3_exec => 2, sqlite3_prepare => 2, sqlite3_prepare_v2 => 2,
    sqlite3_prepare_v3 => 2, sqlite3_prepare16 => 2, sqlite3_prepare16_v2 => 2,
    sqlite3_prepare16_v3 => 2, exec_sql => 2,
);
my %constant_args = (
    'sql[id]' => 'an entry of the constant statement table',
    'migrations[version]' => 'a constant schema script',
    'set_version[version]' => 'a constant PRAGMA user_version',
);
# the runner's own body passes its parameter on
my %wrapper_param = ('exec_sql' => 'text');

my $sql_word = qr/\b(?:SELECT|INSERT|UPDATE|DELETE|REPLACE\s+INTO|PRAGMA|CREATE|DROP|ALTER|ATTACH|DETACH|VACUUM|REINDEX|ANALYZE|SAVEPOINT|RELEASE|ROLLBACK|COMMIT|BEGIN|WHERE|VALUES)\b/;
my $conversion = qr/%[-+ #0]*(?:\d+|\*)?(?:\.(?:\d+|\*))?(?:hh|h|ll|l|L|q|j|z|t)?[diouxXeEfgGcspqQwzn]/;
my $builders = qr/\bsqlite3_(?:mprintf|vmprintf|snprintf|vsnprintf|str_\w+)\b/;
my $spawners = qr/\b(system|popen|execl|execlp|execle|execv|execvp|execvpe|execve|fexecve|posix_spawnp?|fork|vfork|clone|wordexp|dlopen|g_spawn_\w+|g_subprocess_\w+|g_app_info_launch\w*)\s*\(/;

my @files = @ARGV;
if (!@files) {
    for my $dir (qw(lib cli filters milter)) {
        opendir my $dh, "$top/$dir" or next;
        push @files, map { "$dir/$_" } sort grep { /\.[ch]$/ } readdir $dh;
        closedir $dh;
    }
}
die "audit.pl: no C sources under $top\n" unless @files;

my $findings = 0;
sub report {
    my ($file, $line, $what) = @_;
    print "$file:$line: $what\n";
    $findings++;
}

# Blanks comments out (keeping line breaks and string literals), so that
# offsets still give line numbers.
sub strip_comments {
    my ($text) = @_;
    my $out = '';
    my $i = 0;
    my $n = length $text;
    while ($i < $n) {
        my $c = substr($text, $i, 1);
        my $two = substr($text, $i, 2);
        if ($two eq '/*') {
            my $end = index($text, '*/', $i + 2);
            $end = $n - 2 if $end < 0;
            my $chunk = substr($text, $i, $end + 2 - $i);
            $chunk =~ s/[^\n]/ /g;
            $out .= $chunk;
            $i = $end + 2;
        } elsif ($two eq '//') {
            my $end = index($text, "\n", $i);
            $end = $n if $end < 0;
            $out .= ' ' x ($end - $i);
            $i = $end;
        } elsif ($c eq '"' || $c eq "'") {
            my $j = $i + 1;
            while ($j < $n) {
                my $d = substr($text, $j, 1);
                if ($d eq '\\') { $j += 2; next }
                last if $d eq $c || $d eq "\n";
                $j++;
            }
            $out .= substr($text, $i, $j + 1 - $i);
            $i = $j + 1;
        } else {
            $out .= $c;
            $i++;
        }
    }
    return $out;
}

# A string literal, or a choice between two ("COND ? "A" : "B"").
my $lit_re = qr/"(?:[^"\\]|\\.)*"/;
sub constant_text {
    my ($arg) = @_;
    return $arg =~ /^$lit_re(?:\s*$lit_re)*$/ || $arg =~ /^[^"?]*\?\s*$lit_re\s*:\s*$lit_re$/;
}

sub line_of {
    my ($text, $pos) = @_;
    return 1 + (substr($text, 0, $pos) =~ tr/\n//);
}

# The end of the parenthesised or braced group that opens at $pos.
sub group_end {
    my ($text, $pos) = @_;
    my $open = substr($text, $pos, 1);
    my $close = $open eq '(' ? ')' : '}';
    my $depth = 0;
    my $n = length $text;
    for (my $i = $pos; $i < $n; $i++) {
        my $c = substr($text, $i, 1);
        if ($c eq '"') {
            $i++;
            while ($i < $n && substr($text, $i, 1) ne '"') {
                $i++ if substr($text, $i, 1) eq '\\';
                $i++;
            }
            next;
        }
        $depth++ if $c eq $open;
        if ($c eq $close) {
            $depth--;
            return $i if $depth == 0;
        }
    }
    return $n - 1;
}

# The top-level arguments of a call whose '(' is at $pos.
sub call_args {
    my ($text, $pos) = @_;
    my $end = group_end($text, $pos);
    my $inner = substr($text, $pos + 1, $end - $pos - 1);
    my @args;
    my ($depth, $cur, $in_str) = (0, '', 0);
    for (my $i = 0; $i < length $inner; $i++) {
        my $c = substr($inner, $i, 1);
        if ($in_str) {
            $cur .= $c;
            if ($c eq '\\') { $cur .= substr($inner, ++$i, 1); next }
            $in_str = 0 if $c eq '"';
            next;
        }
        if ($c eq '"') { $in_str = 1; $cur .= $c; next }
        $depth++ if $c =~ /[(\[{]/;
        $depth-- if $c =~ /[)\]}]/;
        if ($c eq ',' && $depth == 0) { push @args, $cur; $cur = ''; next }
        $cur .= $c;
    }
    push @args, $cur if $cur =~ /\S/;
    s/^\s+|\s+$//g for @args;
    return ($end, @args);
}

for my $file (@files) {
    open my $fh, '<', "$top/$file" or die "audit.pl: $top/$file: $!\n";
    my $raw = do { local $/; <$fh> };
    close $fh;
    my $text = strip_comments($raw);

    # the regions where SQL may stand: [start, end, why]
    my @regions;
    for my $a (@{ $allowed{$file} || [] }) {
        my ($kind, $name) = @$a;
        if ($kind eq 'array') {
            while ($text =~ /\b\Q$name\E\s*\[[^\]]*\]\s*=\s*\{/g) {
                my $start = $+[0] - 1;
                push @regions, [$start, group_end($text, $start)];
            }
        } elsif ($kind eq 'define') {
            while ($text =~ /^[ \t]*#[ \t]*define[ \t]+\Q$name\E\b((?:[^\n]*\\\n)*[^\n]*)/mg) {
                push @regions, [$-[0], $+[0]];
            }
        } elsif ($kind eq 'call') {
            while ($text =~ /\b\Q$name\E\s*\(/g) {
                my $open = $+[0] - 1;
                my ($end, @args) = call_args($text, $open);
                my $k = $runners{$name} // 0;
                next unless $k && @args >= $k && constant_text($args[$k - 1]);
                push @regions, [$open, $end];
            }
        }
    }
    my $in_region = sub {
        my ($pos) = @_;
        for my $r (@regions) {
            return 1 if $pos >= $r->[0] && $pos <= $r->[1];
        }
        return 0;
    };

    # SQL text in string literals
    while ($text =~ /"((?:[^"\\\n]|\\.)*)"/g) {
        my ($lit, $pos) = ($1, $-[0]);
        next unless $lit =~ $sql_word;
        my $line = line_of($text, $pos);
        if (!$in_region->($pos)) {
            report($file, $line, "SQL text outside the constant statement tables: \"$lit\"");
        } elsif ($lit =~ $conversion) {
            report($file, $line, "a printf conversion in SQL text: \"$lit\"");
        }
    }
    # the bodies of the runners defined here, which pass their parameter on
    my %body;
    for my $w (keys %wrapper_param) {
        if ($text =~ /\n\Q$w\E\s*\(/g) {
            my ($end) = call_args($text, $+[0] - 1);
            my $brace = index($text, '{', $end);
            $body{$w} = [$brace, group_end($text, $brace)] if $brace >= 0;
        }
    }
    # what the statement runners are given
    while ($text =~ /\b(\w+)\s*\(/g) {
        my ($name, $at, $open) = ($1, $-[0], $+[0] - 1);
        my $k = $runners{$name} or next;
        # a definition or a prototype starts in column 0
        next if $at == 0 || substr($text, $at - 1, 1) eq "\n";
        my ($end, @args) = call_args($text, $open);
        pos($text) = $open + 1;
        my $arg = $args[$k - 1] // '';
        next if constant_text($arg) || exists $constant_args{$arg};
        my $inside = grep {
            $wrapper_param{$_} eq $arg && $body{$_} && $open > $body{$_}[0] && $open < $body{$_}[1]
        } keys %wrapper_param;
        next if $inside;
        report($file, line_of($text, $open), "$name given SQL that is not constant text: $arg");
    }
    # SQLite's own string builders, and SQLite outside the store
    while ($text =~ /$builders/g) {
        report($file, line_of($text, $-[0]), "SQLite string builder $&");
    }
    if ($file ne 'lib/store.c') {
        while ($text =~ /\bsqlite3_\w+|#\s*include\s*<sqlite3\.h>/g) {
            report($file, line_of($text, $-[0]), "SQLite used outside lib/store.c: $&");
        }
    }
    # programs and shells
    while ($text =~ /$spawners/g) {
        my ($name, $pos) = ($1, $-[0]);
        # a member or a name of our own that ends so (tw_fork_x) is not the call
        next if $pos > 0 && substr($text, $pos - 1, 1) =~ /[\w.>]/;
        next if $name eq 'fork' && $fork_allowed{$file};
        report($file, line_of($text, $pos), "starts a program or a shell: $name()");
    }
}

exit($findings ? 1 : 0);
