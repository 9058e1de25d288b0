/* test_text.c - unit tests for lib/text.c and lib/html.c: zones, fresh
 * text, sentences and HTML to text. */
#include "unit.h"

#include "text.h"

/* Zones of text, compared line by line with a string of zone letters:
 * a author, q quote, t attribution, f forward, s signature, o footer,
 * d disclaimer, p patch. */
static void
assert_zones(const char *text, const char *want)
{
    static const char letters[] = "aqtfsodp";
    char **lines = NULL;
    tw_zone_t *zones = NULL;
    size_t n = tw_text_zones(text, &lines, &zones);
    GString *got = g_string_new(NULL);

    assert_non_null(lines);
    assert_non_null(zones);
    assert_int_equal(g_strv_length(lines), n);
    for (size_t i = 0; i < n; i++) {
        assert_true((size_t)zones[i] < sizeof letters - 1);
        g_string_append_c(got, letters[zones[i]]);
        /* lines come without their line endings */
        assert_null(strchr(lines[i], '\n'));
        assert_null(strchr(lines[i], '\r'));
    }
    bool same = strcmp(got->str, want) == 0;
    if (!same) {
        print_error("zones %s, want %s:\n", got->str, want);
        for (size_t i = 0; i < n; i++)
            print_error("  %c | %s\n", got->str[i], lines[i]);
    }
    g_string_free(got, TRUE);
    g_free(lines);
    g_free(zones);
    assert_true(same);
}

static void
assert_fresh(const char *text, const char *want)
{
    char *fresh = tw_text_fresh(text);

    assert_non_null(fresh);
    assert_string_equal(fresh, want);
    g_free(fresh);
}

/* The sentences of text, compared with the NULL-terminated list. */
static void
assert_sentences(const char *text, ...)
{
    GPtrArray *s = tw_text_sentences(text);
    va_list ap;
    guint i = 0;

    va_start(ap, text);
    for (const char *want = va_arg(ap, const char *); want; want = va_arg(ap, const char *), i++) {
        if (i >= s->len)
            fail_msg("only %u sentences, missing '%s'", s->len, want);
        assert_string_equal(s->pdata[i], want);
    }
    va_end(ap);
    if (i != s->len)
        fail_msg("%u sentences, want %u; extra: '%s'", s->len, i, (char *)s->pdata[i]);
    g_ptr_array_free(s, TRUE);
}

/* HTML to text, compared with want after dropping blank lines and
 * trailing blanks of each line. */
static void
assert_html(const char *html, const char *want)
{
    char *text = tw_text_from_html(html, strlen(html));
    char **lines = g_strsplit(text, "\n", -1);
    GString *got = g_string_new(NULL);

    assert_true(g_utf8_validate(text, -1, NULL));
    for (char **l = lines; *l; l++) {
        g_strchomp(*l);
        if (**l == '\0')
            continue;
        if (got->len)
            g_string_append_c(got, '\n');
        g_string_append(got, *l);
    }
    assert_string_equal(got->str, want);
    g_string_free(got, TRUE);
    g_strfreev(lines);
    g_free(text);
}

static void
test_zone_names(void **state)
{
    assert_string_equal(tw_zone_name(TW_ZONE_AUTHOR), "author");
    assert_string_equal(tw_zone_name(TW_ZONE_QUOTE), "quote");
    assert_string_equal(tw_zone_name(TW_ZONE_ATTRIBUTION), "attribution");
    assert_string_equal(tw_zone_name(TW_ZONE_FORWARD), "forward");
    assert_string_equal(tw_zone_name(TW_ZONE_SIGNATURE), "signature");
    assert_string_equal(tw_zone_name(TW_ZONE_FOOTER), "footer");
    assert_string_equal(tw_zone_name(TW_ZONE_DISCLAIMER), "disclaimer");
    assert_string_equal(tw_zone_name(TW_ZONE_PATCH), "patch");
    assert_string_equal(tw_zone_name((tw_zone_t)99), "unknown");
}

/* tw_text_lines gives what g_strsplit(text, "\n", -1) gives, in one
 * allocation whose lines may be changed in place. */
static void
test_lines(void **state)
{
    static const char *const texts[] = {
        "", "a", "a\n", "\n", "\n\n", "one\ntwo", "one\r\ntwo\r\n", "\nlead\n\ntrail\n\n",
    };

    for (size_t i = 0; i < G_N_ELEMENTS(texts); i++) {
        char **got = tw_text_lines(texts[i]);
        char **want = g_strsplit(texts[i], "\n", -1);
        assert_int_equal(g_strv_length(got), g_strv_length(want));
        for (size_t k = 0; want[k] != NULL; k++)
            assert_string_equal(got[k], want[k]);
        for (size_t k = 0; got[k] != NULL; k++)
            g_strstrip(got[k]);
        g_strfreev(want);
        g_free(got);
    }
}

static void
test_zones_empty(void **state)
{
    char **lines = NULL;
    tw_zone_t *zones = NULL;

    assert_int_equal(tw_text_zones("", &lines, &zones), 0);
    assert_non_null(lines);
    assert_null(lines[0]);
    g_free(lines);
    g_free(zones);
    assert_int_equal(tw_text_zones(NULL, &lines, &zones), 0);
    assert_null(lines[0]);
    g_free(lines);
    g_free(zones);
    /* the newline that ends the last line makes no extra line */
    assert_int_equal(tw_text_zones("one\ntwo\n", &lines, &zones), 2);
    g_free(lines);
    g_free(zones);
}

static void
test_zones_quotes(void **state)
{
    assert_zones("Yes, that works.\n"
                 "> Can we meet on Monday?\n"
                 ">> Earlier\n"
                 "   > indented quote\n"
                 "\n"
                 "And Tuesday too.\n"
                 "> Or Tuesday?\n",
                 "aqqqaaq");
}

static void
test_zones_initials_quotes(void **state)
{
    /* Supercite and The Bat! quote with the author's initials; two lines
     * with the same initials make a quote, one alone may be a prompt */
    assert_zones("Tuesday, October 1, 2002, 9:54:02 PM, you wrote:\n"
                 "\n"
                 "E> Funny, I thought that it was minor.\n"
                 "E> Give me a break.\n"
                 "\n"
                 "Too bad none of this will go back to them.\n"
                 " JM> Can you send it?\n"
                 " JM>\n"
                 "mysql> select 1;\n"
                 "Then it worked.\n",
                 "taqqaaqqaa");
}

/* Other quoting prefixes than '>': the lines under an attribution
 * start with marks, and every line of the message that starts with the
 * same marks is quoted. */
static void
test_zones_mark_quotes(void **state)
{
    /* a message that ends in a line shorter than its quoting prefix */
    assert_zones("On Fri, 23 Aug 2002, Robert Harley wrote:\n"
                 "--]Did you?\n"
                 "N",
                 "tqa");
    /* FoRK's "--]", then the same prefix further down */
    assert_zones("On Fri, 23 Aug 2002, Robert Harley wrote:\n"
                 "\n"
                 "--]Next time I hear a joke, I promise not to laugh until I have checked\n"
                 "--]out primary sources for confirmation in triplicate, OK?\n"
                 "\n"
                 "Oh please.\n"
                 "--]> A quote in the quote\n"
                 "--]\n"
                 "--]Did you?\n"
                 "No.\n",
                 "taqqaaqqqa");
    /* Enigmail's "| ", under "X wrote:" alone, with a quote in it */
    assert_zones("Justin MacCarthy wrote:\n"
                 "| Is there a way to look for a file in 100's of zip\n"
                 "| files?\n"
                 "|\n"
                 "|> Did you try unzip -l?\n"
                 "| find . | xargs unzip -l\n"
                 "\n"
                 "Try zipinfo.\n",
                 "tqqqqqaa");
    /* "# ", interleaved */
    assert_zones("On Mon, 23 Sep 2002 17:41:20 +0200\n"
                 "Matthias Saou <matthias@egwn.net> wrote:\n"
                 "\n"
                 "# So did my build, and it requires aspell >= 0.50\n"
                 "# which isn't even in Rawhide.\n"
                 "\n"
                 "I didn't see the webpage get updated.\n"
                 "\n"
                 "# Will you build aspell packages?\n"
                 "\n"
                 "Yes.\n",
                 "ttaqqaaaqaa");
    /* ": ", "=> " (and "=>" before the text), "} ", ") " */
    assert_zones("On Sun, 8 Sep 2002, Gordon Mohr wrote:\n"
                 ": Can you send the figures?\n"
                 ": Today if you can.\n"
                 "Here they are.\n",
                 "tqqa");
    assert_zones("On Mon, 2 Sep 2002, Justin Mason wrote:\n"
                 "\n"
                 "=>http://spamassassin.org/released/ :\n"
                 "=>\n"
                 "=>  508284 Sep  2 18:27 Mail-SpamAssassin-2.40.tar.gz\n"
                 "Not that I'm not grateful.\n"
                 "=> Is there a src rpm?\n",
                 "taqqqaq");
    assert_zones("On Tue, 14 Nov 2023 at 10:00, Alice <alice@example.org> wrote:\n"
                 "} Could you send the figures?\n"
                 "}\n"
                 "} Thanks\n"
                 "Sure.\n",
                 "tqqqa");
    assert_zones("Sure.\n"
                 "\n"
                 "On Sun, 11 Aug 2002, Mike Burger wrote:\n"
                 ") Can anyone offer some insight into this error?\n"
                 ") It started yesterday.\n",
                 "aatqq");
    /* one line under an attribution is enough */
    assert_zones("On Fri, 23 Aug 2002, Robert Harley wrote:\n"
                 "--]Church, AA, same diff?\n"
                 "\n"
                 "AA is sort of church with ashtrays.\n",
                 "tqaa");
}

/* Lines that start with marks and are no quote stay the author's. */
static void
test_zones_mark_not_quotes(void **state)
{
    /* lists under an attribution, in plain text and in markdown */
    assert_zones("On Tue, 14 Nov 2023 at 10:00, Alice <alice@example.org> wrote:\n"
                 "- the figures\n"
                 "- the slides\n"
                 "\n"
                 "* bold?\n"
                 "* italic?\n"
                 "+ plus?\n"
                 "+ more?\n"
                 "1. first\n"
                 "2. second\n"
                 "o letter\n"
                 "o bullet\n"
                 "\u2022 dot\n"
                 "\u2022 dots\n",
                 "taaaaaaaaaaaaa");
    assert_zones("Steps:\n"
                 "\n"
                 "- install it\n"
                 "  - with apt?\n"
                 "  - or from source?\n"
                 "* run it\n",
                 "aaaaaa");
    /* a shell session after a quote */
    assert_zones("On Tue, 14 Nov 2023 at 10:00, Alice <alice@example.org> wrote:\n"
                 "> How do I mount it?\n"
                 "\n"
                 "Like this:\n"
                 "\n"
                 "$ sudo -i\n"
                 "# mount /dev/sdb1 /mnt\n"
                 "# ls /mnt\n"
                 "# whoami?\n",
                 "tqaaaaaaa");
    /* a pasted config with comments */
    assert_zones("Here is my main.cf; what is wrong?\n"
                 "\n"
                 "# the relay\n"
                 "# for all mail\n"
                 "relayhost = [mail.example.org]\n"
                 "#include <stdio.h>\n"
                 "#define X 1\n",
                 "aaaaaaa");
    /* a table, even under an attribution; separators */
    assert_zones("On Tue, 14 Nov 2023 at 10:00, Alice <alice@example.org> wrote:\n"
                 "| Month | High  | Low   |\n"
                 "| MAR   | 2.405 | 2.270 |\n"
                 "+-------+-------+-------+\n"
                 "| APR   | 2.435 | 2.310 |\n"
                 "Does that look right?\n",
                 "taaaaa");
    assert_zones("On Tue, 14 Nov 2023 at 10:00, Alice <alice@example.org> wrote:\n"
                 "\n"
                 "=====\n"
                 "Is it done?\n"
                 "=====\n",
                 "taaaa");
    /* a signature, a patch under an attribution */
    assert_zones("On Tue, 14 Nov 2023 at 10:00, Alice <alice@example.org> wrote:\n"
                 "-- \n"
                 "Alice\n",
                 "tss");
    assert_zones("On Tue, 14 Nov 2023 at 10:00, Alice <alice@example.org> wrote:\n"
                 "---\n"
                 " lib/text.c | 2 +-\n",
                 "tpp");
    /* a single line that starts with ": ", and lines that share a
     * prefix under no attribution */
    assert_zones("What about this?\n"
                 ": not a quote\n"
                 "Or this?\n"
                 "\n"
                 ":: a batch file's comment?\n"
                 ":: and another?\n",
                 "aaaaaa");
}

static void
test_zones_attribution(void **state)
{
    assert_zones("Sure.\n"
                 "\n"
                 "On Tue, 14 Nov 2023 at 10:00, Alice Example <alice@example.org> wrote:\n"
                 "> Could you send the figures?\n",
                 "aatq");
}

static void
test_zones_attribution_wrapped(void **state)
{
    assert_zones("Sure.\n"
                 "\n"
                 "On Tue, 14 Nov 2023 at 10:00, Alice Example\n"
                 "<alice@example.org> wrote:\n"
                 "> Could you send the figures?\n",
                 "aattq");
}

static void
test_zones_attribution_name_wrote(void **state)
{
    assert_zones("Sure.\n"
                 "Alice Example <alice@example.org> writes:\n"
                 "> Could you send the figures?\n",
                 "atq");
    /* a blank line between the attribution and the quote */
    assert_zones("Sure.\n"
                 "Alice Example <alice@example.org> wrote:\n"
                 "\n"
                 "> Could you send the figures?\n",
                 "ataq");
    /* "wrote:" in the author's own sentence, with no quote after it */
    assert_zones("This is what I wrote:\nthe report is done.\n", "aa");
}

static void
test_zones_attribution_german_thunderbird(void **state)
{
    assert_zones("Gerne.\n"
                 "\n"
                 "Am 14.11.2023 um 10:00 schrieb Alice Example:\n"
                 "> Kannst du mir die Zahlen schicken?\n",
                 "aatq");
}

static void
test_zones_attribution_german_gmail(void **state)
{
    assert_zones("Gerne.\n"
                 "\n"
                 "Am Di., 14. Nov. 2023 um 10:00 Uhr schrieb Alice Example <alice@example.org>:\n"
                 "> Kannst du mir die Zahlen schicken?\n",
                 "aatq");
    /* wrapped over two lines */
    assert_zones("Gerne.\n"
                 "\n"
                 "Am Di., 14. Nov. 2023 um 10:00 Uhr schrieb Alice Example <\n"
                 "alice@example.org>:\n"
                 "> Kannst du mir die Zahlen schicken?\n",
                 "aattq");
}

static void
test_zones_attribution_german_closer(void **state)
{
    assert_zones("Gerne.\n"
                 "Alice Example <alice@example.org> schrieb:\n"
                 "> Kannst du mir die Zahlen schicken?\n",
                 "atq");
}

static void
test_zones_attribution_french(void **state)
{
    assert_zones("Volontiers.\n"
                 "\n"
                 "Le mar. 14 nov. 2023 \xc3\xa0 10:00, Alice Example <\n"
                 "alice@example.org> a \xc3\xa9" "crit :\n"
                 "> Pourriez-vous envoyer les chiffres ?\n",
                 "aattq");
    assert_zones("Volontiers.\n"
                 "Le 14/11/2023 \xc3\xa0 10:00, Alice a \xc3\xa9" "crit :\n"
                 "> Pourriez-vous envoyer les chiffres ?\n",
                 "atq");
}

/* Yahoo and others put the old message under the attribution without
 * '>': all that follows is quoted. */
static void
test_zones_attribution_unquoted(void **state)
{
    assert_zones("Thanks, that works for me.\n"
                 "\n"
                 "    On Sunday, March 1, 2026, 09:00:00 AM GMT, Me <me@example.org> wrote:  \n"
                 " \n"
                 " Could you send me the report by Friday?\n"
                 "\n"
                 "Me\n",
                 "aatqqqq");
    assert_fresh("Danke.\n"
                 "\n"
                 "Am So., 1. M\xc3\xa4rz 2026 um 09:00 Uhr schrieb Me <me@example.org>:\n"
                 "\n"
                 "K\xc3\xb6nnten Sie mir den Bericht schicken?\n",
                 "Danke.");
    assert_fresh("Merci.\n"
                 "Le dim. 1 mars 2026 \xc3\xa0 09:00, Me <me@example.org> a \xc3\xa9" "crit :\n"
                 "Pourriez-vous m'envoyer le rapport ?\n",
                 "Merci.");
    assert_fresh("Gracias.\n"
                 "El dom, 1 mar 2026 a las 9:00, Me (<me@example.org>) escribi\xc3\xb3:\n"
                 "\xc2\xbfPodr\xc3\xad" "as enviarme el informe?\n",
                 "Gracias.");
    assert_fresh("Grazie.\n"
                 "Il giorno dom 1 mar 2026 alle ore 09:00 Me <me@example.org> ha scritto:\n"
                 "Potresti inviarmi il rapporto?\n",
                 "Grazie.");
    /* an older attribution in the old message, itself quoting with '>' */
    assert_zones("Thanks.\n"
                 "On Sun, Mar 1, 2026 at 09:00, Bob <bob@example.net> wrote:\n"
                 "Sure, here it is.\n"
                 "On Sat, Feb 28, 2026 at 08:00, Me <me@example.org> wrote:\n"
                 "> Could you send it?\n",
                 "atqqq");
}

/* An interleaved reply keeps the author's answers between the quotes,
 * however its first line under the attribution reads. */
static void
test_zones_attribution_interleaved(void **state)
{
    assert_zones("Hi Bob,\n"
                 "On Sun, Mar 1, 2026 at 09:00, Bob <bob@example.net> wrote:\n"
                 "> Could you send the report?\n"
                 "Yes, tomorrow.\n"
                 "> And the slides?\n"
                 "Can you remind me which ones?\n",
                 "atqaqa");
    /* a snip mark, a greeting or a stray line before the first quote */
    assert_zones("Hi Bob,\n"
                 "\n"
                 "On 2025-12-23 13:00:51-0500, Bob wrote:\n"
                 "\n"
                 "(...)\n"
                 "\n"
                 "> Could you send the report?\n"
                 "\n"
                 "Which one do you mean?\n",
                 "aataaaqaa");
    assert_zones("Hi,\n"
                 "On Sun, Mar 1, 2026 at 09:00, Bob <bob@example.net> wrote:\n"
                 "Bob,\n"
                 "> Could you send the report?\n"
                 "Which one do you mean?\n",
                 "ataqa");
    assert_zones("Hi,\n"
                 "On Wed, Apr 05, 2023 at 03:12:38PM +0900, Bob wrote:\n"
                 "w we can merge\n"
                 "> Could you send the report?\n"
                 "Which one do you mean?\n",
                 "ataqa");
    /* another quoting prefix than '>': the prefixed line is quoted,
     * the answer under it stays the author's */
    assert_zones("Hi,\n"
                 "On Thu, 22 Aug 2002, Bob wrote:\n"
                 "--]Why wait?\n"
                 "\n"
                 "Which one do you mean?\n",
                 "atqaa");
    assert_zones("Hi,\n"
                 "On Tue, Jul 23, 2002 at 09:37:33AM -0500, Bob wrote:\n"
                 "| Is anyone filtering spam?\n"
                 "\n"
                 "I have such a system. Do you want it?\n",
                 "atqaa");
    /* under an attribution at the top of the message, the unquoted
     * text is the author's */
    assert_zones("On Sun, Mar 1, 2026 at 09:00, Bob <bob@example.net> wrote:\n"
                 "Hello Bob,\n"
                 "On Sat, Feb 28, 2026 at 08:00, Bob <bob@example.net> wrote:\n"
                 "> Could you send the report?\n"
                 "Which one do you mean?\n",
                 "tatqa");
    /* an attribution right under another: the second one decides */
    assert_zones("Thanks.\n"
                 "On May 6, 2025, at 7:45 PM, Bob <bob@example.net> wrote:\n"
                 "\n"
                 "On 06/05/2025 18:56, Me wrote:\n"
                 "> Is there a remedy?\n"
                 "There is this cable. Can you order it?\n",
                 "atatqa");
}

/* "wrote:" in a sentence of the author's is no attribution, and text
 * after it stays the author's. */
static void
test_zones_attribution_prose(void **state)
{
    assert_fresh("On the other hand, as Bob wrote:\n"
                 "the report is late. Can you help?\n",
                 "the report is late. Can you help?");
    assert_zones("Here is the summary I wrote:\n"
                 "the report is late. Can you help?\n",
                 "aa");
    assert_zones("In 2024 I wrote: the report is late.\n"
                 "Can you help?\n",
                 "aa");
}

static void
test_zones_original_message(void **state)
{
    assert_zones("Done, see below.\n"
                 "\n"
                 "-----Original Message-----\n"
                 "From: Alice\n"
                 "Could you do it?\n"
                 "\n"
                 "Not quoted with > but still old text.\n",
                 "aaqqqqq");
}

static void
test_zones_outlook_header_block(void **state)
{
    assert_zones("Done.\n"
                 "\n"
                 "From: Alice Example <alice@example.org>\n"
                 "Sent: Tuesday, November 14, 2023 10:00 AM\n"
                 "To: Me <me@example.net>\n"
                 "Subject: Figures\n"
                 "\n"
                 "Could you send the figures?\n",
                 "aaqqqqqq");
    assert_zones("Erledigt.\n"
                 "Von: Alice Example\n"
                 "Gesendet: Dienstag, 14. November 2023 10:00\n"
                 "An: Ich\n"
                 "Betreff: Zahlen\n"
                 "Kannst du?\n",
                 "aqqqqq");
    /* a line that starts with "From:" in the author's text */
    assert_zones("From: the design team, a short update.\nWe are on track.\n", "aa");
}

/* Outlook's header block in the languages of its users: each field
 * name with or without a blank (a space, a no-break space) before its
 * colon, "Cc"/"CC" among them. */
static void
test_zones_outlook_header_block_languages(void **state)
{
    /* Spanish, with "Enviado:" (newer Outlook) and "Enviado el:" */
    assert_zones("Gracias, me parece bien.\n"
                 "\n"
                 "De: Me <me@example.org>\n"
                 "Enviado: domingo, 1 de marzo de 2026 9:00\n"
                 "Para: Alice Smith <alice@example.com>\n"
                 "CC: Bob\n"
                 "Asunto: informe\n"
                 "\n"
                 "\xc2\xbfPodr\xc3\xad" "as enviarme el informe?\n",
                 "aaqqqqqqq");
    assert_zones("Gracias.\n"
                 "De: Me [mailto:me@example.org]\n"
                 "Enviado el: domingo, 1 de marzo de 2026 9:00\n"
                 "Para: Alice Smith\n"
                 "Asunto: informe\n",
                 "aqqqq");
    /* German with a Cc line */
    assert_zones("Danke.\n"
                 "Von: Me <me@example.org>\n"
                 "Gesendet: Sonntag, 1. M\xc3\xa4rz 2026 09:00\n"
                 "An: Alice Smith\n"
                 "Cc: Bob\n"
                 "Betreff: Bericht\n"
                 "K\xc3\xb6nnten Sie?\n",
                 "aqqqqqq");
    /* French: a space, a no-break space or a narrow one before the
     * colon, or none */
    assert_zones("Merci.\n"
                 "De : Me <me@example.org>\n"
                 "Envoy\xc3\xa9 : dimanche 1 mars 2026 09:00\n"
                 "\xc3\x80 : Alice Smith\n"
                 "Cc : Bob\n"
                 "Objet : rapport\n"
                 "Pourriez-vous ?\n",
                 "aqqqqqq");
    assert_zones("Merci.\n"
                 "De\xc2\xa0: Me <me@example.org>\n"
                 "Envoy\xc3\xa9\xc2\xa0: dimanche 1 mars 2026 09:00\n"
                 "\xc3\x80\xc2\xa0: Alice Smith\n"
                 "Objet\xe2\x80\xaf: rapport\n"
                 "Pourriez-vous ?\n",
                 "aqqqqq");
    assert_zones("Merci.\n"
                 "De: Me <me@example.org>\n"
                 "Envoy\xc3\xa9: dimanche 1 mars 2026 09:00\n"
                 "\xc3\x80: Alice Smith\n"
                 "Objet: rapport\n"
                 "Pourriez-vous ?\n",
                 "aqqqqq");
    /* Italian */
    assert_zones("Grazie.\n"
                 "Da: Me <me@example.org>\n"
                 "Inviato: domenica 1 marzo 2026 09:00\n"
                 "A: Alice Smith\n"
                 "Cc: Bob\n"
                 "Oggetto: rapporto\n"
                 "Potresti inviarmi il rapporto?\n",
                 "aqqqqqq");
    /* Portuguese */
    assert_zones("Obrigado.\n"
                 "De: Me <me@example.org>\n"
                 "Enviado: 1 de mar\xc3\xa7o de 2026 09:00\n"
                 "Para: Alice Smith\n"
                 "Cc: Bob\n"
                 "Assunto: relat\xc3\xb3rio\n"
                 "Podes enviar o relat\xc3\xb3rio?\n",
                 "aqqqqqq");
    /* Brazilian Outlook */
    assert_zones("Obrigado.\n"
                 "De: Me <me@example.org>\n"
                 "Enviada em: domingo, 1 de mar\xc3\xa7o de 2026 09:00\n"
                 "Para: Alice Smith\n"
                 "Assunto: relat\xc3\xb3rio\n"
                 "Pode enviar?\n",
                 "aqqqqq");
    /* Dutch */
    assert_zones("Bedankt.\n"
                 "Van: Me <me@example.org>\n"
                 "Verzonden: zondag 1 maart 2026 09:00\n"
                 "Aan: Alice Smith\n"
                 "CC: Bob\n"
                 "Onderwerp: verslag\n"
                 "Kun je het verslag sturen?\n",
                 "aqqqqqq");
    /* Apple Mail in French, its fields in another order */
    assert_zones("Pour info.\n"
                 "De: Bob <bob@example.net>\n"
                 "Objet: rapport\n"
                 "Date: 1 mars 2026 \xc3\xa0 09:00:00 UTC\n"
                 "\xc3\x80: Alice <alice@example.com>\n"
                 "Pourriez-vous ?\n",
                 "aqqqqq");
    /* "De:" in a sentence of the author's is no field; nor is a line
     * that starts with it without the block's other fields */
    assert_zones("Voici la liste De: Paris, Lyon.\n"
                 "Envoy\xc3\xa9: demain\n"
                 "Objet: rapport\n",
                 "aaa");
    assert_zones("De: mi parte, gracias.\nPara: ma\xc3\xb1" "ana.\n", "aa");
}

/* A header block flattened into one line by some clients. */
static void
test_zones_outlook_header_line(void **state)
{
    assert_zones("Danke, das passt.\n"
                 "\n"
                 "Von: Me <me@example.org> Gesendet: Sonntag, 1. M\xc3\xa4rz 2026 09:00 An: "
                 "Alice Smith Betreff: Bericht\n"
                 "\n"
                 "K\xc3\xb6nnten Sie mir den Bericht schicken?\n",
                 "aaqqq");
    assert_zones("Thanks.\n"
                 "From: Me <me@example.org> Sent: Sunday, March 1, 2026 9:00 AM To: Alice "
                 "Subject: report\n"
                 "Could you send me the report?\n",
                 "aqq");
    /* converted HTML keeps the names bold */
    assert_zones("Thanks.\n"
                 "*From:* Me *Sent:* Sunday, March 1, 2026 9:00 AM *To:* Alice *Subject:* report\n"
                 "Could you send me the report?\n",
                 "aqq");
    /* the subject before the date, or no date: a sentence */
    assert_zones("From: the team. Subject: budget. Date: Monday.\nCan you come?\n", "aa");
    assert_zones("From: the team, Subject: budget\nCan you come?\n", "aa");
}

/* Outlook's line of underscores above the block goes with it. */
static void
test_zones_outlook_separator(void **state)
{
    static const char reply[] = "Thanks, that works for me.\n"
                                "\n"
                                "________________________________\n"
                                "From: Me <me@example.org>\n"
                                "Sent: Sunday, March 1, 2026 9:00 AM\n"
                                "To: Alice Smith <alice@example.com>\n"
                                "Subject: report\n"
                                "\n"
                                "Could you send me the report by Friday?\n";

    assert_zones(reply, "aaqqqqqqq");
    assert_fresh(reply, "Thanks, that works for me.");
    /* a rule above the author's own "From:" line stays his */
    assert_zones("Results:\n"
                 "________________________________\n"
                 "From: the design team, a short update.\n",
                 "aaa");
}

static void
test_zones_forwarded(void **state)
{
    assert_zones("See the message below. Can you handle it?\n"
                 "\n"
                 "---------- Forwarded message ---------\n"
                 "From: Bob <bob@example.com>\n"
                 "Could you reply to this customer?\n",
                 "aafff");
    assert_zones("FYI\n"
                 "\n"
                 "Begin forwarded message:\n"
                 "\n"
                 "> From: Bob\n",
                 "aafff");
}

/* Forward banners of Apple Mail, Gmail and Thunderbird in the languages
 * the reader knows, and Thunderbird's and Zimbra's "original message". */
static void
test_zones_forwarded_languages(void **state)
{
    static const char *const banners[] = {
        "Begin forwarded message:",
        "Anfang der weitergeleiteten Nachricht:",
        "D\xc3\xa9" "but du message r\xc3\xa9" "exp\xc3\xa9" "di\xc3\xa9 :",
        "Inicio del mensaje reenviado:",
        "Inizio messaggio inoltrato:",
        "In\xc3\xad" "cio da mensagem encaminhada:",
        "Begin doorgestuurd bericht:",
        "---------- Forwarded message ---------",
        "---------- Weitergeleitete Nachricht ---------",
        "---------- Message transf\xc3\xa9r\xc3\xa9 ---------",
        "---------- Mensaje reenviado ---------",
        "---------- Messaggio inoltrato ---------",
        "---------- Mensagem encaminhada ---------",
        "---------- Doorgestuurd bericht ---------",
        "-------- Forwarded Message --------",
    };
    static const char *const originals[] = {
        "-------- Original Message --------",
        "-------- Original-Nachricht --------",
        "-------- Message original --------",
        "-------- Mensaje original --------",
        "-------- Messaggio originale --------",
        "-------- Mensagem original --------",
        "----- Mail original -----",
        "-----Oorspronkelijk bericht-----",
    };

    for (size_t k = 0; k < G_N_ELEMENTS(banners); k++) {
        char *text = g_strdup_printf("Pour info.\n\n%s\n\nDe: Bob\nPourriez-vous ?\n", banners[k]);
        assert_zones(text, "aaffff");
        g_free(text);
    }
    for (size_t k = 0; k < G_N_ELEMENTS(originals); k++) {
        char *text = g_strdup_printf("Ok.\n%s\nCould you?\n", originals[k]);
        assert_zones(text, "aqq");
        g_free(text);
    }
    /* the words in a sentence are no banner */
    assert_zones("The forwarded message was lost. Could you resend it?\n", "a");
    assert_zones("Le message transf\xc3\xa9r\xc3\xa9 hier: pouvez-vous le lire ?\n", "a");
}

static void
test_zones_signature(void **state)
{
    assert_zones("Could you check?\n"
                 "-- \n"
                 "Alice Example\n"
                 "Phone: +1 555 0100? Call me!\n",
                 "asss");
    /* CRLF text: the "-- \r" line is still the marker */
    assert_zones("Could you check?\r\n-- \r\nAlice\r\n", "ass");
    /* a dash line in the text that is not the marker */
    assert_zones("Could you check -- today?\n--- not a sig\nmore\n", "aaa");
}

static void
test_zones_mobile_signature(void **state)
{
    assert_zones("Can you call me?\n"
                 "\n"
                 "Sent from my iPhone\n"
                 "\n"
                 "> quoted\n",
                 "aasaq");
    assert_zones("Ok.\nGet Outlook for Android\n", "as");
    assert_zones("Ok.\nVon meinem iPhone gesendet\n", "as");
}

static void
test_zones_list_footer(void **state)
{
    assert_zones("Could anyone review this patch?\n"
                 "\n"
                 "_______________________________________________\n"
                 "dev mailing list\n"
                 "dev@lists.example.org\n"
                 "https://lists.example.org/mailman/listinfo/dev\n",
                 "aaoooo");
    /* a separator line in the author's text */
    assert_zones("Results:\n"
                 "__________________\n"
                 "all green\n",
                 "aaa");
    /* a mail provider's advertisement under a line of underscores,
     * before the list's own footer */
    assert_zones("Solaris and Linux seem closer.\n"
                 "__________________________________________________\n"
                 "Do You Yahoo!?\n"
                 "Everything you'll ever need on one web page\n"
                 "http://uk.my.yahoo.com\n"
                 "-- \n"
                 "Irish Linux Users' Group\n",
                 "aoooooo");
    /* a table rule with more than a few lines under it is the author's */
    assert_zones("Results:\n"
                 "______________________________\n"
                 "a 1\nb 2\nc 3\nd 4\nsee http://example.org\n",
                 "aaaaaaa");
}

static void
test_zones_disclaimer(void **state)
{
    assert_zones("Could you sign the contract?\n"
                 "\n"
                 "This email and any attachments are confidential and intended solely\n"
                 "for the addressee. If you are not the intended recipient, please\n"
                 "delete it and notify the sender.\n",
                 "aaddd");
    /* one line under a signature says it all */
    assert_zones("Could you sign the contract?\n"
                 "Eric\n"
                 "The above message may be protected by attorney/client privilege.  If you "
                 "believe that it has been sent to you in error, do not read it.  Please reply "
                 "to the sender that you have received the message in error.  Then delete it.\n",
                 "aad");
    assert_zones("I think I received your invoice in error: who handles it?\n", "a");
    /* the word in a sentence of the author's is not a disclaimer */
    assert_zones("Could you keep this confidential for now?\nThanks\n", "aa");
}

static void
test_zones_patch(void **state)
{
    assert_zones("Could you apply this?\n"
                 "\n"
                 "---\n"
                 " lib/raw.c | 2 +-\n"
                 " 1 file changed, 1 insertion(+), 1 deletion(-)\n"
                 "\n"
                 "diff --git a/lib/raw.c b/lib/raw.c\n"
                 "+    return x;\n",
                 "aapppppp");
}

static void
test_fresh_text(void **state)
{
    assert_fresh("\n\n  \n"
                 "Hi Bob,\n"
                 "\n"
                 "\n"
                 "Could you send the report?\n"
                 "\n"
                 "On Mon, 13 Nov 2023, Bob <bob@example.com> wrote:\n"
                 "> Here is the draft.\n"
                 "> Can you look?\n"
                 "\n"
                 "-- \n"
                 "Alice\n",
                 "Hi Bob,\n\nCould you send the report?");
}

static void
test_fresh_interleaved(void **state)
{
    assert_fresh("> Can you come on Monday?\n"
                 "Yes.\n"
                 "> And bring the slides?\n"
                 "Of course.\n",
                 "Yes.\nOf course.");
}

static void
test_fresh_crlf_and_edges(void **state)
{
    assert_fresh("Line one\r\nLine two\r\n\r\n> old\r\n", "Line one\nLine two");
    assert_fresh("", "");
    assert_fresh("\n\n\n", "");
    assert_fresh("> all quoted\n> here\n", "");
    assert_fresh("no newline at the end", "no newline at the end");
}

static void
test_fresh_huge(void **state)
{
    GString *text = g_string_new(NULL);

    for (int i = 0; i < 20000; i++)
        g_string_append(text, "a line of text\n> a quoted line\n");
    char *fresh = tw_text_fresh(text->str);
    assert_int_equal(strlen(fresh), 20000 * strlen("a line of text\n") - 1);
    assert_null(strchr(fresh, '>'));
    g_free(fresh);
    g_string_free(text, TRUE);
}

static void
test_sentences_basic(void **state)
{
    assert_sentences("Hello Bob. Could you send it? Thanks!", "Hello Bob.", "Could you send it?",
                     "Thanks!", (char *)NULL);
    assert_sentences("Is it ready?? I hope so!!! Great.", "Is it ready??", "I hope so!!!", "Great.",
                     (char *)NULL);
    assert_sentences("", (char *)NULL);
    assert_sentences(NULL, (char *)NULL);
    assert_sentences("   \n\n  ", (char *)NULL);
}

static void
test_sentences_abbreviations(void **state)
{
    assert_sentences("Please ask Dr. Smith, e.g. at 3 p.m. today. Then we talk.",
                     "Please ask Dr. Smith, e.g. at 3 p.m. today.", "Then we talk.",
                     (char *)NULL);
    assert_sentences("I met J. Smith and Mr. Jones etc. yesterday. Fine.",
                     "I met J. Smith and Mr. Jones etc. yesterday.", "Fine.", (char *)NULL);
    assert_sentences("The price is 3.50 euros. See example.org/a?b=1 for more.",
                     "The price is 3.50 euros.", "See example.org/a?b=1 for more.",
                     (char *)NULL);
}

static void
test_sentences_line_breaks(void **state)
{
    /* greeting and sign-off lines end sentences; a wrapped line does not */
    assert_sentences("Hi Bob,\n"
                     "Could you send the report\n"
                     "by Friday?\n"
                     "Thanks,\n"
                     "Alice\n",
                     "Hi Bob,", "Could you send the report by Friday?", "Thanks,", "Alice",
                     (char *)NULL);
    assert_sentences("I have been looking at the numbers you sent me last week and\n"
                     "I think we should move the deadline.\n",
                     "I have been looking at the numbers you sent me last week and I think we "
                     "should move the deadline.",
                     (char *)NULL);
    /* blank lines end paragraphs even without punctuation */
    assert_sentences("No punctuation here\n\nSecond paragraph", "No punctuation here",
                     "Second paragraph", (char *)NULL);
    /* list items */
    assert_sentences("Please bring:\n- the report\n- the slides\n", "Please bring:",
                     "- the report", "- the slides", (char *)NULL);
}

static void
test_sentences_quoted(void **state)
{
    /* a sentence whose every word is inside quotation marks is someone
     * else's: a quoted passage, reported words */
    assert_sentences("Jefferson wrote:\n"
                     "\n"
                     "\"Millions have been burnt. What has been the effect of this\n"
                     "coercion? To make one half the world fools.\"\n"
                     "\n"
                     "Can you send the \"final\" figures?\n",
                     "Jefferson wrote:", "Can you send the \"final\" figures?", (char *)NULL);
    assert_sentences("\xe2\x80\x9c" "Are you one of them?\xe2\x80\x9d he said. Odd.\n",
                     "he said.", "Odd.", (char *)NULL);
    /* a program's prompt stays with its question */
    assert_sentences("Continue? [Y/n] Y\nDone? Yes.\n", "Continue? [Y/n] Y", "Done?", "Yes.",
                     (char *)NULL);
    /* marks that do not pair up (an inch, a stray) leave the paragraph
     * whole */
    assert_sentences("The 3.5\" drive failed. \"Can you replace it?\n",
                     "The 3.5\" drive failed.", "\"Can you replace it?", (char *)NULL);
}

static void
test_sentences_huge(void **state)
{
    GString *text = g_string_new(NULL);

    for (int i = 0; i < 5000; i++)
        g_string_append(text, "Is this a question? ");
    g_string_append(text, "Unterminated ending");
    GPtrArray *s = tw_text_sentences(text->str);
    assert_true(s->len > 0);
    for (guint i = 0; i < s->len; i++)
        assert_true(strlen(s->pdata[i]) > 0);
    assert_string_equal(s->pdata[0], "Is this a question?");
    g_ptr_array_free(s, TRUE);
    g_string_free(text, TRUE);
}

static void
test_html_tags_and_blocks(void **state)
{
    assert_html("<html><body><p>Hello <b>Bob</b>,</p><div>Could you <i>review</i> it?</div>"
                "line<br>break<br/>again</body></html>",
                "Hello Bob,\nCould you review it?\nline\nbreak\nagain");
    assert_html("<ul><li>one</li><li>two</li></ul>", "- one\n- two");
    assert_html("<table><tr><td>a</td><td>b</td></tr><tr><td>c</td></tr></table>",
                "a b\nc");
    assert_html("<P>Upper  \n\n case\tTAGS</P>", "Upper case TAGS");
}

static void
test_html_entities(void **state)
{
    assert_html("<p>&amp; &lt;b&gt; &quot;x&quot; &apos;y&apos;</p>", "& <b> \"x\" 'y'");
    assert_html("<p>caf&eacute; &#233; &#xE9; &#x263A; &euro;&nbsp;5</p>",
                "caf\xc3\xa9 \xc3\xa9 \xc3\xa9 \xe2\x98\xba \xe2\x82\xac 5");
    /* not entities: kept as they are */
    assert_html("<p>AT&T &unknown; & a</p>", "AT&T &unknown; & a");
    /* bad code points become the replacement character */
    assert_html("<p>&#0;&#xD800;&#99999999;</p>", "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
}

static void
test_html_blockquote(void **state)
{
    assert_html("<p>Yes.</p><blockquote><p>Can you come?</p>"
                "<blockquote>Earlier</blockquote></blockquote><p>Bye</p>",
                "Yes.\n> Can you come?\n> > Earlier\nBye");
}

static void
test_html_skipped_elements(void **state)
{
    assert_html("<html><head><title>Title?</title><style>p { color: red; }</style></head>"
                "<body><script>var q = \"a?\";</script><p>Visible</p>"
                "<!-- a comment? <p>hidden</p> --><p>End</p></body></html>",
                "Visible\nEnd");
}

static void
test_html_bad_input(void **state)
{
    char *t;

    t = tw_text_from_html("", 0);
    assert_string_equal(t, "");
    g_free(t);
    /* unterminated tag and comment */
    assert_html("<p>kept</p><p class=", "kept");
    assert_html("<p>kept</p><!-- never closed <p>lost", "kept");
    /* invalid UTF-8 comes out valid */
    t = tw_text_from_html("<p>caf\xe9 \xff</p>", 13);
    assert_true(g_utf8_validate(t, -1, NULL));
    assert_true(g_str_has_prefix(t, "caf"));
    g_free(t);
    /* only len bytes are read */
    t = tw_text_from_html("<p>abc</p>XYZ", 10);
    assert_true(unit_contains(t, "abc"));
    assert_false(unit_contains(t, "XYZ"));
    g_free(t);
}

static void
test_html_not_nul_terminated(void **state)
{
    /* buffers that end without a NUL, cut inside an entity or tag */
    static const char *const inputs[] = {
        "<p>a &amp", "<p>a &#x26", "<p>a &", "<p>a <", "<p>a <!-", "<p>a <b", "x &#",
    };

    for (size_t i = 0; i < G_N_ELEMENTS(inputs); i++) {
        size_t n = strlen(inputs[i]);
        char *buf = g_malloc(n);
        memcpy(buf, inputs[i], n);
        char *t = tw_text_from_html(buf, n);
        assert_true(g_utf8_validate(t, -1, NULL));
        assert_true(unit_contains(t, "a") || unit_contains(t, "x"));
        g_free(t);
        g_free(buf);
    }
}

static void
test_html_huge(void **state)
{
    GString *html = g_string_new("<html><body>");

    for (int i = 0; i < 20000; i++)
        g_string_append(html, "<div><span>word</span> &amp; <b>more</b></div>");
    g_string_append(html, "</body></html>");
    char *t = tw_text_from_html(html->str, html->len);
    assert_true(g_str_has_prefix(t, "word & more\n"));
    assert_null(strchr(t, '<'));
    g_free(t);
    g_string_free(html, TRUE);
}

/* A word prepared and looked up through a view. */
static bool
view_has(const tw_text_view_t *v, const char *word)
{
    tw_text_word_t w;

    tw_text_word_init(&w, word);
    return tw_text_view_has(v, &w);
}

static bool
view_may_have(const tw_text_view_t *v, const char *word)
{
    tw_text_word_t w;

    tw_text_word_init(&w, word);
    return tw_text_view_may_have(v, &w);
}

/* Words looked up through a view: only what is in the text is found. */
static void
test_view(void **state)
{
    (void)state;
    tw_text_view_t v;
    const char *text = " could you send me the file? ";

    tw_text_view_init(&v, text);
    assert_true(view_has(&v, "could"));
    assert_true(view_has(&v, " me "));
    assert_true(view_has(&v, "?"));
    assert_true(view_has(&v, ""));
    assert_false(view_has(&v, "!"));
    assert_false(view_has(&v, "please"));
    assert_false(view_may_have(&v, "please"));
    /* every pair of "yould" is in the text ("you", "could"), the word
     * is not: only the search tells */
    assert_true(view_may_have(&v, "yould"));
    assert_false(view_has(&v, "yould"));
    assert_false(view_has(&v, "sendme"));
    assert_false(view_has(&v, "filed"));
    /* a word longer than the pairs kept is still searched whole ("ys"
     * of "mondays", past them, is not in the text) */
    tw_text_view_init(&v, " send me the file by friday, or by monday at the latest ");
    assert_true(view_has(&v, "send me the file by friday, or by monday"));
    assert_true(view_may_have(&v, "send me the file by friday, or by mondays"));
    assert_false(view_has(&v, "send me the file by friday, or by mondays"));
    tw_text_view_init(&v, "");
    assert_false(view_has(&v, "a"));
    assert_true(view_has(&v, ""));
}

/* ASCII lower case: other bytes (UTF-8 among them) stay as they are. */
static void
test_lower(void **state)
{
    (void)state;
    char *a = tw_text_lower("Hello, WORLD @[`{ Ünï", -1, FALSE);
    char *b = tw_text_lower("Could You", -1, TRUE);
    char *c = tw_text_lower("ABCDEF", 3, TRUE);
    char *d = tw_text_lower("", -1, TRUE);

    assert_string_equal(a, "hello, world @[`{ \xc3\x9cn\xc3\xaf");
    assert_string_equal(b, " could you ");
    assert_string_equal(c, " abc ");
    assert_string_equal(d, "  ");
    /* every byte value, at every offset of an eight-byte word */
    char all[300];
    for (int k = 0; k < 255; k++)
        all[k] = (char)(k + 1);
    for (int shift = 0; shift < 8; shift++) {
        char *e = tw_text_lower(all + shift, 255 - shift, FALSE);
        for (int k = shift; k < 255; k++) {
            unsigned char byte = (unsigned char)all[k];
            assert_int_equal((unsigned char)e[k - shift], (unsigned char)g_ascii_tolower((gchar)byte));
        }
        assert_int_equal(e[255 - shift], '\0');
        g_free(e);
    }
    g_free(a);
    g_free(b);
    g_free(c);
    g_free(d);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lower),
        cmocka_unit_test(test_view),
        cmocka_unit_test(test_zone_names),
        cmocka_unit_test(test_lines),
        cmocka_unit_test(test_zones_empty),
        cmocka_unit_test(test_zones_quotes),
        cmocka_unit_test(test_zones_initials_quotes),
        cmocka_unit_test(test_zones_mark_quotes),
        cmocka_unit_test(test_zones_mark_not_quotes),
        cmocka_unit_test(test_zones_attribution),
        cmocka_unit_test(test_zones_attribution_wrapped),
        cmocka_unit_test(test_zones_attribution_name_wrote),
        cmocka_unit_test(test_zones_attribution_german_thunderbird),
        cmocka_unit_test(test_zones_attribution_german_gmail),
        cmocka_unit_test(test_zones_attribution_german_closer),
        cmocka_unit_test(test_zones_attribution_french),
        cmocka_unit_test(test_zones_attribution_unquoted),
        cmocka_unit_test(test_zones_attribution_interleaved),
        cmocka_unit_test(test_zones_attribution_prose),
        cmocka_unit_test(test_zones_original_message),
        cmocka_unit_test(test_zones_outlook_header_block),
        cmocka_unit_test(test_zones_outlook_header_block_languages),
        cmocka_unit_test(test_zones_outlook_header_line),
        cmocka_unit_test(test_zones_outlook_separator),
        cmocka_unit_test(test_zones_forwarded),
        cmocka_unit_test(test_zones_forwarded_languages),
        cmocka_unit_test(test_zones_signature),
        cmocka_unit_test(test_zones_mobile_signature),
        cmocka_unit_test(test_zones_list_footer),
        cmocka_unit_test(test_zones_disclaimer),
        cmocka_unit_test(test_zones_patch),
        cmocka_unit_test(test_fresh_text),
        cmocka_unit_test(test_fresh_interleaved),
        cmocka_unit_test(test_fresh_crlf_and_edges),
        cmocka_unit_test(test_fresh_huge),
        cmocka_unit_test(test_sentences_basic),
        cmocka_unit_test(test_sentences_abbreviations),
        cmocka_unit_test(test_sentences_line_breaks),
        cmocka_unit_test(test_sentences_quoted),
        cmocka_unit_test(test_sentences_huge),
        cmocka_unit_test(test_html_tags_and_blocks),
        cmocka_unit_test(test_html_entities),
        cmocka_unit_test(test_html_blockquote),
        cmocka_unit_test(test_html_skipped_elements),
        cmocka_unit_test(test_html_bad_input),
        cmocka_unit_test(test_html_not_nul_terminated),
        cmocka_unit_test(test_html_huge),
    };

    return cmocka_run_group_tests_name("text", tests, NULL, NULL);
}
