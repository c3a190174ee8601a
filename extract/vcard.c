/*
 * vcard - contact cards (text/vcard, .vcf) read as text
 *
 * A small reader of our own (libical reads calendars, not cards; no
 * Debian library reads vCard 2.1 as Japanese phones send it): lines are
 * unfolded (a line starting with a space or tab continues the one before;
 * in 2.1 a quoted-printable value ending in '=' continues too), each
 * property split into its name, parameters and value; ENCODING=
 * QUOTED-PRINTABLE and BASE64 (b) values are decoded and CHARSET=
 * converted (feature phones write Shift_JIS); backslash escapes of 3.0
 * and 4.0 are undone. Written per card: name (FN, else N put together),
 * reading (SOUND or X-PHONETIC-*), organization, title, phones and mail
 * with their types, address, URL and note, in Japanese and English. A
 * photo or a key is left out. No card at all is damaged ("vcf").
 */
#include "autoconfig.h"

#include <string.h>

#include "text/charset.h"
#include "parsers.h"

#define VCF_MAX_LINE	(64 * 1024)	/* longer unfolded lines are cut */

struct vprop {
	char *vp_name;		/* upper case, without a group ("item1.") */
	char *vp_params;	/* upper case, ';' separated, or "" */
	char *vp_value;		/* decoded UTF-8 */
};

/* The value of parameter key in params ("TYPE=WORK;CHARSET=SHIFT_JIS"),
 * (transfer full), or NULL. 2.1's bare types ("WORK") count as TYPE. */
static char *
param(const char *params, const char *key)
{
	g_auto(GStrv) v = g_strsplit(params, ";", -1);
	GString *types = NULL;
	gsize kl = strlen(key);

	for (gsize i = 0; v[i] != NULL; i++) {
		if (g_ascii_strncasecmp(v[i], key, kl) == 0 && v[i][kl] == '=')
			return g_strdup(v[i] + kl + 1);
		if (strcmp(key, "TYPE") == 0 && strchr(v[i], '=') == NULL &&
		    v[i][0] != '\0') {
			if (types == NULL)
				types = g_string_new(NULL);
			else
				g_string_append_c(types, ',');
			g_string_append(types, v[i]);
		}
	}
	return types != NULL ? g_string_free(types, FALSE) : NULL;
}

/* Undoes quoted-printable (soft breaks already joined). */
static GByteArray *
qp_decode(const char *s)
{
	GByteArray *b = g_byte_array_new();

	for (; *s != '\0'; s++) {
		guint8 c = (guint8)*s;

		if (c == '=' && g_ascii_isxdigit(s[1]) &&
		    g_ascii_isxdigit(s[2])) {
			c = (guint8)(g_ascii_xdigit_value(s[1]) * 16 +
			    g_ascii_xdigit_value(s[2]));
			s += 2;
		}
		g_byte_array_append(b, &c, 1);
	}
	return b;
}

/* Undoes the backslash escapes of 3.0 and 4.0; ';' and ',' separate. */
static char *
unescape(const char *s, char sep)
{
	GString *o = g_string_new(NULL);

	for (; *s != '\0'; s++) {
		if (*s == '\\' && s[1] != '\0') {
			s++;
			g_string_append_c(o, *s == 'n' || *s == 'N' ? '\n' :
			    *s);
		} else if (*s == ';' && sep != 0)
			g_string_append_c(o, sep);
		else
			g_string_append_c(o, *s);
	}
	return g_string_free(o, FALSE);
}

/* Splits one unfolded line; FALSE when it is not a property. */
static gboolean
parse_line(const char *line, struct vprop *vp)
{
	const char *colon = NULL, *semi;
	gboolean quote = FALSE;
	g_autofree char *head = NULL, *enc = NULL, *cs = NULL;
	GByteArray *raw;
	const char *dot;

	for (const char *p = line; *p != '\0'; p++) {
		if (*p == '"')
			quote = !quote;
		else if (*p == ':' && !quote) {
			colon = p;
			break;
		}
	}
	if (colon == NULL)
		return FALSE;
	head = g_ascii_strup(line, colon - line);
	semi = strchr(head, ';');
	vp->vp_name = g_strndup(head, semi != NULL ? (gsize)(semi - head) :
	    strlen(head));
	if ((dot = strrchr(vp->vp_name, '.')) != NULL)
		memmove(vp->vp_name, dot + 1, strlen(dot + 1) + 1);
	vp->vp_params = g_strdup(semi != NULL ? semi + 1 : "");
	enc = param(vp->vp_params, "ENCODING");
	cs = param(vp->vp_params, "CHARSET");
	if (enc != NULL && g_ascii_strcasecmp(enc, "QUOTED-PRINTABLE") == 0)
		raw = qp_decode(colon + 1);
	else if (enc != NULL && (g_ascii_strcasecmp(enc, "B") == 0 ||
	    g_ascii_strcasecmp(enc, "BASE64") == 0)) {
		gsize n = 0;
		guchar *d = g_base64_decode(colon + 1, &n);

		raw = g_byte_array_new_take(d, n);
	} else {
		raw = g_byte_array_new();
		g_byte_array_append(raw, (const guint8 *)colon + 1,
		    (guint)strlen(colon + 1));
	}
	{
		gsize n = 0;
		char *u = mugai_charset_to_utf8((const char *)raw->data,
		    raw->len, cs, &n, NULL, NULL);

		vp->vp_value = u;
	}
	g_byte_array_unref(raw);
	return TRUE;
}

static void
vprop_clear(struct vprop *vp)
{
	g_free(vp->vp_name);
	g_free(vp->vp_params);
	g_free(vp->vp_value);
	memset(vp, 0, sizeof *vp);
}

/* "TYPE=WORK,VOICE" -> " (WORK, VOICE)" in lower case, or "". */
static char *
type_words(const char *params)
{
	g_autofree char *t = param(params, "TYPE");
	GString *s;

	if (t == NULL)
		return g_strdup("");
	s = g_string_new(" (");
	for (char *p = t; *p != '\0'; p++)
		if (*p == '"')
			continue;
		else if (*p == ',')
			g_string_append(s, ", ");
		else
			g_string_append_c(s, g_ascii_tolower(*p));
	g_string_append_c(s, ')');
	return g_string_free(s, FALSE);
}

/* Writes "label: value", the value's separators made readable. */
static void
put_prop(struct xjob *job, const char *label, const struct vprop *vp,
    char sep, gboolean typed)
{
	g_autofree char *v = unescape(vp->vp_value, sep);
	g_autofree char *t = typed ? type_words(vp->vp_params) : g_strdup("");
	char *s = g_strstrip(v);

	/* "Yamada;Taro;;;" leaves separators at the ends */
	while (s[0] == ' ')
		s++;
	if (s[0] == '\0')
		return;
	x_put(job, label, -1);
	x_put(job, s, -1);
	x_put(job, t, -1);
	x_newline(job);
}

/* The name of N: family, given, additional (Japanese order, one space). */
static void
put_n(struct xjob *job, const struct vprop *vp)
{
	g_auto(GStrv) f = g_strsplit(vp->vp_value, ";", 5);
	GString *s = g_string_new(NULL);

	for (gsize i = 0; i < 3 && f[i] != NULL; i++) {
		g_autofree char *u = unescape(f[i], 0);

		g_strstrip(u);
		if (u[0] == '\0')
			continue;
		if (s->len > 0)
			g_string_append_c(s, ' ');
		g_string_append(s, u);
	}
	if (s->len > 0) {
		x_put(job, "名前 / Name: ", -1);
		x_put(job, s->str, (gssize)s->len);
		x_newline(job);
	}
	g_string_free(s, TRUE);
}

/* One card's properties, in the order a reader wants them. */
static void
put_card(struct xjob *job, GArray *props)
{
	static const struct {
		const char *name;
		const char *label;
		char sep;
		gboolean typed;
	} order[] = {
		{ "FN", "名前 / Name: ", 0, FALSE },
		{ "SOUND", "よみ / Reading: ", ' ', FALSE },
		{ "X-PHONETIC-LAST-NAME", "よみ（姓） / Reading: ", 0, FALSE },
		{ "X-PHONETIC-FIRST-NAME", "よみ（名） / Reading: ", 0, FALSE },
		{ "ORG", "組織 / Organization: ", ' ', FALSE },
		{ "TITLE", "役職 / Title: ", 0, FALSE },
		{ "TEL", "電話 / Phone: ", 0, TRUE },
		{ "EMAIL", "メール / Mail: ", 0, TRUE },
		{ "ADR", "住所 / Address: ", ' ', TRUE },
		{ "URL", "URL: ", 0, FALSE },
		{ "NOTE", "メモ / Note: ", 0, FALSE },
	};
	gboolean fn = FALSE;

	x_paragraph(job);
	x_put(job, "=== 連絡先 / Contact ===", -1);
	x_newline(job);
	for (guint i = 0; i < props->len; i++)
		fn |= strcmp(g_array_index(props, struct vprop, i).vp_name,
		    "FN") == 0;
	for (gsize k = 0; k < G_N_ELEMENTS(order); k++) {
		if (k == 0 && !fn)
			for (guint i = 0; i < props->len; i++)
				if (strcmp(g_array_index(props, struct vprop,
				    i).vp_name, "N") == 0) {
					put_n(job, &g_array_index(props,
					    struct vprop, i));
					break;
				}
		for (guint i = 0; i < props->len; i++) {
			const struct vprop *vp = &g_array_index(props,
			    struct vprop, i);

			if (strcmp(vp->vp_name, order[k].name) == 0)
				put_prop(job, order[k].label, vp,
				    order[k].sep, order[k].typed);
		}
	}
}

void
x_vcard(struct xjob *job)
{
	const char *p = (const char *)job->xj_data;
	const char *end = p + job->xj_len;
	GArray *props = g_array_new(FALSE, TRUE, sizeof(struct vprop));
	GString *line = g_string_new(NULL);
	gboolean in_card = FALSE;
	guint cards = 0;

	job->xj_kind = "vcf";
	while (p < end && !x_done(job)) {
		const char *nl;
		gboolean qp_soft;

		/* one unfolded line */
		g_string_truncate(line, 0);
		for (;;) {
			gsize n;

			nl = memchr(p, '\n', (gsize)(end - p));
			n = (gsize)((nl != NULL ? nl : end) - p);
			if (n > 0 && p[n - 1] == '\r')
				n--;
			if (line->len + n < VCF_MAX_LINE)
				g_string_append_len(line, p, (gssize)n);
			p = nl != NULL ? nl + 1 : end;
			qp_soft = line->len > 0 &&
			    line->str[line->len - 1] == '=' &&
			    (strstr(line->str, "QUOTED-PRINTABLE") != NULL ||
			    strstr(line->str, "quoted-printable") != NULL);
			if (qp_soft)
				g_string_truncate(line, line->len - 1);
			if (p >= end)
				break;
			if (qp_soft)
				continue;
			if (*p != ' ' && *p != '\t')
				break;
			p++;	/* folded: the blank is not part of it */
		}
		if (g_ascii_strncasecmp(line->str, "BEGIN:VCARD", 11) == 0) {
			in_card = TRUE;
			continue;
		}
		if (g_ascii_strncasecmp(line->str, "END:VCARD", 9) == 0) {
			if (in_card) {
				put_card(job, props);
				cards++;
			}
			for (guint i = 0; i < props->len; i++)
				vprop_clear(&g_array_index(props,
				    struct vprop, i));
			g_array_set_size(props, 0);
			in_card = FALSE;
			(void)x_stop(job);
			continue;
		}
		if (in_card) {
			struct vprop vp = { 0 };

			if (parse_line(line->str, &vp))
				g_array_append_val(props, vp);
		}
	}
	for (guint i = 0; i < props->len; i++)
		vprop_clear(&g_array_index(props, struct vprop, i));
	g_array_free(props, TRUE);
	g_string_free(line, TRUE);
	if (cards == 0)
		x_outcome(job, MUGAI_EXTRACT_DAMAGED, "vcf");
	if (job->xj_cut)
		x_outcome(job, MUGAI_EXTRACT_TRUNCATED, "max_bytes");
}
