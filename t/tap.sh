# tap.sh - the checks the store's script tests share (sourced, not run)
#
# Each check prints "ok - DESC" or "not ok - DESC" and counts failures in
# $fails; the test ends with `exit $((fails > 0))` or its own summary.
# Needs $W, the test's scratch directory (out and err of the last command).
fails=0
pass() { echo "ok - $1"; }
fail() { echo "not ok - $1"; fails=$((fails + 1)); }
expect() {	# expect DESC STATUS CMD...: the command exits with STATUS
	d=$1 want=$2; shift 2
	"$@" >"$W/out" 2>"$W/err"; got=$?
	if [ "$got" -eq "$want" ]; then pass "$d"; else
		fail "$d (exit $got, wanted $want)"; cat "$W/err"; fi
}
has() {		# has DESC FILE PATTERN (fixed string)
	if grep -F -q -- "$3" "$2"; then pass "$1"; else
		fail "$1 ('$3' not in $2)"; sed 's/^/    /' "$2"; fi
}
lines() {	# lines DESC FILE N
	n=$(wc -l <"$2")
	if [ "$n" -eq "$3" ]; then pass "$1"; else
		fail "$1 ($n lines, wanted $3)"; fi
}
