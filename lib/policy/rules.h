/*
 * mugai_rules - the ordered [rule NAME] groups of mugai.conf
 *
 * A rule is a set of matchers and an action; every matcher given must
 * match (a rule with none matches everything). Rules are tried in file
 * order and the first match wins; when none matches, [policy]
 * default_action applies. There is no "pass": every action removes the
 * part (drop, quarantine) or stops the message (reject, tempfail).
 *
 *   [rule encrypted-archive]
 *   archive_encrypted = true          # flags: true = present, false = absent
 *   detected_type = application/zip;application/x-7z-*   # globs, * and ?
 *   declared_type = application/?*      # (any application type)
 *   extension = zip;7z                # final extension, any listed
 *   min_size = 1K                     # bytes, K/M/G suffixes
 *   max_size = 10M
 *   any_flag = pdf_javascript;script  # any listed rp_flags fact present
 *                                     # (the flag table's fl_any rows)
 *   recipient_domain = soumu.city.example.lg.jp;.kyoiku.example.lg.jp
 *   sender_domain = partner.example.jp
 *   action = quarantine               # drop, quarantine, reject, tempfail
 *   warning = text added to the notice for this part
 *
 * Flag matchers: mismatch, dangerous_name, executable, archive_encrypted,
 * archive_executable, macro. recipient_domain matches when every envelope
 * recipient's domain is listed (a leading dot matches subdomains), so a
 * group's rule never decides for a message that also goes elsewhere;
 * sender_domain matches the envelope sender's domain.
 *
 * A config without any [rule] group keeps the built-in rules, which are
 * the ones conf/mugai.conf ships; a config with one or more replaces them
 * all. Unknown keys, bad globs, flags, domains, sizes or actions and a
 * missing action are "FILE:LINE: ..." errors at load.
 */
#ifndef MUGAI_RULES_H
#define MUGAI_RULES_H

#include <glib.h>

#include "base/report.h"
#include "base/envelope.h"

struct mugai_rules;
struct mugai_rule;

/*
 * rp_flags facts the policy sets itself (lib/policy/policy.c), by their
 * bits in the flag table (MUGAI_FLAG_BY_POLICY, lib/base/flag.h), which
 * names them; the last four carry a value ("entries=3").
 */
enum mugai_pol_flag {
	MUGAI_POL_ARCHIVE	= 1 << 0,
	MUGAI_POL_DANGEROUS	= 1 << 1,	/* MUGAI_FN_DANGEROUS */
	MUGAI_POL_EXECUTABLE	= 1 << 2,
	MUGAI_POL_MISMATCH	= 1 << 3,
	MUGAI_POL_CHARSET	= 1 << 4,	/* charset=, libmagic's */
	MUGAI_POL_ENTRIES	= 1 << 5,	/* entries=, af_entries */
	MUGAI_POL_LIMIT		= 1 << 6,	/* limit=, af_limit */
	MUGAI_POL_ENTRY		= 1 << 7,	/* entry=, af_names */
};

/* What a rule is matched against; every member may be NULL. */
struct mugai_rule_facts {
	const char *rf_detected;
	const char *rf_declared;
	const char *rf_ext;		/* lower case, no dot */
	guint64 rf_size;
	const GPtrArray *rf_flags;	/* (char *) as in rp_flags */
	const struct mugai_envelope *rf_env;
};

/* Returns (transfer full) an empty rule list, never NULL. */
struct mugai_rules *mugai_rules_new(void);

/* Returns (transfer full) the built-in rules (those shipped). */
struct mugai_rules *mugai_rules_new_default(void);

/* Frees rules. NULL does nothing. */
void mugai_rules_free(struct mugai_rules *rules);

/* TRUE when group ("rule NAME") belongs to this module. */
gboolean mugai_rules_is_group(const char *group);

/*
 * Parses group of kf and appends it to rules. path and text (the file's
 * contents) locate errors. Returns FALSE with *error set to
 * "path:line: message" (G_KEY_FILE_ERROR_INVALID_VALUE).
 */
gboolean mugai_rules_add_group(struct mugai_rules *rules, GKeyFile *kf,
    const char *group, const char *path, const char *text, GError **error);

/* Number of rules. */
guint mugai_rules_count(const struct mugai_rules *rules);

/* Returns (transfer none) the first rule matching facts, or NULL. */
const struct mugai_rule *mugai_rules_match(const struct mugai_rules *rules,
    const struct mugai_rule_facts *facts);

/* Returns (transfer none) the rule called name, or NULL. */
const struct mugai_rule *mugai_rules_find(const struct mugai_rules *rules,
    const char *name);

/* Returns (transfer none) the rule's name, or its warning (maybe NULL). */
const char *mugai_rule_name(const struct mugai_rule *rule);
const char *mugai_rule_warning(const struct mugai_rule *rule);
enum mugai_action mugai_rule_action(const struct mugai_rule *rule);

/* Appends every rule to out as config text, in order. */
void mugai_rules_dump(const struct mugai_rules *rules, GString *out);

/*
 * Returns (transfer none) the name of action as written in the config
 * ("drop", "quarantine", "reject", "tempfail") or NULL; and parses one.
 */
const char *mugai_rules_action_name(enum mugai_action action);
gboolean mugai_rules_parse_action(const char *s, enum mugai_action *out);

/* TRUE when address's domain (after the last '@') is in domains. */
gboolean mugai_rules_domain_in(const char *address,
    const char *const *domains);

#endif
