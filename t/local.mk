# The test suite (doc/internals.md, "Running one test").
#
# A unit test is t/check_NAME.c (Check), one line below; it links libmugai
# and Check (LDADD) and finds the tree through t/testdirs.h, made here.
# Those that need more sources, or milter/ files, say so after the list.
AM_CFLAGS += $(CHECK_CFLAGS)
LDADD = $(MUGAI_LIBS) $(CHECK_LIBS)
BUILT_SOURCES = t/testdirs.h
CLEANFILES += t/testdirs.h
t/testdirs.h: Makefile
	$(AM_V_GEN)$(MKDIR_P) t && \
	echo '#define MUGAI_TOP_SRCDIR "$(abs_top_srcdir)"' > $@ && \
	echo '#define MUGAI_TOP_BUILDDIR "$(abs_top_builddir)"' >> $@
AM_TESTS_ENVIRONMENT = \
	top_srcdir='$(abs_top_srcdir)'; export top_srcdir; \
	top_builddir='$(abs_top_builddir)'; export top_builddir; \
	PYTHON3='$(PYTHON3)'; export PYTHON3; \
	PATH='$(abs_top_builddir)/t/pybin':"$$PATH"; export PATH; \
	CK_DEFAULT_TIMEOUT=120; export CK_DEFAULT_TIMEOUT;
# --enable-sanitizers: wall-clock bounds in the suites are not checked.
AM_TESTS_ENVIRONMENT += $(SAN_TESTS_ENV)
EXTRA_DIST += t/testutil.h t/testconf.h

UNIT_TESTS =
# base/
UNIT_TESTS += t/check_digest
UNIT_TESTS += t/check_report
# text/
UNIT_TESTS += t/check_charset
UNIT_TESTS += t/check_utf8
UNIT_TESTS += t/check_newline
UNIT_TESTS += t/check_html2text
UNIT_TESTS += t/check_textbody
UNIT_TESTS += t/check_encblock
UNIT_TESTS += t/check_textsafe
UNIT_TESTS += t/check_oneline
UNIT_TESTS += t/check_render
# mime/
UNIT_TESTS += t/check_headers
UNIT_TESTS += t/check_msghdr
UNIT_TESTS += t/check_b64
UNIT_TESTS += t/check_stream
UNIT_TESTS += t/check_live
# policy/
UNIT_TESTS += t/check_policy
UNIT_TESTS += t/check_rules
UNIT_TESTS += t/check_arcscan
# store/
UNIT_TESTS += t/check_quarantine
# portal/
UNIT_TESTS += t/check_portal
UNIT_TESTS += t/check_portal_ppap
UNIT_TESTS += t/check_portal_keeper
UNIT_TESTS += t/check_index
# core/
UNIT_TESTS += t/check_config
UNIT_TESTS += t/check_notice
UNIT_TESTS += t/check_sanitize
UNIT_TESTS += t/check_fidelity
UNIT_TESTS += t/check_limits
UNIT_TESTS += t/check_xbody
# milter/
UNIT_TESTS += t/check_spool
UNIT_TESTS += t/check_milter_pure
UNIT_TESTS += t/check_eom
UNIT_TESTS += t/check_nodelay
UNIT_TESTS += t/check_extract
UNIT_TESTS += t/check_unlock
UNIT_TESTS += t/check_ppap
UNIT_TESTS += t/check_autopw
UNIT_TESTS += t/check_pwwait
UNIT_TESTS += t/check_readers
check_PROGRAMS += $(UNIT_TESTS)
TESTS += $(UNIT_TESTS)

t_check_policy_SOURCES = t/check_policy.c t/fixtures.c t/fixtures.h
t_check_arcscan_SOURCES = t/check_arcscan.c t/fixtures.c t/fixtures.h
t_check_limits_SOURCES = t/check_limits.c t/fixtures.c t/fixtures.h
t_check_xbody_SOURCES = t/check_xbody.c t/docgen.c t/docgen.h
t_check_xbody_SOURCES += t/fixtures.c t/fixtures.h
t_check_xbody_CFLAGS = $(AM_CFLAGS) $(GSF_CFLAGS)
t_check_xbody_LDADD = $(LDADD) $(GSF_LIBS)
t_check_xbody_CPPFLAGS = $(AM_CPPFLAGS) \
	-DMUGAI_TEST_EXTRACT='"$(abs_top_builddir)/mugai-extract"'
EXTRA_t_check_xbody_DEPENDENCIES = mugai-extract$(EXEEXT)
t_check_fidelity_SOURCES = t/check_fidelity.c t/jpcases.c t/jpcases.h
# portal/: the server's sessions and form tokens.
t_check_portal_SOURCES = t/check_portal.c portal/session.c portal/session.h
t_check_portal_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/portal
# portal/ppap.c: the PPAP form's tries, roles and delivery (no HTTP).
t_check_portal_ppap_SOURCES = t/check_portal_ppap.c portal/ppap.c
t_check_portal_ppap_SOURCES += portal/ppap.h portal/portal.h
t_check_portal_ppap_SOURCES += portal/session.c t/fixtures.c t/fixtures.h
t_check_portal_ppap_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/portal \
	-DMUGAI_TEST_EXTRACT='"$(abs_top_builddir)/mugai-extract"'
t_check_portal_ppap_CFLAGS = $(AM_CFLAGS) $(SOUP_CFLAGS)
t_check_portal_ppap_LDADD = $(LDADD) $(SOUP_LIBS)
EXTRA_t_check_portal_ppap_DEPENDENCIES = mugai-extract$(EXEEXT)
# portal/keeper.c: the store owner's half of the portal, with the pages it
# calls into (no HTTP served); the release command is a script.
t_check_portal_keeper_SOURCES = t/check_portal_keeper.c portal/keeper.c
t_check_portal_keeper_SOURCES += portal/keeper.h portal/portal.h
t_check_portal_keeper_SOURCES += portal/pages.c portal/items.c
t_check_portal_keeper_SOURCES += portal/preview.c portal/ppap.c portal/ppap.h
t_check_portal_keeper_SOURCES += portal/auth.c portal/auth.h
t_check_portal_keeper_SOURCES += portal/session.c portal/session.h
t_check_portal_keeper_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/portal
t_check_portal_keeper_CFLAGS = $(AM_CFLAGS) $(SOUP_CFLAGS) $(CURL_CFLAGS)
t_check_portal_keeper_LDADD = $(LDADD) $(SOUP_LIBS) $(CURL_LIBS) \
	$(LDAP_LIBS)
# milter/ tests link the daemon's files they exercise; the MTA is faked.
t_check_spool_SOURCES = t/check_spool.c milter/spool.c milter/spool.h
t_check_spool_CPPFLAGS = $(MILTER_CPPFLAGS)
t_check_milter_pure_SOURCES = t/check_milter_pure.c t/fake_mta.c t/fake_mta.h
t_check_milter_pure_SOURCES += milter/socket.c milter/reply.c milter/apply.c
t_check_milter_pure_SOURCES += milter/context.c milter/spool.c
t_check_milter_pure_SOURCES += milter/current.c milter/quar.c milter/log.c
t_check_milter_pure_SOURCES += milter/stackcache.c
t_check_milter_pure_CPPFLAGS = $(MILTER_CPPFLAGS)
t_check_eom_SOURCES = t/check_eom.c t/fake_mta.c t/fake_mta.h
t_check_eom_SOURCES += milter/eom.c milter/apply.c milter/reply.c
t_check_eom_SOURCES += milter/context.c milter/spool.c milter/current.c
t_check_eom_SOURCES += milter/log.c milter/stats.c milter/nodelay.c
t_check_eom_CPPFLAGS = $(MILTER_CPPFLAGS)
t_check_nodelay_SOURCES = t/check_nodelay.c milter/nodelay.c milter/nodelay.h
t_check_nodelay_SOURCES += milter/log.c milter/log.h
t_check_nodelay_CPPFLAGS = $(MILTER_CPPFLAGS)

# Helper programs the scripts below run.
check_PROGRAMS += t/qfill t/sanitize-batch t/textsafe-filter
# Both engines over many messages in one process (stream-diff.sh), through
# the code of `mugai sanitize` (cli/sanitize-run.c).
check_PROGRAMS += t/stream-diff-run
t_stream_diff_run_SOURCES = t/stream-diff-run.c cli/common.c cli/common.h
t_stream_diff_run_SOURCES += cli/sanitize-run.c cli/sanitize-run.h
t_stream_diff_run_LDADD = $(MUGAI_LIBS)
# One message the milter's way, in a process of its own, and a command's
# time and peak RSS measured from a small parent (hostile-big.sh).
check_PROGRAMS += t/live-run t/peak-rss
t_live_run_SOURCES = t/live-run.c cli/common.c cli/common.h
t_live_run_SOURCES += cli/sanitize-run.c cli/sanitize-run.h
t_live_run_LDADD = $(MUGAI_LIBS)
# The contract of t/fuzz/oracle.c over message files (corpus.sh, e2e).
check_PROGRAMS += t/oracle-check
t_oracle_check_SOURCES = t/oracle-check.c t/fuzz/oracle.c t/fuzz/oracle.h
t_oracle_check_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/t/fuzz

# Test data made by code, once per build, so that the suite needs nothing
# outside the tree: a small mix of the benchmark corpus (LF, and CRLF as
# the milter sees it) and the hostile cases of t/hostile-gen (how to add
# one: doc/internals.md, "Running one test"). corpus.sh, stream-diff.sh,
# check_live, check_html2text, valgrind-corpus.sh and the e2e tests read
# t/gen/; MUGAI_EXTRA_CORPUS (a directory of .eml) and MUGAI_VALIDATOR
# (check_sanitized.py) add the shared corpus and validator (.ci/run).
GEN_CLASSES = plain-en,plain-ja-jis,plain-ja-utf8,html-alt,html-small,attach-small,forward
check_DATA = t/gen/stamp t/pybin/python3
# The tests' "python3" (scripts' #! lines, t/e2e/) is the one configure
# chose (PYTHON3): t/pybin/ comes first in their PATH.
t/pybin/python3: Makefile
	$(AM_V_GEN)$(MKDIR_P) t/pybin && rm -f $@ && \
	case '$(PYTHON3)' in \
	/*) ln -s '$(PYTHON3)' $@ ;; \
	*) : ;; \
	esac
t/gen/stamp: $(top_srcdir)/contrib/bench/corpus-gen $(top_srcdir)/t/hostile-gen
	$(AM_V_GEN)rm -rf t/gen && $(MKDIR_P) t/gen && \
	$(PYTHON3) $(top_srcdir)/contrib/bench/corpus-gen --seed 1 \
	    --scale 0.1 --classes $(GEN_CLASSES) t/gen/bench >/dev/null && \
	$(PYTHON3) $(top_srcdir)/contrib/bench/corpus-gen --seed 2 --crlf \
	    --scale 0.05 --classes $(GEN_CLASSES) t/gen/bench-crlf >/dev/null && \
	$(PYTHON3) $(top_srcdir)/t/hostile-gen t/gen/hostile >/dev/null && \
	touch $@
# The large hostile cases of t/hostile-big (1 to 20 MB each, some 300 MB
# in all) for t/hostile-big.sh only: a directory of their own, which the
# tests that read every file of t/gen/ do not see.
check_DATA += t/big/stamp
t/big/stamp: $(top_srcdir)/t/hostile-big
	$(AM_V_GEN)rm -rf t/big && \
	$(PYTHON3) $(top_srcdir)/t/hostile-big t/big >/dev/null && \
	touch $@
clean-local: clean-local-gen
clean-local-gen:
	-rm -rf t/gen t/big t/sendmail-root t/pybin
.PHONY: clean-local-gen
EXTRA_DIST += t/hostile-gen t/gen-dirs.sh t/hostile-big t/hostile-big-run.py
check_PROGRAMS += t/ppapgen

# Script tests, one line each (EXTRA_DIST ships them).
SCRIPT_TESTS =
SCRIPT_TESTS += t/banned.sh
SCRIPT_TESTS += t/doc-keys.sh
SCRIPT_TESTS += t/cli.sh
SCRIPT_TESTS += t/sanitize-rss.sh
SCRIPT_TESTS += t/quarantine-cli.sh
SCRIPT_TESTS += t/quarantine-index.sh
SCRIPT_TESTS += t/quarantine-links.sh
SCRIPT_TESTS += t/quarantine-owner.sh
SCRIPT_TESTS += t/ppap-open.sh
SCRIPT_TESTS += t/ppap-auto.sh
SCRIPT_TESTS += t/corpus.sh
SCRIPT_TESTS += t/hostile-big.sh
SCRIPT_TESTS += t/stream-diff.sh
SCRIPT_TESTS += t/textsafe-oracle.sh
SCRIPT_TESTS += t/regress.sh
SCRIPT_TESTS += t/valgrind-corpus.sh
SCRIPT_TESTS += t/milter-test.sh
SCRIPT_TESTS += t/milter-clients.sh
SCRIPT_TESTS += t/store-syncs.sh
SCRIPT_TESTS += t/index-pg.sh
SCRIPT_TESTS += t/portal.sh
# End to end: private Postfix -> mugai-milter -> LMTP -> Dovecot; skip (77)
# without root, Postfix, Dovecot or (faults) a tmpfs mount.
SCRIPT_TESTS += t/e2e/run.sh
SCRIPT_TESTS += t/e2e/demo.sh
SCRIPT_TESTS += t/e2e/faults.sh
# mugai-portal in headless Chromium (chromium-driver, python3-selenium) on
# the lab with IMAP and slapd: the recipient's, the approver's and the
# PPAP flows; PNGs of the pages in screenshots/ (`make screenshots`).
SCRIPT_TESTS += t/e2e/portal-browser.sh
# Sendmail (Debian's 8.17, unpacked into t/sendmail-root/, private config
# around contrib/sendmail/mugai.mc) -> mugai-milter -> LMTP -> Dovecot;
# skips (77) without root, Dovecot, m4, unshare -m or the packages.
SCRIPT_TESTS += t/e2e/sendmail.sh
TESTS += $(SCRIPT_TESTS)
EXTRA_DIST += $(SCRIPT_TESTS)
EXTRA_DIST += t/portal_client.py t/portal_ppap.py
EXTRA_DIST += t/milter_client.py t/milter/lib.lua t/milter/negotiate.lua
EXTRA_DIST += t/milter/messages.lua t/milter/reject.lua t/milter/release.lua
EXTRA_DIST += t/e2e/lab.sh t/e2e/e2e.py t/e2e/faults.py
EXTRA_DIST += t/e2e/portal_browser.py t/e2e/smtp-submit.py
EXTRA_DIST += t/corpus-known.tsv t/valgrind.supp t/data/stream
EXTRA_DIST += t/validate-batch.py
# The fuzzers' findings, replayed by t/regress.sh and check_html2text.
EXTRA_DIST += t/data/regress t/data/regress-open

# Fuzz harnesses (t/fuzz/): `make fuzz` builds them with clang and
# libFuzzer into t/fuzz/bin/; contrib/fuzz SECONDS runs each. The same
# harnesses are linked with the ordinary compiler to a replay driver, so
# make check runs every input of t/data/regress/ through them (t/regress.sh).
FUZZ_HARNESSES = sanitize html2text charset headers config policy stream notice
FUZZ_HARNESSES += unlock docs
# The readers of mugai-extract fuzz_docs drives (not in libmugai).
FUZZ_EXTRACT_SOURCES = extract/job.c extract/zipdoc.c extract/xmlread.c
FUZZ_EXTRACT_SOURCES += extract/table.c extract/package.c extract/ooxml.c
FUZZ_EXTRACT_SOURCES += extract/xlsx.c extract/odf.c extract/rtf.c
FUZZ_EXTRACT_SOURCES += extract/ole.c extract/worddoc.c extract/xlsdoc.c
FUZZ_EXTRACT_SOURCES += extract/pptdoc.c
FUZZ_COMMON = t/fuzz/oracle.c t/fuzz/oracle.h t/fuzz/replay.c
FUZZ_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/t/fuzz
fuzz: autoconfig.h
	@FUZZ_CC='$(FUZZ_CC)' srcdir='$(abs_top_srcdir)' \
	builddir='$(abs_top_builddir)' LIB_SOURCES='$(libmugai_la_SOURCES)' \
	DEPS_CFLAGS='$(GLIB_CFLAGS) $(GMIME_CFLAGS) $(XML_CFLAGS) $(JSON_CFLAGS) $(ARCHIVE_CFLAGS) $(CRYPTO_CFLAGS) $(GSF_CFLAGS) $(SQLITE_CFLAGS) $(PQ_CFLAGS)' \
	DEPS_LIBS='$(GMIME_LIBS) $(XML_LIBS) $(JSON_LIBS) $(ARCHIVE_LIBS) $(CRYPTO_LIBS) $(MAGIC_LIBS) $(GSF_LIBS) $(SQLITE_LIBS) $(PQ_LIBS) $(GLIB_LIBS)' \
	HARNESSES='$(FUZZ_HARNESSES)' \
	EXTRACT_SOURCES='$(FUZZ_EXTRACT_SOURCES)' \
	$(SHELL) $(top_srcdir)/t/fuzz/build.sh
.PHONY: fuzz
EXTRA_DIST += t/fuzz/build.sh t/fuzz/mime.dict t/fuzz/seeds.sh
check_PROGRAMS += t/fuzz/replay_sanitize
t_fuzz_replay_sanitize_SOURCES = t/fuzz/fuzz_sanitize.c $(FUZZ_COMMON)
t_fuzz_replay_sanitize_CPPFLAGS = $(FUZZ_CPPFLAGS)
check_PROGRAMS += t/fuzz/replay_html2text
t_fuzz_replay_html2text_SOURCES = t/fuzz/fuzz_html2text.c $(FUZZ_COMMON)
t_fuzz_replay_html2text_CPPFLAGS = $(FUZZ_CPPFLAGS)
check_PROGRAMS += t/fuzz/replay_charset
t_fuzz_replay_charset_SOURCES = t/fuzz/fuzz_charset.c $(FUZZ_COMMON)
t_fuzz_replay_charset_CPPFLAGS = $(FUZZ_CPPFLAGS)
check_PROGRAMS += t/fuzz/replay_headers
t_fuzz_replay_headers_SOURCES = t/fuzz/fuzz_headers.c $(FUZZ_COMMON)
t_fuzz_replay_headers_CPPFLAGS = $(FUZZ_CPPFLAGS)
check_PROGRAMS += t/fuzz/replay_config
t_fuzz_replay_config_SOURCES = t/fuzz/fuzz_config.c $(FUZZ_COMMON)
t_fuzz_replay_config_CPPFLAGS = $(FUZZ_CPPFLAGS)
check_PROGRAMS += t/fuzz/replay_policy
t_fuzz_replay_policy_SOURCES = t/fuzz/fuzz_policy.c $(FUZZ_COMMON)
t_fuzz_replay_policy_CPPFLAGS = $(FUZZ_CPPFLAGS)
check_PROGRAMS += t/fuzz/replay_stream
t_fuzz_replay_stream_SOURCES = t/fuzz/fuzz_stream.c $(FUZZ_COMMON)
t_fuzz_replay_stream_CPPFLAGS = $(FUZZ_CPPFLAGS)
check_PROGRAMS += t/fuzz/replay_notice
t_fuzz_replay_notice_SOURCES = t/fuzz/fuzz_notice.c $(FUZZ_COMMON)
t_fuzz_replay_notice_CPPFLAGS = $(FUZZ_CPPFLAGS)
check_PROGRAMS += t/fuzz/replay_unlock
t_fuzz_replay_unlock_SOURCES = t/fuzz/fuzz_unlock.c $(FUZZ_COMMON)
t_fuzz_replay_unlock_CPPFLAGS = $(FUZZ_CPPFLAGS)
check_PROGRAMS += t/fuzz/replay_docs
t_fuzz_replay_docs_SOURCES = t/fuzz/fuzz_docs.c $(FUZZ_COMMON)
t_fuzz_replay_docs_SOURCES += $(FUZZ_EXTRACT_SOURCES)
t_fuzz_replay_docs_CPPFLAGS = $(FUZZ_CPPFLAGS) -I$(top_srcdir)/extract
t_fuzz_replay_docs_CFLAGS = $(AM_CFLAGS) $(GSF_CFLAGS)
t_fuzz_replay_docs_LDADD = $(LDADD) $(GSF_LIBS)

# valgrind memcheck, both engines: the corpus in one process per engine and
# a few messages through mugai sanitize in make check; every message through
# mugai sanitize too with make check-valgrind (long).
check-valgrind: all
	MUGAI_VALGRIND_FULL=1 top_srcdir='$(abs_top_srcdir)' \
	top_builddir='$(abs_top_builddir)' $(top_srcdir)/t/valgrind-corpus.sh
.PHONY: check-valgrind
EXTRA_DIST += t/tap.sh

# The README's pictures of the portal: t/e2e/portal-browser.sh takes them
# (root, the lab's daemons, Chromium); this copies them into the source
# tree's doc/screenshots/ to be reviewed and committed.
SCREENSHOTS = 01-login 02-list 03-item 04-request 05-queue 06-approval
SCREENSHOTS += 07-approved 08-ppap-form 09-ppap-wrong 10-ppap-opened
EXTRA_DIST += $(SCREENSHOTS:%=doc/screenshots/%.png)
screenshots: mugai-milter$(EXEEXT) mugai-portal$(EXEEXT) mugai$(EXEEXT) \
    mugai-extract$(EXEEXT) t/ppapgen$(EXEEXT)
	rm -rf screenshots
	top_srcdir=$(top_srcdir) top_builddir=$(top_builddir) \
	    bash $(top_srcdir)/t/e2e/portal-browser.sh
	for s in $(SCREENSHOTS); do \
	    cp screenshots/$$s.png $(top_srcdir)/doc/screenshots/ || exit 1; \
	done
.PHONY: screenshots
