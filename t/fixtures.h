/*
 * fixtures - test inputs built in memory: executables, archives, office
 * documents, PDFs. Nothing binary is committed; every byte is made here.
 * Every function returns (transfer full) a GBytes.
 */
#ifndef MUGAI_FIXTURES_H
#define MUGAI_FIXTURES_H

#include <glib.h>

struct fx_entry {
	const char *name;
	GBytes *data;		/* (transfer none); NULL: a directory */
	gboolean unsized;	/* size left out of the header: a zip entry
				 * then carries a data descriptor (bit 3) */
};

/* A PE32 file: DOS header, stub, "PE\0\0", COFF header. */
GBytes *fx_pe(void);
/* A 64-bit ELF header followed by padding. */
GBytes *fx_elf(void);
/* bytes of text. */
GBytes *fx_text(const char *s);
/* n zero bytes; n bytes of c. */
GBytes *fx_zeros(gsize n);
GBytes *fx_fill(gsize n, char c);

/*
 * An archive of entries written by libarchive. format: "zip", "7zip",
 * "ustar"; filter: NULL, "gzip". options (e.g. "zip:encryption=zipcrypt")
 * and passphrase may be NULL.
 */
GBytes *fx_archive(const char *format, const char *filter,
    const char *options, const char *passphrase,
    const struct fx_entry *entries, gsize n);
/* Shorthand: a zip with one entry. */
GBytes *fx_zip1(const char *name, GBytes *data);

/* A minimal OLE2 compound file whose directory holds Root Entry and,
 * when macros is TRUE, a "Macros" storage with a "VBA" storage. */
GBytes *fx_ole(gboolean macros);
/* An OOXML (docx-like) zip; with vbaProject.bin when macros is TRUE. */
GBytes *fx_ooxml(gboolean macros);

/* Little-endian 16- and 32-bit values at p (binary headers). */
void fx_put16(unsigned char *p, guint v);
void fx_put32(unsigned char *p, guint32 v);

#endif
