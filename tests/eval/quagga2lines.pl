#!/usr/bin/perl
# quagga2lines.pl - turns Quagga's zone-labelled mail into "A>" (the
# author's own text) and "R>" (everything else) lines, one output file a
# mail, for `twoway-eval zones`.
#
# Enron (annotated_lines): "B>" lines before the first "H>" are the
# author's; later "B>" lines are quoted mails, "H>" their headers, "S>"
# signatures.  ASF (.ann JSON): the first "Body" span, without its
# "Body/Signature", is the author's.  An ASF mail whose quoted part was
# not annotated (no "Header" span, yet quote marks or "wrote:" in the
# text) says nothing about quotes and is left out.
#
# usage: quagga2lines.pl QUAGGA_DIR OUT_DIR
use strict;
use warnings;
use JSON::PP;

my ($in, $out) = @ARGV;
die "usage: $0 QUAGGA_DIR OUT_DIR\n" unless defined $out;
mkdir $out;
my $n = 0;

sub emit {
    my ($name, $lines) = @_;
    open my $fh, '>:encoding(UTF-8)', "$out/$name.lines" or die "$out/$name.lines: $!\n";
    print $fh $_, "\n" for @$lines;
    close $fh;
    $n++;
}

for my $f (glob "$in/enron_annotated_lines/*") {
    open my $fh, '<', $f or die "$f: $!\n";
    my (@lines, $seen_header);
    while (my $l = <$fh>) {
        chomp $l;
        $l =~ s/\r\z//;
        next unless $l =~ /\A([BHS])>(.*)\z/s;
        my ($tag, $text) = ($1, $2);
        $seen_header ||= $tag eq 'H';
        push @lines, (($tag eq 'B' && !$seen_header) ? 'A>' : 'R>') . $text;
    }
    (my $name = $f) =~ s{.*/}{enron_};
    emit($name, \@lines);
}

for my $f (glob "$in/asf/*/*.ann") {
    open my $fh, '<', $f or die "$f: $!\n";
    local $/;
    my $d = decode_json(<$fh>);
    my $text = $d->{text};
    my @spans = sort { $a->{start} <=> $b->{start} } @{$d->{denotations}};
    my ($body) = grep { $_->{type} eq 'Body' } @spans;
    next unless $body;
    my $headers = grep { $_->{type} eq 'Header' } @spans;
    next if !$headers && $text =~ /^\s*>|wrote:\s*$/m;
    my @sigs = grep { $_->{type} eq 'Body/Signature' && $_->{start} >= $body->{start}
                      && $_->{end} <= $body->{end} } @spans;
    my (@lines, $pos);
    $pos = 0;
    for my $l (split /\n/, $text, -1) {
        my $author = $pos >= $body->{start} && $pos < $body->{end}
                     && !grep { $pos >= $_->{start} && $pos < $_->{end} } @sigs;
        push @lines, ($author ? 'A>' : 'R>') . $l;
        $pos += length($l) + 1;
    }
    pop @lines if @lines && $lines[-1] =~ /\A[AR]>\z/;
    (my $name = $f) =~ s{.*/asf/}{asf_};
    $name =~ s{/}{_}g;
    $name =~ s/\.ann\z//;
    emit($name, \@lines);
}
print "$n mails\n";
