/* test_ask.c - unit tests for lib/ask.c: cues, scores, addressing. */
#include "unit.h"

#include "ask.h"
#include "message.h"

#define THRESHOLD 0.5

static double
score_of(const char *text)
{
    tw_ask_t a;

    tw_ask_detect(text, &a);
    double s = a.score;
    assert_true(s >= 0.0 && s <= 1.0);
    tw_ask_clear(&a);
    return s;
}

/* The text asks; the cue fired (when given) and the cue sentence is
 * want_cue (when given). */
static void
assert_ask(const char *text, const char *cue_name, const char *want_cue)
{
    tw_ask_t a;
    char *problem = NULL;

    tw_ask_detect(text, &a);
    if (a.score < THRESHOLD)
        problem = g_strdup_printf("'%s' scored %.2f, not an ask", text, a.score);
    else if (a.cue == NULL)
        problem = g_strdup_printf("'%s' has no cue", text);
    else if (want_cue != NULL && strcmp(a.cue, want_cue) != 0)
        problem = g_strdup_printf("'%s': cue '%s', want '%s'", text, a.cue, want_cue);
    if (problem == NULL && cue_name != NULL) {
        bool found = false;
        for (guint i = 0; i < a.hits->len; i++) {
            tw_cue_hit_t *h = a.hits->pdata[i];
            found = found || (strcmp(h->name, cue_name) == 0 && h->weight > 0);
        }
        if (!found)
            problem = g_strdup_printf("'%s': cue %s did not fire", text, cue_name);
    }
    tw_ask_clear(&a);
    if (problem != NULL) {
        print_error("%s\n", problem);
        g_free(problem);
        fail();
    }
}

static void
assert_not_ask(const char *text)
{
    double s = score_of(text);

    if (s >= THRESHOLD)
        fail_msg("'%s' scored %.2f, an ask", text, s);
}

static void
test_clear_asks(void **state)
{
    assert_ask("Could you review the draft by Friday?", "could-you",
               "Could you review the draft by Friday?");
    assert_ask("Would you please send me the slides", "could-you", NULL);
    assert_ask("Please send me the invoice for October.", "please", NULL);
    assert_ask("Let me know whether the meeting is still on.", "let-me-know", NULL);
    assert_ask("I was wondering if you had time to look at my patch.", "wondering", NULL);
    assert_ask("We need your approval before we can ship.", "need-you", NULL);
    assert_ask("Any thoughts on the new layout?", "any-thoughts", NULL);
    assert_ask("Does anyone know where the spare keys are?", "anyone", NULL);
    assert_ask("Is it possible to move our call to 3pm?", "is-it-possible", NULL);
    assert_ask("I have a question on permissions as I get underway here.", "have-a-question", NULL);
    assert_not_ask("We had some questions from the auditors last week, all answered now.");
    assert_not_ask("I have a question for him about the budget.");
    assert_ask("What time works for you?", "question", NULL);
}

static void
test_clear_asks_other_languages(void **state)
{
    assert_ask("K\xc3\xb6nnten Sie mir die Unterlagen schicken?", "de-koennten-sie", NULL);
    assert_ask("Kannst du mir bitte helfen", "de-koennten-sie", NULL);
    assert_ask("Gib mir Bescheid, ob das passt.", "de-bescheid", NULL);
    assert_ask("Pourriez-vous m'envoyer le rapport ?", "fr-pourriez-vous", NULL);
    assert_ask("Pourrais-tu me rappeler, s'il te pla\xc3\xaet ?", "fr-svp", NULL);
    assert_ask("\xc2\xbfPodr\xc3\xad" "as enviarme el informe?", "es-podrias", NULL);
    assert_ask("Hazme saber cu\xc3\xa1ndo llegas, por favor.", "es-avisame", NULL);
}

static void
test_proposals_and_reminders(void **state)
{
    assert_ask("Let's meet for lunch when you get back to the office.", "lets", NULL);
    assert_ask("Bruce: I am tied up for lunch, but let's get together on Monday.", "lets", NULL);
    assert_ask("Just a reminder to send me a currency report.", "reminder-to", NULL);
    assert_ask("Don't forget to sign the form.", "reminder-to", NULL);
    assert_ask("Would be useful to get a copy.", "would-be-useful", NULL);
    assert_ask("Holly wants to know if you want to join us.", "wants-to-know", NULL);
    assert_ask("Let me know if you get my attachments.", "let-me-know-if-you-can", NULL);
    assert_ask("I can't get the build to link.  Thanks in advance.", "thanks-in-advance", NULL);
    assert_ask("Die Datei fehlt.  Danke im voraus!", "thanks-in-advance", NULL);
    assert_ask("Rooms are blocked, but we would ask that you make your own reservations.",
               "asked-to-ask", NULL);
    assert_ask("How would I configure the board to receive all frequencies.", "how-do-i", NULL);
    assert_ask("Conferring with Gorte, we need a new DASH for the India sale.", "we-need", NULL);
    assert_not_ask("How do I know.  I tried it.");
    assert_not_ask("We need the rain.");
    /* "let's" about the past or a plain statement asks nothing */
    assert_not_ask("Let's say the numbers were fine.");
    assert_not_ask("Thanks for the report.");
}

static void
test_rhetorical_forms(void **state)
{
    assert_not_ask("Do you really want companies to have a reason to over-bill you?");
    assert_not_ask("Now, don't you feel better?");
    assert_not_ask("Why do I think this?");
    assert_not_ask("And did I say welcome to the project yet?");
    assert_not_ask("(Is that permitted?");
    assert_not_ask("They called it a success?!");
    /* real questions in the same shapes stay asks */
    assert_ask("Do you want me to send the figures?", NULL, NULL);
    assert_ask("How do I configure the board to receive all frequencies?", NULL, NULL);
    assert_ask("Don't you have the latest version?", NULL, NULL);
}

static void
test_reported_questions(void **state)
{
    /* a question inside quotation marks opened mid-sentence is someone
     * else's, reported */
    assert_not_ask("He said 'Are you one of them environmentalists?'");
    assert_not_ask("People in the media are asking, \"Why is he not attending?\"");
    /* the author's own question that mentions a quoted word still asks */
    assert_ask("Did you read the \"final\" version?", "question", NULL);
    assert_ask("Can you tell me what 'nominal' means here?", NULL, NULL);
}

static void
test_idioms_and_elliptic_requests(void **state)
{
    /* imperatives that are idioms ask nothing */
    assert_not_ask("Give me a break.");
    assert_not_ask("Oh please.");
    assert_not_ask("Call me old fashioned.");
    assert_not_ask("Come on, nobody believes that.");
    assert_ask("Please give me a call tomorrow.", "please", NULL);
    assert_ask("Call me when you land.", "imperative", NULL);
    /* a request without its verb, on its own */
    assert_ask("Any suggestions?", "elliptic-request", NULL);
    assert_ask("Thoughts?", "elliptic-request", NULL);
    assert_ask("Comments", "elliptic-request", NULL);
    assert_ask("Any help on this appreciated.", "elliptic-request", NULL);
    assert_not_ask("Comments: none so far.");
    assert_not_ask("I have no suggestions.");
    /* "I ask because": a question was asked, in whatever shape */
    assert_ask("Would the answer be to chmod it, or to add DROPPRIVS. I ask because I did B.",
               "i-ask-because", NULL);
    assert_not_ask("They ask because they care.");
}

static void
test_advice_and_offers(void **state)
{
    /* a suggestion of what the reader might do for himself */
    assert_not_ask("But maybe you could use 400 MHz bandwidth?");
    assert_ask("Maybe you could send me the figures?", NULL, NULL);
    /* what the reader must do for his own purpose */
    assert_not_ask("You need to add the PPA to your system before you can install UHD.");
    assert_not_ask("In order to autodetect the volumes at boot, you need to set the partition type.");
    assert_ask("You need to sign the form by Friday.", "you-need-to", NULL);
    assert_ask("You need to send me the form before I can file it.", "you-need-to", NULL);
    /* what is asked only of those who choose to come along */
    assert_not_ask("Please contact Joan at 713-853-1769 if you plan to attend.");
    assert_not_ask("If you would like to attend this luncheon, please notify Scott by January 7.");
    assert_ask("Please let me know if you plan to attend in person or by phone.", NULL, NULL);
    assert_ask("Please contact Joan at 713-853-1769 by Friday.", "please", NULL);
}

static void
test_reading_directions_and_passing_on(void **state)
{
    /* directions for reading what is attached */
    assert_not_ask("Please go to the last worksheet tab called \"Summary\".");
    assert_not_ask("Please turn to page 4 of the report.");
    assert_ask("Please go to the bank and deposit the check.", "please", NULL);
    /* passing a mailing on to whoever cares */
    assert_not_ask("Please forward this e-mail to others who may benefit from this service.");
    assert_not_ask("Please forward this to your friends and colleagues working on SDR.");
    assert_ask("Please forward this email to your direct reports.", "please", NULL);
    assert_ask("Please forward this message to Bill Wood.", "please", NULL);
    assert_ask("Please let me know if you're interested and pass this along to anyone who "
               "might be.",
               NULL, NULL);
}

static void
test_instructions_and_prompts(void **state)
{
    /* "then", "next", "first", "finally": the steps of a procedure */
    assert_not_ask("Then check the BSP files in that same path for the connection name.");
    assert_not_ask("Next remove that partition and run wipefs again.");
    assert_ask("Also send me the figures for October.", "imperative", NULL);
    assert_ask("Bob, check the BSP files for the connection name.", "imperative", NULL);
    /* a program's prompt pasted from a session */
    assert_not_ask("Block descriptor file does not exist. Would you like to run the wizard? (y/n) y");
    assert_not_ask("Overwrite the existing image? [Y/n]");
    assert_ask("Would you like to run the wizard with me tomorrow?", NULL, NULL);
}

static void
test_mailing_chores_and_disclaimers(void **state)
{
    assert_not_ask("To ensure delivery to your inbox, please add news@example.com to your address book.");
    assert_not_ask("To see this email, please view the HTML version.");
    assert_not_ask("Please use the link below to activate your account.");
    assert_not_ask("If you have received this message in error, please notify the sender and "
                   "delete all copies.");
}

static void
test_german_bescheid_with_bitte(void **state)
{
    /* "bitte" inside the phrase is the usual German word order */
    assert_ask("Gib mir bitte Bescheid, ob das passt.", "de-bescheid", NULL);
}

static void
test_french_merci_de(void **state)
{
    /* "Merci de ..." is the French "please ...", not thanks */
    assert_ask("Merci de me confirmer la date de la r\xc3\xa9union.", "fr-merci-de", NULL);
}

static void
test_spanish_avisame(void **state)
{
    /* written with its accent, as Spanish spells it */
    assert_ask("Av\xc3\xadsame por favor cuando llegues.", "es-avisame", NULL);
}

static void
test_please_at_end_of_request(void **state)
{
    /* the same request as "Please send me the report." */
    assert_ask("Send me the report, please.", "please-end", NULL);
    assert_ask("Envoyez-moi le rapport, s'il vous pla\xc3\xaet.", "fr-svp", NULL);
}

static void
test_clear_non_asks(void **state)
{
    static const char *const texts[] = {
        "Thanks for your help!",
        "Thank you so much for the quick reply.",
        "Let me know if you have any questions.",
        "If you have any questions, please let me know.",
        "Feel free to reach out if you need anything.",
        "Don't hesitate to contact me if you need more information.",
        "Please find attached the report for October.",
        "Please see attached.",
        "Please note that the office is closed on Friday.",
        "Click here to unsubscribe.",
        "Sign up now and get 20% off your first order!",
        "Don't miss our special offer, book now!",
        "How are you?",
        "Hope you had a great weekend!",
        "How was your trip?",
        "FYI, the server will be down tonight.",
        "No need to reply.",
        "Hope this helps.",
        "The meeting is at noon in room 4.",
        "Cheers",
        "Who knows?",
        "Best regards,\nAlice",
        "Please do not reply to this message.",
        "Please call if any questions.",
        "Call if there are any questions.",
        "To reserve a seat, please call Stephanie at 5-7928.",
        "Please contact Stephanie or Martha to make a cash donation.",
        "Please do not respond to this automated e-mail.",
        "The launch went well. Who would have thought we'd finish on time? Great work everyone.",
        "We shipped it. Isn't that great? Enjoy the weekend.",
    };

    for (size_t i = 0; i < G_N_ELEMENTS(texts); i++)
        assert_not_ask(texts[i]);
}

static void
test_empty_text(void **state)
{
    tw_ask_t a;

    tw_ask_detect("", &a);
    assert_float_equal(a.score, 0.0, 1e-9);
    assert_null(a.cue);
    assert_non_null(a.hits);
    assert_int_equal(a.hits->len, 0);
    assert_non_null(a.sentences);
    assert_int_equal(a.sentences->len, 0);
    tw_ask_clear(&a);
    assert_null(a.cue);
    assert_null(a.hits);

    tw_ask_detect(NULL, &a);
    assert_float_equal(a.score, 0.0, 1e-9);
    assert_null(a.cue);
    tw_ask_clear(&a);

    tw_ask_detect("The report is attached. It covers October.", &a);
    assert_float_equal(a.score, 0.0, 1e-9);
    assert_null(a.cue);
    assert_int_equal(a.sentences->len, 2);
    tw_ask_clear(&a);
}

static void
test_cue_sentence_chosen(void **state)
{
    tw_ask_t a;
    const char *text = "Hi Bob,\n"
                       "\n"
                       "Thanks for the update on the budget.\n"
                       "\n"
                       "Could you send me the slides by Friday?\n"
                       "\n"
                       "Cheers,\n"
                       "Alice";

    tw_ask_detect(text, &a);
    assert_true(a.score >= THRESHOLD);
    assert_string_equal(a.cue, "Could you send me the slides by Friday?");
    assert_int_equal(a.sentences->len, 5);
    assert_string_equal(a.sentences->pdata[0], "Hi Bob,");

    /* every hit names its cue, its words and its sentence */
    bool could_you = false, thanks = false, deadline = false;
    for (guint i = 0; i < a.hits->len; i++) {
        tw_cue_hit_t *h = a.hits->pdata[i];
        assert_non_null(h->name);
        assert_non_null(h->matched);
        assert_true(*h->matched != '\0');
        assert_true(h->sentence >= 0 && (guint)h->sentence < a.sentences->len);
        assert_true(h->weight != 0.0);
        if (strcmp(h->name, "could-you") == 0) {
            could_you = true;
            assert_true(h->weight > 0);
            assert_int_equal(h->sentence, 2);
            assert_true(g_str_has_prefix(h->matched, "Could you"));
        } else if (strcmp(h->name, "thanks") == 0) {
            /* damping cues are weighed only where something asks */
            thanks = true;
        } else if (strcmp(h->name, "deadline") == 0) {
            deadline = true;
            assert_true(h->weight > 0);
            assert_true(unit_contains(h->matched, "Friday"));
        }
    }
    assert_true(could_you);
    assert_false(thanks);
    assert_true(deadline);
    tw_ask_clear(&a);
}

static void
test_negative_cue_damps(void **state)
{
    /* the same request, with and without a courtesy closing */
    double plain = score_of("Please call me tomorrow.");
    double closing = score_of("Please call me if you have any questions.");

    assert_true(plain >= THRESHOLD);
    assert_true(closing < plain * 0.5);
}

static void
test_several_asks_raise_score(void **state)
{
    double one = score_of("Could you send the report?");
    double two = score_of("Could you send the report? Could you also send the slides?");
    double many = score_of("Could you send the report? Could you send the slides? Could you call "
                           "me? Could you sign it? Could you book a room? Can you come? Would "
                           "you mind? Could you hurry?");

    assert_true(two > one);
    assert_true(many >= two);
    assert_true(many <= 1.0);
}

static void
test_quoted_or_code_text(void **state)
{
    /* code in a message is not a question to the reader */
    assert_not_ask("printf(\"Could you send it?\\n\");");
    assert_not_ask("> Could you send the figures?");
}

static void
test_all_cues_compile(void **state)
{
    /* every pattern of the cue table compiles */
    char *bad = NULL;
    bool ok = tw_ask_check_cues(&bad);

    if (!ok)
        print_error("cue %s does not compile\n", bad);
    g_free(bad);
    assert_true(ok);
}

static void
test_huge_and_odd_input(void **state)
{
    GString *text = g_string_new(NULL);

    for (int i = 0; i < 5000; i++)
        g_string_append(text, "The weather is fine. ");
    g_string_append(text, "Could you call me?");
    tw_ask_t a;
    tw_ask_detect(text->str, &a);
    assert_true(a.score >= 0.0 && a.score <= 1.0);
    tw_ask_clear(&a);

    /* one sentence far too long to read */
    g_string_truncate(text, 0);
    for (int i = 0; i < 3000; i++)
        g_string_append(text, "word ");
    g_string_append(text, "could you help?");
    tw_ask_detect(text->str, &a);
    assert_true(a.score >= 0.0 && a.score <= 1.0);
    tw_ask_clear(&a);
    g_string_free(text, TRUE);

    /* invalid UTF-8 */
    tw_ask_detect("Could you \xff\xfe send it?", &a);
    assert_true(a.score >= 0.0 && a.score <= 1.0);
    tw_ask_clear(&a);
}

static tw_ask_t
detect(const char *text)
{
    tw_ask_t a;

    tw_ask_detect(text, &a);
    return a;
}

static void
test_greets(void **state)
{
    tw_ask_t a = detect("Hi Robin,\n\nCould you look at this?");

    assert_true(tw_ask_greets(&a, "Robin Vale", "rv@example.org"));
    assert_true(tw_ask_greets(&a, "Vale, Robin", "rv@example.org"));
    assert_true(tw_ask_greets(&a, "\"Robin Vale\"", NULL));
    assert_true(tw_ask_greets(&a, NULL, "robin.vale@example.org"));
    assert_true(tw_ask_greets(&a, "", "robin@example.org"));
    assert_false(tw_ask_greets(&a, "Sam Vale", "sam@example.org"));
    assert_false(tw_ask_greets(&a, NULL, "sam@example.org"));
    assert_false(tw_ask_greets(&a, NULL, NULL));
    tw_ask_clear(&a);

    a = detect("hello robin! could you look?");
    assert_true(tw_ask_greets(&a, "Robin", NULL));
    tw_ask_clear(&a);

    /* the name alone with a comma is a greeting; in a sentence it is not */
    a = detect("Robin, could you look?");
    assert_true(tw_ask_greets(&a, "Robin Vale", NULL));
    tw_ask_clear(&a);
    a = detect("Robin said it was fine. Could you look?");
    assert_false(tw_ask_greets(&a, "Robin Vale", NULL));
    tw_ask_clear(&a);

    /* whom the greeting names: the reader, another reader, nobody */
    tw_mailbox_t sam = {.addr = (char *)"sam@example.org", .name = (char *)"Sam Reed"};
    GPtrArray *others = g_ptr_array_new();
    g_ptr_array_add(others, &sam);
    a = detect("Hi Sam, could you look?");
    assert_int_equal(tw_ask_greeting(&a, "Robin Vale", "rv@example.org", others), TW_GREETS_OTHER);
    /* a reader whose first name is not known may be Sam */
    assert_int_equal(tw_ask_greeting(&a, NULL, "r@example.org", others), TW_GREETS_NOBODY);
    tw_ask_clear(&a);
    a = detect("Hi Sam and Robin, could you look?");
    assert_int_equal(tw_ask_greeting(&a, "Robin Vale", "rv@example.org", others), TW_GREETS_NOBODY);
    tw_ask_clear(&a);
    a = detect("Hi Robin, could you look?");
    assert_int_equal(tw_ask_greeting(&a, "Robin Vale", "rv@example.org", others), TW_GREETS_READER);
    tw_ask_clear(&a);
    a = detect("Hi Kim, could you look?");
    assert_int_equal(tw_ask_greeting(&a, "Robin Vale", "rv@example.org", others), TW_GREETS_NOBODY);
    tw_ask_clear(&a);
    g_ptr_array_free(others, TRUE);

    /* a longer name that starts with the reader's */
    a = detect("Hi Robinson, could you look?");
    assert_false(tw_ask_greets(&a, "Robin", NULL));
    tw_ask_clear(&a);

    /* only the first sentence counts */
    a = detect("The report is late. Hi Robin, could you look?");
    assert_false(tw_ask_greets(&a, "Robin", NULL));
    tw_ask_clear(&a);

    a = detect("");
    assert_false(tw_ask_greets(&a, "Robin", "robin@example.org"));
    tw_ask_clear(&a);
}

static void
test_for_reader(void **state)
{
    GPtrArray *why = g_ptr_array_new_with_free_func(g_free);

    assert_float_equal(tw_ask_for_reader(0.8, TW_READER_TO, 1, TW_GREETS_NOBODY, why), 0.8, 1e-9);
    assert_int_equal(why->len, 0);
    assert_float_equal(tw_ask_for_reader(0.8, TW_READER_TO, 5, TW_GREETS_NOBODY, why), 0.8, 1e-9);
    assert_int_equal(why->len, 0);

    assert_float_equal(tw_ask_for_reader(0.8, TW_READER_CC, 1, TW_GREETS_NOBODY, why), 0.6, 1e-9);
    assert_int_equal(why->len, 1);
    assert_true(unit_contains(why->pdata[0], "Cc"));

    g_ptr_array_set_size(why, 0);
    assert_float_equal(tw_ask_for_reader(0.8, TW_READER_UNSEEN, 1, TW_GREETS_NOBODY, why), 0.72, 1e-9);
    assert_int_equal(why->len, 1);

    g_ptr_array_set_size(why, 0);
    assert_float_equal(tw_ask_for_reader(0.8, TW_READER_TO, 6, TW_GREETS_NOBODY, why), 0.68, 1e-9);
    assert_true(unit_contains(why->pdata[0], "6 recipients"));
    assert_float_equal(tw_ask_for_reader(0.8, TW_READER_TO, 16, TW_GREETS_NOBODY, NULL), 0.56, 1e-9);
    assert_float_equal(tw_ask_for_reader(0.8, TW_READER_TO, 15, TW_GREETS_NOBODY, NULL), 0.68, 1e-9);

    g_ptr_array_set_size(why, 0);
    assert_float_equal(tw_ask_for_reader(0.6, TW_READER_TO, 1, TW_GREETS_READER, why), 0.69, 1e-9);
    assert_int_equal(why->len, 1);
    /* never above 1 */
    assert_float_equal(tw_ask_for_reader(0.95, TW_READER_TO, 1, TW_GREETS_READER, NULL), 1.0, 1e-9);

    /* the factors multiply */
    g_ptr_array_set_size(why, 0);
    assert_float_equal(tw_ask_for_reader(1.0, TW_READER_CC, 20, TW_GREETS_READER, why),
                       1.0 * 0.75 * 0.7 * 1.15, 1e-9);
    assert_int_equal(why->len, 3);
    assert_float_equal(tw_ask_for_reader(0.0, TW_READER_CC, 20, TW_GREETS_READER, NULL), 0.0, 1e-9);
    /* a greeting that names another reader: the ask is theirs */
    g_ptr_array_set_size(why, 0);
    assert_float_equal(tw_ask_for_reader(0.94, TW_READER_TO, 2, TW_GREETS_OTHER, why), 0.47, 1e-9);
    assert_true(unit_any_contains(why, "another reader"));
    g_ptr_array_free(why, TRUE);
}

/* Asks and what only looks like one, in German, French and Spanish:
 * requests plain and in the conditional, questions; courtesy closings,
 * thanks, apologies, rhetorical questions, what may happen. */
static void
test_other_languages(void **state)
{
    static const char *const asks[] = {
        "Hallo,\n\nKönnten Sie mir bitte die Rechnung schicken?\n\nGrüße\nAlice",
        "Hallo,\n\nKannst du mir morgen beim Umzug helfen?\n\nAlice",
        "Hallo,\n\nBitte schicke mir bis Freitag den Vertrag.\n\nAlice",
        "Hallo,\n\nEs wäre nett, wenn Sie mir die Unterlagen zusenden könnten.\n\nAlice",
        "Hallo,\n\nGib mir bitte Bescheid, ob du am Dienstag kommst.\n\nAlice",
        "Hallo,\n\nWann fängt das Treffen morgen an?\n\nAlice",
        "Bonjour,\n\nPourriez-vous m'envoyer la facture ?\n\nCordialement,\nAlice",
        "Bonjour,\n\nMerci de me faire savoir si vous serez présent mardi.\n\nCordialement,\nAlice",
        "Salut,\n\nPeux-tu m'aider à déménager demain ?\n\nAlice",
        "Bonjour,\n\nEnvoyez-moi le contrat signé, s'il vous plaît.\n\nAlice",
        "Bonjour,\n\nEst-ce que vous pouvez relire le document avant vendredi ?\n\nAlice",
        "Bonjour,\n\nÀ quelle heure commence la réunion demain ?\n\nAlice",
        "Hola,\n\n¿Podrías enviarme la factura?\n\nSaludos,\nAlice",
        "Hola,\n\nPor favor, envíame el contrato firmado.\n\nSaludos,\nAlice",
        "Hola,\n\n¿Puede usted revisar el documento antes del viernes?\n\nSaludos,\nAlice",
        "Hola,\n\nAvísame si puedes venir el martes.\n\nAlice",
        "Hola,\n\n¿A qué hora empieza la reunión mañana?\n\nAlice",
        "Hola,\n\nTe agradecería que me enviaras los documentos.\n\nAlice",
        "Bonjour,\n\nJe vous serais reconnaissant de bien vouloir m'envoyer le contrat.\n\nCordialement,\nAlice",
        "Bonjour,\n\nVoulez-vous bien relire ce document avant jeudi ?\n\nAlice",
        "Hallo,\n\nich wäre Ihnen dankbar, wenn Sie mir den Vertrag bis Freitag schicken.\n\nAlice",
        "Hola,\n\nNecesito que me mandes el contrato antes del viernes.\n\nAlice",
    };
    static const char *const not_asks[] = {
        "Hallo,\n\nanbei der Bericht.\n\nBei Fragen stehe ich gerne zur Verfügung.\n\nViele Grüße\nAlice",
        "Hallo,\n\nanbei die Unterlagen. Für Rückfragen stehe ich Ihnen jederzeit gerne zur Verfügung.\n\nMit freundlichen Grüßen\nAlice",
        "Hallo,\n\nanbei die Unterlagen. Melde dich, falls du Fragen hast.\n\nAlice",
        "Hallo,\n\nvielen Dank für Ihre Hilfe!\n\nAlice",
        "Hallo,\n\nzur Info: der Server ist am Samstag nicht erreichbar.\n\nAlice",
        "Hallo,\n\nWer hätte das gedacht? Wir sind fertig. Schönes Wochenende!\n\nAlice",
        "Bonjour,\n\nVous trouverez ci-joint le rapport.\n\nN'hésitez pas à me contacter si vous avez des questions.\n\nCordialement,\nAlice",
        "Bonjour,\n\nci-joint le document. Je reste à votre disposition pour tout renseignement complémentaire.\n\nCordialement,\nAlice",
        "Bonjour,\n\nMerci beaucoup pour votre aide !\n\nAlice",
        "Bonjour,\n\nPour info, le serveur sera arrêté samedi.\n\nAlice",
        "Bonjour,\n\nQui l'aurait cru ? Nous avons fini à temps. Bon week-end !\n\nAlice",
        "Hola,\n\nAdjunto el informe.\n\nQuedo a su disposición para cualquier pregunta.\n\nSaludos cordiales,\nAlice",
        "Hola,\n\nAdjunto el informe. No dudes en contactarme si tienes alguna pregunta.\n\nSaludos,\nAlice",
        "Hola,\n\n¡Muchas gracias por tu ayuda!\n\nAlice",
        "Hola,\n\nPara tu información, el servidor estará apagado el sábado.\n\nAlice",
        "Hola,\n\n¿Quién lo hubiera dicho? Terminamos a tiempo. ¡Buen fin de semana!\n\nAlice",
        "Hallo,\n\nanbei der Bericht. Wenn Sie Fragen haben, können Sie sich gerne an mich wenden.\n\nViele Grüße\nAlice",
        "Hallo,\n\nanbei der Bericht. Bei Fragen melden Sie sich bitte jederzeit.\n\nViele Grüße\nAlice",
        "Hallo,\n\nich bitte um Entschuldigung für die späte Antwort. Der Bericht ist fertig.\n\nViele Grüße\nAlice",
        "Hallo,\n\ngern geschehen, bitte schön.\n\nAlice",
        "Bonjour,\n\nMerci de votre réponse rapide.\n\nCordialement,\nAlice",
        "Salut,\n\nMerci de ton aide hier soir !\n\nAlice",
        "Bonjour,\n\nci-joint le document. Pour toute question, merci de me contacter.\n\nCordialement,\nAlice",
        "Bonjour,\n\nci-joint le document. Si vous avez des questions, vous pouvez me joindre au 01 23 45 67 89.\n\nCordialement,\nAlice",
        "Hola,\n\nAdjunto el informe. Si tienes alguna pregunta, puedes llamarme.\n\nSaludos,\nAlice",
        "Hola,\n\nAdjunto el informe. Por favor, no dude en contactarme si tiene alguna pregunta.\n\nSaludos,\nAlice",
        "Hola,\n\nEl envío puede tardar unos días en llegar.\n\nSaludos,\nAlice",
        "Hola,\n\nGracias por tu respuesta tan rápida.\n\nAlice",
    };

    for (size_t i = 0; i < G_N_ELEMENTS(asks); i++)
        assert_ask(asks[i], NULL, NULL);
    for (size_t i = 0; i < G_N_ELEMENTS(not_asks); i++)
        assert_not_ask(not_asks[i]);
}

static void
test_thanks_only(void **state)
{
    assert_true(tw_ask_is_thanks("Thanks!"));
    assert_true(tw_ask_is_thanks("Got it, thank you.\n\nAlice"));
    assert_true(tw_ask_is_thanks("Vielen Dank!"));
    assert_false(tw_ask_is_thanks("Thanks, but could you also send the March figures?"));
    assert_false(tw_ask_is_thanks("Thanks. Here are the figures for the whole year, split by "
                                  "region and by month, with the notes you asked for."));
    assert_false(tw_ask_is_thanks("Here they are."));
    assert_false(tw_ask_is_thanks("Tyler will send them."));
    assert_false(tw_ask_is_thanks(""));
    assert_false(tw_ask_is_thanks(NULL));
    /* greetings and sign-offs around a thank-you */
    assert_true(tw_ask_is_thanks("Hi Bob,\n\nthanks for the quick reply!\n\nBest regards,\nAlice"));
    assert_true(tw_ask_is_thanks("Thank you so much for sending the figures over so quickly "
                                 "yesterday."));
    assert_true(tw_ask_is_thanks("thanks\n\nElizabeth Sager\n713-853-6349"));
    assert_true(tw_ask_is_thanks("Merci !\n\nJean"));
    /* a short answer that also thanks answers */
    assert_false(tw_ask_is_thanks("Yes, Tuesday works. Thanks!"));
    assert_false(tw_ask_is_thanks("Attached is the report. Thanks"));
    assert_false(tw_ask_is_thanks("Done, thanks."));
    assert_false(tw_ask_is_thanks("Thanks, I sent the contract to Jim yesterday afternoon."));
    assert_false(tw_ask_is_thanks("Thanks, 3pm is fine."));
    assert_false(tw_ask_is_thanks("Ja, danke!"));
    assert_false(tw_ask_is_thanks("Thanks for the suggestion, but I tried it for hours."));
    /* no thank-you at all */
    assert_false(tw_ask_is_thanks("Great.\n\nAlice"));
    assert_false(tw_ask_is_thanks("Thanksgiving is on Thursday."));
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_clear_asks),
        cmocka_unit_test(test_clear_asks_other_languages),
        cmocka_unit_test(test_proposals_and_reminders),
        cmocka_unit_test(test_mailing_chores_and_disclaimers),
        cmocka_unit_test(test_rhetorical_forms),
        cmocka_unit_test(test_reported_questions),
        cmocka_unit_test(test_idioms_and_elliptic_requests),
        cmocka_unit_test(test_advice_and_offers),
        cmocka_unit_test(test_reading_directions_and_passing_on),
        cmocka_unit_test(test_instructions_and_prompts),
        cmocka_unit_test(test_german_bescheid_with_bitte),
        cmocka_unit_test(test_french_merci_de),
        cmocka_unit_test(test_spanish_avisame),
        cmocka_unit_test(test_please_at_end_of_request),
        cmocka_unit_test(test_clear_non_asks),
        cmocka_unit_test(test_empty_text),
        cmocka_unit_test(test_cue_sentence_chosen),
        cmocka_unit_test(test_negative_cue_damps),
        cmocka_unit_test(test_several_asks_raise_score),
        cmocka_unit_test(test_quoted_or_code_text),
        cmocka_unit_test(test_all_cues_compile),
        cmocka_unit_test(test_thanks_only),
        cmocka_unit_test(test_other_languages),
        cmocka_unit_test(test_huge_and_odd_input),
        cmocka_unit_test(test_greets),
        cmocka_unit_test(test_for_reader),
    };

    return cmocka_run_group_tests_name("ask", tests, NULL, NULL);
}
