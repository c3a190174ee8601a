#!/bin/bash
# demo.sh - proves the README's main job: contrib/demo --selftest starts the
# lab on the default config, sends one message with an attachment through
# Postfix and mugai-milter, and finds the sanitized copy in the Maildir.
# Runs on a free SMTP port (not 2525, which a running demo may hold) in a
# temp dir. Exit 77 (skip) as t/e2e/run.sh does.
set -u
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
top_builddir=${top_builddir:-$top_srcdir}
. "$top_srcdir/t/e2e/lab.sh"

if [ "$(id -u)" -ne 0 ]; then
	echo "demo: SKIP: needs root"
	exit 77
fi
if ! lab_have_tools || ! command -v swaks >/dev/null 2>&1; then
	echo "demo: SKIP: ${LAB_MISSING:-swaks} not installed"
	exit 77
fi
if [ ! -x "$top_builddir/mugai-milter" ]; then
	echo "demo: SKIP: mugai-milter not built"
	exit 77
fi
dir=$(mktemp -d /tmp/mugai-demo-test.XXXXXX) || exit 99
rmdir "$dir"	# the demo creates it and marks it as its own
MUGAI_MILTER=$top_builddir/mugai-milter MUGAI_CLI=$top_builddir/mugai \
    MUGAI_EXTRACT=$top_builddir/mugai-extract \
    MUGAI_DEMO_SMTP_PORT=$(lab_free_ports 1) \
    "$top_srcdir/contrib/demo" --selftest "$dir"
rc=$?
if [ "$rc" -eq 0 ]; then
	rm -rf "$dir"
else
	echo "demo: kept $dir"
fi
exit "$rc"
