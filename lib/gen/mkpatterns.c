/* mkpatterns.c - compiles the cue table's patterns at build time and
 * writes them, serialised by PCRE2, as C (lib/patterns.h says why).
 *
 * usage: mkpatterns > cues-compiled.c */
#include <stdio.h>
#include <stdlib.h>

#include "cues.h"
#include "patterns.h"

/* the C string literal of s */
static void
put_string(const char *s)
{
    putchar('"');
    for (; *s; s++) {
        if (*s == '"' || *s == '\\')
            printf("\\%c", *s);
        else if ((unsigned char)*s < 0x20 || (unsigned char)*s >= 0x7f)
            printf("\\%03o", (unsigned char)*s);
        else
            putchar(*s);
    }
    putchar('"');
}

int
main(void)
{
    printf("/* cues-compiled.c - made by lib/gen/mkpatterns from lib/cues.c:"
           " do not edit. */\n#include \"patterns.h\"\n\n");
    for (size_t i = 0; i < tw_n_cues; i++) {
        const char *src = tw_cues[i].pattern;
        uint8_t *bytes;
        PCRE2_SIZE size;
        pcre2_code *re;

        if (src == NULL)
            continue;
        if ((re = tw_pattern_compile(src)) == NULL) {
            fprintf(stderr, "mkpatterns: the pattern of cue %s does not compile\n",
                    tw_cues[i].name);
            return 1;
        }
        if (pcre2_serialize_encode((const pcre2_code **)&re, 1, &bytes, &size, NULL) != 1) {
            fprintf(stderr, "mkpatterns: cannot serialise the pattern of cue %s\n",
                    tw_cues[i].name);
            return 1;
        }
        /* aligned: PCRE2 reads the stored header in place */
        printf("static const unsigned char cue%zu[] __attribute__((aligned(16))) = {", i);
        for (PCRE2_SIZE k = 0; k < size; k++)
            printf("%s%u,", k % 24 ? "" : "\n   ", bytes[k]);
        printf("\n};\n");
        pcre2_serialize_free(bytes);
        pcre2_code_free(re);
    }
    printf("\nconst tw_compiled_pattern_t tw_compiled_cues[] = {\n");
    for (size_t i = 0; i < tw_n_cues; i++) {
        if (tw_cues[i].pattern == NULL) {
            printf("    {NULL, NULL, 0},\n");
            continue;
        }
        printf("    {");
        put_string(tw_cues[i].pattern);
        printf(", cue%zu, sizeof cue%zu},\n", i, i);
    }
    printf("};\nconst size_t tw_n_compiled_cues = %zu;\n", tw_n_cues);
    return ferror(stdout) || fflush(stdout) != 0;
}
