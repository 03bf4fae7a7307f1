# Cold path: export_parquet throughput (rows/s, MB/s of output) against
# COPY ... TO a CSV file of the same rows on the same server, for tracking
# events (whole, by month, uncompressed) and job posts (by country); and
# what storing description_skills costs when posts are written (INSERT of
# generated posts into job_posts with the row trigger disabled and enabled).
# Prints figures, asserts nothing.  Sizes scale with BENCH_SCALE.
set -euo pipefail
cd "$(dirname "$0")/../.."
scale=${BENCH_SCALE:-1}
n_events=$(awk -v s="$scale" 'BEGIN { printf "%d", 2000000 * s }')
n_posts=$(awk -v s="$scale" 'BEGIN { printf "%d", 300000 * s }')
dir=$JS_TMP/export-bench
mkdir -p "$dir"
[ "$(id -u)" -eq 0 ] && chown postgres: "$dir"

q() { psql -qAtX -v ON_ERROR_STOP=1 "$@"; }

q 2>/dev/null <<SQL
DROP SCHEMA IF EXISTS jsexportbench CASCADE;
CREATE SCHEMA jsexportbench;
CREATE TABLE jsexportbench.events AS
	SELECT * FROM jobstream.generate_tracking_events($n_events, 1, '2025-01-01', '2025-04-01');
CREATE TABLE jsexportbench.posts AS SELECT * FROM jobstream.generate_job_posts($n_posts, 1);
ALTER TABLE jsexportbench.events ALTER bid TYPE numeric(10,4);
VACUUM ANALYZE jsexportbench.events, jsexportbench.posts;
CREATE FUNCTION jsexportbench.secs(sql text) RETURNS float8 LANGUAGE plpgsql AS \$\$
DECLARE t0 timestamptz := clock_timestamp();
BEGIN
	EXECUTE sql;
	RETURN extract(epoch FROM clock_timestamp() - t0);
END \$\$;
SQL

secs() { q -c "SELECT jsexportbench.secs(\$q\$$1\$q\$)"; }
bytes() { du -sb "$1" | cut -f1; }
line() { printf '%-40s %9s %8s %10s %9s %8s %8s\n' "$@"; }
rate() { awk -v n="$1" -v s="$2" 'BEGIN { printf "%.0f", n / s }'; }
mb() { awk -v b="$1" 'BEGIN { printf "%.1f", b / 1048576 }'; }
mbs() { awk -v b="$1" -v s="$2" 'BEGIN { printf "%.1f", b / 1048576 / s }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }

# run NAME ROWS BASELINE_SECONDS SQL OUTPUT: time SQL, print its line
run() {
	local s b
	rm -rf "$5"
	s=$(secs "$4")
	b=$(bytes "$5")
	line "$1" "$2" "$s" "$(rate "$2" "$s")" "$(mb "$b")" "$(mbs "$b" "$s")" "$(ratio "$s" "$3")"
}

echo "export_parquet against COPY ... TO CSV (one backend; zstd level 3 unless said)"
line "what" "rows" "seconds" "rows/s" "MB out" "MB/s" "x COPY"

rm -f "$dir/events.csv"
s=$(secs "COPY jsexportbench.events TO '$dir/events.csv' WITH (FORMAT csv, HEADER)")
b=$(bytes "$dir/events.csv")
line "events: COPY TO csv (baseline)" "$n_events" "$s" "$(rate "$n_events" "$s")" "$(mb "$b")" "$(mbs "$b" "$s")" "1.00"
copy_events=$s
run "events: export_parquet, one file" "$n_events" "$copy_events" \
	"SELECT * FROM jobstream.export_parquet('jsexportbench.events', '$dir/ev1')" "$dir/ev1"
run "events: export_parquet, by month" "$n_events" "$copy_events" \
	"SELECT * FROM jobstream.export_parquet('jsexportbench.events', '$dir/ev2', partition_by => \$\$to_char(ts, 'YYYY-MM')\$\$, partition_name => 'month')" "$dir/ev2"
run "events: export_parquet, uncompressed" "$n_events" "$copy_events" \
	"SELECT * FROM jobstream.export_parquet('jsexportbench.events', '$dir/ev3', compression => 'none')" "$dir/ev3"

rm -f "$dir/posts.csv"
s=$(secs "COPY jsexportbench.posts TO '$dir/posts.csv' WITH (FORMAT csv, HEADER)")
b=$(bytes "$dir/posts.csv")
line "posts: COPY TO csv (baseline)" "$n_posts" "$s" "$(rate "$n_posts" "$s")" "$(mb "$b")" "$(mbs "$b" "$s")" "1.00"
copy_posts=$s
run "posts: export_parquet, by country" "$n_posts" "$copy_posts" \
	"SELECT * FROM jobstream.export_parquet('jsexportbench.posts', '$dir/po1', partition_by => 'location_country', partition_name => 'country')" "$dir/po1"

echo
echo "description_skills: INSERT of $n_posts generated posts into job_posts (its rollup and"
echo "matcher triggers on) with the row trigger that stores them disabled and enabled; in"
echo "a transaction rolled back, on an emptied table (best of two runs each)"
line "what" "rows" "seconds" "rows/s" "" "" "x off"
# The trigger function serves jobstream.job_posts only, so the table itself.
best() {
	local a b
	a=$(q -c "BEGIN" -c "TRUNCATE jobstream.job_posts CASCADE" -c "ALTER TABLE jobstream.job_posts $1 TRIGGER description_skills" \
		-c "SELECT jsexportbench.secs('INSERT INTO jobstream.job_posts SELECT * FROM jsexportbench.posts')" -c "ROLLBACK")
	b=$(q -c "BEGIN" -c "TRUNCATE jobstream.job_posts CASCADE" -c "ALTER TABLE jobstream.job_posts $1 TRIGGER description_skills" \
		-c "SELECT jsexportbench.secs('INSERT INTO jobstream.job_posts SELECT * FROM jsexportbench.posts')" -c "ROLLBACK")
	awk -v a="$a" -v b="$b" 'BEGIN { print (a < b ? a : b) }'
}
off=$(best DISABLE)
on=$(best ENABLE)
line "trigger disabled (baseline)" "$n_posts" "$off" "$(rate "$n_posts" "$off")" "" "" "1.00"
line "with the description_skills trigger" "$n_posts" "$on" "$(rate "$n_posts" "$on")" "" "" "$(ratio "$on" "$off")"

q -c "DROP SCHEMA jsexportbench CASCADE" >/dev/null 2>&1
rm -rf "$dir"
