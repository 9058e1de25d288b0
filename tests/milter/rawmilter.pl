#!/usr/bin/perl
# rawmilter.pl - the MTA side of the milter protocol (version 6), for
# what miltertest cannot send: Debian's miltertest copies a header into
# a 1 KB stack buffer (a longer mt.header() smashes its stack), so a
# 100 KB header line goes through this client instead.
#
# usage: rawmilter.pl [--client IP] [--from ADDR] [--rcpt ADDR]...
#                     [--qid ID] [--auth USER] inet:PORT@HOST MESSAGE-FILE
#
# Sends the message as an MTA does: CONNECT, HELO, MAIL, RCPT, one
# HEADER per header field (continuation lines kept in the value, CRLF
# as LF), EOH, the body in chunks of 65535 bytes, end of message.
# Negotiates as a current MTA (protocol 6, all steps and all no-reply
# options offered: 0x1FFFFF); RAW_MDS=1 in the environment also offers
# SMFIP_MDS_256K and SMFIP_MDS_1M (larger packets).
# Prints one line per event:
#   reply STEP CHAR      the milter's reply to a step (c = continue),
#                        for the steps it did not ask to skip replying to
#   add NAME: VALUE      a header the milter added
#   change INDEX NAME: VALUE   a header it changed (empty value: deleted)
#   final CHAR           the reply at end of message
#   closed STEP          the milter closed the connection at STEP
# Exits 0 when the conversation reached its final reply, 1 otherwise.
use strict;
use warnings;
use IO::Socket::INET;
use Getopt::Long;

my ($client, $from, $qid, $auth) = ('192.0.2.25', '<alice@example.com>', 'RAW1', '');
my @rcpt;
GetOptions('client=s' => \$client, 'from=s' => \$from, 'rcpt=s' => \@rcpt,
           'qid=s' => \$qid, 'auth=s' => \$auth) or die "bad options\n";
@rcpt = ('<robin@example.org>') unless @rcpt;
my ($spec, $file) = @ARGV;
die "usage: rawmilter.pl [options] inet:PORT\@HOST FILE\n" unless defined $file;
my ($port, $host) = $spec =~ /^inet:(\d+)\@(.+)$/ or die "$spec: not inet:PORT\@HOST\n";

open my $fh, '<:raw', $file or die "$file: $!\n";
my $msg = do { local $/; <$fh> };
close $fh;
$msg =~ s/\r\n/\n/g;
my ($head, $body) = split /\n\n/, $msg, 2;
$body = '' unless defined $body;
$body =~ s/\n/\r\n/g;
my @fields;
for my $line (split /\n/, $head) {
    if ($line =~ /^[ \t]/ && @fields) { $fields[-1][1] .= "\n$line"; next }
    my ($n, $v) = $line =~ /^([^:]*):[ \t]?(.*)$/s or next;
    push @fields, [$n, $v];
}

$| = 1;
$SIG{PIPE} = 'IGNORE';
$SIG{ALRM} = sub { print "closed timeout\n"; exit 1 };
alarm 30;
my $s = IO::Socket::INET->new(PeerAddr => $host, PeerPort => $port, Proto => 'tcp')
    or do { print "closed connect\n"; exit 1 };
binmode $s;

my $step = 'optneg';
sub put { my ($cmd, $data) = @_; $data = '' unless defined $data;
          print {$s} pack('N', length($data) + 1) . $cmd . $data or do { print "closed $step\n"; exit 1 } }
sub get {
    my $hdr = '';
    while (length $hdr < 5) { my $n = sysread($s, $hdr, 5 - length $hdr, length $hdr);
                              if (!$n) { print "closed $step\n"; exit 1 } }
    my ($len, $cmd) = unpack('N a', $hdr);
    my $data = '';
    while (length $data < $len - 1) { my $n = sysread($s, $data, $len - 1 - length $data, length $data);
                                      if (!$n) { print "closed $step\n"; exit 1 } }
    return ($cmd, $data);
}

# negotiation: what a current MTA offers
put('O', pack('NNN', 6, 0x1FF, 0x1FFFFF | ($ENV{RAW_MDS} ? 0x30000000 : 0)));
my ($c, $d) = get();
$c eq 'O' or do { print "closed optneg\n"; exit 1 };
my (undef, $acts, $prot) = unpack('NNN', $d);
my %noreply = (connect => 0x1000, helo => 0x2000, mail => 0x4000, rcpt => 0x8000,
               header => 0x80, eoh => 0x40000, body => 0x80000);
my %skip = (connect => 0x1, helo => 0x2, mail => 0x4, rcpt => 0x8, body => 0x10,
            header => 0x20, eoh => 0x40);

sub step {
    my ($name, $cmd, $data) = @_;
    $step = $name;
    return if $prot & $skip{$name};
    put($cmd, $data);
    return if $prot & $noreply{$name};
    my ($r) = get();
    print "reply $name $r\n";
    if ($r ne 'c') { print "final $r\n"; exit 0 }
}

step('connect', 'C', "mx.example.net\0" . '4' . pack('n', 25) . "$client\0");
step('helo', 'H', "mx.example.net\0");
my $macros = "i\0$qid\0";
$macros .= "{auth_authen}\0$auth\0" if $auth ne '';
put('D', 'M' . $macros);
step('mail', 'M', "$from\0");
step('rcpt', 'R', "$_\0") for @rcpt;
step('header', 'L', "$_->[0]\0$_->[1]\0") for @fields;
step('eoh', 'N', '');
for (my $i = 0; $i < length $body; $i += 65535) {
    step('body', 'B', substr($body, $i, 65535));
}
$step = 'eom';
put('E', '');
for (;;) {
    my ($r, $data) = get();
    if ($r eq 'h') {
        my ($n, $v) = split /\0/, $data, 3;
        print "add $n: $v\n";
    } elsif ($r eq 'm') {
        my $idx = unpack('N', $data);
        my ($n, $v) = split /\0/, substr($data, 4), 3;
        print "change $idx $n: ", (defined $v ? $v : ''), "\n";
    } elsif ($r eq 'i') {
        my $idx = unpack('N', $data);
        my ($n, $v) = split /\0/, substr($data, 4), 3;
        print "insert $idx $n: $v\n";
    } elsif ($r eq 'y') {
        $data =~ s/\0.*//s;
        print "replycode $data\n";
        print "final y\n";
        last;
    } elsif ($r =~ /^[catrd]$/) {
        print "final $r\n";
        last;
    } else {
        print "action $r\n";
    }
}
put('Q', '');
close $s;
exit 0;
