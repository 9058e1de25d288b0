/* text.c - zones of a body, fresh text and sentences. */
#include "text.h"

#include <string.h>

static const char *const zone_names[] = {
    "author", "quote", "attribution", "forward", "signature", "footer", "disclaimer",
    "patch",
};

const char *
tw_zone_name(tw_zone_t zone)
{
    return (size_t)zone < G_N_ELEMENTS(zone_names) ? zone_names[zone] : "unknown";
}

/* The line without leading blanks. */
static const char *
skip_blanks(const char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    return s;
}

static bool
is_blank(const char *s)
{
    for (; *s; s++)
        if (!g_ascii_isspace(*s) && (unsigned char)*s != 0xa0 && *s != '\xc2')
            return false;
    return true;
}

/* Case-insensitive: does s start with prefix? */
static bool
starts_with(const char *s, const char *prefix)
{
    return g_ascii_strncasecmp(s, prefix, strlen(prefix)) == 0;
}

/* Case-insensitive substring; needle is in lower case. */
static bool
contains(const char *s, const char *needle)
{
    char lower = g_ascii_tolower(needle[0]), upper = g_ascii_toupper(needle[0]);
    size_t n = strlen(needle);

    for (; s && *s; s++)
        if ((*s == lower || *s == upper) && g_ascii_strncasecmp(s, needle, n) == 0)
            return true;
    return false;
}

/* s[0, len) in ASCII lower case at out (no '\0' added). */
static void
lower_into(const char *s, size_t len, char *out)
{
    size_t i = 0;

    /* eight bytes at a time: a byte below 0x80 from 'A' to 'Z' gets its
     * 0x20 bit (sums of 7-bit values never carry into the next byte) */
    for (; i + 8 <= len; i += 8) {
        guint64 x, low;
        memcpy(&x, s + i, 8);
        low = x & G_GUINT64_CONSTANT(0x7f7f7f7f7f7f7f7f);
        guint64 from_a = low + G_GUINT64_CONSTANT(0x3f3f3f3f3f3f3f3f); /* >= 'A' */
        guint64 past_z = low + G_GUINT64_CONSTANT(0x2525252525252525); /* > 'Z' */
        guint64 upper = from_a & ~past_z & ~x & G_GUINT64_CONSTANT(0x8080808080808080);
        x |= upper >> 2;
        memcpy(out + i, &x, 8);
    }
    for (; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        out[i] = (char)((unsigned)(c - 'A') < 26u ? c + ('a' - 'A') : c);
    }
}

/* Whether a line holds one of words (in lower case), as contains()
 * tells: a short line is put in lower case once and searched as it is. */
static bool
line_has_any(const char *line, const char *const *words, size_t n)
{
    char low[256];
    size_t len = strlen(line);

    if (len >= sizeof low) {
        for (size_t k = 0; k < n; k++)
            if (contains(line, words[k]))
                return true;
        return false;
    }
    lower_into(line, len, low);
    low[len] = '\0';
    for (size_t k = 0; k < n; k++)
        if (strstr(low, words[k]) != NULL)
            return true;
    return false;
}

/* Does the trimmed line end with suffix (case-insensitive)? */
static bool
ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);

    while (n > 0 && g_ascii_isspace(s[n - 1]))
        n--;
    return n >= k && g_ascii_strncasecmp(s + n - k, suffix, k) == 0;
}

static bool
is_quote_line(const char *line)
{
    const char *p = skip_blanks(line);

    /* other prefixes ("| ", "--]") only in a message that quotes with
     * them: mark_prefix() */
    return *p == '>';
}

/* Supercite and The Bat! quote with the quoted author's initials or
 * name: "E> ", " JM> ".  The length of such a prefix, or 0. */
static size_t
initials_prefix(const char *line)
{
    size_t k = *line == ' ' ? 1 : 0, start = k;

    while (k - start < 8 && g_ascii_isalpha(line[k]))
        k++;
    if (k == start || line[k] != '>' || (line[k + 1] != ' ' && line[k + 1] != '\0'))
        return 0;
    return k + 1;
}

/* A line quoted with initials: one such line alone may be a prompt
 * ("mysql> ") or a word before an arrow, so the previous or the next
 * non-blank line must carry the same initials. */
static bool
is_initials_quote(char **lines, size_t i, size_t n)
{
    size_t len = initials_prefix(lines[i]);

    if (len == 0)
        return false;
    for (size_t k = i; k-- > 0;)
        if (!is_blank(lines[k])) {
            if (initials_prefix(lines[k]) == len && strncmp(lines[k], lines[i], len) == 0)
                return true;
            break;
        }
    for (size_t k = i + 1; k < n; k++)
        if (!is_blank(lines[k]))
            return initials_prefix(lines[k]) == len && strncmp(lines[k], lines[i], len) == 0;
    return false;
}

/* Other quoting prefixes than '>': one to three marks at the start of
 * a line ("| ", ": ", "# ", "=> ", "} ", "--]"), then a blank, the end
 * of the line or, after a closing mark ("--]Next", "=>http"), the text.
 * Not a list's bullet ("- ", "* ", "+ "), a signature's "-- ", a
 * patch's "--- ", a shell's prompt ("$ "), an opening bracket or
 * quotation mark, a path, an ellipsis, a separator (four marks or
 * more) or a row of a table ("| a | b |").  The length of the prefix
 * with the blanks before it, or 0. */
static size_t
mark_prefix(const char *line)
{
    size_t k = 0, start;

    while (k < 3 && line[k] == ' ')
        k++;
    start = k;
    /* the first mark: not '>', whose lines are quoted anyway */
    if (line[k] == '\0' || strchr("|:#}])=~;%!&^+*-", line[k]) == NULL)
        return 0;
    /* a '>' after a closing mark is a quote in the quote: "--]>", "|>" */
    for (k++; k - start < 4 && line[k] != '\0' && strchr("|:#}])=~;%!&^+*->", line[k]) != NULL &&
              !(line[k] == '>' && strchr("]}|:", line[k - 1]) != NULL);
         k++)
        ;
    if (k - start > 3)
        return 0;
    if (line[k] != ' ' && line[k] != '\t' && line[k] != '\0' && strchr("]}|:>", line[k - 1]) == NULL)
        return 0;
    /* dashes, stars or pluses alone: a bullet, a signature's marker,
     * a patch's "---" */
    if (strchr("-*+", line[start]) != NULL) {
        size_t same = start + 1;
        while (same < k && line[same] == line[start])
            same++;
        if (same == k)
            return 0;
    }
    if (line[start] == '|' && strchr(line + k, '|') != NULL)
        return 0;
    return k;
}

/* A run of at least two lines quoted with the same prefix starts at
 * line i: the prefix's length, or 0. */
static size_t
mark_run(char **lines, size_t i, size_t n)
{
    size_t len = mark_prefix(lines[i]);

    if (len == 0 || i + 1 >= n || mark_prefix(lines[i + 1]) != len ||
        strncmp(lines[i], lines[i + 1], len) != 0)
        return 0;
    return len;
}

/* Does line start with the prefix a message quotes with?  Whatever
 * follows it but a letter or a digit, unless it ends with a closing
 * mark: a quoted table row, a quote in the quote ("|>", "# #"). */
static bool
has_mark(const char *line, const char *mark, size_t len)
{
    /* the line is read past the mark only once it holds the mark */
    return strncmp(line, mark, len) == 0 &&
           (!g_ascii_isalnum((unsigned char)line[len]) || strchr("]}|:>", mark[len - 1]) != NULL);
}

/* True when the next non-blank line after i is quoted. */
static bool
quote_follows(char **lines, size_t i, size_t n)
{
    for (size_t k = i + 1; k < n && k <= i + 2; k++)
        if (!is_blank(lines[k]))
            return is_quote_line(lines[k]) || is_initials_quote(lines, k, n) ||
                   mark_run(lines, k, n) > 0;
    return false;
}

/* "On Tue, ... wrote:" and its translations, possibly wrapped over up
 * to three lines: returns the number of lines it covers, or 0. */
static int
attribution_lines(char **lines, size_t i, size_t n)
{
    static const char *const openers[] = {
        "On ", "Am ", "Le ", "El ", "Il ", "Op ", "Den ", "W dniu ",
    };
    static const char *const closers[] = {
        "wrote:", "writes:", "schrieb:", "a écrit :", "a écrit:",
        "escribió:", "ha scritto:", "schreef:", "skrev:", "napisał:",
        "geschrieben:",
    };
    /* verbs that come before the name: "Am ... schrieb Alice:" */
    static const char *const verbs[] = {
        " schrieb ", " wrote ", " a écrit ", " escribió ", " ha scritto ", " schreef ",
        " skrev ", " napisał ",
    };
    const char *first = skip_blanks(lines[i]);
    bool opener = false, verb = false;

    /* the first letter rules most lines out before a comparison */
    for (size_t k = 0; k < G_N_ELEMENTS(openers) && !opener; k++)
        opener = g_ascii_toupper(*first) == openers[k][0] && starts_with(first, openers[k]);
    for (size_t span = 0; span < 3 && i + span < n; span++) {
        const char *l = lines[i + span];
        if (span > 0 && is_blank(l))
            return 0;
        for (size_t k = 0; k < G_N_ELEMENTS(verbs) && opener; k++)
            verb = verb || strstr(l, verbs[k]) != NULL;
        /* every attribution ends in ':' */
        if (!ends_with(l, ":")) {
            if (!opener)
                return 0;
            continue;
        }
        if (verb)
            return (int)span + 1;
        for (size_t k = 0; k < G_N_ELEMENTS(closers); k++) {
            if (!ends_with(l, closers[k]))
                continue;
            /* "X wrote:" on its own line directly before a quote */
            if (opener || (span == 0 && strlen(l) < 120 && quote_follows(lines, i, n)))
                return (int)span + 1;
        }
        if (!opener)
            return 0;
    }
    return 0;
}

/* The old message under an attribution that is not quoted with '>'
 * (Yahoo, Outlook.com and others put it under "On ... wrote:" as it
 * was, below the author's reply).  The attribution carries a date or
 * an address, as a client writes it, not a sentence's "On the other
 * hand, Bob wrote:"; the first non-blank line under it is no other
 * attribution and starts with a letter or a digit, not with another
 * quoting prefix ("| ", "--]", "# ") or a snip mark ("[...]",
 * "<snip>"); and no '>' line comes before the next attribution: an
 * interleaved reply, whose first line may be a greeting or a stray
 * word, keeps the author's answers between its quotes.  The caller
 * also wants the author's text above the attribution: under one at
 * the top of a message, the unquoted text is the author's. */
static bool
is_unquoted_below(char **lines, size_t i, size_t span, size_t n)
{
    bool client = false;
    size_t k = i + span, first;
    unsigned char c;

    for (size_t a = i; a < i + span; a++)
        client = client || strpbrk(lines[a], "0123456789@") != NULL;
    if (!client)
        return false;
    while (k < n && is_blank(lines[k]))
        k++;
    if (k == n)
        return false;
    c = (unsigned char)*skip_blanks(lines[k]);
    if (!(g_ascii_isalnum(c) || c >= 0x80) || attribution_lines(lines, k, n) > 0)
        return false;
    for (first = k; k < n; k++) {
        const char *p = skip_blanks(lines[k]);
        if (*p == '>' && !g_str_has_prefix(p, ">From "))
            return false; /* ">From " is a line an mbox escaped */
        if (is_initials_quote(lines, k, n))
            return false;
        if (k > first && ends_with(p, ":") && attribution_lines(lines, k, n) > 0)
            break;
    }
    return true;
}

/* "-----Original Message-----" and translations. */
static bool
is_original_message(const char *line)
{
    static const char *const words[] = {
        "original message", "ursprüngliche nachricht", "message d'origine",
        "mensaje original", "messaggio originale", "oorspronkelijk bericht",
        "original-nachricht", "message original", "mail original", "mensagem original",
        "reply message", "original appointment",
    };
    const char *p = skip_blanks(line);

    return (*p == '-' || *p == '_' || *p == '=') && line_has_any(p, words, G_N_ELEMENTS(words));
}

/* The fields of a quoted mail's header block, in the languages of the
 * clients that write one (Outlook, Apple Mail, Lotus Notes). */
typedef enum {
    FIELD_FROM = 1, FIELD_DATE, FIELD_TO, FIELD_CC, FIELD_SUBJECT,
} field_t;

#define FIELD(name, field) {name, sizeof name - 1, field}
static const struct {
    const char *name;
    size_t len;
    field_t field;
} field_names[] = {
    FIELD("From", FIELD_FROM), FIELD("Von", FIELD_FROM), FIELD("De", FIELD_FROM),
    FIELD("Da", FIELD_FROM), FIELD("Van", FIELD_FROM),
    FIELD("Sent", FIELD_DATE), FIELD("Date", FIELD_DATE), FIELD("Gesendet", FIELD_DATE),
    FIELD("Envoyé", FIELD_DATE), FIELD("Enviado el", FIELD_DATE),
    FIELD("Enviado em", FIELD_DATE), FIELD("Enviada em", FIELD_DATE),
    FIELD("Enviado", FIELD_DATE), FIELD("Inviato", FIELD_DATE), FIELD("Verzonden", FIELD_DATE),
    FIELD("Datum", FIELD_DATE), FIELD("Data", FIELD_DATE), FIELD("Fecha", FIELD_DATE),
    FIELD("To", FIELD_TO), FIELD("An", FIELD_TO), FIELD("À", FIELD_TO), FIELD("A", FIELD_TO),
    FIELD("Para", FIELD_TO), FIELD("Aan", FIELD_TO),
    FIELD("Cc", FIELD_CC),
    FIELD("Subject", FIELD_SUBJECT), FIELD("Betreff", FIELD_SUBJECT),
    FIELD("Objet", FIELD_SUBJECT), FIELD("Asunto", FIELD_SUBJECT),
    FIELD("Oggetto", FIELD_SUBJECT), FIELD("Assunto", FIELD_SUBJECT),
    FIELD("Onderwerp", FIELD_SUBJECT),
};
#undef FIELD

/* The length of a blank at s: a space, a tab, a no-break space
 * (U+00A0) or a narrow one (U+202F, French Outlook's before a colon);
 * 0 for anything else. */
static size_t
blank_at(const char *s)
{
    if (*s == ' ' || *s == '\t')
        return 1;
    if ((unsigned char)s[0] == 0xc2 && (unsigned char)s[1] == 0xa0)
        return 2;
    if ((unsigned char)s[0] == 0xe2 && (unsigned char)s[1] == 0x80 && (unsigned char)s[2] == 0xaf)
        return 3;
    return 0;
}

/* The field whose name and colon start at p ("Objet :", "De\xc2\xa0:"),
 * and in *end where its value starts; 0 when none does. */
static field_t
field_at(const char *p, const char **end)
{
    char first = g_ascii_toupper(*p);

    for (size_t k = 0; k < G_N_ELEMENTS(field_names); k++) {
        size_t len = field_names[k].len, b;
        const char *q = p + len;

        /* the first letter rules most names out before a comparison */
        if (field_names[k].name[0] != first ||
            g_ascii_strncasecmp(p, field_names[k].name, len) != 0)
            continue;
        while ((b = blank_at(q)) > 0 && q - p < 16)
            q += b;
        if (*q == ':') {
            if (end)
                *end = q + 1;
            return field_names[k].field;
        }
    }
    return 0;
}

/* The field a header-block line starts with, after blanks and a '*'
 * (bold in converted HTML), and in *name where its name starts; 0 when
 * none does. */
static field_t
field_of(const char *line, const char **name)
{
    const char *p = line;
    size_t b;

    while ((b = blank_at(p)) > 0)
        p += b;
    if (*p == '*')
        p++;
    /* every name ends with a colon within its first 16 bytes */
    if (memchr(p, ':', strnlen(p, 16)) == NULL)
        return 0;
    if (name)
        *name = p;
    return field_at(p, NULL);
}

/* A header block some clients flatten into one line: "From: X Sent:
 * ... To: Y Subject: Z", "Von: X Gesendet: ... Betreff: Z".  After the
 * sender's field (its value at p), the line holds a date's field and
 * then a subject's, each after a blank. */
static bool
is_flattened_block(const char *p)
{
    bool date = false;

    for (; *p; p++) {
        field_t f;
        if (p[-1] != ' ' && p[-1] != '\t' && p[-1] != '*' && (unsigned char)p[-1] != 0xa0)
            continue;
        f = g_ascii_isalpha(*p) || (unsigned char)*p == 0xc3 ? field_at(p, NULL) : 0;
        if (f == FIELD_DATE)
            date = true;
        else if (f == FIELD_SUBJECT && date)
            return true;
    }
    return false;
}

/* A quoted mail's header block: Outlook's "From:" with "Sent:"/"Date:"
 * and "To:"/"Subject:" within the next lines or flattened into its
 * line, or Lotus Notes' "To:" followed by "cc:" and "Subject:" (its
 * "From:" line carries the date). */
static bool
is_header_block(char **lines, size_t i, size_t n)
{
    const char *name;
    field_t first = field_of(lines[i], &name);
    bool date = false, to = false, cc = false, subject = false;

    if (first != FIELD_FROM && !(first == FIELD_TO && g_ascii_strncasecmp(name, "To", 2) == 0))
        return false;
    if (first == FIELD_FROM) {
        const char *value = name;
        field_at(name, &value);
        if (is_flattened_block(value))
            return true;
    }
    for (size_t k = i + 1; k < n && k <= i + 6; k++) {
        field_t f = field_of(lines[k], NULL);
        date = date || f == FIELD_DATE;
        to = to || f == FIELD_TO;
        cc = cc || f == FIELD_CC;
        subject = subject || f == FIELD_SUBJECT;
    }
    if (first == FIELD_FROM)
        return (date && (to || subject)) || (to && cc && subject);
    return cc && subject; /* "To:", "cc:", "Subject:" */
}

/* Outlook draws a line of underscores above the header block of the
 * mail it quotes: the line (and blank lines under it) goes with the
 * quote that starts at i. */
static void
separator_to_quote(char **lines, tw_zone_t *zones, size_t i)
{
    size_t k = i;

    while (k > 0 && zones[k - 1] == TW_ZONE_AUTHOR && is_blank(lines[k - 1]))
        k--;
    if (k > 0 && zones[k - 1] == TW_ZONE_AUTHOR) {
        const char *p = skip_blanks(lines[k - 1]);
        size_t run = strspn(p, "_");

        if (run >= 10 && is_blank(p + run))
            for (k--; k < i; k++)
                zones[k] = TW_ZONE_QUOTE;
    }
}

/* A forwarded message's banner: Apple Mail's "Begin forwarded
 * message:" and its translations, or a line of dashes around Gmail's,
 * Thunderbird's or Yahoo's "Forwarded message" and theirs. */
static bool
is_forward_marker(const char *line)
{
    static const char *const apple[] = {
        "Begin forwarded message", "Anfang der weitergeleiteten",
        "Début du message réexpédié",
        "Inicio del mensaje reenviado", "Inizio messaggio inoltrato",
        "Início da mensagem encaminhada", "Início da mensagem reencaminhada",
        "Begin doorgestuurd bericht",
    };
    static const char *const banners[] = {
        "forwarded message", "forwarded by", "weitergeleitete nachricht",
        "message transféré", "mensaje reenviado", "messaggio inoltrato",
        "mensagem encaminhada", "mensagem reencaminhada", "doorgestuurd bericht",
    };
    const char *p = skip_blanks(line);

    for (size_t k = 0; k < G_N_ELEMENTS(apple); k++)
        if (g_ascii_toupper(*p) == apple[k][0] && starts_with(p, apple[k]))
            return true;
    return (*p == '-' || *p == '=') && line_has_any(p, banners, G_N_ELEMENTS(banners));
}

static bool
is_signature_marker(const char *line)
{
    return strcmp(line, "-- ") == 0 || strcmp(line, "--") == 0 ||
           strcmp(line, "-- \r") == 0;
}

static bool
is_mobile_signature(const char *line)
{
    const char *p = skip_blanks(line);

    return starts_with(p, "Sent from my ") || starts_with(p, "Sent from Mail for") ||
           starts_with(p, "Get Outlook for ") || starts_with(p, "Von meinem iPhone") ||
           starts_with(p, "Envoyé de mon ") || starts_with(p, "Enviado desde mi ");
}

/* A separator of underscores or dashes that starts a list footer:
 * the lines after it talk about the list.  Or a line of underscores
 * under which a mail provider adds its advertisement: at most four
 * lines, one with a link ("Do You Yahoo!?"), to the end or to the
 * signature marker of a list footer. */
static bool
is_footer_start(char **lines, size_t i, size_t n)
{
    const char *p = skip_blanks(lines[i]);
    size_t run = strspn(p, "_");

    if (run < 10 && strspn(p, "-") < 10 && strspn(p, "=") < 10)
        return false;
    if (run >= 20 && p[run] == '\0') {
        size_t left = 0;
        bool link = false;

        for (size_t k = i + 1; k < n && !is_signature_marker(lines[k]); k++)
            if (!is_blank(lines[k])) {
                left++;
                link = link || strstr(lines[k], "http://") != NULL ||
                       strstr(lines[k], "https://") != NULL;
            }
        if (left > 0 && left <= 4 && link)
            return true;
    }
    for (size_t k = i + 1; k < n && k <= i + 6; k++)
        if (contains(lines[k], "mailing list") || contains(lines[k], "unsubscribe") ||
            contains(lines[k], "listinfo") || contains(lines[k], "mailman"))
            return true;
    return false;
}

/* The start of a patch: "diff --git", "Index:", "--- a/...", or the
 * "---" line before a diffstat. */
static bool
is_patch_start(char **lines, size_t i, size_t n)
{
    const char *l = lines[i];

    if (g_str_has_prefix(l, "diff --git ") || g_str_has_prefix(l, "diff -u") ||
        g_str_has_prefix(l, "Index: ") ||
        (g_str_has_prefix(l, "--- ") && i + 1 < n && g_str_has_prefix(lines[i + 1], "+++ ")))
        return true;
    if (strcmp(l, "---") != 0)
        return false;
    for (size_t k = i + 1; k < n && k <= i + 3; k++)
        if (strstr(lines[k], " | ") != NULL || strstr(lines[k], "files changed") != NULL ||
            strstr(lines[k], "file changed") != NULL || g_str_has_prefix(lines[k], "diff "))
            return true;
    return false;
}

/* "If you have received this message in error, please delete it": a
 * line of a disclaimer, not an author saying he got something wrong. */
static bool
is_in_error_line(const char *l)
{
    return contains(l, "in error") &&
           (contains(l, "received") || contains(l, "sent to you") || contains(l, "notify")) &&
           (contains(l, "delete") || contains(l, "destroy") || contains(l, "notify") ||
            contains(l, "privilege") || contains(l, "confidential") || contains(l, "intended"));
}

static bool
is_disclaimer_start(char **lines, size_t i, size_t n)
{
    /* A line about mail received in error, even right under a
     * signature; or a paragraph that speaks of confidentiality and
     * intended recipients. */
    bool conf = false, recip = false;

    if (is_in_error_line(lines[i]))
        return true;
    if (i > 0 && !is_blank(lines[i - 1]) && !g_str_has_prefix(lines[i], "*"))
        return false;
    for (size_t k = i; k < n && k < i + 8 && (k == i || !is_blank(lines[k])); k++) {
        conf = conf || contains(lines[k], "confidential") || contains(lines[k], "privileged") ||
               contains(lines[k], "vertraulich");
        recip = recip || contains(lines[k], "intended recipient") ||
                contains(lines[k], "intended only") || contains(lines[k], "intended solely") ||
                contains(lines[k], "addressee") || contains(lines[k], "disclaimer");
        /* a paragraph of its own that goes on to the line about
         * mail received in error */
        if (i > 0 && contains(lines[k], "in error") &&
            (contains(lines[k], "received") || contains(lines[k], "notify")))
            return true;
    }
    return conf && recip;
}

char *
tw_text_lower(const char *s, gssize n, gboolean pad)
{
    size_t len = n < 0 ? strlen(s) : (size_t)n;
    char *out = g_malloc(len + 3), *o = out;

    if (pad)
        *o++ = ' ';
    lower_into(s, len, o);
    o += len;
    if (pad)
        *o++ = ' ';
    *o = '\0';
    return out;
}

static inline unsigned
pair_bit(unsigned char a, unsigned char b)
{
    return ((unsigned)a * 61u + b) & 4095u;
}

#define BIT_SET(set, bit) ((set)[(bit) / 64] |= G_GUINT64_CONSTANT(1) << ((bit) % 64))
#define BIT_HAS(set, bit) (((set)[(bit) / 64] >> ((bit) % 64)) & 1)

void
tw_text_view_init(tw_text_view_t *v, const char *lower)
{
    const unsigned char *p = (const unsigned char *)lower;

    v->text = lower;
    memset(v->pairs, 0, sizeof v->pairs);
    for (; p[0] && p[1]; p++)
        BIT_SET(v->pairs, pair_bit(p[0], p[1]));
}

void
tw_text_word_init(tw_text_word_t *w, const char *word)
{
    const unsigned char *p = (const unsigned char *)word;

    w->word = word;
    w->n_pairs = 0;
    for (; p[0] && p[1] && w->n_pairs < TW_TEXT_WORD_PAIRS; p++)
        w->pairs[w->n_pairs++] = (guint16)pair_bit(p[0], p[1]);
}

bool
tw_text_view_may_have(const tw_text_view_t *v, const tw_text_word_t *w)
{
    for (guint i = 0; i < w->n_pairs; i++)
        if (!BIT_HAS(v->pairs, w->pairs[i]))
            return false;
    return true;
}

bool
tw_text_view_has(const tw_text_view_t *v, const tw_text_word_t *w)
{
    if (w->word[0] != '\0' && w->word[1] == '\0')
        return strchr(v->text, w->word[0]) != NULL;
    return tw_text_view_may_have(v, w) && strstr(v->text, w->word) != NULL;
}

char **
tw_text_lines(const char *text)
{
    size_t len = strlen(text), n = 1;

    for (const char *p = text; (p = strchr(p, '\n')) != NULL; p++)
        n++;
    char **lines = g_malloc((n + 1) * sizeof *lines + len + 1);
    char *copy = memcpy(lines + n + 1, text, len + 1);
    size_t i = 0;

    if (len > 0) /* "" has no line at all, as for g_strsplit() */
        lines[i++] = copy;
    for (char *p = copy; (p = strchr(p, '\n')) != NULL;) {
        *p++ = '\0';
        lines[i++] = p;
    }
    lines[i] = NULL;
    return lines;
}

size_t
tw_text_zones(const char *text, char ***lines_out, tw_zone_t **zones_out)
{
    char **lines = tw_text_lines(text ? text : "");
    size_t n = g_strv_length(lines);
    tw_zone_t *zones = g_new0(tw_zone_t, n + 1);
    tw_zone_t rest = TW_ZONE_AUTHOR; /* zone of every line from here on */
    bool fresh_above = false;        /* a non-blank line of the author's so far */
    const char *mark = NULL;         /* a quoting prefix other than '>' */
    size_t mark_len = 0;
    /* Footers and disclaimers are looked for line by line only in a
     * text that holds their words at all. */
    char *lower = tw_text_lower(text ? text : "", -1, FALSE);
    bool footer_words = strstr(lower, "unsubscribe") || strstr(lower, "mailing list") ||
                        strstr(lower, "listinfo") || strstr(lower, "mailman");
    bool disclaimer_words = strstr(lower, "confidential") || strstr(lower, "privileged") ||
                            strstr(lower, "vertraulich") || strstr(lower, "in error");
    g_free(lower);

    /* A final empty string after the last newline is not a line. */
    if (n > 0 && lines[n - 1][0] == '\0')
        lines[--n] = NULL;
    for (size_t i = 0; i < n; i++) {
        size_t len = strlen(lines[i]);
        if (len > 0 && lines[i][len - 1] == '\r')
            lines[i][len - 1] = '\0';
    }
    for (size_t i = 0; i < n; i++) {
        char *l = lines[i];
        int span;

        if (rest != TW_ZONE_AUTHOR) {
            zones[i] = rest;
            continue;
        }
        if (is_quote_line(l) || is_initials_quote(lines, i, n) ||
            (mark_len > 0 && has_mark(l, mark, mark_len))) {
            zones[i] = TW_ZONE_QUOTE;
        } else if ((span = attribution_lines(lines, i, n)) > 0) {
            size_t k = i + (size_t)span, len;
            for (int a = 0; a < span; a++)
                zones[i + a] = TW_ZONE_ATTRIBUTION;
            if (fresh_above && is_unquoted_below(lines, i, (size_t)span, n))
                rest = TW_ZONE_QUOTE;
            /* a run of lines under the attribution that share a prefix:
             * the prefix this message quotes with */
            while (k < n && is_blank(lines[k]))
                k++;
            if (k < n && (len = mark_prefix(lines[k])) > 0) {
                mark = lines[k];
                mark_len = len;
            }
            i += span - 1;
        } else if (is_original_message(l) || is_header_block(lines, i, n)) {
            zones[i] = rest = TW_ZONE_QUOTE;
            separator_to_quote(lines, zones, i);
        } else if (is_forward_marker(l)) {
            zones[i] = rest = TW_ZONE_FORWARD;
        } else if (is_signature_marker(l)) {
            zones[i] = rest = TW_ZONE_SIGNATURE;
        } else if (is_mobile_signature(l)) {
            zones[i] = TW_ZONE_SIGNATURE;
        } else if (is_patch_start(lines, i, n)) {
            zones[i] = rest = TW_ZONE_PATCH;
        } else if (is_footer_start(lines, i, n) &&
                   (footer_words || strspn(skip_blanks(lines[i]), "_") >= 20)) {
            zones[i] = rest = TW_ZONE_FOOTER;
        } else if (disclaimer_words && is_disclaimer_start(lines, i, n)) {
            zones[i] = rest = TW_ZONE_DISCLAIMER;
        } else {
            zones[i] = TW_ZONE_AUTHOR;
            fresh_above = fresh_above || !is_blank(l);
        }
    }
    *lines_out = lines;
    *zones_out = zones;
    return n;
}

char *
tw_text_fresh(const char *text)
{
    char **lines;
    tw_zone_t *zones;
    size_t n = tw_text_zones(text, &lines, &zones);
    GString *out = g_string_new(NULL);
    size_t pending_blank = 0;

    for (size_t i = 0; i < n; i++) {
        if (zones[i] != TW_ZONE_AUTHOR)
            continue;
        if (is_blank(lines[i])) {
            pending_blank++;
            continue;
        }
        if (out->len > 0)
            g_string_append(out, pending_blank ? "\n\n" : "\n");
        pending_blank = 0;
        g_string_append(out, lines[i]);
    }
    g_free(lines);
    g_free(zones);
    return g_string_free(out, FALSE);
}

/* Words after which a full stop does not end a sentence. */
static bool
is_abbreviation(const char *start, const char *dot)
{
    static const char *const abbr[] = {
        "e.g", "i.e", "etc", "mr", "mrs", "ms", "dr", "vs", "approx",
        "no", "inc", "ltd", "jr", "sr", "st", "u.s", "a.m", "p.m", "z.b", "bzw",
    };
    const char *w = dot;

    while (w > start && !g_ascii_isspace(w[-1]) && w[-1] != '(')
        w--;
    size_t n = (size_t)(dot - w);
    for (size_t k = 0; k < G_N_ELEMENTS(abbr); k++)
        if (n == strlen(abbr[k]) && g_ascii_strncasecmp(w, abbr[k], n) == 0)
            return true;
    /* a single letter: initials "J. Smith" */
    return n == 1 && g_ascii_isalpha(*w);
}

static void
add_sentence(GPtrArray *out, const char *s, size_t n)
{
    char *copy = g_strndup(s, n);

    g_strstrip(copy);
    if (*copy != '\0' && out->len < 400)
        g_ptr_array_add(out, copy);
    else
        g_free(copy);
}

/* The double quotation mark at s, if any: 1 straight, 2 opening,
 * 3 closing (typographic); 0 for anything else. */
static int
quote_mark(const char *s)
{
    if (*s == '"')
        return 1;
    if ((unsigned char)s[0] == 0xe2 && (unsigned char)s[1] == 0x80)
        return (unsigned char)s[2] == 0x9c ? 2 : (unsigned char)s[2] == 0x9d ? 3 : 0;
    return 0;
}

/* " (y/n)", " [Y/n]" after a question mark: a program's prompt, which
 * stays one sentence with its question (the cues know it for code). */
static bool
is_prompt_answers(const char *s)
{
    s = skip_blanks(s);
    return (*s == '(' || *s == '[') && (s[1] == 'y' || s[1] == 'Y') && s[2] == '/';
}

/* Splits one logical line at sentence ends. */
static void
split_line(GPtrArray *out, const char *line)
{
    const char *start = line, *p = line;

    while (*p) {
        if (*p == '.' || *p == '?' || *p == '!') {
            const char *q = p;
            for (;;) {
                if (*q == '.' || *q == '?' || *q == '!' || *q == ')' || *q == '"' ||
                    *q == '\'')
                    q++;
                else if (quote_mark(q) == 3 || g_str_has_prefix(q, "\xe2\x80\x99"))
                    q += 3; /* a typographic closing quote */
                else
                    break;
            }
            if ((*q == '\0' || *q == ' ' || *q == '\t') &&
                !(*p == '.' && q == p + 1 && is_abbreviation(start, p)) &&
                !(*p == '?' && is_prompt_answers(q))) {
                add_sentence(out, start, (size_t)(q - start));
                start = p = q;
                continue;
            }
            p = q;
            continue;
        }
        p++;
    }
    add_sentence(out, start, (size_t)(p - start));
}

/* True when a line break ends a sentence even without punctuation:
 * after ending punctuation, after a short line (greeting, sign-off)
 * when the next starts anew, or before a list item. */
static bool
line_break_ends_sentence(const char *line, const char *next)
{
    size_t n = strlen(line);
    const char *q = skip_blanks(next);
    bool list_item = *q == '-' || *q == '*' || g_str_has_prefix(q, "\xe2\x80\xa2") ||
                     (g_ascii_isdigit(*q) && (q[1] == '.' || q[1] == ')'));

    if (n > 0 && strchr(".?!:;", line[n - 1]) != NULL)
        return true;
    if (n < 40 && (g_ascii_isupper(*q) || (n > 0 && line[n - 1] == ',')))
        return true;
    return list_item;
}

/* Drops the sentences of one paragraph (out[from..]) whose every letter
 * stands inside quotation marks: the words of someone else, a passage
 * quoted from a book, a question the author repeats before answering
 * it.  Only when the paragraph's marks pair up; an odd mark (an inch,
 * a stray) leaves the paragraph whole. */
static void
drop_quoted(GPtrArray *out, guint from)
{
    int straight = 0, open = 0, close = 0;
    bool inside = false;

    for (guint i = from; i < out->len; i++)
        for (const char *p = out->pdata[i]; *p; p++)
            switch (quote_mark(p)) {
            case 1: straight++; break;
            case 2: open++; break;
            case 3: close++; break;
            }
    if (straight % 2 != 0 || open != close || straight + open == 0)
        return;
    for (guint i = from; i < out->len;) {
        bool outside = false, letters = false;
        for (const char *p = out->pdata[i]; *p; p++) {
            int m = quote_mark(p);
            if (m != 0)
                inside = m == 1 ? !inside : m == 2;
            else if (g_ascii_isalnum(*p) || (unsigned char)*p >= 0xc0) {
                letters = true;
                outside = outside || !inside;
            }
        }
        if (letters && !outside)
            g_ptr_array_remove_index(out, i);
        else
            i++;
    }
}

GPtrArray *
tw_text_sentences(const char *fresh)
{
    GPtrArray *out = g_ptr_array_new_with_free_func(g_free);
    char **lines = tw_text_lines(fresh ? fresh : "");
    GString *logical = g_string_new(NULL);
    guint paragraph = 0; /* where the paragraph's sentences start */

    for (size_t i = 0; lines[i] != NULL; i++) {
        char *l = g_strstrip(lines[i]);
        if (*l == '\0') {
            split_line(out, logical->str);
            g_string_truncate(logical, 0);
            drop_quoted(out, paragraph);
            paragraph = out->len;
            continue;
        }
        if (logical->len > 0)
            g_string_append_c(logical, ' ');
        g_string_append(logical, l);
        if (lines[i + 1] == NULL || line_break_ends_sentence(l, lines[i + 1])) {
            split_line(out, logical->str);
            g_string_truncate(logical, 0);
        }
    }
    split_line(out, logical->str);
    drop_quoted(out, paragraph);
    g_string_free(logical, TRUE);
    g_free(lines);
    return out;
}
