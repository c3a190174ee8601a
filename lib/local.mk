# libmugai: the sanitizer, no libmilter (doc/internals.md has the layers).
noinst_LTLIBRARIES += libmugai.la
libmugai_la_SOURCES =

# base/: what every layer uses: errors, digests, deadlines, the report
# and its table of flags.
libmugai_la_SOURCES += lib/base/err.c lib/base/err.h
libmugai_la_SOURCES += lib/base/digest.c lib/base/digest.h
libmugai_la_SOURCES += lib/base/deadline.c lib/base/deadline.h
libmugai_la_SOURCES += lib/base/flag.c lib/base/flag.h
libmugai_la_SOURCES += lib/base/report.c lib/base/report.h
libmugai_la_SOURCES += lib/base/envelope.h
libmugai_la_SOURCES += lib/base/limits.h
libmugai_la_SOURCES += lib/base/addrfield.c lib/base/addrfield.h
libmugai_la_SOURCES += lib/base/keyfile.c lib/base/keyfile.h
libmugai_la_SOURCES += lib/base/io.c lib/base/io.h
libmugai_la_SOURCES += lib/base/partnum.c lib/base/partnum.h

# text/: charsets in and out, HTML to text, the text body, encoded blocks
# hidden in text, and the neutralisation of what leaves.
libmugai_la_SOURCES += lib/text/charset.c lib/text/charset.h
libmugai_la_SOURCES += lib/text/charset_int.h
libmugai_la_SOURCES += lib/text/charset_label.c
libmugai_la_SOURCES += lib/text/charset_enc.c
libmugai_la_SOURCES += lib/text/charset_jis.c
libmugai_la_SOURCES += lib/text/utf8.c lib/text/utf8.h
libmugai_la_SOURCES += lib/text/html2text.c lib/text/html2text.h
libmugai_la_SOURCES += lib/text/textbody.c lib/text/textbody.h
libmugai_la_SOURCES += lib/text/encblock.c lib/text/encblock.h
libmugai_la_SOURCES += lib/text/textsafe.c lib/text/textsafe.h
libmugai_la_SOURCES += lib/text/oneline.c lib/text/oneline.h
libmugai_la_SOURCES += lib/text/flowed.c lib/text/flowed.h
libmugai_la_SOURCES += lib/text/newline.c lib/text/newline.h

# mime/: the two engines (GMime, streaming) and what they share.
libmugai_la_SOURCES += lib/mime/walk.c lib/mime/walk.h
libmugai_la_SOURCES += lib/mime/gwalk.c lib/mime/gwalk.h
libmugai_la_SOURCES += lib/mime/scan.c lib/mime/scan.h
libmugai_la_SOURCES += lib/mime/swalk.c lib/mime/swalk.h
libmugai_la_SOURCES += lib/mime/headers.c lib/mime/headers.h
libmugai_la_SOURCES += lib/mime/msghdr.c lib/mime/msghdr.h
libmugai_la_SOURCES += lib/mime/b64.c lib/mime/b64.h
libmugai_la_SOURCES += lib/mime/b64filter.c lib/mime/b64filter.h
libmugai_la_SOURCES += lib/mime/docspool.c lib/mime/docspool.h

# policy/: facts about a removed part (real type, name, archive, document)
# and the [rule] list that decides its action.
libmugai_la_SOURCES += lib/policy/filename.c lib/policy/filename.h
libmugai_la_SOURCES += lib/policy/filetype.c lib/policy/filetype.h
libmugai_la_SOURCES += lib/policy/sniff.c lib/policy/sniff.h
libmugai_la_SOURCES += lib/policy/docscan.c lib/policy/docscan.h
libmugai_la_SOURCES += lib/policy/arcscan.c lib/policy/arcscan.h
libmugai_la_SOURCES += lib/policy/rules.c lib/policy/rules.h
libmugai_la_SOURCES += lib/policy/policy.c lib/policy/policy.h

# store/: the quarantine: durable originals, meta.json, release tokens,
# the audit log.
libmugai_la_SOURCES += lib/store/quarantine.c lib/store/quarantine.h
libmugai_la_SOURCES += lib/store/qid.c lib/store/qid.h
libmugai_la_SOURCES += lib/store/quarantine_int.h lib/store/qpurge.c
libmugai_la_SOURCES += lib/store/qdir.c lib/store/qdir.h
libmugai_la_SOURCES += lib/store/qmeta.c lib/store/qmeta.h
libmugai_la_SOURCES += lib/store/release.c lib/store/release.h
libmugai_la_SOURCES += lib/store/onepart.c lib/store/onepart.h
libmugai_la_SOURCES += lib/store/audit.c lib/store/audit.h
EXTRA_DIST += doc/quarantine-meta.md

# portal/: what mugai-portal adds over the store: requests and their
# states, who may see and decide what, the item links of the notice.
libmugai_la_SOURCES += lib/portal/request.c lib/portal/request.h
libmugai_la_SOURCES += lib/portal/role.c lib/portal/role.h
libmugai_la_SOURCES += lib/portal/link.c lib/portal/link.h

# core/: what ties them: the configuration, the notice, sanitize().
libmugai_la_SOURCES += lib/core/config.c lib/core/config.h
libmugai_la_SOURCES += lib/core/notice.c lib/core/notice.h
libmugai_la_SOURCES += lib/core/xbody.c lib/core/xbody.h
libmugai_la_SOURCES += lib/core/sanitize.c lib/core/sanitize.h
libmugai_la_SOURCES += lib/extract/client.c lib/extract/client.h lib/extract/proto.c lib/extract/proto.h
libmugai_la_SOURCES += lib/extract/client_int.h
libmugai_la_SOURCES += lib/extract/unlock.c lib/extract/unlock.h
libmugai_la_SOURCES += lib/extract/preview.c lib/extract/preview.h

# ppap/: a quarantined password-protected archive opened for its
# recipients (uses core, store and extract).
libmugai_la_SOURCES += lib/ppap/ppap.c lib/ppap/ppap.h
libmugai_la_SOURCES += lib/ppap/deliver.c
libmugai_la_SOURCES += lib/ppap/autopw.c lib/ppap/autopw.h
libmugai_la_SOURCES += lib/ppap/pwwait.c lib/ppap/pwwait.h
