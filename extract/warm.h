/*
 * warm - everything mugai-extract's libraries read from disk, read before
 * the seccomp filter forbids opening files
 *
 * x_warm() initialises libxml2 and opens (and keeps open, so that glibc
 * never unloads them) the iconv modules the parsers use: the Japanese
 * and Western charsets, the Chinese and Korean code pages of RTF, UTF-16.
 * It parses two built-in PDFs whose fonts make poppler load, from
 * poppler-data, the CID-to-Unicode tables of Adobe-GB1, -CNS1, -Korea1
 * and -Japan1 and the four Japanese CMaps non-embedded fonts use most:
 * 90msp-RKSJ-H, UniJIS-UTF16-H, 90ms-RKSJ-H and UniJIS-UCS2-H (poppler
 * caches four of each). A document whose non-embedded CID font needs
 * another CMap loses the text of that font. It reads a small zip with
 * libarchive and renders a little HTML, for what those load on first use.
 * Returns FALSE, after a message on stderr, when poppler-data is missing
 * (Japanese text of non-embedded fonts would not come out); the helper
 * then still runs.
 */
#ifndef MUGAI_EXTRACT_WARM_H
#define MUGAI_EXTRACT_WARM_H

#include <glib.h>

gboolean x_warm(void);

/* Returns (transfer full) a one-page PDF drawing each of the n strings
 * (PDF string syntax, e.g. "<65E5>" or "(Hello)") with font i + 1, whose
 * dictionary is fonts[i]. Used by the warm-up and by the tests' twin. */
GBytes *x_pdf_page(const char *const *fonts, const char *const *strings,
    gsize n);

#endif
