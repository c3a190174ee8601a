/*
 * mugai quarantine open - a quarantined password-protected archive
 * opened, sanitized and delivered (lib/ppap/ppap.h does the work)
 *
 *   mugai quarantine open ID --part N [-o FILE] < password
 *
 * The password is one line of standard input, never an argument: from a
 * terminal it is read without echo. The caller is checked as release
 * checks it: the store's top directory is opened, a root caller becomes
 * the store's owner before anything inside is touched, and audit.log must
 * open for writing. -o FILE is created (never overwritten) before that,
 * as extract's is. The helpers start after the change of user. On
 * success the sanitized message goes to -o FILE, or to the original
 * envelope recipients through submit_command (mugai_ppap_deliver(), the
 * delivery the portal and the milter's automatic pick share), with a
 * "delivered" line in audit.log. The message carries no release token:
 * the milter sanitizes it again, which keeps its text and rewrites only
 * X-Mugai-Sanitized.
 * Exit status: 0 opened (and delivered), 1 a wrong password, the rate
 * limit or any failure, 2 usage, configuration or an invalid ID.
 */
#include "autoconfig.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <termios.h>
#include <unistd.h>

#include <glib.h>
#include <json-glib/json-glib.h>

#include "base/io.h"
#include "cli/common.h"
#include "cli/quarantine-cli.h"
#include "core/config.h"
#include "extract/client.h"
#include "ppap/ppap.h"
#include "store/quarantine.h"

#define CMD "open"
#define PFX "mugai quarantine open: "

/*
 * Reads one line of password from standard input into buf (at most
 * MUGAI_UNLOCK_PASS_MAX bytes, the line end dropped), without echo on a
 * terminal. Returns its length, or -1 after saying why.
 */
static gssize
read_password(char *buf, gsize max)
{
	struct termios old, quiet;
	gboolean tty = isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO,
	    &old) == 0;
	gsize n = 0;
	gboolean eol = FALSE, over = FALSE;

	if (tty) {
		fputs("パスワード / Password: ", stderr);
		fflush(stderr);
		quiet = old;
		quiet.c_lflag &= ~(tcflag_t)(ECHO | ECHONL);
		(void)tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
	}
	/* One byte at a time: nothing past the line is taken from a pipe. */
	while (!eol) {
		char c;
		ssize_t r = read(STDIN_FILENO, &c, 1);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		if (c == '\n')
			eol = TRUE;
		else if (n < max)
			buf[n++] = c;
		else
			over = TRUE;
	}
	if (tty) {
		(void)tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
		fputc('\n', stderr);
	}
	if (n > 0 && buf[n - 1] == '\r')
		n--;
	if (over || n == 0) {
		fprintf(stderr, PFX "%s\n", over ? "the password is longer "
		    "than the helper takes" : "no password on standard input");
		return -1;
	}
	return (gssize)n;
}

/*
 * Submits r's message to the original envelope recipients through
 * submit_command, with the "delivered" line (lib/ppap's one delivery,
 * shared with the portal and the milter); 0 or 1.
 */
static int
submit(struct mugai_quarantine *q, const struct mugai_config *cf,
    const struct mugai_ppap_result *r, const char *actor)
{
	GPtrArray *rcpts = g_ptr_array_new_with_free_func(g_free);
	g_autofree char *why = NULL;
	const char *refused = NULL;
	gboolean ok;

	for (char **p = r->po_rcpts; p != NULL && *p != NULL; p++) {
		char *c = mugai_cli_clean_rcpt(*p);

		if (c == NULL) {
			/* None at all, then: delivered to everyone or no one. */
			refused = "refusing a recipient of the original "
			    "envelope";
			g_ptr_array_set_size(rcpts, 0);
			break;
		}
		g_ptr_array_add(rcpts, c);
	}
	if (refused == NULL && rcpts->len == 0)
		refused = "the original has no envelope recipients; use -o FILE";
	g_ptr_array_add(rcpts, NULL);
	ok = mugai_ppap_deliver(q, cf, r, (const char *const *)rcpts->pdata,
	    actor, "mugai quarantine open", &why);
	if (!ok) {
		fputs(PFX, stderr);
		mugai_cli_put_text(stderr, refused != NULL ? refused : why, 0);
		fputc('\n', stderr);
	}
	g_ptr_array_free(rcpts, TRUE);
	return ok ? 0 : 1;
}

/* What the library said, for a person. 0 when opened. */
static int
say(const char *id, const char *part, const struct mugai_ppap_result *r)
{
	switch (r->po_status) {
	case MUGAI_PPAP_OPENED:
		return 0;
	case MUGAI_PPAP_WRONG_PASSWORD:
		fprintf(stderr, PFX "パスワードが違います / wrong password "
		    "(%u more tr%s in 10 minutes)\n", r->po_tries_left,
		    r->po_tries_left == 1 ? "y" : "ies");
		break;
	case MUGAI_PPAP_RATE_LIMITED:
		fprintf(stderr, PFX "%s: too many wrong passwords; try again "
		    "in 10 minutes\n", id);
		break;
	case MUGAI_PPAP_NO_PART:
		fprintf(stderr, PFX "%s: no leaf MIME part %s (see `mugai "
		    "quarantine show`)\n", id, part);
		break;
	default:
		fprintf(stderr, PFX "%s part %s: %s", id, part,
		    mugai_ppap_status_name(r->po_status));
		if (r->po_reason != NULL) {
			fputs(" (", stderr);
			mugai_cli_put_text(stderr, r->po_reason, 0);
			fputc(')', stderr);
		}
		fputc('\n', stderr);
	}
	return 1;
}

/* Runs the open once the store is ours; 0, 1. */
static int
do_open(struct mugai_quarantine *q, const struct mugai_config *cf,
    const char *id, const char *part, const char *helper, const char *pass,
    gsize pass_len, int out, const char *output, const char *actor)
{
	struct mugai_ppap_req rq;
	struct mugai_ppap_result r;
	enum mugai_err err;
	int rc;

	memset(&rq, 0, sizeof rq);
	rq.pr_cf = cf;
	rq.pr_q = q;
	rq.pr_helper = helper;
	rq.pr_id = id;
	rq.pr_part = part;
	rq.pr_pass = pass;
	rq.pr_pass_len = pass_len;
	rq.pr_actor = actor;
	err = mugai_ppap_open(&rq, &r);
	if (err != MUGAI_OK) {
		fprintf(stderr, PFX "%s: %s\n", id, err == MUGAI_E_NOTFOUND ?
		    "no such item" : err == MUGAI_E_PARSE ? "meta.json or "
		    "original.eml is not what the store wrote" :
		    mugai_err_str(err));
		mugai_ppap_result_clear(&r);
		return 1;
	}
	if ((rc = say(id, part, &r)) == 0) {
		gsize len;
		const guint8 *d = g_bytes_get_data(r.po_message, &len);

		if (out >= 0) {
			if (!mugai_write_all(out, d, len) || fsync(out) != 0) {
				fprintf(stderr, PFX "%s: %s\n", output,
				    g_strerror(errno));
				rc = 1;
			}
		} else
			rc = submit(q, cf, &r, actor);
		if (rc == 0)
			printf("opened %s part %s: %u entr%s, stored as %s, "
			    "%s %s\n", id, part, r.po_entries,
			    r.po_entries == 1 ? "y" : "ies", r.po_new_id,
			    out >= 0 ? "written to" : "sent to the recipients",
			    out >= 0 ? output : "");
	}
	mugai_ppap_result_clear(&r);
	return rc;
}

int
mugai_cli_quarantine_open(struct mugai_cli_qopts *qo, int argc, char **argv)
{
	g_autofree char *part = NULL, *output = NULL, *helper = NULL;
	GOptionEntry own[] = {
		{ "part", 0, 0, G_OPTION_ARG_STRING, &part,
		  "the MIME part holding the archive, as `show` numbers it",
		  "N" },
		{ "output", 'o', 0, G_OPTION_ARG_FILENAME, &output,
		  "write the sanitized message to FILE (a new file) instead "
		  "of sending it", "FILE" },
		{ "helper", 0, 0, G_OPTION_ARG_FILENAME, &helper,
		  "the mugai-extract program (default: the installed one)",
		  "PATH" },
		{ NULL, 0, 0, 0, NULL, NULL, NULL }
	};
	g_autofree char *actor = mugai_cli_actor();
	struct mugai_quarantine *q = NULL;
	struct mugai_config *cf;
	char *pass = NULL;
	const char *id, *dir;
	gssize pass_len = -1;
	int rc = 1, top = -1, out = -1;

	if (!mugai_cli_qparse(CMD, "ID --part N - open a password-protected "
	    "archive (password on standard input)", own, qo, &argc, &argv) ||
	    (id = mugai_cli_one_id(CMD, argc, argv)) == NULL ||
	    !mugai_cli_check_id(CMD, id))
		return 2;
	if (part == NULL || *part == '\0' || strspn(part, "0123456789.") !=
	    strlen(part)) {
		fprintf(stderr, PFX "--part is a MIME part number such as 2 "
		    "or 1.2\n");
		return 2;
	}
	if ((cf = mugai_cli_qresolve(qo, &dir)) == NULL)
		return 2;
	/* Kept out of swap and core dumps, wiped before it is freed. */
	pass = g_malloc(MUGAI_UNLOCK_PASS_MAX);
	(void)mlock(pass, MUGAI_UNLOCK_PASS_MAX);
	(void)madvise(pass, MUGAI_UNLOCK_PASS_MAX, MADV_DONTDUMP);
	if ((pass_len = read_password(pass, MUGAI_UNLOCK_PASS_MAX)) < 0)
		goto out;
	if (output != NULL && (out = open(output, O_WRONLY | O_CREAT |
	    O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600)) < 0) {
		fprintf(stderr, PFX "%s: %s\n", output, g_strerror(errno));
		goto out;
	}
	if ((top = mugai_cli_qtop(CMD, dir, NULL)) < 0 ||
	    !mugai_cli_qdrop(CMD, top) ||
	    (q = mugai_cli_open_store(CMD, top, dir, cf)) == NULL)
		goto out;
	rc = do_open(q, cf, id, part, helper, pass, (gsize)pass_len, out,
	    output, actor);
out:
	explicit_bzero(pass, MUGAI_UNLOCK_PASS_MAX);
	(void)munlock(pass, MUGAI_UNLOCK_PASS_MAX);
	g_free(pass);
	if (out >= 0) {
		close(out);
		/* No partial or empty result stays behind. */
		if (rc != 0)
			(void)unlink(output);
	}
	if (top >= 0)
		close(top);
	mugai_quarantine_close(q);
	mugai_config_unref(cf);
	return rc;
}
