/*
 * zipdoc - the XML parts of an OOXML or ODF package, read within a budget
 *
 * x_zip_open() reads the zip of the job once with libarchive: from its
 * central directory (what Office reads), or, when that is missing (a
 * document the client cut), from the local headers. It keeps the bytes of
 * the entries x_zip_wanted() names (the parts the parsers read, nothing
 * else is inflated) and the names of all entries, up to ZIP_MAX_ENTRIES.
 * Every inflated byte counts against xl_max_expanded: past it the entry
 * being read is kept as far as it got and the job is truncated
 * ("max_expanded"), so a zip bomb costs that many bytes and no more. An
 * encrypted entry makes the job encrypted ("zip_encrypted"), a zip
 * libarchive cannot read makes it damaged ("zip_broken"); x_zip_open()
 * then returns NULL. Names are compared without regard to ASCII case (OPC
 * part names are case-insensitive).
 */
#ifndef MUGAI_EXTRACT_ZIPDOC_H
#define MUGAI_EXTRACT_ZIPDOC_H

#include <glib.h>

#include "job.h"

#define ZIP_MAX_ENTRIES	20000

struct zipdoc;

/* TRUE for the entry names whose bytes x_zip_open() keeps. */
gboolean x_zip_wanted(const char *name);

/* Returns (transfer full) the package, or NULL with the job's outcome
 * set. */
struct zipdoc *x_zip_open(struct xjob *job);

/* TRUE when the package has an entry of that name. */
gboolean x_zip_has(const struct zipdoc *z, const char *name);

/* Returns (transfer none) the kept bytes of an entry, or NULL. */
GBytes *x_zip_get(const struct zipdoc *z, const char *name);

/* Frees z; NULL does nothing. */
void x_zip_free(struct zipdoc *z);

#endif
