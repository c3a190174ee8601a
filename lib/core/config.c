/*
 * mugai_config - load, validate and dump mugai.conf
 *
 * One table row per key (group, name, type, default, min, max, help). The
 * loader walks the file's groups and keys and looks each up in the table, so
 * an unknown key is an error, never silently ignored. GKeyFile does not keep
 * line numbers; mugai_keyfile_line_of() finds them in the text for messages.
 */
#include "autoconfig.h"

#include <stddef.h>
#include <string.h>
#include <sys/stat.h>

#include <glib.h>

#include "base/keyfile.h"
#include "core/config.h"
#include "core/notice.h"
#include "extract/client.h"
#include "policy/rules.h"
#include "portal/link.h"

enum key_type {
	KT_STRING,
	KT_BOOL,
	KT_INT,
	KT_SIZE,	/* integer with optional K, M or G suffix */
	KT_DURATION,	/* milliseconds; suffix ms, s, m or h (none: s) */
	KT_OCTAL,
	KT_ENUM,
	KT_LIST,	/* ';' or ',' separated strings */
};

struct key_def {
	const char *group;
	const char *name;
	enum key_type type;
	size_t offset;
	const char *def;	/* default, as written in the file */
	gint64 min, max;
	const char *const *choices;	/* KT_ENUM, index = value */
	const char *help;
};

static const char *const out_charsets[] = { "utf-8", "iso-2022-jp", NULL };
static const char *const out_fallbacks[] = { "utf-8", "substitute", NULL };
static const char *const url_modes[] = { "keep", "defang", "remove", NULL };
static const char *const on_errors[] = { "withhold", "tempfail", "reject",
    NULL };
static const char *const positions[] = { "top", "bottom", NULL };
static const char *const keep_originals[] = { "never", "quarantined",
    "modified", "all", NULL };
static const char *const part_actions[] = { "drop", "quarantine", "reject",
    "tempfail", NULL };

#define OFF(m) offsetof(struct mugai_config, m)
#define KiB MUGAI_KiB
#define MiB MUGAI_MiB
#define GiB MUGAI_GiB

static const struct key_def keys[] = {
	{ "milter", "socket", KT_STRING, OFF(cf_socket),
	  "inet:8890@127.0.0.1", 0, 0, NULL,
	  "where the MTA connects: inet:PORT@ADDR, inet6:PORT@ADDR or unix:PATH" },
	{ "milter", "socket_mode", KT_OCTAL, OFF(cf_socket_mode),
	  "0660", 0, 0777, NULL, "mode of a unix socket" },
	{ "milter", "socket_group", KT_STRING, OFF(cf_socket_group),
	  "", 0, 0, NULL, "group of a unix socket (empty: the daemon's group)" },
	{ "milter", "user", KT_STRING, OFF(cf_user),
	  "mugai", 0, 0, NULL, "user the daemon runs as after binding" },
	{ "milter", "group", KT_STRING, OFF(cf_group),
	  "mugai", 0, 0, NULL, "group the daemon runs as after binding" },
	{ "milter", "pidfile", KT_STRING, OFF(cf_pidfile),
	  "/run/mugai/mugai-milter.pid", 0, 0, NULL,
	  "pid file (empty: none)" },
	{ "milter", "spool_dir", KT_STRING, OFF(cf_spool_dir),
	  "/var/spool/mugai", 0, 0, NULL,
	  "where message bodies past spool_mem_max are spooled (unlinked files)" },
	{ "milter", "spool_mem_max", KT_SIZE, OFF(cf_spool_mem_max),
	  "1M", 0, 1 * GiB, NULL, "bytes of a message kept in memory" },
	{ "milter", "timeout", KT_INT, OFF(cf_milter_timeout),
	  "3600", 1, 86400, NULL,
	  "seconds an MTA connection may stay idle before it is closed" },
	{ "milter", "stats_interval", KT_INT, OFF(cf_stats_interval),
	  "3600", 0, 604800, NULL,
	  "seconds between stats lines in the log (0: only at reload and stop)" },

	{ "sanitize", "output_charset", KT_ENUM, OFF(cf_output_charset),
	  "utf-8", 0, 0, out_charsets,
	  "charset of the sanitized text: utf-8 or iso-2022-jp (7bit)" },
	{ "sanitize", "output_fallback", KT_ENUM, OFF(cf_output_fallback),
	  "utf-8", 0, 0, out_fallbacks,
	  "iso-2022-jp text with characters it cannot carry: utf-8 (send that "
	  "message as UTF-8) or substitute (U+3013 for each)" },
	{ "sanitize", "url_mode", KT_ENUM, OFF(cf_url_mode),
	  "keep", 0, 0, url_modes,
	  "link URLs from HTML: keep, defang (hxxps://example[.]jp) or remove" },
	{ "sanitize", "inline_text_attachments", KT_BOOL,
	  OFF(cf_inline_text_attachments), "false", 0, 0, NULL,
	  "render text/plain attachments into the body instead of removing them" },
	{ "sanitize", "remove_headers", KT_LIST, OFF(cf_remove_headers),
	  "DKIM-Signature", 0, 0, NULL,
	  "headers removed from a changed message" },
	{ "sanitize", "notice_position", KT_ENUM, OFF(cf_notice_position),
	  "top", 0, 0, positions, "where the removal notice goes: top or bottom" },
	{ "sanitize", "notice_languages", KT_LIST, OFF(cf_notice_languages),
	  "ja;en", 0, 0, NULL,
	  "notice templates used, in order (notice.LANG in notice_dir)" },
	{ "sanitize", "notice_dir", KT_STRING, OFF(cf_notice_dir),
	  "", 0, 0, NULL,
	  "directory of the notice templates (empty: built-in templates)" },
	{ "sanitize", "on_error", KT_ENUM, OFF(cf_on_error),
	  "withhold", 0, 0, on_errors,
	  "message that cannot be sanitized: withhold, tempfail or reject" },
	{ "sanitize", "reject_text", KT_STRING, OFF(cf_reject_text),
	  "Message refused by the mail sanitization policy", 0, 0, NULL,
	  "text of the 550 5.7.1 reply when a message is rejected" },

	{ "limits", "max_depth", KT_INT, OFF(cf_max_depth),
	  "20", 1, 1000, NULL, "MIME nesting depth" },
	{ "limits", "max_parts", KT_INT, OFF(cf_max_parts),
	  "1000", 1, 100000, NULL, "MIME parts in one message" },
	{ "limits", "max_header_size", KT_SIZE, OFF(cf_max_header_size),
	  "256K", 1024, 64 * MiB, NULL, "bytes in the top header block, and in "
	  "one header field anywhere (never read past 256K)" },
	{ "limits", "max_line_length", KT_SIZE, OFF(cf_max_line_length),
	  "1M", 998, 1 * GiB, NULL, "bytes in one line of the message" },
	{ "limits", "max_decoded_size", KT_SIZE, OFF(cf_max_decoded_size),
	  "200M", 1024, 16 * GiB, NULL, "decoded bytes of all parts together" },
	{ "limits", "max_message_size", KT_SIZE, OFF(cf_max_message_size),
	  "200M", 1024, 16 * GiB, NULL, "bytes of the whole message" },
	{ "limits", "max_html_depth", KT_INT, OFF(cf_max_html_depth),
	  "256", 8, 10000, NULL, "element nesting depth rendered in HTML" },
	{ "limits", "max_text_size", KT_SIZE, OFF(cf_max_text_size),
	  "16M", 1024, 1 * GiB, NULL, "bytes of sanitized text produced" },
	{ "limits", "sniff_size", KT_SIZE, OFF(cf_sniff_size),
	  "64K", 512, 16 * MiB, NULL,
	  "leading bytes of a part given to type detection" },
	{ "limits", "max_time", KT_DURATION, OFF(cf_max_time),
	  "60s", 0, 3600 * 1000, NULL,
	  "time spent sanitizing one message (e.g. 60s, 500ms; 0: no limit)" },

	{ "quarantine", "dir", KT_STRING, OFF(cf_quarantine_dir),
	  "/var/lib/mugai/quarantine", 0, 0, NULL,
	  "the quarantine store of originals" },
	{ "quarantine", "keep_original", KT_ENUM, OFF(cf_keep_original),
	  "modified", 0, 0, keep_originals,
	  "which originals are kept: never, quarantined, modified or all" },
	{ "quarantine", "retention_days", KT_INT, OFF(cf_retention_days),
	  "90", 1, 36500, NULL, "days `mugai quarantine purge` keeps items" },
	{ "quarantine", "group", KT_STRING, OFF(cf_quarantine_group),
	  "", 0, 0, NULL, "group that may read the store (auditors)" },
	{ "quarantine", "release_secret", KT_STRING, OFF(cf_release_secret),
	  "/etc/mugai/release.key", 0, 0, NULL,
	  "HMAC key file for X-Mugai-Release (mode 0600)" },
	{ "quarantine", "submit_command", KT_STRING, OFF(cf_submit_command),
	  "/usr/sbin/sendmail -G -i", 0, 0, NULL,
	  "command that re-injects a released message" },
	{ "quarantine", "release_max_age", KT_INT, OFF(cf_release_max_age),
	  "86400", 60, 30 * 86400, NULL,
	  "seconds a release header stays valid" },

	{ "index", "url", KT_STRING, OFF(cf_index_url),
	  "", 0, 0, NULL,
	  "the quarantine index: empty for SQLite in the store, "
	  "postgresql://... for one shared by several gateways, none" },
	{ "index", "node", KT_STRING, OFF(cf_index_node),
	  "", 0, 0, NULL,
	  "this gateway's name in the index (empty: the host name)" },

	{ "policy", "default_action", KT_ENUM, OFF(cf_default_action),
	  "quarantine", 0, 0, part_actions,
	  "action for a part no [rule] matches: drop, quarantine, reject, "
	  "tempfail" },
	{ "policy", "archive_max_depth", KT_INT, OFF(cf_archive_max_depth),
	  "3", 1, 16, NULL, "archive levels opened (the attachment is 1)" },
	{ "policy", "archive_max_entries", KT_INT,
	  OFF(cf_archive_max_entries), "1000", 1, 1000000, NULL,
	  "archive entries examined over all levels" },
	{ "policy", "archive_max_bytes", KT_SIZE, OFF(cf_archive_max_bytes),
	  "64M", 1 * KiB, 16 * GiB, NULL,
	  "bytes expanded from an archive over all levels" },
	{ "policy", "archive_max_ratio", KT_INT, OFF(cf_archive_max_ratio),
	  "100", 2, 1000000, NULL,
	  "expanded to compressed ratio allowed past the first MiB" },
	{ "policy", "archive_list_max", KT_INT, OFF(cf_archive_list_max),
	  "20", 0, 100000, NULL, "archive entry names kept for the report" },
	{ "policy", "scan_max_bytes", KT_SIZE, OFF(cf_scan_max_bytes),
	  "32M", 1 * KiB, 16 * GiB, NULL,
	  "bytes of a document scanned for macros, PDF actions and scripts" },
	{ "policy", "max_filename_length", KT_INT,
	  OFF(cf_max_filename_length), "200", 16, 4096, NULL,
	  "characters in an attachment name before it counts as dangerous" },

	{ "extract", "enabled", KT_BOOL, OFF(cf_extract_enabled),
	  "true", 0, 0, NULL,
	  "put the text of removed documents after the message's text" },
	{ "extract", "types", KT_LIST, OFF(cf_extract_types),
	  "pdf;docx;xlsx;pptx;odt;ods;odp;rtf;doc;xls;ppt;html;xml;csv;text;"
	  "ics;vcf",
	  0, 0, NULL, "document types whose text is extracted (type hints)" },
	{ "extract", "max_bytes", KT_SIZE, OFF(cf_extract_max_bytes),
	  "32M", 1 * KiB, 1 * GiB, NULL,
	  "bytes of one document read (past it only its start)" },
	{ "extract", "max_chars", KT_INT, OFF(cf_extract_max_chars),
	  "200000", 100, 100000000, NULL, "characters of text per document" },
	{ "extract", "max_message_chars", KT_INT,
	  OFF(cf_extract_max_message_chars), "1000000", 100, 1000000000, NULL,
	  "characters of document text per message" },
	{ "extract", "max_documents", KT_INT, OFF(cf_extract_max_documents),
	  "20", 1, 10000, NULL, "documents read per message" },
	{ "extract", "max_pages", KT_INT, OFF(cf_extract_max_pages),
	  "200", 1, 1000000, NULL,
	  "pages, sheets or slides read per document" },
	{ "extract", "max_time", KT_DURATION, OFF(cf_extract_max_time),
	  "10s", 100, 600 * 1000, NULL, "time to read one document" },
	{ "extract", "max_message_time", KT_DURATION,
	  OFF(cf_extract_max_message_time), "30s", 0, 3600 * 1000, NULL,
	  "time to read the documents of one message (0: no limit)" },
	{ "extract", "pool_size", KT_INT, OFF(cf_extract_pool_size),
	  "2", 0, 64, NULL, "helpers kept started and waiting" },
	{ "extract", "max_helpers", KT_INT, OFF(cf_extract_max_helpers),
	  "8", 1, 256, NULL, "documents read at once" },
	{ "extract", "helper", KT_STRING, OFF(cf_extract_helper),
	  "", 0, 0, NULL,
	  "the mugai-extract program (empty: the installed one)" },
	{ "portal", "portal_url", KT_STRING, OFF(cf_portal_url),
	  "", 0, 0, NULL,
	  "base URL of mugai-portal; the notice links each item there "
	  "(empty: no link)" },
	{ "portal", "listen", KT_STRING, OFF(cf_portal_listen),
	  "127.0.0.1:8443", 0, 0, NULL,
	  "address and port mugai-portal serves HTTPS on (ADDR:PORT)" },
	{ "portal", "certificate", KT_STRING, OFF(cf_portal_certificate),
	  "/etc/mugai/portal.crt", 0, 0, NULL,
	  "TLS certificate (PEM) of mugai-portal" },
	{ "portal", "key", KT_STRING, OFF(cf_portal_key),
	  "/etc/mugai/portal.key", 0, 0, NULL,
	  "TLS private key (PEM) of mugai-portal" },
	{ "portal", "link_secret", KT_STRING, OFF(cf_portal_link_secret),
	  "", 0, 0, NULL,
	  "HMAC key file of the item links (empty: portal-link.key in the "
	  "quarantine dir)" },
	{ "portal", "session_lifetime", KT_DURATION,
	  OFF(cf_portal_session_lifetime), "8h", 60 * 1000,
	  7 * 24 * 3600 * G_GINT64_CONSTANT(1000), NULL,
	  "how long a portal login lasts" },
	{ "portal", "auth", KT_LIST, OFF(cf_portal_auth),
	  "imap", 0, 0, NULL,
	  "how the portal checks passwords, tried in order: imap (the mail "
	  "store), ldap" },
	{ "portal", "imap_url", KT_STRING, OFF(cf_portal_imap_url),
	  "imaps://127.0.0.1/", 0, 0, NULL,
	  "IMAP server the portal logs in to (auth = imap)" },
	{ "portal", "ldap_uri", KT_STRING, OFF(cf_portal_ldap_uri),
	  "ldap://127.0.0.1/", 0, 0, NULL,
	  "LDAP server of the simple bind (auth = ldap)" },
	{ "portal", "ldap_bind_dn", KT_STRING, OFF(cf_portal_ldap_bind_dn),
	  "uid=%u,ou=people,dc=example,dc=jp", 0, 0, NULL,
	  "DN bound as; %u is the login name, %m the address (auth = ldap)" },
	{ "portal", "user_domain", KT_STRING, OFF(cf_portal_user_domain),
	  "", 0, 0, NULL,
	  "domain added to a login name without @ to make the user's address" },
	{ "portal", "approvers", KT_LIST, OFF(cf_portal_approvers),
	  "", 0, 0, NULL,
	  "who approves for whom: SCOPE:APPROVER; ... (SCOPE an address, "
	  "@domain or *)" },
	{ "portal", "administrators", KT_LIST, OFF(cf_portal_administrators),
	  "", 0, 0, NULL, "addresses that see and decide every item" },
	{ "portal", "admin_only_rules", KT_LIST,
	  OFF(cf_portal_admin_only_rules), "", 0, 0, NULL,
	  "rules whose parts only an administrator may release" },
	{ "portal", "login_max_failures", KT_INT,
	  OFF(cf_portal_login_max_failures), "5", 1, 1000, NULL,
	  "failed logins per user or per address before a lockout" },
	{ "portal", "login_lockout", KT_DURATION,
	  OFF(cf_portal_login_lockout), "15m", 1000,
	  24 * 3600 * G_GINT64_CONSTANT(1000), NULL,
	  "how long a user or address stays locked out" },
	{ "portal", "user", KT_STRING, OFF(cf_portal_user), "mugai-portal",
	  0, 0, NULL, "account the portal's server process runs as, in the "
	  "store's group (empty: the store's owner, as before)" },
	{ "portal", "notify_command", KT_STRING,
	  OFF(cf_portal_notify_command), "/usr/sbin/sendmail -i", 0, 0,
	  NULL, "command that sends the approvers' notification mail "
	  "(empty: none)" },
	{ "portal", "page_size", KT_INT, OFF(cf_portal_page_size),
	  "50", 5, 1000, NULL, "items per page of the portal's list" },
	{ "portal", "preview_pages", KT_INT, OFF(cf_portal_preview_pages),
	  "3", 0, 20, NULL, "PDF pages the portal's item page previews "
	  "(0: no preview)" },

	{ "ppap", "auto_password", KT_BOOL, OFF(cf_ppap_auto_password),
	  "false", 0, 0, NULL,
	  "open a kept encrypted archive with the password of a later mail "
	  "from the same sender to the same recipient" },
	{ "ppap", "auto_password_window", KT_DURATION,
	  OFF(cf_ppap_auto_password_window), "30m", 1000,
	  24 * 3600 * G_GINT64_CONSTANT(1000), NULL,
	  "how long after the archive a password mail is looked for" },
	{ "ppap", "auto_password_tries", KT_INT,
	  OFF(cf_ppap_auto_password_tries), "2", 1, 4, NULL,
	  "password mails tried per archive (each wrong one costs one of "
	  "the archive's 5 tries in 10 minutes)" },
};

static const char *const *
key_choices(const struct key_def *k)
{
	return k->choices;
}

static const struct key_def *
find_key(const char *group, const char *name)
{
	for (gsize i = 0; i < G_N_ELEMENTS(keys); i++)
		if (strcmp(keys[i].group, group) == 0 &&
		    strcmp(keys[i].name, name) == 0)
			return &keys[i];
	return NULL;
}

static gboolean
known_group(const char *group)
{
	for (gsize i = 0; i < G_N_ELEMENTS(keys); i++)
		if (strcmp(keys[i].group, group) == 0)
			return TRUE;
	return FALSE;
}

/* Sets the member of k from string s; returns FALSE with a reason. */
static gboolean
set_value(struct mugai_config *cf, const struct key_def *k, const char *s,
    char **why)
{
	void *slot = (char *)cf + k->offset;
	char *end = NULL;
	gint64 v = 0;

	switch (k->type) {
	case KT_STRING:
		g_free(*(char **)slot);
		*(char **)slot = g_strdup(s);
		return TRUE;
	case KT_BOOL:
		if (g_ascii_strcasecmp(s, "true") == 0 ||
		    g_ascii_strcasecmp(s, "yes") == 0 || strcmp(s, "1") == 0)
			*(gboolean *)slot = TRUE;
		else if (g_ascii_strcasecmp(s, "false") == 0 ||
		    g_ascii_strcasecmp(s, "no") == 0 || strcmp(s, "0") == 0)
			*(gboolean *)slot = FALSE;
		else {
			*why = g_strdup_printf("%s: expected true or false, got "
			    "\"%s\"", k->name, s);
			return FALSE;
		}
		return TRUE;
	case KT_INT:
		v = g_ascii_strtoll(s, &end, 10);
		if (*s == '\0' || end == NULL || *end != '\0') {
			*why = g_strdup_printf("%s: expected an integer, got "
			    "\"%s\"", k->name, s);
			return FALSE;
		}
		break;
	case KT_SIZE:
		if (!mugai_keyfile_parse_size(s, &v)) {
			*why = g_strdup_printf("%s: expected a size (e.g. 64K, "
			    "10M), got \"%s\"", k->name, s);
			return FALSE;
		}
		break;
	case KT_DURATION:
		if (!mugai_keyfile_parse_duration(s, &v)) {
			*why = g_strdup_printf("%s: expected a duration (e.g. "
			    "60s, 500ms, 2m), got \"%s\"", k->name, s);
			return FALSE;
		}
		break;
	case KT_OCTAL:
		v = g_ascii_strtoll(s, &end, 8);
		if (*s == '\0' || end == NULL || *end != '\0') {
			*why = g_strdup_printf("%s: expected an octal mode, got "
			    "\"%s\"", k->name, s);
			return FALSE;
		}
		break;
	case KT_ENUM: {
		const char *const *c = key_choices(k);

		for (gint i = 0; c[i] != NULL; i++)
			if (g_ascii_strcasecmp(c[i], s) == 0) {
				*(gint *)slot = i;
				return TRUE;
			}
		g_autofree char *all = g_strjoinv(", ", (char **)c);
		*why = g_strdup_printf("%s: \"%s\" is not one of: %s", k->name,
		    s, all);
		return FALSE;
	}
	case KT_LIST: {
		char **parts = g_strsplit_set(s, ";,", -1);
		GPtrArray *a = g_ptr_array_new();

		for (char **p = parts; *p != NULL; p++) {
			g_strstrip(*p);
			if (**p != '\0')
				g_ptr_array_add(a, g_strdup(*p));
		}
		g_ptr_array_add(a, NULL);
		g_strfreev(parts);
		g_strfreev(*(char ***)slot);
		*(char ***)slot = (char **)g_ptr_array_free(a, FALSE);
		return TRUE;
	}
	}
	if (v < k->min || v > k->max) {
		*why = g_strdup_printf("%s: %s is out of range (%" G_GINT64_FORMAT
		    "..%" G_GINT64_FORMAT ")", k->name, s, k->min, k->max);
		return FALSE;
	}
	*(gint64 *)slot = v;
	return TRUE;
}

struct mugai_config *
mugai_config_new_default(void)
{
	struct mugai_config *cf = g_new0(struct mugai_config, 1);

	cf->cf_refcount = 1;
	for (gsize i = 0; i < G_N_ELEMENTS(keys); i++) {
		char *why = NULL;

		if (!set_value(cf, &keys[i], keys[i].def, &why))
			g_error("built-in default of %s is invalid: %s",
			    keys[i].name, why);
	}
	cf->cf_notice = mugai_notice_load(NULL,
	    (const char *const *)cf->cf_notice_languages, NULL);
	g_assert(cf->cf_notice != NULL);
	cf->cf_rules = mugai_rules_new_default();
	return cf;
}

/* Applies every key of group; returns FALSE at the first bad one. */
static gboolean
load_group(struct mugai_config *cf, GKeyFile *kf, const char *group,
    const char *path, const char *text, GError **error)
{
	g_auto(GStrv) names = g_key_file_get_keys(kf, group, NULL, NULL);

	for (char **n = names; n != NULL && *n != NULL; n++) {
		const struct key_def *k = find_key(group, *n);
		guint line = mugai_keyfile_line_of(text, group, *n);
		g_autofree char *val = NULL;
		g_autofree char *why = NULL;

		if (k == NULL) {
			mugai_keyfile_fail_at(error, path, line,
			    "unknown key \"%s\" in [%s]", *n, group);
			return FALSE;
		}
		val = g_key_file_get_value(kf, group, *n, NULL);
		g_strstrip(val);
		if (!set_value(cf, k, val, &why)) {
			mugai_keyfile_fail_at(error, path, line, "%s", why);
			return FALSE;
		}
	}
	return TRUE;
}

/* [extract] types names only types the helper knows (extract/client.h). */
static gboolean
extract_types_valid(const struct mugai_config *cf, const char *path,
    const char *text, GError **error)
{
	for (char **t = cf->cf_extract_types; t != NULL && *t != NULL; t++)
		if (!mugai_extract_hint_known(*t)) {
			mugai_keyfile_fail_at(error, path,
			    mugai_keyfile_line_of(text, "extract", "types"),
			    "types: unknown document type \"%s\"", *t);
			return FALSE;
		}
	return TRUE;
}

/*
 * With portal_url set, the notice links each item with a MAC: the key is
 * read now (created for the store's owner when missing, so whoever
 * loads the file first makes it right), and a key that cannot be had is
 * an error of the file, not a notice without its link.
 */
static gboolean
load_link_key(struct mugai_config *cf, const char *path, const char *text,
    GError **error)
{
	g_autofree char *key = NULL;
	enum mugai_err err;
	struct stat st;

	if (cf->cf_portal_url == NULL || cf->cf_portal_url[0] == '\0')
		return TRUE;
	cf->cf_portal_link_key = mugai_link_key_load(cf, TRUE,
	    stat(cf->cf_quarantine_dir, &st) == 0 ? st.st_uid : (uid_t)-1,
	    &err);
	if (cf->cf_portal_link_key != NULL)
		return TRUE;
	key = mugai_link_key_path(cf);
	mugai_keyfile_fail_at(error, path,
	    mugai_keyfile_line_of(text, "portal", "portal_url"),
	    "portal_url needs the link key %s: %s", key, mugai_err_str(err));
	return FALSE;
}

struct mugai_config *
mugai_config_load(const char *path, GError **error)
{
	g_autofree char *text = NULL;
	gsize len = 0;
	g_autoptr(GKeyFile) kf = g_key_file_new();
	g_auto(GStrv) groups = NULL;
	GError *kerr = NULL;
	struct mugai_config *cf;
	struct mugai_rules *rules = NULL;

	if (!g_file_get_contents(path, &text, &len, error))
		return NULL;
	if (memchr(text, '\0', len) != NULL) {
		mugai_keyfile_fail_at(error, path, 0,
		    "NUL byte in configuration file");
		return NULL;
	}
	if (!g_key_file_load_from_data(kf, text, len, G_KEY_FILE_NONE,
	    &kerr)) {
		g_set_error(error, G_KEY_FILE_ERROR, kerr->code, "%s: %s", path,
		    kerr->message);
		g_error_free(kerr);
		return NULL;
	}
	cf = mugai_config_new_default();
	cf->cf_path = g_strdup(path);
	groups = g_key_file_get_groups(kf, NULL);
	for (char **g = groups; *g != NULL; g++) {
		/* [rule NAME] groups belong to lib/policy/rules.c, in file order;
		 * the first one replaces the built-in rules. */
		if (mugai_rules_is_group(*g)) {
			if (rules == NULL)
				rules = mugai_rules_new();
			if (!mugai_rules_add_group(rules, kf, *g, path, text,
			    error))
				goto bad;
			continue;
		}
		if (!known_group(*g)) {
			mugai_keyfile_fail_at(error, path,
			    mugai_keyfile_line_of(text, *g, NULL),
			    "unknown section [%s]", *g);
			goto bad;
		}
		if (!load_group(cf, kf, *g, path, text, error))
			goto bad;
	}
	if (!extract_types_valid(cf, path, text, error))
		goto bad;
	mugai_notice_free(cf->cf_notice);
	cf->cf_notice = mugai_notice_load(cf->cf_notice_dir,
	    (const char *const *)cf->cf_notice_languages, &kerr);
	if (cf->cf_notice == NULL) {
		mugai_keyfile_fail_at(error, path,
		    mugai_keyfile_line_of(text, "sanitize", "notice_languages"),
		    "%s", kerr->message);
		g_error_free(kerr);
		goto bad;
	}
	if (rules != NULL) {
		mugai_rules_free(cf->cf_rules);
		cf->cf_rules = rules;
	}
	if (!load_link_key(cf, path, text, error))
		goto bad;
	return cf;
bad:
	mugai_rules_free(rules);
	mugai_config_unref(cf);
	return NULL;
}

struct mugai_config *
mugai_config_ref(struct mugai_config *cf)
{
	g_atomic_int_inc(&cf->cf_refcount);
	return cf;
}

void
mugai_config_unref(struct mugai_config *cf)
{
	if (cf == NULL || !g_atomic_int_dec_and_test(&cf->cf_refcount))
		return;
	for (gsize i = 0; i < G_N_ELEMENTS(keys); i++) {
		void *slot = (char *)cf + keys[i].offset;

		if (keys[i].type == KT_STRING)
			g_free(*(char **)slot);
		else if (keys[i].type == KT_LIST)
			g_strfreev(*(char ***)slot);
	}
	mugai_notice_free(cf->cf_notice);
	mugai_rules_free(cf->cf_rules);
	if (cf->cf_portal_link_key != NULL)
		g_bytes_unref(cf->cf_portal_link_key);
	g_free(cf->cf_path);
	g_free(cf);
}

static char *
format_value(const struct mugai_config *cf, const struct key_def *k)
{
	const void *slot = (const char *)cf + k->offset;

	switch (k->type) {
	case KT_STRING:
		return g_strdup(*(char *const *)slot);
	case KT_BOOL:
		return g_strdup(*(const gboolean *)slot ? "true" : "false");
	case KT_INT:
	case KT_SIZE:
		return g_strdup_printf("%" G_GINT64_FORMAT,
		    *(const gint64 *)slot);
	case KT_DURATION: {
		gint64 ms = *(const gint64 *)slot;

		if (ms % 1000 != 0)
			return g_strdup_printf("%" G_GINT64_FORMAT "ms", ms);
		return g_strdup_printf("%" G_GINT64_FORMAT "s", ms / 1000);
	}
	case KT_OCTAL:
		return g_strdup_printf("%04" G_GINT64_MODIFIER "o",
		    *(const gint64 *)slot);
	case KT_ENUM:
		return g_strdup(key_choices(k)[*(const gint *)slot]);
	case KT_LIST:
		return g_strjoinv(";", *(char **const *)slot);
	}
	return g_strdup("");
}

char *
mugai_config_dump(const struct mugai_config *cf)
{
	GString *out = g_string_new(NULL);
	const char *group = NULL;

	for (gsize i = 0; i < G_N_ELEMENTS(keys); i++) {
		g_autofree char *v = format_value(cf, &keys[i]);

		if (group == NULL || strcmp(group, keys[i].group) != 0) {
			group = keys[i].group;
			g_string_append_printf(out, "%s[%s]\n",
			    out->len > 0 ? "\n" : "", group);
		}
		g_string_append_printf(out, "# %s\n%s = %s\n", keys[i].help,
		    keys[i].name, v);
	}
	mugai_rules_dump(cf->cf_rules, out);
	return g_string_free(out, FALSE);
}

const char *
mugai_config_on_error_name(gint on_error)
{
	return on_errors[CLAMP(on_error, 0, 2)];
}

const char *
mugai_config_keep_original_name(gint keep)
{
	return keep_originals[CLAMP(keep, 0, 3)];
}
