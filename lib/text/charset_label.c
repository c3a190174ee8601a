/*
 * mugai_charset labels - MIME charset labels to iconv names and families
 *
 * Exports mugai_charset_iconv_name() (charset.h) and mugai_charset_label()
 * (charset_int.h). The table maps every alias we know, Japanese ones to
 * the families charset.c tries in order (all Shift_JIS names to CP932,
 * so NEC/IBM extensions and U+FF5E survive). A label outside the table
 * is passed to iconv only when it is made of [a-z0-9.:+_-] and shorter
 * than CS_LABEL_MAX (no "//TRANSLIT", no paths); names iconv accepts are
 * interned upper-cased, a bounded set. Nothing here is mutable.
 */
#include "autoconfig.h"

#include <string.h>

#include "text/charset.h"
#include "text/charset_int.h"

#define CS_LABEL_MAX	48

static const struct mugai_cs_label cs_labels[] = {
	{ "us-ascii", "US-ASCII", "us-ascii", MUGAI_CS_ASCII },
	{ "ascii", "US-ASCII", "us-ascii", MUGAI_CS_ASCII },
	{ "us", "US-ASCII", "us-ascii", MUGAI_CS_ASCII },
	{ "ansi-x3.4-1968", "US-ASCII", "us-ascii", MUGAI_CS_ASCII },
	{ "iso646-us", "US-ASCII", "us-ascii", MUGAI_CS_ASCII },
	{ "csascii", "US-ASCII", "us-ascii", MUGAI_CS_ASCII },
	{ "utf-8", "UTF-8", "utf-8", MUGAI_CS_UTF8 },
	{ "utf8", "UTF-8", "utf-8", MUGAI_CS_UTF8 },
	{ "unicode-1-1-utf-8", "UTF-8", "utf-8", MUGAI_CS_UTF8 },
	{ "iso-2022-jp", "ISO-2022-JP", "iso-2022-jp", MUGAI_CS_JIS },
	{ "iso2022jp", "ISO-2022-JP", "iso-2022-jp", MUGAI_CS_JIS },
	{ "csiso2022jp", "ISO-2022-JP", "iso-2022-jp", MUGAI_CS_JIS },
	{ "jis", "ISO-2022-JP", "iso-2022-jp", MUGAI_CS_JIS },
	{ "iso-2022-jp-ms", "ISO-2022-JP", "iso-2022-jp", MUGAI_CS_JIS },
	{ "cp50220", "ISO-2022-JP", "iso-2022-jp", MUGAI_CS_JIS },
	{ "cp50221", "ISO-2022-JP", "iso-2022-jp", MUGAI_CS_JIS },
	{ "cp50222", "ISO-2022-JP", "iso-2022-jp", MUGAI_CS_JIS },
	{ "iso-2022-jp-1", "ISO-2022-JP", "iso-2022-jp", MUGAI_CS_JIS },
	{ "iso-2022-jp-2", "ISO-2022-JP", "iso-2022-jp", MUGAI_CS_JIS },
	{ "csiso2022jp2", "ISO-2022-JP", "iso-2022-jp", MUGAI_CS_JIS },
	{ "iso-2022-jp-3", "ISO-2022-JP", "iso-2022-jp", MUGAI_CS_JIS },
	{ "iso-2022-jp-2004", "ISO-2022-JP", "iso-2022-jp", MUGAI_CS_JIS },
	{ "shift-jis", "CP932", "cp932", MUGAI_CS_SJIS },
	{ "shiftjis", "CP932", "cp932", MUGAI_CS_SJIS },
	{ "sjis", "CP932", "cp932", MUGAI_CS_SJIS },
	{ "x-sjis", "CP932", "cp932", MUGAI_CS_SJIS },
	{ "windows-31j", "CP932", "cp932", MUGAI_CS_SJIS },
	{ "cswindows31j", "CP932", "cp932", MUGAI_CS_SJIS },
	{ "cp932", "CP932", "cp932", MUGAI_CS_SJIS },
	{ "ms932", "CP932", "cp932", MUGAI_CS_SJIS },
	{ "x-ms-cp932", "CP932", "cp932", MUGAI_CS_SJIS },
	{ "ms-kanji", "CP932", "cp932", MUGAI_CS_SJIS },
	{ "csshiftjis", "CP932", "cp932", MUGAI_CS_SJIS },
	{ "ibm-943", "CP932", "cp932", MUGAI_CS_SJIS },
	{ "shift-jisx0213", "CP932", "cp932", MUGAI_CS_SJIS },
	{ "shift-jis-2004", "CP932", "cp932", MUGAI_CS_SJIS },
	{ "euc-jp", "EUC-JP", "euc-jp", MUGAI_CS_EUCJP },
	{ "eucjp", "EUC-JP", "euc-jp", MUGAI_CS_EUCJP },
	{ "x-euc-jp", "EUC-JP", "euc-jp", MUGAI_CS_EUCJP },
	{ "x-euc", "EUC-JP", "euc-jp", MUGAI_CS_EUCJP },
	{ "ujis", "EUC-JP", "euc-jp", MUGAI_CS_EUCJP },
	{ "cseucpkdfmtjapanese", "EUC-JP", "euc-jp", MUGAI_CS_EUCJP },
	{ "euc-jp-ms", "EUC-JP", "euc-jp", MUGAI_CS_EUCJP },
	{ "eucjp-ms", "EUC-JP", "euc-jp", MUGAI_CS_EUCJP },
	{ "euc-jisx0213", "EUC-JP", "euc-jp", MUGAI_CS_EUCJP },
	{ "euc-jis-2004", "EUC-JP", "euc-jp", MUGAI_CS_EUCJP },
	{ "iso-8859-1", "ISO-8859-1", "iso-8859-1", MUGAI_CS_SINGLE },
	{ "iso8859-1", "ISO-8859-1", "iso-8859-1", MUGAI_CS_SINGLE },
	{ "latin1", "ISO-8859-1", "iso-8859-1", MUGAI_CS_SINGLE },
	{ "l1", "ISO-8859-1", "iso-8859-1", MUGAI_CS_SINGLE },
	{ "iso-8859-2", "ISO-8859-2", "iso-8859-2", MUGAI_CS_SINGLE },
	{ "latin2", "ISO-8859-2", "iso-8859-2", MUGAI_CS_SINGLE },
	{ "iso-8859-3", "ISO-8859-3", "iso-8859-3", MUGAI_CS_SINGLE },
	{ "iso-8859-4", "ISO-8859-4", "iso-8859-4", MUGAI_CS_SINGLE },
	{ "iso-8859-5", "ISO-8859-5", "iso-8859-5", MUGAI_CS_SINGLE },
	{ "iso-8859-6", "ISO-8859-6", "iso-8859-6", MUGAI_CS_SINGLE },
	{ "iso-8859-7", "ISO-8859-7", "iso-8859-7", MUGAI_CS_SINGLE },
	{ "iso-8859-8", "ISO-8859-8", "iso-8859-8", MUGAI_CS_SINGLE },
	{ "iso-8859-8-i", "ISO-8859-8", "iso-8859-8", MUGAI_CS_SINGLE },
	{ "iso-8859-9", "ISO-8859-9", "iso-8859-9", MUGAI_CS_SINGLE },
	{ "latin5", "ISO-8859-9", "iso-8859-9", MUGAI_CS_SINGLE },
	{ "iso-8859-10", "ISO-8859-10", "iso-8859-10", MUGAI_CS_SINGLE },
	{ "iso-8859-11", "ISO-8859-11", "iso-8859-11", MUGAI_CS_SINGLE },
	{ "iso-8859-13", "ISO-8859-13", "iso-8859-13", MUGAI_CS_SINGLE },
	{ "iso-8859-14", "ISO-8859-14", "iso-8859-14", MUGAI_CS_SINGLE },
	{ "iso-8859-15", "ISO-8859-15", "iso-8859-15", MUGAI_CS_SINGLE },
	{ "latin-9", "ISO-8859-15", "iso-8859-15", MUGAI_CS_SINGLE },
	{ "iso-8859-16", "ISO-8859-16", "iso-8859-16", MUGAI_CS_SINGLE },
	{ "windows-1250", "WINDOWS-1250", "windows-1250", MUGAI_CS_SINGLE },
	{ "windows-1251", "WINDOWS-1251", "windows-1251", MUGAI_CS_SINGLE },
	{ "windows-1252", "WINDOWS-1252", "windows-1252", MUGAI_CS_SINGLE },
	{ "windows-1253", "WINDOWS-1253", "windows-1253", MUGAI_CS_SINGLE },
	{ "windows-1254", "WINDOWS-1254", "windows-1254", MUGAI_CS_SINGLE },
	{ "windows-1255", "WINDOWS-1255", "windows-1255", MUGAI_CS_SINGLE },
	{ "windows-1256", "WINDOWS-1256", "windows-1256", MUGAI_CS_SINGLE },
	{ "windows-1257", "WINDOWS-1257", "windows-1257", MUGAI_CS_SINGLE },
	{ "windows-1258", "WINDOWS-1258", "windows-1258", MUGAI_CS_SINGLE },
	{ "cp1250", "WINDOWS-1250", "windows-1250", MUGAI_CS_SINGLE },
	{ "cp1251", "WINDOWS-1251", "windows-1251", MUGAI_CS_SINGLE },
	{ "cp1252", "WINDOWS-1252", "windows-1252", MUGAI_CS_SINGLE },
	{ "x-cp1252", "WINDOWS-1252", "windows-1252", MUGAI_CS_SINGLE },
	{ "koi8-r", "KOI8-R", "koi8-r", MUGAI_CS_SINGLE },
	{ "koi8-u", "KOI8-U", "koi8-u", MUGAI_CS_SINGLE },
	{ "cp866", "CP866", "cp866", MUGAI_CS_SINGLE },
	{ "ibm866", "CP866", "cp866", MUGAI_CS_SINGLE },
	{ "tis-620", "TIS-620", "tis-620", MUGAI_CS_SINGLE },
	{ "windows-874", "CP874", "windows-874", MUGAI_CS_SINGLE },
	{ "macintosh", "MACINTOSH", "macintosh", MUGAI_CS_SINGLE },
	{ "gb2312", "GB18030", "gb18030", MUGAI_CS_MULTI },
	{ "csgb2312", "GB18030", "gb18030", MUGAI_CS_MULTI },
	{ "euc-cn", "GB18030", "gb18030", MUGAI_CS_MULTI },
	{ "gbk", "GB18030", "gb18030", MUGAI_CS_MULTI },
	{ "x-gbk", "GB18030", "gb18030", MUGAI_CS_MULTI },
	{ "cp936", "GB18030", "gb18030", MUGAI_CS_MULTI },
	{ "gb18030", "GB18030", "gb18030", MUGAI_CS_MULTI },
	{ "big5", "CP950", "big5", MUGAI_CS_MULTI },
	{ "big-5", "CP950", "big5", MUGAI_CS_MULTI },
	{ "cn-big5", "CP950", "big5", MUGAI_CS_MULTI },
	{ "csbig5", "CP950", "big5", MUGAI_CS_MULTI },
	{ "x-x-big5", "CP950", "big5", MUGAI_CS_MULTI },
	{ "cp950", "CP950", "big5", MUGAI_CS_MULTI },
	{ "big5-hkscs", "BIG5-HKSCS", "big5-hkscs", MUGAI_CS_MULTI },
	{ "euc-kr", "CP949", "cp949", MUGAI_CS_MULTI },
	{ "cseuckr", "CP949", "cp949", MUGAI_CS_MULTI },
	{ "ks-c-5601-1987", "CP949", "cp949", MUGAI_CS_MULTI },
	{ "ks-c-5601-1989", "CP949", "cp949", MUGAI_CS_MULTI },
	{ "ks-c-5601", "CP949", "cp949", MUGAI_CS_MULTI },
	{ "ksc5601", "CP949", "cp949", MUGAI_CS_MULTI },
	{ "cp949", "CP949", "cp949", MUGAI_CS_MULTI },
	{ "uhc", "CP949", "cp949", MUGAI_CS_MULTI },
	{ "x-windows-949", "CP949", "cp949", MUGAI_CS_MULTI },
	{ "iso-2022-kr", "ISO-2022-KR", "iso-2022-kr", MUGAI_CS_WIDE },
	{ "iso-2022-cn", "ISO-2022-CN", "iso-2022-cn", MUGAI_CS_WIDE },
	{ "iso-2022-cn-ext", "ISO-2022-CN-EXT", "iso-2022-cn-ext",
	    MUGAI_CS_WIDE },
	{ "utf-16", "UTF-16", "utf-16", MUGAI_CS_WIDE },
	{ "utf-16le", "UTF-16LE", "utf-16le", MUGAI_CS_WIDE },
	{ "utf-16be", "UTF-16BE", "utf-16be", MUGAI_CS_WIDE },
	{ "utf-32", "UTF-32", "utf-32", MUGAI_CS_WIDE },
	{ "utf-32le", "UTF-32LE", "utf-32le", MUGAI_CS_WIDE },
	{ "utf-32be", "UTF-32BE", "utf-32be", MUGAI_CS_WIDE },
	{ "utf-7", "UTF-7", "utf-7", MUGAI_CS_WIDE },
	{ "unicode-1-1-utf-7", "UTF-7", "utf-7", MUGAI_CS_WIDE },
	{ "csunicode11utf7", "UTF-7", "utf-7", MUGAI_CS_WIDE },
};

/* Labels that say "no idea": treated like a missing label. */
static const char *const cs_unknown_labels[] = {
	"unknown-8bit", "x-unknown", "unknown", "8bit", "binary", "default",
	"x-user-defined", "none", NULL,
};

/*
 * Writes label trimmed, lower-cased and cut at '*' or ';' to raw, and the
 * same with '_' as '-' to key. Returns FALSE for an empty, overlong or
 * odd label (iconv never sees characters outside [a-z0-9.:+_-]).
 */
static gboolean
cs_label_norm(const char *label, char raw[CS_LABEL_MAX],
    char key[CS_LABEL_MAX])
{
	const char *p = label;
	gsize n = 0;

	if (p == NULL)
		return FALSE;
	while (*p == ' ' || *p == '\t' || *p == '"' || *p == '\'' ||
	    *p == '\r' || *p == '\n')
		p++;
	for (; *p != '\0'; p++) {
		char c = g_ascii_tolower(*p);

		if (c == ' ' || c == '\t' || c == '"' || c == '\'' ||
		    c == '*' || c == ';' || c == '\r' || c == '\n')
			break;
		if (!g_ascii_isalnum(c) && c != '-' && c != '_' && c != '.' &&
		    c != ':' && c != '+')
			return FALSE;
		if (n + 1 >= CS_LABEL_MAX)
			return FALSE;
		raw[n] = c;
		key[n] = c == '_' ? '-' : c;
		n++;
	}
	raw[n] = key[n] = '\0';
	return n > 0;
}

static const struct mugai_cs_label *
cs_label_find(const char *key)
{
	for (gsize i = 0; i < G_N_ELEMENTS(cs_labels); i++)
		if (strcmp(cs_labels[i].cl_label, key) == 0)
			return &cs_labels[i];
	return NULL;
}

static gboolean
cs_label_is_unknown(const char *key)
{
	for (gsize i = 0; cs_unknown_labels[i] != NULL; i++)
		if (strcmp(cs_unknown_labels[i], key) == 0)
			return TRUE;
	return FALSE;
}

/* Returns TRUE if iconv can convert from and to name. */
static gboolean
cs_iconv_knows(const char *name)
{
	GIConv cd = g_iconv_open("UTF-8", name);

	if (cd == (GIConv)-1)
		return FALSE;
	g_iconv_close(cd);
	return TRUE;
}

/*
 * Returns (transfer none, interned) the upper-cased raw label when iconv
 * knows it, else NULL. Interning is bounded: only names glibc accepts
 * (a fixed set, upper-cased) are ever interned.
 */
static const char *
cs_label_probe(const char *raw)
{
	char up[CS_LABEL_MAX];
	gsize i;

	for (i = 0; raw[i] != '\0' && i + 1 < sizeof(up); i++)
		up[i] = g_ascii_toupper(raw[i]);
	up[i] = '\0';
	if (!cs_iconv_knows(up))
		return NULL;
	return g_intern_string(up);
}

const char *
mugai_charset_iconv_name(const char *label)
{
	char raw[CS_LABEL_MAX], key[CS_LABEL_MAX];
	const struct mugai_cs_label *l;

	if (!cs_label_norm(label, raw, key) || cs_label_is_unknown(key))
		return NULL;
	if ((l = cs_label_find(key)) != NULL)
		return l->cl_iconv;
	return cs_label_probe(raw);
}

const struct mugai_cs_label *
mugai_charset_label(const char *label, struct mugai_cs_label *scratch)
{
	char raw[CS_LABEL_MAX], key[CS_LABEL_MAX];
	const struct mugai_cs_label *l;
	const char *icname;

	if (!cs_label_norm(label, raw, key) || cs_label_is_unknown(key))
		return NULL;
	if ((l = cs_label_find(key)) != NULL)
		return l;
	if ((icname = cs_label_probe(raw)) == NULL)
		return NULL;
	scratch->cl_label = NULL;
	scratch->cl_iconv = icname;
	scratch->cl_name = g_intern_string(raw);
	scratch->cl_class = MUGAI_CS_WIDE;
	return scratch;
}
