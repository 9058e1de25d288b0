#!/usr/bin/perl
# tagcheck.pl - checks what a filter wrote for each delivery against
# what it was given: the input, less any X-Twoway-* field it arrived
# with, with a block of our fields inserted at the end of its header
# block, and not one other byte changed.
#
# The block may be empty (bulk mail, mail passed untagged).  When it
# is not, it holds only X-Twoway-Ask, X-Twoway-Balance and
# X-Twoway-Thread fields, each at most once, folded with blanks, in
# the line ending of the message's first line, ASCII, lines of at most
# 998 bytes.
#
# For each NNNN given on stdin (INDIR/NNNN.eml, OUTDIR/NNNN.out) prints
# one line: "NNNN tagged", "NNNN untagged" or "NNNN bad WHY", and for a
# delivery carrying X-Twoway-Balance a line
# "balance NNNN CORRESPONDENT RECEIVED SENT".
#
# usage: tagcheck.pl INDIR OUTDIR < LIST
use strict;
use warnings;

my ($indir, $outdir) = @ARGV;
die "usage: tagcheck.pl INDIR OUTDIR < LIST\n" unless defined $outdir;

sub slurp {
    my ($path) = @_;
    open my $fh, '<:raw', $path or return undef;
    local $/;
    my $d = <$fh>;
    return $d // '';
}

# The header block (every line before the first empty one, with its
# line ending) and the rest (from the empty line on).
sub cut {
    my ($m) = @_;
    return ('', $m) if $m =~ /\A\r?\n/;
    return ($1, $2) if $m =~ /\A(.*?\n)(\r?\n.*)\z/s;
    return ($m, '');
}

sub check {
    my ($id, $in, $out) = @_;
    my ($head, $rest) = cut($in);
    my $eol = $in =~ /\A[^\n]*\r\n/ ? "\r\n" : "\n";
    my @fields = split /(?=^[^ \t])/m, $head;
    my $kept = join '', grep { !/\A[xX]-[tT][wW][oO][wW][aA][yY]-/ } @fields;

    return "bad output shorter than the input without forged tags"
        if length $out < length($kept) + length($rest);
    return "bad header block changed before the tags"
        if substr($out, 0, length $kept) ne $kept;
    return "bad body or the empty line changed"
        if substr($out, length($out) - length($rest)) ne $rest;
    my $block = substr($out, length $kept, length($out) - length($kept) - length($rest));
    return "untagged" if $block eq '';

    return "bad tag block does not end with the message's line ending"
        unless substr($block, -length $eol) eq $eol;
    return "bad tag block is not ASCII" if $block =~ /[^\x00-\x7f]/;
    my @lines = split /(?<=\n)/, $block;
    my (%seen, $cur, %value);
    for my $l (@lines) {
        return "bad line ending in the tag block"
            unless substr($l, -length $eol) eq $eol && ($eol eq "\r\n" || $l !~ /\r/);
        my $text = substr($l, 0, length($l) - length $eol);
        return "bad stray CR in the tag block" if $text =~ /[\r\n]/;
        return "bad tag line longer than 998 bytes" if length $text > 998;
        if ($text =~ /\AX-Twoway-(Ask|Balance|Thread): (.*)\z/) {
            return "bad two X-Twoway-$1 fields" if $seen{$1}++;
            $cur = $1;
            $value{$cur} = $2;
        } elsif (defined $cur && $text =~ /\A[ \t]+\S/) {
            $value{$cur} .= $text;
        } else {
            return "bad stray line in the tag block: $text";
        }
    }
    if (defined $value{Balance}) {
        my $b = $value{Balance};
        return "bad X-Twoway-Balance: $b"
            unless $b =~ /\A(\S+); received=(\d+); sent=(\d+); you-owe=\d+; they-owe=\d+\z/;
        print "balance $id $1 $2 $3\n";
    }
    return "tagged";
}

while (my $id = <STDIN>) {
    chomp $id;
    my $in = slurp("$indir/$id.eml");
    my $out = slurp("$outdir/$id.out");
    if (!defined $in || !defined $out) {
        print "$id bad missing input or output\n";
        next;
    }
    print "$id ", check($id, $in, $out), "\n";
}
