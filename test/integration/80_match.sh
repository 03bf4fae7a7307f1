# The matcher worker (issue 7) on its own cluster: applications appear
# within a second of committing new candidates; a kill -9 of the matcher in
# the middle of a stream of inserts (the server then restarts every
# backend) neither loses nor doubles anything: afterwards the applications
# are exactly the deterministic expectation computed in plain SQL, and the
# counters in match_state agree with the rows.
set -u
cd "$(dirname "$0")/../.."
. test/lib.sh
. test/tap.sh

js_plan 9
dir=$JS_TMP/match
port=$(js_free_port)
js_cluster_start "$dir" "$port"
export PGDATABASE=js_match
createdb js_match
js_sql "CREATE EXTENSION jobstream" >/dev/null
# jobstream.database takes effect at server start
js_sql "ALTER SYSTEM SET jobstream.database = 'js_match'" >/dev/null
js_cluster_stop "$dir"
js_cluster_start "$dir" "$port"


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
js_wait_for "SELECT count(*) FROM jobstream.match_queue" 0 10
js_ok $? "the matcher takes the queued posts"
js_is "$(js_sql "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'jobstream matcher'")" "1" \
	"the matcher shows in pg_stat_activity"

t0=$(date +%s%N)
js_sql "$(candidates 0 200)" >/dev/null
js_wait_for "SELECT count(*) > 0 AND (SELECT count(*) FROM jobstream.match_queue) = 0 FROM jobstream.job_applications" t 5
ok=$?
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
[ $ok -eq 0 ] && [ $ms -lt 1000 ]
js_ok $? "applications of 200 new candidates appear within a second (took ${ms} ms)"

# A stream of 60 batches of 200 candidates; the matcher is killed with
# SIGKILL a third of the way.  Statements cut off by the crash restart are
# retried (they are idempotent).  The cluster runs with synchronous_commit
# off; the stream's own commits are made durable, so that the crash cannot
# take back a batch the client saw committed.
(
	export PGOPTIONS='-c synchronous_commit=on'
	for b in $(seq 1 60); do
		until psql -qAtX -c "$(candidates "$b" 200)" >/dev/null 2>&1; do sleep 0.2; done
		sleep 0.02
	done
) &
stream=$!
js_wait_for "SELECT count(*) >= 4000 FROM jobstream.candidates" t 30
pid=$(js_sql "SELECT pid FROM pg_stat_activity WHERE backend_type = 'jobstream matcher'")
n=$(js_sql "SELECT count(*) FROM jobstream.candidates")
[ -n "$pid" ] && kill -9 "$pid"
js_ok $? "killed the matcher (pid ${pid:-none}) with SIGKILL mid-stream, at $n of 12200 candidates"
wait "$stream"
for i in $(seq 300); do
	psql -qAtX -c "SELECT 1" >/dev/null 2>&1 && break
	sleep 0.1
done
js_wait_for "SELECT count(*) FROM jobstream.match_queue" 0 60
js_ok $? "after the restart the matcher drains the queue"
js_is "$(js_sql "SELECT count(*) FROM jobstream.candidates")" "12200" "every candidate of the stream is stored"

# The deterministic expectation: each candidate's shortlist (top 5 open
# posts of its family scoring 60 or more, ties by post_id), filtered by
# the apply draw, with the status draw and the deterministic id.
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
	(SELECT count(*) FROM (TABLE got EXCEPT TABLE expected) x)")" "t|0|0" \
	"no lost and no doubled applications: exactly the deterministic expectation"
js_is "$(js_sql "SELECT s.applications = (SELECT count(*) FROM jobstream.job_applications)
	AND s.processed = 400 + 12200 FROM jobstream.match_state s")" "t" \
	"match_state counted every queue row and every application exactly once"
js_is "$(js_sql "SELECT queue_length || ' ' || (last_error IS NULL) FROM jobstream.match_stats")" "0 true" \
	"match_stats shows no lag and no error"

js_cluster_stop "$dir"
[ $JS_TAP_FAILED -eq 0 ]
