/* patterns.h - the cue table's patterns, compiled.
 *
 * Compiling the patterns is the dearest part of a short-lived filter's
 * start, so the build compiles them once (lib/gen/mkpatterns.c) and
 * stores PCRE2's serialised form in the program; a pattern is decoded
 * the first time a sentence holds one of its cue's anchors.  A stored
 * form that does not fit (another PCRE2 version, a pattern changed since)
 * is set aside and the pattern compiled from its text. */
#ifndef TW_PATTERNS_H
#define TW_PATTERNS_H

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdbool.h>
#include <stddef.h>

/* How every cue pattern is compiled: caseless, UTF-8 with Unicode
 * classes (\w and \b know accented letters), any newline. */
#define TW_PATTERN_OPTIONS (PCRE2_UTF | PCRE2_UCP | PCRE2_CASELESS)
#define TW_PATTERN_NEWLINE PCRE2_NEWLINE_ANY

typedef struct {
    const char *source;         /* the pattern's text, NULL for none */
    const unsigned char *bytes; /* pcre2_serialize_encode()'s output */
    size_t size;
} tw_compiled_pattern_t;

/* Made by the build: one entry per cue of tw_cues, in its order. */
extern const tw_compiled_pattern_t tw_compiled_cues[];
extern const size_t tw_n_compiled_cues;

/* Compiles a pattern: the build and the program alike.  NULL when it
 * does not compile. */
static inline pcre2_code *
tw_pattern_compile(const char *source)
{
    pcre2_compile_context *cc = pcre2_compile_context_create(NULL);
    pcre2_code *re;
    int error;
    PCRE2_SIZE offset;

    if (cc == NULL)
        return NULL;
    pcre2_set_newline(cc, TW_PATTERN_NEWLINE);
    re = pcre2_compile((PCRE2_SPTR)source, PCRE2_ZERO_TERMINATED, TW_PATTERN_OPTIONS, &error,
                       &offset, cc);
    pcre2_compile_context_free(cc);
    return re;
}

/* Cue i's pattern matched against subject: the words that matched,
 * newly allocated, or NULL. */
char *tw_pattern_match(size_t i, const char *subject);

/* True when cue i's pattern compiles (or has none). */
bool tw_pattern_ok(size_t i);

/* From now on, patterns are also compiled to machine code: slower to
 * load, faster to match.  Call before the first match. */
void tw_patterns_optimise(void);

#endif
