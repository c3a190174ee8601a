# lib/index/: the quarantine index (SQLite; PostgreSQL for several
# gateways), filled from the store's journal
# and searched by `mugai quarantine list` and the portal. Uses store/ and
# base/. Linked into libmugai like every part.
libmugai_la_SOURCES += lib/index/index.c lib/index/index.h
libmugai_la_SOURCES += lib/index/index_int.h
libmugai_la_SOURCES += lib/index/ipg.c
AM_CFLAGS += $(SQLITE_CFLAGS) $(PQ_CFLAGS)
MUGAI_LIBS += $(SQLITE_LIBS) $(PQ_LIBS)
