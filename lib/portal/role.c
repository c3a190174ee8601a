/*
 * mugai_roles - who may see, request and decide what in the portal
 *
 * A handful of approver entries and administrators: linear scans over
 * small arrays, addresses normalised once at load.
 */
#include "autoconfig.h"

#include <string.h>

#include <glib.h>

#include "portal/role.h"

struct approver {
	char *ap_scope;		/* "a@b", "@b" or "*" */
	char *ap_user;
};

struct mugai_roles {
	GPtrArray *ro_approvers;	/* struct approver */
	GPtrArray *ro_admins;		/* normalised addresses */
	GPtrArray *ro_admin_rules;	/* rule names */
};

static void
approver_free(struct approver *a)
{
	g_free(a->ap_scope);
	g_free(a->ap_user);
	g_free(a);
}

char *
mugai_roles_addr(const char *addr)
{
	gsize n;
	char *out;

	if (addr == NULL)
		return NULL;
	while (*addr == ' ' || *addr == '\t')
		addr++;
	n = strlen(addr);
	while (n > 0 && (addr[n - 1] == ' ' || addr[n - 1] == '\t'))
		n--;
	if (n >= 2 && addr[0] == '<' && addr[n - 1] == '>') {
		addr++;
		n -= 2;
	}
	if (n < 3 || memchr(addr, '@', n) == NULL || addr[0] == '@' ||
	    addr[n - 1] == '@')
		return NULL;
	for (gsize i = 0; i < n; i++)
		if ((guchar)addr[i] <= ' ' || addr[i] == 0x7f ||
		    addr[i] == '<' || addr[i] == '>')
			return NULL;
	out = g_ascii_strdown(addr, (gssize)n);
	return out;
}

/* "@domain", "*" or an address, lower case; NULL when none of them. */
static char *
scope_norm(const char *s)
{
	if (strcmp(s, "*") == 0)
		return g_strdup(s);
	if (s[0] == '@' && s[1] != '\0' && strchr(s + 1, '@') == NULL &&
	    strpbrk(s, " \t<>") == NULL)
		return g_ascii_strdown(s, -1);
	return mugai_roles_addr(s);
}

void
mugai_roles_free(struct mugai_roles *r)
{
	if (r == NULL)
		return;
	g_ptr_array_free(r->ro_approvers, TRUE);
	g_ptr_array_free(r->ro_admins, TRUE);
	g_ptr_array_free(r->ro_admin_rules, TRUE);
	g_free(r);
}

struct mugai_roles *
mugai_roles_new(char **approvers, char **admins, char **admin_only_rules,
    char **why)
{
	struct mugai_roles *r = g_new0(struct mugai_roles, 1);

	r->ro_approvers = g_ptr_array_new_with_free_func(
	    (GDestroyNotify)approver_free);
	r->ro_admins = g_ptr_array_new_with_free_func(g_free);
	r->ro_admin_rules = g_ptr_array_new_with_free_func(g_free);
	for (gsize i = 0; approvers != NULL && approvers[i] != NULL; i++) {
		const char *e = approvers[i];
		const char *colon = strrchr(e, ':');
		g_autofree char *scope = NULL;
		char *user, *sc;
		struct approver *a;

		if (colon == NULL)
			goto bad_approver;
		scope = g_strstrip(g_strndup(e, (gsize)(colon - e)));
		sc = scope_norm(scope);
		user = mugai_roles_addr(colon + 1);
		if (sc == NULL || user == NULL) {
			g_free(sc);
			g_free(user);
			goto bad_approver;
		}
		a = g_new0(struct approver, 1);
		a->ap_scope = sc;
		a->ap_user = user;
		g_ptr_array_add(r->ro_approvers, a);
		continue;
bad_approver:
		*why = g_strdup_printf("approvers: \"%s\" is not "
		    "SCOPE:APPROVER (SCOPE an address, @domain or *; "
		    "APPROVER an address)", e);
		mugai_roles_free(r);
		return NULL;
	}
	for (gsize i = 0; admins != NULL && admins[i] != NULL; i++) {
		char *a = mugai_roles_addr(admins[i]);

		if (a == NULL) {
			*why = g_strdup_printf("administrators: \"%s\" is not "
			    "an address", admins[i]);
			mugai_roles_free(r);
			return NULL;
		}
		g_ptr_array_add(r->ro_admins, a);
	}
	for (gsize i = 0; admin_only_rules != NULL &&
	    admin_only_rules[i] != NULL; i++)
		g_ptr_array_add(r->ro_admin_rules,
		    g_strstrip(g_strdup(admin_only_rules[i])));
	return r;
}

static gboolean
in(GPtrArray *a, const char *s)
{
	for (guint i = 0; s != NULL && i < a->len; i++)
		if (strcmp(g_ptr_array_index(a, i), s) == 0)
			return TRUE;
	return FALSE;
}

gboolean
mugai_roles_is_admin(const struct mugai_roles *r, const char *user)
{
	g_autofree char *u = mugai_roles_addr(user);

	return u != NULL && in(r->ro_admins, u);
}

gboolean
mugai_roles_is_recipient(const char *user, const char *const *rcpts)
{
	g_autofree char *u = mugai_roles_addr(user);

	for (gsize i = 0; u != NULL && rcpts != NULL && rcpts[i] != NULL;
	    i++) {
		g_autofree char *a = mugai_roles_addr(rcpts[i]);

		if (a != NULL && strcmp(a, u) == 0)
			return TRUE;
	}
	return FALSE;
}

static gboolean
scope_covers(const char *scope, const char *addr)
{
	const char *at;

	if (strcmp(scope, "*") == 0)
		return TRUE;
	if (scope[0] == '@')
		return (at = strrchr(addr, '@')) != NULL &&
		    strcmp(at, scope) == 0;
	return strcmp(scope, addr) == 0;
}

gboolean
mugai_roles_approves(const struct mugai_roles *r, const char *user,
    const char *rcpt)
{
	g_autofree char *u = mugai_roles_addr(user);
	g_autofree char *a = mugai_roles_addr(rcpt);

	if (u == NULL || a == NULL)
		return FALSE;
	for (guint i = 0; i < r->ro_approvers->len; i++) {
		struct approver *ap = g_ptr_array_index(r->ro_approvers, i);

		if (strcmp(ap->ap_user, u) == 0 &&
		    scope_covers(ap->ap_scope, a))
			return TRUE;
	}
	return FALSE;
}

gboolean
mugai_roles_is_approver_of(const struct mugai_roles *r, const char *user,
    const char *const *rcpts)
{
	if (mugai_roles_is_admin(r, user))
		return TRUE;
	for (gsize i = 0; rcpts != NULL && rcpts[i] != NULL; i++)
		if (mugai_roles_approves(r, user, rcpts[i]))
			return TRUE;
	return FALSE;
}

gboolean
mugai_roles_is_approver(const struct mugai_roles *r, const char *user)
{
	g_autofree char *u = mugai_roles_addr(user);

	if (u == NULL)
		return FALSE;
	if (in(r->ro_admins, u))
		return TRUE;
	for (guint i = 0; i < r->ro_approvers->len; i++)
		if (strcmp(((struct approver *)g_ptr_array_index(
		    r->ro_approvers, i))->ap_user, u) == 0)
			return TRUE;
	return FALSE;
}

gboolean
mugai_roles_can_view(const struct mugai_roles *r, const char *user,
    const char *const *rcpts)
{
	return mugai_roles_is_recipient(user, rcpts) ||
	    mugai_roles_is_approver_of(r, user, rcpts);
}

gboolean
mugai_roles_can_request(const struct mugai_roles *r, const char *user,
    const char *const *rcpts)
{
	return mugai_roles_is_recipient(user, rcpts) ||
	    mugai_roles_is_admin(r, user);
}

gboolean
mugai_roles_rule_admin_only(const struct mugai_roles *r, const char *rule)
{
	return rule != NULL && in(r->ro_admin_rules, rule);
}

gboolean
mugai_roles_can_decide(const struct mugai_roles *r, const char *user,
    const char *const *rcpts, const char *requester, const char *rule)
{
	g_autofree char *u = mugai_roles_addr(user);
	g_autofree char *q = mugai_roles_addr(requester);

	if (u == NULL || q == NULL || strcmp(u, q) == 0)
		return FALSE;
	if (mugai_roles_is_admin(r, u))
		return TRUE;
	if (mugai_roles_rule_admin_only(r, rule))
		return FALSE;
	/* The approver of the one who asked, for an item they received. */
	return mugai_roles_is_recipient(q, rcpts) &&
	    mugai_roles_approves(r, u, q);
}

char **
mugai_roles_approvers_for(const struct mugai_roles *r,
    const char *const *rcpts)
{
	GPtrArray *out = g_ptr_array_new();

	for (gsize i = 0; rcpts != NULL && rcpts[i] != NULL; i++) {
		g_autofree char *a = mugai_roles_addr(rcpts[i]);

		for (guint j = 0; a != NULL && j < r->ro_approvers->len;
		    j++) {
			struct approver *ap =
			    g_ptr_array_index(r->ro_approvers, j);
			gboolean seen = FALSE;

			if (!scope_covers(ap->ap_scope, a))
				continue;
			for (guint k = 0; k < out->len; k++)
				if (strcmp(g_ptr_array_index(out, k),
				    ap->ap_user) == 0)
					seen = TRUE;
			if (!seen)
				g_ptr_array_add(out, g_strdup(ap->ap_user));
		}
	}
	g_ptr_array_add(out, NULL);
	return (char **)g_ptr_array_free(out, FALSE);
}
