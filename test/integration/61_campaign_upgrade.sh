# The 0.2 to 0.3 update keeps the campaign rollups exact with data in the
# tables: the key of tracking_events becomes (ts, event_id), the rollups
# carry over (the writer slices of campaign_hourly merged into one row per
# group), and afterwards events written through the parent, straight into an
# old monthly partition, into a new daily one, through the default
# partition and by concurrent writers on the same groups are each counted
# once; the incremental rollups equal a rebuild and the raw rows.
set -u
cd "$(dirname "$0")/../.."
. test/lib.sh
. test/tap.sh

js_plan 9
db=js_campaign_upgrade
dropdb --if-exists $db >/dev/null 2>&1
createdb $db
export PGDATABASE=$db

# The rollups summed over slices, and the same figures from the raw rows.
rollups="SELECT md5(string_agg(x, ',' ORDER BY x)) FROM (
	SELECT format('h%s/%s/%s/%s/%s/%s:%s/%s/%s/%s/%s', event_date, event_hour, post_id, publisher_id, campaign_id,
		group_id, sum(clicks), sum(spend)::numeric(20,4), sum(conversions), sum(qualified), sum(unqualified)) x
	FROM jobstream.campaign_hourly GROUP BY event_date, event_hour, post_id, publisher_id, campaign_id, group_id
	UNION ALL SELECT format('d%s/%s:%s/%s/%s', event_date, publisher_id, sum(events), sum(clicks), sum(spend)::numeric(20,4))
	FROM jobstream.campaign_daily GROUP BY event_date, publisher_id
	UNION ALL SELECT format('p%s:%s/%s', post_id, sum(clicks), sum(spend)::numeric(20,4))
	FROM jobstream.campaign_posts GROUP BY post_id
	UNION ALL SELECT format('t%s:%s/%s', hour, sum(events), sum(spend)::numeric(20,4))
	FROM jobstream.campaign_hourly_totals GROUP BY hour) r"
raw="SELECT md5(string_agg(x, ',' ORDER BY x)) FROM (
	SELECT format('h%s/%s/%s/%s/%s/%s:%s/%s/%s/%s/%s', (ts AT TIME ZONE 'UTC')::date, extract(hour FROM ts AT TIME ZONE 'UTC'),
		post_id, publisher_id, campaign_id, group_id, count(*) FILTER (WHERE custom_track = 'click'),
		coalesce(sum(bid) FILTER (WHERE custom_track = 'click'), 0)::numeric(20,4),
		count(*) FILTER (WHERE custom_track = 'conversion'), count(*) FILTER (WHERE custom_track = 'qualified'),
		count(*) FILTER (WHERE custom_track = 'unqualified')) x
	FROM jobstream.tracking_events GROUP BY (ts AT TIME ZONE 'UTC')::date, extract(hour FROM ts AT TIME ZONE 'UTC'),
		post_id, publisher_id, campaign_id, group_id
	UNION ALL SELECT format('d%s/%s:%s/%s/%s', (ts AT TIME ZONE 'UTC')::date, publisher_id, count(*),
		count(*) FILTER (WHERE custom_track = 'click'), coalesce(sum(bid) FILTER (WHERE custom_track = 'click'), 0)::numeric(20,4))
	FROM jobstream.tracking_events GROUP BY (ts AT TIME ZONE 'UTC')::date, publisher_id
	UNION ALL SELECT format('p%s:%s/%s', post_id, count(*) FILTER (WHERE custom_track = 'click'),
		coalesce(sum(bid) FILTER (WHERE custom_track = 'click'), 0)::numeric(20,4))
	FROM jobstream.tracking_events GROUP BY post_id
	UNION ALL SELECT format('t%s:%s/%s', date_trunc('hour', ts), count(*),
		coalesce(sum(bid) FILTER (WHERE custom_track = 'click'), 0)::numeric(20,4))
	FROM jobstream.tracking_events GROUP BY date_trunc('hour', ts)) r"

js_sql "SET timezone = 'UTC';
	CREATE EXTENSION jobstream VERSION '0.2';
	SELECT jobstream.create_tracking_partitions('2026-01-01', '2026-02-28');
	INSERT INTO jobstream.tracking_events
		SELECT * FROM jobstream.generate_tracking_events(20000, 1, '2026-01-01', '2026-03-10');
	INSERT INTO jobstream.tracking_events_202602
		SELECT * FROM jobstream.generate_tracking_events(2000, 2, '2026-02-01', '2026-03-01');" >/dev/null
# another session, most likely another writer slice, on the same groups
js_sql "INSERT INTO jobstream.tracking_events SELECT (e).* FROM (
	SELECT e, row_number() OVER () AS n FROM jobstream.tracking_events e) x WHERE n <= 5000
	ON CONFLICT DO NOTHING" >/dev/null
js_sql "INSERT INTO jobstream.tracking_events
	SELECT gen_random_uuid(), ts + interval '1 second', post_id, company_id, campaign_id, group_id, publisher_id,
		custom_track, bid FROM jobstream.tracking_events_202601 LIMIT 3000" >/dev/null
before=$(js_sql "SET timezone = 'UTC'; $rollups")
js_is "$before" "$(js_sql "SET timezone = 'UTC'; $raw")" "0.2 rollups agree with the raw rows"

js_sql "ALTER EXTENSION jobstream UPDATE TO '0.3'" >/dev/null
js_ok $? "the update to 0.3 runs with events in monthly partitions and the default partition"
js_is "$(js_sql "SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conname = 'tracking_events_pkey'")" \
	"PRIMARY KEY (ts, event_id)" "tracking_events is keyed (ts, event_id) after the update"
js_is "$(js_sql "SET timezone = 'UTC'; $rollups")" "$before" "the rollups carry over unchanged"
one_row="SELECT count(*) = count(DISTINCT (event_date, event_hour, post_id, publisher_id, campaign_id, group_id))
	AND bool_and(slice = 0) FROM jobstream.campaign_hourly"
js_is "$(js_sql "$one_row")" "t" "campaign_hourly holds one row per group after the update"

# after the update: through the parent (a re-sent event among them), into an
# old monthly partition, into the default partition and then out of it
js_sql "SET timezone = 'UTC';
	INSERT INTO jobstream.tracking_events
		SELECT * FROM jobstream.generate_tracking_events(5000, 3, '2026-01-15', '2026-03-05')
		UNION ALL SELECT * FROM (SELECT * FROM jobstream.tracking_events_202601 LIMIT 1) resent
		ON CONFLICT DO NOTHING;
	INSERT INTO jobstream.tracking_events_202601
		SELECT * FROM jobstream.generate_tracking_events(1000, 4, '2026-01-01', '2026-02-01');" >/dev/null
js_is "$(js_sql "SELECT jobstream.create_tracking_partitions('2026-02-27', '2026-03-10')")" "10" \
	"new partitions are days that start where the monthly ones end"
js_sql "SET timezone = 'UTC';
	INSERT INTO jobstream.tracking_events_20260303
		SELECT * FROM jobstream.generate_tracking_events(1000, 5, '2026-03-03', '2026-03-04');" >/dev/null
# two writers at once on the same groups, in opposite time order
for seed in 6 7; do
	js_sql "INSERT INTO jobstream.tracking_events
		SELECT * FROM jobstream.generate_tracking_events(20000, $seed, '2026-02-20', '2026-03-02')
		ORDER BY ts $([ $seed = 6 ] && echo ASC || echo DESC)" >/dev/null &
done
wait
after=$(js_sql "SET timezone = 'UTC'; $rollups")
js_is "$(js_sql "$one_row")" "t" "concurrent writers share one row per group"
js_is "$after" "$(js_sql "SET timezone = 'UTC'; $raw")" \
	"after the update every event is counted once, however it was written"
js_sql "SELECT jobstream.rebuild_rollups()" >/dev/null
js_is "$(js_sql "SET timezone = 'UTC'; $rollups")" "$after" "incremental rollups equal a rebuild"

dropdb $db
[ $JS_TAP_FAILED -eq 0 ]
