# mugai: the command-line tool (sanitize, check-config, quarantine).
bin_PROGRAMS += mugai
mugai_SOURCES =
mugai_SOURCES += cli/main.c
mugai_SOURCES += cli/common.c cli/common.h
mugai_SOURCES += cli/sanitize-run.c cli/sanitize-run.h
mugai_SOURCES += cli/qstore.c cli/qstore.h
mugai_SOURCES += cli/quarantine.c cli/quarantine-cli.h
mugai_SOURCES += cli/qlist.c
mugai_SOURCES += cli/qindex.c cli/qindex.h
mugai_SOURCES += cli/qrelease.c
mugai_SOURCES += cli/qopen.c
mugai_LDADD = $(MUGAI_LIBS)
dist_man_MANS += doc/mugai.1
