# Synthetic data generation: rows/s of the SQL generators, counted only
# (the generator and the function-scan machinery, no INSERT) and inserted
# into tables, each against an INSERT … SELECT over generate_series with
# random() producing rows of the same shape into an identical table; then
# jobstream-gen's messages/s to /dev/null and into the development broker.
# Prints figures, asserts nothing.  Sizes scale with BENCH_SCALE.
set -euo pipefail
cd "$(dirname "$0")/../.."
scale=${BENCH_SCALE:-1}
n_events=$(awk -v s="$scale" 'BEGIN { printf "%d", 2000000 * s }')
n_posts=$(awk -v s="$scale" 'BEGIN { printf "%d", 500000 * s }')
n_cands=$(awk -v s="$scale" 'BEGIN { printf "%d", 500000 * s }')
n_apps=$(awk -v s="$scale" 'BEGIN { printf "%d", 500000 * s }')
n_msgs=$(awk -v s="$scale" 'BEGIN { printf "%d", 5000000 * s }')

q() { psql -qAtX -v ON_ERROR_STOP=1 "$@"; }

q <<'SQL'
DROP SCHEMA IF EXISTS jsgenbench CASCADE;
CREATE SCHEMA jsgenbench;
-- Plain tables shaped like the core tables (keys and indexes, no triggers,
-- no partitions), one for the generator and one for the baseline.
CREATE TABLE jsgenbench.events_gen (LIKE jobstream.tracking_events INCLUDING DEFAULTS INCLUDING CONSTRAINTS,
	PRIMARY KEY (event_id, ts));
CREATE TABLE jsgenbench.events_base (LIKE jsgenbench.events_gen INCLUDING ALL);
CREATE TABLE jsgenbench.posts_gen (LIKE jobstream.job_posts INCLUDING DEFAULTS INCLUDING CONSTRAINTS,
	PRIMARY KEY (post_id));
CREATE TABLE jsgenbench.posts_base (LIKE jsgenbench.posts_gen INCLUDING ALL);
CREATE TABLE jsgenbench.cands_gen (LIKE jobstream.candidates INCLUDING DEFAULTS INCLUDING CONSTRAINTS,
	PRIMARY KEY (candidate_id));
CREATE FUNCTION jsgenbench.secs(sql text) RETURNS float8 LANGUAGE plpgsql AS $$
DECLARE t0 timestamptz := clock_timestamp();
BEGIN
	EXECUTE sql;
	RETURN extract(epoch FROM clock_timestamp() - t0);
END $$;
SQL

# secs SQL: seconds one statement takes, in a session whose reference
# snapshot is already loaded.
secs() {
	q -c "SELECT count(*) FROM jobstream.generate_job_posts(1)" \
		-c "SELECT jsgenbench.secs(\$q\$$1\$q\$)" | tail -1
}

events_gen="SELECT * FROM jobstream.generate_tracking_events($n_events, 1, '2025-01-01', '2025-02-01')"
events_base="SELECT gen_random_uuid(), '2025-01-01'::timestamptz + random() * interval '31 days',
	gen_random_uuid(), (random() * 1000)::int, (random() * 300000)::int, (random() * 1200000)::int,
	1 + (random() * 19)::int, (ARRAY['click', 'qualified', 'unqualified', 'conversion'])[1 + (random() * 3)::int],
	round((random() * 3)::numeric, 4)
	FROM generate_series(1, $n_events)"
posts_gen="SELECT * FROM jobstream.generate_job_posts($n_posts, 1)"
posts_base="SELECT gen_random_uuid(), 'Company ' || (random() * 1000)::int, 'Title ' || (random() * 500)::int,
	(ARRAY['Software Engineering', 'Data & Analytics', 'Marketing'])[1 + (random() * 2)::int],
	'Industry ' || (random() * 80)::int, 'Country ' || (random() * 200)::int, 'City ' || (random() * 400)::int,
	repeat(md5(random()::text), 12), ARRAY['Skill ' || (random() * 100)::int, 'Skill ' || (random() * 100)::int,
	'Skill ' || (random() * 100)::int, 'Skill ' || (random() * 100)::int, 'Skill ' || (random() * 100)::int],
	ARRAY['Certification ' || (random() * 100)::int], 50000 + (random() * 10000)::int, 70000 + (random() * 10000)::int,
	(ARRAY['Junior', 'Mid', 'Senior'])[1 + (random() * 2)::int], (random() * 10)::int,
	(ARRAY['Full-time', 'Part-time', 'Contract'])[1 + (random() * 2)::int],
	(ARRAY['On-site', 'Hybrid', 'Remote'])[1 + (random() * 2)::int],
	(ARRAY['LinkedIn', 'Indeed', 'Glassdoor'])[1 + (random() * 2)::int],
	'2025-01-01'::date - (random() * 180)::int, '2025-03-01'::date + (random() * 60)::int
	FROM generate_series(1, $n_posts)"

line() { printf '%-44s %10s %8s %12s\n' "$@"; }
rate() { awk -v n="$1" -v s="$2" 'BEGIN { printf "%.0f", n / s }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }

echo "SQL generators (one backend; work_mem $(q -c 'SHOW work_mem'))"
line "what" "rows" "seconds" "rows/s"

s=$(secs "SELECT count(*) FROM ($events_gen) g"); ev_count=$(rate "$n_events" "$s")
line "generate_tracking_events, count(*)" "$n_events" "$s" "$ev_count"
s=$(secs "SELECT count(*) FROM ($events_base) g"); evb_count=$(rate "$n_events" "$s")
line "  baseline generate_series + random()" "$n_events" "$s" "$evb_count"
s=$(secs "INSERT INTO jsgenbench.events_gen $events_gen"); ev_ins=$(rate "$n_events" "$s")
line "generate_tracking_events, INSERT" "$n_events" "$s" "$ev_ins"
s=$(secs "INSERT INTO jsgenbench.events_base $events_base"); evb_ins=$(rate "$n_events" "$s")
line "  baseline INSERT" "$n_events" "$s" "$evb_ins"

s=$(secs "SELECT count(*) FROM ($posts_gen) g"); po_count=$(rate "$n_posts" "$s")
line "generate_job_posts, count(*)" "$n_posts" "$s" "$po_count"
s=$(secs "SELECT count(*) FROM ($posts_base) g"); pob_count=$(rate "$n_posts" "$s")
line "  baseline generate_series + random()" "$n_posts" "$s" "$pob_count"
s=$(secs "INSERT INTO jsgenbench.posts_gen $posts_gen"); po_ins=$(rate "$n_posts" "$s")
line "generate_job_posts, INSERT" "$n_posts" "$s" "$po_ins"
s=$(secs "INSERT INTO jsgenbench.posts_base $posts_base"); pob_ins=$(rate "$n_posts" "$s")
line "  baseline INSERT" "$n_posts" "$s" "$pob_ins"

s=$(secs "SELECT count(*) FROM jobstream.generate_candidates($n_cands, 1)")
line "generate_candidates, count(*)" "$n_cands" "$s" "$(rate "$n_cands" "$s")"
s=$(secs "INSERT INTO jsgenbench.cands_gen SELECT * FROM jobstream.generate_candidates($n_cands, 1)")
line "generate_candidates, INSERT" "$n_cands" "$s" "$(rate "$n_cands" "$s")"

# applications need candidates and posts in the jobstream tables
q -c "TRUNCATE jobstream.job_applications" \
	-c "INSERT INTO jobstream.candidates SELECT * FROM jsgenbench.cands_gen LIMIT 100000" \
	-c "INSERT INTO jobstream.job_posts SELECT * FROM jsgenbench.posts_gen LIMIT 20000" >/dev/null
s=$(secs "SELECT count(*) FROM jobstream.generate_applications($n_apps, 1)")
line "generate_applications, count(*) (100k x 20k)" "$n_apps" "$s" "$(rate "$n_apps" "$s")"
q -c "TRUNCATE jobstream.job_applications, jobstream.candidates, jobstream.job_posts" >/dev/null

echo
echo "ratios, generator / baseline: tracking events count $(ratio "$ev_count" "$evb_count")," \
	"INSERT $(ratio "$ev_ins" "$evb_ins"); job posts count $(ratio "$po_count" "$pob_count")," \
	"INSERT $(ratio "$po_ins" "$pob_ins")"

echo
echo "jobstream-gen (default mix 1:5:10:84)"
gen=$JS_PGBIN/jobstream-gen
line "what" "messages" "seconds" "msgs/s"
t0=$(date +%s.%N)
"$gen" --stdout --count "$n_msgs" --seed 1 --quiet >/dev/null
t1=$(date +%s.%N)
s=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')
line "--stdout > /dev/null" "$n_msgs" "$s" "$(rate "$n_msgs" "$s")"
if [ -x "$JS_PGBIN/jobstream-devbroker" ]; then
	. test/lib.sh
	js_broker_start "$JS_TMP/genbench-broker" 8
	t0=$(date +%s.%N)
	"$gen" --brokers "$JS_BROKERS" --count "$n_msgs" --seed 1 --quiet || echo "(some messages were not delivered)"
	t1=$(date +%s.%N)
	s=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')
	line "into jobstream-devbroker (8 partitions)" "$n_msgs" "$s" "$(rate "$n_msgs" "$s")"
	js_broker_stop
else
	echo "(jobstream-devbroker is not installed: no broker figure)"
fi
q -c "DROP SCHEMA jsgenbench CASCADE" >/dev/null
