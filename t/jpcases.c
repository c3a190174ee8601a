/*
 * jpcases - the generated Japanese cases (see jpcases.h)
 *
 * Everything is made here from UTF-8 text: CP932 through glibc's iconv,
 * ISO-2022-JP from those CP932 bytes by this file's own arithmetic
 * (Shift_JIS to JIS rows, IBM extensions to their NEC-selected codes, as
 * CP50220 writes them), not by the code under test.
 */
#include "autoconfig.h"

#include <string.h>

#include <check.h>

#include "jpcases.h"

/* The JIS pair lines need their own bytes: \x1B is written out. */
const struct jp_case jp_cases[] = {
	{
		.jc_name = "jis_nec_ibm_extensions",
		.jc_enc = JP_JIS,
		.jc_body = "㈱山﨑商事 髙橋様\n①会議室 ②受付 ℡03-1234-5678\n"
		    "德永より、よろしくお願いします。\n",
		.jc_hdr = JP_HDR_EW,
		.jc_from_name = "髙橋 一郎",
		.jc_subject = "①打合せの件（㈱山﨑商事）",
		.jc_want = { "㈱山﨑商事 髙橋様", "①会議室 ②受付 ℡03-1234-5678",
		    "德永より", NULL },
		/* 髙, 﨑, 德 are IBM extensions: not strict JIS X 0208 */
		.jc_jis_fallback = TRUE,
	},
	{
		.jc_name = "cp932_newsletter",
		.jc_enc = JP_CP932,
		.jc_body = "～市役所からのお知らせ～\n"
		    "ｱﾝｹｰﾄにご協力ください。Ⅰ期・Ⅱ期 ㍻ №12\n"
		    "髙島屋前 ①②③\n",
		.jc_hdr = JP_HDR_EW,
		.jc_from_name = "広報課",
		.jc_subject = "市報 ①月号",
		.jc_want = { "～市役所からのお知らせ～", "アンケートにご協力ください",
		    "Ⅰ期・Ⅱ期 ㍻ №12", "髙島屋前 ①②③", NULL },
		.jc_jis_fallback = TRUE,
	},
	{
		/* NEC row 13 without IBM extensions: ISO-2022-JP output
		 * stays, the symbols in their usual spelling ("(1)") */
		.jc_name = "jis_nec_row13_only",
		.jc_enc = JP_JIS,
		.jc_body = "㈱山田商事 ①会議室 ②受付 ℡03-1234-5678 №5\n"
		    "Ⅲ期の予定（㍻30年）です。\n",
		.jc_hdr = JP_HDR_EW,
		.jc_from_name = "山田 一郎",
		.jc_subject = "①打合せの件（㈱山田商事）",
		.jc_want = { "㈱山田商事 ①会議室 ②受付 ℡03-1234-5678 №5",
		    "Ⅲ期の予定（㍻30年）です。", NULL },
	},
	{
		.jc_name = "raw_jis_headers",
		.jc_enc = JP_JIS,
		.jc_body = "本日の会議は十五時からです。\n",
		.jc_hdr = JP_HDR_RAWJIS,
		.jc_from_name = "山田 太郎",
		.jc_subject = "会議のご案内",
		.jc_want = { "本日の会議は十五時からです。", NULL },
	},
	{
		/* "おはよう" U+E63E-like carrier emoji (user-defined row 85)
		 * "ございます" */
		.jc_name = "carrier_emoji_in_step",
		.jc_enc = JP_BYTES,
		.jc_bytes = "\x1B$B$*$O$h$&u!$4$6$$$^$9\x1B(B\n"
		    "\x1B$B;3ED\x1B(B\n",
		.jc_hdr = JP_HDR_EW,
		.jc_from_name = "携帯",
		.jc_subject = "おはよう",
		.jc_want = { "おはよう", "ございます", "山田", NULL },
		.jc_replacements = 1,
	},
	{
		.jc_name = "halfwidth_kana_filename",
		.jc_enc = JP_JIS,
		.jc_body = "アンケートの回答を添付します。\n",
		.jc_hdr = JP_HDR_EW,
		.jc_from_name = "ｶﾞｲﾄﾞ係",
		.jc_subject = "ｱﾝｹｰﾄ回答",
		.jc_attachment = "ｱﾝｹｰﾄ回答.pdf",
		.jc_want = { "アンケートの回答を添付します。", "アンケート回答.pdf",
		    NULL },
	},
	{
		.jc_name = "macos_decomposed_kana",
		.jc_enc = JP_UTF8,
		.jc_body = "フ\xE3\x82\x9Aロク\xE3\x82\x99ラムのテ\xE3\x82\x99ータを"
		    "送ります。\n",
		.jc_hdr = JP_HDR_UTF8,
		.jc_from_name = "佐藤",
		.jc_subject = "テ\xE3\x82\x99ータ",
		.jc_want = { "プログラムのデータを送ります。", NULL },
	},
	{
		.jc_name = "utf8_single_part_converted",
		.jc_enc = JP_UTF8,
		.jc_body = "了解です。よろしくお願いします。\n",
		.jc_hdr = JP_HDR_UTF8,
		.jc_from_name = "鈴木",
		.jc_subject = "Re: 日程",
		.jc_want = { "了解です。よろしくお願いします。", NULL },
	},
	{
		.jc_name = "invisible_characters",
		.jc_enc = JP_UTF8,
		.jc_body = "確認\xE2\x80\x8Bしました\xE2\x80\x8D。"
		    "葛\xEF\xB8\x80飾区\n",
		.jc_hdr = JP_HDR_EW,
		.jc_from_name = "区役所",
		.jc_subject = "確認",
		.jc_want = { "しました", "飾区", NULL },
	},
	{
		.jc_name = "emoji_falls_back_to_utf8",
		.jc_enc = JP_UTF8,
		.jc_body = "了解です\xF0\x9F\x91\x8D また明日。\n",
		.jc_hdr = JP_HDR_UTF8,
		.jc_from_name = "田中",
		.jc_subject = "了解",
		.jc_want = { "了解です\xF0\x9F\x91\x8D また明日。", NULL },
		.jc_jis_fallback = TRUE,
	},
};

const gsize jp_cases_n = G_N_ELEMENTS(jp_cases);

/* CP932 bytes of UTF-8 s; the test fails when glibc cannot. */
static GString *
to_cp932(const char *s)
{
	gsize n = 0;
	char *b = g_convert(s, -1, "CP932", "UTF-8", NULL, &n, NULL);
	GString *out;

	ck_assert_msg(b != NULL, "no CP932 for \"%s\"", s);
	out = g_string_new_len(b, (gssize)n);
	g_free(b);
	return out;
}

/*
 * IBM extension (lead 0xFA-0xFC) to the NEC-selected code of the same
 * character (0xED40-0xEEFC), found by decoding both areas with glibc.
 */
static guint16
ibm_to_nec(guchar s1, guchar s2)
{
	static GHashTable *nec;
	char in[2] = { (char)s1, (char)s2 };
	g_autofree char *u = NULL;

	if (nec == NULL) {
		nec = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
		    NULL);
		for (guint l = 0xED; l <= 0xEE; l++)
			for (guint t = 0x40; t <= 0xFC; t++) {
				char p[2] = { (char)l, (char)t };
				char *c = g_convert(p, 2, "UTF-8", "CP932",
				    NULL, NULL, NULL);

				if (c != NULL && !g_hash_table_contains(nec, c))
					g_hash_table_insert(nec, c,
					    GUINT_TO_POINTER(l << 8 | t));
				else
					g_free(c);
			}
	}
	u = g_convert(in, 2, "UTF-8", "CP932", NULL, NULL, NULL);
	ck_assert_ptr_nonnull(u);
	return (guint16)GPOINTER_TO_UINT(g_hash_table_lookup(nec, u));
}

char *
jp_sjis_to_jis(const char *sjis, gsize len)
{
	const guchar *p = (const guchar *)sjis;
	GString *out = g_string_new(NULL);
	enum { A, K, J } mode = A;

	for (gsize i = 0; i < len; i++) {
		guchar s1 = p[i], s2;
		guint j1, j2;

		if (s1 < 0x80) {
			if (mode != A)
				g_string_append(out, "\x1B(B");
			mode = A;
			g_string_append_c(out, (char)s1);
			continue;
		}
		if (s1 >= 0xA1 && s1 <= 0xDF) {
			if (mode != K)
				g_string_append(out, "\x1B(I");
			mode = K;
			g_string_append_c(out, (char)(s1 - 0x80));
			continue;
		}
		ck_assert_uint_lt(i + 1, len);
		s2 = p[++i];
		if (s1 >= 0xFA) {
			guint16 nec = ibm_to_nec(s1, s2);

			ck_assert_uint_ne(nec, 0);
			s1 = (guchar)(nec >> 8);
			s2 = (guchar)(nec & 0xFF);
		}
		j1 = (guint)(s1 >= 0xE0 ? s1 - 0x40 : s1);
		j1 = (j1 - 0x81) * 2 + 0x21;
		if (s2 >= 0x9F) {
			j1++;
			j2 = s2 - 0x9F + 0x21;
		} else {
			j2 = (guint)(s2 >= 0x80 ? s2 - 1 : s2) - 0x40 + 0x21;
		}
		if (mode != J)
			g_string_append(out, "\x1B$B");
		mode = J;
		g_string_append_c(out, (char)j1);
		g_string_append_c(out, (char)j2);
	}
	if (mode != A)
		g_string_append(out, "\x1B(B");
	return g_string_free(out, FALSE);
}

static char *
utf8_to_jis(const char *s)
{
	GString *sj = to_cp932(s);
	char *j = jp_sjis_to_jis(sj->str, sj->len);

	g_string_free(sj, TRUE);
	return j;
}

/* s as an ISO-2022-JP B encoded-word. */
static char *
jis_word(const char *s)
{
	g_autofree char *j = utf8_to_jis(s);
	g_autofree char *b = g_base64_encode((const guchar *)j, strlen(j));

	return g_strdup_printf("=?ISO-2022-JP?B?%s?=", b);
}

static char *
header_text(const struct jp_case *c, const char *s)
{
	switch (c->jc_hdr) {
	case JP_HDR_RAWJIS:
		return utf8_to_jis(s);
	case JP_HDR_UTF8:
		return g_strdup(s);
	case JP_HDR_EW:
	default:
		return jis_word(s);
	}
}

/* Appends s with every LF as CRLF. */
static void
append_crlf(GString *m, const char *s, gsize len)
{
	for (gsize i = 0; i < len; i++) {
		if (s[i] == '\n')
			g_string_append_c(m, '\r');
		g_string_append_c(m, s[i]);
	}
}

static void
append_body(GString *m, const struct jp_case *c)
{
	static const char *const labels[] = { "UTF-8", "Shift_JIS",
	    "ISO-2022-JP", "ISO-2022-JP" };
	const char *ct = c->jc_content_type != NULL ? c->jc_content_type :
	    "text/plain";
	gboolean eight = c->jc_enc == JP_UTF8 || c->jc_enc == JP_CP932;

	g_string_append_printf(m, "Content-Type: %s; charset=%s\r\n"
	    "Content-Transfer-Encoding: %s\r\n\r\n", ct, labels[c->jc_enc],
	    eight ? "8bit" : "7bit");
	switch (c->jc_enc) {
	case JP_UTF8:
		append_crlf(m, c->jc_body, strlen(c->jc_body));
		break;
	case JP_CP932: {
		GString *sj = to_cp932(c->jc_body);

		append_crlf(m, sj->str, sj->len);
		g_string_free(sj, TRUE);
		break;
	}
	case JP_JIS: {
		g_autofree char *j = utf8_to_jis(c->jc_body);

		append_crlf(m, j, strlen(j));
		break;
	}
	case JP_BYTES:
	default:
		append_crlf(m, c->jc_bytes, strlen(c->jc_bytes));
		break;
	}
}

char *
jp_case_message(const struct jp_case *c, gsize *len)
{
	GString *m = g_string_new(NULL);
	g_autofree char *from = header_text(c, c->jc_from_name);
	g_autofree char *subject = header_text(c, c->jc_subject);

	g_string_append_printf(m, "From: %s <sender@example.jp>\r\n"
	    "To: uketsuke@example.lg.jp\r\n"
	    "Subject: %s\r\n"
	    "Date: Mon, 7 Dec 2026 09:00:00 +0900\r\n"
	    "Message-ID: <%s@example.jp>\r\n"
	    "MIME-Version: 1.0\r\n", from, subject, c->jc_name);
	if (c->jc_attachment == NULL) {
		append_body(m, c);
	} else {
		/* The name as Becky! and old Outlook write it: ESC ( I. */
		g_autofree char *name = jis_word(c->jc_attachment);
		static const char pdf[] = "%PDF-1.4\n1 0 obj<<>>endobj\n"
		    "trailer<<>>\n%%EOF\n";
		g_autofree char *b64 = g_base64_encode((const guchar *)pdf,
		    sizeof pdf - 1);

		g_string_append(m, "Content-Type: multipart/mixed; "
		    "boundary=\"jp-case\"\r\n\r\n--jp-case\r\n");
		append_body(m, c);
		g_string_append_printf(m, "\r\n--jp-case\r\n"
		    "Content-Type: application/pdf; name=\"%s\"\r\n"
		    "Content-Disposition: attachment; filename=\"%s\"\r\n"
		    "Content-Transfer-Encoding: base64\r\n\r\n%s\r\n"
		    "--jp-case--\r\n", name, name, b64);
	}
	if (len != NULL)
		*len = m->len;
	return g_string_free(m, FALSE);
}

static gunichar
fold_variant(gunichar c)
{
	switch (c) {
	case 0x301C: return 0xFF5E;
	case 0x2212: return 0xFF0D;
	case 0x2016: return 0x2225;
	case 0x2015: return 0x2014;
	default: return c;
	}
}

char *
jp_fold(const char *s)
{
	GString *out = g_string_new(NULL);
	char *nfc;

	for (const char *p = s; *p != '\0'; ) {
		gunichar c = g_utf8_get_char(p);

		if (c >= 0xFF61 && c <= 0xFF9F) {
			const char *q = p;
			g_autofree char *nf = NULL;

			while (*q != '\0' && g_utf8_get_char(q) >= 0xFF61 &&
			    g_utf8_get_char(q) <= 0xFF9F)
				q = g_utf8_next_char(q);
			nf = g_utf8_normalize(p, q - p, G_NORMALIZE_NFKC);
			g_string_append(out, nf);
			p = q;
			continue;
		}
		/* NEC row 13 as ISO-2022-JP output spells it (strict JIS
		 * X 0208: lib/text/charset_enc.c): "(1)", "(株)", "TEL" */
		if ((c >= 0x2460 && c <= 0x2473) || c == 0x2116 ||
		    c == 0x2121 || (c >= 0x2160 && c <= 0x216F) ||
		    (c >= 0x3231 && c <= 0x3239) || (c >= 0x337B &&
		    c <= 0x337E) || (c >= 0x3300 && c <= 0x33FF)) {
			char u[6];
			gsize n = (gsize)g_unichar_to_utf8(c, u);
			g_autofree char *nf = g_utf8_normalize(u, (gssize)n,
			    G_NORMALIZE_NFKC);

			if (c >= 0x2460 && c <= 0x2473)
				g_string_append_printf(out, "(%s)", nf);
			else if (c == 0x2116)
				g_string_append(out, "No.");
			else
				g_string_append(out, nf);
			p = g_utf8_next_char(p);
			continue;
		}
		g_string_append_unichar(out, fold_variant(c));
		p = g_utf8_next_char(p);
	}
	nfc = g_utf8_normalize(out->str, (gssize)out->len, G_NORMALIZE_NFC);
	g_string_free(out, TRUE);
	return nfc;
}
