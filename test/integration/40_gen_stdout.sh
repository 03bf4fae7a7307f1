# jobstream-gen: every message it writes is valid JSON that matches the data
# contract, the counts per topic follow --count and --mix, the stream is
# deterministic with --seed and --start, it stops cleanly on SIGTERM, bad
# options exit 2, and (when the development broker is installed) the same
# messages arrive on the Kafka topics with their keys.
#
# Messages are checked in PostgreSQL: the JSON lines are loaded into a
# one-column table, parsed as jsonb, their keys and JSON types compared with
# the contract, and each is inserted into its jobstream table through
# jsonb_populate_record, so the column types, the CHECK constraints and the
# foreign keys to the reference tables judge the values.
set -u
cd "$(dirname "$0")/../.."
. test/lib.sh
. test/tap.sh

js_plan 30
gen=$JS_PGBIN/jobstream-gen
db=js_gen_stdout
out=$JS_TMP/gen
mkdir -p "$out"
dropdb --if-exists $db >/dev/null 2>&1
createdb $db && PGDATABASE=$db js_sql "CREATE EXTENSION jobstream" >/dev/null
export PGDATABASE=$db

[ -x "$gen" ]
js_ok $? "jobstream-gen is installed next to the server binaries"

"$gen" --stdout --count 10000 --seed 7 --start 2025-03-03T00:00:00Z --quiet >"$out/a.jsonl" 2>"$out/a.err"
js_ok $? "--stdout --count 10000 succeeds with the installed reference data"
js_is "$(wc -l <"$out/a.jsonl" | tr -d ' ')" 10000 "10000 lines"
"$gen" --stdout --count 10000 --seed 7 --start 2025-03-03T00:00:00Z --quiet >"$out/b.jsonl" 2>/dev/null
cmp -s "$out/a.jsonl" "$out/b.jsonl"
js_ok $? "the same seed and start give the same bytes"
"$gen" --stdout --count 2000 --seed 8 --start 2025-03-03T00:00:00Z --quiet >"$out/c.jsonl" 2>/dev/null
cmp -s <(head -2000 "$out/a.jsonl") "$out/c.jsonl"
[ $? -ne 0 ]
js_ok $? "another seed gives other messages"

# Load the lines as they are: CSV with quote and delimiter bytes that JSON
# text cannot contain.
js_sql "CREATE TABLE gen_lines (n bigserial, line text);
	CREATE TABLE gen_msgs (n bigint, j jsonb, topic text);" >/dev/null
psql -qX -v ON_ERROR_STOP=1 -c "\\copy gen_lines (line) FROM '$out/a.jsonl' WITH (FORMAT csv, QUOTE E'\\x01', DELIMITER E'\\x02')"
js_ok $? "the lines load into a table"
js_sql "INSERT INTO gen_msgs SELECT n, line::jsonb, NULL FROM gen_lines" >/dev/null
js_ok $? "every line is valid JSON"
js_sql "UPDATE gen_msgs SET topic = CASE
		WHEN j ? 'application_id' THEN 'job_applications'
		WHEN j ? 'event_id' THEN 'tracking_events'
		WHEN j ? 'candidate_id' THEN 'candidate_info'
		WHEN j ? 'post_id' THEN 'job_posts' END" >/dev/null
js_is "$(js_sql "SELECT string_agg(topic || '=' || c, ',' ORDER BY topic) FROM (SELECT topic, count(*) c FROM gen_msgs GROUP BY 1) x")" \
	"candidate_info=500,job_applications=1000,job_posts=100,tracking_events=8400" \
	"counts per topic follow the default mix 1:5:10:84"
js_is "$(js_sql "SELECT count(*) FROM gen_msgs WHERE jsonb_typeof(j) <> 'object'")" 0 "every message is a JSON object"

# The exact key sets of the contract (jsonb does not keep their order).
js_is "$(js_sql "SELECT count(*) FROM gen_msgs m WHERE (SELECT array_agg(k ORDER BY k) FROM jsonb_object_keys(j) k) <>
	(SELECT array_agg(k ORDER BY k) FROM unnest(CASE topic
		WHEN 'job_posts' THEN ARRAY['post_id','company','job_title','job_category','industry','location_country','location_city','description','required_skills','certifications','salary_min','salary_max','experience_level','min_years_experience','employment_type','work_mode','platform','posted_date','deadline_date']
		WHEN 'candidate_info' THEN ARRAY['candidate_id','full_name','gender','birth_year','nationality','location_country','location_city','education_level','graduation_year','gpa','job_category','current_company','previous_companies','skills','certifications','experience_level','years_experience','current_salary','expected_salary']
		WHEN 'job_applications' THEN ARRAY['application_id','candidate_id','post_id','status','compatibility_score','applied_at',
			'category_score','skills_score','experience_score','seniority_score','salary_score']
		ELSE ARRAY['event_id','ts','post_id','company_id','campaign_id','group_id','publisher_id','custom_track','bid'] END) k)")" \
	0 "every message has exactly the contract's keys"

# JSON types: strings, numbers, arrays of strings, null only where allowed.
js_is "$(js_sql "SELECT count(*) FROM gen_msgs m, jsonb_each(j) e(k, v) WHERE NOT CASE
		WHEN k IN ('post_id','candidate_id','application_id','event_id') THEN
			jsonb_typeof(v) = 'string' AND v #>> '{}' ~ '^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}\$'
		WHEN k IN ('required_skills','certifications','previous_companies','skills') THEN
			jsonb_typeof(v) = 'array' AND NOT EXISTS (SELECT FROM jsonb_array_elements(v) x WHERE jsonb_typeof(x) <> 'string')
		WHEN k IN ('salary_min','salary_max','min_years_experience','birth_year','graduation_year','gpa',
				'years_experience','current_salary','expected_salary','compatibility_score','company_id',
				'campaign_id','group_id','publisher_id','bid','category_score','skills_score','experience_score',
				'seniority_score','salary_score') THEN jsonb_typeof(v) IN ('number', 'null')
		WHEN k IN ('ts','applied_at') THEN v #>> '{}' ~ '^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{6})?Z\$'
		WHEN k IN ('posted_date','deadline_date') THEN v #>> '{}' ~ '^\d{4}-\d\d-\d\d\$'
		ELSE jsonb_typeof(v) IN ('string', 'null') END")" 0 "every value has the contract's JSON type"

# Values: through the tables, so types, CHECKs and reference keys judge them.
for t in job_posts:job_posts candidate_info:candidates job_applications:job_applications tracking_events:tracking_events; do
	topic=${t%%:*}
	table=${t#*:}
	js_sql "INSERT INTO jobstream.$table SELECT (jsonb_populate_record(NULL::jobstream.$table,
		j || jsonb_build_object('updated_at', now()))).* FROM gen_msgs WHERE topic = '$topic'" >/dev/null 2>"$out/insert.err"
	js_ok $? "every $topic message inserts into jobstream.$table"
done
js_is "$(js_sql "SELECT count(*) FROM jobstream.job_applications a
	WHERE NOT EXISTS (SELECT FROM jobstream.candidates c WHERE c.candidate_id = a.candidate_id)
		OR NOT EXISTS (SELECT FROM jobstream.job_posts p WHERE p.post_id = a.post_id)")" 0 \
	"applications name candidates and posts produced before them"
js_is "$(js_sql "SELECT count(*) FROM jobstream.tracking_events e
	WHERE NOT EXISTS (SELECT FROM jobstream.job_posts p WHERE p.post_id = e.post_id)")" 0 \
	"tracking events name posts produced"
if [ "$(js_sql "SELECT count(*) FROM pg_proc WHERE proname = 'compatibility_score'
		AND pronamespace = 'jobstream'::regnamespace AND proargtypes[0] = 'jobstream.candidates'::regtype")" != 0 ]; then
	js_is "$(js_sql "SELECT count(*) FROM jobstream.job_applications a JOIN jobstream.candidates c USING (candidate_id)
		JOIN jobstream.job_posts p USING (post_id) WHERE a.compatibility_score <> jobstream.compatibility_score(c, p)")" 0 \
		"application scores follow the scoring rules"
	js_is "$(js_sql "SELECT count(*) FROM jobstream.job_applications a JOIN jobstream.candidates c USING (candidate_id)
		JOIN jobstream.job_posts p USING (post_id), LATERAL jobstream.score_breakdown(c, p) b
		WHERE (a.category_score, a.skills_score, a.experience_score, a.seniority_score, a.salary_score)
			IS DISTINCT FROM (b.category, b.skills, b.experience, b.seniority, b.salary)")" 0 \
		"applications carry the components of their score (why this match)"
else
	echo "ok $((JS_TAP_N += 1)) # skip jobstream.compatibility_score is not installed"
	echo "ok $((JS_TAP_N += 1)) # skip jobstream.score_breakdown is not installed"
fi
js_is "$(js_sql "SELECT min(ts) >= '2025-03-03' AND max(ts) < '2025-03-03'::timestamptz + interval '10 seconds' FROM jobstream.tracking_events")" t \
	"--start sets a virtual clock (1 ms a message when unlimited)"

# Options, rate, duration and signals.
"$gen" --stdout --bogus >/dev/null 2>"$out/usage.err"
js_is "$?" 2 "an unknown option exits 2"
grep -q -- "--help" "$out/usage.err"
js_ok $? "and says where the usage is"
"$gen" --stdout --mix job_posts=x >/dev/null 2>&1
js_is "$?" 2 "a bad --mix exits 2"
"$gen" --stdout --count 1 --tracking-key campaign_id >/dev/null 2>&1
js_is "$?" 2 "a --tracking-key other than event_id or post_id exits 2"
"$gen" --stdout --rate 2000 --duration 1 --quiet >"$out/rate.jsonl" 2>/dev/null
n=$(wc -l <"$out/rate.jsonl")
[ "$n" -ge 1000 ] && [ "$n" -le 3000 ]
js_ok $? "--rate 2000 --duration 1 writes about 2000 lines (got $n)"
"$gen" --stdout --rate 5000 --quiet >"$out/sig.jsonl" 2>/dev/null &
pid=$!
sleep 0.7
kill -TERM $pid
wait $pid
rc=$?
js_ok $(( rc != 0 || $(wc -l <"$out/sig.jsonl") == 0 )) "SIGTERM stops it cleanly with exit 0 ($rc)"

# Through the development broker, when there is one.
if [ -x "$JS_PGBIN/jobstream-devbroker" ] && [ -x "$JS_PGBIN/jobstream-kcat" ]; then
	js_broker_start "$out/broker" 4
	"$gen" --brokers "$JS_BROKERS" --count 2000 --seed 7 --start 2025-03-03T00:00:00Z --quiet 2>"$out/kafka.err"
	js_ok $? "producing 2000 messages to the development broker succeeds"
	: >"$out/consumed"
	for topic in job_posts candidate_info job_applications tracking_events; do
		"$JS_PGBIN/jobstream-kcat" -C -b "$JS_BROKERS" -t $topic -e -K '|' >>"$out/consumed" 2>>"$out/kafka.err"
	done
	cut -d'|' -f2- "$out/consumed" | sort >"$out/consumed.sorted"
	head -2000 "$out/a.jsonl" | sort >"$out/expected.sorted"
	cmp -s "$out/consumed.sorted" "$out/expected.sorted"
	js_ok $? "the topics hold the same messages as --stdout writes"
	js_is "$(awk -F'|' '{ if (index($2, "\"" $1 "\"") != index($2, ":") + 1) bad++ } END { print bad + 0 }' "$out/consumed")" 0 \
		"each message's key is its record key"
	# keyed by post_id, each tracking event's key is its post's id
	"$gen" --brokers "$JS_BROKERS" --topics tracking_events --topic-prefix bypost. --tracking-key post_id \
		--count 500 --seed 7 --quiet 2>>"$out/kafka.err"
	"$JS_PGBIN/jobstream-kcat" -C -b "$JS_BROKERS" -t bypost.tracking_events -e -K '|' >"$out/bypost" 2>>"$out/kafka.err"
	js_is "$(awk -F'|' '{ n++; if (index($2, "\"post_id\": \"" $1 "\"") == 0 && index($2, "\"post_id\":\"" $1 "\"") == 0) bad++ }
		END { print n + 0, bad + 0 }' "$out/bypost")" "500 0" \
		"with --tracking-key post_id, each tracking event's key is its post_id"
	js_broker_stop
else
	echo "ok $((JS_TAP_N += 1)) # skip jobstream-devbroker is not installed"
	echo "ok $((JS_TAP_N += 1)) # skip jobstream-devbroker is not installed"
	echo "ok $((JS_TAP_N += 1)) # skip jobstream-devbroker is not installed"
fi

dropdb $db
[ $JS_TAP_FAILED -eq 0 ]
