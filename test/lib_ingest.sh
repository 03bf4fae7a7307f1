# Helpers of the ingestion integration tests (source it after test/lib.sh
# and test/tap.sh): waiting for a condition, producing to the broker that
# js_broker_start started, and deterministic JSON lines of the contract.
# Needs KCAT (the jobstream-kcat binary) and JS_BROKERS.

# wait_for SQL [seconds]: waits until SQL returns t
wait_for() { js_wait_for "$1" t "${2:-60}"; }

# produce TOPIC [kcat options]: stdin lines to TOPIC
produce() {
	local topic=$1
	shift
	"$KCAT" -b "$JS_BROKERS" -t "$topic" -P "$@"
}

# JSON lines of N tracking events numbered from START
events() {
	js_sql "SELECT json_build_object('event_id', md5('ev' || i)::uuid, 'ts', timestamptz '2024-03-01' + i * interval '1 s',
		'post_id', md5('post' || (i % 500))::uuid, 'company_id', i % 97, 'campaign_id', i % 13,
		'group_id', i % 5, 'publisher_id', i % 7,
		'custom_track', (ARRAY['click','click','click','conversion','qualified','unqualified'])[1 + i % 6],
		'bid', round((i % 1000) / 137.0, 4))
		FROM generate_series($1, $1 + $2 - 1) i"
}

# JSON lines of N job posts numbered from START; with VERSION, version
# VERSION of each (its job_title ends in "vVERSION"), each line prefixed with
# the post's key (post_id) and a tab, for produce -K $'\t'; with STEP too,
# only the posts whose number is a multiple of STEP.
posts() {
	js_sql "SELECT CASE WHEN '${3:-}' <> '' THEN md5('post' || i)::uuid || E'\t' ELSE '' END
		|| json_build_object('post_id', md5('post' || i)::uuid, 'company', 'Company ' || (i % 50),
		'job_title', 'Engineer ' || i || CASE WHEN '${3:-}' <> '' THEN ' v${3:-}' ELSE '' END, 'job_category', 'Software Engineering',
		'required_skills', ARRAY['SQL', 'C'], 'salary_min', 50000 + i % 1000, 'salary_max', 90000,
		'min_years_experience', i % 10, 'posted_date', '2024-03-01', 'deadline_date', '2024-04-01')
		FROM generate_series($1, $1 + $2 - 1) i WHERE i % ${4:-1} = 0"
}

# JSON lines of N tracking events numbered from START, every 20th of them
# (i % 20 = 0) invalid JSON: a dead letter each, appended without a key, so
# that a batch stored twice shows as extra dead letters.
mixed() {
	js_sql "SELECT CASE WHEN i % 20 = 0 THEN '{\"event_id\": broken ' || i ELSE json_build_object('event_id', md5('ev' || i)::uuid,
		'ts', timestamptz '2024-03-01' + i * interval '1 s', 'post_id', md5('p' || i)::uuid, 'company_id', 1, 'campaign_id', 2,
		'group_id', 3, 'publisher_id', 4, 'custom_track', 'click', 'bid', 0.5)::text END
		FROM generate_series($1, $1 + $2 - 1) i"
}

# js_integration_setup NAME: for an integration script run by test/run.sh:
# the server binaries first in PATH, DIR=$JS_TMP/NAME for its cluster and
# broker, KCAT the test client.
js_integration_setup() {
	: "${JS_TMP:?run through test/run.sh}"
	: "${JS_PGBIN:?run through test/run.sh}"
	export PATH="$JS_PGBIN:$PATH"
	DIR=$JS_TMP/$1
	KCAT=$JS_PGBIN/jobstream-kcat
}

# js_extension_db NAME: creates database NAME on the running cluster with
# jobstream installed in it, and makes it the default (PGDATABASE).
js_extension_db() {
	export PGDATABASE=$1
	createdb "$1" || js_die "createdb $1 failed"
	js_sql 'CREATE EXTENSION jobstream' >/dev/null || js_die "CREATE EXTENSION failed in $1"
}
