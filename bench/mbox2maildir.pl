#!/usr/bin/perl
# mbox2maildir.pl - writes the messages of mbox files into a maildir
# (cur/), one file each, without the "From " line.
# usage: mbox2maildir.pl MAILDIR MBOX...
use strict;
use warnings;

my $dir = shift @ARGV;
mkdir $dir;
mkdir "$dir/$_" for qw(cur new tmp);
my $n = 0;
for my $file (@ARGV) {
    open my $fh, '<:raw', $file or die "$file: $!\n";
    local $/;
    my $data = <$fh>;
    for my $msg (split /(?:\A|(?<=\n\n))(?=From )/, $data) {
        next if $msg eq '';
        $msg =~ s/\AFrom [^\n]*\n//;
        $n++;
        open my $out, '>:raw', sprintf("%s/cur/%08d.bench:2,S", $dir, $n) or die "$!\n";
        print $out $msg;
        close $out;
    }
}
print "$n messages\n";
