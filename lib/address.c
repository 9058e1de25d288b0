/* address.c - address normalisation. */
#include "address.h"

#include <glib.h>
#include <string.h>

char *
tw_address_normalise(const char *addr, const char *delims)
{
    const char *start, *end, *lt;
    char *out, *at;

    if (addr == NULL)
        return NULL;
    /* "Name <addr>" -> addr */
    lt = strrchr(addr, '<');
    if (lt != NULL && strchr(lt, '>') != NULL) {
        start = lt + 1;
        end = strchr(lt, '>');
    } else {
        start = addr;
        end = addr + strlen(addr);
    }
    while (start < end && g_ascii_isspace(*start))
        start++;
    while (end > start && (g_ascii_isspace(end[-1]) || end[-1] == '.'))
        end--;
    if (start == end)
        return NULL;
    for (const char *p = start; p < end; p++)
        if (*p == '\r' || *p == '\n' || *p == ' ' || *p == '\t' || *p == '\0')
            return NULL;

    out = g_ascii_strdown(start, end - start);
    at = strrchr(out, '@');
    if (at == NULL || at == out || at[1] == '\0') {
        /* A bare local name (MAILER-DAEMON, root) is still a sender. */
        if (at != NULL) {
            g_free(out);
            return NULL;
        }
        return out;
    }
    if (delims != NULL && *delims != '\0') {
        size_t cut = strcspn(out, delims);
        if (cut > 0 && out + cut < at)
            memmove(out + cut, at, strlen(at) + 1);
    }
    return out;
}

const char *
tw_address_domain(const char *addr)
{
    const char *at = addr ? strrchr(addr, '@') : NULL;

    return at ? at + 1 : "";
}
