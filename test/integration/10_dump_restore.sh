# Rows that users add to reference tables, and the data in the core tables,
# survive pg_dump and restore into a new database; the shipped rows are not
# doubled.
set -u
cd "$(dirname "$0")/../.."
. test/lib.sh
. test/tap.sh

js_plan 7
src=js_dump_src
dst=js_dump_dst
dropdb --if-exists $src >/dev/null 2>&1
dropdb --if-exists $dst >/dev/null 2>&1
createdb $src && createdb $dst
PGDATABASE=$src js_sql "CREATE EXTENSION jobstream;
	INSERT INTO jobstream.skills (skill, skill_group) VALUES ('Underwater Basket Weaving', 'technical');
	INSERT INTO jobstream.job_families (family, description) VALUES ('Circus', 'Performing arts under canvas');
	INSERT INTO jobstream.job_posts (post_id, company, job_title, job_category)
		VALUES ('00000000-0000-0000-0000-00000000000a', 'Big Top', 'Clown', 'Circus');
	INSERT INTO jobstream.tracking_events VALUES
		('00000000-0000-0000-0000-00000000000b', '2026-03-04 05:06:07+00', '00000000-0000-0000-0000-00000000000a', 1, 2, 3, 4, 'click', 0.25);
	INSERT INTO jobstream.dead_letters (topic, error) VALUES ('job_posts', 'test');" >/dev/null
shipped=$(PGDATABASE=$src js_sql "SELECT count(*) FROM jobstream.skills")

pg_dump -Fc -f "$JS_TMP/dump.pgc" $src
js_ok $? "pg_dump succeeds"
pg_restore --exit-on-error -d $dst "$JS_TMP/dump.pgc" 2>"$JS_TMP/restore.err"
js_ok $? "pg_restore succeeds"

js_is "$(PGDATABASE=$dst js_sql "SELECT count(*) FROM jobstream.skills")" "$shipped" \
	"shipped and user skills come back once each"
js_is "$(PGDATABASE=$dst js_sql "SELECT builtin FROM jobstream.skills WHERE skill = 'Underwater Basket Weaving'")" "f" \
	"the user's skill is still the user's"
js_is "$(PGDATABASE=$dst js_sql "SELECT job_title FROM jobstream.job_posts JOIN jobstream.job_families ON family = job_category")" "Clown" \
	"posts and the user's family come back"
js_is "$(PGDATABASE=$dst js_sql "SELECT (SELECT count(*) FROM jobstream.tracking_events) || '/' || (SELECT count(*) FROM jobstream.dead_letters)")" "1/1" \
	"events and dead letters come back"

PGDATABASE=$dst js_sql "SELECT jobstream.refresh()" >/dev/null
js_is "$(PGDATABASE=$dst js_sql "SELECT clicks FROM jobstream.campaign_kpis")" "1" \
	"restored events are in the rollups once (rollups are rebuilt, not dumped)"

dropdb $src; dropdb $dst
[ $JS_TAP_FAILED -eq 0 ]
