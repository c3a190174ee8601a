/*
 * mugai_pwwait - a queue in arrival order under one mutex: adds go to
 * the tail, expiry and the size bound take from the head, a match walks
 * it from the newest. A few entries a minute at most; a list is enough.
 */
#include "autoconfig.h"

#include <string.h>

#include "ppap/pwwait.h"

struct wait_entry {
	char *we_sender;	/* lower case */
	char *we_rcpt;		/* lower case */
	char *we_id;
	char *we_part;
	gint64 we_time;
};

struct mugai_pwwait {
	GMutex pw_lock;
	GQueue pw_q;		/* (struct wait_entry *), oldest first */
};

static void
entry_free(gpointer p)
{
	struct wait_entry *e = p;

	g_free(e->we_sender);
	g_free(e->we_rcpt);
	g_free(e->we_id);
	g_free(e->we_part);
	g_free(e);
}

static void
item_free(gpointer p)
{
	struct mugai_pwwait_item *it = p;

	g_free(it->pi_id);
	g_free(it->pi_part);
	g_free(it->pi_rcpt);
	g_free(it);
}

struct mugai_pwwait *
mugai_pwwait_new(void)
{
	struct mugai_pwwait *t = g_new0(struct mugai_pwwait, 1);

	g_mutex_init(&t->pw_lock);
	g_queue_init(&t->pw_q);
	return t;
}

void
mugai_pwwait_free(struct mugai_pwwait *t)
{
	if (t == NULL)
		return;
	g_queue_clear_full(&t->pw_q, entry_free);
	g_mutex_clear(&t->pw_lock);
	g_free(t);
}

const char *
mugai_pwwait_encrypted_part(const struct mugai_report *report)
{
	if (report == NULL || report->rr_parts == NULL)
		return NULL;
	for (guint i = 0; i < report->rr_parts->len; i++) {
		const struct mugai_report_part *p =
		    g_ptr_array_index(report->rr_parts, i);

		if (p->rp_action != MUGAI_ACT_QUARANTINE ||
		    p->rp_path == NULL || p->rp_flags == NULL)
			continue;
		for (guint j = 0; j < p->rp_flags->len; j++)
			if (strcmp(g_ptr_array_index(p->rp_flags, j),
			    "encrypted") == 0)
				return p->rp_path;
	}
	return NULL;
}

/* Drops what is older than window before now (lock held). */
static void
expire(struct mugai_pwwait *t, gint64 now, gint64 window)
{
	struct wait_entry *e;

	while ((e = g_queue_peek_head(&t->pw_q)) != NULL &&
	    (e->we_time <= now - window || t->pw_q.length > MUGAI_PWWAIT_MAX))
		entry_free(g_queue_pop_head(&t->pw_q));
}

/* Drops the oldest entries of e's sender and recipient past the cap. */
static void
drop_pair_excess(struct mugai_pwwait *t, const struct wait_entry *e)
{
	guint n = 0;
	GList *l, *prev;

	for (l = t->pw_q.tail; l != NULL; l = prev) {
		struct wait_entry *o = l->data;

		prev = l->prev;
		if (strcmp(o->we_sender, e->we_sender) != 0 ||
		    strcmp(o->we_rcpt, e->we_rcpt) != 0)
			continue;
		if (++n > MUGAI_PWWAIT_PAIR_MAX) {
			entry_free(o);
			g_queue_delete_link(&t->pw_q, l);
		}
	}
}

void
mugai_pwwait_add(struct mugai_pwwait *t, const char *sender,
    const char *const *rcpts, const char *id, const char *part, gint64 now)
{
	if (t == NULL || sender == NULL || rcpts == NULL || id == NULL ||
	    part == NULL)
		return;
	g_mutex_lock(&t->pw_lock);
	for (gsize i = 0; rcpts[i] != NULL; i++) {
		struct wait_entry *e = g_new0(struct wait_entry, 1);

		e->we_sender = g_ascii_strdown(sender, -1);
		e->we_rcpt = g_ascii_strdown(rcpts[i], -1);
		e->we_id = g_strdup(id);
		e->we_part = g_strdup(part);
		e->we_time = now;
		g_queue_push_tail(&t->pw_q, e);
		drop_pair_excess(t, e);
	}
	while (t->pw_q.length > MUGAI_PWWAIT_MAX)
		entry_free(g_queue_pop_head(&t->pw_q));
	g_mutex_unlock(&t->pw_lock);
}

static gboolean
has_item(GPtrArray *out, const char *id)
{
	for (guint i = 0; i < out->len; i++)
		if (strcmp(((struct mugai_pwwait_item *)
		    g_ptr_array_index(out, i))->pi_id, id) == 0)
			return TRUE;
	return FALSE;
}

GPtrArray *
mugai_pwwait_match(struct mugai_pwwait *t, const char *sender,
    const char *const *rcpts, gint64 now, gint64 window)
{
	GPtrArray *out = g_ptr_array_new_with_free_func(item_free);

	if (t == NULL || sender == NULL || rcpts == NULL)
		return out;
	g_mutex_lock(&t->pw_lock);
	expire(t, now, window);
	for (GList *l = t->pw_q.tail; l != NULL; l = l->prev) {
		struct wait_entry *e = l->data;
		struct mugai_pwwait_item *it;

		/* A password mail comes after its archive, not before. */
		if (e->we_time > now ||
		    g_ascii_strcasecmp(e->we_sender, sender) != 0 ||
		    has_item(out, e->we_id))
			continue;
		for (gsize i = 0; rcpts[i] != NULL; i++) {
			if (g_ascii_strcasecmp(e->we_rcpt, rcpts[i]) != 0)
				continue;
			it = g_new0(struct mugai_pwwait_item, 1);
			it->pi_id = g_strdup(e->we_id);
			it->pi_part = g_strdup(e->we_part);
			it->pi_rcpt = g_strdup(e->we_rcpt);
			g_ptr_array_add(out, it);
			break;
		}
	}
	g_mutex_unlock(&t->pw_lock);
	return out;
}

void
mugai_pwwait_forget(struct mugai_pwwait *t, const char *id)
{
	GList *l, *next;

	if (t == NULL || id == NULL)
		return;
	g_mutex_lock(&t->pw_lock);
	for (l = t->pw_q.head; l != NULL; l = next) {
		next = l->next;
		if (strcmp(((struct wait_entry *)l->data)->we_id, id) == 0) {
			entry_free(l->data);
			g_queue_delete_link(&t->pw_q, l);
		}
	}
	g_mutex_unlock(&t->pw_lock);
}
