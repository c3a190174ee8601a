/*
 * xmlread - the reader wrapper of the OOXML and ODF parsers (xmlread.h)
 *
 * The deadline is checked every 4096 nodes, never per node.
 */
#include "autoconfig.h"

#include <string.h>

#include <libxml/parser.h>
#include <libxml/xmlerror.h>

#include "xmlread.h"

#define XML_OPTS (XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING \
	| XML_PARSE_NOCDATA | XML_PARSE_COMPACT)

static void
quiet_generic(void *ctx, const char *msg, ...)
{
}

static void
quiet_structured(void *ctx, xmlErrorPtr err)
{
}

void
x_xml_quiet(void)
{
	xmlSetGenericErrorFunc(NULL, quiet_generic);
	xmlSetStructuredErrorFunc(NULL, quiet_structured);
}

/* memmem() of an ASCII string written in UTF-16 (be: big-endian). */
static gboolean
has_utf16(const char *d, gsize len, const char *s, gboolean be)
{
	char u[32];
	gsize n = strlen(s);

	for (gsize i = 0; i < n && 2 * i + 1 < sizeof u; i++) {
		u[2 * i + (be ? 1 : 0)] = s[i];
		u[2 * i + (be ? 0 : 1)] = '\0';
	}
	return memmem(d, len, u, 2 * n) != NULL;
}

gboolean
x_xml_has_dtd(const void *d, gsize len)
{
	static const char *const marks[] = { "<!DOCTYPE", "<!ENTITY" };

	if (len == 0)	/* an empty part: d may be NULL, memmem's UB */
		return FALSE;
	for (gsize i = 0; i < G_N_ELEMENTS(marks); i++)
		if (memmem(d, len, marks[i], strlen(marks[i])) != NULL ||
		    has_utf16(d, len, marks[i], FALSE) ||
		    has_utf16(d, len, marks[i], TRUE))
			return TRUE;
	return FALSE;
}

xmlTextReaderPtr
x_xml_open(struct xjob *job, GBytes *b)
{
	gsize len = 0;
	const char *d = g_bytes_get_data(b, &len);
	xmlTextReaderPtr r;

	if (x_xml_has_dtd(d, len)) {
		x_outcome(job, MUGAI_EXTRACT_DAMAGED, "xml_dtd");
		return NULL;
	}
	if (len > G_MAXINT || (r = xmlReaderForMemory(d, (int)len, NULL, NULL,
	    XML_OPTS)) == NULL) {
		x_outcome(job, MUGAI_EXTRACT_DAMAGED, "xml_broken");
		return NULL;
	}
	xmlTextReaderSetStructuredErrorHandler(r, quiet_structured, NULL);
	return r;
}

int
x_xml_next(struct xjob *job, xmlTextReaderPtr r)
{
	int rc;

	if ((++job->xj_ticks & 4095) == 0 && x_stop(job))
		return -1;
	if (x_done(job))
		return -1;
	rc = xmlTextReaderRead(r);
	if (rc < 0) {
		/* What came before the error is text of the document. */
		if (job->xj_cut)
			x_outcome(job, MUGAI_EXTRACT_TRUNCATED, "max_bytes");
		x_outcome(job, job->xj_out->len > 0 ?
		    MUGAI_EXTRACT_TRUNCATED : MUGAI_EXTRACT_DAMAGED,
		    "xml_broken");
		return -1;
	}
	if (rc == 1 && (xmlTextReaderNodeType(r) ==
	    XML_READER_TYPE_DOCUMENT_TYPE || xmlTextReaderNodeType(r) ==
	    XML_READER_TYPE_ENTITY_REFERENCE || xmlTextReaderNodeType(r) ==
	    XML_READER_TYPE_ENTITY)) {
		x_outcome(job, MUGAI_EXTRACT_DAMAGED, "xml_dtd");
		return -1;
	}
	return rc;
}

int
x_xml_type(xmlTextReaderPtr r)
{
	return xmlTextReaderNodeType(r);
}

const char *
x_xml_name(xmlTextReaderPtr r)
{
	const xmlChar *n = xmlTextReaderConstLocalName(r);

	return n != NULL ? (const char *)n : "";
}

gboolean
x_xml_empty(xmlTextReaderPtr r)
{
	return xmlTextReaderIsEmptyElement(r) == 1;
}

int
x_xml_depth(xmlTextReaderPtr r)
{
	return xmlTextReaderDepth(r);
}

const char *
x_xml_text(xmlTextReaderPtr r)
{
	return (const char *)xmlTextReaderConstValue(r);
}

char *
x_xml_attr(xmlTextReaderPtr r, const char *local)
{
	return x_xml_attr_ns(r, local, NULL);
}

char *
x_xml_attr_ns(xmlTextReaderPtr r, const char *local, const char *ns_part)
{
	char *v = NULL;

	if (xmlTextReaderMoveToFirstAttribute(r) != 1)
		return NULL;
	do {
		const xmlChar *n = xmlTextReaderConstLocalName(r);
		const xmlChar *u = xmlTextReaderConstNamespaceUri(r);

		if (ns_part != NULL && (u == NULL ||
		    strstr((const char *)u, ns_part) == NULL))
			continue;
		if (n != NULL && strcmp((const char *)n, local) == 0) {
			v = g_strdup((const char *)xmlTextReaderConstValue(r));
			break;
		}
	} while (xmlTextReaderMoveToNextAttribute(r) == 1);
	(void)xmlTextReaderMoveToElement(r);
	return v;
}

void
x_xml_skip(struct xjob *job, xmlTextReaderPtr r)
{
	int depth = xmlTextReaderDepth(r);

	if (x_xml_empty(r))
		return;
	while (x_xml_next(job, r) == 1)
		if (xmlTextReaderNodeType(r) == XML_READER_TYPE_END_ELEMENT &&
		    xmlTextReaderDepth(r) == depth)
			return;
}
