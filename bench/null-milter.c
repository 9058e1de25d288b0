/* null-milter.c - a libmilter milter that does nothing, for
 * bench/milter.sh: the floor of what any libmilter milter costs the MTA.
 *
 * It agrees to the same steps as twoway-milter (every one but DATA and
 * unknown commands, no reply wherever the MTA allows), receives the
 * same headers and body, and accepts every message unchanged.
 *
 * usage: null-milter SOCKET      (e.g. unix:/tmp/null.sock) */
#include <libmilter/mfapi.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#define NO_REPLY                                                               \
    (SMFIP_NR_CONN | SMFIP_NR_HELO | SMFIP_NR_MAIL | SMFIP_NR_RCPT | SMFIP_NR_HDR | \
     SMFIP_NR_EOH | SMFIP_NR_BODY)

static sfsistat
negotiate(SMFICTX *ctx, unsigned long f0, unsigned long f1, unsigned long f2, unsigned long f3,
          unsigned long *pf0, unsigned long *pf1, unsigned long *pf2, unsigned long *pf3)
{
    (void)ctx, (void)f0, (void)f2, (void)f3;
    *pf0 = 0;
    *pf1 = f1 & (NO_REPLY | SMFIP_NODATA | SMFIP_NOUNKNOWN);
    *pf2 = 0;
    *pf3 = 0;
    return SMFIS_CONTINUE;
}

static sfsistat
on_connect(SMFICTX *ctx, char *host, _SOCK_ADDR *addr)
{
    (void)ctx, (void)host, (void)addr;
    return SMFIS_NOREPLY;
}

static sfsistat
on_argv(SMFICTX *ctx, char **argv)
{
    (void)ctx, (void)argv;
    return SMFIS_NOREPLY;
}

static sfsistat
on_header(SMFICTX *ctx, char *name, char *value)
{
    (void)ctx, (void)name, (void)value;
    return SMFIS_NOREPLY;
}

static sfsistat
on_step(SMFICTX *ctx)
{
    (void)ctx;
    return SMFIS_NOREPLY;
}

static sfsistat
on_body(SMFICTX *ctx, unsigned char *chunk, size_t len)
{
    (void)ctx, (void)chunk, (void)len;
    return SMFIS_NOREPLY;
}

static sfsistat
on_eom(SMFICTX *ctx)
{
    (void)ctx;
    return SMFIS_CONTINUE;
}

static sfsistat
on_helo(SMFICTX *ctx, char *helo)
{
    (void)ctx, (void)helo;
    return SMFIS_NOREPLY;
}

int
main(int argc, char **argv)
{
    struct smfiDesc desc = {
        .xxfi_name = "null",
        .xxfi_version = SMFI_VERSION,
        .xxfi_flags = 0,
        .xxfi_connect = on_connect,
        .xxfi_helo = on_helo,
        .xxfi_envfrom = on_argv,
        .xxfi_envrcpt = on_argv,
        .xxfi_header = on_header,
        .xxfi_eoh = on_step,
        .xxfi_body = on_body,
        .xxfi_eom = on_eom,
        .xxfi_negotiate = negotiate,
    };

    if (argc != 2) {
        fprintf(stderr, "usage: null-milter SOCKET\n");
        return 2;
    }
    umask(0); /* the MTA runs as another user: its socket is for all */
    if (smfi_setconn(argv[1]) == MI_FAILURE || smfi_register(desc) == MI_FAILURE)
        return 1;
    return smfi_main() == MI_SUCCESS ? 0 : 1;
}
