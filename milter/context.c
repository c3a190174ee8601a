/*
 * mugai_conn / mugai_msg - the contexts behind each SMFICTX
 *
 * Everything here is owned by one connection thread; the only shared
 * object a message touches is the config, through its own reference.
 */
#include "autoconfig.h"

#include <string.h>

#include "context.h"
#include "current.h"
#include "quar.h"

/* The header whose value the quarantine release check reads. */
#define RELEASE_HEADER "X-Mugai-Release"

struct mugai_conn *
mugai_conn_new(void)
{
	return g_new0(struct mugai_conn, 1);
}

void
mugai_conn_free(struct mugai_conn *cc)
{
	if (cc == NULL)
		return;
	mugai_conn_msg_end(cc);
	g_free(cc->cc_client_addr);
	g_free(cc->cc_client_name);
	g_free(cc->cc_helo);
	g_free(cc);
}

void
mugai_conn_set_client(struct mugai_conn *cc, const char *name,
    const char *addr)
{
	g_free(cc->cc_client_name);
	g_free(cc->cc_client_addr);
	cc->cc_client_name = g_strdup(name);
	cc->cc_client_addr = g_strdup(addr);
}

void
mugai_conn_set_helo(struct mugai_conn *cc, const char *helo)
{
	g_free(cc->cc_helo);
	cc->cc_helo = g_strdup(helo);
}

struct mugai_msg *
mugai_conn_msg_begin(struct mugai_conn *cc, struct mugai_config *cf,
    const char *sender, const char *queue_id, const char *auth)
{
	struct mugai_msg *mc;

	mugai_conn_msg_end(cc);
	mc = g_new0(struct mugai_msg, 1);
	mc->mc_cf = cf;
	mc->mc_spool = mugai_spool_new(cf->cf_spool_dir,
	    (guint64)cf->cf_spool_mem_max, (guint64)cf->cf_max_message_size);
	/* Past spool_mem_max, a message that may be kept goes to the store. */
	if (cf->cf_keep_original != MUGAI_KEEP_NEVER)
		mugai_mquar_attach(mugai_current_quar(), mc->mc_spool);
	mc->mc_sender = g_strdup(sender);
	mc->mc_rcpts = g_ptr_array_new_with_free_func(g_free);
	g_ptr_array_add(mc->mc_rcpts, NULL);
	mc->mc_queue_id = g_strdup(queue_id);
	mc->mc_auth = g_strdup(auth);
	mc->mc_err = MUGAI_OK;
	mc->mc_start = g_get_monotonic_time();
	cc->cc_msg = mc;
	return mc;
}

void
mugai_conn_msg_end(struct mugai_conn *cc)
{
	struct mugai_msg *mc = cc->cc_msg;

	if (mc == NULL)
		return;
	cc->cc_msg = NULL;
	mugai_sanitize_stream_free(mc->mc_live);
	mugai_spool_free(mc->mc_spool);
	g_ptr_array_free(mc->mc_rcpts, TRUE);
	g_free(mc->mc_sender);
	g_free(mc->mc_queue_id);
	g_free(mc->mc_auth);
	g_free(mc->mc_release);
	mugai_config_unref(mc->mc_cf);
	g_free(mc);
}

void
mugai_msg_add_rcpt(struct mugai_msg *mc, const char *rcpt)
{
	/* Keep the array NULL-terminated: replace the NULL, add a new one. */
	g_ptr_array_index(mc->mc_rcpts, mc->mc_rcpts->len - 1) =
	    g_strdup(rcpt != NULL ? rcpt : "");
	g_ptr_array_add(mc->mc_rcpts, NULL);
	mc->mc_live_env.ev_rcpts = mugai_msg_rcpts(mc);
}

void
mugai_msg_set_queue_id(struct mugai_msg *mc, const char *queue_id)
{
	if (mc->mc_queue_id == NULL && queue_id != NULL)
		mc->mc_queue_id = g_strdup(queue_id);
}

static enum mugai_err
add(struct mugai_msg *mc, const void *data, gsize len)
{
	if (mc->mc_err == MUGAI_OK &&
	    (mc->mc_err = mugai_spool_add(mc->mc_spool, data, len)) ==
	    MUGAI_OK && mc->mc_live != NULL)
		mugai_sanitize_stream_feed(mc->mc_live, data, len);
	return mc->mc_err;
}

enum mugai_err
mugai_msg_add_header(struct mugai_msg *mc, const char *name,
    const char *value)
{
	GString *line = g_string_sized_new(strlen(name) + strlen(value) + 4);

	g_string_append(line, name);
	g_string_append_c(line, ':');
	/* Folded values may arrive with bare LF; the spool is CRLF. */
	for (const char *p = value; *p != '\0'; p++) {
		if (*p == '\n' && (p == value || p[-1] != '\r'))
			g_string_append_c(line, '\r');
		g_string_append_c(line, *p);
	}
	g_string_append(line, "\r\n");
	add(mc, line->str, line->len);
	g_string_free(line, TRUE);
	if (mc->mc_release == NULL &&
	    g_ascii_strcasecmp(name, RELEASE_HEADER) == 0)
		mc->mc_release = g_strstrip(g_strdup(value));
	return mc->mc_err;
}

/*
 * Starts mc_live with what the spool holds (the header block). A read
 * failure only leaves mc_live NULL: end of message then reads the spool.
 */
static void
live_begin(struct mugai_msg *mc)
{
	enum mugai_err err;
	GMimeStream *s = mugai_spool_stream(mc->mc_spool, &err);
	char buf[16384];
	gssize n = -1;

	if (s == NULL)
		return;
	mc->mc_live_env.ev_sender = mc->mc_sender;
	mc->mc_live_env.ev_rcpts = mugai_msg_rcpts(mc);
	mc->mc_live = mugai_sanitize_stream_new(mc->mc_cf, &mc->mc_live_env);
	while (!g_mime_stream_eos(s) &&
	    (n = g_mime_stream_read(s, buf, sizeof buf)) > 0)
		mugai_sanitize_stream_feed(mc->mc_live, buf, (gsize)n);
	if (n < 0)
		g_clear_pointer(&mc->mc_live, mugai_sanitize_stream_free);
	g_object_unref(s);
}

enum mugai_err
mugai_msg_end_headers(struct mugai_msg *mc)
{
	if (add(mc, "\r\n", 2) == MUGAI_OK && mc->mc_live == NULL)
		live_begin(mc);
	return mc->mc_err;
}

enum mugai_err
mugai_msg_add_body(struct mugai_msg *mc, const unsigned char *data,
    gsize len)
{
	return add(mc, data, len);
}

const char *const *
mugai_msg_rcpts(const struct mugai_msg *mc)
{
	return (const char *const *)mc->mc_rcpts->pdata;
}
