/*
 * null-milter - the cheapest milter that sees the whole message
 *
 * A yardstick for contrib/bench/e2e-bench, not part of mugai: it
 * negotiates what mugai-milter negotiates (no reply for connect, HELO,
 * MAIL, RCPT, headers, end of headers and body chunks; no DATA or unknown
 * steps), takes every body chunk, and at the end of the message continues
 * without looking at anything. What Postfix + null-milter reaches is the
 * ceiling for any content filter behind the milter protocol on the
 * machine: the MTA's own milter work (queue file re-read, body sent in
 * chunks, the end-of-message reply waited for) without any filtering.
 *
 * It needs no TCP_NODELAY (mugai-milter sets it): it writes one reply per
 * message, so Nagle's algorithm never holds a second small write back.
 *
 * usage: null-milter SOCKET     (e.g. inet:PORT@127.0.0.1)
 * Runs in the foreground until SIGTERM or SIGINT.
 */
#include "autoconfig.h"

#include <stdio.h>
#include <stdlib.h>

#include <libmilter/mfapi.h>

#define NULL_NR (SMFIP_NR_CONN | SMFIP_NR_HELO | SMFIP_NR_MAIL | \
    SMFIP_NR_RCPT | SMFIP_NR_HDR | SMFIP_NR_EOH | SMFIP_NR_BODY)
#define NULL_STEPS (SMFIP_NODATA | SMFIP_NOUNKNOWN)

static sfsistat
nm_negotiate(SMFICTX *ctx, unsigned long f0, unsigned long f1,
    unsigned long f2, unsigned long f3, unsigned long *pf0,
    unsigned long *pf1, unsigned long *pf2, unsigned long *pf3)
{
	(void)ctx;
	(void)f0;
	(void)f2;
	(void)f3;
	/* The same actions as mugai-milter, so Postfix treats both alike. */
	*pf0 = f0 & (SMFIF_CHGBODY | SMFIF_CHGHDRS | SMFIF_ADDHDRS);
	*pf1 = f1 & (NULL_NR | NULL_STEPS);
	*pf2 = *pf3 = 0;
	return SMFIS_CONTINUE;
}

static sfsistat
nm_noreply(SMFICTX *ctx)
{
	(void)ctx;
	return SMFIS_NOREPLY;
}

static sfsistat
nm_connect(SMFICTX *ctx, char *host, _SOCK_ADDR *addr)
{
	(void)host;
	(void)addr;
	return nm_noreply(ctx);
}

static sfsistat
nm_args(SMFICTX *ctx, char **argv)
{
	(void)argv;
	return nm_noreply(ctx);
}

static sfsistat
nm_helo(SMFICTX *ctx, char *name)
{
	(void)name;
	return nm_noreply(ctx);
}

static sfsistat
nm_header(SMFICTX *ctx, char *name, char *value)
{
	(void)name;
	(void)value;
	return nm_noreply(ctx);
}

static sfsistat
nm_body(SMFICTX *ctx, unsigned char *data, size_t len)
{
	(void)data;
	(void)len;
	return nm_noreply(ctx);
}

static sfsistat
nm_continue(SMFICTX *ctx)
{
	(void)ctx;
	return SMFIS_CONTINUE;
}

static struct smfiDesc desc = {
	.xxfi_name = (char *)"null-milter",
	.xxfi_version = SMFI_VERSION,
	.xxfi_flags = SMFIF_CHGBODY | SMFIF_CHGHDRS | SMFIF_ADDHDRS,
	.xxfi_connect = nm_connect,
	.xxfi_helo = nm_helo,
	.xxfi_envfrom = nm_args,
	.xxfi_envrcpt = nm_args,
	.xxfi_header = nm_header,
	.xxfi_eoh = nm_noreply,
	.xxfi_body = nm_body,
	.xxfi_eom = nm_continue,
	.xxfi_abort = nm_continue,
	.xxfi_close = nm_continue,
	.xxfi_negotiate = nm_negotiate,
};

int
main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: null-milter SOCKET\n");
		return 2;
	}
	if (smfi_setconn(argv[1]) == MI_FAILURE ||
	    smfi_register(desc) == MI_FAILURE ||
	    smfi_opensocket(1) == MI_FAILURE) {
		fprintf(stderr, "null-milter: cannot listen on %s\n", argv[1]);
		return 1;
	}
	return smfi_main() == MI_SUCCESS ? 0 : 1;
}
