#!/bin/bash
# Ingest benchmark (issue 11): Kafka → tracking_events, exactly once, on a
# cluster with PostgreSQL's default settings (shared_buffers 128MB, fsync,
# synchronous_commit and full_page_writes on; the script prints them).
#
# The backlog: BENCH_EVENTS (300,000) tracking events spread evenly over six
# hours and produced in time order, 500 posts each with one company,
# campaign and ad group, 20 publishers, 85 % clicks / 3 % conversions / 8 %
# qualified / 4 % unqualified, keyed by event_id on a 32-partition topic.
# The workers (BENCH_PARALLELISM, default 2) join the group first; then the
# backlog is produced at once and they drain it.  The rate is measured
# between 10 % and 90 % of the drain, from the committed offsets, and over
# the whole drain from the start of production (batches commit in steps, so
# with few large batches the 10-90 % rate overstates).
#
# Measured, BENCH_REPEAT (3) times each, in one run:
#   - rollups on and off with an empty table, with the batches, the
#     campaign_hourly upserts per event and what the busy workers were
#     doing (pg_stat_activity sampled every 10 ms: CPU or a wait event) in
#     the last run;
#   - the same with one worker (a source's default parallelism), and with
#     the workers and the backlog keyed by post_id instead of event_id;
#   - the same with BENCH_SCALE × 10M events of history (60 days before the
#     backlog, loaded with generate_tracking_events, rollups on, vacuumed
#     once), and rollups on with jobstream.batch_size = 10000 (0.2's default);
#   - COPY of the same rows from a file into a plain table with the same
#     primary key: the baseline;
#   - freshness with that history and the refresher on: produce → visible in
#     campaign_performance (the rollups commit with the rows, so the commit
#     timestamp of each row) at BENCH_RATE (50,000) events/s from
#     jobstream-gen for BENCH_SECONDS (20);
#   - Kafka → job_posts against COPY, on BENCH_POSTS (50,000) posts.
# Prints figures, asserts nothing about timing.
#
# Standalone: bash test/bench/ingest.sh (builds a private install), or from
# make bench with JS_TMP and JS_PGBIN set.  BENCH_SCALE=5 runs 50M events of
# history.
set -uo pipefail
cd "$(dirname "$0")/../.."
. test/lib.sh

EVENTS=${BENCH_EVENTS:-300000}
POSTS=${BENCH_POSTS:-50000}
RATE=${BENCH_RATE:-50000}
SECONDS_STEADY=${BENCH_SECONDS:-20}
REPEAT=${BENCH_REPEAT:-3}
PAR=${BENCH_PARALLELISM:-2}
KEY=event_id
HISTORY=$(awk -v s="${BENCH_SCALE:-1}" 'BEGIN { printf "%d", 10000000 * s }')

if [ -z "${JS_PGBIN:-}" ]; then
	JS_TMP=$(mktemp -d /tmp/jobstream-bench.XXXXXX)
	chmod 755 "$JS_TMP"
	OWN_TMP=1
	JOBSTREAM_PRIVATE_INSTALL=1 js_build_install "$JS_TMP/root"
fi
export PATH="$JS_PGBIN:$PATH"
DIR=$JS_TMP/bench-ingest
KCAT=$JS_PGBIN/jobstream-kcat
cleanup() {
	js_broker_stop
	js_cluster_stop "$DIR/pg" immediate
	rm -rf "$DIR"
	[ "${OWN_TMP:-0}" = 1 ] && rm -rf "$JS_TMP"
}
trap cleanup EXIT

# Topics the broker does not know get 4 partitions and lose all but the
# last ~5 MiB of each: create every topic up front, with 32 partitions.
js_broker_start "$DIR/broker" 32 "$(seq -f 'backlog%g' $((9 * REPEAT)) | paste -sd,),tracking_events,job_posts"
# js_cluster_start turns durability off for tests: turn it back on, so that
# every setting below is PostgreSQL's default.
js_cluster_start "$DIR/pg" "$(js_free_port)" "jobstream.database = 'bench'
fsync = on
synchronous_commit = on
full_page_writes = on"
export PGDATABASE=bench
createdb bench && psql -qX -c 'CREATE EXTENSION jobstream' >/dev/null || js_die "setup failed"
q() { psql -qAtX -v ON_ERROR_STOP=1 -c "$1"; }
calc() { awk "BEGIN { printf \"%.0f\", $1 }"; }
chmod 777 "$DIR"

echo "== jobstream ingest benchmark ($(nproc) cores; broker, PostgreSQL and workers share them; load average $(cut -d' ' -f1-3 /proc/loadavg))"
echo "server settings: $(q "SELECT string_agg(name || ' = ' || current_setting(name), ', ' ORDER BY name)
	FROM unnest(ARRAY['shared_buffers', 'fsync', 'synchronous_commit', 'full_page_writes', 'max_wal_size',
		'checkpoint_timeout', 'work_mem', 'jobstream.batch_size', 'jobstream.batch_time']) name")"
echo "backlog: $EVENTS tracking events over 6 hours in time order, 500 posts (one company, campaign and group each),"
echo "  20 publishers, 85/3/8/4 % click/conversion/qualified/unqualified, keyed by event_id, 32 partitions, $PAR workers;"
echo "  rate between 10 % and 90 % of the drain, $REPEAT runs each"

# Run k's backlog covers the k-th six hours after B0 (tomorrow, so that no
# backlog event has the wall-clock times of the freshness test); the
# history lies in the 60 days before B0.  So every run writes "the next six
# hours", as a stream does, and the history grows by the backlogs drained
# before.
B0=$(q "SELECT date_trunc('day', now()) + interval '1 day'")
q "SELECT jobstream.create_tracking_partitions(timestamptz '$B0' - interval '61 days', timestamptz '$B0' + interval '6 hours' * (9 * $REPEAT + 4))" >/dev/null
q "CREATE FUNCTION public.backlog(run int, n int, t0 timestamptz) RETURNS SETOF jobstream.tracking_events
	LANGUAGE sql AS \$\$
	SELECT md5(run || '/' || i)::uuid, t0 + (i - 1) * (interval '6 hours' / n),
		md5('post' || p)::uuid, p % 97 + 1, p + 1000, p + 5000, (h >> 10) % 20 + 1,
		CASE WHEN h % 100 < 85 THEN 'click' WHEN h % 100 < 88 THEN 'conversion'
			 WHEN h % 100 < 96 THEN 'qualified' ELSE 'unqualified' END,
		round(0.10 + (h >> 16) % 300 / 100.0, 4)
	FROM generate_series(1, n) i,
		LATERAL (SELECT abs(hashint8(run * 100000000::bigint + i)) AS h) x,
		LATERAL (SELECT (x.h >> 20) % 500 AS p) y
	\$\$"

# wait_assigned SOURCE_ID: waits until the source's workers share the 32
# partitions and have kept them for a second, so that no rebalance stalls
# the drain that follows
wait_assigned() {
	local i last= now
	for i in $(seq 120); do
		now=$(q "SELECT count(DISTINCT partition) || '/' || count(DISTINCT pid) || '/' || string_agg(DISTINCT pid::text, ',')
			FROM jobstream.source_stats_internal() WHERE source_id = $1 AND assigned")
		case $now in 32/$PAR/*) [ "$now" = "$last" ] && return 0 ;; esac
		last=$now
		sleep 1
	done
	js_die "the workers of source $1 did not settle on the partitions: $now"
}

RUN=0
# drain: produces run RUN+1's backlog on a new topic, lets the workers drain
# it and sets RATE_OUT to the steady rate
drain() {
	local sid out t0 b0 u0 tp
	RUN=$((RUN + 1))
	t0=$(q "SELECT timestamptz '$B0' + ($RUN - 1) * interval '6 hours'")
	q "SELECT e.$KEY::text || E'\t' || row_to_json(e)::text FROM public.backlog($RUN, $EVENTS, '$t0') e" \
		>"$DIR/backlog.txt"
	b0=$(q "SELECT sum(changes) FROM jobstream.rollup_changes WHERE rollup = 'events'")
	u0=$(q "SELECT n_tup_ins + n_tup_upd FROM pg_stat_user_tables WHERE relid = 'jobstream.campaign_hourly'::regclass")
	# the workers join the group first; then the backlog arrives at once
	# (the producer is several times faster than the drain)
	sid=$(q "SELECT jobstream.add_source('backlog$RUN', 'tracking_events', '$JS_BROKERS', options => '{\"parallelism\": $PAR}')")
	wait_assigned "$sid"
	tp=$(q "SELECT clock_timestamp()")
	"$KCAT" -b "$JS_BROKERS" -t "backlog$RUN" -K $'\t' -P <"$DIR/backlog.txt" || js_die "produce failed"
	out=$(psql -qAtX -v ON_ERROR_STOP=1 <<-SQL
		CREATE TEMP TABLE s (t timestamptz, n bigint);
		CREATE TEMP TABLE w (state text);
		DO \$\$
		DECLARE
			n bigint;
			last bigint := -1;
			stuck timestamptz := clock_timestamp();
		BEGIN
			LOOP
				SELECT coalesce(sum(next_offset), 0) INTO n FROM jobstream.source_offsets WHERE source_id = $sid;
				INSERT INTO s VALUES (clock_timestamp(), n);
				-- what the workers are doing: on CPU, waiting for a lock
				-- (another worker's rollup rows), for I/O or for Kafka
				-- (a fresh snapshot of pg_stat_activity each time)
				PERFORM pg_stat_clear_snapshot();
				INSERT INTO w SELECT coalesce(wait_event_type || ':' || wait_event, 'CPU')
				FROM pg_stat_activity WHERE backend_type = 'jobstream worker' AND state = 'active';
				EXIT WHEN n >= $EVENTS;
				IF n <> last THEN
					last := n;
					stuck := clock_timestamp();
				ELSIF clock_timestamp() - stuck > interval '120 seconds' THEN
					RAISE EXCEPTION 'the drain is stuck at % events', n;
				END IF;
				PERFORM pg_sleep(0.01);
			END LOOP;
		END
		\$\$;
		WITH a AS (SELECT * FROM s WHERE n >= 0.1 * $EVENTS ORDER BY t LIMIT 1),
			 b AS (SELECT * FROM s WHERE n >= 0.9 * $EVENTS ORDER BY t LIMIT 1),
			 c AS (SELECT * FROM s WHERE n >= $EVENTS ORDER BY t LIMIT 1)
		SELECT round((b.n - a.n) / extract(epoch FROM b.t - a.t)) || ' '
			|| round($EVENTS / extract(epoch FROM c.t - timestamptz '$tp')) || ' '
			|| coalesce((SELECT string_agg(state || ' ' || pct || '%', ', ' ORDER BY pct DESC)
				FROM (SELECT state, round(100.0 * count(*) / sum(count(*)) OVER ()) AS pct FROM w GROUP BY state) x
				WHERE pct >= 2), 'none')
		FROM a, b, c;
	SQL
	) || js_die "drain $RUN failed"
	q "SELECT jobstream.drop_source($sid)" >/dev/null
	[ "$(q "SELECT count(*) FROM jobstream.tracking_events WHERE ts >= '$t0' AND ts < timestamptz '$t0' + interval '6 hours'")" = "$EVENTS" ] ||
		js_die "drain $RUN: rows missing or duplicated"
	RATE_OUT=${out%% *}
	out=${out#* }
	FULL_OUT=${out%% *}
	WAITS_OUT=${out#* }
	sleep 1		# statistics reach pg_stat_user_tables within a second
	WORK_OUT=$(q "SELECT format('%s batches, %s campaign_hourly upserts per event; busy workers sampled: %s', sum(changes) - $b0,
		round((n_tup_ins + n_tup_upd - $u0)::numeric / $EVENTS, 2), '$WAITS_OUT')
		FROM jobstream.rollup_changes, pg_stat_user_tables WHERE rollup = 'events'
		AND relid = 'jobstream.campaign_hourly'::regclass GROUP BY n_tup_ins, n_tup_upd")
}

median() { sort -n | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
ratio() { awk "BEGIN { printf \"%.2f\", $1 / $2 }"; }

# rates on|off [truncate]: REPEAT drains with the rollup trigger on or off
# (emptying the table before each with truncate); sets RATES (the runs,
# ascending) and MED (their median)
rates() {
	local mode=$1 empty=${2:-} i list=() full=()
	for i in $(seq "$REPEAT"); do
		[ -n "$empty" ] && q "TRUNCATE jobstream.tracking_events"
		q "ALTER TABLE jobstream.tracking_events $([ "$mode" = on ] && echo ENABLE || echo DISABLE) TRIGGER rollup_insert"
		q "CHECKPOINT"
		drain
		list+=("$RATE_OUT")
		full+=("$FULL_OUT")
		[ "$mode" = on ] && WORK=$WORK_OUT
	done
	q "ALTER TABLE jobstream.tracking_events ENABLE TRIGGER rollup_insert"
	RATES="$(printf '%s\n' "${list[@]}" | sort -n | paste -sd/); whole drain $(printf '%s\n' "${full[@]}" | sort -n | paste -sd/)"
	MED=$(printf '%s\n' "${list[@]}" | median)
}

# measure NAME [truncate]: rollups on, then off; sets ON_NAME and OFF_NAME
measure() {
	local name=$1 empty=${2:-}
	rates on $empty
	eval "ON_$name=$MED"
	printf '%-16s rollups on  %7s events/s (runs %s; last run: %s)\n' "$name" "$MED" "$RATES" "$WORK"
	rates off $empty
	eval "OFF_$name=$MED"
	printf '%-16s rollups off %7s events/s (runs %s)\n' "$name" "$MED" "$RATES"
}

measure empty truncate

# What the rollups cost is one upsert per group a batch touches.  Keyed by
# event_id, every partition holds events of every group, so each of the two
# workers upserts every group of the hours it drains.  The same backlog with
# one worker (a source's default parallelism), and with two workers and the
# messages keyed by post_id, so that each group's events are in one
# partition and one worker folds them.
PAR=1
measure one_worker truncate
PAR=${BENCH_PARALLELISM:-2}
KEY=post_id
measure keyed_by_post truncate
KEY=event_id
q "TRUNCATE jobstream.tracking_events"

# COPY of the same rows into a plain table with the same primary key
q "COPY (SELECT * FROM public.backlog(0, $EVENTS, '$B0')) TO '$DIR/backlog.copy'"
q "CREATE TABLE public.plain (LIKE jobstream.tracking_events INCLUDING ALL)"
copies=()
for i in $(seq "$REPEAT"); do
	q "TRUNCATE public.plain"
	q "CHECKPOINT"
	copies+=("$(psql -qAtX -v ON_ERROR_STOP=1 <<-SQL
		CREATE TEMP TABLE t0 AS SELECT clock_timestamp() AS t;
		COPY public.plain FROM '$DIR/backlog.copy';
		SELECT round($EVENTS / extract(epoch FROM clock_timestamp() - t)) FROM t0;
	SQL
	)")
done
COPY_MED=$(printf '%s\n' "${copies[@]}" | median)
printf '%-16s COPY        %7s rows/s   (runs %s; %s)\n' "plain table" "$COPY_MED" \
	"$(printf '%s\n' "${copies[@]}" | sort -n | paste -sd/)" \
	"$(q "SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = 'public.plain'::regclass AND contype = 'p'")"
q "DROP TABLE public.plain"

# The history: 60 days before B0, in 1M-event statements, rollups on.
t=$(date +%s)
for ((done = 0; done < HISTORY; done += 1000000)); do
	n=$((HISTORY - done < 1000000 ? HISTORY - done : 1000000))
	q "INSERT INTO jobstream.tracking_events SELECT * FROM jobstream.generate_tracking_events($n, $done + 1,
		timestamptz '$B0' - interval '60 days' + interval '60 days' * ($done::float8 / $HISTORY),
		timestamptz '$B0' - interval '60 days' + interval '60 days' * (($done + $n)::float8 / $HISTORY))" ||
		js_die "history load failed"
done
# A history that grew over 60 days would have been vacuumed as it grew; one
# loaded in minutes leaves that work to autovacuum, which would then scan
# the whole 10M-row rollups during the runs below.  Do it now, once.
q "VACUUM ANALYZE"
q "CHECKPOINT"
echo "history: $HISTORY events loaded in $(($(date +%s) - t)) s (generate_tracking_events, rollups on):" \
	"tracking_events $(q "SELECT pg_size_pretty(sum(pg_total_relation_size(relid))) FROM pg_partition_tree('jobstream.tracking_events')")" \
	"in $(q "SELECT count(*) FROM pg_partition_tree('jobstream.tracking_events') WHERE isleaf") partitions," \
	"campaign rollups $(q "SELECT pg_size_pretty(sum(pg_total_relation_size(c))) FROM unnest(ARRAY['jobstream.campaign_hourly',
		'jobstream.campaign_daily', 'jobstream.campaign_posts', 'jobstream.campaign_hourly_totals']::regclass[]) c")"
H=history_$HISTORY
measure "$H"
eval "ON_H=\$ON_$H OFF_H=\$OFF_$H"
# The rollups' cost is one upsert per group a batch touches: with a fifth
# of the batch size (0.2's default), each group folds fewer events (drains
# only: at a steady rate, batches are cut by jobstream.batch_time).
q "ALTER SYSTEM SET jobstream.batch_size = 10000" >/dev/null
q "SELECT pg_reload_conf()" >/dev/null
rates on
printf '%-16s rollups on  %7s events/s (runs %s; last run: %s) with jobstream.batch_size = 10000\n' "$H" "$MED" "$RATES" "$WORK"
q "ALTER SYSTEM RESET jobstream.batch_size" >/dev/null
q "SELECT pg_reload_conf()" >/dev/null
echo "ratios of medians: history/empty rollups on $(ratio "$ON_H" "$ON_empty") (goal >= 0.85), off $(ratio "$OFF_H" "$OFF_empty");" \
	"on/off empty $(ratio "$ON_empty" "$OFF_empty"), history $(ratio "$ON_H" "$OFF_H") (goal >= 0.6)," \
	"empty with one worker $(ratio "$ON_one_worker" "$OFF_one_worker"), keyed by post_id $(ratio "$ON_keyed_by_post" "$OFF_keyed_by_post");" \
	"on/COPY empty $(ratio "$ON_empty" "$COPY_MED"), history $(ratio "$ON_H" "$COPY_MED") (goal >= 0.4)"

# Freshness with that history and the refresher on: every row's commit
# timestamp (the rollups commit with it, so it is when campaign_performance
# shows the event) minus its ts, stamped by jobstream-gen with the wall clock.
q "ALTER SYSTEM SET track_commit_timestamp = on"
js_cluster_stop "$DIR/pg" fast
js_cluster_start "$DIR/pg" "$PGPORT"
wait_assigned "$(q "SELECT jobstream.add_source('tracking_events', 'tracking_events', '$JS_BROKERS', options => '{\"start\": \"latest\", \"parallelism\": $PAR}')")"
t0=$(q "SELECT now()")
"$JS_PGBIN/jobstream-gen" --brokers "$JS_BROKERS" --topics tracking_events --rate "$RATE" \
	--duration "${SECONDS_STEADY}s" --quiet 2>"$DIR/gen-fresh.err" ||
	js_die "jobstream-gen failed: $(tail -5 "$DIR/gen-fresh.err")"
t1=$(q "SELECT now()")
sleep 3
q "SELECT format('freshness at %s events/s offered, %s history, refresher on: %s events, produce -> visible in campaign_performance p50 %s ms, p99 %s ms, max %s ms', $RATE, $HISTORY, count(*),
	round(percentile_cont(0.5) WITHIN GROUP (ORDER BY lag_ms)::numeric),
	round(percentile_cont(0.99) WITHIN GROUP (ORDER BY lag_ms)::numeric),
	round(max(lag_ms)::numeric))
	FROM (SELECT extract(epoch FROM pg_xact_commit_timestamp(xmin) - ts) * 1000 AS lag_ms
		FROM jobstream.tracking_events WHERE ts >= '$t0' AND ts < '$t1') f"
q "SELECT format('refresher: %s refreshes, slowest view %s ms', sum(refreshes), round(max(last_duration_ms)::numeric)) FROM jobstream.refresh_stats"
q "SELECT jobstream.drop_source('tracking_events')" >/dev/null
q "ALTER SYSTEM RESET track_commit_timestamp"

# Kafka → job_posts against COPY into the same table
POST_SQL="SELECT md5('post' || i)::uuid || E'\t' || json_build_object('post_id', md5('post' || i)::uuid, 'company', 'Company ' || (i % 50),
	'job_title', 'Engineer ' || i, 'job_category', 'Software Engineering', 'industry', 'Software',
	'location_country', 'US', 'location_city', 'Austin', 'description', repeat('We build data systems. ', 10),
	'required_skills', ARRAY['SQL', 'C', 'Kafka'], 'certifications', ARRAY[]::text[],
	'salary_min', 50000 + i % 1000, 'salary_max', 90000, 'experience_level', 'Mid', 'min_years_experience', i % 10,
	'employment_type', 'Full-time', 'work_mode', 'Remote', 'posted_date', '2024-03-01', 'deadline_date', '2024-04-01')
	FROM generate_series(1, $POSTS) i"
q "$POST_SQL" >"$DIR/posts.json"
wait_assigned "$(q "SELECT jobstream.add_source('job_posts', 'job_posts', '$JS_BROKERS', options => '{\"parallelism\": $PAR}')")"
# whole drain, from the start of production: with batches of up to
# jobstream.batch_size messages the first rows may land only near the end
t_start=$(date +%s.%N)
"$KCAT" -b "$JS_BROKERS" -t job_posts -K $'\t' -P <"$DIR/posts.json" || js_die "produce failed"
while [ "$(q "SELECT count(*) >= $POSTS FROM jobstream.job_posts")" != t ]; do sleep 0.02; done
t_end=$(date +%s.%N)
post_rate=$(awk "BEGIN { printf \"%d\", $POSTS / ($t_end - $t_start) }")
q "SELECT jobstream.drop_source('job_posts')" >/dev/null
q "COPY jobstream.job_posts TO '$DIR/posts.copy'"
q "TRUNCATE jobstream.job_posts"
post_copy=$(psql -qAtX -v ON_ERROR_STOP=1 <<-SQL
	CREATE TEMP TABLE t0 AS SELECT clock_timestamp() AS t;
	COPY jobstream.job_posts FROM '$DIR/posts.copy';
	SELECT round($POSTS / extract(epoch FROM clock_timestamp() - t)) FROM t0;
SQL
)
printf 'job_posts: Kafka %s messages/s (whole drain, from the start of production), COPY into the same table %s rows/s, ratio %s\n' "$post_rate" "$post_copy" \
	"$(ratio "$post_rate" "$post_copy")"
