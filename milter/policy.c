/* policy.c - the one table from a failure to the MTA's reply.
 *
 * Content that cannot be judged is accepted untagged; a failure of the
 * machinery (database locked past its timeout, unwritable, out of
 * memory) follows OnError: accept (the default: a tag is never worth a
 * lost or delayed mail) or tempfail (the MTA retries later).
 */
#include "milter.h"

#include <arpa/inet.h>
#include <string.h>

sfsistat
tw_policy_reply(tw_status_t status, const tw_config_t *cfg)
{
    if (status == TW_OK || !tw_status_is_infrastructure(status))
        return SMFIS_ACCEPT;
    return cfg->on_error == TW_ON_ERROR_TEMPFAIL ? SMFIS_TEMPFAIL : SMFIS_ACCEPT;
}

const char *
tw_policy_name(sfsistat reply)
{
    switch (reply) {
    case SMFIS_ACCEPT: return "accept";
    case SMFIS_TEMPFAIL: return "tempfail";
    case SMFIS_CONTINUE: return "continue";
    case SMFIS_REJECT: return "reject";
    default: return "other";
    }
}

/* Does addr fall in "net/bits" (or equal a bare address)? */
static bool
in_range(const char *range, const unsigned char *addr, int family)
{
    char net[INET6_ADDRSTRLEN + 8];
    unsigned char bytes[16];
    int bits, len = family == AF_INET ? 4 : 16;
    char *slash;

    g_strlcpy(net, range, sizeof net);
    slash = strchr(net, '/');
    bits = len * 8;
    if (slash != NULL) {
        *slash = '\0';
        bits = atoi(slash + 1);
        if (bits < 0 || bits > len * 8)
            return false;
    }
    if (inet_pton(family, net, bytes) != 1)
        return false;
    for (int i = 0; i < len && bits > 0; i++, bits -= 8) {
        unsigned char mask = bits >= 8 ? 0xff : (unsigned char)(0xff << (8 - bits));
        if ((bytes[i] & mask) != (addr[i] & mask))
            return false;
    }
    return true;
}

bool
tw_internal_host(const tw_config_t *cfg, const char *text)
{
    static const char *const loopback[] = {"127.0.0.0/8", "::1"};
    unsigned char addr[16];
    int family;

    if (text == NULL)
        return false;
    if (text[0] == '[') { /* "[192.0.2.1]" as some MTAs write it */
        char bare[INET6_ADDRSTRLEN];
        g_strlcpy(bare, text + 1, sizeof bare);
        char *close = strchr(bare, ']');
        if (close)
            *close = '\0';
        return tw_internal_host(cfg, bare);
    }
    if (g_str_has_prefix(text, "IPv6:"))
        text += 5;
    family = strchr(text, ':') ? AF_INET6 : AF_INET;
    if (inet_pton(family, text, addr) != 1)
        return false;
    if (cfg->internal_hosts->len == 0) {
        for (size_t i = 0; i < G_N_ELEMENTS(loopback); i++)
            if (in_range(loopback[i], addr, family))
                return true;
        return false;
    }
    for (guint i = 0; i < cfg->internal_hosts->len; i++)
        if (in_range(cfg->internal_hosts->pdata[i], addr, family))
            return true;
    return false;
}
