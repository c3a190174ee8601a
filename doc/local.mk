# doc/: mugai.conf(5) (each program's room installs its own man page), and
# the pages shipped beside them: the contract and the deployment
# (design.md), the way into the code (internals.md), and the top-level
# documents automake does not ship by itself.
dist_man_MANS += doc/mugai.conf.5
EXTRA_DIST += doc/design.md doc/internals.md
EXTRA_DIST += STYLE.md SECURITY.md README.ja.md
EXTRA_DIST += doc/deployment.md
