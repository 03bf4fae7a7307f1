#!/bin/bash
# A source never stalls on a message, and stalls loudly on anything else
# (TAP), against the development broker.
#
#   1. one poison row in a batch (an error PostgreSQL raises for that row
#      only, outside SQLSTATE classes 22/23: a user trigger's exception,
#      P0001): it becomes a dead letter with PostgreSQL's message, the
#      good rows before and after it land
#   2. a whole batch of unknown categories (10,000 foreign-key
#      violations): all dead letters, found by the constraint pre-check
#      (the time it took is printed, not asserted)
#   3. a target column dropped while the worker runs: an error about the
#      batch, not a row; nothing is dead-lettered, the worker backs off,
#      reports itself stuck (state, failing_since, retries, a WARNING that
#      names the partition and offset) and, once the column is back,
#      stores every message exactly once
#   4. error texts longer than their room, made of two-byte characters:
#      dead-letter reasons and workers.last_error are cut at a character
#      boundary (they stay readable as text)
#   5. a worker that exits on an error each time it starts (its secret
#      file is missing): jobstream.workers shows it with the error between
#      starts, the run of failures goes on across the launcher's restarts
#      and is reported stuck (state and a WARNING); once the file is there
#      the worker consumes and the run ends; a dropped source leaves
#      nothing behind; a worker stopped with SIGTERM is not a failure
set -uo pipefail
cd "$(dirname "$0")/../.."
. test/lib.sh
. test/tap.sh
. test/lib_ingest.sh

js_integration_setup stall

js_plan 28

cleanup() {
	js_broker_stop
	js_cluster_stop "$DIR/pg" immediate
}
trap cleanup EXIT

js_broker_start "$DIR/broker" 4
js_cluster_start "$DIR/pg" "$(js_free_port)" "jobstream.database = 'jobstream_test'
jobstream.batch_time = '200ms'
jobstream.stuck_after = '3s'
jobstream.retry_max_delay = '2s'"
js_extension_db jobstream_test
LOG=$DIR/pg/postgres.log

# keyed JSON lines: "post_id<TAB>json"
keyed() { js_sql "SELECT j->>'post_id' || E'\t' || j FROM ($1) q(j)"; }
posts_sql() {
	echo "SELECT json_build_object('post_id', md5('$1' || i)::uuid, 'company', $2,
		'job_title', 'Engineer ' || i, 'job_category', $3)
		FROM generate_series(1, $4) i"
}

js_sql "SELECT jobstream.add_source('job_posts', 'job_posts', '$JS_BROKERS')" >/dev/null
wait_for "SELECT count(*) = 1 FROM jobstream.workers WHERE target = 'job_posts'" 30
js_ok $? "a worker consumes job_posts"

###########################################################################
# 1. a poison row that fails in a trigger
###########################################################################
js_sql "CREATE FUNCTION public.no_poison() RETURNS trigger LANGUAGE plpgsql AS \$\$
BEGIN
	IF NEW.company = 'Poison Inc' THEN
		RAISE EXCEPTION 'poison company refused by a user trigger';
	END IF;
	RETURN NEW;
END \$\$;
CREATE TRIGGER no_poison BEFORE INSERT OR UPDATE ON jobstream.job_posts
	FOR EACH ROW EXECUTE FUNCTION public.no_poison()" >/dev/null
{
	keyed "$(posts_sql a "'Good Co'" "'Software Engineering'" 10)"
	keyed "$(posts_sql p "'Poison Inc'" "'Software Engineering'" 1)"
	keyed "$(posts_sql b "'Good Co'" "'Software Engineering'" 10)"
} | produce job_posts -K $'\t'
wait_for "SELECT count(*) = 20 FROM jobstream.job_posts" 30
js_ok $? "the 20 good posts around a poison one land"
wait_for "SELECT count(*) = 1 FROM jobstream.dead_letters" 30
js_is "$(js_sql "SELECT error FROM jobstream.dead_letters")" "poison company refused by a user trigger" \
	"the poison post is a dead letter with the trigger's message (SQLSTATE P0001)"
js_sql "DROP TRIGGER no_poison ON jobstream.job_posts" >/dev/null

###########################################################################
# 2. a whole batch of unknown categories
###########################################################################
set_batch_time() {
	js_sql "ALTER SYSTEM SET jobstream.batch_time = '$1'" >/dev/null
	js_sql "SELECT pg_reload_conf()" >/dev/null
}
set_batch_time 2s
sleep 1
start=$(date +%s.%N)
keyed "$(posts_sql u "'Any Co'" "'Underwater Basket Weaving ' || (i % 3)" 10000)" | produce job_posts -K $'\t'
wait_for "SELECT count(*) = 10001 FROM jobstream.dead_letters" 120
js_ok $? "10,000 posts of unknown categories are 10,000 dead letters"
end=$(date +%s.%N)
echo "# 10,000 foreign-key violations dead-lettered $(awk "BEGIN { printf \"%.1f\", $end - $start }") s after the first was produced (batch_time 2 s)"
js_is "$(js_sql "SELECT count(*) FROM jobstream.dead_letters WHERE error ~ 'violates foreign key constraint \"job_posts_job_category_fkey\": Key \(job_category\)=\(Underwater Basket Weaving [0-2]\) is not present in table \"job_families\"'")" 10000 \
	"each names the constraint and the unknown value"
js_is "$(js_sql "SELECT count(*) FROM jobstream.job_posts")" 20 "none of them landed"
set_batch_time 200ms

###########################################################################
# 3. a dropped column
###########################################################################
js_sql "ALTER TABLE jobstream.job_posts DROP COLUMN platform" >/dev/null
js_ok $? "dropped column platform of job_posts while the worker runs"
keyed "$(posts_sql c "'Later Co'" "'Software Engineering'" 10)" | produce job_posts -K $'\t'
wait_for "SELECT state = 'stuck' AND retries >= 2 AND failing_since IS NOT NULL FROM jobstream.workers WHERE target = 'job_posts'" 30
js_ok $? "the worker reports itself stuck, with failing_since and retries"
js_like() { [[ $1 =~ $2 ]]; js_ok $? "$3"; }
js_like "$(js_sql "SELECT last_error FROM jobstream.workers WHERE target = 'job_posts'")" 'platform' \
	"workers.last_error names the missing column"
js_like "$(js_sql "SELECT string_agg(DISTINCT state, ',') FROM jobstream.source_stats WHERE topic = 'job_posts' AND lag > 0")" '^stuck$' \
	"source_stats shows the lagging partition as stuck"
grep -q 'jobstream source [0-9]* (topic "job_posts") is stuck at partition [0-9]* from offset [0-9]*' "$LOG"
js_ok $? "a WARNING names the partition and offset the source is stuck at"
js_is "$(js_sql "SELECT count(*) FROM jobstream.dead_letters")" 10001 "nothing was dead-lettered for it"
js_is "$(js_sql "SELECT count(*) FROM jobstream.job_posts")" 20 "and nothing landed yet"
r1=$(js_sql "SELECT retries FROM jobstream.workers WHERE target = 'job_posts'")
wait_for "SELECT retries >= $r1 + 2 FROM jobstream.workers WHERE target = 'job_posts'" 30
# the gaps between the logged attempts: never a hot loop, and doubled up to
# the 2 s cap (lower bounds only, so a loaded machine cannot fail them)
gaps=$(grep 'ERROR: .*platform' "$LOG" | awk '{ split($2, t, ":"); s = t[1] * 3600 + t[2] * 60 + t[3];
	if (NR > 1) printf "%.2f\n", s - prev; prev = s }')
min=$(sort -n <<<"$gaps" | head -1)
max=$(sort -n <<<"$gaps" | tail -1)
awk "BEGIN { exit !($min >= 0.9 && $max >= 1.8) }"
js_ok $? "it keeps retrying with backoff: attempts $(echo $gaps | tr ' ' ',') s apart (1 s doubling, capped at 2 s)"

js_sql "ALTER TABLE jobstream.job_posts ADD COLUMN platform text" >/dev/null
wait_for "SELECT count(*) = 30 FROM jobstream.job_posts" 30
js_ok $? "with the column back, the 10 waiting posts land"
wait_for "SELECT state = 'running' AND failing_since IS NULL FROM jobstream.workers WHERE target = 'job_posts'" 10
js_ok $? "and the worker is running again"
js_is "$(js_sql "SELECT count(DISTINCT post_id) FROM jobstream.job_posts WHERE company = 'Later Co'")" 10 "each exactly once"

###########################################################################
# 4. long multibyte error texts
###########################################################################
js_sql "CREATE FUNCTION public.long_errors() RETURNS trigger LANGUAGE plpgsql AS \$\$
BEGIN
	IF NEW.company = 'Row Error Co' THEN
		RAISE EXCEPTION '%', repeat('é', 3000);
	ELSIF NEW.company = 'Batch Error Co' AND NOT EXISTS (SELECT FROM public.released) THEN
		RAISE EXCEPTION USING ERRCODE = 'lock_not_available', MESSAGE = 'x' || repeat('é', 300);
	END IF;
	RETURN NEW;
END \$\$;
CREATE TABLE public.released ();
CREATE TRIGGER long_errors BEFORE INSERT OR UPDATE ON jobstream.job_posts
	FOR EACH ROW EXECUTE FUNCTION public.long_errors()" >/dev/null
keyed "$(posts_sql r "'Row Error Co'" "'Software Engineering'" 1)" | produce job_posts -K $'\t'
wait_for "SELECT count(*) = 10002 FROM jobstream.dead_letters" 30
js_is "$(js_sql "SELECT octet_length(error) <= 2000 AND error ~ '^(é)+\.\.\.$' FROM jobstream.dead_letters
	WHERE error LIKE 'é%'")" t "a 6,000-byte reason is cut to 2,000 bytes at a character boundary"
keyed "$(posts_sql e "'Batch Error Co'" "'Software Engineering'" 1)" | produce job_posts -K $'\t'
wait_for "SELECT retries >= 1 FROM jobstream.workers WHERE target = 'job_posts'" 30
js_is "$(js_sql "SELECT octet_length(last_error) < 256 AND last_error ~ '^x(é)+\.\.\.$' FROM jobstream.workers
	WHERE target = 'job_posts'")" t "a long workers.last_error is cut at a character boundary"
js_sql "INSERT INTO public.released DEFAULT VALUES" >/dev/null
wait_for "SELECT count(*) = 1 FROM jobstream.job_posts WHERE company = 'Batch Error Co'" 30
js_ok $? "the post held back by an error about the batch lands once it is gone"
js_is "$(js_sql "SELECT count(*) FROM jobstream.dead_letters")" 10002 "and was never a dead letter"

###########################################################################
# 5. a worker that exits on an error each time it starts
###########################################################################
secret=$DIR/exits-secret
sid=$(js_sql "SELECT jobstream.add_source('exits', 'job_posts', '$JS_BROKERS', 'jobstream_exits',
	options => '{\"sasl.password\": {\"file\": \"$secret\"}}')")
wait_for "SELECT state = 'exited after error, restarting' AND retries >= 1 AND failing_since IS NOT NULL
	AND last_error LIKE '%could not open secret file%' FROM jobstream.workers WHERE source_id = $sid" 30
js_ok $? "a worker that exited on an error is shown in jobstream.workers with its error"
wait_for "SELECT state = 'stuck' AND retries >= 3 FROM jobstream.workers WHERE source_id = $sid" 60
js_ok $? "the run of failures goes on across restarted workers and is reported stuck after stuck_after"
js_is "$(grep -c "jobstream source $sid is stuck: its worker for slice 0 has exited on an error" "$LOG")" 1 \
	"one WARNING names the source and how often its worker exited"
printf 'not-a-real-password\n' >"$secret"
[ "$(id -u)" -eq 0 ] && chown postgres: "$secret"
chmod 600 "$secret"
keyed "$(posts_sql x "'Exit Loop Co'" "'Software Engineering'" 1)" | produce exits -K $'\t'
wait_for "SELECT count(*) = 1 FROM jobstream.job_posts WHERE company = 'Exit Loop Co'" 60
wait_for "SELECT state = 'running' AND failing_since IS NULL AND retries = 0 FROM jobstream.workers WHERE source_id = $sid" 10
js_ok $? "once the cause is gone the worker stores the message and the run of failures ends"
rm -f "$secret"
js_sql "SELECT jobstream.drop_source($sid)" >/dev/null
wait_for "SELECT count(*) = 0 FROM jobstream.workers WHERE source_id = $sid" 30
js_ok $? "a dropped source's worker stops on request and leaves no row"
sid=$(js_sql "SELECT jobstream.add_source('exits2', 'job_posts', '$JS_BROKERS', 'jobstream_exits2',
	options => '{\"sasl.password\": {\"file\": \"$secret\"}}')")
wait_for "SELECT state = 'exited after error, restarting' FROM jobstream.workers WHERE source_id = $sid" 30
js_sql "SELECT jobstream.drop_source($sid)" >/dev/null
wait_for "SELECT count(*) = 0 FROM jobstream.workers WHERE source_id = $sid" 30
js_ok $? "so does a source dropped while its worker is down after an error"
# SIGTERM is a request, not a failure: the worker the launcher starts after
# pg_terminate_backend inherits no run of failures
pid=$(js_sql "SELECT pid FROM jobstream.workers WHERE topic = 'job_posts'")
js_sql "SELECT pg_terminate_backend($pid)" >/dev/null
wait_for "SELECT count(*) = 1 AND bool_and(pid <> $pid AND state <> 'exited after error, restarting')
	FROM jobstream.workers WHERE topic = 'job_posts'" 30
js_is "$(js_sql "SELECT coalesce(failing_since::text, 'none') || ' ' || retries FROM jobstream.workers WHERE topic = 'job_posts'")" \
	"none 0" "a worker stopped with SIGTERM is not a failure: its successor starts with no run of failures"

exit $((JS_TAP_FAILED > 0))
