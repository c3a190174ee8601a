/*
 * mugai CLI common - what every `mugai` command shares
 *
 * Loading the configuration (-c FILE or the default), printing text that
 * came from mail (control characters and bidi controls never reach the
 * terminal raw), reading members of meta.json, and naming the actor for
 * audit.log. Used by cli/main.c and the quarantine commands; calls
 * nothing of theirs.
 */
#ifndef MUGAI_CLI_COMMON_H
#define MUGAI_CLI_COMMON_H

#include <stdio.h>

#include <glib.h>
#include <json-glib/json-glib.h>

struct mugai_config;

/*
 * Returns (transfer full) the config from path / the default, or NULL:
 * then *why (transfer full) says why, or with why NULL stderr does.
 */
struct mugai_config *mugai_cli_load_config(const char *path, char **why);

/*
 * Prints s to f as one line: control characters (C0, DEL, C1: ESC
 * sequences from mail), line separators and bidi controls shown as
 * \xHH / \uHHHH escapes, bytes that are not UTF-8 as \xHH
 * (mugai_oneline). With width > 0 the text is cut to that many columns
 * (CJK wide characters count two) and padded with spaces.
 */
void mugai_cli_put_text(FILE *f, const char *s, int width);

/* Returns (transfer full) who runs us, for the audit log. */
char *mugai_cli_actor(void);

/*
 * Members of a JSON object read from meta.json (transfer none), or NULL
 * when o is NULL, the member is missing or has another type.
 */
const char *mugai_cli_jstr(JsonObject *o, const char *name);
JsonObject *mugai_cli_jobj(JsonObject *o, const char *name);
JsonArray *mugai_cli_jarr(JsonObject *o, const char *name);

#endif
