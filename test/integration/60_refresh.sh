# The refresher worker keeps the analytics views fresh on its own: rows
# committed by a client show up in the materialized views within about a
# refresh interval, refresh_stats reports it, and a reload that sets the
# interval to 0 stops refreshing.
set -u
cd "$(dirname "$0")/../.."
. test/lib.sh
. test/tap.sh

js_plan 7
dir=$JS_TMP/refresh
port=$(js_free_port)
js_cluster_start "$dir" "$port" "jobstream.refresh_interval = '200ms'"
export PGDATABASE=js_refresh
createdb js_refresh
js_sql "CREATE EXTENSION jobstream" >/dev/null
# jobstream.database takes effect at server start
js_sql "ALTER SYSTEM SET jobstream.database = 'js_refresh'" >/dev/null
js_cluster_stop "$dir"
js_cluster_start "$dir" "$port"


js_sql "INSERT INTO jobstream.job_posts (post_id, company, job_title, job_category)
	SELECT gen_random_uuid(), 'Acme', 'Clerk', family FROM jobstream.job_families" >/dev/null
js_wait_for "SELECT posts FROM jobstream.market_kpis" 13 5
js_ok $? "committed posts reach market_kpis without a manual refresh"

t0=$(date +%s%N)
js_sql "INSERT INTO jobstream.tracking_events VALUES
	(gen_random_uuid(), now(), gen_random_uuid(), 1, 1, 1, 1, 'click', 0.75)" >/dev/null
js_wait_for "SELECT clicks FROM jobstream.campaign_kpis" 1 5
js_ok $? "a tracking event reaches campaign_kpis"
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
echo "# commit to campaign_kpis took ${ms} ms with refresh_interval 200ms"

js_is "$(js_sql "SELECT bool_and(refreshes > 0 AND lag < interval '5 s') FROM jobstream.refresh_stats")" "t" \
	"refresh_stats shows every view refreshed recently"
js_is "$(js_sql "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'jobstream refresher'")" "1" \
	"the refresher shows in pg_stat_activity"
# the refresher makes partitions after its first round of refreshes: wait for it
js_wait_for "SELECT count(*) FROM jobstream.tracking_partition_ranges()
	WHERE lower <= now() + interval '7 days' AND now() + interval '7 days' < upper
	AND upper - lower = jobstream.tracking_partition_interval()" "1" 30
js_ok $? "the refresher created the tracking_events partitions a week ahead of need, a day each"

psql -qX -c "ALTER SYSTEM SET jobstream.refresh_interval = 0" -c "SELECT pg_reload_conf()" >/dev/null
sleep 1
before=$(js_sql "SELECT sum(refreshes) FROM jobstream.refresh_state")
sleep 1
js_sql "INSERT INTO jobstream.job_posts (post_id, company, job_title, job_category)
	SELECT gen_random_uuid(), 'Acme', 'Clerk', family FROM jobstream.job_families" >/dev/null
sleep 1
js_is "$(js_sql "SELECT (SELECT sum(refreshes) FROM jobstream.refresh_state) || ' ' || (SELECT posts FROM jobstream.market_kpis)")" "$before 13" \
	"refresh_interval = 0 after a reload stops refreshing"
psql -qX -c "ALTER SYSTEM SET jobstream.refresh_interval = '200ms'" -c "SELECT pg_reload_conf()" >/dev/null
js_sql "INSERT INTO jobstream.tracking_events VALUES
	(gen_random_uuid(), now(), gen_random_uuid(), 1, 1, 1, 1, 'click', 0.75)" >/dev/null
js_wait_for "SELECT clicks FROM jobstream.campaign_kpis" 2 5
js_ok $? "setting it back resumes refreshing"

js_cluster_stop "$dir"
[ $JS_TAP_FAILED -eq 0 ]
