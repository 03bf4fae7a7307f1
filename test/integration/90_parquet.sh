# export_parquet, proved by readers from outside the project: job posts
# (partitioned by country, with hostile values), tracking events (by month)
# and candidates are exported, then every file is read back with pyarrow
# and with DuckDB and every value compared with the table it came from
# (parquet_check.py, which also checks the statistics, the row groups and
# the manifest).  Then the batches of a range, resume and overwrite, and
# failures half-way: no file that looks complete may remain.
#
# pyarrow and DuckDB come from PyPI into a virtual environment kept between
# runs in ~/.cache/jobstream/venv (JS_VENV overrides it).
set -u
cd "$(dirname "$0")/../.."
. test/lib.sh
. test/tap.sh

js_plan 33
db=js_parquet
out=$JS_TMP/parquet
venv=${JS_VENV:-$HOME/.cache/jobstream/venv}
check=test/integration/parquet_check.py

if ! "$venv/bin/python" -c 'import pyarrow, duckdb' 2>/dev/null; then
	js_log "installing pyarrow and duckdb into $venv"
	{ python3 -m venv "$venv" && "$venv/bin/pip" install -q pyarrow duckdb; } >"$JS_TMP/venv.log" 2>&1 ||
		{ echo "Bail out! could not install pyarrow and duckdb into $venv, see $JS_TMP/venv.log"; exit 1; }
fi
py=$venv/bin/python

mkdir -p "$out"
[ "$(id -u)" -eq 0 ] && chown postgres: "$out"
dropdb --if-exists $db >/dev/null 2>&1
createdb $db && PGDATABASE=$db js_sql "CREATE EXTENSION jobstream" >/dev/null
export PGDATABASE=$db PGTZ=UTC

# Rows as JSON lines, with the expected partition value.
dump() { psql -qAtX -v ON_ERROR_STOP=1 -c "SELECT row_to_json(t) FROM ($1) t" >"$2"; }
sqlerr() { psql -qAtX -v ON_ERROR_STOP=1 -c "$1" 2>&1 >/dev/null; }
parquet_files() { find "$1" -name '*.parquet' | wc -l | tr -d ' '; }
hidden_files() { find "$1" -name '.*' | wc -l | tr -d ' '; }

# --- data, with edge values ------------------------------------------------
js_sql "
INSERT INTO jobstream.job_posts SELECT * FROM jobstream.generate_job_posts(3000, 11, '2026-01-15');
INSERT INTO jobstream.job_posts (post_id, company, job_title, job_category, location_country,
	description, required_skills, certifications, salary_min, salary_max, posted_date, deadline_date)
SELECT v.id::uuid, 'Zoë & Søn “Ltd”', 'Ingénieur 数据', f.family, v.country, v.descr, v.skills, '{}', v.smin, v.smax,
	v.posted::date, v.deadline::date
FROM (SELECT family FROM jobstream.job_families ORDER BY family LIMIT 1) f,
(VALUES
	('00000000-0000-4000-8000-000000000001', 'Côte d’Ivoire', E'SQL\nPython 🚀 \"quoted\" \\\\ back', ARRAY['SQL', NULL, 'Ünïcode'], 0, 0, '1969-07-20', '2999-12-31'),
	('00000000-0000-4000-8000-000000000002', 'A/B=C%D?', NULL, '{}'::text[], NULL, NULL, NULL, NULL),
	('00000000-0000-4000-8000-000000000003', NULL, '', ARRAY[''], 2147483647, 2147483647, '2000-01-01', '2000-01-01'),
	('ffffffff-ffff-4fff-bfff-ffffffffffff', 'Zürich#1', 'python', ARRAY[NULL]::text[], 1, 2, '1970-01-01', '1970-01-02')
) v(id, country, descr, skills, smin, smax, posted, deadline);
INSERT INTO jobstream.candidates SELECT * FROM jobstream.generate_candidates(1000, 12, '2026-01-15');
SELECT jobstream.create_tracking_partitions('2025-12-01', '2026-03-01');
INSERT INTO jobstream.tracking_events SELECT * FROM jobstream.generate_tracking_events(20000, 13, '2025-12-20', '2026-02-10');
INSERT INTO jobstream.tracking_events VALUES
	('00000000-0000-4000-8000-0000000000e1', '2026-01-31 23:59:59.999999+00', gen_random_uuid(), 1, 1, 1, 1, 'click', 0),
	('00000000-0000-4000-8000-0000000000e2', '2026-02-01 00:00:00+00', gen_random_uuid(), 2147483647, 1, 1, 1, 'click', 999999.9999),
	('00000000-0000-4000-8000-0000000000e3', '1969-12-31 23:59:59.999999+00', gen_random_uuid(), 0, 0, 0, 0, 'conversion', 0.0001);
" >/dev/null
js_ok $? "source rows loaded (generated, plus edge values)"

# --- posts by country --------------------------------------------------------
js_sql "SELECT count(*) FROM jobstream.export_parquet('jobstream.job_posts', '$out/posts',
	partition_by => 'location_country', partition_name => 'country', row_group_rows => 50)" >"$JS_TMP/pq.n"
js_ok $? "job posts exported, partitioned by country"
[ -f "$out/posts/country=A%2FB%3DC%25D%3F/part-0000.parquet" ] && [ -d "$out/posts/country=__HIVE_DEFAULT_PARTITION__" ] &&
	[ -d "$out/posts/country=Côte d’Ivoire" ]
js_ok $? "Hive layout: special characters escaped, NULL as __HIVE_DEFAULT_PARTITION__, UTF-8 kept"
dump "SELECT p.*, p.location_country AS __partition FROM jobstream.job_posts p" "$JS_TMP/posts.jsonl"
"$py" $check "$out/posts" "$JS_TMP/posts.jsonl" post_id --partition country --dropped location_country --row-group-rows 50
js_ok $? "posts: pyarrow and DuckDB read every value as stored, statistics and row groups right"
js_is "$(js_sql "SELECT count(*) FROM jobstream.job_posts WHERE description_skills IS DISTINCT FROM jobstream.extract_skills(description)")" 0 \
	"posts carry the skills of their descriptions (exported as description_skills)"

# --- tracking events by month ------------------------------------------------
js_sql "SELECT count(*) FROM jobstream.export_parquet('jobstream.tracking_events', '$out/events',
	partition_by => \$\$to_char(ts, 'YYYY-MM')\$\$, partition_name => 'month')" >/dev/null
js_ok $? "tracking events exported by month"
js_is "$(cd "$out/events" && ls -d month=* | tr '\n' ' ')" "month=1969-12 month=2025-12 month=2026-01 month=2026-02 " \
	"one directory per month of ts in UTC"
dump "SELECT e.*, to_char(e.ts, 'YYYY-MM') AS __partition FROM jobstream.tracking_events e" "$JS_TMP/events.jsonl"
"$py" $check "$out/events" "$JS_TMP/events.jsonl" event_id --partition month
js_ok $? "events: every value read back by both readers, to the microsecond"

# --- candidates, one file, uncompressed --------------------------------------
js_sql "SELECT count(*) FROM jobstream.export_parquet('SELECT * FROM jobstream.candidates', '$out/candidates', compression => 'none')" >/dev/null
js_ok $? "candidates exported from a query, uncompressed"
dump "SELECT c.*, NULL AS __partition FROM jobstream.candidates c" "$JS_TMP/candidates.jsonl"
"$py" $check "$out/candidates" "$JS_TMP/candidates.jsonl" candidate_id
js_ok $? "candidates: decimals, arrays and NULLs read back exactly"
err=$(sqlerr "SELECT count(*) FROM jobstream.export_parquet('jobstream.candidates', '$out/candidates')")
case $err in *"already holds an export of this range"*) r=0 ;; *) r=1; echo "# $err" ;; esac
js_ok $r "exporting into an existing export without overwrite is refused"
js_sql "SELECT count(*) FROM jobstream.export_parquet('jobstream.candidates', '$out/candidates', overwrite => true)" >/dev/null &&
	"$py" $check "$out/candidates" "$JS_TMP/candidates.jsonl" candidate_id >/dev/null
js_ok $? "overwrite => true replaces it (one file, the manifest has one batch)"

# --- every other type: wide decimals, floats, json, local timestamps --------
wide="SELECT id::int, wide::numeric(38,10), wide0::numeric(20,0), small_dec::numeric(9,2), mid_dec::numeric(18,6),
	f8::float8, f4::real, i2::smallint, i8::bigint, flag::boolean, doc::jsonb, local_ts::timestamp,
	tags::varchar[], code::char(6)
FROM (SELECT g AS id, g * 1234567890.123456789 - 5000000000000 AS wide,
	CASE WHEN g % 7 = 0 THEN NULL ELSE g::numeric * 9999999999999999 END AS wide0,
	g / 3.0 AS small_dec, g * 1.000001 - 2500 AS mid_dec,
	CASE g % 5 WHEN 0 THEN 'NaN'::float8 WHEN 1 THEN '-Infinity' WHEN 2 THEN '-0' ELSE g / 7.0 END AS f8,
	g / 3.0 AS f4, g % 30000 - 15000 AS i2, g::numeric * -1000000007 AS i8,
	CASE WHEN g % 3 = 0 THEN NULL ELSE g % 2 = 0 END AS flag,
	jsonb_build_object('g', g, 'name', 'Zoë', 'list', jsonb_build_array(1, 'two', NULL)) AS doc,
	'2026-01-01'::timestamp + g * interval '1.000001 second' AS local_ts,
	ARRAY['a' || g, NULL, 'é'] AS tags, 'x' || g AS code
	FROM generate_series(1, 5000) g
	UNION ALL SELECT 0, repeat('9', 28)::numeric + 0.9999999999, -99999999999999999999, 9999999.99, 999999999999.999999,
		'Infinity', 0, 32767, 9223372036854775807, true, '[]', '0001-01-01 00:00:00', '{}', ''
	UNION ALL SELECT -1, -(repeat('9', 28)::numeric + 0.9999999999), 99999999999999999999, -9999999.99, -999999999999.999999,
		-1e308, '-0', -32768, -9223372036854775808, false, '0', '9999-12-31 23:59:59.999999', NULL, NULL) u"
js_sql "SELECT count(*) FROM jobstream.export_parquet(\$q\$$wide\$q\$, '$out/wide', row_group_rows => 1500)" >/dev/null
js_ok $? "a query with every other supported type exported"
psql -qAtX -v ON_ERROR_STOP=1 -c "SELECT to_jsonb(q) || jsonb_build_object('f4', q.f4::float8, '__partition', NULL) FROM ($wide) q" \
	>"$JS_TMP/wide.jsonl"
"$py" $check "$out/wide" "$JS_TMP/wide.jsonl" id --row-group-rows 1500
js_ok $? "decimals up to 38 digits, NaN and infinities, -0, smallint and bigint limits, json, local timestamps, varchar[] and char read back"

# --- ranges, resume, overwrite -----------------------------------------------
ev="'jobstream.tracking_events', '$out/daily', partition_by => \$\$to_char(ts, 'YYYY-MM')\$\$, partition_name => 'month', time_column => 'ts'"
js_is "$(js_sql "SELECT sum(rows) FROM jobstream.export_parquet($ev, since => '2026-01-01', until => '2026-01-02')")" \
	"$(js_sql "SELECT count(*) FROM jobstream.tracking_events WHERE ts >= '2026-01-01' AND ts < '2026-01-02'")" \
	"a closed day exported as one batch"
err=$(sqlerr "SELECT count(*) FROM jobstream.export_parquet($ev, since => '2026-01-01', until => '2026-01-02')")
case $err in *"already holds an export of this range"*) r=0 ;; *) r=1; echo "# $err" ;; esac
js_ok $r "the same day again is refused"
err=$(sqlerr "SELECT count(*) FROM jobstream.export_parquet($ev, since => '2025-12-31 12:00', until => '2026-01-01 00:00:01')")
case $err in *"already holds an export of this range"*) r=0 ;; *) r=1; echo "# $err" ;; esac
js_ok $r "a range overlapping an exported batch is refused"
js_is "$(js_sql "SELECT sum(rows) FROM jobstream.export_parquet($ev, resume => true, until => '2026-01-04')")" \
	"$(js_sql "SELECT count(*) FROM jobstream.tracking_events WHERE ts >= '2026-01-02' AND ts < '2026-01-04'")" \
	"resume starts where the last batch ended"
js_is "$(js_sql "SELECT count(*) FROM jobstream.export_parquet($ev, resume => true, until => '2026-01-04')")" 0 \
	"resume with nothing new writes nothing"
js_is "$(ls "$out/daily/month=2026-01" | tr '\n' ' ')" \
	"part-20260101T000000Z-20260102T000000Z.parquet part-20260102T000000Z-20260104T000000Z.parquet " \
	"one file per batch, named by its range"
dump "SELECT e.*, to_char(e.ts, 'YYYY-MM') AS __partition FROM jobstream.tracking_events e WHERE ts >= '2026-01-01' AND ts < '2026-01-04'" \
	"$JS_TMP/daily.jsonl"
"$py" $check "$out/daily" "$JS_TMP/daily.jsonl" event_id --partition month
js_ok $? "the batches together hold exactly the rows of their ranges"
js_sql "UPDATE jobstream.tracking_events SET bid = bid + 1 WHERE ts >= '2026-01-01' AND ts < '2026-01-02'" >/dev/null
js_sql "SELECT count(*) FROM jobstream.export_parquet($ev, since => '2026-01-01', until => '2026-01-02', overwrite => true)" >/dev/null
js_ok $? "overwrite => true re-exports a day"
dump "SELECT e.*, to_char(e.ts, 'YYYY-MM') AS __partition FROM jobstream.tracking_events e WHERE ts >= '2026-01-01' AND ts < '2026-01-04'" \
	"$JS_TMP/daily.jsonl"
"$py" $check "$out/daily" "$JS_TMP/daily.jsonl" event_id --partition month
js_ok $? "the re-exported day has the new values, the other batch is kept, nothing twice"
js_is "$(js_sql "SELECT count(*) FROM jsonb_array_elements(pg_read_file('$out/daily/_manifest.json')::jsonb->'batches')")" 2 \
	"the manifest lists two batches"

# --- failures half-way -------------------------------------------------------
err=$(sqlerr "SELECT count(*) FROM jobstream.export_parquet('SELECT g, 1 / (g - 25000) AS x FROM generate_series(1, 30000) g', '$out/fail1')")
case $err in *"division by zero"*) r=0 ;; *) r=1; echo "# $err" ;; esac
js_ok $r "an export whose query fails after 25,000 rows fails"
js_is "$(parquet_files "$out/fail1"):$(hidden_files "$out/fail1"):$(ls "$out/fail1" | wc -l | tr -d ' ')" "0:0:0" \
	"it leaves no Parquet file, no temporary file and no manifest"
err=$(sqlerr "SELECT count(*) FROM jobstream.export_parquet(
	\$\$SELECT g, CASE WHEN g = 29999 THEN 'infinity'::timestamptz ELSE '2026-01-01'::timestamptz END AS ts FROM generate_series(1, 30000) g\$\$,
	'$out/fail2', partition_by => 'g % 5', partition_name => 'p')")
case $err in *"infinite timestamp"*) r=0 ;; *) r=1; echo "# $err" ;; esac
js_ok $r "an export failing in its last partition (a value Parquet cannot hold) fails clearly"
js_is "$(parquet_files "$out/fail2"):$(hidden_files "$out/fail2"):$(ls "$out/fail2" | wc -l | tr -d ' ')" "0:0:0" \
	"the partitions it had finished are not left behind either"
cp "$out/daily/_manifest.json" "$JS_TMP/manifest.before"
js_sql "INSERT INTO jobstream.tracking_events VALUES ('00000000-0000-4000-8000-0000000000e4', '2026-01-01 12:00+00', gen_random_uuid(), 1, 1, 1, 1, 'click', 1)" >/dev/null
err=$(sqlerr "SELECT count(*) FROM jobstream.export_parquet('SELECT e.*, CASE WHEN e.event_id = ''00000000-0000-4000-8000-0000000000e4'' THEN ''infinity''::timestamptz END AS bad FROM jobstream.tracking_events e',
	'$out/daily', partition_by => \$\$to_char(ts, 'YYYY-MM')\$\$, partition_name => 'month', time_column => 'ts',
	since => '2026-01-01', until => '2026-01-02', overwrite => true)")
case $err in *"infinite timestamp"*) r=0 ;; *) r=1; echo "# $err" ;; esac
js_ok $r "a failing overwrite of an exported day fails"
cmp -s "$out/daily/_manifest.json" "$JS_TMP/manifest.before" &&
	"$py" $check "$out/daily" "$JS_TMP/daily.jsonl" event_id --partition month >/dev/null
js_ok $? "and leaves the earlier export as it was: manifest, files and values"
js_is "$(hidden_files "$out")" 0 "no temporary file anywhere"

# --- a hand-edited manifest cannot make overwrite delete other files --------
mkdir -p "$out/victim" "$out/forged/country=X"
echo keep >"$out/victim/part-0000.parquet"
echo keep >"$out/forged/country=X/notes.txt"
cat >"$out/forged/_manifest.json" <<JSON
{"format": "jobstream.export_parquet", "version": 1, "partition_by": "location_country",
 "partition_name": "country", "time_column": null, "compression": "zstd", "rows": 0, "bytes": 0,
 "batches": [{"since": null, "until": null, "rows": 0, "bytes": 0, "files": [
   {"path": "../victim/part-0000.parquet"}, {"path": "$out/victim/part-0000.parquet"},
   {"path": "country=X/notes.txt"}, {"path": "country=X/../../victim/part-0000.parquet"}]}]}
JSON
[ "$(id -u)" -eq 0 ] && chown -R postgres: "$out/forged" "$out/victim"
js_sql "SELECT count(*) FROM jobstream.export_parquet('jobstream.job_posts', '$out/forged',
	partition_by => 'location_country', partition_name => 'country', overwrite => true)" >/dev/null &&
	[ -f "$out/victim/part-0000.parquet" ] && [ -f "$out/forged/country=X/notes.txt" ]
js_ok $? "overwrite deletes only paths of the shape it writes inside the directory: a forged manifest deletes nothing else"

# '' and NULL both map to Hive's default partition: one file, not two
# writing the same path
js_is "$(js_sql "SELECT string_agg(coalesce(partition, '') || ':' || rows, ',' ORDER BY partition NULLS FIRST)
	FROM jobstream.export_parquet('SELECT * FROM (VALUES (1, ''''), (2, NULL), (3, ''''), (4, ''DE'')) v(i, c)',
		'$out/empty_part', partition_by => 'c')")" ":3,DE:1" \
	"an empty partition value and NULL share the default partition's one file"

dropdb $db >/dev/null 2>&1
exit $((JS_TAP_FAILED > 0))
