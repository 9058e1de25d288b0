#!/usr/bin/perl
# sweep.pl - runs a command once per injection point of failshim.so:
# the 1st, 2nd, ... call of one family of calls fails (and, in the
# default "from" mode, every later one too), until N passes the last
# call the command makes.
#
# usage: sweep.pl --preload LIBS --family F [options] -- COMMAND ARGS...
#   --preload LIBS     LD_PRELOAD for the command (failshim.so first)
#   --family F         malloc, write, fsync, step, prepare or open
#   --set VAR=VALUE    more environment for the command (FAILSHIM_MODE=only,
#                      FAILSHIM_WRITE_ON=files, FAILSHIM_SQLITE_RC=BUSY...)
#   --stdin FILE       standard input of the command
#   --whole NAME=FILE  an acceptable whole output, called NAME (repeatable)
#   --tags             also "retagged": the --stdin message with other
#                      X-Twoway-* tags at the end of its header block
#                      (what is left once they are taken out is the input)
#   --db DB --base B   copy B to DB before every run (DB-wal, DB-shm removed)
#   --check CMD        a shell command run after every run; its first line
#                      of output is recorded ("ok" for PRAGMA integrity_check)
#   --budget SECONDS   when a run of every call would take longer, take
#                      every Kth call, K as small as fits (default: no limit)
#   --tmp DIR          for the command's output and the shim's log
#   --timeout SECONDS  a run still going after this is killed (default 10)
#
# First a run without failures counts the calls (FAILSHIM_COUNT) and
# times itself.  Then one line per run:
#   N STATUS OUTPUT INJECTED CHECK ERRLINES SANITIZER | FIRST-STDERR-LINE
# STATUS exit=RC, signal=NAME, or timeout (killed); OUTPUT the NAME of the
# whole output it wrote, "retagged" (--tags), "empty", or "partial"
# (anything else); INJECTED yes when the shim failed a call in that run;
# CHECK the --check line or "-"; ERRLINES how many lines went to
# standard error; SANITIZER what AddressSanitizer, LeakSanitizer or
# UndefinedBehaviorSanitizer reported ("-": nothing).
# A first line "# calls T step K runs R" says what was covered.
use strict;
use warnings;
use Getopt::Long;
use POSIX qw(WIFEXITED WEXITSTATUS WIFSIGNALED WTERMSIG);
use Config;
use File::Copy qw(copy);
use Time::HiRes qw(time);

my ($preload, $family, $stdin, $db, $base, $check, $budget, $tmp) = ('', '', '/dev/null');
my $timeout = 10;
my (@set, @whole, $tags);
GetOptions('preload=s' => \$preload, 'family=s' => \$family, 'set=s' => \@set,
           'stdin=s' => \$stdin, 'whole=s' => \@whole, 'db=s' => \$db, 'base=s' => \$base,
           'check=s' => \$check, 'budget=f' => \$budget, 'tmp=s' => \$tmp,
           'timeout=i' => \$timeout, 'tags' => \$tags)
    or die "sweep.pl: bad options\n";
my @cmd = @ARGV;
my %var = (malloc => 'FAILSHIM_MALLOC', write => 'FAILSHIM_WRITE', fsync => 'FAILSHIM_FSYNC',
           step => 'FAILSHIM_STEP', prepare => 'FAILSHIM_PREPARE', open => 'FAILSHIM_OPEN');
my %counted = (malloc => 'malloc', write => 'write', fsync => 'fsync', step => 'sqlite3_step',
               prepare => 'sqlite3_prepare', open => 'sqlite3_open_v2');
die "sweep.pl: --family malloc|write|fsync|step|prepare|open\n" unless $var{$family};
die "sweep.pl: no command\n" unless @cmd;
die "sweep.pl: --tmp DIR\n" unless defined $tmp && -d $tmp;

my %wholes;
for (@whole) {
    my ($name, $file) = /^([^=]+)=(.*)$/ or die "sweep.pl: --whole NAME=FILE\n";
    $wholes{$name} = slurp($file);
}
my @signame = split ' ', $Config{sig_name};
my $input = $tags ? slurp($stdin) : undef;

# untag(TEXT): the message without X-Twoway-* fields in its header
# block, and whether the fields taken out were its last ones
sub untag {
    my ($m) = @_;
    my ($head, $rest) = $m =~ /\A(.*?\r?\n)(\r?\n.*)\z/s or return ($m, 0);
    my (@kept, $taken, $after);
    my $ours = 0;
    for my $line (split /(?<=\n)/, $head) {
        if ($line =~ /^[ \t]/) {
            push @kept, $line unless $ours;
        } elsif ($line =~ /^x-twoway-/i) {
            $ours = 1;
            $taken = 1;
        } else {
            $ours = 0;
            $after = 1 if $taken;
            push @kept, $line;
        }
    }
    return (join('', @kept) . $rest, $taken && !$after);
}

# label(OUTPUT): which of the whole outputs it is, or retagged, empty,
# partial
sub label {
    my ($out) = @_;
    my $l = (grep { $wholes{$_} eq $out } sort keys %wholes)[0];
    return $l if defined $l;
    return 'empty' if $out eq '';
    if (defined $input) {
        my ($rest, $at_end) = untag($out);
        return 'retagged' if $at_end && $rest eq $input;
    }
    return 'partial';
}

sub slurp {
    my ($f) = @_;
    open my $fh, '<:raw', $f or return '';
    local $/;
    my $d = <$fh>;
    close $fh;
    return defined $d ? $d : '';
}

sub restore {
    return unless defined $db && defined $base;
    unlink "$db-wal", "$db-shm";
    copy($base, $db) or die "sweep.pl: $base -> $db: $!\n";
}

# sanitizer(STDERR): what a sanitizer reported: "-" for nothing, else
# the kind (stack-overflow, SEGV, heap-use-after-free, leak, ubsan...)
sub sanitizer {
    my ($err) = @_;
    return $1 if $err =~ /ERROR: AddressSanitizer: ([\w-]+)/;
    return 'leak' if $err =~ /ERROR: LeakSanitizer/;
    return 'ubsan' if $err =~ /runtime error:/;
    return '-';
}

# run(%env): runs the command once; returns (status, output, stderr text)
sub run {
    my (%env) = @_;
    my $out = "$tmp/sweep.out";
    my $err = "$tmp/sweep.err";
    my $pid = fork();
    die "sweep.pl: fork: $!\n" unless defined $pid;
    if ($pid == 0) {
        $ENV{$_} = $env{$_} for keys %env;
        $ENV{LD_PRELOAD} = $preload;
        open STDIN, '<', $stdin or die "$stdin: $!\n";
        open STDOUT, '>', $out or die "$out: $!\n";
        open STDERR, '>', $err or die "$err: $!\n";
        exec { $cmd[0] } @cmd or POSIX::_exit(127);
    }
    my $killed = 0;
    local $SIG{ALRM} = sub { $killed = 1; kill 'KILL', $pid };
    alarm $timeout;
    my $r;
    do { $r = waitpid($pid, 0) } while ($r == -1 && $!{EINTR});
    my $st = $?;
    alarm 0;
    my $status = $killed ? 'timeout' : WIFSIGNALED($st) ? 'signal=' . ($signame[WTERMSIG($st)] // WTERMSIG($st))
                                  : 'exit=' . WEXITSTATUS($st);
    return ($status, slurp($out), slurp($err));
}

my %fixed = map { /^([^=]+)=(.*)$/ ? ($1 => $2) : die "sweep.pl: --set VAR=VALUE\n" } @set;

# the count: one run, nothing failed
restore();
unlink "$tmp/sweep.count";
my $t0 = time;
my ($cstatus, $cout) = run(%fixed, FAILSHIM_COUNT => "$tmp/sweep.count");
my $per_run = time - $t0;
my ($calls) = slurp("$tmp/sweep.count") =~ /^\Q$counted{$family}\E calls (\d+)$/m;
die "sweep.pl: the shim counted nothing (is it preloaded?)\n" unless defined $calls;
my $clean = label($cout);
my $stepk = 1;
if ($budget && $calls * $per_run * 1.3 > $budget) {
    $stepk = int($calls * $per_run * 1.3 / $budget) + 1;
}
my $runs = 0;
my @lines;
# N goes one past the count (a run that must fail nothing); the calls
# made before the shim has read its settings (AddressSanitizer's own
# start) are counted but never failed
for (my $n = 1; $n <= $calls + 1; $n += $stepk) {
    restore();
    unlink "$tmp/sweep.log";
    my ($status, $out, $err) = run(%fixed, $var{$family} => $n, FAILSHIM_LOG => "$tmp/sweep.log");
    my $injected = -s "$tmp/sweep.log" ? 'yes' : 'no';
    my $label = label($out);
    my $chk = '-';
    if (defined $check) {
        $chk = `$check 2>&1`;
        $chk = (split /\n/, $chk)[0] // '';
        $chk =~ s/\s+/_/g;
        $chk = 'none' if $chk eq '';
    }
    my @errl = split /\n/, $err;
    push @lines, sprintf "%d %s %s %s %s %d %s | %s\n", $n, $status, $label, $injected, $chk,
        scalar @errl, sanitizer($err), $errl[0] // '';
    $runs++;
}
print "# calls $calls step $stepk runs $runs clean $cstatus $clean\n", @lines;
