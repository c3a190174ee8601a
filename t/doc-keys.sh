#!/bin/sh
# doc-keys - every key of the config table is in mugai.conf(5) and in the
# annotated conf/mugai.conf, so the reference cannot fall behind the code.
top_srcdir=${top_srcdir:-.}
top_builddir=${top_builddir:-.}
keys=$("$top_builddir/mugai" check-config -c /dev/null 2>/dev/null |
    sed -n 's/^\([a-z_]*\) = .*/\1/p' | sort -u)
[ -n "$keys" ] || { echo "no keys from mugai check-config"; exit 1; }
status=0
for k in $keys; do
	grep -q "^\.B.*$k" "$top_srcdir/doc/mugai.conf.5" ||
	    { echo "mugai.conf(5) does not describe $k"; status=1; }
	grep -q "^#* *$k *=" "$top_srcdir/conf/mugai.conf" ||
	    { echo "conf/mugai.conf does not list $k"; status=1; }
done
exit $status
