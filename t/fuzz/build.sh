#!/bin/sh
# build.sh - build the libFuzzer harnesses with clang (`make fuzz` runs it)
#
# The lib/ sources are compiled again with clang and
# -fsanitize=fuzzer-no-link,address,undefined into $out/obj (only those
# newer than their object), then each t/fuzz/fuzz_NAME.c is linked with
# t/fuzz/oracle.c into $out/fuzz_NAME. The gcc build of `make` and
# `make check` is untouched. Environment (set by the make rule):
#   FUZZ_CC       clang to use (default: clang, else clang-14)
#   srcdir        top source directory       builddir  top build directory
#   LIB_SOURCES   libmugai_la_SOURCES        DEPS_CFLAGS, DEPS_LIBS
#   HARNESSES     names of the harnesses to link
#   EXTRACT_SOURCES  readers of extract/ the harnesses may call (fuzz_docs),
#                 compiled like the lib/ sources and linked into each
set -eu

cc=${FUZZ_CC:-}
if [ -z "$cc" ]; then
	for c in clang clang-14 clang-15 clang-16; do
		command -v "$c" >/dev/null 2>&1 && { cc=$c; break; }
	done
fi
if [ -z "$cc" ]; then
	echo "fuzz: clang not found (apt-get install clang libclang-rt-14-dev)" >&2
	exit 77
fi
out="$builddir/t/fuzz/bin"
mkdir -p "$out/obj"
san="-fsanitize=address,undefined -fno-sanitize-recover=undefined"
cflags="-g -O1 -fno-omit-frame-pointer -DMUGAI_FUZZING $san \
    -I$builddir -I$srcdir/lib -I$srcdir -I$srcdir/t/fuzz -I$srcdir/extract \
    -DMUGAI_SYSCONFDIR=\"/nonexistent\" -DMUGAI_LOCALSTATEDIR=\"/nonexistent\" \
    $DEPS_CFLAGS"

objs=
for src in $LIB_SOURCES ${EXTRACT_SOURCES:-}; do
	case $src in *.c) ;; *) continue ;; esac
	o="$out/obj/$(echo "$src" | tr / _ | sed 's/\.c$/.o/')"
	if [ ! -f "$o" ] || [ "$srcdir/$src" -nt "$o" ] ||
	    [ -n "$(find "$srcdir/lib" -name '*.h' -newer "$o" | head -1)" ]; then
		echo "  CC(fuzz) $src"
		$cc $cflags -fsanitize=fuzzer-no-link -c "$srcdir/$src" -o "$o"
	fi
	objs="$objs $o"
done
if [ ! -f "$out/obj/oracle.o" ] || [ "$srcdir/t/fuzz/oracle.c" -nt \
    "$out/obj/oracle.o" ] || [ "$srcdir/t/fuzz/oracle.h" -nt \
    "$out/obj/oracle.o" ]; then
	$cc $cflags -fsanitize=fuzzer-no-link -c "$srcdir/t/fuzz/oracle.c" \
	    -o "$out/obj/oracle.o"
fi
for h in $HARNESSES; do
	b="$out/fuzz_$h"
	if [ -f "$b" ] && [ -z "$(find "$srcdir/t/fuzz" "$out/obj" \
	    -newer "$b" -name '*.[cho]' | head -1)" ]; then
		continue
	fi
	echo "  CCLD(fuzz) fuzz_$h"
	$cc $cflags -fsanitize=fuzzer "$srcdir/t/fuzz/fuzz_$h.c" \
	    "$out/obj/oracle.o" $objs $DEPS_LIBS -o "$b"
done
