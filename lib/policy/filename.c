/*
 * mugai_filename - extensions and dangerous-name checks on decoded names
 *
 * Works on bytes and code points only; never trusts that name is valid
 * UTF-8 (invalid sequences are a finding, MUGAI_FN_BAD_UTF8).
 */
#include "autoconfig.h"

#include <string.h>

#include "base/flag.h"
#include "policy/filename.h"

#define EXT_MAX 16

/* Extensions whose files run code when opened on Windows or a desktop. */
static const char *const exec_exts[] = {
	"exe", "com", "scr", "pif", "bat", "cmd", "vbs", "vbe", "js", "jse",
	"wsf", "wsh", "ws", "wsc", "ps1", "psm1", "psd1", "msi", "msp", "mst",
	"lnk", "url", "hta", "cpl", "jar", "dll", "ocx", "sys", "drv", "reg",
	"scf", "inf", "chm", "application", "appref-ms", "gadget", "msc",
	"msh", "iso", "img", "vhd", "vhdx", "sh", "bash", "csh", "ksh",
	"command", "app", "apk", "elf", "run", "xll", "xla", "ppam", "sct",
	"settingcontent-ms", "library-ms", "search-ms", "one", "py", "pyw",
	"pl", "rb", "php", NULL
};

const char *
mugai_filename_flag_name(enum mugai_fn_flag flag)
{
	return mugai_flag_name(MUGAI_FLAG_BY_FILENAME, flag);
}

gboolean
mugai_filename_ext_is_executable(const char *ext)
{
	if (ext == NULL)
		return FALSE;
	for (gsize i = 0; exec_exts[i] != NULL; i++)
		if (strcmp(exec_exts[i], ext) == 0)
			return TRUE;
	return FALSE;
}

/* Basename of name: after the last '/' or '\\'. */
static const char *
base_of(const char *name)
{
	const char *b = name;

	for (const char *p = name; *p != '\0'; p++)
		if (*p == '/' || *p == '\\')
			b = p + 1;
	return b;
}

/* End of name once trailing dots and spaces are dropped. */
static const char *
trimmed_end(const char *b)
{
	const char *e = b + strlen(b);

	while (e > b && (e[-1] == '.' || e[-1] == ' '))
		e--;
	return e;
}

/* The extension ending at e (exclusive) within [b, e): sets *dot. */
static gboolean
ext_before(const char *b, const char *e, const char **dot)
{
	const char *p = e;

	while (p > b && p[-1] != '.') {
		unsigned char c = (unsigned char)p[-1];

		if (!g_ascii_isalnum(c) && c != '_' && c != '-')
			return FALSE;
		p--;
	}
	if (p == b || p == e || e - p > EXT_MAX)
		return FALSE;
	/* A leading dot alone (".profile") is a hidden name, not an ext. */
	if (p - 1 == b)
		return FALSE;
	*dot = p - 1;
	return TRUE;
}

char *
mugai_filename_extension(const char *name)
{
	const char *b, *e, *dot = NULL;

	if (name == NULL)
		return NULL;
	b = base_of(name);
	e = trimmed_end(b);
	if (!ext_before(b, e, &dot))
		return NULL;
	return g_ascii_strdown(dot + 1, e - dot - 1);
}

static gboolean
is_bidi(gunichar c)
{
	return (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069) ||
	    c == 0x200e || c == 0x200f || c == 0x061c;
}

/* Bits about the characters of name; counts them into *chars. */
static guint
check_chars(const char *name, gsize *chars)
{
	const char *end = NULL;
	guint bits = 0;
	gsize n = 0;

	if (!g_utf8_validate(name, -1, &end)) {
		bits |= MUGAI_FN_BAD_UTF8;
		/* Still look for controls in the bytes. */
		for (const char *p = name; *p != '\0'; p++) {
			unsigned char c = (unsigned char)*p;

			if (c < 0x20 || c == 0x7f)
				bits |= MUGAI_FN_CONTROL;
		}
		*chars = strlen(name);
		return bits;
	}
	for (const char *p = name; *p != '\0'; p = g_utf8_next_char(p)) {
		gunichar c = g_utf8_get_char(p);

		n++;
		if (c < 0x20 || c == 0x7f || (c >= 0x80 && c <= 0x9f))
			bits |= MUGAI_FN_CONTROL;
		else if (is_bidi(c))
			bits |= MUGAI_FN_BIDI;
	}
	*chars = n;
	return bits;
}

guint
mugai_filename_check(const char *name, gsize max_len)
{
	const char *b, *e, *dot = NULL, *dot2 = NULL;
	g_autofree char *ext = NULL;
	gsize chars = 0;
	guint bits;

	if (name == NULL)
		return 0;
	bits = check_chars(name, &chars);
	if (chars > max_len)
		bits |= MUGAI_FN_LONG;
	b = base_of(name);
	e = b + strlen(b);
	if (e > b && (e[-1] == '.' || e[-1] == ' '))
		bits |= MUGAI_FN_TRAILING;
	e = trimmed_end(b);
	if (!ext_before(b, e, &dot))
		return bits;
	ext = g_ascii_strdown(dot + 1, e - dot - 1);
	if (!mugai_filename_ext_is_executable(ext))
		return bits;
	bits |= MUGAI_FN_EXEC_EXT;
	/* Padding before the real extension pushes it out of sight. */
	e = dot;
	while (e > b && e[-1] == ' ')
		e--;
	if (e < dot - 2)
		bits |= MUGAI_FN_DOUBLE_EXT;
	/* A decoy needs a letter: "setup-1.2.exe" is a version. */
	if (ext_before(b, e, &dot2))
		for (const char *p = dot2 + 1; p < e; p++)
			if (g_ascii_isalpha(*p)) {
				bits |= MUGAI_FN_DOUBLE_EXT;
				break;
			}
	return bits;
}
