#!/bin/bash
# The workers as a non-superuser role, secrets kept out of the database,
# refused Kafka properties, and the matcher's lock (issue 10), on their own
# cluster and development broker (TAP):
#   1. with jobstream.worker_role = js_bg (LOGIN, member of jobstream_worker,
#      not a superuser) the launcher, ingest worker, refresher and matcher
#      all run as js_bg with search_path pinned, and do their work
#   2. a source whose options are secret references ({"env": ...},
#      {"file": ...}) consumes; no secret appears in the server log (every
#      statement logged), pg_stat_activity or source_list
#   3. a reference to an unset variable, and a refused property written
#      straight into jobstream.sources, stop the worker with a clear error
#   4. nobody else can take the matcher's lock; the old advisory lock no
#      longer stalls it; while a superuser holds the lock match_stats says
#      busy
set -uo pipefail
cd "$(dirname "$0")/../.."
. test/lib.sh
. test/tap.sh
. test/lib_ingest.sh

js_integration_setup security

js_plan 17

cleanup() {
	[ -n "${HOLD_PID:-}" ] && kill "$HOLD_PID" 2>/dev/null
	js_broker_stop
	js_cluster_stop "$DIR/pg" immediate
}
trap cleanup EXIT

mkdir -p "$DIR"
# The secrets, in the server's environment and in a file only it reads.
export JS_TEST_SASL_USER=js-user-7Q2 JS_TEST_SASL_PASSWORD=env-secret-8K1xZ
printf 'file-secret-4PwYq\n' >"$DIR/secret"
[ "$(id -u)" -eq 0 ] && chown postgres: "$DIR/secret"
chmod 600 "$DIR/secret"

js_broker_start "$DIR/broker" 4
port=$(js_free_port)
js_cluster_start "$DIR/pg" "$port" "jobstream.database = 'js_sec'
jobstream.worker_role = 'js_bg'
jobstream.batch_time = '50ms'
log_statement = 'all'"
export PGDATABASE=js_sec
LOG=$DIR/pg/postgres.log

# wait_log PATTERN: waits up to 10 s for a line of the server log
wait_log() {
	local i
	for i in $(seq 100); do
		grep -q "$1" "$LOG" && return 0
		sleep 0.1
	done
	return 1
}
createdb js_sec || js_die "createdb failed"
js_sql "CREATE ROLE js_bg LOGIN" >/dev/null
js_sql "CREATE EXTENSION jobstream" >/dev/null || js_die "CREATE EXTENSION failed"
js_sql "GRANT jobstream_worker TO js_bg" >/dev/null
js_sql "CREATE ROLE js_bi LOGIN IN ROLE jobstream_writer" >/dev/null
# the static workers connect at start, as js_bg, which exists now
js_cluster_stop "$DIR/pg"
since=$(($(wc -l <"$LOG") + 1))
js_cluster_start "$DIR/pg" "$port"

###########################################################################
# 1. every worker runs as js_bg
###########################################################################
js_wait_for "SELECT count(DISTINCT backend_type) FROM pg_stat_activity
	WHERE backend_type IN ('jobstream launcher', 'jobstream refresher', 'jobstream matcher') AND usename = 'js_bg'" 3 30
js_ok $? "launcher, refresher and matcher connect as js_bg"
js_is "$(js_sql "SELECT rolsuper OR rolcreaterole OR rolbypassrls FROM pg_roles WHERE rolname = 'js_bg'")" f \
	"js_bg is not a superuser"

js_sql "SELECT jobstream.add_source('sec_events', 'tracking_events', '$JS_BROKERS',
	options => '{\"sasl.username\": {\"env\": \"JS_TEST_SASL_USER\"},
	             \"sasl.password\": {\"env\": \"JS_TEST_SASL_PASSWORD\"},
	             \"ssl.key.password\": {\"file\": \"$DIR/secret\"}}')" >/dev/null 2>&1
js_sql "SELECT json_build_object('event_id', md5('ev' || i)::uuid, 'ts', now() - i * interval '1 s',
	'post_id', md5('post' || (i % 50))::uuid, 'company_id', 1, 'campaign_id', 2, 'group_id', 3,
	'publisher_id', 4, 'custom_track', 'click', 'bid', 0.5)
	FROM generate_series(1, 2000) i" | "$KCAT" -b "$JS_BROKERS" -t sec_events -P
js_wait_for "SELECT count(*) FROM jobstream.tracking_events" 2000 60
js_ok $? "a source with secret references consumes every message"
js_is "$(js_sql "SELECT string_agg(DISTINCT usename, ',') FROM pg_stat_activity WHERE backend_type = 'jobstream worker'")" js_bg \
	"the ingest worker runs as js_bg"
js_is "$(js_sql "SELECT sum(clicks) FROM jobstream.campaign_posts")" 2000 \
	"the rollup triggers run for the worker (as their owner)"
js_ok "$(tail -n "+$since" "$LOG" | grep -c 'relation .* does not exist\|permission denied')" \
	"no worker met a permission or search_path error"

# bad rows: the worker checks them against the reference tables, as js_bg
js_sql "SELECT jobstream.add_source('sec_jobs', 'job_posts', '$JS_BROKERS')" >/dev/null 2>&1
js_sql "SELECT json_build_object('post_id', md5('post' || i)::uuid, 'company', 'Acme', 'job_title', 'Engineer',
	'job_category', CASE WHEN i % 5 = 0 THEN 'No Such Family' ELSE 'Software Engineering' END)
	FROM generate_series(1, 50) i" | "$KCAT" -b "$JS_BROKERS" -t sec_jobs -P
js_wait_for "SELECT (SELECT count(*) FROM jobstream.job_posts) || ' ' || (SELECT count(*) FROM jobstream.dead_letters WHERE topic = 'sec_jobs')" "40 10" 60
js_ok $? "as js_bg, a batch with unknown categories lands its good rows and dead-letters the others"

js_wait_for "SELECT count(*) > 0 AND bool_and(last_error IS NULL) FROM jobstream.refresh_stats WHERE refreshes > 0" t 30
js_ok $? "the refresher refreshes the analytics views as js_bg"
js_is "$(js_sql "SELECT count(*) >= 3 FROM pg_inherits WHERE inhparent = 'jobstream.tracking_events'::regclass")" t \
	"the refresher created the coming months' partitions"

###########################################################################
# 2. secrets stay out of the database, its log and its activity view
###########################################################################
leaks=$(grep -c 'env-secret-8K1xZ\|file-secret-4PwYq\|js-user-7Q2' "$LOG")
leaks=$((leaks + $(js_sql "SELECT count(*) FROM pg_stat_activity WHERE query ~ '(env|file)-secret'")))
leaks=$((leaks + $(js_sql "SELECT count(*) FROM jobstream.sources WHERE options::text ~ '(env|file)-secret'")))
js_is "$leaks" 0 "no secret in the server log (log_statement = all), pg_stat_activity or sources"
js_is "$(js_sql "SELECT options -> 'sasl.password' FROM jobstream.source_list WHERE topic = 'sec_events'")" \
	'{"env": "JS_TEST_SASL_PASSWORD"}' "source_list shows the reference, not a secret"

###########################################################################
# 3. unresolvable references and refused properties
###########################################################################
id=$(js_sql "SELECT jobstream.add_source('sec_posts', 'job_posts', '$JS_BROKERS',
	options => '{\"sasl.password\": {\"env\": \"JS_TEST_UNSET\"}}')" 2>/dev/null)
wait_log "environment variable \"JS_TEST_UNSET\" named by option \"sasl.password\" of source $id is not set"
js_ok $? "a reference to an unset variable stops the worker with an error naming it"
js_sql "UPDATE jobstream.sources SET options = '{\"plugin.library.paths\": \"$DIR/evil.so\"}' WHERE source_id = $id" >/dev/null
wait_log "Kafka option \"plugin.library.paths\" of source $id is refused"
js_ok $? "a refused property written straight into sources is refused by the worker"
js_sql "SELECT jobstream.drop_source($id)" >/dev/null

###########################################################################
# 4. the matcher's lock
###########################################################################
out=$(psql -qAtX -U js_bi -c "SELECT FROM jobstream.match_lock FOR UPDATE" 2>&1)
echo "$out" | grep -q "permission denied"
js_ok $? "a jobstream_writer cannot take the matcher's lock"

# the advisory lock the matcher used before, held by another session
psql -qAtX -U js_bi -c "SELECT pg_advisory_lock(29958816165818989), pg_sleep(30)" >/dev/null 2>&1 &
HOLD_PID=$!
sleep 0.5
js_sql "INSERT INTO jobstream.job_posts SELECT * FROM jobstream.generate_job_posts(200, 5, current_date)" >/dev/null
js_sql "INSERT INTO jobstream.candidates SELECT * FROM jobstream.generate_candidates(500, 5, current_date)" >/dev/null
js_wait_for "SELECT count(*) = 0 FROM jobstream.match_queue" t 30
js_ok $? "the matcher (as js_bg) drains its queue while another session holds the old advisory lock"
kill "$HOLD_PID" 2>/dev/null
wait "$HOLD_PID" 2>/dev/null
HOLD_PID=

psql -qAtX -c "BEGIN; SELECT FROM jobstream.match_lock FOR UPDATE; SELECT pg_sleep(20); COMMIT" >/dev/null 2>&1 &
HOLD_PID=$!
js_wait_for "SELECT state FROM jobstream.match_stats" busy 10
js_ok $? "while a superuser holds the pass lock match_stats says busy"
kill "$HOLD_PID" 2>/dev/null
wait "$HOLD_PID" 2>/dev/null
HOLD_PID=
js_sql "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query ~ 'match_lock FOR UPDATE' AND pid <> pg_backend_pid()" >/dev/null
js_wait_for "SELECT state FROM jobstream.match_stats" running 10
js_ok $? "and running again once it is released"

[ $JS_TAP_FAILED -eq 0 ]
