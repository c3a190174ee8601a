#!/bin/sh
# Fails when a function STYLE.md bans appears in lib/, milter/, cli/ or
# extract/.
cd "${top_srcdir:-.}" || exit 1
hits=$(grep -nE '\b(sprintf|strcpy|strcat|strncpy|strtok|atoi|sscanf|gets)[[:space:]]*\(' \
	lib/*/*.c lib/*/*.h milter/*.c milter/*.h cli/*.c extract/*.c \
	extract/*.h 2>/dev/null \
	| grep -v 'g_snprintf\|g_strlcpy\|snprintf')
if [ -n "$hits" ]; then
	echo "banned functions used:"
	echo "$hits"
	exit 1
fi
exit 0
