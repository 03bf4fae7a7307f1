#!/bin/bash
# Runs once, from the postgres image's /docker-entrypoint-initdb.d, when the
# data directory is new: creates jobstream in $POSTGRES_DB, the login roles
# that Grafana and Metabase use (members of jobstream_reader: they read the
# analytics views and nothing else), the Kafka sources of the four topics
# and the tracking-event partitions of the months around now.
set -euo pipefail

: "${KAFKA_BROKERS:=kafka:9092}"
: "${JOBSTREAM_GROUP_ID:=jobstream}"
: "${GRAFANA_DB_USER:=grafana}"
: "${GRAFANA_DB_PASSWORD:?set GRAFANA_DB_PASSWORD (see docker/.env.example)}"
: "${METABASE_DB_USER:=metabase}"
: "${METABASE_DB_PASSWORD:?set METABASE_DB_PASSWORD (see docker/.env.example)}"

psql -v ON_ERROR_STOP=1 -X --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
	-v brokers="$KAFKA_BROKERS" -v group_id="$JOBSTREAM_GROUP_ID" \
	-v grafana_user="$GRAFANA_DB_USER" -v grafana_password="$GRAFANA_DB_PASSWORD" \
	-v metabase_user="$METABASE_DB_USER" -v metabase_password="$METABASE_DB_PASSWORD" <<'SQL'
CREATE EXTENSION IF NOT EXISTS jobstream;

-- Partition DDL under load stalls readers: create the months ahead now.
SELECT jobstream.create_tracking_partitions(now() - interval '1 month', now() + interval '3 months')
	AS tracking_partitions_created;

-- Read-only logins for the BI tools.  A statement timeout keeps a runaway
-- ad-hoc query in Metabase from holding a backend for long.
SELECT format('CREATE ROLE %I LOGIN PASSWORD %L IN ROLE jobstream_reader', r.name, r.password)
FROM (VALUES (:'grafana_user', :'grafana_password'), (:'metabase_user', :'metabase_password')) AS r(name, password)
WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = r.name)
\gexec
SELECT format('ALTER ROLE %I SET statement_timeout = %L', r, '30s'),
	format('ALTER ROLE %I SET search_path = jobstream', r)
FROM unnest(ARRAY[:'grafana_user', :'metabase_user']) AS r
\gexec

-- One source per topic; the workers start consuming when it commits.
SELECT to_regprocedure('jobstream.add_source(text, text, text, text, jsonb)') IS NOT NULL AS have_add_source \gset
\if :have_add_source
SELECT jobstream.add_source(s.topic, s.target, :'brokers', :'group_id')
FROM (VALUES
	('job_posts', 'job_posts'),
	('candidate_info', 'candidates'),
	('job_applications', 'job_applications'),
	('tracking_events', 'tracking_events')) AS s(topic, target);
\else
\warn 'jobstream.add_source(text, text, text, text, jsonb) does not exist in this build: no Kafka sources created'
\endif
SQL
