/*
 * mugai_callbacks - the libmilter callback table
 *
 * Each xxfi_* callback fetches its context, does one thing and maps the
 * result. Message state is reset at envfrom and freed at eom, abort and
 * close: a connection may carry many messages, or none.
 */
#ifndef MUGAI_CALLBACKS_H
#define MUGAI_CALLBACKS_H

#include <libmilter/mfapi.h>

/* Returns (transfer none) the filter description to register. */
struct smfiDesc *mugai_callbacks_desc(void);

#endif
