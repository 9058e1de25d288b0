/* twoway-eval.c - measures how twoway reads mail against labels.
 *
 *   twoway-eval messages ROOT LABELS.tsv...   text_ask, bulk and list
 *       per message, against labels "path index message_id text_ask
 *       bulk list note" (paths relative to ROOT); precision, recall and
 *       F1 of text_ask, accuracy of bulk and list, per source, and the
 *       disagreements.
 *   twoway-eval zones FILE...   the author's lines against "A>"/"R>"
 *       labelled lines (tests/eval/quagga2lines.pl makes them); blank
 *       lines are not counted.
 *   twoway-eval sentences CSV...   one sentence a line "label,sentence"
 *       (label 1 or 0, the sentence quoted as CSV): precision, recall
 *       and F1 of the ask detector on sentences alone.
 *
 *   twoway-eval verdicts PATH...   every message of each mbox, maildir
 *       or directory, one line each: "path[:line]<TAB>index<TAB>text_ask
 *       <TAB>bulk<TAB>thanks<TAB>ask<TAB>score<TAB>cue" (ask: for the
 *       first reader in To), to compare two builds' readings of
 *       unlabelled mail (a rule's side effects).
 *
 * TWOWAY_EVAL_SHOW set in the environment lists every disagreement of
 * zones and sentences too.
 *
 * Exit status 0; 64 on bad usage, 66 when a file cannot be read.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ask.h"
#include "config.h"
#include "mailbox.h"
#include "message.h"
#include "reading.h"
#include "text.h"

typedef struct {
    int tp, fp, fn, tn;
} confusion_t;

static void
count(confusion_t *c, bool truth, bool said)
{
    if (truth && said)
        c->tp++;
    else if (!truth && said)
        c->fp++;
    else if (truth)
        c->fn++;
    else
        c->tn++;
}

static void
print_prf(const char *name, const confusion_t *c)
{
    double p = c->tp + c->fp ? (double)c->tp / (c->tp + c->fp) : 0;
    double r = c->tp + c->fn ? (double)c->tp / (c->tp + c->fn) : 0;
    double f = p + r > 0 ? 2 * p * r / (p + r) : 0;
    int n = c->tp + c->fp + c->fn + c->tn;

    printf("%-28s n=%-5d precision %.3f  recall %.3f  F1 %.3f  (tp %d fp %d fn %d tn %d)\n", name,
           n, p, r, f, c->tp, c->fp, c->fn, c->tn);
}

static void
print_accuracy(const char *name, const confusion_t *c)
{
    int n = c->tp + c->fp + c->fn + c->tn;

    printf("%-28s n=%-5d accuracy %.3f  (missed %d, false %d)\n", name, n,
           n ? (double)(c->tp + c->tn) / n : 0, c->fn, c->fp);
}

/* messages */

typedef struct {
    int want;           /* index of the message in the file */
    int seen;
    tw_message_t *msg;  /* the message found */
} find_t;

static bool
find_one(void *ctx, const char *data, size_t len, const char *origin, char **take)
{
    find_t *f = ctx;

    (void)take;
    if (f->seen++ != f->want)
        return true;
    tw_message_parse(data, len, 1024 * 1024, "+", &f->msg);
    return false; /* found: stop */
}

typedef struct {
    char *source;
    confusion_t ask, bulk, list;
    confusion_t human_ask; /* text_ask on mail labelled not bulk */
} source_t;

static source_t *
source_of(GPtrArray *sources, const char *path)
{
    /* "spamassassin/easy_ham/...": two parts; "enron-mbox/x/y": one;
     * "lists/FILE": two */
    char **parts = g_strsplit(path, "/", 3);
    char *name = strcmp(parts[0], "spamassassin") == 0 || strcmp(parts[0], "lists") == 0
                     ? g_strdup_printf("%s/%s", parts[0], parts[1] ? parts[1] : "")
                     : g_strdup(parts[0]);

    g_strfreev(parts);
    for (guint i = 0; i < sources->len; i++) {
        source_t *s = sources->pdata[i];
        if (strcmp(s->source, name) == 0) {
            g_free(name);
            return s;
        }
    }
    source_t *s = g_new0(source_t, 1);
    s->source = name;
    g_ptr_array_add(sources, s);
    return s;
}

static int
eval_messages(const char *root, int n, char **files)
{
    tw_config_t *cfg = tw_config_new();
    GPtrArray *sources = g_ptr_array_new();
    source_t all = {.source = "all"};
    GString *confusions = g_string_new(NULL);

    for (int i = 0; i < n; i++) {
        FILE *fp = fopen(files[i], "r");
        char line[8192];
        if (fp == NULL) {
            fprintf(stderr, "twoway-eval: %s: cannot read\n", files[i]);
            return 66;
        }
        while (fgets(line, sizeof line, fp)) {
            char **col = g_strsplit(g_strchomp(line), "\t", 7);
            if (line[0] == '#' || g_strv_length(col) < 6 || strcmp(col[0], "path") == 0) {
                g_strfreev(col);
                continue;
            }
            char *path = g_build_filename(root, col[0], NULL);
            find_t f = {.want = atoi(col[1])};
            tw_error_t err;
            if (tw_mailbox_each(path, find_one, &f, &err) == TW_ERR_NOINPUT || f.msg == NULL) {
                fprintf(stderr, "twoway-eval: %s #%s: not found\n", col[0], col[1]);
                g_free(path);
                g_strfreev(col);
                continue;
            }
            tw_reading_t r;
            const char *owner = f.msg->to->len ? ((tw_mailbox_t *)f.msg->to->pdata[0])->addr
                                               : "reader@invalid";
            tw_read(cfg, f.msg, owner, TW_HINT_IN, &r);
            bool ask = atoi(col[3]) != 0, bulk = atoi(col[4]) != 0, list = atoi(col[5]) != 0;
            source_t *s = source_of(sources, col[0]);
            count(&s->ask, ask, r.text_ask);
            count(&s->bulk, bulk, r.bulk.bulk);
            count(&s->list, list, r.bulk.list);
            count(&all.ask, ask, r.text_ask);
            if (!bulk) {
                count(&s->human_ask, ask, r.text_ask);
                count(&all.human_ask, ask, r.text_ask);
            }
            count(&all.bulk, bulk, r.bulk.bulk);
            count(&all.list, list, r.bulk.list);
            if (ask != r.text_ask || bulk != r.bulk.bulk)
                g_string_append_printf(confusions, "  %s #%s: %s%s (score %.2f) cue: %s | label: %s\n",
                                       col[0], col[1],
                                       ask != r.text_ask ? (ask ? "missed ask" : "false ask") : "",
                                       bulk != r.bulk.bulk ? (bulk ? " missed bulk" : " false bulk") : "",
                                       r.text.score, r.text.cue ? r.text.cue : "-",
                                       col[6] ? col[6] : "");
            tw_reading_clear(&r);
            tw_message_free(f.msg);
            g_free(path);
            g_strfreev(col);
        }
        fclose(fp);
    }
    for (guint i = 0; i < sources->len; i++) {
        source_t *s = sources->pdata[i];
        char name[128];
        g_snprintf(name, sizeof name, "%s text_ask", s->source);
        print_prf(name, &s->ask);
        g_snprintf(name, sizeof name, "%s text_ask (not bulk)", s->source);
        print_prf(name, &s->human_ask);
        g_snprintf(name, sizeof name, "%s bulk", s->source);
        print_accuracy(name, &s->bulk);
    }
    print_prf("all text_ask", &all.ask);
    print_prf("all text_ask (not bulk)", &all.human_ask);
    print_accuracy("all bulk", &all.bulk);
    print_accuracy("all list", &all.list);
    printf("disagreements:\n%s", confusions->str);
    g_string_free(confusions, TRUE);
    tw_config_free(cfg);
    return 0;
}

/* verdicts */

typedef struct {
    tw_config_t *cfg;
    int index;
} walk_t;

static bool
print_verdict(void *ctx, const char *data, size_t len, const char *origin, char **take)
{
    walk_t *w = ctx;
    tw_message_t *msg = NULL;
    tw_reading_t r;

    (void)take;
    if (tw_message_parse(data, len, 1024 * 1024, "+", &msg) != TW_OK || msg == NULL) {
        w->index++;
        return true;
    }
    const char *owner =
        msg->to->len ? ((tw_mailbox_t *)msg->to->pdata[0])->addr : "reader@invalid";
    tw_read(w->cfg, msg, owner, TW_HINT_IN, &r);
    /* the cue on one line, whatever it holds */
    char *cue = g_strdup(r.text.cue ? r.text.cue : "-");
    for (char *p = cue; *p; p++)
        if (*p == '\n' || *p == '\t' || *p == '\r')
            *p = ' ';
    printf("%s\t%d\t%d\t%d\t%d\t%d\t%.2f\t%s\n", origin, w->index, r.text_ask, r.bulk.bulk,
           r.thanks, r.ask, r.text.score, cue);
    g_free(cue);
    tw_reading_clear(&r);
    tw_message_free(msg);
    w->index++;
    return true;
}

static int
eval_verdicts(int n, char **paths)
{
    tw_config_t *cfg = tw_config_new();

    for (int i = 0; i < n; i++) {
        walk_t w = {.cfg = cfg};
        tw_error_t err;
        if (tw_mailbox_each(paths[i], print_verdict, &w, &err) == TW_ERR_NOINPUT) {
            fprintf(stderr, "twoway-eval: %s: cannot read\n", paths[i]);
            tw_config_free(cfg);
            return 66;
        }
    }
    tw_config_free(cfg);
    return 0;
}

/* zones */

static int
eval_zones(int n, char **files)
{
    int right = 0, total = 0, author_missed = 0, rest_kept = 0;

    for (int i = 0; i < n; i++) {
        gchar *data;
        if (!g_file_get_contents(files[i], &data, NULL, NULL)) {
            fprintf(stderr, "twoway-eval: %s: cannot read\n", files[i]);
            return 66;
        }
        char **labelled = g_strsplit(data, "\n", -1);
        GString *text = g_string_new(NULL);
        GArray *truth = g_array_new(FALSE, FALSE, sizeof(char));
        for (char **l = labelled; *l; l++) {
            if ((*l)[0] == '\0' && l[1] == NULL)
                break;
            char t = (*l)[0];
            g_array_append_val(truth, t);
            g_string_append(text, *l + ((*l)[0] ? 2 : 0));
            g_string_append_c(text, '\n');
        }
        char **lines;
        tw_zone_t *zones;
        size_t m = tw_text_zones(text->str, &lines, &zones);
        for (size_t k = 0; k < m && k < truth->len; k++) {
            const char *p = lines[k];
            while (*p == ' ' || *p == '\t')
                p++;
            if (*p == '\0')
                continue; /* blank lines belong to no one */
            bool author = g_array_index(truth, char, k) == 'A';
            bool said = zones[k] == TW_ZONE_AUTHOR;
            total++;
            right += author == said;
            if (author != said && getenv("TWOWAY_EVAL_SHOW"))
                printf("%s:%zu: %s [%s] %s\n", files[i], k + 1, author ? "author" : "rest",
                       tw_zone_name(zones[k]), lines[k]);
            author_missed += author && !said;
            rest_kept += !author && said;
        }
        g_free(lines);
        g_free(zones);
        g_array_free(truth, TRUE);
        g_string_free(text, TRUE);
        g_strfreev(labelled);
        g_free(data);
    }
    printf("zones: %d of %d lines right: %.3f (author lines put elsewhere %d, other lines kept %d)\n",
           right, total, total ? (double)right / total : 0, author_missed, rest_kept);
    return 0;
}

/* sentences */

static int
eval_sentences(int n, char **files)
{
    confusion_t c = {0};

    for (int i = 0; i < n; i++) {
        FILE *fp = fopen(files[i], "r");
        char line[8192];
        if (fp == NULL) {
            fprintf(stderr, "twoway-eval: %s: cannot read\n", files[i]);
            return 66;
        }
        while (fgets(line, sizeof line, fp)) {
            g_strchomp(line);
            if ((line[0] != '0' && line[0] != '1') || line[1] != ',')
                continue;
            char *s = line + 2;
            size_t len = strlen(s);
            if (len >= 2 && s[0] == '"' && s[len - 1] == '"') { /* CSV quoting */
                s[len - 1] = '\0';
                s++;
            }
            char *unq = g_strdup(s);
            for (char *p = unq, *q = unq; ; p++, q++) { /* "" -> " */
                if (p[0] == '"' && p[1] == '"')
                    p++;
                *q = *p;
                if (*p == '\0')
                    break;
            }
            tw_ask_t a;
            tw_ask_detect(unq, &a);
            count(&c, line[0] == '1', a.score >= 0.5);
            if (getenv("TWOWAY_EVAL_SHOW") && (line[0] == '1') != (a.score >= 0.5))
                printf("  %s (score %.2f): %s\n", line[0] == '1' ? "missed" : "false", a.score, unq);
            tw_ask_clear(&a);
            g_free(unq);
        }
        fclose(fp);
    }
    print_prf("sentences ask", &c);
    return 0;
}

int
main(int argc, char **argv)
{
    tw_message_init();
    if (argc >= 4 && strcmp(argv[1], "messages") == 0)
        return eval_messages(argv[2], argc - 3, argv + 3);
    if (argc >= 3 && strcmp(argv[1], "zones") == 0)
        return eval_zones(argc - 2, argv + 2);
    if (argc >= 3 && strcmp(argv[1], "sentences") == 0)
        return eval_sentences(argc - 2, argv + 2);
    if (argc >= 3 && strcmp(argv[1], "verdicts") == 0)
        return eval_verdicts(argc - 2, argv + 2);
    fprintf(stderr, "usage: twoway-eval messages ROOT LABELS.tsv... | zones FILE... | "
                    "sentences CSV... | verdicts PATH...\n");
    return 64;
}
