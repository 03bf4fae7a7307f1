# Compatibility scoring, top-k matching and skill extraction (issue 3):
#  - compatibility_score over 1M candidate/post pairs against the same
#    formula written in plain SQL (pairs/s and ratio, one core each: no
#    parallel workers), after checking that both give the same scores;
#  - top_matches(k => 10) over 1M candidates against the plain
#    ORDER BY compatibility_score(c, p) DESC LIMIT 10 (parallel allowed);
#  - extract_skills throughput in MB/s over ~40 MB of job descriptions.
# Sizes scale with BENCH_SCALE; figures are printed, never asserted.
set -euo pipefail
cd "$(dirname "$0")/../.."
scale=${BENCH_SCALE:-1}
pairs=$(awk -v s="$scale" 'BEGIN { printf "%d", 1000000 * s }')
cands=$(awk -v s="$scale" 'BEGIN { printf "%d", 1000000 * s }')
descs=$(awk -v s="$scale" 'BEGIN { printf "%d", 20000 * s }')

psql -qAtX -v ON_ERROR_STOP=1 -v pairs="$pairs" -v cands="$cands" -v descs="$descs" <<'SQL'
\pset footer off
DROP SCHEMA IF EXISTS jsbench_score CASCADE;
CREATE SCHEMA jsbench_score;
CREATE TABLE jsbench_score.figures (name text, value numeric, unit text);

-- The scoring formula (docs/architecture.md) in plain SQL, for comparison
-- (ASCII data, so lower() folds as the C code does).
CREATE FUNCTION jsbench_score.sql_score(cc text, cs text[], y integer, cl text, es numeric,
	jc text, js text[], my integer, jl text, sm numeric)
RETURNS numeric LANGUAGE sql IMMUTABLE AS $$
	SELECT round(
		CASE WHEN lower(cc) = lower(jc) THEN 30 ELSE 0 END
		+ 30 * coalesce((SELECT (count(*) FILTER (WHERE nc > 0 AND nj > 0))::numeric / nullif(count(*), 0)
			FROM (SELECT k, count(*) FILTER (WHERE s) nc, count(*) FILTER (WHERE NOT s) nj
				FROM (SELECT lower(btrim(x, E' \t\n\r\f\v')) k, true s FROM unnest(cs) x
					UNION ALL SELECT lower(btrim(x, E' \t\n\r\f\v')), false FROM unnest(js) x) u
				WHERE k <> '' GROUP BY k) g), 0)
		+ CASE WHEN y IS NULL OR my IS NULL THEN 0 WHEN my <= 0 OR y >= my THEN 20
			ELSE 20.0 * greatest(0, y) / my END
		+ coalesce(CASE abs(array_position(ARRAY['intern','entry','junior','mid','senior','lead','director','executive'], lower(btrim(cl)))
			- array_position(ARRAY['intern','entry','junior','mid','senior','lead','director','executive'], lower(btrim(jl))))
			WHEN 0 THEN 10 WHEN 1 THEN 5 ELSE 0 END, 0)
		+ CASE WHEN es IS NULL OR sm IS NULL OR sm <= 0 THEN 0 WHEN es <= sm THEN 10
			ELSE 10 * greatest(0, 1 - (es - sm) / sm) END, 2)
$$;

-- Pairs shaped like the generated data: shipped families, levels and
-- skills, 3-12 skills a candidate and 4-9 a post.
CREATE TABLE jsbench_score.pairs AS
SELECT f.a[1 + g % array_length(f.a, 1)] AS cc,
	sk.a[1 + (g * 7919) % (array_length(sk.a, 1) - 12) : 1 + (g * 7919) % (array_length(sk.a, 1) - 12) + 2 + g % 10] AS cs,
	(g % 31)::integer AS y,
	(ARRAY['Intern','Entry','Junior','Mid','Senior','Lead','Director','Executive'])[1 + g % 8] AS cl,
	(30000 + (g * 37) % 200000)::numeric AS es,
	f.a[1 + (g / 7) % array_length(f.a, 1)] AS jc,
	sk.a[1 + (g * 104729) % (array_length(sk.a, 1) - 12) : 1 + (g * 104729) % (array_length(sk.a, 1) - 12) + 3 + g % 6] AS js,
	(g % 11)::integer AS my,
	(ARRAY['Intern','Entry','Junior','Mid','Senior','Lead','Director','Executive'])[1 + (g / 3) % 8] AS jl,
	(40000 + (g * 61) % 180000)::numeric AS sm
FROM (SELECT array_agg(skill ORDER BY skill) a FROM jobstream.skills) sk,
	(SELECT array_agg(family ORDER BY family) a FROM jobstream.job_families) f,
	generate_series(1::bigint, :pairs) g;
VACUUM ANALYZE jsbench_score.pairs;

SET max_parallel_workers_per_gather = 0;
SELECT count(*) AS mismatches FROM (SELECT * FROM jsbench_score.pairs LIMIT 100000) p
WHERE jobstream.compatibility_score(cc, cs, y, cl, es, jc, js, my, jl, sm)
	IS DISTINCT FROM jsbench_score.sql_score(cc, cs, y, cl, es, jc, js, my, jl, sm) \gset
INSERT INTO jsbench_score.figures VALUES ('score: C and SQL disagree on (of 100000 pairs)', :mismatches, 'pairs');

SELECT count(*) FROM jsbench_score.pairs \g /dev/null
SELECT clock_timestamp() AS t0 \gset
SELECT sum(jobstream.compatibility_score(cc, cs, y, cl, es, jc, js, my, jl, sm)) FROM jsbench_score.pairs \g /dev/null
SELECT extract(epoch FROM clock_timestamp() - :'t0') AS c_s \gset
SELECT clock_timestamp() AS t0 \gset
SELECT sum(jsbench_score.sql_score(cc, cs, y, cl, es, jc, js, my, jl, sm)) FROM jsbench_score.pairs \g /dev/null
SELECT extract(epoch FROM clock_timestamp() - :'t0') AS sql_s \gset
RESET max_parallel_workers_per_gather;
INSERT INTO jsbench_score.figures VALUES
	('compatibility_score (C), one core', round(:pairs / :c_s), 'pairs/s'),
	('same formula in plain SQL, one core', round(:pairs / :sql_s), 'pairs/s'),
	('C / SQL', round(:sql_s / :c_s, 1), 'x');

-- 1M candidates and one post.
INSERT INTO jobstream.candidates (candidate_id, full_name, job_category, skills, experience_level, years_experience, expected_salary)
SELECT md5('jsbench-c' || g)::uuid, 'Bench ' || g, f.a[1 + g % array_length(f.a, 1)],
	sk.a[1 + (g * 7919) % (array_length(sk.a, 1) - 12) : 1 + (g * 7919) % (array_length(sk.a, 1) - 12) + 2 + g % 10],
	(ARRAY['Intern','Entry','Junior','Mid','Senior','Lead','Director','Executive'])[1 + g % 8],
	g % 31, 30000 + (g * 37) % 200000
FROM (SELECT array_agg(skill ORDER BY skill) a FROM jobstream.skills) sk,
	(SELECT array_agg(family ORDER BY family) a FROM jobstream.job_families) f,
	generate_series(1::bigint, :cands) g;
INSERT INTO jobstream.job_posts (post_id, company, job_title, job_category, required_skills, experience_level, min_years_experience, salary_max)
SELECT md5('jsbench-p')::uuid, 'Bench Co', 'Bench Engineer', family,
	(SELECT array_agg(skill ORDER BY skill) FROM (SELECT skill FROM jobstream.skills ORDER BY skill LIMIT 6 OFFSET 40) s),
	'Senior', 5, 150000
FROM jobstream.job_families ORDER BY family LIMIT 1;
VACUUM ANALYZE jobstream.candidates;
SELECT md5('jsbench-p')::uuid AS post \gset

SELECT count(*) FROM jobstream.top_matches(:'post', 10) \g /dev/null
SELECT clock_timestamp() AS t0 \gset
SELECT count(*) FROM jobstream.top_matches(:'post', 10) \g /dev/null
SELECT count(*) FROM jobstream.top_matches(:'post', 10) \g /dev/null
SELECT count(*) FROM jobstream.top_matches(:'post', 10) \g /dev/null
SELECT extract(epoch FROM clock_timestamp() - :'t0') * 1000 / 3 AS top_ms \gset
SELECT clock_timestamp() AS t0 \gset
SELECT c.candidate_id, jobstream.compatibility_score(c, p) s
FROM jobstream.candidates c, jobstream.job_posts p WHERE p.post_id = :'post'
ORDER BY s DESC, c.candidate_id LIMIT 10 \g /dev/null
SELECT c.candidate_id, jobstream.compatibility_score(c, p) s
FROM jobstream.candidates c, jobstream.job_posts p WHERE p.post_id = :'post'
ORDER BY s DESC, c.candidate_id LIMIT 10 \g /dev/null
SELECT extract(epoch FROM clock_timestamp() - :'t0') * 1000 / 2 AS order_ms \gset
SELECT count(*) AS same FROM (
	SELECT * FROM jobstream.top_matches(:'post', 10)
	INTERSECT
	SELECT c.candidate_id, jobstream.compatibility_score(c, p) s,
		(row_number() OVER (ORDER BY jobstream.compatibility_score(c, p) DESC, c.candidate_id))::integer
	FROM jobstream.candidates c, jobstream.job_posts p WHERE p.post_id = :'post'
	ORDER BY 2 DESC, 1 LIMIT 10) x \gset
INSERT INTO jsbench_score.figures VALUES
	('top_matches(k 10) over candidates', :cands, 'rows'),
	('top_matches(k 10)', round(:top_ms, 1), 'ms'),
	('plain ORDER BY compatibility_score LIMIT 10', round(:order_ms, 1), 'ms'),
	('ORDER BY / top_matches', round(:order_ms / :top_ms, 1), 'x'),
	('top_matches rows equal to the ORDER BY', :same, 'of 10');
DELETE FROM jobstream.candidates WHERE full_name LIKE 'Bench %';
DELETE FROM jobstream.job_posts WHERE post_id = :'post';

-- Job descriptions of about 2 kB: about 70 % prose, 30 % skill names and
-- aliases.
CREATE TABLE jsbench_score.descs AS
SELECT string_agg(w, ' ') AS d
FROM (SELECT g, (SELECT array_agg(x) FROM (
		SELECT skill FROM jobstream.skills UNION ALL SELECT alias FROM jobstream.skill_aliases
		UNION ALL SELECT unnest(string_to_array(repeat('we are looking for a motivated engineer who will join our team and work with '
			|| 'modern tools, ship features, mentor colleagues and care about quality; experience in '
			|| 'the following is a plus: résumé, communication, ownership, 5+ years, etc. ', 30), ' '))) v(x)) AS words
	FROM generate_series(1, :descs) g) s,
	LATERAL (SELECT words[1 + (g * 31 + i * 7919) % array_length(words, 1)] FROM generate_series(1, 260) i) t(w)
GROUP BY g;
SELECT sum(octet_length(d)) AS bytes FROM jsbench_score.descs \gset
SELECT count(jobstream.extract_skills('warm up')) \g /dev/null
SET max_parallel_workers_per_gather = 0;
SELECT clock_timestamp() AS t0 \gset
SELECT sum(cardinality(jobstream.extract_skills(d))) FROM jsbench_score.descs \g /dev/null
SELECT extract(epoch FROM clock_timestamp() - :'t0') AS ext_s \gset
RESET max_parallel_workers_per_gather;
INSERT INTO jsbench_score.figures VALUES
	('extract_skills input', round(:bytes / 1e6, 1), 'MB'),
	('extract_skills, one core', round(:bytes / 1e6 / :ext_s, 1), 'MB/s');

\pset format aligned
\pset tuples_only off
SELECT name AS "figure", value, unit FROM jsbench_score.figures;
DROP SCHEMA jsbench_score CASCADE;
SQL
