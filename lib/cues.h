/* cues.h - the cue table: what makes a sentence ask (a question, "could
 * you", "please send", "let me know whether", a deadline) and what damps
 * it (courtesy closings, thanks, marketing calls to action).  ask.c
 * scores sentences with it. */
#ifndef TW_CUES_H
#define TW_CUES_H

#include <glib.h>

typedef struct {
    const char *name;
    double weight;       /* > 0 positive, < 0 damping */
    /* either a pattern, or a test in C for what a pattern says badly */
    const char *anchors; /* literals in lower case: '|' separates choices,
                          * '&' groups that must all occur */
    const char *pattern; /* PCRE, matched caseless */
    const char *(*test)(const char *sentence); /* the words that match, or NULL */
} tw_cue_def_t;

/* Room for this many cues (cues.c checks it when it compiles). */
#define TW_MAX_CUES 128

extern const tw_cue_def_t tw_cues[];
extern const size_t tw_n_cues;

#endif
