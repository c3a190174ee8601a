# mugai-extract: the sandboxed helper that reads the text of documents
# (doc/mugai-extract.8). Its parsers run only in it, so they live here;
# the client the milter and the command link is lib/extract/ (libmugai).
pkglibexec_PROGRAMS = mugai-extract
mugai_extract_SOURCES =
mugai_extract_SOURCES += extract/main.c
mugai_extract_SOURCES += extract/confine.c extract/confine.h
mugai_extract_SOURCES += extract/warm.c extract/warm.h
mugai_extract_SOURCES += extract/job.c extract/job.h
mugai_extract_SOURCES += extract/parsers.h extract/dispatch.c
mugai_extract_SOURCES += extract/pdf.c extract/render.c extract/render.h
mugai_extract_SOURCES += extract/zipdoc.c extract/zipdoc.h
mugai_extract_SOURCES += extract/xmlread.c extract/xmlread.h
mugai_extract_SOURCES += extract/table.c extract/table.h
mugai_extract_SOURCES += extract/package.c extract/ooxml.c
mugai_extract_SOURCES += extract/xlsx.c extract/odf.c
mugai_extract_SOURCES += extract/rtf.c extract/textdoc.c extract/ole.c
mugai_extract_SOURCES += extract/decrypt.c extract/decrypt.h
mugai_extract_SOURCES += extract/ics.c extract/vcard.c extract/csv.c
mugai_extract_SOURCES += extract/worddoc.c extract/xlsdoc.c extract/pptdoc.c
mugai_extract_CFLAGS = $(AM_CFLAGS) $(POPPLER_CFLAGS) $(SECCOMP_CFLAGS) \
	$(GSF_CFLAGS) $(ICAL_CFLAGS) $(JPEG_CFLAGS) $(GIF_CFLAGS)
mugai_extract_LDADD = $(MUGAI_LIBS) $(POPPLER_LIBS) $(SECCOMP_LIBS) \
	$(GSF_LIBS) $(ICAL_LIBS) $(JPEG_LIBS) $(GIF_LIBS)
dist_man_MANS += doc/mugai-extract.8
# Where the client finds the helper by default.
AM_CPPFLAGS += -DMUGAI_LIBEXECDIR='"$(pkglibexecdir)"'

# t/check_extract (listed in t/local.mk): the helper as built, documents
# made by t/docgen.c.
t_check_extract_SOURCES = t/check_extract.c t/docgen.c t/docgen.h
t_check_extract_SOURCES += t/fixtures.c t/fixtures.h
t_check_extract_SOURCES += t/imggen.c t/imggen.h
t_check_extract_CFLAGS = $(AM_CFLAGS) $(GSF_CFLAGS) $(JPEG_CFLAGS) \
	$(GIF_CFLAGS)
t_check_extract_LDADD = $(LDADD) $(GSF_LIBS) $(JPEG_LIBS) $(GIF_LIBS)
t_check_extract_CPPFLAGS = $(AM_CPPFLAGS) \
	-DMUGAI_TEST_EXTRACT='"$(abs_top_builddir)/mugai-extract"'
EXTRA_t_check_extract_DEPENDENCIES = mugai-extract$(EXEEXT)
# t/check_unlock: password-protected archives through the same helper.
t_check_unlock_SOURCES = t/check_unlock.c t/fixtures.c t/fixtures.h
t_check_unlock_CPPFLAGS = $(t_check_extract_CPPFLAGS)
EXTRA_t_check_unlock_DEPENDENCIES = mugai-extract$(EXEEXT)
# t/check_ppap: lib/ppap/ on a store, with the same helper.
t_check_ppap_SOURCES = t/check_ppap.c t/fixtures.c t/fixtures.h
t_check_ppap_CPPFLAGS = $(t_check_extract_CPPFLAGS)
EXTRA_t_check_ppap_DEPENDENCIES = mugai-extract$(EXEEXT)

# contrib/bench/extract-bench: documents per second through the pool and
# the helpers' memory (BENCHMARKS.md, "Text extraction").
check_PROGRAMS += contrib/bench/extract-bench
contrib_bench_extract_bench_SOURCES = contrib/bench/extract-bench.c

# t/check_readers (listed in t/local.mk): the calendar, card and CSV
# readers through the pool, the helper as built.
t_check_readers_CPPFLAGS = $(AM_CPPFLAGS) \
	-DMUGAI_TEST_EXTRACT='"$(abs_top_builddir)/mugai-extract"'
EXTRA_t_check_readers_DEPENDENCIES = mugai-extract$(EXEEXT)
