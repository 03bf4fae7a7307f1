#!/bin/sh
# Connects the stack's Metabase to jobstream through Metabase's REST API:
# creates the first admin user (on a fresh Metabase) and adds the database
# jobstream, logged in as the read-only role METABASE_DB_USER (a member of
# jobstream_reader: it sees the analytics views, nothing else).  Safe to run
# again: it logs in and adds the database only if it is missing.
#
#   docker compose -f docker/docker-compose.yml up -d --build
#   sh docker/metabase/setup.sh
#
# Needs curl.  Reads docker/.env if present; every setting below can also
# be passed in the environment.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
if [ -f "$here/../.env" ]; then
	set -a
	. "$here/../.env"
	set +a
fi

MB_URL=${MB_URL:-http://localhost:${METABASE_PORT:-3001}}
ADMIN_EMAIL=${METABASE_ADMIN_EMAIL:-admin@jobstream.local}
ADMIN_PASSWORD=${METABASE_ADMIN_PASSWORD:-jobstream-demo-1}
# As Metabase's container sees PostgreSQL (the compose service name).
DB_HOST=${METABASE_PG_HOST:-postgres}
DB_PORT=${METABASE_PG_PORT:-5432}
DB_USER=${METABASE_DB_USER:-metabase}
DB_PASSWORD=${METABASE_DB_PASSWORD:-metabase}

say() { printf '%s\n' "$*" >&2; }
die() { say "error: $*"; exit 1; }
# json_str KEY: the first string value of KEY in the JSON on stdin.
json_str() { sed -n "s/.*\"$1\" *: *\"\\([^\"]*\\)\".*/\\1/p" | head -n 1; }
# JSON string escaping for the few values we send.
esc() { printf '%s' "$1" | sed 's/\\/\\\\/g; s/"/\\"/g'; }

command -v curl >/dev/null || die "curl is needed"

say "waiting for Metabase at $MB_URL ..."
i=0
until curl -fsS "$MB_URL/api/health" 2>/dev/null | grep -q '"ok"'; do
	i=$((i + 1))
	[ $i -le 120 ] || die "Metabase did not become healthy at $MB_URL (see: docker compose logs metabase)"
	sleep 5
done

props=$(curl -fsS "$MB_URL/api/session/properties") || die "GET /api/session/properties failed"
token=$(printf '%s' "$props" | json_str setup-token)

if [ -n "$token" ] && ! printf '%s' "$props" | grep -q '"has-user-setup" *: *true'; then
	say "creating the admin user $ADMIN_EMAIL"
	session=$(curl -fsS -X POST "$MB_URL/api/setup" -H 'Content-Type: application/json' -d "{
		\"token\": \"$(esc "$token")\",
		\"user\": {\"email\": \"$(esc "$ADMIN_EMAIL")\", \"password\": \"$(esc "$ADMIN_PASSWORD")\",
			\"first_name\": \"jobstream\", \"last_name\": \"admin\", \"site_name\": \"jobstream\"},
		\"prefs\": {\"site_name\": \"jobstream\", \"site_locale\": \"en\", \"allow_tracking\": false}
	}" | json_str id) || die "POST /api/setup failed"
else
	say "Metabase is already set up; logging in as $ADMIN_EMAIL"
	session=$(curl -fsS -X POST "$MB_URL/api/session" -H 'Content-Type: application/json' \
		-d "{\"username\": \"$(esc "$ADMIN_EMAIL")\", \"password\": \"$(esc "$ADMIN_PASSWORD")\"}" | json_str id) ||
		die "login failed: set METABASE_ADMIN_EMAIL / METABASE_ADMIN_PASSWORD to the admin's"
fi
[ -n "$session" ] || die "no session from Metabase"

if curl -fsS "$MB_URL/api/database" -H "X-Metabase-Session: $session" | grep -q '"name" *: *"jobstream"'; then
	say "the database jobstream is already in Metabase"
else
	say "adding the database jobstream ($DB_USER@$DB_HOST:$DB_PORT)"
	curl -fsS -X POST "$MB_URL/api/database" -H 'Content-Type: application/json' \
		-H "X-Metabase-Session: $session" -d "{
		\"engine\": \"postgres\",
		\"name\": \"jobstream\",
		\"is_full_sync\": true,
		\"details\": {
			\"host\": \"$(esc "$DB_HOST")\", \"port\": $DB_PORT, \"dbname\": \"jobstream\",
			\"user\": \"$(esc "$DB_USER")\", \"password\": \"$(esc "$DB_PASSWORD")\",
			\"ssl\": false,
			\"schema-filters-type\": \"inclusion\", \"schema-filters-patterns\": \"jobstream\"
		}
	}" >/dev/null || die "POST /api/database failed (is the postgres service healthy?)"
fi

say "done: open $MB_URL and log in as $ADMIN_EMAIL; the views are under jobstream > Jobstream"
