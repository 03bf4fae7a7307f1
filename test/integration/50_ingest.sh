#!/bin/bash
# Kafka ingestion end to end (TAP), against jobstream-devbroker or, with
# JS_BROKER_KIND=kafka (51_ingest_kafka.sh), against Apache Kafka.
#
# Runs its own PostgreSQL cluster (so restarts do not disturb the pgTAP
# cluster) with jobstream.database pointing at its test database, and its
# own jobstream-devbroker, or topics of its own on the shared Apache Kafka
# (lib.sh: js_broker_start, js_topic).  Scenarios:
#   1. volume: 100k tracking events and 10k job posts over 16 partitions;
#      ingested counts and stored offsets equal produced counts exactly
#   2. kill -9 of a worker and an immediate-mode restart of PostgreSQL in
#      the middle of a stream: nothing missing, nothing doubled (dead
#      letters, which are appended without any key, are counted too)
#   3. a malformed corpus mixed into good streams: each bad message is a
#      dead letter with a useful reason, every good one lands; tombstones
#      delete by key
#   4. broker outage mid-stream (devbroker: listeners closed by SIGUSR1,
#      re-opened by SIGUSR2; Apache Kafka: stopped and started again):
#      resumes by itself, nothing lost, the outage logged once
#   5. pause / resume / drop take effect within seconds; SIGTERM stops a
#      worker within a second
set -uo pipefail
cd "$(dirname "$0")/../.."
. test/lib.sh
. test/tap.sh
. test/lib_ingest.sh

js_integration_setup "ingest.$JS_BROKER_KIND"

js_plan 37

cleanup() {
	[ -n "${BG_PID:-}" ] && kill "$BG_PID" 2>/dev/null
	js_broker_stop
	js_cluster_stop "$DIR/pg" immediate
}
trap cleanup EXIT

js_broker_start "$DIR/broker" 16 tracking_events,job_posts,job_applications
TE=$(js_topic tracking_events)
JP=$(js_topic job_posts)
JA=$(js_topic job_applications)
js_cluster_start "$DIR/pg" "$(js_free_port)" "jobstream.database = 'jobstream_test'
jobstream.max_message_bytes = '64kB'
jobstream.batch_time = '50ms'"
js_extension_db jobstream_test
LOG=$DIR/pg/postgres.log

###########################################################################
# 1. volume
###########################################################################
js_sql "SELECT jobstream.add_source('$TE', 'tracking_events', '$JS_BROKERS', group_id => '$(js_group tracking_events)', options => '{\"parallelism\": 2}')" >/dev/null
js_sql "SELECT jobstream.add_source('$JP', 'job_posts', '$JS_BROKERS', group_id => '$(js_group job_posts)')" >/dev/null
wait_for "SELECT count(DISTINCT pid) = 3 FROM jobstream.workers" 10
js_ok $? "the launcher starts one worker per source slice within seconds"

events 1 100000 | produce "$TE"
ok1=$?
posts 1 10000 | produce "$JP"
js_ok $((ok1 + $?)) "produced 100000 tracking events and 10000 job posts"

wait_for "SELECT count(*) >= 100000 FROM jobstream.tracking_events" 120
wait_for "SELECT count(*) >= 10000 FROM jobstream.job_posts" 60
sleep 1
js_is "$(js_sql 'SELECT count(*) FROM jobstream.tracking_events')" 100000 "tracking events: ingested = produced"
js_is "$(js_sql 'SELECT count(*) FROM jobstream.job_posts')" 10000 "job posts: ingested = produced"
js_is "$(js_sql "SELECT sum(next_offset) FROM jobstream.source_offsets o JOIN jobstream.sources s USING (source_id) WHERE s.topic = '$TE'")" 100000 \
	"tracking events: stored offsets = produced"
js_is "$(js_sql "SELECT count(DISTINCT partition) FROM jobstream.source_offsets o JOIN jobstream.sources s USING (source_id) WHERE s.topic = '$TE'")" 16 \
	"tracking events: all 16 partitions consumed"
js_is "$(js_sql 'SELECT count(*) FROM jobstream.dead_letters')" 0 "no dead letters from a good stream"
js_is "$(js_sql "SELECT sum(rows) = 10000 AND bool_and(lag = 0) FROM jobstream.source_stats WHERE topic = '$JP'")" t \
	"source_stats: job_posts rows and zero lag"

# re-sent job posts update by key
js_sql "SELECT json_build_object('post_id', md5('post' || i)::uuid, 'company', 'Renamed', 'job_title', 'Engineer', 'job_category', 'Data & Analytics')
	FROM generate_series(1, 100) i" | produce "$JP"
wait_for "SELECT count(*) = 100 FROM jobstream.job_posts WHERE company = 'Renamed'" 30
js_ok $? "a re-sent job post updates its row (upsert by key)"
js_is "$(js_sql 'SELECT count(*) FROM jobstream.job_posts')" 10000 "upserts add no rows"

###########################################################################
# 2. kill -9 of a worker and an immediate restart mid-stream
###########################################################################
# Every 20th message is invalid JSON (mixed, test/lib_ingest.sh): dead
# letters are appended without a key, so a replayed batch would show as
# extra dead letters.
# generated beforehand: psql is unavailable while PostgreSQL restarts
for c in $(seq 0 9); do mixed $((200001 + c * 10000)) 10000 >"$DIR/chunk$c.json"; done
(for c in $(seq 0 9); do produce "$TE" <"$DIR/chunk$c.json" || exit 1; sleep 0.4; done) &
BG_PID=$!
sleep 1
victim=$(js_sql "SELECT pid FROM jobstream.workers WHERE target = 'tracking_events' LIMIT 1")
kill -9 "$victim" 2>/dev/null
sleep 1.5
js_cluster_stop "$DIR/pg" immediate
sleep 0.5
js_cluster_start "$DIR/pg" "$PGPORT"
wait "$BG_PID"
js_ok $? "produced 100000 more messages while killing a worker and restarting PostgreSQL"
BG_PID=
wait_for "SELECT count(*) >= 195000 FROM jobstream.tracking_events" 180
wait_for "SELECT count(*) >= 5000 FROM jobstream.dead_letters" 60
sleep 2
js_is "$(js_sql 'SELECT count(*) FROM jobstream.tracking_events')" 195000 "after kill -9 and restart: nothing missing"
js_is "$(js_sql 'SELECT count(*) FROM jobstream.dead_letters')" 5000 "after kill -9 and restart: nothing doubled (dead letters counted once)"
js_is "$(js_sql "SELECT count(DISTINCT (partition, \"offset\")) FROM jobstream.dead_letters")" 5000 "each dead letter once per offset"
js_is "$(js_sql "SELECT sum(next_offset) FROM jobstream.source_offsets o JOIN jobstream.sources s USING (source_id) WHERE s.topic = '$TE'")" 200000 \
	"stored offsets = all messages produced"
js_sql 'DELETE FROM jobstream.dead_letters' >/dev/null

###########################################################################
# 3. malformed corpus
###########################################################################
js_sql "SELECT jobstream.add_source('$JA', 'job_applications', '$JS_BROKERS', group_id => '$(js_group job_applications)')" >/dev/null
hex() { js_sql "SELECT encode(convert_to(\$\$$1\$\$, 'UTF8'), 'hex')"; }
P=00000000-0000-0000-0000-0000000000
corpus_posts=$DIR/corpus_posts.hex
{
	posts 900001 200 | while read -r l; do printf '%s' "$l" | od -An -v -tx1 | tr -d ' \n'; echo; done
	hex '{"post_id": "'$P'01", "company": '                                       # invalid JSON
	# invalid UTF-8: a lone 0xff byte inside a string
	printf '%s' '{"post_id": "'$P'02", "company": "Ac' | od -An -v -tx1 | tr -d ' \n'
	printf 'ff'
	printf '%s' 'me", "job_title": "T", "job_category": "Software Engineering"}' | od -An -v -tx1 | tr -d ' \n'
	echo
	hex '{"post_id": "'$P'03", "job_title": "T", "job_category": "Software Engineering"}'      # missing company
	hex '{"post_id": "'$P'04", "company": "A", "job_title": "T", "job_category": "Software Engineering", "salary_min": "lots"}' # wrong type
	hex '{"post_id": "'$P'05", "company": "A", "job_title": "T", "job_category": "Software Engineering", "min_years_experience": 99}' # out of range
	hex '{"post_id": "'$P'06", "company": "A", "job_title": "T", "job_category": "Underwater Basket Weaving"}' # unknown category (FK)
	js_sql "SELECT encode(convert_to(json_build_object('post_id', '${P}07', 'company', 'A', 'job_title', 'T',
		'job_category', 'Software Engineering', 'description', repeat('x', 70000))::text, 'UTF8'), 'hex')" # oversized
	posts 900201 200 | while read -r l; do printf '%s' "$l" | od -An -v -tx1 | tr -d ' \n'; echo; done
} >"$corpus_posts"
produce "$JP" -x <"$corpus_posts"
js_ok $? "produced a job_posts corpus of 400 good and 7 bad messages"

A=00000000-0000-0000-0000-00000000aa
C=00000000-0000-0000-0000-0000000000cc
{
	js_sql "SELECT json_build_object('application_id', md5('app' || i)::uuid, 'candidate_id', md5('cand' || i)::uuid,
		'post_id', md5('post' || i)::uuid, 'status', 'Applied', 'compatibility_score', 55.5,
		'applied_at', '2024-03-02T10:00:00Z') FROM generate_series(1, 300) i"
	echo '{"application_id": "'$A'01", "candidate_id": "'$C'", "post_id": "'$P'99", "status": "Applied", "applied_at": "2024-03-02T10:00:00Z"}'
	echo '{"application_id": "'$A'02", "candidate_id": "'$C'", "post_id": "'$P'99", "status": "Applied", "applied_at": "2024-03-02T11:00:00Z"}'
	echo '{"application_id": "'$A'03", "candidate_id": "'$C'", "post_id": "'$P'98", "status": "Daydreaming", "applied_at": "2024-03-02T11:00:00Z"}'
} | produce "$JA" -p 0
js_ok $? "produced a job_applications corpus with a duplicate (candidate, post) and an unknown status"

wait_for "SELECT count(*) >= 2 FROM jobstream.dead_letters WHERE topic = '$JA'" 60
wait_for "SELECT count(*) >= 7 FROM jobstream.dead_letters WHERE topic = '$JP'" 60
wait_for "SELECT count(*) >= 10400 FROM jobstream.job_posts" 30
sleep 1
dl() { js_sql "SELECT coalesce(string_agg(error, ' | '), '(none)') FROM jobstream.dead_letters WHERE $1"; }
js_is "$(js_sql "SELECT count(*) FROM jobstream.dead_letters WHERE topic = '$JP'")" 7 "7 bad job posts, 7 dead letters"
js_is "$(js_sql "SELECT count(*) FROM jobstream.job_posts WHERE post_id::text LIKE '00000000-%'")" 0 "no bad job post landed"
js_is "$(js_sql 'SELECT count(*) FROM jobstream.job_posts')" 10400 "every good job post of the corpus landed"
check_reason() {
	local where=$1 re=$2 what=$3 got
	got=$(dl "$where")
	[[ ${got,,} =~ $re ]]
	js_ok $? "dead letter for $what has a useful reason ($got)"
}
check_reason "payload = decode('$(hex '{"post_id": "'$P'01", "company": ')', 'hex')" 'json|unexpected|end|expected' "invalid JSON"
check_reason "position('\\xff'::bytea in payload) > 0" 'utf-8|utf8' "invalid UTF-8"
check_reason "encode(payload, 'escape') LIKE '%${P}03%'" 'company' "a missing required field"
check_reason "encode(payload, 'escape') LIKE '%${P}04%'" 'salary_min' "a wrong type"
check_reason "encode(payload, 'escape') LIKE '%${P}05%'" 'min_years_experience' "an out-of-range value"
check_reason "encode(payload, 'escape') LIKE '%${P}06%'" 'job_category|foreign key|job_families' "an unknown category (FK)"
check_reason "payload_bytes > 65536" 'max_message_bytes' "an oversized message"
big="convert_to(json_build_object('post_id', '${P}07', 'company', 'A', 'job_title', 'T',
	'job_category', 'Software Engineering', 'description', repeat('x', 70000))::text, 'UTF8')"
js_is "$(js_sql "SELECT length(payload) = pg_size_bytes(current_setting('jobstream.dead_letter_bytes'))
		AND payload = substring($big FROM 1 FOR length(payload))
		AND payload_bytes = length($big) AND payload_sha256 = sha256($big)
	FROM jobstream.dead_letters WHERE payload_bytes > 65536")" t \
	"an oversized dead letter keeps a prefix of jobstream.dead_letter_bytes, the full length and the SHA-256"
check_reason "topic = '$JA' AND encode(payload, 'escape') LIKE '%${A}02%'" 'once_per_post|duplicate' "a second application to the same post"
check_reason "topic = '$JA' AND encode(payload, 'escape') LIKE '%${A}03%'" 'status|foreign key' "an unknown status"
js_is "$(js_sql "SELECT count(*) FROM jobstream.job_applications")" 301 "every good application landed"
js_is "$(js_sql "SELECT partition || ':' || (\"offset\" >= 0) || ':' || (payload IS NOT NULL) FROM jobstream.dead_letters WHERE topic = '$JA' LIMIT 1")" "0:true:true" \
	"dead letters keep partition, offset and raw payload"

# tombstones delete by key
printf '%s\t\n' "$(js_sql "SELECT md5('post1')::uuid")" | produce "$JP" -K $'\t' -Z
wait_for "SELECT NOT EXISTS (SELECT FROM jobstream.job_posts WHERE post_id = md5('post1')::uuid)" 30
js_ok $? "a tombstone deletes the job post with its key"

###########################################################################
# 4. broker outage mid-stream
###########################################################################
before=$(js_sql 'SELECT count(*) FROM jobstream.tracking_events')
events 300001 10000 | produce "$TE"
js_broker_down
sleep 3
events 310001 10000 | produce "$TE" -X message.timeout.ms=120000 &
BG_PID=$!
sleep 3
js_broker_up
wait "$BG_PID"
BG_PID=
wait_for "SELECT count(*) >= $before + 20000 FROM jobstream.tracking_events" 120
js_is "$(js_sql 'SELECT count(*) FROM jobstream.tracking_events')" $((before + 20000)) "after a broker outage: ingestion resumed, nothing lost"
# A worker logs the recovery when it next receives a message; right after
# the outage the group may give every partition to the worker that rejoined
# first, until the other rejoins: a trickle of events until both have
# logged it (at most 30 s).
for i in $(seq 30); do
	[ "$(grep -c "$TE\"): Kafka brokers reachable again" "$LOG")" -ge 2 ] && break
	events $((320001 + i * 100)) 100 | produce "$TE"
	sleep 1
done
n=$(grep -c "$TE\"): Kafka brokers unreachable" "$LOG")
m=$(grep -c "$TE\"): Kafka brokers reachable again" "$LOG")
[ "$n" -eq 2 ] && [ "$m" -eq 2 ]
js_ok $? "the outage and the recovery are logged once by each of the 2 tracking workers ($n, $m)"

###########################################################################
# 5. pause, resume, SIGTERM
###########################################################################
id=$(js_sql "SELECT source_id FROM jobstream.sources WHERE topic = '$JP'")
js_sql "SELECT jobstream.pause_source($id)" >/dev/null
wait_for "SELECT NOT EXISTS (SELECT FROM jobstream.workers WHERE source_id = $id)" 3
js_ok $? "pause_source stops the source's worker within seconds"
js_sql "SELECT jobstream.resume_source($id)" >/dev/null
wait_for "SELECT EXISTS (SELECT FROM jobstream.workers WHERE source_id = $id)" 3
js_ok $? "resume_source starts it again"

exit $((JS_TAP_FAILED > 0))
