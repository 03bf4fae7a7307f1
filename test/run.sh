#!/bin/bash
# make test: everything, from a fresh Debian 12 machine.
#
# Installs the packages it lacks, builds and installs jobstream, starts a
# throwaway PostgreSQL cluster (and, for the ingestion tests, development
# Kafka brokers, and one Apache Kafka node that the scripts named *kafka*
# share) on loopback, runs the pgTAP suites with pg_prove, the C unit
# tests, the integration scripts and a short fuzzing run with prove, then
# stops and removes everything, also when a test fails.  Exits non-zero on
# any failure.
set -uo pipefail
cd "$(dirname "$0")/.."
. test/lib.sh

js_ensure_packages
JS_TMP=$(mktemp -d /tmp/jobstream-test.XXXXXX)
chmod 755 "$JS_TMP"
cleanup() {
	js_broker_stop
	js_kafka_kill
	js_cluster_stop "$JS_TMP/pg" immediate
	[ "${JOBSTREAM_KEEP_TMP:-0}" = 1 ] && { js_log "kept $JS_TMP"; return; }
	rm -rf "$JS_TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

js_log "building and installing"
js_build_install "$JS_TMP/root"
export JS_TMP

js_log "starting PostgreSQL"
js_cluster_start "$JS_TMP/pg" "$(js_free_port)"
createdb jobstream_test || js_die "createdb failed"
export PGDATABASE=jobstream_test
psql -qX -v ON_ERROR_STOP=1 -c 'CREATE EXTENSION pgtap' -c 'CREATE EXTENSION jobstream' >/dev/null ||
	js_die "CREATE EXTENSION failed, see $JS_TMP/pg/postgres.log"

status=0
js_log "pgTAP suites"
pg_prove -d jobstream_test test/pgtap/*.sql || status=1

# C unit tests link the pure modules of src/ (those that do not include
# postgres.h) and print TAP.
units=(test/unit/test_*.c)
if [ -e "${units[0]}" ]; then
	js_log "C unit tests"
	mkdir -p "$JS_TMP/unit"
	pure=$(grep -L '#include "postgres.h"' src/*.c)
	for t in "${units[@]}"; do
		cc -O1 -g -Wall -Wextra -Werror -Isrc -o "$JS_TMP/unit/$(basename "$t" .c)" "$t" $pure -lzstd -lm ||
			{ status=1; continue; }
	done
	prove -e '' "$JS_TMP"/unit/test_* || status=1
fi

# Integration scripts (test/integration/*.sh) print TAP; they use PGHOST,
# PGPORT, PGDATABASE, JS_PGBIN and JS_TMP, and start brokers with lib.sh.
integ=(test/integration/${JS_ONLY:-*}.sh)
if [ -e "${integ[0]}" ]; then
	# Scripts whose name has "kafka" run on Apache Kafka: one node for all.
	if [[ "${integ[*]}" == *kafka* ]]; then
		js_log "starting Apache Kafka $JS_KAFKA_VERSION (one KRaft node)"
		t0=$SECONDS
		js_kafka_start "$JS_TMP/kafka"
		js_log "Apache Kafka ready at $JS_KAFKA_BROKERS in $((SECONDS - t0)) s"
	fi
	js_log "integration tests"
	prove ${JS_PROVE_OPTS:-} -e bash "${integ[@]}" || status=1
fi

if [ -x test/fuzz/run.sh ] || [ -f test/fuzz/run.sh ]; then
	js_log "fuzzing the decoder briefly (make fuzz runs longer)"
	if bash test/fuzz/run.sh "${FUZZ_SECONDS:-30}" >"$JS_TMP/fuzz.log" 2>&1; then
		grep -E '^(Done [0-9]+ runs|ok - )' "$JS_TMP/fuzz.log"
	else
		tail -40 "$JS_TMP/fuzz.log"
		status=1
	fi
fi

[ $status -eq 0 ] && js_log "all suites passed" || js_log "FAILED"
exit $status
