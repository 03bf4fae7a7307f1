#!/bin/bash
# Rebalances under load on Apache Kafka's group coordinator (TAP).
#
# 120,000 tracking events (every 20th invalid JSON: a dead letter, stored
# without a key, so anything stored twice would show) stream into a
# 16-partition topic while
#   - the source's parallelism goes 1 -> 4 -> 2 -> 3 (workers join and
#     leave the consumer group: each change is a rebalance), and
#   - a second consumer joins the same group: a plain Java KafkaConsumer,
#     not a jobstream worker, which takes partitions away from the workers
#     for a few seconds, reads them and commits its own offsets to Kafka,
#     then leaves.
# Asserts that every event is stored exactly once: the valid ones all
# land, each dead letter once per (partition, offset), and the stored
# offsets are Kafka's end offsets, partition by partition.  That holds
# because the workers resume from jobstream.source_offsets, fenced in the
# same transaction as the rows, and never from the offsets the group
# commits in Kafka (src/consumer.c): the second consumer's commits are
# ignored, and the partitions it held are read again from where the
# database says when they come back.
#
# What "a second consumer in the same group" cannot be: a second database
# with a jobstream source in the same group.  Each database keeps its own
# offsets, so while both are members each stores only the partitions it
# is given (see the README, "On Apache Kafka").
set -uo pipefail
cd "$(dirname "$0")/../.."
JS_BROKER_KIND=kafka
. test/lib.sh
. test/tap.sh
. test/lib_ingest.sh

js_integration_setup rebalance

js_plan 14

cleanup() {
	[ -n "${STREAM_PID:-}" ] && kill "$STREAM_PID" 2>/dev/null
	[ -n "${MEMBER_PID:-}" ] && kill "$MEMBER_PID" 2>/dev/null
	js_broker_stop
	js_cluster_stop "$DIR/pg" immediate
}
trap cleanup EXIT

js_broker_start "$DIR/broker" 16 tracking_events
TE=$(js_topic tracking_events)
js_cluster_start "$DIR/pg" "$(js_free_port)" "jobstream.database = 'js_rebalance'
jobstream.batch_time = '50ms'"
js_extension_db js_rebalance

# workers N: true once the source runs exactly N workers, each alone in
# its slice
workers() {
	wait_for "SELECT count(*) = $1 AND count(DISTINCT slice) = $1 FROM jobstream.workers WHERE source_id = $ID" 15
}

# parallelism N: changes the source's parallelism
parallelism() {
	js_sql "SELECT jobstream.alter_source($ID, options => '{\"parallelism\": $1}')" >/dev/null
}

GROUP=$(js_group tracking_events)
ID=$(js_sql "SELECT jobstream.add_source('$TE', 'tracking_events', '$JS_BROKERS', group_id => '$GROUP')")
workers 1
js_ok $? "the source starts with one worker"

CHUNKS=12
for c in $(seq 0 $((CHUNKS - 1))); do mixed $((1 + c * 10000)) 10000 >"$DIR/chunk$c.json"; done
(for c in $(seq 0 $((CHUNKS - 1))); do produce "$TE" <"$DIR/chunk$c.json" || exit 1; sleep 0.8; done) &
STREAM_PID=$!

sleep 1.5
parallelism 4
workers 4
js_ok $? "parallelism 1 -> 4 under load: four workers within seconds"

# The second consumer: in the group for 6 s, committing to Kafka.
js_kafka_tool member "$JS_BROKERS" "$TE" "$GROUP" 6 >"$DIR/member.out" 2>"$DIR/member.err" &
MEMBER_PID=$!
sleep 3
parallelism 2
workers 2
js_ok $? "parallelism 4 -> 2 while the second consumer is in the group: two workers"
wait "$MEMBER_PID"
js_ok $? "the second consumer joined the group, read and committed, and left ($(cat "$DIR/member.out" "$DIR/member.err" | tr '\n' ' '))"
MEMBER_PID=
read -r _ parts _ records <"$DIR/member.out"
[ "${parts:-0}" -gt 0 ] && [ "${records:-0}" -gt 0 ]
js_ok $? "the group coordinator gave it partitions of the stream (${parts:-0}) and it read messages (${records:-0})"
parallelism 3
workers 3
js_ok $? "parallelism 2 -> 3: three workers"

wait "$STREAM_PID"
js_ok $? "produced $((CHUNKS * 10000)) messages meanwhile"
STREAM_PID=
total=$((CHUNKS * 10000))
bad=$((total / 20))

read -r end start < <(js_kafka_tool ends "$JS_BROKERS" "$TE")
js_is "$end $start" "$total 0" "Kafka's end offsets of the topic sum to the messages produced"
wait_for "SELECT coalesce(sum(next_offset), 0) = $total FROM jobstream.source_offsets WHERE source_id = $ID" 120
js_ok $? "the stored offsets reach Kafka's end offsets"
js_is "$(js_sql "SELECT count(*) || ' ' || count(DISTINCT event_id) FROM jobstream.tracking_events")" "$((total - bad)) $((total - bad))" \
	"every valid event is stored, once"
js_is "$(js_sql "SELECT count(*) || ' ' || count(DISTINCT (partition, \"offset\")) FROM jobstream.dead_letters")" "$bad $bad" \
	"every invalid message is one dead letter: no batch was stored twice across the rebalances"
js_is "$(js_sql "SELECT count(*) FROM jobstream.dead_letters
	WHERE convert_from(payload, 'UTF8') !~ '^\{\"event_id\": broken [0-9]+$'
		OR substring(convert_from(payload, 'UTF8') from '[0-9]+$')::int % 20 <> 0")" "0" \
	"the dead letters are exactly the invalid messages"
js_is "$(js_sql "SELECT count(*) || ' ' || bool_and(lag = 0) FROM jobstream.source_stats WHERE source_id = $ID AND lag IS NOT NULL")" "16 true" \
	"the workers report all 16 partitions with zero lag"
# A change restarts every slice of the source once: 1 + 4 + 2 + 3 starts.
# (The launcher once restarted a changed source's workers on every pass,
# thousands of times in a few seconds.)
js_is "$(grep -c "jobstream worker for source $ID slice [0-9]* consuming" "$DIR/pg/postgres.log")" 10 \
	"each parallelism change started each slice's worker once"

[ $JS_TAP_FAILED -eq 0 ]
