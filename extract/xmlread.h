/*
 * xmlread - libxml2's streaming reader, set up for documents from mail
 *
 * The reader never touches the network (XML_PARSE_NONET), never loads a
 * DTD and never substitutes entities (no XML_PARSE_NOENT, DTDLOAD or
 * DTDATTR), and keeps libxml2's size limits (no XML_PARSE_HUGE). OOXML
 * and ODF parts have no document type declaration: x_xml_open() refuses
 * a part whose bytes hold "<!DOCTYPE" or "<!ENTITY" (in ASCII or
 * UTF-16), and x_xml_next() stops at a document type or an entity
 * reference all the same, making the job damaged ("xml_dtd"): a billion
 * laughs is refused before libxml2 sees it. A parse error makes the job
 * damaged ("xml_broken"), or truncated for that reason when some text
 * came out before it. Errors are not printed.
 */
#ifndef MUGAI_EXTRACT_XMLREAD_H
#define MUGAI_EXTRACT_XMLREAD_H

#include <glib.h>
#include <libxml/xmlreader.h>

#include "job.h"

/* Returns (transfer full) a reader over b (lent: it must outlive the
 * reader), or NULL (the job is then damaged). */
xmlTextReaderPtr x_xml_open(struct xjob *job, GBytes *b);

/* Moves to the next node: 1, or 0 at the end, or -1 when the job must
 * stop (an error, a DTD, a limit: the outcome is set). */
int x_xml_next(struct xjob *job, xmlTextReaderPtr r);

/* The current node: its type, its local name ("" for text), whether it
 * is an empty element (<x/>), its depth. */
int x_xml_type(xmlTextReaderPtr r);
const char *x_xml_name(xmlTextReaderPtr r);
gboolean x_xml_empty(xmlTextReaderPtr r);
int x_xml_depth(xmlTextReaderPtr r);
/* Returns (transfer none) the text of a text node, or NULL. */
const char *x_xml_text(xmlTextReaderPtr r);

/* Returns (transfer full) the value of the element's first attribute of
 * that local name, whatever its namespace, or NULL. The _ns form takes
 * only an attribute whose namespace URI contains ns_part. */
char *x_xml_attr(xmlTextReaderPtr r, const char *local);
char *x_xml_attr_ns(xmlTextReaderPtr r, const char *local,
    const char *ns_part);

/* TRUE when the bytes hold a document type or entity declaration. */
gboolean x_xml_has_dtd(const void *d, gsize len);

/* Skips the current element's subtree: the next x_xml_next() goes to
 * what follows it. */
void x_xml_skip(struct xjob *job, xmlTextReaderPtr r);

/* Turns libxml2's global error output off (one thread: the helper). */
void x_xml_quiet(void);

#endif
