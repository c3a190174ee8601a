/*
 * mugai_config - mugai.conf (GKeyFile) into one immutable, refcounted struct
 *
 * Every key is one row of the table in config.c: group, name, type, default,
 * bounds and a one-line description. The loader, `mugai check-config` and
 * conf/mugai.conf all follow that table. Unknown groups or keys and values
 * out of range are rejected with "FILE:LINE: message".
 *
 * A loaded config is never changed. Readers take a reference
 * (mugai_config_ref) and drop it when done; a reload builds a new config
 * beside the old one. Members are prefixed cf_ and are read-only.
 */
#ifndef MUGAI_CONFIG_H
#define MUGAI_CONFIG_H

#include <glib.h>

enum mugai_charset_out {
	MUGAI_OUT_UTF8,
	MUGAI_OUT_ISO2022JP,
};

/* What an ISO-2022-JP body does with characters it has no pair for. */
enum mugai_out_fallback {
	MUGAI_FALLBACK_UTF8,		/* the message goes out as UTF-8 */
	MUGAI_FALLBACK_SUBSTITUTE,	/* U+3013 GETA MARK for each */
};

enum mugai_url_mode {
	MUGAI_URL_KEEP,
	MUGAI_URL_DEFANG,
	MUGAI_URL_REMOVE,
};

enum mugai_on_error {
	MUGAI_ON_ERROR_WITHHOLD,	/* deliver a notice, keep the original */
	MUGAI_ON_ERROR_TEMPFAIL,
	MUGAI_ON_ERROR_REJECT,
};

enum mugai_notice_pos {
	MUGAI_NOTICE_TOP,
	MUGAI_NOTICE_BOTTOM,
};

enum mugai_keep_original {
	MUGAI_KEEP_NEVER,
	MUGAI_KEEP_QUARANTINED,
	MUGAI_KEEP_MODIFIED,
	MUGAI_KEEP_ALL,
};

struct mugai_rules;
struct mugai_notice;

struct mugai_config {
	gint cf_refcount;
	char *cf_path;			/* file it came from, or NULL */

	/* [milter] */
	char *cf_socket;
	char *cf_user;
	char *cf_group;
	char *cf_pidfile;
	char *cf_spool_dir;
	char *cf_socket_group;
	gint64 cf_socket_mode;
	gint64 cf_spool_mem_max;
	gint64 cf_milter_timeout;
	gint64 cf_stats_interval;

	/* [sanitize] */
	gint cf_output_charset;		/* enum mugai_charset_out */
	gint cf_output_fallback;	/* enum mugai_out_fallback */
	gint cf_url_mode;		/* enum mugai_url_mode */
	gboolean cf_inline_text_attachments;
	char **cf_remove_headers;	/* NULL-terminated */
	gint cf_notice_position;	/* enum mugai_notice_pos */
	char **cf_notice_languages;	/* NULL-terminated, e.g. {"ja","en"} */
	char *cf_notice_dir;
	gint cf_on_error;		/* enum mugai_on_error */
	char *cf_reject_text;

	/* [limits] */
	gint64 cf_max_depth;
	gint64 cf_max_parts;
	gint64 cf_max_header_size;
	gint64 cf_max_line_length;
	gint64 cf_max_decoded_size;
	gint64 cf_max_message_size;
	gint64 cf_max_html_depth;
	gint64 cf_max_text_size;
	gint64 cf_sniff_size;
	gint64 cf_max_time;		/* milliseconds; 0: no limit */

	/* [quarantine] */
	char *cf_quarantine_dir;
	gint cf_keep_original;		/* enum mugai_keep_original */
	gint64 cf_retention_days;
	char *cf_quarantine_group;
	char *cf_release_secret;
	char *cf_submit_command;
	gint64 cf_release_max_age;

	/* [index] */
	char *cf_index_url;		/* "": SQLite in the store; "none" */
	char *cf_index_node;		/* "": the host name */

	/* The notice templates of cf_notice_languages, loaded with the file. */
	struct mugai_notice *cf_notice;

	/* [policy] attachment policy (lib/policy/policy.c) */
	gint cf_default_action;		/* index of drop, quarantine, ... */
	gint64 cf_archive_max_depth;
	gint64 cf_archive_max_entries;
	gint64 cf_archive_max_bytes;
	gint64 cf_archive_max_ratio;
	gint64 cf_archive_list_max;
	gint64 cf_scan_max_bytes;
	gint64 cf_max_filename_length;

	/* [extract] the text of removed documents (lib/core/xbody.c) */
	gboolean cf_extract_enabled;
	char **cf_extract_types;	/* type hints (mugai_extract_hint) */
	gint64 cf_extract_max_bytes;
	gint64 cf_extract_max_chars;
	gint64 cf_extract_max_message_chars;
	gint64 cf_extract_max_documents;	/* per message */
	gint64 cf_extract_max_pages;
	gint64 cf_extract_max_time;	/* milliseconds, per document */
	gint64 cf_extract_max_message_time;	/* milliseconds; 0: none */
	gint64 cf_extract_pool_size;
	gint64 cf_extract_max_helpers;
	char *cf_extract_helper;	/* "": the installed mugai-extract */

	/* [portal] the recipients' web page (portal/, doc/mugai-portal.8) */
	char *cf_portal_url;		/* "": no link in the notice */
	char *cf_portal_user;		/* the server process's account */
	char *cf_portal_listen;
	char *cf_portal_certificate;
	char *cf_portal_key;
	char *cf_portal_link_secret;	/* "": DIR/portal-link.key */
	gint64 cf_portal_session_lifetime;	/* milliseconds */
	char **cf_portal_auth;		/* "imap", "ldap", tried in order */
	char *cf_portal_imap_url;
	char *cf_portal_ldap_uri;
	char *cf_portal_ldap_bind_dn;
	char *cf_portal_user_domain;
	char **cf_portal_approvers;	/* SCOPE:APPROVER, NULL-terminated */
	char **cf_portal_administrators;
	char **cf_portal_admin_only_rules;
	gint64 cf_portal_login_max_failures;
	gint64 cf_portal_login_lockout;	/* milliseconds */
	char *cf_portal_notify_command;
	gint64 cf_portal_page_size;
	gint64 cf_portal_preview_pages;	/* PDF pages previewed */
	/* The item links' key, loaded when cf_portal_url is set. */
	GBytes *cf_portal_link_key;

	/* [ppap]: the automatic password pick (milter/autopw.c). */
	gboolean cf_ppap_auto_password;
	gint64 cf_ppap_auto_password_window;	/* milliseconds */
	gint64 cf_ppap_auto_password_tries;	/* password mails per archive */

	/* [rule NAME] groups, in file order (lib/policy/rules.h); the built-in
	 * rules when the file has none. */
	struct mugai_rules *cf_rules;
};

/*
 * Returns (transfer full) the built-in defaults, never NULL. They are the
 * values documented in conf/mugai.conf.
 */
struct mugai_config *mugai_config_new_default(void);

/*
 * Loads path. Returns (transfer full) a config, or NULL with *error set to
 * a G_KEY_FILE_ERROR whose message is "path:line: what is wrong".
 */
struct mugai_config *mugai_config_load(const char *path, GError **error);

/* Returns (transfer full) an extra reference to cf. */
struct mugai_config *mugai_config_ref(struct mugai_config *cf);

/* Drops one reference; frees cf with the last. NULL does nothing. */
void mugai_config_unref(struct mugai_config *cf);

/* Returns (transfer full) every key with its effective value, as a config file. */
char *mugai_config_dump(const struct mugai_config *cf);

/* Returns (transfer none) the enum value's name as written in the config. */
const char *mugai_config_on_error_name(gint on_error);
const char *mugai_config_keep_original_name(gint keep);

#endif
