/*
 * mugai_xbody - the text of removed documents, after the message's text
 *
 * The walk keeps the decoded bytes of every removed part whose type the
 * [extract] section names (struct mugai_walk_doc, lib/mime/walk.h). When
 * the message is sanitized, mugai_xbody_add() hands each to the process's
 * helper pool (lib/extract/client.h) in the order of the notice, puts the
 * text under a heading naming the file ("添付ファイル「NAME」の内容
 * （テキストのみ） / Text of the attachment "NAME" (text only)") at the
 * end of the walk's text, and records in the part's report entry what
 * became of it (struct mugai_report_text), which the notice then says.
 * The text goes through the same filters as any text (encoded files cut
 * out, textsafe) and into the same body and charset.
 *
 * One pool per process, started by the program (mugai_xbody_start(): the
 * milter after it dropped privileges, the CLI on first use) and freed at
 * exit. Until a program starts it the engine adds nothing (library users
 * and tests see no change); when it could not be started, documents get
 * "text extraction unavailable" and the message goes on. A helper that
 * fails or hangs costs only that document's text.
 */
#ifndef MUGAI_XBODY_H
#define MUGAI_XBODY_H

#include <glib.h>

#include "base/err.h"
#include "base/report.h"
#include "core/config.h"
#include "extract/client.h"
#include "mime/walk.h"

/* Fills o from cf's [extract] section (strings lent from cf). */
void mugai_xbody_opts(const struct mugai_config *cf,
    struct mugai_extract_opts *o);

/*
 * Starts the process's pool from cf's [extract] section; with lazy, only
 * when the first document needs it. Nothing when extraction is disabled.
 * Call before threads use the engine. Returns MUGAI_OK, or the pool's
 * error with *why (transfer full) saying what failed: extraction is then
 * unavailable and messages go on without text.
 */
enum mugai_err mugai_xbody_start(const struct mugai_config *cf,
    gboolean lazy, char **why);

/*
 * Uses p (lent; NULL: extraction unavailable) as the process's pool, for
 * tests with their own helper options. Replaces any pool started.
 */
void mugai_xbody_set_pool(struct mugai_extract_pool *p);

/* Frees the pool started here and goes back to adding nothing. */
void mugai_xbody_stop(void);

/*
 * The documents of w (removed parts of report r, which w's walk filled)
 * through the pool: their text at the end of w->wk_text, what became of
 * each in its part's rp_texts. Nothing when no pool was started.
 */
void mugai_xbody_add(const struct mugai_config *cf, struct mugai_walk *w,
    struct mugai_report *r);

#endif
