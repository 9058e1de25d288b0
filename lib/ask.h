/* ask.h - does the fresh text ask its reader for an answer or for help?
 *
 * Each sentence of the fresh text is matched against a table of cues:
 * positive cues (a question, "could you", "please send", "let me know
 * whether", a deadline) and negative ones (courtesy closings, thanks,
 * marketing calls to action, pleasantries).  A sentence scores the
 * noisy-or of its positive cues, damped by its strongest negative one;
 * the message scores its best sentence, which becomes the cue shown to
 * the user.  Addressing (To or Cc, how many recipients, a greeting that
 * names the reader) then weighs the score for one reader.
 */
#ifndef TW_ASK_H
#define TW_ASK_H

#include <glib.h>
#include <stdbool.h>

typedef struct {
    const char *name; /* the cue's name, e.g. "could-you" */
    double weight;    /* > 0 asks, < 0 damps */
    char *matched;    /* the words that matched */
    int sentence;     /* index of the sentence */
} tw_cue_hit_t;

typedef struct {
    double score;     /* 0..1, from the text alone */
    char *cue;        /* the sentence that carries the ask, or NULL */
    GPtrArray *hits;  /* tw_cue_hit_t *, every cue that fired */
    GPtrArray *sentences; /* char *, the sentences read */
} tw_ask_t;

typedef enum {
    TW_READER_TO,     /* the reader is in To */
    TW_READER_CC,     /* in Cc only */
    TW_READER_UNSEEN, /* in neither: Bcc, an alias, a list */
} tw_reader_role_t;

/* Reads fresh text; out is newly filled (tw_ask_clear). */
void tw_ask_detect(const char *fresh, tw_ask_t *out);

/* The same for the text of a patch: its commit message speaks in the
 * imperative ("Add a test") without asking anyone. */
void tw_ask_detect_patch(const char *fresh, tw_ask_t *out);

void tw_ask_clear(tw_ask_t *ask);

/* True when the fresh text only thanks or acknowledges ("Thanks!",
 * "Got it, thank you.", "Danke!"): such a reply answers no ask. */
bool tw_ask_is_thanks(const char *fresh);

/* Compiles every cue's pattern; false (and the cue's name in *bad_cue,
 * newly allocated) when one does not compile. */
bool tw_ask_check_cues(char **bad_cue);

/* Compiles the cue patterns to machine code from now on: slower to
 * start, faster per message.  For processes that read many messages
 * (import, the milter); call it before the first detection. */
void tw_ask_optimise(void);

/* True when the first sentence greets the reader by name (first name
 * from display_name, or the local part of addr). */
bool tw_ask_greets(const tw_ask_t *ask, const char *display_name,
                   const char *addr);

/* Whom the message's greeting names. */
typedef enum {
    TW_GREETS_NOBODY, /* no greeting, or one that names nobody we know */
    TW_GREETS_READER, /* "Hi Robin," to Robin */
    TW_GREETS_OTHER,  /* "Hi Sam," to Robin and Sam: the ask is Sam's */
} tw_greeting_t;

/* Whom the first sentence greets: the reader (as tw_ask_greets), or
 * one of others (tw_mailbox_t *: the message's other readers) when it
 * does not name the reader too ("Hi Sam and Robin,") and the reader's
 * own first name is known. */
tw_greeting_t tw_ask_greeting(const tw_ask_t *ask, const char *display_name, const char *addr,
                              const GPtrArray *others);

/* The score for one reader.  Appends what weighed it to why (may be
 * NULL). */
double tw_ask_for_reader(double text_score, tw_reader_role_t role,
                         guint recipients, tw_greeting_t greeting, GPtrArray *why);

#endif
