# Documentation beside the man pages (which each program's room installs).
dist_man_MANS += doc/mugai.conf.5
