#!/bin/bash
# make bench: every benchmark in test/bench/, against a throwaway cluster
# tuned a little for loading, in one run, so that each figure is printed as
# a ratio against a baseline measured in the same run on the same machine.
# Nothing here asserts a time; the figures are for the README.
#
#   make bench                      all of them
#   BENCH=analytics make bench      only test/bench/analytics.sh
#   BENCH_SCALE=0.1 make bench      a tenth of the sizes, for a quick look
set -uo pipefail
cd "$(dirname "$0")/../.."
. test/lib.sh

js_ensure_packages
JS_TMP=$(mktemp -d /tmp/jobstream-bench.XXXXXX)
chmod 755 "$JS_TMP"
cleanup() {
	js_broker_stop
	js_cluster_stop "$JS_TMP/pg" immediate
	rm -rf "$JS_TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

js_build_install "$JS_TMP/root"
export JS_TMP BENCH_SCALE=${BENCH_SCALE:-1}
js_cluster_start "$JS_TMP/pg" "$(js_free_port)" "shared_buffers = '2GB'
work_mem = '64MB'
maintenance_work_mem = '1GB'
max_wal_size = '8GB'
checkpoint_timeout = '30min'
jobstream.database = 'jobstream_bench'
jobstream.match_enabled = off"
createdb jobstream_bench
export PGDATABASE=jobstream_bench
psql -qX -c 'CREATE EXTENSION jobstream' || js_die "CREATE EXTENSION failed"

status=0
for b in test/bench/*.sh; do
	[ "$b" = test/bench/run.sh ] && continue
	name=$(basename "$b" .sh)
	[ -n "${BENCH:-}" ] && [ "$BENCH" != "$name" ] && continue
	echo
	echo "### $name"
	bash "$b" || { echo "benchmark $name failed"; status=1; }
done
exit $status
