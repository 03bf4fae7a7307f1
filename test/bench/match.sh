# The matcher (issue 7) against 50k open posts in the shipped families:
#  - backlog: 100k candidates inserted with the matcher off, then the time
#    it takes to drain the queue (candidates/s it matches, with nothing
#    else running);
#  - live: 100k candidates inserted 5000 a transaction as fast as one
#    client can while the matcher runs, until the queue is empty (the
#    sustained rate with inserts and matching sharing the machine).
# Applications, pairs scored and the last batch are printed too.  Sizes
# scale with BENCH_SCALE; figures are printed, never asserted.  The matcher
# is switched off again at the end.
set -euo pipefail
cd "$(dirname "$0")/../.."
scale=${BENCH_SCALE:-1}
posts=$(awk -v s="$scale" 'BEGIN { printf "%d", 50000 * s }')
cands=$(awk -v s="$scale" 'BEGIN { printf "%d", 100000 * s }')
chunk=5000

q() { psql -qAtX -v ON_ERROR_STOP=1 "$@"; }
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
matcher() {
	q -c "ALTER SYSTEM SET jobstream.match_enabled = $1" -c "SELECT pg_reload_conf()" >/dev/null
}
drain() {
	until [ "$(q -c "SELECT count(*) FROM jobstream.match_queue")" = 0 ]; do sleep 0.05; done
}

matcher off
sleep 1.5
q <<SQL
DROP SCHEMA IF EXISTS jsbench_match CASCADE;
CREATE SCHEMA jsbench_match;
TRUNCATE jobstream.job_applications, jobstream.candidates, jobstream.job_posts, jobstream.match_queue;
SELECT setseed(0.7);
-- posts and candidates shaped like the generated data: shipped families,
-- levels and skills, 4-9 required skills a post and 3-12 skills a candidate
CREATE TABLE jsbench_match.vocab AS
SELECT (SELECT array_agg(skill ORDER BY skill) FROM jobstream.skills) AS sk,
	(SELECT array_agg(family ORDER BY family) FROM jobstream.job_families) AS fam,
	ARRAY['Intern','Entry','Junior','Mid','Senior','Lead','Director','Executive'] AS lv;
INSERT INTO jobstream.job_posts (post_id, company, job_title, job_category, required_skills,
	min_years_experience, experience_level, salary_max, deadline_date)
SELECT gen_random_uuid(), 'Company', 'Title', v.fam[1 + floor(random() * array_length(v.fam, 1))::int],
	(SELECT array_agg(v.sk[1 + floor(random() * 60)::int + 0 * s]) FROM generate_series(1, 4 + g % 6) s),
	floor(random() * 10)::int, v.lv[1 + floor(random() * 8)::int],
	40000 + floor(random() * 160000)::int,
	CASE WHEN random() < 0.3 THEN NULL ELSE current_date + 1 + floor(random() * 60)::int END
FROM generate_series(1, $posts) g, jsbench_match.vocab v;
CREATE TABLE jsbench_match.cands AS
SELECT row_number() OVER () AS n, gen_random_uuid() AS candidate_id, 'Candidate' AS full_name,
	v.fam[1 + floor(random() * array_length(v.fam, 1))::int] AS job_category,
	(SELECT array_agg(v.sk[1 + floor(random() * 60)::int + 0 * s]) FROM generate_series(1, 3 + g % 10) s) AS skills,
	floor(random() * 20)::int AS years_experience, v.lv[1 + floor(random() * 8)::int] AS experience_level,
	30000 + floor(random() * 170000)::int AS expected_salary
FROM generate_series(1, 2 * $cands) g, jsbench_match.vocab v;
CREATE INDEX ON jsbench_match.cands (n);
VACUUM ANALYZE jobstream.job_posts, jsbench_match.cands;
SQL
# the posts' queue rows: processed once the matcher is on (no candidates yet)
matcher on
drain
echo "open posts: $posts in $(q -c "SELECT count(DISTINCT job_category) FROM jobstream.job_posts") families"

insert_range() { # FROM TO: candidates n in [FROM, TO) in chunks of $chunk
	local lo=$1
	while [ "$lo" -lt "$2" ]; do
		q -c "INSERT INTO jobstream.candidates (candidate_id, full_name, job_category, skills,
			years_experience, experience_level, expected_salary)
			SELECT candidate_id, full_name, job_category, skills, years_experience, experience_level,
				expected_salary FROM jsbench_match.cands WHERE n >= $lo AND n < $((lo + chunk))"
		lo=$((lo + chunk))
	done
}
stats() { q -c "SELECT pairs_scored || ' ' || applications || ' ' || processed || ' ' || batches FROM jobstream.match_state"; }

# Backlog.
matcher off
sleep 1.5
t0=$(now_ms)
insert_range 1 $((cands + 1))
t1=$(now_ms)
read -r p0 a0 n0 b0 <<<"$(stats)"
matcher on
t2=$(now_ms)
drain
t3=$(now_ms)
read -r p1 a1 n1 b1 <<<"$(stats)"
ins_ms=$((t1 - t0)); drain_ms=$((t3 - t2))
echo "inserting $cands candidates with the matcher off: ${ins_ms} ms, $(( cands * 1000 / (ins_ms > 0 ? ins_ms : 1) )) candidates/s (queue triggers and rollups included)"
echo "backlog: matched $((n1 - n0)) candidates in ${drain_ms} ms (incl. up to 1 s to notice the reload): $(( (n1 - n0) * 1000 / (drain_ms > 0 ? drain_ms : 1) )) candidates/s, $(( (p1 - p0) / ((drain_ms > 0 ? drain_ms : 1)) / 1000 ))M pairs/s, $((a1 - a0)) applications in $((b1 - b0)) batches"

# Live.
t0=$(now_ms)
insert_range $((cands + 1)) $((2 * cands + 1))
t1=$(now_ms)
drain
t2=$(now_ms)
read -r p2 a2 n2 b2 <<<"$(stats)"
echo "live: $cands candidates inserted in $((t1 - t0)) ms and matched by $((t2 - t0)) ms: $(( cands * 1000 / (t2 - t0) )) candidates/s end to end, $((a2 - a1)) applications in $((b2 - b1)) batches"
q -c "SELECT 'last batch: ' || round(last_batch_ms::numeric, 1) || ' ms; queue lag now ' || coalesce(queue_lag::text, 'none') FROM jobstream.match_stats"
q -c "SELECT 'check: ' || count(*) || ' sampled applications, ' || count(*) FILTER (WHERE a.compatibility_score = jobstream.compatibility_score(c, p)) || ' with the score of compatibility_score'
	FROM (SELECT * FROM jobstream.job_applications LIMIT 2000) a
	JOIN jobstream.candidates c USING (candidate_id) JOIN jobstream.job_posts p USING (post_id)"
matcher off
