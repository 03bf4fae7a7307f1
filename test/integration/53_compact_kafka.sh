#!/bin/bash
# A compacted job-posts topic on Apache Kafka (TAP): cleanup.policy=compact,
# keyed by post_id, with tombstones (a key with no value) deleting posts.
#
# 3,000 posts are sent in three versions each, then a tombstone for every
# 10th post, then a fourth version of every 20th (back from the dead).
# Then Kafka's log cleaner compacts the topic: older versions vanish and
# the offsets of a partition have gaps.  Asserts that
#   - a source that consumed the stream live holds, for every post, its
#     last version, and no post whose last message is a tombstone;
#   - the log was really compacted (fewer messages left than sent);
#   - a new source reading the compacted topic from the start holds exactly
#     the same rows, with no dead letter, and its stored offsets are
#     Kafka's end offsets although the offsets it read had gaps;
#   - updates and tombstones sent after the compaction are applied.
set -uo pipefail
cd "$(dirname "$0")/../.."
JS_BROKER_KIND=kafka
. test/lib.sh
. test/tap.sh
. test/lib_ingest.sh

js_integration_setup compact
N=3000

js_plan 8

cleanup() {
	js_broker_stop
	js_cluster_stop "$DIR/pg" immediate
}
trap cleanup EXIT

js_broker_start "$DIR/broker" 4
JP=$(js_topic job_posts)
# Segments roll every 200 ms and are cleaned as soon as 1% is dirty;
# tombstones are kept an hour, so every reader below sees them.
js_kafka_tool create "$JS_BROKERS" "$JP:4:cleanup.policy=compact,segment.ms=200,min.cleanable.dirty.ratio=0.01,delete.retention.ms=3600000,min.compaction.lag.ms=0" ||
	js_die "creating the compacted topic failed"
js_cluster_start "$DIR/pg" "$(js_free_port)" "jobstream.database = 'js_compact'
jobstream.batch_time = '50ms'"
js_extension_db js_compact

# tombstones CONDITION: the keys of the posts i in 1..N for which the SQL
# CONDITION holds, each with no value (produce -Z)
tombstones() {
	js_sql "SELECT md5('post' || i)::uuid || E'\\t' FROM generate_series(1, $N) i WHERE $1"
}

# state: the posts table as "post_id title" lines, sorted
state() { js_sql "SELECT post_id || ' ' || job_title FROM jobstream.job_posts ORDER BY post_id"; }

# expected: what the posts table must hold after the messages sent so far
# ($1: how many rounds after the first four were sent, 0 or 1)
expected() {
	js_sql "SELECT post_id || ' ' || title FROM (
		SELECT md5('post' || i)::uuid AS post_id,
			'Engineer ' || i || ' v' || CASE WHEN $1 = 1 AND i % 7 = 0 THEN 5 WHEN i % 20 = 0 THEN 4 ELSE 3 END AS title
		FROM generate_series(1, $N) i
		WHERE ($1 = 1 AND i % 7 = 0)
			OR ((i % 10 <> 0 OR i % 20 = 0) AND NOT ($1 = 1 AND i % 11 = 0))) x
		ORDER BY post_id"
}

GROUP=$(js_group job_posts)
ID=$(js_sql "SELECT jobstream.add_source('$JP', 'job_posts', '$JS_BROKERS', group_id => '$GROUP')")
ok=0
for v in 1 2 3; do
	posts 1 $N $v | produce "$JP" -K $'\t' || ok=1
	sleep 0.3
done
tombstones "i % 10 = 0" | produce "$JP" -K $'\t' -Z || ok=1
sleep 0.3
posts 1 $N 4 20 | produce "$JP" -K $'\t' || ok=1
js_ok $ok "sent $N posts in three versions, tombstones for every 10th, a fourth version of every 20th"
sent=$((3 * N + N / 10 + N / 20))

wait_for "SELECT coalesce(sum(next_offset), 0) = $sent FROM jobstream.source_offsets WHERE source_id = $ID" 60
js_ok $? "the live source read all $sent messages"
expected 0 >"$DIR/expected0"
state >"$DIR/live"
cmp -s "$DIR/expected0" "$DIR/live"
js_ok $? "live: every post holds its last version, tombstoned posts are gone ($(wc -l <"$DIR/live") rows)"

# Compaction: the cleaner only cleans rolled segments, so keep a message
# arriving (a post outside 1..N) until the log has shrunk.
left=$sent
for i in $(seq 60); do
	posts $((N + 1)) 1 1 | produce "$JP" -K $'\t'
	sent=$((sent + 1))
	left=$("$JS_PGBIN/jobstream-kcat" -b "$JS_BROKERS" -t "$JP" -C -e 2>/dev/null | wc -l)
	[ "$left" -lt $((sent - N)) ] && break
	sleep 1
done
[ "$left" -lt $((sent - N)) ]
js_ok $? "Kafka's log cleaner compacted the topic: $left of $sent messages left"

# A new source of the compacted topic, into an emptied table.
js_sql "SELECT jobstream.drop_source($ID)" >/dev/null
js_sql "DELETE FROM jobstream.job_posts" >/dev/null
ID=$(js_sql "SELECT jobstream.add_source('$JP', 'job_posts', '$JS_BROKERS', group_id => '$GROUP.again')")
read -r end _ < <(js_kafka_tool ends "$JS_BROKERS" "$JP")
wait_for "SELECT coalesce(sum(next_offset), 0) = $end FROM jobstream.source_offsets WHERE source_id = $ID" 60
js_ok $? "a new source of the compacted topic stores Kafka's end offsets ($end) although it read $left messages"
state | grep -v "^$(js_sql "SELECT md5('post' || $((N + 1)))::uuid") " >"$DIR/again"
cmp -s "$DIR/expected0" "$DIR/again"
js_ok $? "it holds exactly the rows of the live source ($(wc -l <"$DIR/again") rows)"
js_is "$(js_sql "SELECT count(*) FROM jobstream.dead_letters")" "0" "no dead letters"

# After the compaction: a fifth version of every 7th post, tombstones for
# every 11th that is not a 7th.
{
	posts 1 $N 5 7
	tombstones "i % 11 = 0 AND i % 7 <> 0"
} | produce "$JP" -K $'\t' -Z
wait_for "SELECT count(*) = $(expected 1 | wc -l) + 1 FROM jobstream.job_posts" 30
expected 1 >"$DIR/expected1"
state | grep -v "^$(js_sql "SELECT md5('post' || $((N + 1)))::uuid") " >"$DIR/after"
cmp -s "$DIR/expected1" "$DIR/after"
js_ok $? "updates and tombstones sent after the compaction are applied"

[ $JS_TAP_FAILED -eq 0 ]
