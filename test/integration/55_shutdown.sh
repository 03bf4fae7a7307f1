# Workers stop promptly on a fast shutdown even when the broker has gone
# away for good (librdkafka's consumer close cannot finish then; a worker
# once hung in rd_kafka_destroy() there), and the server comes back up with
# its rows intact.  Against jobstream-devbroker, or with
# JS_BROKER_KIND=kafka (56_shutdown_kafka.sh) against Apache Kafka.
set -uo pipefail
cd "$(dirname "$0")/../.."
. test/lib.sh
. test/tap.sh

: "${JS_TMP:?run through test/run.sh}"
export PATH="$JS_PGBIN:$PATH"
DIR=$JS_TMP/shutdown.$JS_BROKER_KIND
js_plan 4

cleanup() {
	js_broker_stop
	js_cluster_stop "$DIR/pg" immediate
}
trap cleanup EXIT

js_broker_start "$DIR/broker" 4 job_posts
port=$(js_free_port)
js_cluster_start "$DIR/pg" "$port" "jobstream.database = 'js_shutdown'
jobstream.match_enabled = off"
export PGDATABASE=js_shutdown
createdb js_shutdown
js_sql "CREATE EXTENSION jobstream" >/dev/null
js_cluster_stop "$DIR/pg"
js_cluster_start "$DIR/pg" "$port"
js_sql "SELECT jobstream.add_source('$(js_topic job_posts)', 'job_posts', '$JS_BROKERS', group_id => '$(js_group job_posts)', options => '{\"parallelism\": 2}')" >/dev/null

"$JS_PGBIN/jobstream-gen" --brokers "$JS_BROKERS" --topics job_posts --topic-prefix "$(js_topic '')" --count 2000 --seed 3 --quiet
for i in $(seq 300); do
	[ "$(js_sql "SELECT count(*) FROM jobstream.job_posts")" = 2000 ] && break
	sleep 0.1
done
js_is "$(js_sql "SELECT count(*) FROM jobstream.job_posts")" 2000 "the first 2000 posts are ingested"

# The broker goes away for good, with two workers in its consumer group.
js_broker_down
sleep 2
t0=$(date +%s%N)
js_as_pg "$JS_PGBIN/pg_ctl" -D "$DIR/pg/data" -m fast -w -t 20 stop >/dev/null 2>&1
js_ok $? "a fast shutdown completes while the broker is unreachable"
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
[ "$ms" -lt 5000 ]
js_ok $? "and takes under 5 s (took $ms ms)"

js_cluster_start "$DIR/pg" "$port"
sleep 2
js_is "$(js_sql "SELECT count(*) FROM jobstream.job_posts")" 2000 \
	"the server restarts with the broker still gone, its rows intact"
[ $JS_TAP_FAILED -eq 0 ]
