#!/usr/bin/perl
# killers.pl - writes the hostile messages of tests/hostile/run.sh: the
# known killers of mail filters (huge fields and lines, 10,000 parts,
# 1,000 levels of nesting, broken encodings and charsets, NUL bytes, a
# missing header/body separator, RFC 2047 everywhere, 100 MB) and
# header injection (CR, LF and NUL in subjects, cues and addresses,
# raw or encoded, and forged X-Twoway-* fields in odd spellings).
#
# usage: killers.pl DIR [NAME...]
#
# Writes DIR/NAME.eml for each fixture (every one when no NAME is
# given) and DIR/MANIFEST, one line per fixture:
#     NAME <TAB> FLAGS <TAB> WHAT
# FLAGS is a comma-separated list of what the message must still give:
#     ask      an X-Twoway-Ask (the ask in its first text survives)
#     balance  an X-Twoway-Balance (a readable sender, personal mail)
#     forged=N how many X-Twoway-* fields it carries (all to be removed)
#     big      the 100 MB message (its output is checked as a stream)
#     sent     also run through twoway-filter --sent --pass
#     once     through the milter once only (slow to send: 1,000,000
#              fields, 100 MB), not again in its second pass
#     -        nothing is promised beyond passing whole
# Every byte is fixed by this script: the same files on every run.
use strict;
use warnings;

my $dir = shift @ARGV or die "usage: killers.pl DIR [NAME...]\n";
my %only = map { $_ => 1 } @ARGV;
-d $dir or mkdir $dir or die "$dir: $!\n";

my $MB = 1024 * 1024;
my @manifest;

# head(%opts): a header block (LF), without the blank line.
sub head {
    my (%o) = @_;
    my $name = $o{name};
    my @h;
    # a sender of its own for each: one sender's tenth unanswered
    # message would be read as bulk
    push @h, "From: " . ($o{from} // "Alice Example <alice.$name\@example.com>")
        unless exists $o{no_from};
    push @h, "To: " . ($o{to} // 'Robin Owner <robin@example.org>');
    push @h, "Subject: " . ($o{subject} // "Hostile input: $name");
    push @h, "Message-ID: " . ($o{id} // "<$name\@hostile.example.com>");
    push @h, "Date: Tue, 10 Mar 2026 12:00:00 +0000";
    push @h, "MIME-Version: 1.0";
    push @h, "Content-Type: " . ($o{type} // 'text/plain; charset=utf-8');
    push @h, "Content-Transfer-Encoding: $o{cte}" if $o{cte};
    push @h, @{ $o{extra} } if $o{extra};
    return join('', map { "$_\n" } @h);
}

# The ask every fixture carries in its first text, so that the byte
# checks run on messages that do get tags.
sub ask_text {
    my ($name) = @_;
    return "Hi Robin,\n\nCould you check the $name message for me by Friday?\n\nAlice\n";
}

# fixture(NAME, FLAGS, WHAT, CODE): CODE gets a file handle to write to.
sub fixture {
    my ($name, $flags, $what, $code) = @_;
    push @manifest, "$name\t$flags\t$what\n";
    return if %only && !$only{$name};
    open my $fh, '>:raw', "$dir/$name.eml" or die "$dir/$name.eml: $!\n";
    $code->($fh);
    close $fh or die "$dir/$name.eml: $!\n";
}

# crlf(TEXT): LF line ends as CRLF.
sub crlf { my ($s) = @_; $s =~ s/\n/\r\n/g; return $s }

# ---------------------------------------------------------------------
# From fields with more or less than one address

fixture('from-two', 'ask,balance,sent', 'two From fields', sub {
    my $h = head(name => 'from-two');
    $h =~ s/^(From: .*\n)/$1From: Mallory <mallory.from-two\@example.net>\n/m;
    print { $_[0] } $h, "\n", ask_text('from-two');
});
fixture('from-three', 'ask,balance,sent', 'one From field with three addresses', sub {
    print { $_[0] } head(name => 'from-three', from =>
        'Alice Example <alice.from-three@example.com>, bob@example.com,' . "\n" .
        ' "Carol, C." <carol@example.com>'), "\n", ask_text('from-three');
});
fixture('from-empty', 'sent', 'From field with an empty value', sub {
    print { $_[0] } head(name => 'from-empty', from => ''), "\n", ask_text('from-empty');
});
fixture('from-undisclosed', 'sent', 'From: undisclosed-recipients:;', sub {
    print { $_[0] } head(name => 'from-undisclosed', from => 'undisclosed-recipients:;'),
        "\n", ask_text('from-undisclosed');
});
fixture('from-garbage', 'sent', 'From field of garbage', sub {
    print { $_[0] } head(name => 'from-garbage',
        from => "<<@>> ,;:\\ \"unterminated (comment \x01\x7f =?utf-8?q?=FF?= @@ <"),
        "\n", ask_text('from-garbage');
});
fixture('from-none', 'sent', 'no From field at all', sub {
    print { $_[0] } head(name => 'from-none', no_from => 1), "\n", ask_text('from-none');
});

# ---------------------------------------------------------------------
# Size: fields, lines, parts, depth

# folded(NAME, BYTES, WORD): one field of about BYTES bytes, folded
# every 76 columns.
sub folded {
    my ($name, $bytes, $word) = @_;
    my $out = "$name:";
    my $line = length $out;
    my $i = 0;
    while (length $out < $bytes) {
        my $w = sprintf $word, $i++;
        if ($line + 1 + length $w > 76) { $out .= "\n"; $line = 0 }
        $out .= " $w";
        $line += 1 + length $w;
    }
    return "$out\n";
}

fixture('field-1mb', 'ask,balance', 'one folded field of 1 MB', sub {
    print { $_[0] } head(name => 'field-1mb'), folded('X-Folded', $MB, 'word%d'),
        "\n", ask_text('field-1mb');
});
fixture('to-1mb', 'ask,sent', 'a folded To field of 1 MB: 40,000 addresses', sub {
    my $h = head(name => 'to-1mb');
    my $to = folded('To', $MB, 'user%d@example.net,');
    $to =~ s/,\n\z/,\n Robin Owner <robin\@example.org>\n/;
    $h =~ s/^To: .*\n/$to/m;
    print { $_[0] } $h, "\n", ask_text('to-1mb');
});
fixture('fields-1m', 'ask,balance,once', 'a header of 1,000,000 short fields (7 MB)', sub {
    my $fh = shift;
    print $fh head(name => 'fields-1m');
    print $fh "X-F: v\n" x 10_000 for 1 .. 100;
    print $fh "\n", ask_text('fields-1m');
});
fixture('references-1mb', 'ask,balance,sent', 'References and In-Reply-To of 1 MB: 30,000 ids', sub {
    my $refs = folded('References', $MB, '<ref%d@hostile.example.com>');
    my $irt = folded('In-Reply-To', 64 * 1024, '<irt%d@hostile.example.com>');
    print { $_[0] } head(name => 'references-1mb'), $refs, $irt, "\n", ask_text('references-1mb');
});
fixture('line-1mb-header', 'ask,balance', 'an unfolded header line of 1 MB', sub {
    print { $_[0] } head(name => 'line-1mb-header'), 'X-Line: ', 'h' x $MB, "\n",
        "\n", ask_text('line-1mb-header');
});
fixture('subject-1mb', 'balance', 'an unfolded Subject of 1 MB of words', sub {
    print { $_[0] } head(name => 'subject-1mb', subject => 'Could you look? ' x ($MB / 16)),
        "\n", ask_text('subject-1mb');
});
fixture('line-1mb-body', 'balance', 'a body line of 1 MB without a space', sub {
    print { $_[0] } head(name => 'line-1mb-body'), "\nCould you read this? ", 'x' x $MB, "\n";
});
fixture('line-1mb-words', 'ask,balance', 'a body line of 1 MB of words and questions', sub {
    print { $_[0] } head(name => 'line-1mb-words'), "\n",
        'Could you check this part, please? ' x int($MB / 35), "\n";
});
fixture('parts-10k', 'ask,balance,sent', 'multipart/mixed with 10,000 parts', sub {
    my $fh = shift;
    print $fh head(name => 'parts-10k', type => 'multipart/mixed; boundary="b10k"'),
        "\nPreamble.\n";
    print $fh "--b10k\nContent-Type: text/plain; charset=utf-8\n\n", ask_text('parts-10k');
    for my $i (1 .. 9999) {
        print $fh "--b10k\nContent-Type: text/plain; charset=us-ascii\n",
            "Content-Disposition: attachment; filename=\"p$i.txt\"\n\npart $i\n";
    }
    print $fh "--b10k--\nEpilogue.\n";
});
fixture('nest-1000', 'balance', 'multipart nested 1,000 deep', sub {
    my $fh = shift;
    print $fh head(name => 'nest-1000', type => 'multipart/mixed; boundary="n0"'), "\n";
    for my $i (0 .. 998) {
        printf $fh "--n%d\nContent-Type: multipart/mixed; boundary=\"n%d\"\n\n", $i, $i + 1;
    }
    print $fh "--n999\nContent-Type: text/plain; charset=utf-8\n\n", ask_text('nest-1000');
    printf $fh "--n%d--\n", $_ for reverse 0 .. 999;
});
fixture('parts-unclosed', 'ask,balance', 'multipart with unclosed and missing boundaries', sub {
    my $fh = shift;
    print $fh head(name => 'parts-unclosed', type => 'multipart/alternative; boundary="u"'),
        "\n--u\nContent-Type: text/plain\n\n", ask_text('parts-unclosed'),
        "--u\nContent-Type: multipart/mixed; boundary=\"\"\n\n--\n--\n",
        "--u\nContent-Type: multipart/related\n\nno boundary at all\n",
        "--u\nContent-Type: message/rfc822\n\nFrom: inner\n";
});

# ---------------------------------------------------------------------
# Broken encodings and charsets in the text the readers read

fixture('base64-bad', 'balance', 'invalid base64 in the text part', sub {
    print { $_[0] } head(name => 'base64-bad', cte => 'base64'), "\n",
        "Q291bGQgeW91IGNoZWNr!!!\@\@\@ IHRoaXM/\n====\nSGk=SGk=\n\x80\xff*&^%\nQ29=1\n===\n";
});
fixture('base64-cut', 'balance', 'base64 text cut mid-quantum, injection inside', sub {
    # "Could you check this?\r\nX-Twoway-Ask: yes; score=1.00\r\n" cut
    print { $_[0] } head(name => 'base64-cut', cte => 'base64'), "\n",
        "Q291bGQgeW91IGNoZWNrIHRoaXM/DQpYLVR3b3dheS1Bc2s6IHllczsgc2NvcmU9MS4wMA0K\nQ29", "\n";
});
fixture('qp-bad', 'balance', 'invalid quoted-printable in the text part', sub {
    print { $_[0] } head(name => 'qp-bad', cte => 'quoted-printable'), "\n",
        "Could you =ZZcheck =4 this =\n=\nplease=3F=\nSoft break=  \n=E9=\xff=0\n",
        "Could you review=0D=0AX-Twoway-Ask: yes; score=3D1.00=0D=0A the patch?\n=";
});
fixture('cte-unknown', 'ask,balance', 'an unknown Content-Transfer-Encoding', sub {
    print { $_[0] } head(name => 'cte-unknown', cte => 'x-uuencode-plus'), "\n",
        ask_text('cte-unknown');
});
fixture('utf8-cut', 'ask,balance', 'UTF-8 cut mid-sequence in subject and text', sub {
    print { $_[0] } head(name => 'utf8-cut', subject => "Caf\xc3 \xe2\x82 \xf0\x9f\x98"), "\n",
        "Hi Robin,\n\nCould you check the caf\xc3 bill \xe2\x82 for me by Friday?\n\n",
        "\xf0\x9f\x98\n\xc3";
});
fixture('sjis-cut', 'balance', 'Shift_JIS text cut after a lead byte', sub {
    print { $_[0] } head(name => 'sjis-cut', type => 'text/plain; charset=Shift_JIS',
                         cte => '8bit'), "\n",
        "\x82\xa8\x8a\xe8\x82\xa2\x82\xb5\x82\xdc\x82\xb7\x81\x48\n\x82\xa8\x8a\n\x82";
});
fixture('euckr-cut', 'balance', 'EUC-KR text cut after a lead byte', sub {
    print { $_[0] } head(name => 'euckr-cut', type => 'text/plain; charset=euc-kr',
                         cte => '8bit'), "\n",
        "\xb0\xed\xb8\xb6\xbf\xf6\xbf\xe4\x3f\n\xc7\xd1\xb1\n\xb0";
});
fixture('gb18030-cut', 'balance', 'GB18030 text with a cut four-byte sequence', sub {
    print { $_[0] } head(name => 'gb18030-cut', type => 'text/plain; charset=GB18030',
                         cte => '8bit'), "\n",
        "\xc7\xeb\xb0\xef\xc3\xa6\xa3\xbf\n\x81\x30\x81\n\x81\x30\n\x81";
});
fixture('charset-unknown', 'ask,balance', 'an unknown charset label over 8-bit text', sub {
    print { $_[0] } head(name => 'charset-unknown',
                         type => 'text/plain; charset="x-no-such-charset\x01"',
                         cte => '8bit'), "\n",
        "Hi Robin,\n\nCould you check the caf\xe9 bill \xff\xfe for me by Friday?\n\nAlice\n";
});
fixture('charset-utf16', 'balance', 'text/plain in UTF-16 with an odd byte count', sub {
    print { $_[0] } head(name => 'charset-utf16', type => 'text/plain; charset=utf-16',
                         cte => 'binary'), "\n",
        "\xff\xfeC\0o\0u\0l\0d\0 \0y\0o\0u\0?\0\n\0\x3d";
});

# ---------------------------------------------------------------------
# NUL bytes, separators, line ends

fixture('nul-header', 'balance,forged=1,sent', 'NUL bytes in header fields', sub {
    print { $_[0] } head(name => 'nul-header', subject => "Could you\0 help?\0",
                         extra => ["X-Nul: a\0b\0c", "X-Twoway-Ask: yes\0; score=1.00"]),
        "\n", ask_text('nul-header');
});
fixture('nul-body', 'balance', 'NUL bytes in the text', sub {
    print { $_[0] } head(name => 'nul-body'), "\n",
        "Hi Robin,\n\nCould you\0 check\0 this?\0\n\0\0\0\nAlice\0\n";
});
fixture('no-separator', 'balance,sent', 'header fields, then the body without an empty line', sub {
    my $b = ask_text('no-separator');
    $b =~ s/^Hi Robin,\n\n//;
    print { $_[0] } head(name => 'no-separator'), $b;
});
fixture('header-only-nonl', 'balance,sent', 'header fields only, no final newline', sub {
    my $h = head(name => 'header-only-nonl');
    chop $h;
    print { $_[0] } $h;
});
fixture('forged-last-nonl', 'balance,forged=1', 'header only, a forged last field without newline', sub {
    print { $_[0] } head(name => 'forged-last-nonl'), "X-Twoway-Ask: yes; score=1.00";
});
fixture('crlf-mixed', 'ask,balance', 'CRLF header, LF and lone CR in the body', sub {
    print { $_[0] } crlf(head(name => 'crlf-mixed')), "\r\n",
        "Hi Robin,\r\n\nCould you check\r the mixed line ends?\n\r\rAlice";
});
fixture('bare-cr', 'balance', 'only lone CR as line ends', sub {
    my $m = head(name => 'bare-cr') . "\n" . ask_text('bare-cr');
    $m =~ s/\n/\r/g;
    print { $_[0] } "From: Alice Example <alice\@example.com>\n", $m;
});

# ---------------------------------------------------------------------
# RFC 2047 encoded words everywhere

fixture('rfc2047', 'ask,balance,sent', 'encoded words: valid, malformed, nested, in addresses and ids', sub {
    print { $_[0] } head(name => 'rfc2047',
        from => '=?utf-8?q?Alice_=C3=89xample?= <alice.rfc2047@example.com>',
        to => '=?utf-8?b?Um9iaW4=?= <robin@example.org>, =?utf-8?q?x?=@example.net, '
            . '"=?utf-8?q?quoted?=" <q@example.net>',
        subject => '=?utf-8?q?valid?= =?utf-8?b?////?= =?x-unknown?q?=E9?= =?utf-8?q?'
            . '=3D=3Futf-8=3Fq=3Fnested=3F=3D?= =?utf-8?q?unterminated =?=?=?= '
            . '=?utf-8?q?' . ('long' x 60) . '?= =?utf-8*fr?q?lang?= =?utf-8?Z?bad?=',
        id => '<=?utf-8?q?id?=@hostile.example.com>',
        extra => ['In-Reply-To: =?utf-8?q?<a@b>?=',
                  'References: <=?utf-8?b?PGE+?=@x> =?utf-8?q?<r@x>?=',
                  'Cc: =?utf-8?q?=3Ccc=40example=2Enet=3E?=',
                  'Reply-To: =?utf-8?b?' . ('QUFB' x 300) . '?= <r@example.com>']),
        "\n", ask_text('rfc2047');
});

# ---------------------------------------------------------------------
# Header injection: CR, LF, NUL in what the tags carry

fixture('inject-cr', 'balance', 'bare CR before a forged field in the subject, name and cue', sub {
    print { $_[0] } head(name => 'inject-cr',
                         from => "Alice\rX-Twoway-Ask: yes <alice\@example.com>",
                         subject => "Could you help?\rX-Twoway-Ask: yes; score=1.00"),
        "\nHi Robin,\n\nCould you review this\rX-Twoway-Ask: yes; score=1.00\r by Friday?\n";
});
fixture('inject-crlf-body', 'ask,balance', 'a cue sentence broken by CRLF before a forged field', sub {
    print { $_[0] } head(name => 'inject-crlf-body'),
        "\nHi Robin,\n\nCould you approve\r\nX-Twoway-Ask: yes; score=1.00\r\nthe request by Friday?\n";
});
fixture('inject-2047-q', 'balance', 'encoded CR LF in Q words: subject, name, text', sub {
    print { $_[0] } head(name => 'inject-2047-q',
                         from => '=?utf-8?q?Eve=0D=0AX-Twoway-Ask:_yes?= <eve.q@example.com>',
                         subject => '=?utf-8?q?a=0D=0AX-Twoway-Ask:_yes?=',
                         type => 'text/plain; charset="=?utf-8?q?a=0D=0AX?="',
                         extra => ['Reply-To: =?utf-8?q?=0AX-Twoway-Thread:_x?= <r@example.com>']),
        "\nCould you =?utf-8?q?check=0D=0AX-Twoway-Ask:_yes?= this?\n";
});
fixture('inject-2047-b', 'balance', 'encoded CR LF in B words and a base64 text', sub {
    # =?utf-8?b?...?= of "a\r\nX-Twoway-Ask: yes"; the text is base64
    # of "Could you check this?\r\nX-Twoway-Ask: yes; score=1.00\r\n"
    print { $_[0] } head(name => 'inject-2047-b',
                         from => '=?utf-8?b?YQ0KWC1Ud293YXktQXNrOiB5ZXM=?= <eve.b@example.com>',
                         subject => '=?utf-8?b?YQ0KWC1Ud293YXktQXNrOiB5ZXM=?=',
                         cte => 'base64'),
        "\nQ291bGQgeW91IGNoZWNrIHRoaXM/DQpYLVR3b3dheS1Bc2s6IHllczsgc2NvcmU9MS4wMA0K\n";
});
fixture('inject-addr', 'ask,sent', 'CR, LF, quotes and semicolons in the sender address', sub {
    print { $_[0] } head(name => 'inject-addr',
        from => '"x;\"X-Twoway-Ask: yes\";\r\n"@example.com, '
              . '=?utf-8?q?eve=0D=0AX-Twoway-Ask:yes?=@example.com'),
        "\n", ask_text('inject-addr');
});
fixture('inject-addr-semi', 'ask,balance,sent', 'a quoted local part with ; and " in the sender', sub {
    print { $_[0] } head(name => 'inject-addr-semi',
        from => '"eve;received=99; X-Twoway-Ask: yes\"q" <"eve;received=99;\"q"@example.com>'),
        "\n", ask_text('inject-addr-semi');
});
fixture('inject-nul', 'balance,sent', 'NUL inside the cue and the address', sub {
    print { $_[0] } head(name => 'inject-nul', from => "Alice <alice\0\@example.com>"),
        "\nHi Robin,\n\nCould you check\0\nX-Twoway-Ask: yes this by Friday?\n";
});
fixture('inject-html', 'balance', 'HTML text with encoded CR LF entities in the cue', sub {
    print { $_[0] } head(name => 'inject-html', type => 'text/html; charset=utf-8'),
        "\n<p>Could you check this&#13;&#10;X-Twoway-Ask: yes&#x0d;&#x0A;&#0;&#x85;"
        . "&#x2028;by Friday?</p><p>&#99999999999; &#x; &#;",
        "<script>Could you run me?</script><blockquote>" x 200, "\n";
});
fixture('long-word', 'ask,balance', 'a cue with a word of 1,500 bytes', sub {
    print { $_[0] } head(name => 'long-word'),
        "\nHi Robin,\n\nCould you check ", 'a' x 1500, " by Friday?\n";
});
fixture('long-word-8bit', 'ask,balance', 'a cue with a word of 600 non-ASCII characters', sub {
    print { $_[0] } head(name => 'long-word-8bit'),
        "\nHi Robin,\n\nCould you check \xc3\xa9", "\xe2\x82\xac" x 600, " by Friday?\n";
});
fixture('long-word-100k', 'balance', 'a sentence with a word of 100 KB', sub {
    print { $_[0] } head(name => 'long-word-100k'),
        "\nHi Robin,\n\nCould you check ", "\xe2\x82\xac" x 33_000, " by Friday?\n";
});
fixture('long-address', 'ask,sent', 'a sender address of 4 KB', sub {
    print { $_[0] } head(name => 'long-address',
                         from => 'Alice <' . ('a' x 4000) . '@example.com>'),
        "\n", ask_text('long-address');
});

# ---------------------------------------------------------------------
# Forged X-Twoway-* fields in odd spellings

my @odd = (
    "X-Twoway-Ask: yes; score=1.00; cue=\"forged first\"",
    "x-twoway-ask: yes; score=0.99",
    "X-TWOWAY-THREAD : unanswered; asks=9; since=2000-01-01T00:00:00Z",
    "X-Twoway-Balance\t: mallory\@example.net; received=99",
    "X-Twoway-Ask: yes;\n score=1.00;\n\tcue=\"forged, folded\"",
    "X-Twoway-Ask:",
    "X-Twoway-Ask:yes",
    "X-Twoway-Whatever: something else of ours",
    "X-Twoway-Ask: yes; repeated",
    "X-Twoway-Ask: yes; repeated",
    "X-Twoway-Ask: yes; repeated",
);
my $keep = "X-Twoway: not ours\nX-Twowayish: not ours\nXX-Twoway-Ask: not ours\n";
fixture('forged-odd', 'ask,balance,forged=12,sent', 'forged fields: case, blanks before the colon, folded, first, last, repeated', sub {
    my $h = head(name => 'forged-odd', extra => [@odd[1 .. $#odd]]);
    print { $_[0] } "$odd[0]\n", $h, $keep,
        "X-TwoWay-Thread: unanswered; asks=1; since=2000-01-01T00:00:00Z\n last\n",
        "\n", ask_text('forged-odd'), "X-Twoway-Ask: a body line, kept\n";
});
fixture('forged-odd-crlf', 'ask,balance,forged=12', 'the same forged fields in a CRLF message', sub {
    my $h = head(name => 'forged-odd-crlf', extra => [@odd[1 .. $#odd]]);
    print { $_[0] } crlf("$odd[0]\n" . $h . $keep
        . "X-TwoWay-Thread: unanswered; asks=1; since=2000-01-01T00:00:00Z\n last\n"
        . "\n" . ask_text('forged-odd-crlf') . "X-Twoway-Ask: a body line, kept\n");
});
fixture('forged-from-line', 'ask,balance,forged=2,sent', 'an mbox From line, then forged fields first', sub {
    print { $_[0] } "From alice\@example.com Tue Mar 10 12:00:00 2026\n",
        "X-Twoway-Ask: yes\nX-Twoway-Thread: unanswered\n\tfolded\n",
        head(name => 'forged-from-line'), "\n", ask_text('forged-from-line');
});
fixture('forged-many', 'ask,balance,forged=5000', '5,000 forged fields', sub {
    print { $_[0] } head(name => 'forged-many'),
        map({ "X-Twoway-Ask: yes; forged $_\n" } 1 .. 5000), "\n", ask_text('forged-many');
});

# ---------------------------------------------------------------------
# 100 MB, written as a stream

fixture('big-100mb', 'ask,balance,big,sent,once', 'a 100 MB message', sub {
    my $fh = shift;
    print $fh head(name => 'big-100mb'), "\n", ask_text('big-100mb');
    my $line = "A line of a long report, seventy-odd characters wide, repeated.\n";
    my $chunk = $line x 16384;                   # 1 MB
    print $fh $chunk for 1 .. 100;
});

open my $mf, '>', "$dir/MANIFEST" or die "$dir/MANIFEST: $!\n";
print $mf @manifest;
close $mf or die "$dir/MANIFEST: $!\n";
