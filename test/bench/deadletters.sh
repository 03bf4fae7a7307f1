#!/bin/bash
# Dead-letter isolation benchmark: what one batch of N bad messages costs
# the worker, against a batch of N good ones of the same topic, in the same
# run: N applications that all violate a foreign key (an unknown status,
# found by the constraint pre-check), and N that all violate the unique
# (candidate, post) constraint (found by bisection over an indexed staging
# table).  Prints the worker's batch time of each and the ratio to the good
# batch; asserts nothing.
#
# Standalone: bash test/bench/deadletters.sh, or from make bench.
# BENCH_BAD sets N (10,000).
set -uo pipefail
cd "$(dirname "$0")/../.."
. test/lib.sh
. test/tap.sh
. test/lib_ingest.sh

N=${BENCH_BAD:-10000}
if [ -z "${JS_PGBIN:-}" ]; then
	JS_TMP=$(mktemp -d /tmp/jobstream-bench.XXXXXX)
	chmod 755 "$JS_TMP"
	OWN_TMP=1
	JOBSTREAM_PRIVATE_INSTALL=1 js_build_install "$JS_TMP/root"
fi
export PATH="$JS_PGBIN:$PATH"
DIR=$JS_TMP/bench-deadletters
KCAT=$JS_PGBIN/jobstream-kcat
cleanup() {
	js_broker_stop
	js_cluster_stop "$DIR/pg" immediate
	[ "${OWN_TMP:-0}" = 1 ] && rm -rf "$JS_TMP"
}
trap cleanup EXIT

js_broker_start "$DIR/broker" 1
js_cluster_start "$DIR/pg" "$(js_free_port)" "jobstream.database = 'bench'
jobstream.batch_time = '3s'
jobstream.match_enabled = off"
export PGDATABASE=bench
createdb bench
js_sql 'CREATE EXTENSION jobstream' >/dev/null || js_die "CREATE EXTENSION failed"
js_sql "SELECT jobstream.add_source('job_applications', 'job_applications', '$JS_BROKERS')" >/dev/null
js_wait_for "SELECT count(*) = 1 FROM jobstream.workers" t 30 || js_die "no worker"

# applications PREFIX STATUS CANDIDATE-PREFIX: N keyed JSON lines
applications() {
	js_sql "SELECT md5('$1' || i)::uuid || E'\t' || json_build_object('application_id', md5('$1' || i)::uuid,
		'candidate_id', md5('$3' || i)::uuid, 'post_id', md5('p' || i)::uuid, 'status', '$2',
		'applied_at', '2024-01-01T00:00:00Z') FROM generate_series(1, $N) i"
}

# batch NAME EXPECT-SQL: the last batch's time once EXPECT-SQL holds
last_ms=
batch() {
	local before
	before=$(js_sql "SELECT batches FROM jobstream.workers")
	produce job_applications -K $'\t'
	js_wait_for "SELECT batches > $before FROM jobstream.workers" t 600 || js_die "$1: no batch"
	js_wait_for "$2" t 600 || js_die "$1: not stored as expected"
	last_ms=$(js_sql "SELECT round(last_batch_ms) FROM jobstream.workers")
}

applications good Applied c >"$DIR/good"
applications fk Daydreaming d >"$DIR/fk"
applications dup Applied c >"$DIR/dup"
batch good "SELECT count(*) = $N FROM jobstream.job_applications" <"$DIR/good"
good=$last_ms
batch fk "SELECT count(*) = $N FROM jobstream.dead_letters" <"$DIR/fk"
fk=$last_ms
batch unique "SELECT count(*) = $((2 * N)) FROM jobstream.dead_letters" <"$DIR/dup"
dup=$last_ms

ratio() { awk "BEGIN { printf \"%.1f\", $1 / ($2 > 0 ? $2 : 1) }"; }
echo "batch of $N job applications (one partition, batch_time 3 s), worker's batch time:"
printf '  %-48s %8s ms\n' "all good (baseline)" "$good"
printf '  %-48s %8s ms  (%sx the good batch)\n' "all unknown status: foreign-key pre-check" "$fk" "$(ratio "$fk" "$good")"
printf '  %-48s %8s ms  (%sx the good batch)\n' "all second applications: bisection, unique key" "$dup" "$(ratio "$dup" "$good")"
