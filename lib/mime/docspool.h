/*
 * mugai_docspool - the decoded bytes of a removed document, kept for the
 * extraction helper
 *
 * Both engines keep the bytes of a removed part whose type the [extract]
 * section names as they pass on their way to the policy: the streaming
 * walk adds each decoded chunk (mugai_docspool_add()), the GMime walk
 * reads the part through a filter that copies what passes
 * (mugai_docspool_tee()). At most ds_max bytes are kept; past them
 * ds_cut is set and the rest only counted, so the message is never read
 * a second time and a large document costs at most the limit in memory.
 */
#ifndef MUGAI_DOCSPOOL_H
#define MUGAI_DOCSPOOL_H

#include <glib.h>
#include <gmime/gmime.h>

struct mugai_docspool {
	GByteArray *ds_data;	/* the first ds_max bytes (owned) */
	gsize ds_max;
	gboolean ds_cut;	/* there were more */
};

/* Returns (transfer full) a spool keeping at most max bytes. */
struct mugai_docspool *mugai_docspool_new(gsize max);

/* Keeps what fits of len bytes (lent). */
void mugai_docspool_add(struct mugai_docspool *ds, const void *buf,
    gsize len);

/* Returns (transfer full) the kept bytes, leaving ds empty. */
GByteArray *mugai_docspool_steal(struct mugai_docspool *ds);

/* Frees ds; NULL does nothing. */
void mugai_docspool_free(struct mugai_docspool *ds);

/*
 * Returns (transfer full) a stream reading decoded (a reference is
 * taken) unchanged, every byte read also given to ds, which must
 * outlive the stream.
 */
GMimeStream *mugai_docspool_tee(struct mugai_docspool *ds,
    GMimeStream *decoded);

#endif
