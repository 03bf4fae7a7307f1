# CSV exports of generated data: jobstream-gen --output-dir --format csv
# writes job_posts.csv and candidate_profiles.csv whose headers are the
# contract's field names (the tables' columns) and whose records COPY
# loads back into the tables; the values are those of the JSON stream with
# the same options; and the SQL recipe (COPY (SELECT * FROM
# jobstream.generate_...) TO ... WITH (FORMAT csv, HEADER)) writes the same
# headers and round-trips.
set -u
cd "$(dirname "$0")/../.."
. test/lib.sh
. test/tap.sh

js_plan 16
gen=$JS_PGBIN/jobstream-gen
db=js_csv
out=$JS_TMP/csv
mkdir -p "$out/gen" "$out/json" "$out/sql"
[ "$(id -u)" -eq 0 ] && chown postgres: "$out/sql"
dropdb --if-exists $db >/dev/null 2>&1
createdb $db && PGDATABASE=$db js_sql "CREATE EXTENSION jobstream" >/dev/null
export PGDATABASE=$db PGTZ=UTC

opts=(--topics job_posts,candidate_info --mix job_posts=1,candidate_info=2 --seed 21
	--start 2026-01-15T00:00:00Z --count 3000 --quiet)
# the contract's columns of a table, in order
columns() {
	js_sql "SELECT string_agg(attname, ',' ORDER BY attnum) FROM pg_attribute
		WHERE attrelid = 'jobstream.$1'::regclass AND attnum > 0 AND NOT attisdropped
		AND attname NOT IN ('updated_at', 'description_skills')"
}
post_cols=$(columns job_posts)
cand_cols=$(columns candidates)

"$gen" --output-dir "$out/gen" --format csv "${opts[@]}"
js_ok $? "jobstream-gen --output-dir --format csv succeeds"
js_is "$(cd "$out/gen" && ls -A | tr '\n' ' ')" "candidate_profiles.csv job_posts.csv " \
	"it writes job_posts.csv and candidate_profiles.csv, no temporary file left"
js_is "$(head -1 "$out/gen/job_posts.csv")" "$post_cols" "job_posts.csv header: the columns of jobstream.job_posts"
js_is "$(head -1 "$out/gen/candidate_profiles.csv")" "$cand_cols" "candidate_profiles.csv header: the columns of jobstream.candidates"

psql -qX -v ON_ERROR_STOP=1 -c "\\copy jobstream.job_posts ($post_cols) FROM '$out/gen/job_posts.csv' WITH (FORMAT csv, HEADER)" &&
	psql -qX -v ON_ERROR_STOP=1 -c "\\copy jobstream.candidates ($cand_cols) FROM '$out/gen/candidate_profiles.csv' WITH (FORMAT csv, HEADER)"
js_ok $? "COPY ... (FORMAT csv, HEADER) loads both files into the tables (types, checks and references judge them)"
js_is "$(js_sql "SELECT (SELECT count(*) FROM jobstream.job_posts) || ' ' || (SELECT count(*) FROM jobstream.candidates)")" \
	"1000 2000" "1000 posts and 2000 candidates, as --mix and --count say"

# the same options as JSON: the same records
"$gen" --stdout "${opts[@]}" >"$out/stream.jsonl"
js_ok $? "the same options on --stdout"
js_sql "CREATE TABLE lines (j jsonb)" >/dev/null
psql -qX -v ON_ERROR_STOP=1 -c "\\copy lines FROM '$out/stream.jsonl' WITH (FORMAT csv, QUOTE e'\\x01', DELIMITER e'\\x02')"
js_is "$(js_sql "SELECT count(*) FROM (
	(SELECT to_jsonb(p) - 'updated_at' - 'description_skills' FROM jobstream.job_posts p
	 EXCEPT SELECT to_jsonb(jsonb_populate_record(NULL::jobstream.job_posts, j)) - 'updated_at' - 'description_skills' FROM lines WHERE j ? 'post_id')
	UNION ALL
	(SELECT to_jsonb(jsonb_populate_record(NULL::jobstream.job_posts, j)) - 'updated_at' - 'description_skills' FROM lines WHERE j ? 'post_id'
	 EXCEPT SELECT to_jsonb(p) - 'updated_at' - 'description_skills' FROM jobstream.job_posts p)) d")" 0 \
	"every post of the CSV file equals the JSON message with the same options"
js_is "$(js_sql "SELECT count(*) FROM (
	(SELECT to_jsonb(c) - 'updated_at' FROM jobstream.candidates c
	 EXCEPT SELECT to_jsonb(jsonb_populate_record(NULL::jobstream.candidates, j)) - 'updated_at' FROM lines WHERE j ? 'candidate_id')
	UNION ALL
	(SELECT to_jsonb(jsonb_populate_record(NULL::jobstream.candidates, j)) - 'updated_at' FROM lines WHERE j ? 'candidate_id'
	 EXCEPT SELECT to_jsonb(c) - 'updated_at' FROM jobstream.candidates c)) d")" 0 \
	"every candidate of the CSV file equals its JSON message"

"$gen" --output-dir "$out/json" --format json "${opts[@]}" &&
	cmp -s "$out/json/job_posts.jsonl" <(grep '^{"post_id"' "$out/stream.jsonl") &&
	cmp -s "$out/json/candidate_profiles.jsonl" <(grep '^{"candidate_id"' "$out/stream.jsonl")
js_ok $? "--format json writes each topic's lines of the stream to its own file"

# the SQL recipe
psql -qX -v ON_ERROR_STOP=1 \
	-c "\\copy (SELECT * FROM jobstream.generate_job_posts(500, 3, '2026-01-15')) TO '$out/sql/job_posts.csv' WITH (FORMAT csv, HEADER)" \
	-c "\\copy (SELECT * FROM jobstream.generate_candidates(700, 3, '2026-01-15')) TO '$out/sql/candidate_profiles.csv' WITH (FORMAT csv, HEADER)"
js_ok $? "the SQL recipe writes both files (client side, \\copy)"
js_is "$(head -1 "$out/sql/job_posts.csv")|$(head -1 "$out/sql/candidate_profiles.csv")" \
	"$(head -1 "$out/gen/job_posts.csv")|$(head -1 "$out/gen/candidate_profiles.csv")" \
	"its headers are jobstream-gen's"
js_sql "COPY (SELECT * FROM jobstream.generate_job_posts(500, 3, '2026-01-15')) TO '$out/sql/server_job_posts.csv' WITH (FORMAT csv, HEADER)" >/dev/null &&
	cmp -s "$out/sql/server_job_posts.csv" "$out/sql/job_posts.csv"
js_ok $? "server side (COPY ... TO a file) writes the same bytes"
js_sql "TRUNCATE jobstream.job_posts, jobstream.candidates" >/dev/null
psql -qX -v ON_ERROR_STOP=1 -c "\\copy jobstream.job_posts ($post_cols) FROM '$out/sql/job_posts.csv' WITH (FORMAT csv, HEADER)" \
	-c "\\copy jobstream.candidates ($cand_cols) FROM '$out/sql/candidate_profiles.csv' WITH (FORMAT csv, HEADER)"
js_ok $? "and the files load back with the same command as jobstream-gen's"
js_is "$(js_sql "SELECT count(*) FROM (
	SELECT * FROM jobstream.generate_job_posts(500, 3, '2026-01-15')
	EXCEPT SELECT post_id, company, job_title, job_category, industry, location_country, location_city,
		description, required_skills, certifications, salary_min, salary_max, experience_level,
		min_years_experience, employment_type, work_mode, platform, posted_date, deadline_date
	FROM jobstream.job_posts) d") $(js_sql "SELECT count(*) FROM jobstream.job_posts")" "0 500" \
	"posts round-trip through the CSV file unchanged"

"$gen" --format csv --count 3 --quiet >/dev/null 2>&1
js_is $? 2 "--format csv without --output-dir is a usage error"

dropdb $db >/dev/null 2>&1
exit $((JS_TAP_FAILED > 0))
