/*
 * mugai_extract - the pool of mugai-extract helpers and one request's
 * round trip (client.h)
 *
 * A helper is a process started with posix_spawn() (safe in a threaded
 * milter: no fork of our address space) on one end of a socketpair,
 * which is its descriptors 0 and 1; its standard error is /dev/null
 * unless eo_stderr. It starts with an empty signal mask and default
 * signal actions and the environment PATH=/usr/bin:/bin (plus the
 * sanitizers' options when set), whatever the milter has.
 *
 * One request: the document goes into a memfd, sealed against writes
 * and size changes, which is passed with the request line in one
 * sendmsg(); the answer is read with poll() until the deadline, at most
 * MUGAI_EXTRACT_LINE_MAX + 4 * max_chars bytes; then the helper must
 * exit 0. Every way this can go wrong ends in kill(SIGKILL) and
 * waitpid() of that helper, and a status: a helper that was dead before
 * it got the request (a stale waiting one) is replaced once.
 *
 * Time is the monotonic clock's (g_get_monotonic_time()), whatever clock
 * lib/base/deadline.h runs on: a test's frozen clock must not make a wait
 * endless. The lock guards the idle list and the busy count; a request
 * itself runs unlocked. Spawning happens under the lock (posix_spawn() returns
 * once the child has exec'd, well under a millisecond).
 */
#include "autoconfig.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/deadline.h"
#include "base/io.h"
#include "extract/client.h"
#include "extract/client_int.h"

#ifndef MUGAI_LIBEXECDIR
#define MUGAI_LIBEXECDIR "/usr/local/libexec/mugai"
#endif
#define HELPER_DEFAULT MUGAI_LIBEXECDIR "/mugai-extract"

#ifndef MFD_ALLOW_SEALING
#define MFD_ALLOW_SEALING 0x0002U
#endif
#ifndef F_ADD_SEALS
#define F_ADD_SEALS	1033
#define F_SEAL_SEAL	0x0001
#define F_SEAL_SHRINK	0x0002
#define F_SEAL_GROW	0x0004
#define F_SEAL_WRITE	0x0008
#endif

extern char **environ;

struct helper {
	pid_t h_pid;
	int h_fd;
};

struct mugai_extract_pool {
	GMutex ep_lock;
	GCond ep_cond;
	GArray *ep_idle;		/* struct helper, waiting */
	guint ep_busy;			/* helpers handed out */
	guint ep_size;
	guint ep_max;
	struct mugai_extract_limits ep_lim;
	gboolean ep_stderr;
	char *ep_path;
	char **ep_argv;
	char **ep_envp;
};

void
mugai_extract_opts_init(struct mugai_extract_opts *o)
{
	memset(o, 0, sizeof *o);
	o->eo_pool_size = 2;
	o->eo_max_helpers = 8;
	o->eo_url_mode = MUGAI_URL_KEEP;
	o->eo_limits.el_max_bytes = MUGAI_EXTRACT_DEF_MAX_BYTES;
	o->eo_limits.el_max_chars = MUGAI_EXTRACT_DEF_MAX_CHARS;
	o->eo_limits.el_max_pages = MUGAI_EXTRACT_DEF_MAX_PAGES;
	o->eo_limits.el_max_expanded = MUGAI_EXTRACT_DEF_MAX_EXPANDED;
	o->eo_limits.el_max_time_ms = MUGAI_EXTRACT_DEF_MAX_TIME_MS;
	o->eo_limits.el_max_memory = MUGAI_EXTRACT_DEF_MAX_MEMORY;
}

/* ------------------------------------------------------------ helpers */

static char **
helper_argv(const struct mugai_extract_opts *o, const char *path)
{
	static const char *const modes[] = { "keep", "defang", "remove" };
	const struct mugai_extract_limits *l = &o->eo_limits;
	GPtrArray *a = g_ptr_array_new();

	g_ptr_array_add(a, g_strdup(path));
	g_ptr_array_add(a, g_strdup("--socket"));
	g_ptr_array_add(a, g_strdup_printf("--max-bytes=%" G_GUINT64_FORMAT,
	    l->el_max_bytes));
	g_ptr_array_add(a, g_strdup_printf("--max-chars=%" G_GUINT64_FORMAT,
	    l->el_max_chars));
	g_ptr_array_add(a, g_strdup_printf("--max-pages=%" G_GUINT64_FORMAT,
	    l->el_max_pages));
	g_ptr_array_add(a, g_strdup_printf("--max-expanded=%" G_GUINT64_FORMAT,
	    l->el_max_expanded));
	g_ptr_array_add(a, g_strdup_printf("--max-time=%" G_GINT64_FORMAT,
	    l->el_max_time_ms));
	g_ptr_array_add(a, g_strdup_printf("--max-memory=%" G_GUINT64_FORMAT,
	    l->el_max_memory));
	g_ptr_array_add(a, g_strdup_printf("--url-mode=%s",
	    modes[CLAMP((int)o->eo_url_mode, 0, 2)]));
	if (o->eo_user != NULL)
		g_ptr_array_add(a, g_strdup_printf("--user=%s", o->eo_user));
	for (const char *const *x = o->eo_extra_args; x != NULL && *x != NULL;
	    x++)
		g_ptr_array_add(a, g_strdup(*x));
	g_ptr_array_add(a, NULL);
	return (char **)g_ptr_array_free(a, FALSE);
}

static char **
helper_envp(void)
{
	static const char *const pass[] = { "ASAN_OPTIONS", "UBSAN_OPTIONS",
	    "LSAN_OPTIONS" };
	GPtrArray *e = g_ptr_array_new();

	g_ptr_array_add(e, g_strdup("PATH=/usr/bin:/bin"));
	for (gsize i = 0; i < G_N_ELEMENTS(pass); i++) {
		const char *v = g_getenv(pass[i]);

		if (v != NULL)
			g_ptr_array_add(e, g_strdup_printf("%s=%s", pass[i],
			    v));
	}
	g_ptr_array_add(e, NULL);
	return (char **)g_ptr_array_free(e, FALSE);
}

/* Starts a helper; FALSE when it could not be. */
static gboolean
spawn(struct mugai_extract_pool *p, struct helper *h)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	sigset_t none, all;
	int sv[2], rc;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0)
		return FALSE;
	sigemptyset(&none);
	sigfillset(&all);
	sigdelset(&all, SIGKILL);
	sigdelset(&all, SIGSTOP);
	posix_spawn_file_actions_init(&fa);
	posix_spawnattr_init(&attr);
	posix_spawn_file_actions_adddup2(&fa, sv[1], 0);
	posix_spawn_file_actions_adddup2(&fa, sv[1], 1);
	if (!p->ep_stderr)
		posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY,
		    0);
	posix_spawnattr_setsigmask(&attr, &none);
	posix_spawnattr_setsigdefault(&attr, &all);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK |
	    POSIX_SPAWN_SETSIGDEF);
	rc = posix_spawn(&h->h_pid, p->ep_path, &fa, &attr, p->ep_argv,
	    p->ep_envp);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
	close(sv[1]);
	if (rc != 0) {
		close(sv[0]);
		return FALSE;
	}
	h->h_fd = sv[0];
	return TRUE;
}

/* Reaps a helper without waiting; TRUE (and *status) when it is gone. */
static gboolean
reaped(pid_t pid, int *status)
{
	pid_t r;

	while ((r = waitpid(pid, status, WNOHANG)) < 0 && errno == EINTR)
		;
	if (r < 0 && errno == ECHILD) {
		*status = 0;	/* reaped by someone else: unknown */
		return TRUE;
	}
	return r == pid;
}

/* Ends a helper for good: closes, kills, reaps. */
static void
discard(struct helper *h)
{
	int st;

	if (h->h_fd >= 0)
		close(h->h_fd);
	h->h_fd = -1;
	if (h->h_pid > 0) {
		(void)kill(h->h_pid, SIGKILL);
		while (waitpid(h->h_pid, &st, 0) < 0 && errno == EINTR)
			;
	}
	h->h_pid = 0;
}

/* Under the lock: starts helpers until size are waiting. */
static void
refill(struct mugai_extract_pool *p)
{
	while (p->ep_idle->len < p->ep_size) {
		struct helper h;

		if (!spawn(p, &h))
			break;
		g_array_append_val(p->ep_idle, h);
	}
}

/* A helper for one request: a waiting one that is still alive, else a
 * new one. 0, or -1 (could not start one), or -2 (until passed while
 * every helper was busy). */
static int
acquire(struct mugai_extract_pool *p, gint64 until, struct helper *out)
{
	int rc = 0, st;

	g_mutex_lock(&p->ep_lock);
	while (p->ep_busy >= p->ep_max)
		if (!g_cond_wait_until(&p->ep_cond, &p->ep_lock, until) &&
		    p->ep_busy >= p->ep_max) {
			g_mutex_unlock(&p->ep_lock);
			return -2;
		}
	p->ep_busy++;
	out->h_pid = 0;
	while (p->ep_idle->len > 0) {
		*out = g_array_index(p->ep_idle, struct helper,
		    p->ep_idle->len - 1);
		g_array_set_size(p->ep_idle, p->ep_idle->len - 1);
		if (!reaped(out->h_pid, &st))
			break;
		close(out->h_fd);	/* died waiting */
		out->h_pid = 0;
	}
	if (out->h_pid == 0 && !spawn(p, out)) {
		p->ep_busy--;
		g_cond_signal(&p->ep_cond);
		rc = -1;
	}
	g_mutex_unlock(&p->ep_lock);
	return rc;
}

static void
release(struct mugai_extract_pool *p)
{
	g_mutex_lock(&p->ep_lock);
	p->ep_busy--;
	refill(p);
	g_cond_signal(&p->ep_cond);
	g_mutex_unlock(&p->ep_lock);
}

/* ------------------------------------------------------------- a request */

/* Returns a sealed memfd holding data, or -1. */
static int
make_memfd(const void *data, gsize len)
{
	int fd = memfd_create("mugai-extract", MFD_CLOEXEC | MFD_ALLOW_SEALING);

	if (fd < 0)
		return -1;
	if (!mugai_write_all(fd, data, len)) {
		close(fd);
		return -1;
	}
	if (fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE |
	    F_SEAL_SEAL) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Sends line, then extra_len bytes of extra (lent: the unlock password,
 * never copied), with memfd. */
static gboolean
send_line(int sock, int memfd, const char *line, const char *extra,
    gsize extra_len)
{
	union {
		struct cmsghdr h;
		char b[CMSG_SPACE(sizeof(int))];
	} cm;
	struct iovec iov[2] = { { (void *)line, strlen(line) },
	    { (void *)extra, extra_len } };
	gsize total = strlen(line) + extra_len;
	struct msghdr mh;
	struct cmsghdr *c;
	ssize_t n;

	memset(&mh, 0, sizeof mh);
	memset(&cm, 0, sizeof cm);
	mh.msg_iov = iov;
	mh.msg_iovlen = extra_len > 0 ? 2 : 1;
	mh.msg_control = cm.b;
	mh.msg_controllen = sizeof cm.b;
	c = CMSG_FIRSTHDR(&mh);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &memfd, sizeof(int));
	while ((n = sendmsg(sock, &mh, MSG_NOSIGNAL)) < 0 && errno == EINTR)
		;
	/* Line and password are far smaller than a socket buffer: all or
	 * nothing. */
	return n == (ssize_t)total;
}

static gboolean
send_request(int sock, int memfd, const struct mugai_extract_request *rq)
{
	g_autofree char *line = mugai_extract_request_format(rq);

	return send_line(sock, memfd, line, NULL, 0);
}

/* Reads until the end of the stream, max bytes at most, until the
 * deadline. 0: the end came; -1: more than max or an error; -2: time. */
static int
read_answer(int fd, gint64 until, gsize max, GByteArray *buf)
{
	guint8 chunk[65536];

	for (;;) {
		gint64 left = until - g_get_monotonic_time();
		struct pollfd pfd = { fd, POLLIN, 0 };
		ssize_t n;
		int r;

		if (left <= 0)
			return -2;
		r = poll(&pfd, 1, (int)MIN((left + 999) / 1000, G_MAXINT));
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -1;
		if (r == 0)
			continue;	/* loop: left is checked again */
		n = read(fd, chunk, sizeof chunk);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n < 0)
			return -1;
		if (n == 0)
			return 0;
		if (buf->len + (gsize)n > max)
			return -1;
		g_byte_array_append(buf, chunk, (guint)n);
	}
}

static void
set_status(struct mugai_extract_result *out, enum mugai_extract_status st,
    const char *reason)
{
	out->er_status = st;
	mugai_extract_token_copy(out->er_reason, reason);
	g_clear_pointer(&out->er_text, g_free);
	out->er_len = 0;
}

/* Checks and takes the answer in buf. Returns NULL, or why it is not
 * one: "short_answer" (less text than announced), "bad_answer". */
static const char *
take_answer(GByteArray *buf, struct mugai_extract_result *out)
{
	const char *d = (const char *)buf->data;
	const char *nl;
	struct mugai_extract_answer a;
	gsize hl, tl;

	if (buf->len == 0)
		return "bad_answer";
	nl = memchr(d, '\n', MIN(buf->len, (gsize)MUGAI_EXTRACT_LINE_MAX));
	if (nl == NULL)
		return buf->len > 0 && buf->len < MUGAI_EXTRACT_LINE_MAX &&
		    memcmp(d, MUGAI_EXTRACT_MAGIC, MIN(buf->len,
		    strlen(MUGAI_EXTRACT_MAGIC))) == 0 ? "short_answer" :
		    "bad_answer";
	if (!mugai_extract_answer_parse(d, (gsize)(nl - d) + 1, &a))
		return "bad_answer";
	hl = (gsize)(nl - d) + 1;
	tl = buf->len - hl;
	if (a.ea_length > tl)
		return "short_answer";
	if (a.ea_status > MUGAI_EXTRACT_UNSUPPORTED || a.ea_length != tl)
		return "bad_answer";
	if (a.ea_status != MUGAI_EXTRACT_OK &&
	    a.ea_status != MUGAI_EXTRACT_TRUNCATED && tl != 0)
		return "bad_answer";
	if (memchr(d + hl, '\0', tl) != NULL ||
	    !g_utf8_validate(d + hl, (gssize)tl, NULL))
		return "bad_answer";
	out->er_status = a.ea_status;
	memcpy(out->er_kind, a.ea_kind, sizeof out->er_kind);
	memcpy(out->er_reason, a.ea_reason, sizeof out->er_reason);
	out->er_pages = a.ea_pages;
	if (a.ea_status == MUGAI_EXTRACT_OK ||
	    a.ea_status == MUGAI_EXTRACT_TRUNCATED) {
		out->er_text = g_strndup(d + hl, tl);
		out->er_len = tl;
	}
	return NULL;
}

/* Why a helper that did not exit 0 ended, as a status and a reason. */
static void
judge_exit(struct mugai_extract_result *out, int status)
{
	char why[MUGAI_EXTRACT_TOKEN_MAX + 1];

	if (WIFSIGNALED(status)) {
		int sig = WTERMSIG(status);

		if (sig == SIGXCPU) {
			set_status(out, MUGAI_EXTRACT_TIMEOUT, "max_cpu");
			return;
		}
		g_snprintf(why, sizeof why, "killed_%s",
		    sig == SIGSYS ? "sigsys" : sig == SIGSEGV ? "sigsegv" :
		    sig == SIGABRT ? "sigabrt" : sig == SIGKILL ? "sigkill" :
		    sig == SIGBUS ? "sigbus" : "signal");
	} else
		g_snprintf(why, sizeof why, "exit_%d", WIFEXITED(status) ?
		    WEXITSTATUS(status) : 255);
	set_status(out, MUGAI_EXTRACT_FAILED, why);
}

/* After the end of the stream: reaps the helper within until. Returns
 * FALSE (and the helper is killed) when it did not end in time. */
static gboolean
await_exit(struct helper *h, gint64 until, int *status)
{
	gulong nap = 100;

	close(h->h_fd);
	h->h_fd = -1;
	while (!reaped(h->h_pid, status)) {
		if (g_get_monotonic_time() >= until) {
			discard(h);
			return FALSE;
		}
		g_usleep(nap);
		nap = MIN(nap * 2, 10000);
	}
	h->h_pid = 0;
	return TRUE;
}

/* One round trip with helper h; FALSE when the request could not even
 * be sent (h is then gone: the caller may try another). */
static gboolean
round_trip(struct mugai_extract_pool *p, struct helper *h, int memfd,
    const struct mugai_extract_request *rq, gint64 until,
    struct mugai_extract_result *out)
{
	g_autoptr(GByteArray) buf = g_byte_array_new();
	gsize max = MUGAI_EXTRACT_LINE_MAX + 4 * p->ep_lim.el_max_chars;
	const char *bad;
	int rc, status = 0;

	if (!send_request(h->h_fd, memfd, rq)) {
		discard(h);
		return FALSE;
	}
	rc = read_answer(h->h_fd, until, max, buf);
	if (rc != 0) {
		discard(h);
		if (rc == -2)
			set_status(out, MUGAI_EXTRACT_TIMEOUT, "max_time");
		else
			set_status(out, MUGAI_EXTRACT_FAILED, "bad_answer");
		return TRUE;
	}
	bad = take_answer(buf, out);
	if (!await_exit(h, until, &status))
		set_status(out, MUGAI_EXTRACT_TIMEOUT, "max_time");
	else if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		judge_exit(out, status);
	else if (bad != NULL)
		set_status(out, MUGAI_EXTRACT_FAILED, bad);
	return TRUE;
}

void
mugai_extract_run(struct mugai_extract_pool *p, const void *data, gsize len,
    const char *hint, gint64 deadline, struct mugai_extract_result *out)
{
	struct mugai_extract_request rq;
	gint64 now = g_get_monotonic_time();
	gint64 until = now + p->ep_lim.el_max_time_ms * 1000;
	struct helper h;
	int memfd, rc;

	memset(out, 0, sizeof *out);
	mugai_extract_token_copy(out->er_kind, NULL);
	/* The caller's deadline is on its clock (a test may replace it);
	 * what is left of it is waited on the monotonic clock. */
	if (deadline != 0)
		until = MIN(until, now + (deadline - mugai_deadline_now()));
	memset(&rq, 0, sizeof rq);
	mugai_extract_token_copy(rq.eq_type,
	    mugai_extract_token_valid(hint) ? hint : "auto");
	rq.eq_size = MIN((guint64)len, p->ep_lim.el_max_bytes);
	rq.eq_cut = (guint64)len > p->ep_lim.el_max_bytes;
	if (now >= until) {
		set_status(out, MUGAI_EXTRACT_TIMEOUT, "max_time");
		return;
	}
	if ((memfd = make_memfd(data, (gsize)rq.eq_size)) < 0) {
		set_status(out, MUGAI_EXTRACT_FAILED, "memfd");
		return;
	}
	for (int attempt = 0; attempt < 2; attempt++) {
		if ((rc = acquire(p, until, &h)) != 0) {
			set_status(out, rc == -2 ? MUGAI_EXTRACT_TIMEOUT :
			    MUGAI_EXTRACT_FAILED, rc == -2 ? "pool_busy" :
			    "spawn");
			break;
		}
		rc = round_trip(p, &h, memfd, &rq, until, out);
		release(p);
		if (rc)
			break;
		set_status(out, MUGAI_EXTRACT_FAILED, "send");
	}
	close(memfd);
}

gint64
mugai_extract_pool_time_ms(const struct mugai_extract_pool *p)
{
	return p->ep_lim.el_max_time_ms;
}

int
mugai_extract_exchange(struct mugai_extract_pool *p, const void *data,
    gsize len, const char *line, const char *extra, gsize extra_len,
    gint64 until, gsize max, GByteArray *buf, int *status, const char **why)
{
	struct helper h;
	int memfd, rc = -1;

	*status = 0;
	*why = "memfd";
	if ((memfd = make_memfd(data, len)) < 0)
		return -1;
	for (int attempt = 0; attempt < 2; attempt++) {
		if ((rc = acquire(p, until, &h)) != 0) {
			*why = rc == -2 ? "pool_busy" : "spawn";
			break;
		}
		if (!send_line(h.h_fd, memfd, line, extra, extra_len)) {
			discard(&h);
			release(p);
			*why = "send";
			rc = -1;
			continue;
		}
		rc = read_answer(h.h_fd, until, max, buf);
		if (rc != 0) {
			discard(&h);
			*why = rc == -2 ? "max_time" : "bad_answer";
		} else if (!await_exit(&h, until, status)) {
			*why = "max_time";
			rc = -2;
		}
		release(p);
		break;
	}
	close(memfd);
	return rc;
}

void
mugai_extract_result_clear(struct mugai_extract_result *r)
{
	g_clear_pointer(&r->er_text, g_free);
	r->er_len = 0;
}

/* --------------------------------------------------------------- the pool */

struct mugai_extract_pool *
mugai_extract_pool_new(const struct mugai_extract_opts *o,
    enum mugai_err *err)
{
	const struct mugai_extract_limits *l = &o->eo_limits;
	const char *path = o->eo_helper != NULL ? o->eo_helper :
	    HELPER_DEFAULT;
	struct mugai_extract_pool *p;

	*err = MUGAI_OK;
	if (access(path, X_OK) != 0 || o->eo_max_helpers == 0 ||
	    l->el_max_bytes == 0 || l->el_max_chars == 0 ||
	    l->el_max_chars > G_MAXSIZE / 8 || l->el_max_pages == 0 ||
	    l->el_max_expanded == 0 || l->el_max_time_ms <= 0) {
		*err = MUGAI_E_CONFIG;
		return NULL;
	}
	p = g_new0(struct mugai_extract_pool, 1);
	g_mutex_init(&p->ep_lock);
	g_cond_init(&p->ep_cond);
	p->ep_idle = g_array_new(FALSE, FALSE, sizeof(struct helper));
	p->ep_size = MIN(o->eo_pool_size, o->eo_max_helpers);
	p->ep_max = o->eo_max_helpers;
	p->ep_lim = *l;
	p->ep_stderr = o->eo_stderr;
	p->ep_path = g_strdup(path);
	p->ep_argv = helper_argv(o, path);
	p->ep_envp = helper_envp();
	g_mutex_lock(&p->ep_lock);
	refill(p);
	g_mutex_unlock(&p->ep_lock);
	if (p->ep_idle->len < p->ep_size) {
		mugai_extract_pool_free(p);
		*err = MUGAI_E_IO;
		return NULL;
	}
	return p;
}

void
mugai_extract_pool_free(struct mugai_extract_pool *p)
{
	if (p == NULL)
		return;
	for (guint i = 0; i < p->ep_idle->len; i++)
		discard(&g_array_index(p->ep_idle, struct helper, i));
	g_array_unref(p->ep_idle);
	g_strfreev(p->ep_argv);
	g_strfreev(p->ep_envp);
	g_free(p->ep_path);
	g_mutex_clear(&p->ep_lock);
	g_cond_clear(&p->ep_cond);
	g_free(p);
}

/* --------------------------------------------------------------- hints */

/* The type hints by Content-Type prefix and by file name extension; a
 * new reader adds its rows here. */
static const struct { const char *type; const char *hint; } hint_types[] = {
	{ "application/pdf", "pdf" },
	{ "application/x-pdf", "pdf" },
	{ "application/vnd.openxmlformats-officedocument."
	  "wordprocessingml.", "docx" },
	{ "application/vnd.ms-word.document.macroenabled", "docx" },
	{ "application/vnd.openxmlformats-officedocument."
	  "spreadsheetml.", "xlsx" },
	{ "application/vnd.ms-excel.sheet.macroenabled", "xlsx" },
	{ "application/vnd.openxmlformats-officedocument."
	  "presentationml.", "pptx" },
	{ "application/vnd.ms-powerpoint.presentation.macroenabled",
	  "pptx" },
	{ "application/vnd.oasis.opendocument.text", "odt" },
	{ "application/vnd.oasis.opendocument.spreadsheet", "ods" },
	{ "application/vnd.oasis.opendocument.presentation", "odp" },
	{ "application/rtf", "rtf" }, { "text/rtf", "rtf" },
	{ "text/richtext", "rtf" },
	{ "text/html", "html" }, { "application/xhtml+xml", "html" },
	{ "text/xml", "xml" }, { "application/xml", "xml" },
	{ "text/csv", "csv" }, { "text/comma-separated-values", "csv" },
	{ "text/calendar", "ics" }, { "application/ics", "ics" },
	{ "text/vcard", "vcf" }, { "text/x-vcard", "vcf" },
	{ "text/directory", "vcf" },
	{ "text/plain", "text" },
	{ "application/msword", "doc" },
	{ "application/vnd.ms-excel", "xls" },
	{ "application/vnd.ms-powerpoint", "ppt" },
};
static const struct { const char *ext; const char *hint; } hint_exts[] = {
	{ "pdf", "pdf" }, { "docx", "docx" }, { "docm", "docx" },
	{ "dotx", "docx" }, { "dotm", "docx" }, { "xlsx", "xlsx" },
	{ "xlsm", "xlsx" }, { "xltx", "xlsx" }, { "xltm", "xlsx" },
	{ "pptx", "pptx" }, { "pptm", "pptx" }, { "ppsx", "pptx" },
	{ "potx", "pptx" }, { "odt", "odt" }, { "ott", "odt" },
	{ "ods", "ods" }, { "ots", "ods" }, { "odp", "odp" },
	{ "otp", "odp" }, { "rtf", "rtf" }, { "html", "html" },
	{ "htm", "html" }, { "xhtml", "html" }, { "xml", "xml" },
	{ "csv", "csv" }, { "txt", "text" }, { "text", "text" },
	{ "log", "text" }, { "doc", "doc" }, { "xls", "xls" },
	{ "ppt", "ppt" }, { "ics", "ics" }, { "ifb", "ics" },
	{ "vcf", "vcf" }, { "vcard", "vcf" },
};

gboolean
mugai_extract_hint_known(const char *hint)
{
	if (hint == NULL)
		return FALSE;
	for (gsize i = 0; i < G_N_ELEMENTS(hint_types); i++)
		if (strcmp(hint_types[i].hint, hint) == 0)
			return TRUE;
	for (gsize i = 0; i < G_N_ELEMENTS(hint_exts); i++)
		if (strcmp(hint_exts[i].hint, hint) == 0)
			return TRUE;
	return FALSE;
}

const char *
mugai_extract_hint(const char *content_type, const char *filename)
{
	const char *dot;

	if (content_type != NULL)
		for (gsize i = 0; i < G_N_ELEMENTS(hint_types); i++)
			if (g_ascii_strncasecmp(content_type, hint_types[i].type,
			    strlen(hint_types[i].type)) == 0) {
				char next = content_type[strlen(hint_types[i].type)];

				/* The prefixes ending in "." take any rest. */
				if (hint_types[i].type[strlen(hint_types[i].type) - 1] ==
				    '.' || next == '\0' || next == ';' ||
				    next == ' ' || next == '\t')
					return hint_types[i].hint;
			}
	if (filename != NULL && (dot = strrchr(filename, '.')) != NULL)
		for (gsize i = 0; i < G_N_ELEMENTS(hint_exts); i++)
			if (g_ascii_strcasecmp(dot + 1, hint_exts[i].ext) == 0)
				return hint_exts[i].hint;
	return NULL;
}
