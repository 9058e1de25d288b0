#!/usr/bin/perl
# mkmail.pl - the deliveries of a load test: N message files, each as
# procmail hands it to a filter (the mbox "From " line first), in a
# random but repeatable order, some of them duplicates on purpose.
#
# The messages come from mbox files and single message files.  With
# --replicas, the sources are copied as many times as needed, copy K
# rewritten into a mailbox of its own: every Message-ID, In-Reply-To
# and References id gets "rK." in front, every address in From, To,
# Cc, Reply-To and Sender except the owner's and mailing lists' gets
# "rK." in front of its domain, and the Subject gets " (rK)" at its
# end (so even the owner's own mail differs from copy to copy).
# Without --replicas the sources are taken as they are, up to N.
#
# Duplicates: --dups D of the N deliveries repeat an earlier message:
# two thirds byte for byte (a second delivery of the same mail), one
# third with a Message-ID of its own and nothing else changed (the
# same mail filed under another id, which counts once by its content).
#
# Writes DIR/NNNN.eml (0000 ...) and prints what it made:
# "deliveries N", "unique U", "exact E", "copies C".
#
# usage: mkmail.pl --out DIR --count N [--dups D] [--seed S]
#                  [--replicas] [--owner ADDR] SOURCE...
use strict;
use warnings;
use Getopt::Long;

my ($out, $count, $dups, $seed, $replicas, $owner) = ('', 0, 0, 1, 0, '');
GetOptions('out=s' => \$out, 'count=i' => \$count, 'dups=i' => \$dups,
           'seed=i' => \$seed, 'replicas' => \$replicas, 'owner=s' => \$owner)
    or die "usage: mkmail.pl --out DIR --count N [--dups D] [--seed S] [--replicas] SOURCE...\n";
die "mkmail.pl: --out and --count are needed\n" unless $out ne '' && $count > 0;
die "mkmail.pl: more duplicates than deliveries\n" if $dups >= $count;
srand $seed;
$owner = lc $owner;

sub slurp {
    my ($path) = @_;
    open my $fh, '<:raw', $path or die "$path: $!\n";
    local $/;
    my $d = <$fh>;
    return $d // '';
}

# The sources, one string per message, each starting with a "From " line.
my @src;
for my $file (@ARGV) {
    my $data = slurp($file);
    if ($data =~ /\AFrom /) {
        # messages start at "From " lines at the start or after a blank line
        push @src, grep { $_ ne '' } split /(?:\A|(?<=\n\n))(?=From )/, $data;
    } else {
        $data .= "\n" unless $data =~ /\n\z/;
        push @src, "From MAILER-DAEMON Thu Jan  1 00:00:00 2026\n" . $data;
    }
}
die "mkmail.pl: no messages in the sources\n" unless @src;

# header block and the rest, cut at the first empty line
sub cut {
    my ($m) = @_;
    return ($1, $2) if $m =~ /\A(.*?\n)(\r?\n.*)\z/s;
    return ($m, '');
}

sub rewrite_ids {
    my ($v, $k) = @_;
    $v =~ s/<([^<>\s]+)>/<r$k.$1>/g;
    return $v;
}

sub rewrite_addrs {
    my ($v, $k) = @_;
    $v =~ s{([A-Za-z0-9._%+=-]+)@([A-Za-z0-9.-]+)}{
        my ($l, $d) = ($1, $2);
        (lc "$l\@$d" eq $owner || $d =~ /^lists\./i) ? "$l\@$d" : "$l\@r$k.$d"
    }ge;
    return $v;
}

# copy K of a message (K = 0: as it is)
sub replica {
    my ($m, $k) = @_;
    return $m if $k == 0;
    my ($head, $rest) = cut($m);
    my @fields = split /(?=^[^ \t])/m, $head;
    for (@fields) {
        if (/\A(message-id|in-reply-to|references)(\s*:)(.*)\z/si) {
            $_ = $1 . $2 . rewrite_ids($3, $k);
        } elsif (/\A(from|to|cc|reply-to|sender)(\s*:)(.*)\z/si) {
            $_ = $1 . $2 . rewrite_addrs($3, $k);
        } elsif (/\A(subject\s*:.*?)(\r?\n)\z/si) {
            $_ = "$1 (r$k)$2";
        }
    }
    return join('', @fields) . $rest;
}

# the same message under a Message-ID of its own
sub new_id {
    my ($m, $n) = @_;
    my ($head, $rest) = cut($m);
    return undef unless $head =~ s/^(message-id\s*:\s*<)([^<>\s]+>)/$1copy$n.$2/mi;
    return $head . $rest;
}

my $unique = $count - $dups;
my @msgs;
if ($replicas) {
    for (my $i = 0; @msgs < $unique; $i++) {
        push @msgs, replica($src[$i % @src], int($i / @src));
    }
} else {
    @msgs = @src[0 .. ($unique <= @src ? $unique : scalar @src) - 1];
    die "mkmail.pl: only " . scalar(@src) . " messages in the sources, $unique needed\n"
        if @msgs < $unique;
}

my ($exact, $copies) = (0, 0);
my @with_id = grep { (cut($msgs[$_]))[0] =~ /^message-id\s*:\s*<[^<>\s]+>/mi } 0 .. $#msgs;
for my $n (1 .. $dups) {
    if ($n % 3 == 0 && @with_id) {
        push @msgs, new_id($msgs[$with_id[int rand @with_id]], $n);
        $copies++;
    } else {
        push @msgs, $msgs[int rand $unique];
        $exact++;
    }
}

# Fisher-Yates
for (my $i = $#msgs; $i > 0; $i--) {
    my $j = int rand($i + 1);
    @msgs[$i, $j] = @msgs[$j, $i];
}

mkdir $out;
for my $i (0 .. $#msgs) {
    my $f = sprintf '%s/%04d.eml', $out, $i;
    open my $fh, '>:raw', $f or die "$f: $!\n";
    print $fh $msgs[$i];
    close $fh or die "$f: $!\n";
}
print "deliveries ", scalar @msgs, "\nunique $unique\nexact $exact\ncopies $copies\n";
