/*
 * mugai_session - portal sessions, one-time form tokens, login limits
 *
 * Tokens come from libcrypto's RAND_bytes (the same source as the
 * quarantine IDs); comparisons of a presented token go through hash
 * lookups, whose timing reveals at most which bucket a guess fell in,
 * not the token. Expired sessions are swept on each create.
 */
#include "autoconfig.h"

#include <string.h>

#include <glib.h>
#include <openssl/rand.h>

#include "session.h"

gint64 (*mugai_session_clock)(void);

static gint64
now(void)
{
	return mugai_session_clock != NULL ? mugai_session_clock() :
	    g_get_monotonic_time();
}

struct mugai_sessions {
	GHashTable *st_by_id;	/* id -> struct mugai_session */
	gint64 st_lifetime;
};

static void
session_free(struct mugai_session *s)
{
	g_free(s->se_id);
	g_free(s->se_user);
	g_queue_free_full(s->se_forms, g_free);
	g_free(s);
}

struct mugai_sessions *
mugai_sessions_new(gint64 lifetime)
{
	struct mugai_sessions *t = g_new0(struct mugai_sessions, 1);

	t->st_by_id = g_hash_table_new_full(g_str_hash, g_str_equal, NULL,
	    (GDestroyNotify)session_free);
	t->st_lifetime = lifetime;
	return t;
}

void
mugai_sessions_free(struct mugai_sessions *t)
{
	if (t == NULL)
		return;
	g_hash_table_destroy(t->st_by_id);
	g_free(t);
}

char *
mugai_session_random_token(void)
{
	guchar raw[32];
	char *b64;

	if (RAND_bytes(raw, sizeof raw) != 1)
		g_error("libcrypto: RAND_bytes failed");
	b64 = g_base64_encode(raw, sizeof raw);
	for (char *p = b64; *p != '\0'; p++)
		if (*p == '+')
			*p = '-';
		else if (*p == '/')
			*p = '_';
	/* No padding: 43 characters of [A-Za-z0-9_-]. */
	b64[43] = '\0';
	return b64;
}

struct mugai_session *
mugai_sessions_get(struct mugai_sessions *t, const char *id)
{
	struct mugai_session *s;

	if (id == NULL || strlen(id) != 43 ||
	    (s = g_hash_table_lookup(t->st_by_id, id)) == NULL)
		return NULL;
	if (s->se_expires <= now()) {
		g_hash_table_remove(t->st_by_id, id);
		return NULL;
	}
	return s;
}

static gboolean
expired(gpointer key, gpointer value, gpointer data)
{
	(void)key;
	return ((struct mugai_session *)value)->se_expires <= *(gint64 *)data;
}

static gboolean
anonymous(gpointer key, gpointer value, gpointer data)
{
	(void)key;
	(void)data;
	return ((struct mugai_session *)value)->se_user == NULL;
}

struct mugai_session *
mugai_sessions_create(struct mugai_sessions *t, const char *user)
{
	struct mugai_session *s = g_new0(struct mugai_session, 1);
	gint64 n = now();

	g_hash_table_foreach_remove(t->st_by_id, expired, &n);
	/*
	 * Anyone can open the login page, and each view makes a session:
	 * past the cap, the pages to log in from go (a login in progress
	 * then asks again), never a logged-in user's session.
	 */
	if (g_hash_table_size(t->st_by_id) >= MUGAI_SESSIONS_MAX)
		g_hash_table_foreach_remove(t->st_by_id, anonymous, NULL);
	s->se_id = mugai_session_random_token();
	s->se_user = g_strdup(user);
	/* A page to log in from need not last a working day. */
	s->se_expires = n + (user != NULL ? t->st_lifetime :
	    MIN(t->st_lifetime, G_GINT64_CONSTANT(3600) * G_USEC_PER_SEC));
	s->se_forms = g_queue_new();
	g_hash_table_insert(t->st_by_id, s->se_id, s);
	return s;
}

void
mugai_sessions_drop(struct mugai_sessions *t, const char *id)
{
	if (id != NULL)
		g_hash_table_remove(t->st_by_id, id);
}

const char *
mugai_session_form_token(struct mugai_session *s)
{
	char *tok = mugai_session_random_token();

	if (g_queue_get_length(s->se_forms) >= MUGAI_SESSION_FORMS_MAX)
		g_free(g_queue_pop_head(s->se_forms));
	g_queue_push_tail(s->se_forms, tok);
	return tok;
}

gboolean
mugai_session_spend_form(struct mugai_session *s, const char *token)
{
	if (s == NULL || token == NULL || strlen(token) != 43)
		return FALSE;
	for (GList *l = s->se_forms->head; l != NULL; l = l->next)
		if (strcmp(l->data, token) == 0) {
			g_free(l->data);
			g_queue_delete_link(s->se_forms, l);
			return TRUE;
		}
	return FALSE;
}

struct fails {
	guint fa_count;
	gint64 fa_first;
};

struct mugai_limiter {
	GHashTable *li_keys;	/* key -> struct fails */
	guint li_max;
	gint64 li_window;
};

struct mugai_limiter *
mugai_limiter_new(guint max, gint64 window)
{
	struct mugai_limiter *l = g_new0(struct mugai_limiter, 1);

	l->li_keys = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
	    g_free);
	l->li_max = max;
	l->li_window = window;
	return l;
}

void
mugai_limiter_free(struct mugai_limiter *l)
{
	if (l == NULL)
		return;
	g_hash_table_destroy(l->li_keys);
	g_free(l);
}

gboolean
mugai_limiter_locked(struct mugai_limiter *l, const char *key)
{
	struct fails *f = g_hash_table_lookup(l->li_keys, key);

	if (f == NULL)
		return FALSE;
	if (now() - f->fa_first >= l->li_window) {
		g_hash_table_remove(l->li_keys, key);
		return FALSE;
	}
	return f->fa_count >= l->li_max;
}

void
mugai_limiter_fail(struct mugai_limiter *l, const char *key)
{
	struct fails *f = g_hash_table_lookup(l->li_keys, key);

	if (f == NULL || now() - f->fa_first >= l->li_window) {
		f = g_new0(struct fails, 1);
		f->fa_first = now();
		g_hash_table_replace(l->li_keys, g_strdup(key), f);
	}
	f->fa_count++;
}

void
mugai_limiter_reset(struct mugai_limiter *l, const char *key)
{
	g_hash_table_remove(l->li_keys, key);
}
