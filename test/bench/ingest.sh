#!/bin/bash
# Ingestion benchmark: messages/s end to end (broker → tables, exactly once)
# for tracking events and job posts, against a plain COPY of the same rows
# from a file; then freshness (event time → row committed) p50/p99 at a
# steady rate.  Prints figures, asserts nothing about timing.
#
# Standalone: bash test/bench/ingest.sh (builds a private install), or from
# make bench with JS_TMP and JS_PGBIN set.  BENCH_EVENTS, BENCH_POSTS,
# BENCH_RATE and BENCH_SECONDS change the sizes.
set -uo pipefail
cd "$(dirname "$0")/../.."
. test/lib.sh

EVENTS=${BENCH_EVENTS:-300000}
POSTS=${BENCH_POSTS:-50000}
RATE=${BENCH_RATE:-50000}
SECONDS_STEADY=${BENCH_SECONDS:-10}

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
	[ "${OWN_TMP:-0}" = 1 ] && rm -rf "$JS_TMP"
}
trap cleanup EXIT

# 48 partitions: the development broker keeps ~5 MiB per partition
js_broker_start "$DIR/broker" 48
js_cluster_start "$DIR/pg" "$(js_free_port)" "jobstream.database = 'bench'
shared_buffers = '512MB'
max_wal_size = '4GB'"
export PGDATABASE=bench
createdb bench && psql -qX -c 'CREATE EXTENSION jobstream' >/dev/null || js_die "setup failed"
q() { psql -qAtX -v ON_ERROR_STOP=1 -c "$1"; }
now() { date +%s.%N; }
calc() { awk "BEGIN { printf \"%.0f\", $1 }"; }
chmod 777 "$DIR"

# A live minute of the ad-campaign log, from the generator: events share
# posts, campaigns and groups as they do in a real stream.
EV_SQL="SELECT row_to_json(e) FROM jobstream.generate_tracking_events($EVENTS, 7,
	now() - interval '1 minute', now()) e"
POST_SQL="SELECT json_build_object('post_id', md5('post' || i)::uuid, 'company', 'Company ' || (i % 50),
	'job_title', 'Engineer ' || i, 'job_category', 'Software Engineering', 'industry', 'Software',
	'location_country', 'US', 'location_city', 'Austin', 'description', repeat('We build data systems. ', 10),
	'required_skills', ARRAY['SQL', 'C', 'Kafka'], 'certifications', ARRAY[]::text[],
	'salary_min', 50000 + i % 1000, 'salary_max', 90000, 'experience_level', 'Mid', 'min_years_experience', i % 10,
	'employment_type', 'Full-time', 'work_mode', 'Remote', 'posted_date', '2024-03-01', 'deadline_date', '2024-04-01')
	FROM generate_series(1, $POSTS) i"

# run_one TOPIC TARGET N SQL: produce N messages, then time the source
# from its first row to its last
run_one() {
	local topic=$1 target=$2 n=$3 sql=$4 t0 t1 c0 c
	q "$sql" >"$DIR/$topic.json"
	"$KCAT" -b "$JS_BROKERS" -t "$topic" -P <"$DIR/$topic.json" || js_die "produce failed"
	q "SELECT jobstream.add_source('$topic', '$target', '$JS_BROKERS', options => '{\"parallelism\": ${BENCH_PARALLELISM:-2}}')" >/dev/null
	while [ "$(q "SELECT count(*) > 0 FROM jobstream.$target")" != t ]; do sleep 0.05; done
	t0=$(now)
	c0=$(q "SELECT count(*) FROM jobstream.$target")
	while :; do
		c=$(q "SELECT count(*) FROM jobstream.$target")
		[ "$c" -ge "$n" ] && break
		sleep 0.05
	done
	t1=$(now)
	INGEST_RATE=$(calc "($c - $c0) / ($t1 - $t0)")
	q "SELECT jobstream.pause_source(source_id) FROM jobstream.sources WHERE topic = '$topic'" >/dev/null

	# COPY of the same rows from a file into the same (emptied) table
	q "COPY (SELECT * FROM jobstream.$target) TO '$DIR/$target.copy'"
	q "TRUNCATE jobstream.$target"
	t0=$(now)
	q "COPY jobstream.$target FROM '$DIR/$target.copy'"
	t1=$(now)
	COPY_RATE=$(calc "$n / ($t1 - $t0)")
	printf '%-16s ingest %9s msg/s   COPY %9s rows/s   ratio %.2f\n' "$target" "$INGEST_RATE" "$COPY_RATE" \
		"$(awk "BEGIN { print $INGEST_RATE / $COPY_RATE }")"
}

echo "== jobstream ingest benchmark ($(nproc) cores; broker, PostgreSQL and workers share them)"
run_one tracking_events tracking_events "$EVENTS" "$EV_SQL"
run_one job_posts job_posts "$POSTS" "$POST_SQL"

# Freshness: a statement trigger records now() - ts for every stored event
# (the transaction's commit follows within the same batch); jobstream-gen
# produces them at a steady RATE, stamped with the wall clock.
q "TRUNCATE jobstream.tracking_events"
q "CREATE TABLE public.fresh (lag_ms double precision)"
q "CREATE FUNCTION public.fresh_trg() RETURNS trigger LANGUAGE plpgsql AS
	\$\$BEGIN INSERT INTO public.fresh SELECT extract(epoch FROM clock_timestamp() - ts) * 1000 FROM new_rows; RETURN NULL; END\$\$"
q "CREATE TRIGGER fresh AFTER INSERT ON jobstream.tracking_events REFERENCING NEW TABLE AS new_rows
	FOR EACH STATEMENT EXECUTE FUNCTION public.fresh_trg()"
q "SELECT jobstream.drop_source(source_id) FROM jobstream.sources" >/dev/null
q "SELECT jobstream.add_source('tracking_events', 'tracking_events', '$JS_BROKERS', options => '{\"start\": \"latest\"}')" >/dev/null
sleep 8		# group join
# jobstream-gen stamps each event with the wall clock when it makes it
"$JS_PGBIN/jobstream-gen" --brokers "$JS_BROKERS" --topics tracking_events --rate "$RATE" \
	--duration "${SECONDS_STEADY}s" --quiet 2>"$DIR/gen-fresh.err" || js_die "jobstream-gen failed"
sleep 3
q "SELECT format('freshness at %s msg/s offered: %s events, p50 %s ms, p99 %s ms, max %s ms', $RATE, count(*),
	round(percentile_cont(0.5) WITHIN GROUP (ORDER BY lag_ms)::numeric, 1),
	round(percentile_cont(0.99) WITHIN GROUP (ORDER BY lag_ms)::numeric, 1),
	round(max(lag_ms)::numeric, 1)) FROM public.fresh"
