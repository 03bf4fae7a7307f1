# Analytics at two history sizes: the cost of bringing every view up to date
# after 100k new events (rollup maintenance in the inserting transaction plus
# jobstream.refresh()) against recomputing the same figures from the raw
# rows, as a batch job would; ingest with rollups on against off; and the
# slowest dashboard query.  Sizes scale with BENCH_SCALE.
set -euo pipefail
cd "$(dirname "$0")/../.."
scale=${BENCH_SCALE:-1}
small=$(awk -v s="$scale" 'BEGIN { printf "%d", 1000000 * s }')
large=$(awk -v s="$scale" 'BEGIN { printf "%d", 10000000 * s }')
batch=$(awk -v s="$scale" 'BEGIN { printf "%d", 100000 * (s < 1 ? s : 1) }')

q() { psql -qAtX -v ON_ERROR_STOP=1 "$@"; }

q <<'SQL'
DROP SCHEMA IF EXISTS jsbench CASCADE;
CREATE SCHEMA jsbench;
-- Events shaped like the campaign log: 5,000 posts, 20 publishers, a few
-- campaigns and groups per post, 85 % clicks, spread over 90 days up to now.
CREATE FUNCTION jsbench.events(first bigint, n bigint, span interval) RETURNS SETOF jobstream.tracking_events
LANGUAGE sql AS $$
	SELECT md5('e' || i)::uuid,
		now() - span * ((first + n - i)::float8 / greatest(first + n, 1)),
		md5('p' || i % 5000)::uuid, (i % 5000 % 1133 + 1)::int, (i % 5000 % 50)::int, (i % 3)::int,
		(i % 20 + 1)::int,
		CASE WHEN i % 100 < 85 THEN 'click' WHEN i % 100 < 88 THEN 'conversion'
			WHEN i % 100 < 96 THEN 'qualified' ELSE 'unqualified' END,
		round((0.1 + (i % 97) / 40.0)::numeric, 4)
	FROM generate_series(first, first + n - 1) i
$$;
CREATE FUNCTION jsbench.ms(sql text) RETURNS float8 LANGUAGE plpgsql AS $$
DECLARE t0 timestamptz := clock_timestamp();
BEGIN
	EXECUTE sql;
	RETURN extract(epoch FROM clock_timestamp() - t0) * 1000;
END $$;
SQL

# The same campaign figures straight from the raw rows: what a batch job
# recomputes on every run.
full_recompute="
	SELECT count(*) FROM (SELECT count(DISTINCT post_id), count(*) FILTER (WHERE custom_track = 'click'),
		sum(bid) FILTER (WHERE custom_track = 'click') FROM jobstream.tracking_events) a;
	SELECT count(*) FROM (SELECT (ts AT TIME ZONE 'UTC')::date, count(*) FILTER (WHERE custom_track = 'qualified')
		FROM jobstream.tracking_events GROUP BY 1) b;
	SELECT count(*) FROM (SELECT publisher_id, sum(bid) FILTER (WHERE custom_track = 'click')
		FROM jobstream.tracking_events GROUP BY 1) c;
	SELECT count(*) FROM (SELECT post_id, count(*) FILTER (WHERE custom_track = 'click') n
		FROM jobstream.tracking_events GROUP BY 1 ORDER BY n DESC LIMIT 10) d"

measure() {
	local history=$1 loaded=$2
	# grow the history to the wanted size (rollups on, as in production)
	q -c "SELECT jobstream.create_tracking_partitions(now() - interval '91 days', now() + interval '1 day')" >/dev/null
	q -c "INSERT INTO jobstream.tracking_events SELECT * FROM jsbench.events($loaded, $history - $loaded, interval '90 days')" >/dev/null
	q -c "VACUUM ANALYZE jobstream.tracking_events" -c "VACUUM ANALYZE jobstream.campaign_hourly" >/dev/null
	q -c "SELECT jobstream.refresh()" >/dev/null

	local off on refresh full r offs=() ons=() refreshes=()
	# three rounds each; the medians are reported
	for r in 1 2 3; do
		q -c "ALTER TABLE jobstream.tracking_events DISABLE TRIGGER rollup_insert" >/dev/null
		offs+=("$(q -c "BEGIN" -c "SELECT round(jsbench.ms('INSERT INTO jobstream.tracking_events SELECT * FROM jsbench.events($history + $r * $batch, $batch, interval ''1 hour'')')::numeric, 1)" -c "ROLLBACK" | tail -1)")
		q -c "ALTER TABLE jobstream.tracking_events ENABLE TRIGGER rollup_insert" >/dev/null
		ons+=("$(q -c "SELECT round(jsbench.ms('INSERT INTO jobstream.tracking_events SELECT * FROM jsbench.events($history + $r * $batch, $batch, interval ''1 hour'')')::numeric, 1)")")
		refreshes+=("$(q -c "SELECT round(jsbench.ms('SELECT jobstream.refresh()')::numeric, 1)")")
	done
	off=$(printf '%s\n' "${offs[@]}" | sort -n | sed -n 2p)
	on=$(printf '%s\n' "${ons[@]}" | sort -n | sed -n 2p)
	refresh=$(printf '%s\n' "${refreshes[@]}" | sort -n | sed -n 2p)
	full=$(q -c "SELECT round(jsbench.ms(\$q\$$full_recompute\$q\$)::numeric, 1)")
	awk -v h="$history" -v b="$batch" -v off="$off" -v on="$on" -v r="$refresh" -v f="$full" 'BEGIN {
		inc = (on - off) + r
		printf "history %d events, %d new (medians of 3): insert %.0f ms without rollups, %.0f ms with (+%.0f %%); refresh of all views %.0f ms\n", h, b, off, on, 100 * (on - off) / off, r
		printf "  views up to date: incremental %.0f ms (rollup delta + refresh) vs full recompute from raw rows %.0f ms: %.1fx\n", inc, f, f / inc
	}'
}

echo "analytics (BENCH_SCALE=$scale)"
measure "$small" 0
measure "$large" $((small + 4 * batch))

slowest=$(q <<'SQL'
SELECT format('%s %s ms', v, round(ms::numeric, 1)) FROM (
	SELECT v, jsbench.ms(format('SELECT * FROM %s %s', v,
		CASE WHEN v = 'jobstream.campaign_performance'
			THEN format('WHERE date = %L AND hour = %s', (now() AT TIME ZONE 'UTC')::date,
				extract(hour FROM now() AT TIME ZONE 'UTC')) ELSE '' END)) AS ms
	FROM unnest(ARRAY['jobstream.market_kpis', 'jobstream.applications_per_hour', 'jobstream.applications_per_3_hours',
		'jobstream.top_categories', 'jobstream.score_histogram', 'jobstream.status_breakdown',
		'jobstream.work_mode_breakdown', 'jobstream.employment_type_breakdown', 'jobstream.candidates_by_education',
		'jobstream.expected_salary_histogram', 'jobstream.posts_by_country', 'jobstream.posts_by_city',
		'jobstream.skill_demand', 'jobstream.skill_demand_by_country', 'jobstream.skill_supply_demand',
		'jobstream.latest_applications', 'jobstream.campaign_performance', 'jobstream.campaign_kpis',
		'jobstream.campaign_daily_rates', 'jobstream.top_jobs_by_clicks', 'jobstream.publisher_efficiency']) v
) t ORDER BY ms DESC LIMIT 1
SQL
)
echo "slowest dashboard query (campaign table: the current hour): $slowest"
# the campaign table for the current hour and the current day: medians of 5
for range in hour day; do
	where="date = (now() AT TIME ZONE 'UTC')::date"
	[ $range = hour ] && where="$where AND hour = $(q -c "SELECT extract(hour FROM now() AT TIME ZONE 'UTC')::int")"
	ms=$(q -c "SELECT round(percentile_cont(0.5) WITHIN GROUP (ORDER BY jsbench.ms(
		'SELECT * FROM jobstream.campaign_performance WHERE $(printf '%s' "$where" | sed "s/'/''/g")'))::numeric, 1)
		FROM generate_series(1, 5)")
	echo "campaign table, the current $range: $ms ms (median of 5; $(q -c "SELECT count(*) FROM jobstream.campaign_performance WHERE $where") rows, $(q -c "SELECT count(*) FROM jobstream.tracking_events") events of history)"
done
# A day of about 20,000 groups (833 posts x 24 hours, one publisher,
# campaign and group each, five events per group), two days ahead so that
# nothing else is in it: the one-day size a dashboard of a few hundred
# posts and a handful of publishers reads.
day=$(q -c "SELECT (now() AT TIME ZONE 'UTC')::date + 2")
q -c "SELECT jobstream.create_tracking_partitions(timestamp '$day' AT TIME ZONE 'UTC', timestamp '$day' AT TIME ZONE 'UTC' + interval '1 day')" >/dev/null
q -c "INSERT INTO jobstream.tracking_events
	SELECT md5('day' || i)::uuid, timestamp '$day' AT TIME ZONE 'UTC' + (i / 833 % 24) * interval '1 hour' + (i % 3600) * interval '1 second',
		md5('dp' || i % 833)::uuid, 1, 1, 0, 1, CASE WHEN i % 10 < 8 THEN 'click' ELSE 'qualified' END, 0.5
	FROM generate_series(0, 99959) i" >/dev/null
ms=$(q -c "SELECT round(percentile_cont(0.5) WITHIN GROUP (ORDER BY jsbench.ms(
	'SELECT * FROM jobstream.campaign_performance WHERE date = ''$day'''))::numeric, 1)
	FROM generate_series(1, 5)")
echo "campaign table, a day of $(q -c "SELECT count(*) FROM jobstream.campaign_performance WHERE date = '$day'") groups: $ms ms (median of 5; $(q -c "SELECT count(*) FROM jobstream.tracking_events") events of history)"
