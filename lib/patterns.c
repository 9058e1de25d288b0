/* patterns.c - cue patterns loaded on first use, from the build's
 * serialised copies or from their text, and matched. */
#include "patterns.h"

#include <glib.h>
#include <string.h>

#include "cues.h"

static pcre2_code *loaded[TW_MAX_CUES];
static GMutex load_lock;
static gint optimise;

/* valgrind cannot tell PCRE2's compiled code (it reads past the
 * subject 16 bytes at a time, safely) from a fault: under valgrind the
 * patterns stay interpreted. */
#if defined(__has_include)
#if __has_include(<valgrind/valgrind.h>)
#include <valgrind/valgrind.h>
#define UNDER_VALGRIND() RUNNING_ON_VALGRIND
#endif
#endif
#ifndef UNDER_VALGRIND
#define UNDER_VALGRIND() 0
#endif

void
tw_patterns_optimise(void)
{
    if (!UNDER_VALGRIND())
        g_atomic_int_set(&optimise, 1);
}

/* The stored copy of cue i, when it was made from the pattern the
 * table holds now and this PCRE2 can read it. */
static pcre2_code *
decode(size_t i)
{
    const tw_compiled_pattern_t *c;
    pcre2_code *re = NULL;

    if (i >= tw_n_compiled_cues)
        return NULL;
    c = &tw_compiled_cues[i];
    if (c->source == NULL || strcmp(c->source, tw_cues[i].pattern) != 0)
        return NULL;
    return pcre2_serialize_decode(&re, 1, c->bytes, NULL) == 1 ? re : NULL;
}

static pcre2_code *
pattern(size_t i)
{
    pcre2_code *re = g_atomic_pointer_get(&loaded[i]);

    if (re != NULL || tw_cues[i].pattern == NULL)
        return re;
    g_mutex_lock(&load_lock);
    re = loaded[i];
    if (re == NULL) {
        re = decode(i);
        if (re == NULL)
            re = tw_pattern_compile(tw_cues[i].pattern);
        /* machine code is an optimisation: the interpreter stays the
         * fallback when it cannot be made */
        if (re != NULL && g_atomic_int_get(&optimise))
            (void)pcre2_jit_compile(re, PCRE2_JIT_COMPLETE);
        g_atomic_pointer_set(&loaded[i], re);
    }
    g_mutex_unlock(&load_lock);
    return re;
}

/* One match block per thread, kept: PCRE2 keeps its backtracking
 * frames in it, which a new block would allocate again at every match. */
static GPrivate thread_match =
    G_PRIVATE_INIT((GDestroyNotify)pcre2_match_data_free);

char *
tw_pattern_match(size_t i, const char *subject)
{
    pcre2_code *re = pattern(i);
    pcre2_match_data *md;
    char *matched = NULL;

    if (re == NULL)
        return NULL;
    if ((md = g_private_get(&thread_match)) == NULL) {
        if ((md = pcre2_match_data_create(1, NULL)) == NULL)
            return NULL;
        g_private_set(&thread_match, md);
    }
    /* UTF-8 is checked: a subject that is not matches nothing */
    if (pcre2_match(re, (PCRE2_SPTR)subject, PCRE2_ZERO_TERMINATED, 0, 0, md, NULL) >= 0) {
        PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);
        matched = g_strndup(subject + ov[0], ov[1] - ov[0]);
    }
    return matched;
}

bool
tw_pattern_ok(size_t i)
{
    return tw_cues[i].pattern == NULL || pattern(i) != NULL;
}
