/* cues.c - the cue table: the words and patterns that make a sentence
 * ask, and those that damp it. */
#include "cues.h"

#include <stdbool.h>
#include <string.h>

/* Shell lines, C, patches and a program's prompts: a question mark in
 * code asks nothing. */
static const char *
looks_like_code(const char *s)
{
    static const char *const marks[] = {"$?", "$(", "${", "==", "()", "&&", "||", "->"};
    const char *p = s;
    size_t n = strlen(s);

    while (*p == ' ' || *p == '\t')
        p++;
    if ((*p == '$' || *p == '#' || *p == '>') && (p[1] == ' ' || p[1] == '\t'))
        return "line starts like a prompt";
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        n--;
    if (n > 0 && strchr("{};", s[n - 1]) != NULL)
        return "line ends like code";
    /* a program's prompt in a pasted session: "Continue? (y/n)" */
    for (const char *q = s; *q; q++)
        if ((*q == '(' || *q == '[') && (q[1] == 'y' || q[1] == 'Y') &&
            (strncmp(q + 2, "/n", 2) == 0 || strncmp(q + 2, "/N", 2) == 0 ||
             strncmp(q + 2, "es/no", 5) == 0))
            return "program prompt";
    /* one "()" names a function in prose; code has more than one mark */
    const char *first = NULL;
    for (size_t i = 0; i < G_N_ELEMENTS(marks); i++)
        if (strstr(s, marks[i]) != NULL) {
            if (first != NULL)
                return first;
            first = marks[i];
        }
    return strstr(s, "$?") ? "$?" : NULL;
}

/* The build links this table into its pattern compiler without GLib:
 * only its macros here. */
static bool
has_prefix(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* "he said 'Are you one of them?'": the question mark that ends the
 * sentence closes a quotation opened after the sentence's first words,
 * so the question is someone else's, reported. */
static const char *
reported_question(const char *s)
{
    const char *end = strrchr(s, '?'), *p;

    if (end == NULL)
        return NULL;
    /* after the question mark: closing marks and a full stop, at least
     * one closing mark */
    if (!(end[1] == '"' || end[1] == '\'' || has_prefix(end + 1, "\xe2\x80\x9d") ||
          has_prefix(end + 1, "\xe2\x80\x99")))
        return NULL;
    for (p = end + 1; *p;)
        if (*p != '\0' && strchr("?!.\"') ", *p) != NULL)
            p++;
        else if (has_prefix(p, "\xe2\x80\x9d") || has_prefix(p, "\xe2\x80\x99"))
            p += 3;
        else
            return NULL;
    /* the opening mark: after a blank, a colon or a comma, with words
     * of the sentence before it */
    for (p = end; p > s + 3; p--)
        if (((*p == '"' || *p == '\'') && (p[-1] == ' ' || p[-1] == ':' || p[-1] == ',')) ||
            has_prefix(p, "\xe2\x80\x9c") || has_prefix(p, "\xe2\x80\x98"))
            return "quoted question";
    return NULL;
}

/* Positive weights combine by noisy-or; a negative weight w multiplies
 * the sentence's score by (1 + w). */
const tw_cue_def_t tw_cues[] = {
    /* questions */
    {"question", 0.55, "?", "\\?[\\s\"')\\]]*$", NULL},
    {"inner-question", 0.40, "?", "\\w\\s*\\?\\s+\\S", NULL},
    {"wh-question", 0.20, "?",
     "^(?:and |so |but |also |ok,? )?(?:what|when|where|who|whom|whose|which|why|how)\\b", NULL},
    {"yes-no-question", 0.25, "?",
     "^(?:and |so |but |also |ok,? )?(?:can|could|would|will|do|does|did|have|has|are|is|"
     "should|shall|may|might|was|were)\\s+(?:you|we|i|it|this|that|there|they|he|she|"
     "someone|anyone|u)\\b", NULL},
    /* requests */
    {"could-you", 0.55, "could|would|can|will|won't&you| u |some|any",
     "\\b(?:could|would|can|will|won't|wouldn't|couldn't)\\s+(?:you|u|somebody|someone|"
     "anyone|anybody)\\s+(?:please\\s+|kindly\\s+|possibly\\s+|also\\s+)?"
     "(?!have\\s+(?:been|seen|known)\\b)\\w+", NULL},
    {"please", 0.50, "please|pls|plz",
     "(?<!to |you )\\b(?:please|pls|plz)\\s+(?:do\\s+)?(?!find\\b|bear\\s+with|be\\s+assured|"
     "be\\s+patient|rest\\s+assured|your\\b|everyone\\b|all\\b|see\\s+(?:attached|below|above|enclosed)|"
     "note\\b|no\\b|be\\s+(?:advised|aware|informed)\\b|(?:do\\s+)?not\\s+(?:reply|respond|hesitate)|"
     "don'?t\\s+(?:reply|respond)|feel\\s+free|"
     "accept\\b|disregard\\b|ignore\\b|excuse\\b|forgive\\b|don'?t\\s+hesitate|"
     "do\\s+not\\s+hesitate|visit\\b|click\\b|enjoy\\b|keep\\s+in\\s+mind|remember\\s+that|"
     "join\\s+us|share\\s+this|"
     "consider\\s+the\\s+environment|allow\\b|refer\\s+to)[a-z]", NULL},
    {"please-end", 0.55, "please", ",?\\s+please\\s*[.!]?$", NULL},
    {"let-me-know", 0.55, "let&know",
     "\\blet\\s+(?:me|us)\\s+know\\s+(?!if\\s+(?:you|there|anything|i|we)\\b)"
     "(?:what|when|whether|how|which|who|where|your|asap|as\\s+soon|by|about|if\\b)", NULL},
    {"let-me-know-if-you-can", 0.50, "let&know&if",
     "\\blet\\s+(?:me|us)\\s+know\\s+if\\s+(?:you\\s+(?:can|could|are\\s+(?:able|available|ok|"
     "okay|free|interested)|agree|approve|want\\s+(?:me|us)|will|would|prefer|think|"
     "(?:get|got|receive|received)\\s+(?:it|this|my|the|them))|this\\s+"
     "(?:works|is\\s+ok)|that\\s+works|it\\s+works)", NULL},
    {"wondering", 0.55, "wonder", "\\b(?:i|we)\\s+(?:was|were|am|are|'m|'re)\\s+wondering\\b", NULL},
    {"i-wonder", 0.40, "wonder", "\\bi\\s+wonder\\s+(?:if|whether|what|when|how|who)\\b", NULL},
    {"need-you", 0.55, "need|want|like&you",
     "\\b(?:i|we)\\s+(?:need|want|would\\s+like|'d\\s+like)\\s+(?:you|your)\\s+"
     "(?:to\\b|input|help|feedback|approval|thoughts|opinion|signature|ok|okay|comments)", NULL},
    {"appreciate", 0.45, "appreciate&'d|would|will|'ll",
     "\\b(?:i|we)(?:'d|\\s+would|\\s+will|'ll)\\s+(?:really\\s+|greatly\\s+)?appreciate\\b", NULL},
    {"anyone", 0.50, "anyone|anybody|someone|somebody&does|did|has|can|could|would|will|is ",
     "\\b(?:does|did|has|can|could|would|will|is)\\s+(?:anyone|anybody|someone|somebody)\\b", NULL},
    {"any-thoughts", 0.45, "any",
     "\\bany\\s+(?:thoughts|ideas|suggestions|comments|feedback|advice|update|news|word|"
     "luck|objections?|recommendations?|pointers|hints?|tips?)\\b", NULL},
    /* an elliptic request on its own: "Any suggestions?", "Comments?",
     * "Your thoughts?" */
    {"elliptic-request", 0.55, "comment|thought|idea|suggestion|feedback|opinion|input|advice|objection|"
     "pointer|hint|tip|recommendation|help",
     "^(?:(?:any|your|some)\\s+(?:further\\s+|other\\s+)?)?(?:comments?|thoughts|ideas|suggestions|feedback|"
     "opinions?|input|advice|objections|pointers|hints|tips|recommendations|help)"
     "(?:\\s+(?:on|about|regarding)\\s+[^?]{1,60})?\\s*(?:\\?+|[.!]*$)", NULL},
    /* "I ask because ...": the author has just asked something, in
     * whatever shape */
    {"i-ask-because", 0.5, "ask", "\\b(?:i|we)\\s+ask\\s+(?:because|since|as)\\b", NULL},
    {"may-i", 0.45, " i &can|could|may",
     "\\b(?:can|could|may)\\s+i\\s+(?:ask|get|have|borrow|see|call|come|schedule|use)\\b", NULL},
    {"is-it-possible", 0.50, "possible|mind",
     "\\b(?:is\\s+it\\s+possible|would\\s+it\\s+be\\s+possible|do\\s+you\\s+mind|"
     "would\\s+you\\s+mind)\\b", NULL},
    {"need-help", 0.45, "need|require",
     "\\b(?:need|needs|require|requires)\\s+(?:your\\s+|some\\s+)?(?:help|assistance|input|"
     "advice|approval|answer|response|feedback|sign-?off|decision|confirmation)\\b", NULL},
    {"waiting-on-you", 0.45, "wait",
     "\\b(?:waiting|still\\s+waiting)\\s+(?:for|on)\\s+(?:your|you)\\b", NULL},
    /* "I have a question on permissions": the question follows, in
     * whatever shape */
    {"have-a-question", 0.50, "question",
     "^(?:(?:hi|hello|hey)\\b[^,]{0,30},\\s*)?(?:i|we)\\s+(?:have|had|got)\\s+(?:a|one|another|two|some|"
     "a\\s+few)\\s+(?:quick\\s+|short\\s+|small\\s+|simple\\s+|basic\\s+|newbie\\s+|general\\s+|"
     "follow-?up\\s+)?questions?\\b(?!\\s+(?:for\\s+(?:him|her|them)|from))", NULL},
    {"question-for-you", 0.40, "question",
     "\\b(?:quick\\s+|a\\s+)?question\\s+(?:for|to)\\s+you\\b", NULL},
    /* an imperative: a sentence that starts with a verb of doing,
     * after an "and", "also" or the reader's name */
    {"imperative", 0.55,
     "send|call|give|ask|get|schedule|forward|review|check|confirm|provide|tell|fax|mail|"
     "arrange|book|reserve|contact|prepare|update|sign|return|fill|complete|set|bring|come|"
     "phone|reply|respond|print|pick|verify|approve|make|take|add|remove|change|fix|look|"
     "ring|meet|talk|let|drop|keep|find|show|explain|help|put|copy|move|submit|pass",
     "^(?:(?:and|also|so|but|ok|okay|now|meanwhile|again)[,:]?\\s+|"
     "(?-i:[A-Z][a-z]+),\\s+)*(?:just\\s+|kindly\\s+|quickly\\s+)?(?:send|call|give|ask|get|schedule|"
     "forward|review|check|confirm|provide|tell|fax|e-?mail|arrange|book|reserve|contact|prepare|"
     "update|sign|return|fill\\s+(?:in|out)|complete|set\\s+up|bring|come|phone|reply|respond|print|"
     "pick\\s+up|verify|approve|make\\s+sure|take\\s+a\\s+look|add|remove|change|fix|look\\s+(?:at|into|over)|"
     "ring|meet|talk\\s+to|let\\s+(?:me|us|him|her|them)|drop\\s+(?:me|us|by)|keep\\s+(?:me|us)|"
     "find|show|explain|help|put|copy|move|submit|pass)\\s+(?:me|us|him|her|them|the|a|an|this|"
     "that|these|those|it|your|my|our|all|some|any|to|if|whether|with|on|at|over|back|in|out|"
     "up|by|(?-i:[A-Z][a-z]+))\\b", NULL},
    {"question-form", 0.50, "you|anyone|anybody|someone",
     "^(?:(?:and|also|so|but|ok|okay)[,]?\\s+)?(?:can|could|would|will|do|did|have|are|were|"
     "should|shall)\\s+(?:you|anyone|anybody|someone|somebody)\\b", NULL},
    {"would-be-appreciated", 0.50, "appreciat|helpful|grateful",
     "\\b(?:would|will|is)\\s+be\\s+(?:greatly\\s+|much\\s+|very\\s+|most\\s+|really\\s+)?"
     "(?:appreciated|helpful)\\b|\\bgrateful\\s+if\\s+you\\b|\\bappreciate\\s+(?:it\\s+)?if\\s+you\\b",
     NULL},
    {"need-to-talk", 0.50, "talk|meet|discuss|chat|know|speak",
     "\\b(?:i|we)\\s+(?:need|want|would\\s+like|'d\\s+like|would\\s+love|'d\\s+love)\\s+to\\s+"
     "(?:talk|meet|discuss|chat|speak|know|get\\s+together|catch\\s+up)\\b", NULL},
    {"asked-to-ask", 0.55, "ask&you",
     "\\bask\\s+(?:each\\s+of\\s+|all\\s+of\\s+)?you\\s+(?:if|whether|to|for)\\b|"
     "\\b(?:i|we)\\s+(?:would\\s+|must\\s+)?ask\\s+that\\s+you\\b", NULL},
    {"how-do-i", 0.50, "how|what|where|which",
     "^(?:so\\s+|but\\s+|and\\s+)?(?:how|what|where|which)\\s+(?:do|does|can|could|would|should|shall)\\s+"
     "(?:i|we)\\s+(?!know\\b)\\w+", NULL},
    {"we-need", 0.50, "need",
     "^(?:[^.,;]{0,40},\\s+)?(?:we|i)\\s+(?:will\\s+|still\\s+|urgently\\s+)?need\\s+(?:a|an|your|"
     "some|the\\s+(?:new|latest|final|updated|signed))\\s+\\w+", NULL},
    {"you-need-to", 0.50, "you&need|must",
     "\\byou\\s+(?:will\\s+)?(?:need\\s+to|must)\\s+(?!be\\s+(?:kidding|joking))\\w+", NULL},
    {"lets", 0.50, "let",
     "^(?:(?:so|ok|okay|then|also|but)[,]?\\s+)?(?:(?-i:[A-Z][a-z]+)[,:]\\s+)?(?:[^.]*,\\s+but\\s+)?let'?s\\s+"
     "(?:meet|discuss|talk|get\\s+together|schedule|set\\s+up|plan|have\\s+(?:a|lunch|dinner|"
     "coffee|a\\s+call)|chat|catch\\s+up|do\\s+(?:lunch|dinner|coffee)|grab|touch\\s+base|"
     "find\\s+a\\s+time)\\b", NULL},
    {"reminder-to", 0.50, "remind|forget",
     "\\b(?:just\\s+)?a\\s+(?:quick\\s+|friendly\\s+|gentle\\s+)?reminder\\s+to\\s+\\w+|"
     "^(?:please\\s+)?(?:don'?t|do\\s+not)\\s+forget\\s+to\\s+\\w+", NULL},
    {"would-be-useful", 0.50, "would|'d",
     "^(?:it\\s+)?(?:would|'d)\\s+be\\s+(?:very\\s+|really\\s+)?(?:useful|great|good|nice|helpful)"
     "\\s+(?:to\\s+(?:get|have|see|know|hear)|if\\s+you)\\b", NULL},
    {"wants-to-know", 0.50, "know",
     "\\b(?:wants|wanted|would\\s+like|asked)\\s+to\\s+know\\s+(?:if|whether)\\s+you\\b", NULL},
    {"thanks-in-advance", 0.50, "advance|any|tia|voraus|avance|antemano|adelantado",
     "\\b(?:thanks|thank\\s+you)\\s+(?:in\\s+advance|for\\s+any\\s+(?:help|advice|hints?|pointers|"
     "ideas|suggestions|input|feedback))\\b|\\btia\\b|\\bdanke\\s+im\\s+voraus\\b|"
     "\\bmerci\\s+(?:d'avance|par\\s+avance)|\\bgracias\\s+(?:de|por)\\s+(?:antemano|adelantado)\\b",
     NULL},
    {"deadline", 0.15, "by|before|until|asap|soon|urgent|later",
     "\\b(?:(?:by|before|until|no\\s+later\\s+than)\\s+(?:mon|tues|wednes|thurs|fri|satur|sun)"
     "day|(?:by|before)\\s+(?:tomorrow|tonight|noon|eod|cob|close\\s+of\\s+business|end\\s+of\\s+"
     "(?:the\\s+)?(?:day|week|month))|asap|as\\s+soon\\s+as\\s+possible|urgent(?:ly)?)\\b", NULL},
    /* German, French, Spanish */
    {"de-koennten-sie", 0.55, "könn|kann|würd&du|sie|ihr",
     "\\b(?:könnte|könnten|könntest|kannst|können|würdest|würden|würdet|könntet)\\s+"
     "(?:du|sie|ihr)\\b", NULL},
    {"de-bitte", 0.50, "bitte",
     "\\bbitte\\s+(?!schön|sehr|gerne|beachten|beachte|entschuldigen)\\w+|\\w+\\s+bitte\\b", NULL},
    {"de-bescheid", 0.50, "bescheid|wissen|fragen",
     "\\b(?:gib|gebt|geben\\s+sie|sag|sagt|sagen\\s+sie)\\s+(?:mir|uns)\\s+(?:bitte\\s+)?"
     "(?:kurz\\s+)?bescheid|"
     "\\blass\\s+(?:mich|uns)\\s+wissen|\\bich\\s+wollte\\s+fragen", NULL},
    {"fr-pourriez-vous", 0.55, "pourr|pouv|peux|voudr&vous|tu",
     "\\b(?:pourriez|pourrais|pouvez|peux|voudriez|voudrais|pourrions)[- ](?:vous|tu)\\b", NULL},
    {"fr-merci-de", 0.55, "merci",
     "\\bmerci\\s+de\\s+(?!(?:votre|vos|ton|ta|tes|la|le|les|l'|cette|ce|ces|son|sa|ses|leur|leurs|"
     "tout|toute)\\b)(?:bien\\s+vouloir\\s+)?(?:me|nous)?\\s*\\w+", NULL},
    {"fr-svp", 0.50, "plaît|plait|svp", "\\bs'il\\s+(?:te|vous)\\s+pla[iî]t\\b|\\bsvp\\b", NULL},
    {"es-podrias", 0.50, "pod|pued",
     "\\b(?:podr[ií]as|puedes)\\s+\\w+|\\b(?:podr[ií]a|puede|podr[ií]an|pueden)\\s+"
     "(?:usted(?:es)?\\s+\\w+|(?:me|nos)\\s+\\w+|\\w+r(?:me|nos)\\b)|"
     "¿\\s*(?:podr[ií]a|puede|podr[ií]an|pueden)\\b", NULL},
    {"es-por-favor", 0.50, "favor", "\\bpor\\s+favor\\b", NULL},
    /* "Es wäre nett, wenn Sie ...", "je vous serais reconnaissant de
     * ...", "te agradecería que ...": a request in the conditional */
    {"de-waere-nett", 0.55, "wäre|bitte",
     "\\b(?:es\\s+)?wäre\\s+(?:sehr\\s+|echt\\s+|wirklich\\s+)?(?:nett|schön|toll|super|hilfreich|"
     "klasse|prima|gut)\\s*,?\\s+wenn\\s+(?:sie|du|ihr)\\b|\\b(?:ich|wir)\\s+(?:wäre|wären)\\s+"
     "(?:ihnen|dir|euch)\\s+(?:sehr\\s+|äußerst\\s+)?dankbar\\b|\\b(?:ich|wir)\\s+bitten?\\s+"
     "(?:sie|dich|euch)\\b(?!\\s+um\\s+(?:entschuldigung|verständnis|nachsicht|geduld))", NULL},
    {"fr-reconnaissant", 0.55, "reconnaissant|oblig|veuillez|aimerais",
     "\\b(?:je|nous)\\s+(?:vous|te)\\s+(?:serai[st]?|serions)\\s+(?:très\\s+)?"
     "(?:reconnaissante?s?|obligée?s?)\\b|\\bveuillez\\s+(?!agr[ée]er|recevoir|trouver|croire|"
     "excuser|noter)\\w+|\\bj'aimerais\\s+(?:que\\s+(?:vous|tu)|savoir\\s+si)\\b", NULL},
    {"es-agradeceria", 0.55, "agradec|necesit|gustar",
     "\\b(?:te|le|les|os)\\s+agradecer[ií]a(?:mos)?\\b|\\bnecesit(?:o|amos)\\s+que\\s+"
     "(?:me\\s+|nos\\s+)?\\w+|\\bme\\s+gustar[ií]a\\s+que\\s+(?:me|nos)\\s+\\w+", NULL},
    {"es-avisame", 0.50, "avisa|avísa|saber", "\\b(?:av[ií]same|h[aá]zme\\s+saber|me\\s+avisas)\\b", NULL},

    /* what damps an ask */
    {"courtesy-closing", -0.92, "if &know|free|hesitat|contact|call|mail|ask|reach|shout",
     "\\b(?:let\\s+(?:me|us)\\s+know|feel\\s+free|do\\s*n[o']?t\\s+hesitate|(?:please\\s+)?"
     "(?:contact|call|email|e-mail|ask|reach(?:\\s+out\\s+to)?)\\s+(?:me|us)|give\\s+(?:me|us)\\s+a\\s+"
     "(?:call|shout))\\b.*\\bif\\s+(?:you\\s+)?(?:have|need|there|want|require|would\\s+like|"
     "can\\s+be\\s+of|i\\s+can|we\\s+can)\\b", NULL},
    {"de-courtesy", -0.92, "frage|verfügung|gern",
     "\\b(?:bei|für)\\s+(?:weitere[n]?\\s+|eventuelle[n]?\\s+)?(?:fragen|rückfragen)\\b|"
     "\\b(?:wenn|falls)\\s+(?:sie|du|ihr)\\s+(?:noch\\s+)?(?:weitere\\s+)?(?:fragen|rückfragen)\\b|"
     "\\bsteh(?:e|en)\\b.*\\bzur\\s+verfügung\\b|"
     "\\bsich\\s+gerne?\\s+(?:an\\s+mich|an\\s+uns|bei\\s+mir|bei\\s+uns)\\b", NULL},
    {"fr-courtesy", -0.92, "question|disposition|renseignement|besoin",
     "\\bpour\\s+(?:toute|toutes)\\s+(?:autres?\\s+)?(?:questions?|informations?|demandes?|"
     "renseignements?)\\b|\\bsi\\s+(?:vous\\s+avez|tu\\s+as)\\s+(?:des|d'autres|la\\s+moindre|une|"
     "quelques?)\\s+(?:questions?|remarques?)\\b|\\ben\\s+cas\\s+de\\s+(?:questions?|besoin)\\b|"
     "\\b(?:je|nous)\\s+(?:reste|restons)\\s+à\\s+(?:votre|ta|vos)\\s+(?:entière\\s+)?disposition\\b",
     NULL},
    {"es-courtesy", -0.92, "pregunta|dud|consulta|disposici",
     "\\bsi\\s+(?:tienes|tiene|tienen|usted\\s+tiene)\\s+(?:alguna|cualquier|m[aá]s|otra)s?\\s+"
     "(?:preguntas?|dudas?|consultas?)\\b|\\bno\\s+dude[ns]?\\s+en\\b(?=.*\\b(?:preguntas?|dudas?|"
     "consultas?)\\b)|\\bquedo\\s+a\\s+(?:su|tu|vuestra)\\s+(?:entera\\s+)?disposici[oó]n\\b|"
     "\\b(?:para|ante)\\s+cualquier\\s+(?:otra\\s+)?(?:pregunta|duda|consulta)\\b", NULL},
    /* "Ich bitte um Entschuldigung": an apology in the form of a plea */
    {"de-apology", -0.9, "bitte",
     "\\bbitten?\\s+(?:vielmals\\s+)?um\\s+(?:entschuldigung|ihr\\s+verständnis|verständnis|"
     "nachsicht|geduld)\\b", NULL},
    {"with-any-questions", -0.9, "question|concern|comment",
     "\\b(?:contact|call|email|e-mail|ask|reach|write\\s+to)\\b.*\\bwith\\s+(?:any\\s+)?"
     "(?:further\\s+|other\\s+)?(?:questions?|concerns?|comments?)\\b|\\bin\\s+case\\s+you\\s+"
     "(?:have|need)\\b", NULL},
    {"if-questions", -0.92, "if |should &question|concern|comment|help|problem|issue",
     "^(?:if|should)\\s+(?:you\\s+)?(?:have|need|there\\s+(?:are|is))\\s+(?:any\\s+)?(?:further\\s+|"
     "other\\s+|more\\s+)?(?:questions?|concerns?|comments?|help|problems?|issues?)\\b", NULL},
    /* "Please call if any questions": the same courtesy, cut short */
    {"if-any-questions", -0.92, "if &question|concern|problem|issue",
     "\\bif\\s+(?:any|there\\s+are\\s+any)\\s+(?:further\\s+|other\\s+|more\\s+)?(?:questions?|concerns?|"
     "problems?|issues?)\\s*[.!,]*$", NULL},
    {"any-questions-closing", -0.9, "question",
     "^any\\s+(?:further\\s+|other\\s+)?questions?,?\\s+(?:please\\s+)?(?:let|call|contact|feel|give|"
     "just)\\b", NULL},
    {"offer-of-help", -0.85, "for &assist|help|information|detail|question",
     "^for\\s+(?:further|more|additional|any)\\s+(?:assistance|help|information|details|"
     "questions)\\b", NULL},
    {"conditional", -0.8, "if |should ",
     "^(?:if\\s+(?:you\\s+do\\s+so|so|you\\s+wish|you\\s+choose|you\\s+decide)|should\\s+you)\\b",
     NULL},
    {"hope-helps", -0.8, "hope", "\\bhope\\s+(?:this|that|it)\\s+helps\\b", NULL},
    {"thanks", -0.9, "thank|cheers|danke|merci|gracias|regards",
     "^(?:thanks?|thank\\s+you|many\\s+thanks|thx|cheers|regards|best\\s+regards|danke|"
     "vielen\\s+dank|merci(?!\\s+de\\s)|gracias)\\b(?!\\s+(?:in\\s+advance|for\\s+any|im\\s+voraus|"
     "d'avance|par\\s+avance|de\\s+antemano|por\\s+adelantado))[^?]*$", NULL},
    {"marketing", -0.85, "click|subscri|sign|now|offer|off|learn|register|miss|browser|trial",
     "\\b(?:click\\s+(?:here|below|the\\s+link)|unsubscribe|sign\\s+up|subscribe|buy\\s+now|"
     "order\\s+now|shop\\s+now|limited[- ]time|act\\s+now|call\\s+now|free\\s+trial|special\\s+"
     "offer|\\d+%\\s+off|learn\\s+more|register\\s+(?:now|today)|don'?t\\s+miss|view\\s+(?:this|it)"
     "\\s+in\\s+your\\s+browser|book\\s+now|claim\\s+your)\\b", NULL},
    {"mailing-chores", -0.8, "address|html|privacy|link|browser|account|preferences|verify|version",
     "\\b(?:(?:to\\s+)?your\\s+address\\s+book|html\\s+version|privacy\\s+policy|(?:the|this)\\s+"
     "link\\s+below|your\\s+(?:web\\s+)?browser|(?:activate|verify|log\\s+into|sign\\s+into)\\s+your\\s+"
     "(?:account|email|e-mail)|email\\s+preferences|web\\s+version)\\b", NULL},
    {"received-in-error", -0.9, "error",
     "\\bin\\s+error\\b.*\\b(?:notify|delete|destroy)|\\b(?:notify|delete|destroy)\\b.*\\bin\\s+error\\b",
     NULL},
    {"please-find", -0.9, "please",
     "\\bplease\\s+(?:find|see)\\s+(?:attached|enclosed|below|above|the\\s+attached)", NULL},
    /* "Please go to the last worksheet tab": directions for reading
     * what is attached, like "please see attached" */
    {"reading-directions", -0.85, "please|go to|turn to|refer to|scroll",
     "\\b(?:please\\s+)?(?:go|turn|refer|scroll|skip|jump|look)\\s+(?:down\\s+|back\\s+)?to\\s+(?:the\\s+)?"
     "(?:[\\w-]+\\s+){0,3}?(?:tab|worksheet|sheet|spreadsheet\\s+tab|page\\s+\\d+|section|paragraph|table|chart|"
     "graph|column|row|slide|appendix|exhibit|footnote)s?\\b", NULL},
    /* "Please forward this e-mail to others who may benefit": passing
     * a mailing on to whoever cares asks the reader for nothing; "forward
     * this email to your direct reports" does, and so does "please do not
     * share it with anyone" */
    {"pass-it-on", -0.85, "forward|pass|share|send",
     "^(?!.*\\blet\\s+(?:me|us)\\s+know\\b).*?(?<!not\\s)(?<!n't\\s)(?<!never\\s)"
     "\\b(?:forward|pass|share|send)\\s+(?:this|it)\\s+(?:(?:e-?mail|message|newsletter|note|information|"
     "announcement|invitation|flyer|link)\\s+)?(?:on\\s+|along\\s+)?(?:to|with)\\s+(?:any\\s*one|anybody|others|"
     "other\\s+people|(?:your\\s+|any\\s+)?(?:friends|colleagues|contacts)|people|those|everyone|whoever|"
     "all\\s+who)\\b", NULL},
    {"please-note", -0.7, "please", "\\bplease\\s+(?:note|be\\s+advised|be\\s+aware|be\\s+informed)\\b", NULL},
    {"pleasantry", -0.85, "how|hope",
     "\\bhow\\s+(?:are|r)\\s+(?:you|u|things|ya)\\b|\\bhow(?:'s|\\s+is|\\s+was|\\s+were)\\s+"
     "(?:it\\s+going|everything|things|life|your\\s+(?:day|week|weekend|trip|holiday|holidays|"
     "vacation|summer|family))\\b|\\bhope\\s+(?:you(?:'re|\\s+are|\\s+had)|all\\s+is|this\\s+finds)", NULL},
    {"rhetorical", -0.9, "?",
     "^(?:who\\s+knows|why\\s+not|guess\\s+what|what\\s+do\\s+you\\s+know|how\\s+cool\\s+is\\s+that|"
     "isn'?t\\s+it|right|you\\s+know\\s+what|what\\s+else\\s+is\\s+new|who\\s+cares|"
     "what\\s+could\\s+go\\s+wrong|how\\s+about\\s+that)\\s*[?!.]*$", NULL},
    {"rhetorical-form", -0.8, "?",
     "^(?:and\\s+|but\\s+|so\\s+|now,?\\s+)?(?:do|would)\\s+you\\s+really\\s+(?:want|think|believe|expect|"
     "need)\\b|^(?:and\\s+|but\\s+|so\\s+|now,?\\s+)?(?:don'?t|doesn'?t|isn'?t|wasn'?t|aren'?t|wouldn'?t)\\s+"
     "(?:you|it|that|this)\\s+(?:feel|sound|seem|look|love|hate|just|make)\\b|\\b(?:why\\s+do\\s+i\\s+think|"
     "did\\s+i\\s+(?:say|mention|tell\\s+you)|am\\s+i\\s+the\\s+only\\s+one|who\\s+am\\s+i\\s+to|"
     "have\\s+i\\s+(?:mentioned|told\\s+you))\\b|^\\(|\\?!|!\\?|"
     "\\bwho\\s+would\\s+have\\s+(?:thought|guessed|known|imagined)\\b|"
     "^isn'?t\\s+(?:that|it|this)\\s+(?:great|nice|cool|wonderful|amazing|funny|ironic|something|"
     "interesting)\\s*[?!.]*$|\\bwer\\s+hätte\\s+(?:das\\s+|es\\s+)?(?:gedacht|geahnt)\\b|"
     "\\bqui\\s+l'aurait\\s+(?:cru|dit|pensé)\\b|\\bqui[eé]n\\s+lo\\s+(?:hubiera|habr[ií]a)\\s+"
     "(?:dicho|pensado|imaginado|cre[ií]do)\\b", NULL},
    /* "Maybe you could use the 400 MHz bandwidth?": a suggestion of what
     * the reader might do for himself, unless it is done for the writer
     * ("maybe you could send me ...") */
    {"suggestion", -0.85, "maybe|perhaps",
     "^(?:but\\s+|so\\s+|and\\s+|or\\s+|then\\s+)?(?:maybe|perhaps)\\s+you\\s+(?:could|can|might|should|may)\\s+"
     "(?!.*\\b(?:me|us|my|our|i|we)\\b)", NULL},
    /* "you need to add the PPA before you can install it": what the
     * reader must do for his own purpose is an instruction, not a
     * request made for the writer */
    {"instruction-for-purpose", -0.8, "you",
     "\\byou\\s+(?:will\\s+)?(?:need\\s+to|must|have\\s+to|should)\\b(?!.*\\b(?:me|us|my|our|i|we)\\b)"
     ".*\\b(?:before\\s+you\\s+(?:can|could|will\\s+be\\s+able)|in\\s+order\\s+to|"
     "so\\s+(?:that\\s+)?you\\s+(?:can|could|will))\\b|"
     "^(?:if\\s+you\\s+(?:want|wish|need)\\s+to|in\\s+order\\s+to|to)\\s+\\w+[^,]{0,80},\\s+(?:then\\s+)?you\\s+"
     "(?:will\\s+)?(?:need\\s+to|must|have\\s+to|should)\\b(?!.*\\b(?:me|us|my|our|i|we)\\b)", NULL},
    /* "Please contact Joan if you plan to attend": what is asked only of
     * those who choose to come along is an offer, not a request; "let
     * me know if you plan to attend", "she wants to know if you want to
     * join us" still ask whether */
    {"optional-attendance", -0.85, "if you|anyone|anybody|to ",
     "^(?!.*\\bknow\\s+(?:if|whether)\\b).*?(?:\\bif\\s+(?:you|anyone|anybody)\\s+(?:plan|plans|intend|intends|"
     "wish|wishes|decide|choose|are\\s+planning|would\\s+like|'d\\s+like|want|wants)\\s+to\\s+"
     "(?:attend|come|join|participate|take\\s+part|be\\s+there|sign\\s+up|register|enroll)\\b|"
     "\\bif\\s+you\\s+are\\s+(?:planning\\s+on|interested\\s+in)\\s+(?:attending|coming|joining|participating)\\b|"
     /* "To reserve a seat, please call ...", "please contact Joan to
      * make a donation": directions for whoever chooses to */
     "^to\\s+(?:reserve|register|sign\\s+up|enroll|rsvp|subscribe|unsubscribe|donate|make\\s+a\\s+(?:cash\\s+)?"
     "donation|order|learn\\s+more|find\\s+out\\s+more)\\b|\\bto\\s+(?:make\\s+a\\s+(?:cash\\s+)?donation|"
     "donate|reserve\\s+(?:a|your)\\s+(?:seat|spot|place|space)|sign\\s+up|rsvp)\\s*[.!]*$)",
     NULL},
    /* idioms in the imperative that ask nothing: disbelief, banter */
    {"idiom", -0.9,
     "break|lease|plz|tell me|call me|get me|take it|take my|figure|mark my|come on|"
     "knock yourself|get a life|get real|get over|bite me",
     "\\bgive\\s+(?:me|us)\\s+a\\s+break\\b|^(?:oh|ah|aw|awww*),?\\s+(?:please|plz|puh-?lease)\\s*[.!]*$|"
     "^tell\\s+me\\s+about\\s+it\\b|^call\\s+me\\s+(?:crazy|old[- ]fashioned|cynical|a\\s+cynic|paranoid|"
     "naive|skeptical|a\\s+skeptic|silly|stupid)\\b|\\bdon'?t\\s+get\\s+me\\s+(?:started|wrong)\\b|"
     "\\btake\\s+(?:it|that)\\s+from\\s+me\\b|\\btake\\s+my\\s+word\\s+for\\s+it\\b|\\bgo\\s+figure\\b|"
     "\\bmark\\s+my\\s+words\\b|^come\\s+on\\s*[,.!?]|\\bknock\\s+yourself\\s+out\\b|\\bget\\s+a\\s+life\\b|"
     "^get\\s+(?:real|over\\s+it)\\b|\\bbite\\s+me\\b", NULL},
    {"no-reply-needed", -0.9, "no need|not necessary|no reply|no response|no action",
     "\\bno\\s+(?:need\\s+to\\s+(?:reply|respond|answer)|reply\\s+(?:needed|necessary|required)|"
     "response\\s+(?:needed|necessary|required)|action\\s+(?:needed|required))\\b|"
     "\\b(?:reply|response)\\s+(?:is\\s+)?not\\s+(?:necessary|needed|required)\\b", NULL},
    {"code", -0.9, "", NULL, looks_like_code},
    {"reported-question", -0.85, "?", NULL, reported_question},
    {"fyi", -0.6, "fyi|information|reference|records",
     "^(?:fyi|for\\s+your\\s+(?:information|reference|records))\\b", NULL},
};

const size_t tw_n_cues = G_N_ELEMENTS(tw_cues);
G_STATIC_ASSERT(G_N_ELEMENTS(tw_cues) <= TW_MAX_CUES);
