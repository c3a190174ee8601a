# The reference configuration and the notice templates.
mugaiconfdir = $(sysconfdir)/mugai
dist_mugaiconf_DATA =
dist_mugaiconf_DATA += conf/mugai.conf
dist_mugaiconf_DATA += conf/notice.ja conf/notice.en
