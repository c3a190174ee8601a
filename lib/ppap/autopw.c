/*
 * mugai_autopw - reading a password mail: line by line, each line NFKC
 * normalised, a label ("パスワード", "PW", ...) then a separator then the
 * token, the label at the line's start or, for the unmistakable labels,
 * inside a sentence; or, without a label, a body of one token-like line.
 */
#include "autoconfig.h"

#include <string.h>

#include "ppap/autopw.h"

#define TOKEN_MIN	4
#define TOKEN_MAX	64
#define LINES_MAX	40	/* read lines: more is a letter, not a PW mail */

/* Labels, NFKC and ASCII-lowercased, longest first where one is a
 * prefix of another. */
static const char *const labels[] = {
	"解凍パスワード", "展開パスワード", "暗号化パスワード",
	"復号パスワード", "zipパスワード", "zipのパスワード",
	"添付ファイルのパスワード", "ファイルのパスワード", "パスワード",
	"password", "pass word", "passwd", "passcode", "pass", "pwd", "pw",
	"暗証番号",
};

static const char *const openers[] = { "「", "『", "【", "[", "(", "\"",
    "'", "“", "‘", "<", "《", "〈" };
static const char *const closers[] = { "」", "』", "】", "]", ")", "\"",
    "'", "”", "’", ">", "》", "〉" };

static gboolean
is_token_char(char c)
{
	return c > 0x20 && c < 0x7f;
}

/* TRUE for a line of rule characters only (━━━, -----, ＝＝＝, ***). */
static gboolean
is_rule(const char *s)
{
	guint n = 0;

	for (; *s != '\0'; s = g_utf8_next_char(s)) {
		gunichar c = g_utf8_get_char(s);

		if (g_unichar_isspace(c))
			continue;
		if (!strchr("-=*_~#+", (int)(c < 0x80 ? c : ' ')) &&
		    !(c >= 0x2500 && c <= 0x257f) &&	/* box drawing */
		    c != 0x301c && c != 0x30fc && c != 0x2015)	/* 〜ー― */
			return FALSE;
		n++;
	}
	return n >= 3;
}

/* TRUE where the text quoted from an earlier mail starts. */
static gboolean
is_quote_start(const char *s)
{
	gsize n = strlen(s);

	while (n > 0 && g_ascii_isspace(s[n - 1]))
		n--;
	return strstr(s, "Original Message") != NULL ||
	    strstr(s, "元のメッセージ") != NULL ||
	    (n >= 6 && strncmp(s + n - 6, "wrote:", 6) == 0) ||
	    (n >= 16 && strncmp(s + n - 16, "書きました:", 16) == 0);
}

/* Skips white space, bullets and an opening 【 or [ before a label. */
static const char *
skip_lead(const char *s)
{
	static const char *const lead[] = { "・", "●", "○", "■", "□", "◆",
	    "◇", "▼", "▽", "★", "☆", "※", "*", "-", "+", "【", "[", "<",
	    "《", "(" };

	for (;;) {
		gboolean more = FALSE;

		while (*s == ' ' || *s == '\t')
			s++;
		for (gsize i = 0; i < G_N_ELEMENTS(lead); i++)
			if (g_str_has_prefix(s, lead[i])) {
				s += strlen(lead[i]);
				more = TRUE;
				break;
			}
		if (!more)
			return s;
	}
}

/* After a label: the rest of the line past its separator, or NULL when
 * the label is not followed by one (a word that only starts alike). */
static const char *
after_label(const char *s)
{
	static const char *const seps[] = { ":", "=", "】", "]", ">", "》",
	    "は", "→", "-" };
	gboolean sep = FALSE;

	/* "パスワード(半角英数字):" */
	while (*s == ' ' || *s == '\t')
		s++;
	if (*s == '(') {
		const char *e = strchr(s, ')');

		if (e == NULL)
			return NULL;
		s = e + 1;
	}
	for (;;) {
		gboolean more = FALSE;

		while (*s == ' ' || *s == '\t')
			s++;
		for (gsize i = 0; i < G_N_ELEMENTS(seps); i++)
			if (g_str_has_prefix(s, seps[i])) {
				s += strlen(seps[i]);
				more = sep = TRUE;
				break;
			}
		if (!more)
			break;
	}
	if (!sep && *s != '\0')
		return NULL;	/* "passport", "パスワードを変更" */
	return s;
}

/* The token at s: quoted, or up to white space or a non-ASCII char. */
static char *
token_at(const char *s)
{
	const char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	for (gsize i = 0; i < G_N_ELEMENTS(openers); i++) {
		if (!g_str_has_prefix(s, openers[i]))
			continue;
		s += strlen(openers[i]);
		if ((e = strstr(s, closers[i])) == NULL)
			return NULL;
		for (const char *p = s; p < e; p++)
			if (!is_token_char(*p))
				return NULL;
		return g_strndup(s, (gsize)(e - s));
	}
	for (e = s; is_token_char(*e); e++)
		;
	return e > s ? g_strndup(s, (gsize)(e - s)) : NULL;
}

static gboolean
token_ok(const char *t)
{
	gsize n = t != NULL ? strlen(t) : 0;

	if (n < TOKEN_MIN || n > TOKEN_MAX)
		return FALSE;
	return strstr(t, "://") == NULL && !g_str_has_prefix(t, "www.");
}

static gboolean
looks_like_address(const char *t)
{
	const char *at = strchr(t, '@');

	return at != NULL && at > t && strchr(at, '.') != NULL &&
	    g_ascii_isalpha(t[strlen(t) - 1]);
}

/* Digits with - ( ) + . / only: a phone number, a date, a postcode. */
static gboolean
looks_like_number(const char *t)
{
	guint digits = 0, other = 0;

	for (; *t != '\0'; t++) {
		if (g_ascii_isdigit(*t))
			digits++;
		else if (strchr("-()+./:", *t) != NULL)
			other++;
		else
			return FALSE;
	}
	return digits > 0 && other > 0;
}

/* An unlabelled line that is all token: letters and digits mixed. */
static gboolean
bare_token_ok(const char *t)
{
	gboolean alpha = FALSE, digit = FALSE;

	if (!token_ok(t) || looks_like_address(t) || looks_like_number(t))
		return FALSE;
	for (const char *p = t; *p != '\0'; p++) {
		alpha |= g_ascii_isalpha(*p);
		digit |= g_ascii_isdigit(*p);
	}
	return alpha && digit;
}

/* The length of the label at the start of s (NFKC, lead skipped), or 0. */
static gsize
match_label(const char *s)
{
	for (gsize i = 0; i < G_N_ELEMENTS(labels); i++) {
		gsize n = strlen(labels[i]);

		if (g_ascii_strncasecmp(s, labels[i], n) != 0)
			continue;
		/* "pass" in "passport": an ASCII label ends at a non-letter. */
		if (g_ascii_isalpha(labels[i][n - 1]) && g_ascii_isalpha(s[n]))
			continue;
		return n;
	}
	return 0;
}

/*
 * The token after a label inside the line, where a sentence leads to it:
 * "先ほどのファイルのパスワードは Abc123 です。", "The password is Abc123".
 * Only the unmistakable labels (short ones such as "pw" or "pass" are
 * words inside sentences), with a separator or "is" after them; a date
 * or an address there is not taken. NULL when there is none.
 */
static char *
inside_label_token(const char *s)
{
	static const char *const inside[] = { "パスワード", "暗証番号",
	    "password", "passcode" };

	for (gsize i = 0; i < G_N_ELEMENTS(inside); i++) {
		gsize n = strlen(inside[i]);
		gboolean ascii = g_ascii_isalpha(inside[i][0]);
		const char *p = s;

		while ((p = ascii ? strcasestr(p, inside[i]) :
		    strstr(p, inside[i])) != NULL) {
			const char *at = p, *rest = p + n;
			char *tok;

			p = rest;
			/* "password" inside "passwords" or "mypassword" */
			if (ascii && ((at > s && g_ascii_isalpha(at[-1])) ||
			    g_ascii_isalpha(*rest)))
				continue;
			while (*rest == ' ')
				rest++;
			if (ascii && g_ascii_strncasecmp(rest, "is", 2) == 0 &&
			    (rest[2] == ' ' || rest[2] == ':'))
				rest += 2;
			else if ((rest = after_label(rest)) == NULL)
				continue;
			if (*rest == ':')
				rest++;
			tok = token_at(rest);
			if (tok != NULL && token_ok(tok) &&
			    !looks_like_address(tok) &&
			    !looks_like_number(tok))
				return tok;
			mugai_autopw_free(tok);
		}
	}
	return NULL;
}

/* Sets *found to tok unless it holds another one; FALSE on a clash. */
static gboolean
take(char **found, char *tok)
{
	if (*found == NULL) {
		*found = tok;
		return TRUE;
	}
	if (strcmp(*found, tok) == 0) {
		mugai_autopw_free(tok);
		return TRUE;
	}
	mugai_autopw_free(tok);
	return FALSE;
}

char *
mugai_autopw_pick(const char *text, gsize len)
{
	g_auto(GStrv) lines = NULL;
	g_autofree char *copy = NULL;
	char *found = NULL, *bare = NULL;
	gboolean want_next = FALSE, clash = FALSE;
	guint content = 0;

	if (text == NULL || len > MUGAI_AUTOPW_TEXT_MAX ||
	    !g_utf8_validate(text, (gssize)len, NULL))
		return NULL;
	copy = g_strndup(text, len);
	lines = g_strsplit(copy, "\n", -1);
	for (guint i = 0; lines[i] != NULL && !clash; i++) {
		g_autofree char *norm = NULL;
		const char *s, *rest;
		char *tok;
		gsize n;

		if (strcmp(lines[i], "-- ") == 0 || strcmp(lines[i], "--") == 0)
			break;			/* the signature */
		norm = g_utf8_normalize(lines[i], -1, G_NORMALIZE_NFKC);
		if (norm == NULL)
			continue;
		g_strstrip(norm);
		if (is_quote_start(norm))
			break;
		if (norm[0] == '\0' || norm[0] == '>' || is_rule(norm))
			continue;
		if (++content > LINES_MAX) {
			clash = TRUE;	/* a letter, not a password mail */
			break;
		}
		s = skip_lead(norm);
		if (want_next) {
			want_next = FALSE;
			/* "パスワードは以下の通りです。" then the token alone */
			if ((tok = token_at(s)) != NULL &&
			    s[strlen(tok)] == '\0' && token_ok(tok)) {
				clash = !take(&found, tok);
				continue;
			}
			mugai_autopw_free(tok);
		}
		if ((n = match_label(s)) > 0 &&
		    (rest = after_label(s + n)) != NULL) {
			/* take() may free tok: nothing reads it after. */
			tok = token_at(rest);
			if (tok != NULL && token_ok(tok)) {
				clash = !take(&found, tok);
			} else {
				mugai_autopw_free(tok);
				want_next = TRUE;
			}
			continue;
		}
		if ((tok = inside_label_token(s)) != NULL) {
			clash = !take(&found, tok);
			continue;
		}
		/* "先ほどのファイルのパスワードをお知らせします。" */
		if (strstr(s, "パスワード") != NULL ||
		    strcasestr(s, "password") != NULL)
			want_next = TRUE;
		/* One line that is a token and nothing else. */
		if (content == 1 && (tok = token_at(s)) != NULL) {
			if (strcmp(tok, norm) == 0 && bare_token_ok(tok))
				bare = tok;
			else
				mugai_autopw_free(tok);
		}
	}
	if (clash) {
		mugai_autopw_free(found);
		mugai_autopw_free(bare);
		return NULL;
	}
	if (found != NULL) {
		mugai_autopw_free(bare);
		return found;
	}
	if (bare != NULL && content == 1)
		return bare;
	mugai_autopw_free(bare);
	return NULL;
}

void
mugai_autopw_free(char *pw)
{
	if (pw == NULL)
		return;
	explicit_bzero(pw, strlen(pw));
	g_free(pw);
}
