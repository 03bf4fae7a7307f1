#!/bin/bash
# make demo: the first command a newcomer runs.
#
# Builds and installs jobstream, starts a PostgreSQL cluster under ./.demo/
# (kept between runs; remove the folder to start over), creates the
# extension in database "jobstream" and shows what it holds.
set -euo pipefail
cd "$(dirname "$0")/.."
. test/lib.sh

js_ensure_packages
js_build_install "$PWD/.demo/root"
DEMO=$PWD/.demo
mkdir -p "$DEMO"
chmod 755 "$DEMO"
port=$(cat "$DEMO/port" 2>/dev/null || true)
if [ -z "$port" ]; then
	port=$(js_free_port)
	echo "$port" >"$DEMO/port"
fi
js_cluster_stop "$DEMO/pg"
js_cluster_start "$DEMO/pg" "$port"
psql -qX -d postgres -tc "SELECT 1 FROM pg_database WHERE datname = 'jobstream'" | grep -q 1 ||
	createdb jobstream
export PGDATABASE=jobstream
psql -qX -v ON_ERROR_STOP=1 -c 'CREATE EXTENSION IF NOT EXISTS jobstream' -c 'ALTER EXTENSION jobstream UPDATE'

psql -X -c "SELECT extversion AS jobstream_version FROM pg_extension WHERE extname = 'jobstream'"
psql -X -c "
SELECT c.relname AS reference_table, obj_description(c.oid, 'pg_class') AS holds,
	(xpath('/row/n/text()', query_to_xml(format('SELECT count(*) AS n FROM jobstream.%I', c.relname), false, true, '')))[1]::text::int AS rows
FROM pg_class c
WHERE c.relnamespace = 'jobstream'::regnamespace AND c.relkind IN ('r', 'p')
  AND EXISTS (SELECT FROM pg_attribute WHERE attrelid = c.oid AND attname = 'builtin')
ORDER BY 1"
psql -X -c "
SELECT p.proname AS function, pg_get_function_identity_arguments(p.oid) AS arguments
FROM pg_proc p WHERE p.pronamespace = 'jobstream'::regnamespace ORDER BY 1, 2"

cat <<MSG
The demo cluster runs on 127.0.0.1:$port (socket in $DEMO/pg). Connect with:
    psql -h $DEMO/pg -p $port -U postgres jobstream
Stop it with:
    runuser -u postgres -- $JS_PGBIN/pg_ctl -D $DEMO/pg/data stop
MSG
