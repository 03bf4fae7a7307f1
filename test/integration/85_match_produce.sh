#!/bin/bash
# The matcher producing its applications to Kafka (issue 7), on its own
# clusters and its own jobstream-devbroker, or with JS_BROKER_KIND=kafka
# (86_match_produce_kafka.sh) on a topic of its own on Apache Kafka.
#
# Cluster A matches a stream of candidates with
# jobstream.match_produce_brokers set (topic job_applications, the
# default); the matcher is killed with SIGKILL in the middle, and once with
# SIGTERM, which must stop it within a second.  The topic is also a source
# of cluster A, so the applications come back into the table they came
# from.  Then:
#   - every message of the topic is a JSON object with exactly the
#     contract's keys and types, and the values of its row;
#   - the application_ids of the topic are exactly those of the table:
#     none lost across the kill, none extra (duplicates may only be re-sends,
#     which the delivery guarantee, at least once, allows);
#   - cluster B, with the topic as its only source, ingests exactly the
#     rows of A, each once;
#   - A's table is still exactly the matcher's deterministic expectation
#     and match_state counted each application produced once.
set -uo pipefail
cd "$(dirname "$0")/../.."
. test/lib.sh
. test/tap.sh
. test/lib_ingest.sh

js_integration_setup "match_produce.$JS_BROKER_KIND"

js_plan 19

cleanup() {
	[ -n "${STREAM_PID:-}" ] && kill "$STREAM_PID" 2>/dev/null
	js_broker_stop
	js_cluster_stop "$DIR/a" immediate
	js_cluster_stop "$DIR/b" immediate
}
trap cleanup EXIT

js_broker_start "$DIR/broker" 4 job_applications
JA=$(js_topic job_applications)
PORT_A=$(js_free_port)
js_cluster_start "$DIR/a" "$PORT_A" "jobstream.database = 'js_prod'
jobstream.match_produce_brokers = '$JS_BROKERS'
jobstream.match_produce_topic = '$JA'
jobstream.batch_time = '50ms'"
A_HOST=$PGHOST
js_extension_db js_prod

# wait_for SQL [seconds]: waits until SQL returns t
# matcher_pid: the running matcher's pid, or nothing
matcher_pid() { js_sql "SELECT pid FROM pg_stat_activity WHERE backend_type = 'jobstream matcher'" 2>/dev/null; }

# candidates B N: inserts N deterministic candidates of batch B (idempotent).
candidates() {
	echo "INSERT INTO jobstream.candidates (candidate_id, full_name, job_category, skills,
		years_experience, experience_level, expected_salary)
	SELECT ('00000000-0000-$(printf %04x "$1")-0001-' || lpad(to_hex(g), 12, '0'))::uuid, 'Candidate ' || g,
		f.a[1 + ($1 * 7 + g) % 4],
		sk.a[1 + ($1 + g * 7) % 40 : 1 + ($1 + g * 7) % 40 + 2 + g % 8],
		($1 + g) % 16,
		(ARRAY['Intern','Entry','Junior','Mid','Senior','Lead','Director','Executive'])[1 + ($1 * 3 + g) % 8],
		40000 + (g * 7919 + $1) % 120000
	FROM generate_series(1, $2) g,
		(SELECT array_agg(family ORDER BY family) a FROM jobstream.job_families) f,
		(SELECT array_agg(skill ORDER BY skill) a FROM jobstream.skills) sk
	ON CONFLICT DO NOTHING"
}

# The topic is also a source of the database the matcher writes to.
js_sql "SELECT jobstream.add_source('$JA', 'job_applications', '$JS_BROKERS', group_id => '$(js_group job_applications)')" >/dev/null

# 400 open posts in 4 families.
js_sql "INSERT INTO jobstream.job_posts (post_id, company, job_title, job_category, required_skills,
	min_years_experience, experience_level, salary_max, deadline_date)
SELECT ('00000000-0000-0000-0002-' || lpad(to_hex(g), 12, '0'))::uuid, 'Company ' || g, 'Title ' || g,
	f.a[1 + g % 4], sk.a[1 + (g * 13) % 40 : 1 + (g * 13) % 40 + 3 + g % 6], g % 9,
	(ARRAY['Intern','Entry','Junior','Mid','Senior','Lead','Director','Executive'])[1 + g % 8],
	50000 + (g * 104729) % 150000, CASE WHEN g % 5 = 0 THEN NULL ELSE current_date + g END
FROM generate_series(1, 400) g,
	(SELECT array_agg(family ORDER BY family) a FROM jobstream.job_families) f,
	(SELECT array_agg(skill ORDER BY skill) a FROM jobstream.skills) sk" >/dev/null
wait_for "SELECT count(*) = 0 FROM jobstream.match_queue" 30
js_ok $? "the matcher takes the queued posts"

js_sql "$(candidates 0 200)" >/dev/null
wait_for "SELECT a.n > 0 AND outbox_length = 0 AND produced = a.n
	FROM jobstream.match_stats, (SELECT count(*) AS n FROM jobstream.job_applications) a" 10
js_ok $? "the applications of 200 new candidates are produced and leave the outbox"

# A stream of 40 batches of 200 candidates; the matcher is killed with
# SIGKILL a third of the way (the server restarts every backend:
# statements cut off are retried, they are idempotent), and stopped with
# SIGTERM two thirds of the way.  The cluster runs with synchronous_commit
# off; the stream's own commits are made durable, so that the crash cannot
# take back a batch the client saw committed.
(
	export PGOPTIONS='-c synchronous_commit=on'

	for b in $(seq 1 40); do
		until psql -qAtX -c "$(candidates "$b" 200)" >/dev/null 2>&1; do sleep 0.2; done
		sleep 0.03
	done
) &
STREAM_PID=$!
wait_for "SELECT count(*) >= 3000 AND (SELECT produced > 0 FROM jobstream.match_state) FROM jobstream.candidates" 30
pid=$(matcher_pid)
n=$(js_sql "SELECT count(*) FROM jobstream.candidates")
[ -n "$pid" ] && kill -9 "$pid"
js_ok $? "killed the matcher (pid ${pid:-none}) with SIGKILL mid-stream, at $n of 8200 candidates"
for i in $(seq 300); do
	psql -qAtX -c "SELECT 1" >/dev/null 2>&1 && break
	sleep 0.1
done
wait_for "SELECT count(*) >= 5500 FROM jobstream.candidates" 60
for i in $(seq 100); do
	pid=$(matcher_pid)
	[ -n "$pid" ] && break
	sleep 0.1
done
ok=1
if [ -n "$pid" ]; then
	kill -TERM "$pid"
	t0=$(date +%s%N)
	for i in $(seq 100); do
		kill -0 "$pid" 2>/dev/null || { ok=0; break; }
		sleep 0.02
	done
	ms=$(( ($(date +%s%N) - t0) / 1000000 ))
fi
[ $ok -eq 0 ] && [ "$ms" -lt 1000 ]
js_ok $? "SIGTERM stops the producing matcher (pid ${pid:-none}) within a second (${ms:-?} ms)"
wait "$STREAM_PID"
STREAM_PID=
js_is "$(js_sql "SELECT count(*) FROM jobstream.candidates")" "8200" "every candidate of the stream is stored"
wait_for "SELECT queue_length = 0 AND outbox_length = 0 FROM jobstream.match_stats" 60
js_ok $? "the restarted matcher drains the queue and the outbox"

# The topic, read back to its end.
"$KCAT" -b "$JS_BROKERS" -t "$JA" -C -e >"$DIR/topic.json" 2>"$DIR/kcat.err"
js_ok $? "read the job_applications topic back"
js_sql "CREATE TABLE topic (n bigserial, line text);
CREATE FUNCTION as_json(t text) RETURNS jsonb LANGUAGE plpgsql AS \$\$
BEGIN
	RETURN t::jsonb;
EXCEPTION WHEN others THEN
	RETURN NULL;
END
\$\$" >/dev/null
psql -qAtX -v ON_ERROR_STOP=1 -c "\\copy topic (line) FROM '$DIR/topic.json' WITH (FORMAT csv, QUOTE E'\\x01', DELIMITER E'\\x02')" ||
	js_die "loading the topic failed"
messages=$(js_sql "SELECT count(*) FROM topic")
apps=$(js_sql "SELECT count(*) FROM jobstream.job_applications")
echo "# $messages messages for $apps applications ($((messages - apps)) sent again after the kill)"

js_is "$(js_sql "SELECT count(*) FROM topic WHERE jsonb_typeof(as_json(line)) IS DISTINCT FROM 'object'")" "0" \
	"every message is a JSON object"
js_is "$(js_sql "SELECT count(*) FROM topic
	WHERE ARRAY(SELECT jsonb_object_keys(line::jsonb) ORDER BY 1)
		<> '{application_id,applied_at,candidate_id,category_score,compatibility_score,experience_score,post_id,salary_score,seniority_score,skills_score,status}'::text[]")" "0" \
	"every message has exactly the contract's keys"
js_is "$(js_sql "SELECT count(*) FROM topic, jsonb_each(line::jsonb) e
	WHERE jsonb_typeof(e.value) <> CASE WHEN e.key ~ '_score$' THEN 'number' ELSE 'string' END
		OR (e.key IN ('application_id', 'candidate_id', 'post_id')
			AND e.value #>> '{}' !~ '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$')
		OR (e.key = 'applied_at'
			AND e.value #>> '{}' !~ '^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(\\.\\d{1,6})?Z$')
		OR (e.key ~ '_score$' AND e.value::text !~ '^\\d{1,3}\\.\\d\\d$')
		OR (e.key = 'status' AND e.value #>> '{}' NOT IN (SELECT status FROM jobstream.application_statuses))")" "0" \
	"every value has the contract's type and format"
js_is "$(js_sql "WITH m AS (SELECT (line::jsonb ->> 'application_id')::uuid AS id FROM topic),
	t AS (SELECT application_id AS id FROM jobstream.job_applications)
SELECT (SELECT count(*) FROM (SELECT id FROM t EXCEPT SELECT id FROM m) x) || ' missing, '
	|| (SELECT count(*) FROM (SELECT id FROM m EXCEPT SELECT id FROM t) x) || ' extra'")" "0 missing, 0 extra" \
	"the topic holds exactly the applications of the table"
js_is "$(js_sql "SELECT count(*) FROM topic m
	LEFT JOIN jobstream.job_applications a ON a.application_id = (line::jsonb ->> 'application_id')::uuid
	WHERE (a.candidate_id, a.post_id, a.status, a.compatibility_score, a.applied_at, a.category_score,
			a.skills_score, a.experience_score, a.seniority_score, a.salary_score)
		IS DISTINCT FROM ((line::jsonb ->> 'candidate_id')::uuid, (line::jsonb ->> 'post_id')::uuid,
			line::jsonb ->> 'status', (line::jsonb ->> 'compatibility_score')::numeric,
			(line::jsonb ->> 'applied_at')::timestamptz, (line::jsonb ->> 'category_score')::numeric,
			(line::jsonb ->> 'skills_score')::numeric, (line::jsonb ->> 'experience_score')::numeric,
			(line::jsonb ->> 'seniority_score')::numeric, (line::jsonb ->> 'salary_score')::numeric)
		OR a.category_score IS NULL")" "0" \
	"every message carries the values of its row, the components of its score included"

# Cluster A's source read the whole topic back into the table it came from.
wait_for "SELECT coalesce(sum(next_offset), 0) = $messages FROM jobstream.source_offsets" 60
js_ok $? "the source on the topic in the matcher's database ingested all $messages messages"
js_is "$(js_sql "
WITH expected AS (
	SELECT jobstream.match_application_id(candidate_id, post_id) AS application_id, candidate_id, post_id,
		jobstream.application_status(score, jobstream.match_draw(candidate_id, post_id, 'status')) AS status,
		score
	FROM (SELECT c.candidate_id, p.post_id, jobstream.compatibility_score(c, p) AS score,
			row_number() OVER (PARTITION BY c.candidate_id
				ORDER BY jobstream.compatibility_score(c, p) DESC, p.post_id) AS rn
		FROM jobstream.candidates c
		JOIN jobstream.job_posts p ON p.job_category = c.job_category
			AND (p.deadline_date IS NULL OR p.deadline_date >= current_date)
		WHERE jobstream.compatibility_score(c, p) >= 60) s
	WHERE rn <= 5 AND jobstream.match_draw(candidate_id, post_id, 'apply') < 0.5),
got AS (SELECT application_id, candidate_id, post_id, status, compatibility_score FROM jobstream.job_applications)
SELECT (SELECT count(*) FROM expected) > 1000,
	(SELECT count(*) FROM (TABLE expected EXCEPT TABLE got) x),
	(SELECT count(*) FROM (TABLE got EXCEPT TABLE expected) x),
	(SELECT count(*) FROM jobstream.dead_letters)")" "t|0|0|0" \
	"ingested back, the table is still exactly the matcher's expectation, without dead letters"
js_is "$(js_sql "SELECT 'produced ' || s.produced || ', applications ' || s.applications
	|| ', last_error ' || coalesce(s.last_error || ' at ' || s.last_error_at, 'none') FROM jobstream.match_state s")" \
	"produced $apps, applications $apps, last_error none" \
	"match_state counted every application produced once, and no error" ||
	grep -E 'matcher|could not produce' "$DIR/a/postgres.log" | tail -30 >&2

# The producer flushes the WAL before it sends what it read.  Read with
# the WAL insert position on a segment boundary (right after a switch,
# where GetXLogInsertRecPtr() points past the page header), that flush
# must not fail.  Matching is switched off, so that no pass writes WAL
# before the producer reads; the matcher is frozen (SIGSTOP) while outbox
# rows for applications that do not exist are committed and the WAL is
# switched, then thawed: its next read flushes, finds the rows gone and
# drops them, sending nothing.  Anything else writing WAL in that moment
# (the background writer's snapshot, every 15 s at most) only makes this
# check miss the boundary, never fail.
js_sql "ALTER SYSTEM SET jobstream.match_enabled = off" >/dev/null
js_sql "SELECT pg_reload_conf()" >/dev/null
sleep 1
pid=$(matcher_pid)
if [ -n "$pid" ] && kill -STOP "$pid"; then
	js_sql "INSERT INTO jobstream.match_outbox (application_id)
		SELECT ('00000000-0000-0000-00ff-' || lpad(to_hex(g), 12, '0'))::uuid FROM generate_series(1, 3) g" >/dev/null
	js_sql "SELECT pg_switch_wal()" >/dev/null
	kill -CONT "$pid"
fi
wait_for "SELECT count(*) = 0 FROM jobstream.match_outbox" 10
js_is "$(js_sql "SELECT (SELECT count(*) FROM jobstream.match_outbox) || ' left, last_error '
	|| coalesce((SELECT last_error FROM jobstream.match_state), 'none')")" "0 left, last_error none" \
	"a read right after a WAL switch flushes and goes on without error (matcher pid ${pid:-none})"
js_sql "ALTER SYSTEM RESET jobstream.match_enabled" >/dev/null
js_sql "SELECT pg_reload_conf()" >/dev/null

# Cluster B: the topic is its only source.
dump() {
	psql -qAtX -c "COPY (SELECT application_id, candidate_id, post_id, status, compatibility_score, applied_at
		FROM jobstream.job_applications ORDER BY application_id) TO STDOUT"
}
dump >"$DIR/a.rows"
js_cluster_start "$DIR/b" "$(js_free_port)" "jobstream.database = 'js_back'
jobstream.batch_time = '50ms'"
js_extension_db js_back
js_sql "SELECT jobstream.add_source('$JA', 'job_applications', '$JS_BROKERS',
	group_id => 'jobstream_back')" >/dev/null
wait_for "SELECT coalesce(sum(next_offset), 0) = $messages FROM jobstream.source_offsets" 60
js_ok $? "another database with the topic as its source ingests all $messages messages"
dump >"$DIR/b.rows"
js_is "$(js_sql "SELECT count(*) || ' ' || count(DISTINCT application_id) || ' ' || (SELECT count(*) FROM jobstream.dead_letters)
	FROM jobstream.job_applications")" "$apps $apps 0" \
	"it holds each application once, without dead letters"
cmp -s "$DIR/a.rows" "$DIR/b.rows"
js_ok $? "its rows are exactly those the matcher wrote"

[ $JS_TAP_FAILED -eq 0 ]
