#!/usr/bin/perl
# check.pl - the checks of tests/hostile/run.sh, on the fixtures that
# killers.pl wrote.  Files are read as streams (a line, or 1 MB, at a
# time), so the 100 MB message is never held in memory.
#
#   check.pl bytes MANIFEST FIXTURES OUTPUTS [NAME...]
#       For each fixture (or each NAME), OUTPUTS/NAME.out is what
#       twoway-filter wrote for FIXTURES/NAME.eml (OUTPUTS "-": standard
#       input, for one NAME).  Passes when the output, minus our tag
#       fields, is the input minus its forged X-Twoway-* fields, byte for
#       byte; our tags are well formed and end the header block; the
#       fixture's flags hold (an Ask, a Balance, N forged fields).
#
#   check.pl milter [--max-field N] inet:PORT@HOST MANIFEST FIXTURES
#       Speaks the MTA side of the milter protocol (version 6) to a
#       running milter, one transaction per fixture on one connection,
#       and passes when the milter continues or accepts, never replaces
#       the body, deletes exactly the forged fields (applied as Sendmail
#       and as Postfix count them) and adds only well-formed tags.  A
#       header field longer than N bytes (default 1,000,000) is cut
#       there, as an MTA must: libmilter refuses a packet over 1 MB, and
#       Postfix keeps at most 100 KB of a field (header_size_limit).
#
# Prints one line per fixture: "ok NAME - what" or "not ok NAME - why".
# Exits 0 when all passed.
use strict;
use warnings;
use IO::Socket::INET;

my $CHUNK = 1024 * 1024;

# ---------------------------------------------------------------------
# Messages as raw.c reads them

# A line that starts a header field: a name of printable characters
# other than ':', blanks, then ':'.  Returns the name, or undef.
sub field_name {
    my ($line) = @_;
    return $line =~ /^([\x21-\x39\x3b-\x7e]+)[ \t]*:/ ? $1 : undef;
}

sub is_blank { return $_[0] eq "\n" || $_[0] eq "\r\n" }

# read_head(FH, FIELD): reads the header block, calling FIELD->(NAME,
# RAW) for each field (RAW: its bytes, continuation lines included) as
# it ends.  Returns the mbox From line, the number of fields and the
# line that ended the block (a blank line, or the first line of a body
# without separator; undef at the end of the data).
sub read_head {
    my ($fh, $field) = @_;
    my ($from, $line, $name, $raw);
    my $n = 0;
    local $/ = "\n";
    $line = <$fh>;
    if (defined $line && substr($line, 0, 5) eq 'From ') {
        $from = $line;
        $line = <$fh>;
    }
    while (defined $line) {
        last if is_blank($line);
        if ($line =~ /^[ \t]/) {
            last unless defined $name;      # a continuation with nothing to continue
            $raw .= $line;
        } elsif (defined(my $new = field_name($line))) {
            $field->($name, $raw) if defined $name;
            ($name, $raw) = ($new, $line);
            $n++;
        } else {
            last;                           # body without a separator line
        }
        $line = <$fh>;
    }
    $field->($name, $raw) if defined $name;
    return { from => $from, fields => $n, end => $line };
}

sub is_forged { return $_[0] =~ /^x-twoway-/i }

# same_rest(FH1, FH2): the rest of both streams is the same bytes.
sub same_rest {
    my ($a, $b) = @_;
    for (;;) {
        my $na = read($a, my $x, $CHUNK);
        my $nb = read($b, my $y, $CHUNK);
        return 0 unless defined $na && defined $nb;
        return 0 if $x ne $y;
        return 1 if $na == 0;
    }
}

# ---------------------------------------------------------------------
# Our tags

# decode_q(WORDS): the text of RFC 2047 Q-encoded words as bytes.
sub decode_q {
    my ($s) = @_;
    my $out = '';
    for my $w (split / /, $s) {
        next if $w eq '';
        return undef unless $w =~ /^=\?UTF-8\?Q\?([!-~]*?)\?=$/;
        (my $t = $1) =~ tr/_/ /;
        $t =~ s/=([0-9A-F]{2})/chr hex $1/ge;
        $out .= $t;
    }
    return $out;
}

# tag_problem(NAME, VALUE, EOL): why the field NAME whose raw value
# (after the colon, with its line ends) is VALUE is not a well-formed
# tag; undef when it is.
sub tag_problem {
    my ($name, $value, $eol) = @_;
    return "our field '$name' is not one of Ask, Balance, Thread"
        unless $name =~ /^X-Twoway-(Ask|Balance|Thread)$/;
    my $kind = $1;
    return "$name does not end in the message's line ending"
        unless substr($value, -length $eol) eq $eol;
    my @lines = split /\Q$eol\E/, substr($value, 0, -length $eol), -1;
    for my $i (0 .. $#lines) {
        my $l = $lines[$i];
        return "$name holds a byte that is not printable ASCII"
            if $l =~ /[^\t\x20-\x7e]/;
        return "$name has a line over 998 bytes" if length($l) + length($name) + 1 > 998;
        return "$name has a continuation line that does not start with a blank or is blank"
            if $i > 0 && ($l !~ /^[ \t]/ || $l !~ /\S/);
    }
    (my $v = join("", @lines)) =~ s/^[ \t]+//;
    if ($kind eq 'Ask') {
        $v =~ /^yes; score=(?:0\.\d\d|1\.00)(?:; cue=(.*))?$/ or return "Ask value '$v'";
        my $cue = $1;
        if (defined $cue) {
            my $text;
            if ($cue =~ /^"((?:[^"\\]|\\.)*)"$/) {
                ($text = $1) =~ s/\\(.)/$1/g;
            } elsif ($cue =~ /^ (=\?.*)$/) {
                $text = decode_q($1);
                return "Ask cue is neither a quoted string nor encoded words: '$cue'"
                    unless defined $text;
            } else {
                return "Ask cue '$cue'";
            }
            return "Ask cue carries a control character" if $text =~ /[\x00-\x1f\x7f]/;
            return "Ask cue is empty" if $text eq '';
        }
    } elsif ($kind eq 'Balance') {
        $v =~ /^(\S+|=\?UTF-8\?Q\?\S+\?=(?: =\?UTF-8\?Q\?\S+\?=)*); received=\d+; sent=\d+; you-owe=\d+; they-owe=\d+$/
            or return "Balance value '$v'";
        my $who = $1;
        return "Balance correspondent '$who' holds ';' or '\"'" if $who =~ /[;"]/;
    } else {
        $v =~ /^unanswered; asks=\d+; since=\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/
            or return "Thread value '$v'";
    }
    return undef;
}

# flags_problem(FLAGS, TAGS, FORGED): why the tags found (name =>
# count) or the forged count do not meet the fixture's flags.
sub flags_problem {
    my ($flags, $tags, $forged) = @_;
    for my $n (values %$tags) {
        return "a tag added twice" if $n > 1;
    }
    for my $f (split /,/, $flags) {
        return "no X-Twoway-Ask" if $f eq 'ask' && !$tags->{'X-Twoway-Ask'};
        return "no X-Twoway-Balance" if $f eq 'balance' && !$tags->{'X-Twoway-Balance'};
        return "$forged forged fields, the fixture has $1" if $f =~ /^forged=(\d+)$/ && $forged != $1;
    }
    return "$forged forged fields, the fixture has none"
        if $forged && $flags !~ /forged=/;
    return undef;
}

sub manifest {
    my ($path) = @_;
    open my $fh, '<', $path or die "$path: $!\n";
    my @m;
    while (<$fh>) {
        chomp;
        my ($name, $flags, $what) = split /\t/;
        push @m, [$name, $flags, $what];
    }
    return @m;
}

# ---------------------------------------------------------------------
# bytes: what the filter wrote

sub check_bytes {
    my ($in_path, $out_path, $flags) = @_;
    open my $in, '<:raw', $in_path or return "$in_path: $!";
    open my $out, '<:raw', $out_path or return "$out_path: $!";

    # the input: what must come out of it, and how many were forged
    my ($expect, $forged, $kept, $eol, $last_kept) = ('', 0, 0, undef, 0);
    my $hi = read_head($in, sub {
        my ($n, $raw) = @_;
        $eol //= $raw =~ /\r\n\z/ ? "\r\n" : "\n";
        $last_kept = !is_forged($n);
        if ($last_kept) { $expect .= $raw; $kept++ } else { $forged++ }
    });
    # the output: our tags are the fields that end the block; a forged
    # field anywhere is one too many
    my ($got, @ours, $left) = ('');
    my $ho = read_head($out, sub {
        my ($n, $raw) = @_;
        if ($n =~ /^X-Twoway-(?:Ask|Balance|Thread)$/) {
            push @ours, [$n, $raw];
            return;
        }
        for my $t (@ours, [$n, $raw]) {       # not at the end after all
            $left //= $t->[0] if is_forged($t->[0]);
            $got .= $t->[1];
        }
        @ours = ();
    });

    if (!$hi->{fields}) {           # not mail: passed untouched
        seek $_, 0, 0 for $in, $out;
        return same_rest($in, $out) ? "ok: not mail, passed untouched"
                                    : "not mail, but the output differs";
    }
    return "the From line changed" if ($hi->{from} // '') ne ($ho->{from} // '');
    return "a field '$left' is left in the output" if defined $left;
    my %tags;
    for my $t (@ours) {
        my ($n, $raw) = @$t;
        my $why = tag_problem($n, substr($raw, length($n) + 1), $eol);
        return $why if defined $why;
        $tags{$n}++;
    }
    # the only byte we may add: a line ending after a header block that
    # ends the data without one, when its last field is kept and tags follow
    $expect .= $eol if @ours && $last_kept && $expect !~ /\n\z/;
    if ($got ne $expect) {
        my $i = 0;
        $i++ while $i < length $got && substr($got, $i, 1) eq substr($expect, $i, 1);
        return sprintf "the header block differs at byte %d (%d bytes, expected %d)",
            $i, length $got, length $expect;
    }
    return "the line ending the header block differs"
        if ($hi->{end} // '') ne ($ho->{end} // '');
    return "the body differs" unless same_rest($in, $out);
    my $why = flags_problem($flags, \%tags, $forged);
    return $why if defined $why;
    return sprintf "ok: %d field(s) kept, %d forged removed, tags %s", $kept, $forged,
        join('+', map { s/^X-Twoway-//r } map { $_->[0] } @ours) || 'none';
}

# ---------------------------------------------------------------------
# milter: the MTA side of the protocol

my ($sock, $step);
my $outbuf = '';

# put(CMD, DATA): queues one packet; flush() sends what is queued (as an
# MTA does, several packets may go in one write when no reply is due).
sub put {
    my ($cmd, $data) = @_;
    $data //= '';
    $outbuf .= pack('N', length($data) + 1) . $cmd . $data;
    flush() if length $outbuf >= 65536;
}
sub flush {
    while (length $outbuf) {
        my $n = syswrite($sock, $outbuf);
        die "closed at $step\n" unless $n;
        substr($outbuf, 0, $n, '');
    }
}
sub get {
    flush();
    my $hdr = '';
    while (length $hdr < 5) {
        my $n = sysread($sock, $hdr, 5 - length $hdr, length $hdr);
        die "closed at $step\n" unless $n;
    }
    my ($len, $cmd) = unpack('N a', $hdr);
    my $data = '';
    while (length $data < $len - 1) {
        my $n = sysread($sock, $data, $len - 1 - length $data, length $data);
        die "closed at $step\n" unless $n;
    }
    return ($cmd, $data);
}

my $prot = 0;
my %noreply = (mail => 0x4000, rcpt => 0x8000, header => 0x80, eoh => 0x40000, body => 0x80000,
               connect => 0x1000, helo => 0x2000);
my %skip = (connect => 0x1, helo => 0x2, mail => 0x4, rcpt => 0x8, body => 0x10,
            header => 0x20, eoh => 0x40);

# step(NAME, CMD, DATA): sends; returns the reply when one is due and
# it is not "continue" (the transaction ends there), else undef.
sub step {
    my ($name, $cmd, $data) = @_;
    $step = $name;
    return undef if $prot & $skip{$name};
    put($cmd, $data);
    return undef if $prot & $noreply{$name};
    my ($r) = get();
    return $r eq 'c' ? undef : $r;
}

sub milter_connect {
    my ($host, $port) = @_;
    $step = 'connect';
    $sock = IO::Socket::INET->new(PeerAddr => $host, PeerPort => $port, Proto => 'tcp')
        or die "cannot connect to $host:$port: $!\n";
    binmode $sock;
    $step = 'optneg';
    put('O', pack('NNN', 6, 0x1FF, 0x1FFFFF));
    my ($c, $d) = get();
    die "no option negotiation reply\n" unless $c eq 'O';
    (undef, undef, $prot) = unpack('NNN', $d);
    my $r = step('connect', 'C', "mx.example.net\0" . '4' . pack('n', 25) . "192.0.2.25\0");
    die "connect: reply $r\n" if defined $r;
    $r = step('helo', 'H', "mx.example.net\0");
    die "helo: reply $r\n" if defined $r;
}

# header_value(RAW, MAX): the value of a field as an MTA passes it: after
# the colon, less one blank, CRLF as LF, without the final line ending,
# cut at MAX bytes.
sub header_value {
    my ($raw, $max) = @_;
    my $v = substr($raw, index($raw, ':') + 1);
    $v =~ s/^[ \t]//;
    $v =~ s/\r\n/\n/g;
    $v =~ s/\n\z//;
    return length $v > $max ? substr($v, 0, $max) : $v;
}

# send_body(FH, FIRST): the body in SMTP form (line ends as CRLF), in
# packets of 65535 bytes; FIRST is the line that began it, if any.
sub send_body {
    my ($fh, $first) = @_;
    my ($pending, $carry) = ('', '');
    my $flush = sub {
        my ($all) = @_;
        while (length $pending >= 65535 || ($all && length $pending)) {
            my $r = step('body', 'B', substr($pending, 0, 65535, ''));
            return $r if defined $r;
        }
        return undef;
    };
    my $data = $first // '';
    for (;;) {
        $data = $carry . $data;
        $carry = '';
        # a CR at the end may be the first half of a CRLF
        $carry = chop $data if substr($data, -1) eq "\r";
        $data =~ s/\r?\n/\r\n/g;
        $pending .= $data;
        my $r = $flush->(0);
        return $r if defined $r;
        my $n = read($fh, $data, $CHUNK);
        die "read: $!\n" unless defined $n;
        last if $n == 0;
    }
    $pending .= $carry;
    return $flush->(1);
}

# milter_one(PATH, FLAGS, MAX, QID): one transaction: "ok: ..." or why not.
sub milter_one {
    my ($path, $flags, $max, $qid) = @_;
    open my $fh, '<:raw', $path or return "$path: $!";

    put('D', "M" . "i\0$qid\0");
    my $r = step('mail', 'M', "<alice\@example.com>\0");
    return "reply '$r' to MAIL" if defined $r;
    $r = step('rcpt', 'R', "<robin\@example.org>\0");
    return "reply '$r' to RCPT" if defined $r;
    # the fields go as they are read; of the forged ones, how many of
    # each name (any case) there are
    my ($forged, %forged) = (0);
    my $head = read_head($fh, sub {
        my ($n, $raw) = @_;
        return if defined $r;
        if (is_forged($n)) {
            $forged++;
            $forged{lc $n}++;
        }
        $r = step('header', 'L', "$n\0" . header_value($raw, $max) . "\0");
    });
    return "reply '$r' to a header" if defined $r;
    $r = step('eoh', 'N', '');
    return "reply '$r' at the end of the header" if defined $r;
    my $first = $head->{end};
    $first = undef if defined $first && is_blank($first);
    $r = send_body($fh, $first);
    return "reply '$r' to the body" if defined $r;
    $step = 'eom';
    put('E', '');
    my (@adds, @deletes, $final);
    for (;;) {
        my ($c, $d) = get();
        if ($c eq 'h') {
            my ($n, $v) = split /\0/, $d, 3;
            push @adds, [$n, $v];
        } elsif ($c eq 'm') {
            my $idx = unpack('N', $d);
            my ($n, $v) = split /\0/, substr($d, 4), 3;
            return "changes $n #$idx to '$v' instead of deleting it" if defined $v && $v ne '';
            push @deletes, [$n, $idx];
        } elsif ($c =~ /^[catrdy]$/) {
            $final = $c;
            last;
        } elsif ($c eq 'b') {
            return "replaces the body (SMFIR_REPLBODY)";
        } else {
            return "an action '$c' the milter has no business sending";
        }
    }
    return "final reply '$final' (not continue or accept)" unless $final eq 'c' || $final eq 'a';

    # The deletions as Sendmail counts them (the index among all the
    # fields of that name, deleted ones included) and as Postfix does
    # (among those left): each must name the same forged field, and all
    # the forged fields must go.  A deletion of any other field fails.
    my (%gone, %left);
    for my $d (@deletes) {
        my ($n, $idx) = @$d;
        my $k = lc $n;
        return "deletes $n #$idx, which is not a forged field" unless $forged{$k};
        return "deletes $n #$idx, which Sendmail would not find"
            unless $idx >= 1 && $idx <= $forged{$k} && !$gone{$k}{$idx};
        $left{$k} //= [1 .. $forged{$k}];
        return "deletes $n #$idx, which Postfix would not find" if $idx > @{ $left{$k} };
        my ($pf) = splice @{ $left{$k} }, $idx - 1, 1;
        return "deletes $n #$idx: Sendmail and Postfix would delete different fields"
            if $pf != $idx;
        $gone{$k}{$idx} = 1;
    }
    return sprintf "deletes %d of the %d forged fields", scalar @deletes, $forged
        if @deletes != $forged;

    my %tags;
    for my $a (@adds) {
        my ($n, $v) = @$a;
        my $why = tag_problem($n, " $v\n", "\n");
        return "added $why" if defined $why;
        $tags{$n}++;
    }
    my $why = flags_problem($flags, \%tags, $forged);
    return $why if defined $why;
    return sprintf "ok: %d field(s) sent, %d forged deleted, tags %s, reply %s", $head->{fields},
        scalar @deletes, join('+', map { $_->[0] =~ s/^X-Twoway-//r } @adds) || 'none', $final;
}

# ---------------------------------------------------------------------

my $mode = shift @ARGV // '';
my $bad = 0;
if ($mode eq 'bytes') {
    my ($manifest, $fx, $outs, @only) = @ARGV;
    my %only = map { $_ => 1 } @only;
    for my $m (manifest($manifest)) {
        my ($name, $flags, $what) = @$m;
        next if %only && !$only{$name};
        my $out = $outs eq '-' ? '/dev/stdin' : "$outs/$name.out";
        next unless -e $out;
        my $r = check_bytes("$fx/$name.eml", $out, $flags);
        my $ok = $r =~ s/^ok: //;
        $bad++ unless $ok;
        print $ok ? "ok" : "not ok", " $name - $what: $r\n";
    }
} elsif ($mode eq 'milter') {
    my $max = 1_000_000;
    if (@ARGV && $ARGV[0] eq '--max-field') { shift @ARGV; $max = shift @ARGV }
    my ($spec, $manifest, $fx, @only) = @ARGV;
    my %only = map { $_ => 1 } @only;
    my ($port, $host) = $spec =~ /^inet:(\d+)\@(.+)$/ or die "$spec: not inet:PORT\@HOST\n";
    $SIG{PIPE} = 'IGNORE';
    $| = 1;
    my $n = 0;
    for my $m (manifest($manifest)) {
        my ($name, $flags, $what) = @$m;
        next if %only && !$only{$name};
        next unless -e "$fx/$name.eml";
        my $r = eval {
            milter_connect($host, $port) unless $sock;
            local $SIG{ALRM} = sub { die "no answer within 60 s at $step\n" };
            alarm 60;
            my $x = milter_one("$fx/$name.eml", $flags, $max, sprintf('HOST%04d', ++$n));
            alarm 0;
            $x;
        };
        if (!defined $r) {
            chomp(my $e = $@ || 'unknown error');
            $r = "the conversation broke: $e";
            close $sock if $sock;
            undef $sock;          # a new connection for the next one
        }
        my $ok = $r =~ s/^ok: //;
        $bad++ unless $ok;
        print $ok ? "ok" : "not ok", " $name - $what: $r\n";
        if (!$ok && $sock) {      # the conversation is off its tracks
            close $sock;
            undef $sock;
        }
    }
    if ($sock) {
        $step = 'quit';
        eval { put('Q', ''); flush() };
        close $sock;
    }
} else {
    die "usage: check.pl bytes MANIFEST FIXTURES OUTPUTS|- [NAME...]\n"
      . "       check.pl milter [--max-field N] inet:PORT\@HOST MANIFEST FIXTURES [NAME...]\n";
}
exit($bad ? 1 : 0);
