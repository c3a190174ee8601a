# lib/index/: the quarantine index (SQLite), filled from the store's journal
# and searched by `mugai quarantine list` and the portal. Uses store/ and
# base/. Linked into libmugai like every part.
libmugai_la_SOURCES += lib/index/index.c lib/index/index.h
AM_CFLAGS += $(SQLITE_CFLAGS)
MUGAI_LIBS += $(SQLITE_LIBS)
