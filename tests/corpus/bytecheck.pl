#!/usr/bin/perl
# bytecheck.pl - runs a filter over message files and checks that each
# output is its input plus only X-Twoway-* header lines, inserted before
# the end of the header block.  Prints one TAP line per corpus folder.
#
# usage: bytecheck.pl TEST_NUMBER_START DIR... -- FILTER ARGS...
use strict;
use warnings;
use POSIX ();

my $n = shift @ARGV;
my @dirs;
push @dirs, shift @ARGV while @ARGV && $ARGV[0] ne '--';
shift @ARGV;
my @filter = @ARGV;
my $tmp = ($ENV{T} // '/tmp') . "/bytecheck.out";

sub slurp {
    my ($path) = @_;
    open my $fh, '<:raw', $path or return undef;
    local $/;
    my $d = <$fh>;
    return $d // '';
}

# Runs the filter with stdin from $in and stdout to $tmp; returns the
# exit status.
sub run_filter {
    my ($in) = @_;
    my $pid = fork // die "fork: $!";
    if ($pid == 0) {
        open STDIN, '<', $in or POSIX::_exit(99);
        open STDOUT, '>', $tmp or POSIX::_exit(99);
        open STDERR, '>', '/dev/null';
        exec @filter or POSIX::_exit(98);
    }
    waitpid $pid, 0;
    return $? >> 8;
}

# The output with our header fields removed, and whether every one of
# them stood before the first blank line.
sub strip_tags {
    my ($out) = @_;
    my $blank = $out =~ /\n\r?\n/ ? $-[0] : length $out;
    my $ok = 1;
    while ($out =~ /^X-Twoway-[^\n]*\n(?:[ \t][^\n]*\n)*/mg) {
        $ok = 0 if $-[0] > $blank;
    }
    $out =~ s/^X-Twoway-[^\n]*\n(?:[ \t][^\n]*\n)*//mg;
    return ($out, $ok);
}

my @files;
for my $dir (@dirs) {
    my @list = split /\n/, `find '$dir' -type f ! -name SOURCE.txt ! -name README ! -name '*.md' | sort`;
    my ($bad, $count) = (0, 0);
    for my $f (@list) {
        my $in = slurp($f);
        next unless defined $in;
        $count++;
        my $rc = run_filter($f);
        my $out = slurp($tmp) // '';
        my ($stripped, $placed) = strip_tags($out);
        (my $expect = $in) =~ s/^X-Twoway-[^\n]*\n(?:[ \t][^\n]*\n)*//mg;
        if ($rc != 0 || $stripped ne $expect || !$placed) {
            $bad++;
            print "# $f: exit $rc, ", ($stripped ne $expect ? "bytes differ" : "tags misplaced"), "\n"
                if $bad <= 10;
        }
    }
    printf "%s %d - %s: %d messages byte-exact through the filter%s\n",
        ($bad ? "not ok" : "ok"), $n++, $dir, $count - $bad, ($bad ? " ($bad failed)" : "");
}
unlink $tmp;
