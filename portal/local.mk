# mugai-portal: the recipients' HTTPS page (doc/mugai-portal.8): their
# items, the removed parts, requests for originals and their approval.
sbin_PROGRAMS += mugai-portal
mugai_portal_SOURCES =
mugai_portal_SOURCES += portal/main.c
mugai_portal_SOURCES += portal/portal.h
mugai_portal_SOURCES += portal/pages.c
mugai_portal_SOURCES += portal/items.c
mugai_portal_SOURCES += portal/preview.c
mugai_portal_SOURCES += portal/session.c portal/session.h
mugai_portal_SOURCES += portal/auth.c portal/auth.h
mugai_portal_SOURCES += portal/ppap.c portal/ppap.h
mugai_portal_SOURCES += portal/keeper.c portal/keeper.h
mugai_portal_CPPFLAGS = $(AM_CPPFLAGS) -DMUGAI_BINDIR='"$(bindir)"'
mugai_portal_CFLAGS = $(AM_CFLAGS) $(SOUP_CFLAGS) $(CURL_CFLAGS)
mugai_portal_LDADD = $(MUGAI_LIBS) $(SOUP_LIBS) $(CURL_LIBS) $(LDAP_LIBS)
dist_man_MANS += doc/mugai-portal.8
