# Minimal TAP output for the shell-driven integration tests; prove reads it.
JS_TAP_N=0
JS_TAP_FAILED=0

# js_plan N
js_plan() { echo "1..$1"; }

# js_ok CONDITION-EXIT-STATUS DESCRIPTION: e.g. js_ok $? "it worked"
js_ok() {
	JS_TAP_N=$((JS_TAP_N + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $JS_TAP_N - $2"
	else
		echo "not ok $JS_TAP_N - $2"
		echo "# $0: not ok $JS_TAP_N - $2" >&2
		JS_TAP_FAILED=$((JS_TAP_FAILED + 1))
		return 1
	fi
}

# js_is GOT EXPECTED DESCRIPTION
js_is() {
	JS_TAP_N=$((JS_TAP_N + 1))
	if [ "$1" = "$2" ]; then
		echo "ok $JS_TAP_N - $3"
	else
		echo "not ok $JS_TAP_N - $3"
		echo "#   got:      '$1'"
		echo "#   expected: '$2'"
		# stderr too: prove shows it without -v, so a CI log says what failed
		printf "# %s: not ok %s - %s\n#   got:      '%s'\n#   expected: '%s'\n" "$0" "$JS_TAP_N" "$3" "$1" "$2" >&2
		JS_TAP_FAILED=$((JS_TAP_FAILED + 1))
		return 1
	fi
}

# js_sql SQL: runs a query and prints the bare result.
js_sql() { psql -qAtX -v ON_ERROR_STOP=1 -c "$1"; }

# js_wait_for SQL EXPECTED SECONDS: polls until SQL returns EXPECTED (true)
# or SECONDS pass (false).
js_wait_for() {
	local i
	for i in $(seq $(($3 * 20))); do
		[ "$(js_sql "$1" 2>/dev/null)" = "$2" ] && return 0
		sleep 0.05
	done
	return 1
}
