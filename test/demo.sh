#!/bin/bash
# make demo: the whole pipeline on one machine, the first command a newcomer
# runs.
#
# Builds and installs jobstream, starts a development Kafka broker and a
# PostgreSQL cluster under ./.demo/ (the cluster is kept between runs; remove
# the folder to start over), creates the extension and the four Kafka
# sources, runs jobstream-gen at a steady rate, and shows once a second, for
# about a minute or until Ctrl-C, the ingest rate, lag, freshness and the
# headline figures.  The cluster keeps running afterwards for Grafana, psql
# or Metabase; `make demo-stop` stops it and the broker.
#
#   DEMO_SECONDS=60  DEMO_RATE=5000  make demo
set -euo pipefail
cd "$(dirname "$0")/.."
. test/lib.sh

DEMO=$PWD/.demo
seconds=${DEMO_SECONDS:-60}
rate=${DEMO_RATE:-5000}

# demo_stop: stops what an earlier demo left running.
demo_stop() {
	local pid
	[ -f "$DEMO/gen.pid" ] && kill "$(cat "$DEMO/gen.pid")" 2>/dev/null || true
	[ -f "$DEMO/broker/pid" ] && kill "$(cat "$DEMO/broker/pid")" 2>/dev/null || true
	rm -f "$DEMO/gen.pid" "$DEMO/broker/pid"
	if [ -f "$DEMO/pg/data/postmaster.pid" ]; then
		pid=$(head -1 "$DEMO/pg/data/postmaster.pid")
		kill -INT "$pid" 2>/dev/null || true
		while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
	fi
}

if [ "${1:-}" = stop ]; then
	demo_stop
	echo "demo stopped (data kept in $DEMO; remove the folder to start over)"
	exit 0
fi

js_ensure_packages
js_log "building and installing jobstream"
js_build_install "$DEMO/root"
mkdir -p "$DEMO"
chmod 755 "$DEMO"
demo_stop

port=$(cat "$DEMO/port" 2>/dev/null || true)
[ -n "$port" ] || { port=$(js_free_port); echo "$port" >"$DEMO/port"; }

js_log "starting a development Kafka broker"
JS_BROKER_PID=
js_broker_start "$DEMO/broker" 16
echo "$JS_BROKER_PID" >"$DEMO/broker/pid"

js_log "starting PostgreSQL on 127.0.0.1:$port"
js_cluster_start "$DEMO/pg" "$port" "jobstream.database = 'jobstream'
jobstream.refresh_interval = '1s'"
export PGDATABASE=jobstream
psql -qX -d postgres -tc "SELECT 1 FROM pg_database WHERE datname = 'jobstream'" | grep -q 1 || {
	createdb jobstream
	# the workers connect to jobstream.database at start
	js_cluster_stop "$DEMO/pg"
	js_cluster_start "$DEMO/pg" "$port"
}

psql -qX -v ON_ERROR_STOP=1 <<SQL >/dev/null
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS jobstream;
ALTER EXTENSION jobstream UPDATE;
SELECT jobstream.create_tracking_partitions(now() - interval '1 month', now() + interval '3 months');
-- a new broker starts with empty topics: forget the offsets of earlier runs
SELECT jobstream.drop_source(source_id) FROM jobstream.sources;
SELECT jobstream.add_source('job_posts', 'job_posts', '$JS_BROKERS');
SELECT jobstream.add_source('candidate_info', 'candidates', '$JS_BROKERS');
SELECT jobstream.add_source('job_applications', 'job_applications', '$JS_BROKERS');
SELECT jobstream.add_source('tracking_events', 'tracking_events', '$JS_BROKERS',
	options => '{"parallelism": 2}');
SQL

js_log "producing $rate messages/s with jobstream-gen for ${seconds}s"
# Applications are not produced: the matching engine in PostgreSQL makes
# them from the candidates and posts it ingests.
"$JS_PGBIN/jobstream-gen" --brokers "$JS_BROKERS" --rate "$rate" --duration "${seconds}s" \
	--topics job_posts,candidate_info,tracking_events \
	--mix job_posts=1,candidate_info=5,tracking_events=84 --quiet >"$DEMO/gen.log" 2>&1 &
gen=$!
echo "$gen" >"$DEMO/gen.pid"
trap 'kill $gen 2>/dev/null || true; echo; echo "stopped the producer"' INT

# One screen of figures, every second.
show() {
	psql -qX -P footer=off -P null='-' <<'SQL'
SELECT target, sum(rows)::bigint AS rows_ingested, sum(dead_letters)::bigint AS dead_letters,
	round(sum(messages_per_sec))::bigint AS msgs_per_s, sum(lag)::bigint AS lag,
	round(extract(epoch FROM now() - max(last_batch_at)) * 1000) AS last_batch_ms_ago
FROM jobstream.source_stats GROUP BY target ORDER BY target;
SELECT (SELECT round(extract(epoch FROM clock_timestamp() - max(ts)) * 1000)
	FROM jobstream.tracking_events WHERE ts > now() - interval '1 minute') AS event_freshness_ms,
	(SELECT round(max(extract(epoch FROM lag)) * 1000) FROM jobstream.refresh_stats) AS view_lag_ms;
SELECT applications, active_posts, candidates, average_score FROM jobstream.market_kpis;
SELECT pairs_scored, applications AS applications_matched, queue_length AS match_queue FROM jobstream.match_stats;
SELECT clicks, conversions, qualified, unqualified, spend FROM jobstream.campaign_kpis;
SQL
}

start=$(date +%s)
while kill -0 "$gen" 2>/dev/null; do
	out=$(show 2>&1 || true)
	[ -t 1 ] && printf '\033[H\033[2J'
	echo "jobstream demo: $(( $(date +%s) - start ))s of ${seconds}s, Ctrl-C stops the producer"
	echo "$out"
	sleep 1
done
wait "$gen" 2>/dev/null || true
trap - INT
sleep 2
echo
echo "final figures:"
show

cat <<MSG

The pipeline keeps running: broker $JS_BROKERS, PostgreSQL on 127.0.0.1:$port.
  psql:     psql -h $DEMO/pg -p $port -U postgres jobstream
  Grafana:  add a PostgreSQL data source at 127.0.0.1:$port, database jobstream,
            as a login role in jobstream_reader, e.g.
              CREATE ROLE grafana LOGIN PASSWORD 'grafana' IN ROLE jobstream_reader;
            then import the dashboards of docker/grafana/dashboards/
            (or run the whole stack in Docker: see docker/README.md).
  more data: $JS_PGBIN/jobstream-gen --brokers $JS_BROKERS --rate 5000 --duration 60s
  stop:     make demo-stop
MSG
