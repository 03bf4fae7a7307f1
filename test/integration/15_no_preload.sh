# Without shared_preload_libraries the SQL side still works: the library
# loads on CREATE EXTENSION (its start-time settings cannot be
# PGC_POSTMASTER then), scoring, generators, rollups and views work, the
# 0.1 to 0.2 update brings existing rows into the rollups, and add_source
# warns that no worker will consume the source.
set -u
cd "$(dirname "$0")/../.."
. test/lib.sh
. test/tap.sh

: "${JS_TMP:?run through test/run.sh}"
dir=$JS_TMP/nopreload
js_plan 6
mkdir -p "$dir"
chown postgres: "$dir" 2>/dev/null
js_as_pg "$JS_PGBIN/initdb" -D "$dir/data" -U postgres -A trust --no-sync >/dev/null 2>&1
port=$(js_free_port)
js_as_pg "$JS_PGBIN/pg_ctl" -D "$dir/data" -l "$dir/log" -w \
	-o "-p $port -k $dir -c listen_addresses='' -c fsync=off" start >/dev/null
trap 'js_as_pg "$JS_PGBIN/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1' EXIT
export PGHOST=$dir PGPORT=$port PGUSER=postgres PGDATABASE=js_nopreload
createdb js_nopreload

js_sql "CREATE EXTENSION jobstream VERSION '0.1'" >/dev/null
js_ok $? "CREATE EXTENSION works without shared_preload_libraries"
js_sql "INSERT INTO jobstream.tracking_events VALUES
	(gen_random_uuid(), now(), gen_random_uuid(), 1, 1, 1, 1, 'click', 1.5)" >/dev/null
js_sql "ALTER EXTENSION jobstream UPDATE" >/dev/null
js_ok $? "ALTER EXTENSION UPDATE works with rows in the tables"
js_sql "SELECT jobstream.refresh()" >/dev/null
js_is "$(js_sql "SELECT clicks FROM jobstream.campaign_kpis")" 1 "rows from before the update are in the rollups"
js_is "$(js_sql "SELECT jobstream.compatibility_score('Marketing', '{SEO}', 3, 'Mid', 50000, 'marketing', '{seo}', 3, 'Mid', 60000)")" \
	"100.00" "scoring works"
warn=$(psql -qAtX -c "SELECT jobstream.add_source('t', 'job_posts', '127.0.0.1:9')" 2>&1 >/dev/null)
echo "$warn" | grep -q "not in shared_preload_libraries"
js_ok $? "add_source warns that no worker will consume the source"
js_is "$(psql -qAtX -c "LOAD 'jobstream'" -c "SHOW jobstream.database")" postgres "start-time settings exist for SHOW once the library is loaded"
[ $JS_TAP_FAILED -eq 0 ]
