#!/usr/bin/perl
# mboxcount.pl - counts what twoway should record from mbox files,
# straight from the headers, without twoway's code.
#
# A message is counted once: a second message with a Message-ID seen
# before, or with the same sender, Date, Subject and body as one seen
# before, is a copy.  A message is the owner's when it is in a file
# named with a "sent:" prefix or its From is OWNER.  Prints
# "messages N", "outgoing N", "incoming N", and per address
# "from ADDR N" (messages from ADDR), "personal ADDR N" (of those, the
# ones naming OWNER in To or Cc) and "to ADDR N" (the owner's messages
# naming ADDR in To, Cc or Bcc).  Addresses of mailing lists (X-Mailing-List,
# List-Post) are no correspondents and left out.
#
# usage: mboxcount.pl OWNER [sent:]FILE...
use strict;
use warnings;

my $owner = lc shift @ARGV;
my (%seen_id, %seen_content, %from, %personal, %to, %lists);
my ($messages, $outgoing) = (0, 0);

# Lower case, "user+tag@host" as "user@host" (the default
# SubAddressDelimiter).
sub plain {
    my ($a) = @_;
    $a = lc $a;
    $a =~ s/\A([^+@]+)\+[^@]*@/$1@/;
    return $a;
}

sub address {
    my ($v) = @_;
    return plain($1) if $v =~ /<([^<>\s]+@[^<>\s]+)>/;
    return plain($1) if $v =~ /([^\s<>,;"]+@[^\s<>,;"]+)/;
    return '';
}

sub addresses {
    my ($v) = @_;
    my @out;
    push @out, plain($1) while $v =~ /([^\s<>,;:"()]+@[^\s<>,;:"()]+)/g;
    return @out;
}

sub finish {
    my ($head, $body, $sent) = @_;
    return unless defined $head;
    my %h;
    $head =~ s/\r?\n[ \t]+/ /g;    # unfold
    for my $line (split /\r?\n/, $head) {
        next unless $line =~ /^([!-9;-~]+)\s*:\s*(.*)$/;
        my ($name, $value) = (lc $1, $2);
        if (!defined $h{$name}) {
            $h{$name} = $value;
        } elsif ($name =~ /\A(?:to|cc|bcc)\z/) {
            $h{$name} .= ", $value";
        }
    }
    my $id = ($h{'message-id'} // '') =~ /<([^>]+)>/ ? $1 : '';
    my $from = address($h{from} // '');
    $body =~ s/\s+\z//;
    $body =~ s/\r\n/\n/g;
    my $content = join "\n", $from, $h{date} // '', $h{subject} // '', $body;
    my $copy = ($id ne '' && $seen_id{$id}) || $seen_content{$content};
    $seen_id{$id} = 1 if $id ne '';
    $seen_content{$content} = 1;
    return if $copy;
    $messages++;
    $lists{lc $1} = 1 if ($h{'x-mailing-list'} // '') =~ /([^\s<>]+@[^\s<>]+)/;
    $lists{lc $1} = 1 if ($h{'list-post'} // '') =~ /mailto:([^\s<>?]+)/;
    my @rcpt = addresses(join ', ', $h{to} // '', $h{cc} // '');
    if ($sent || $from eq $owner) {
        $outgoing++;
        my %u = map { $_ => 1 } grep { $_ ne $owner }
            @rcpt, addresses($h{bcc} // '');
        $to{$_}++ for keys %u;
    } else {
        $from{$from}++;
        $personal{$from}++ if grep { $_ eq $owner } @rcpt;
    }
}

for my $arg (@ARGV) {
    my $sent = $arg =~ s/\Asent://;
    my $file = $arg;
    open my $fh, '<', $file or die "$file: $!\n";
    local $/;
    my $data = <$fh>;
    close $fh;
    # messages start at "From " lines at the start or after a blank line
    for my $msg (split /(?:\A|(?<=\n\n))(?=From )/, $data) {
        next if $msg eq '';
        $msg =~ s/\AFrom [^\n]*\n//;
        my ($head, $body) = split /\r?\n\r?\n/, $msg, 2;
        finish($head, $body // '', $sent);
    }
}
print "messages $messages\n";
print "outgoing $outgoing\n";
print "incoming ", $messages - $outgoing, "\n";
print "from $_ $from{$_}\n" for sort grep { $_ ne '' && !$lists{$_} } keys %from;
print "personal $_ $personal{$_}\n" for sort grep { $_ ne '' && !$lists{$_} } keys %personal;
print "to $_ $to{$_}\n" for sort grep { !$lists{$_} } keys %to;
