/*
 * mugai_notice - the text telling recipients what was removed or withheld
 *
 * Templates are GKeyFiles (conf/notice.ja, conf/notice.en): header, item,
 * warning, quarantined, portal, footer, withheld, action_drop,
 * action_quarantine, unnamed, doubt, signature, type_detected, altered,
 * with
 * {placeholders}. One template per configured language,
 * rendered in order. The built-in templates are the shipped files' text.
 * Every value put into a placeholder (filenames, types, the reason,
 * anything) is made one line first (lib/text/oneline.h): line breaks,
 * controls and bidi controls show as escapes, values longer than
 * MUGAI_ONELINE_MAX characters are cut with an ellipsis, and the longest
 * values of a line are cut further so that it keeps to
 * MUGAI_NOTICE_LINE_MAX. Values are neutralised (textsafe) as they go
 * in, and the engine neutralises the whole body afterwards.
 */
#ifndef MUGAI_NOTICE_H
#define MUGAI_NOTICE_H

#include <glib.h>

#include "base/report.h"

/*
 * Characters in one line of a notice, values included. ISO-2022-JP output
 * wraps lines past 300 characters (lib/text/textbody.c), and a notice
 * line wrapped there would begin a line with the sender's words; the
 * margin is for textsafe, which may edit across a value's edge.
 */
#define MUGAI_NOTICE_LINE_MAX	280

struct mugai_notice;

/*
 * Loads the templates of languages (NULL-terminated) from dir, or the
 * built-in ones when dir is NULL or empty. Returns (transfer full) the set
 * or NULL with *error naming the file and what is wrong.
 */
struct mugai_notice *mugai_notice_load(const char *dir,
    const char *const *languages, GError **error);

void mugai_notice_free(struct mugai_notice *n);

/*
 * Appends to out the notice for the parts of report that were removed
 * (dropped or quarantined); nothing when none was. id is the quarantine ID
 * of the original, or NULL.
 */
void mugai_notice_removed(const struct mugai_notice *n,
    const struct mugai_report *report, const char *id, GString *out);

/* Appends the notice that replaces a withheld message's content. */
void mugai_notice_withheld(const struct mugai_notice *n, const char *reason,
    const char *id, GString *out);

/*
 * The same two with link (may be NULL): the item's mugai-portal URL
 * (lib/portal/link.h), shown by the "portal" template ({link}) after
 * the "quarantined" line.
 */
void mugai_notice_removed_link(const struct mugai_notice *n,
    const struct mugai_report *report, const char *id, const char *link,
    GString *out);
void mugai_notice_withheld_link(const struct mugai_notice *n,
    const char *reason, const char *id, const char *link, GString *out);

#endif
