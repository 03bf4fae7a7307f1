#!/bin/bash
# The peers, side by side, in one run (BENCH=peers make bench).
#
# On one Apache Kafka node and one PostgreSQL cluster, with the same
# generated tracking events (jobstream-gen, seed 7):
#   1. the source systems' pipeline: Spark Structured Streaming (PySpark,
#      local mode on the machine's 2 cores) reads the topic, computes the
#      hourly campaign rollup per micro-batch and appends it to PostgreSQL
#      over JDBC in foreachBatch (peers/spark_rollup.py);
#   2. jobstream doing the same job: a source on the topic (2 workers),
#      storing the events exactly once with the hourly campaign rollups
#      kept in the same transactions, visible in campaign_performance.
# Each consumer is started on an empty topic and waits; then
#   - a burst of EVENTS events is produced at once: sustained events/s is
#     EVENTS / (time from the first produced to the last visible in the
#     rollup);
#   - RATE events/s are offered for SECONDS: the produce -> visible latency
#     of each event, p50 and p99 (peers/measure.py);
# with the CPU seconds and the peak memory (PSS) of the consumer and of
# PostgreSQL, whose work both pipelines need (the broker, shared, is left
# out).  Then
#   3. generating RECORDS job posts and candidates as JSON lines: Faker
#      (peers/faker_gen.py) against jobstream-gen --stdout and the SQL
#      generators (COPY of row_to_json(generate_job_posts / candidates)).
# A peer that cannot run here is reported with the reason, and the others
# still run.  Figures, not assertions.
#
# Standalone: bash test/bench/peers.sh.  BENCH_PEERS_EVENTS, _RATE,
# _SECONDS and _RECORDS change the sizes; BENCH_SCALE scales them.
set -uo pipefail
cd "$(dirname "$0")/../.."
. test/lib.sh

scale() { awk "BEGIN { printf \"%d\", $1 * ${BENCH_SCALE:-1} }"; }
EVENTS=$(scale "${BENCH_PEERS_EVENTS:-300000}")
RATE=${BENCH_PEERS_RATE:-5000}
SECS=$(scale "${BENCH_PEERS_SECONDS:-20}")
RECORDS=$(scale "${BENCH_PEERS_RECORDS:-100000}")
PEERS=test/bench/peers
CACHE=${XDG_CACHE_HOME:-$HOME/.cache}/jobstream
VENV=$CACHE/peers-venv
SPARK_VERSION=$(sed -n 's|^pyspark==||p' "$PEERS/requirements.txt")

if [ -z "${JS_PGBIN:-}" ]; then
	js_ensure_packages
	JS_TMP=$(mktemp -d /tmp/jobstream-bench.XXXXXX)
	chmod 755 "$JS_TMP"
	OWN_TMP=1
	JOBSTREAM_PRIVATE_INSTALL=1 js_build_install "$JS_TMP/root"
fi
export PATH="$JS_PGBIN:$PATH"
DIR=$JS_TMP/bench-peers
mkdir -p "$DIR"
SPARK_PID=
cleanup() {
	[ -n "$SPARK_PID" ] && kill "$SPARK_PID" 2>/dev/null && wait "$SPARK_PID" 2>/dev/null
	js_kafka_kill "$DIR/kafka"
	js_cluster_stop "$DIR/pg" immediate
	[ "${OWN_TMP:-0}" = 1 ] && rm -rf "$JS_TMP"
}
trap cleanup EXIT

# cannot PEER REASON: says why a peer does not run here
cannot() { printf '%-34s cannot run here: %s\n' "$1" "$2"; }

js_kafka_start "$DIR/kafka"
JS_BROKERS=$JS_KAFKA_BROKERS
js_cluster_start "$DIR/pg" "$(js_free_port)" "jobstream.database = 'peers'
jobstream.match_enabled = off
shared_buffers = '512MB'
max_wal_size = '4GB'"
export PGDATABASE=peers
createdb peers && psql -qX -c 'CREATE EXTENSION jobstream' >/dev/null || js_die "setup failed"
q() { psql -qAtX -v ON_ERROR_STOP=1 -c "$1"; }
POSTMASTER=$(head -1 "$DIR/pg/data/postmaster.pid")
DSN="host=$PGHOST port=$PGPORT user=postgres dbname=peers"
q "CREATE SCHEMA peers;
CREATE TABLE peers.spark_campaign_batches (batch_id bigint, post_id uuid, event_date date,
	event_hour integer, publisher_id integer, campaign_id integer, group_id integer,
	events bigint, clicks bigint, spend numeric, conversions bigint, qualified bigint, unqualified bigint);
CREATE VIEW peers.spark_campaign_performance AS
SELECT post_id AS job_id, event_date AS date, event_hour AS hour, publisher_id, campaign_id, group_id,
	sum(clicks) AS clicks, sum(spend) AS spend, round(sum(spend) / nullif(sum(clicks), 0), 4) AS bid_set,
	sum(conversions) AS conversions, sum(qualified) AS qualified_application,
	sum(unqualified) AS unqualified_application
FROM peers.spark_campaign_batches
GROUP BY post_id, event_date, event_hour, publisher_id, campaign_id, group_id"

# The Python peers' venv and Spark's extra jars, made once and cached.
PY_OK=1
if ! "$VENV/bin/python" -c 'import pyspark, faker, psycopg' 2>/dev/null; then
	js_log "making $VENV (pip: $(grep -v '^#' "$PEERS/requirements.txt" | tr '\n' ' '))"
	rm -rf "$VENV"
	{ python3 -m venv "$VENV" && "$VENV/bin/pip" install -q -r "$PEERS/requirements.txt"; } >"$DIR/pip.log" 2>&1 ||
		PY_OK=0
fi
SPARK_JARS=
if [ $PY_OK = 1 ]; then
	libs=$CACHE/spark-$SPARK_VERSION-jars
	if [ ! -f "$libs/.done" ]; then
		rm -rf "$libs"
		mvn -q -B -f "$PEERS/pom.xml" -Dspark.version="$SPARK_VERSION" dependency:copy-dependencies \
			-DincludeScope=runtime -DoutputDirectory="$libs" >"$DIR/mvn.log" 2>&1 && touch "$libs/.done"
	fi
	# only the jars PySpark does not bring (same artifact, any version)
	have=$("$VENV/bin/python" -c 'import os, pyspark; print(os.path.dirname(pyspark.__file__))')/jars
	for j in "$libs"/*.jar; do
		[ -f "$j" ] || continue
		a=$(basename "$j" | sed -E 's/-[0-9][0-9A-Za-z.]*\.jar$//')
		ls "$have/$a-"[0-9]*.jar >/dev/null 2>&1 || SPARK_JARS=${SPARK_JARS:+$SPARK_JARS,}$j
	done
fi
measure() { "${VENV}/bin/python" "$PEERS/measure.py" "$@"; }
[ $PY_OK = 1 ] || measure() { python3 "$PEERS/measure.py" "$@"; }

printf '\n== %s cores; Apache Kafka %s (one node, shared, not counted); PostgreSQL %s; jobstream %s\n' \
	"$(nproc)" "$JS_KAFKA_VERSION" "$(q 'SHOW server_version' | cut -d' ' -f1)" \
	"$(q "SELECT extversion FROM pg_extension WHERE extname = 'jobstream'")"
printf '== tracking events: a burst of %s, then %s events/s for %s s; CPU and memory: consumer + PostgreSQL\n' \
	"$EVENTS" "$RATE" "$SECS"
printf '%-34s %12s %10s %10s %9s %9s\n' "pipeline" "events/s" "p50 ms" "p99 ms" "CPU s" "peak MB"

# phases NAME SQL ROOTS LABEL: the burst and the paced run against a consumer
# already waiting on topic NAME.tracking_events; SQL counts visible events
phases() {
	local name=$1 sql=$2 roots=$3 t0 burst paced n cpu1 cpu2 peak1 peak2 gen
	t0=$(date +%s.%N)
	"$JS_PGBIN/jobstream-gen" --brokers "$JS_BROKERS" --topic-prefix "$name." --topics tracking_events \
		--count "$EVENTS" --seed 7 --data-dir data --quiet -X linger.ms=20 || js_die "jobstream-gen failed"
	burst=$(measure watch "$roots" "$DSN" "$sql" 0 "$EVENTS" "$t0" 0 600)
	n=$((RATE * SECS))
	t0=$(date +%s.%N)
	"$JS_PGBIN/jobstream-gen" --brokers "$JS_BROKERS" --topic-prefix "$name." --topics tracking_events \
		--rate "$RATE" --count "$n" --seed 8 --data-dir data --quiet &
	gen=$!
	paced=$(measure watch "$roots" "$DSN" "$sql" "$EVENTS" "$n" "$t0" "$RATE" $((SECS + 120)))
	wait "$gen"
	read -r _ _ eps _ _ cpu1 peak1 <<<"$burst"
	read -r _ _ _ p50 p99 cpu2 peak2 <<<"$paced"
	printf '%-34s %12s %10s %10s %9s %9s\n' "$4" "$eps" "$p50" "$p99" \
		"$(awk "BEGIN { print $cpu1 + $cpu2 }")" "$(awk "BEGIN { print ($peak1 > $peak2) ? $peak1 : $peak2 }")"
	echo "# $4: burst '$burst', paced '$paced' (events wall_s events/s p50 p99 cpu_s peak_mb)" >>"$DIR/raw.txt"
}

# 1. Spark Structured Streaming
if [ $PY_OK = 0 ]; then
	cannot "Spark Structured Streaming" "the venv could not be made: $(tail -1 "$DIR/pip.log")"
elif [ ! -f "$CACHE/spark-$SPARK_VERSION-jars/.done" ]; then
	cannot "Spark Structured Streaming" "Maven could not fetch spark-sql-kafka-0-10_2.13 $SPARK_VERSION: $(grep -m1 ERROR "$DIR/mvn.log")"
else
	js_kafka_tool create "$JS_BROKERS" "spark.tracking_events:8" || js_die "topic creation failed"
	SPARK_PEER_JARS=$SPARK_JARS "$VENV/bin/python" "$PEERS/spark_rollup.py" "$JS_BROKERS" spark.tracking_events \
		"jdbc:postgresql://127.0.0.1:$PGPORT/peers?user=postgres&stringtype=unspecified" \
		"$DIR/spark-checkpoint" "$DIR/spark.ready" >"$DIR/spark.log" 2>&1 &
	SPARK_PID=$!
	for i in $(seq 1200); do
		[ -f "$DIR/spark.ready" ] || ! kill -0 "$SPARK_PID" 2>/dev/null && break
		sleep 0.1
	done
	if [ -f "$DIR/spark.ready" ]; then
		phases spark "SELECT sum(events) FROM peers.spark_campaign_batches" "$POSTMASTER,$SPARK_PID" \
			"Spark $SPARK_VERSION → JDBC (foreachBatch)"
	else
		cannot "Spark Structured Streaming" "it did not start: $(grep -m1 -E 'Exception|Error' "$DIR/spark.log")"
	fi
	kill "$SPARK_PID" 2>/dev/null
	wait "$SPARK_PID" 2>/dev/null
	SPARK_PID=
fi

# 2. jobstream
js_kafka_tool create "$JS_BROKERS" "jobstream.tracking_events:8" || js_die "topic creation failed"
q "SELECT jobstream.add_source('jobstream.tracking_events', 'tracking_events', '$JS_BROKERS',
	options => '{\"parallelism\": 2}')" >/dev/null
for i in $(seq 100); do
	[ "$(q "SELECT count(*) FROM jobstream.workers")" = 2 ] && break
	sleep 0.1
done
sleep 5		# the two workers join the group
phases jobstream "SELECT sum(events) FROM jobstream.campaign_hourly_totals" "$POSTMASTER" \
	"jobstream $(q "SELECT extversion FROM pg_extension WHERE extname = 'jobstream'") (2 workers)"
q "SELECT format('# the rollups agree: %s groups, %s events in Spark''s; %s groups, %s events in jobstream''s',
	(SELECT count(*) FROM peers.spark_campaign_performance), (SELECT coalesce(sum(events), 0) FROM peers.spark_campaign_batches),
	(SELECT count(*) FROM jobstream.campaign_performance), (SELECT sum(events) FROM jobstream.campaign_hourly_totals))"

# 3. generators
printf '\n== generating %s job posts and candidates (half each) as JSON lines\n' "$RECORDS"
printf '%-34s %12s %9s %9s\n' "generator" "records/s" "CPU s" "peak MB"
# gen_row NAME ROOTS COMMAND...: one line of the table
gen_row() {
	local name=$1 roots=$2 out wall cpu peak
	shift 2
	out=$(measure run "$roots" -- "$@" 2>/dev/null) || { cannot "$name" "it failed: $("$@" 2>&1 >/dev/null | tail -1)"; return; }
	read -r wall cpu peak <<<"$out"
	printf '%-34s %12s %9s %9s\n' "$name" "$(awk "BEGIN { printf \"%d\", $RECORDS / $wall }")" "$cpu" "$peak"
}
if [ $PY_OK = 1 ]; then
	gen_row "Faker $("$VENV/bin/python" -c 'import faker; print(faker.VERSION)') (Python $(python3 -c 'import platform; print(platform.python_version())'))" "" \
		sh -c "'$VENV/bin/python' '$PEERS/faker_gen.py' $RECORDS 7 >/dev/null"
else
	cannot "Faker" "the venv could not be made: $(tail -1 "$DIR/pip.log")"
fi
gen_row "jobstream-gen --stdout" "" \
	sh -c "'$JS_PGBIN/jobstream-gen' --stdout --topics job_posts,candidate_info --count $RECORDS --seed 7 --data-dir data --quiet >/dev/null"
gen_row "generate_job_posts/_candidates" "$POSTMASTER" \
	sh -c "psql -qAtX -c 'COPY (SELECT row_to_json(p) FROM jobstream.generate_job_posts($((RECORDS / 2)), 7) p) TO STDOUT' \
		-c 'COPY (SELECT row_to_json(c) FROM jobstream.generate_candidates($((RECORDS / 2)), 7) c) TO STDOUT' >/dev/null"
