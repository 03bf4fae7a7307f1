# The docker/ front end: docker-compose accepts the compose file, and every
# panel of every Grafana dashboard in docker/grafana/dashboards runs, with
# Grafana's macros and the dashboard variables substituted the way Grafana
# substitutes them, against a loaded database as a login role that is only
# a member of jobstream_reader, returns rows, and returns the columns the
# panel reads.
#
# The columns a panel reads are taken from the panel itself: "time" for
# time-series queries, the x field of bar charts, the latitude / longitude
# (and style) fields of geomap layers, the fields named by overrides and by
# "organize" transformations (which is how the tables list their columns).
# Each panel's query must also read relations of schema jobstream only.
#
# Needs docker-compose (Debian's package validates without a Docker engine)
# and no Grafana: the dashboards' JSON is read with psql.
set -u
cd "$(dirname "$0")/../.."
. test/lib.sh
. test/tap.sh

db=js_dashboards
reader=js_grafana_test
compose=docker/docker-compose.yml
dashboards=(docker/grafana/dashboards/*.json)
work=$JS_TMP/dashboards
mkdir -p "$work"

# Grafana's time range for the test: the last 7 days up to now.
t_from=$(date -u -d '7 days ago' +%Y-%m-%dT%H:%M:%SZ)
t_to=$(date -u +%Y-%m-%dT%H:%M:%SZ)

dropdb --if-exists "$db" >/dev/null 2>&1
psql -qX -d postgres -c "DROP ROLE IF EXISTS $reader" >/dev/null 2>&1
as_reader() { PGUSER=$reader PGDATABASE=$db psql -X -v ON_ERROR_STOP=1 "$@"; }

# --- the data set ---------------------------------------------------------------
# Small but non-trivial: 300 posts over 13 families and 40 cities,
# 500 candidates, 1,500 applications over the last day and a half, 6,000
# tracking events over the last two days, all with valid reference values;
# their campaign dimension; a Kafka source and a dead letter.
load_data() {
	createdb "$db" || return 1
	PGDATABASE=$db psql -qX -v ON_ERROR_STOP=1 <<-'SQL'
	SET client_min_messages = warning;
	CREATE EXTENSION jobstream;
	SELECT jobstream.create_tracking_partitions(now() - interval '1 month', now() + interval '1 month');

	CREATE TEMP TABLE fam AS SELECT row_number() OVER (ORDER BY family) - 1 AS n, family FROM jobstream.job_families;
	CREATE TEMP TABLE loc AS
		SELECT row_number() OVER (ORDER BY ci.population DESC NULLS LAST, ci.city) - 1 AS n, ci.city, co.country
		FROM jobstream.cities ci JOIN jobstream.countries co USING (country_code)
		ORDER BY ci.population DESC NULLS LAST, ci.city LIMIT 40;
	CREATE TEMP TABLE comp AS SELECT row_number() OVER (ORDER BY company_id) - 1 AS n, company, company_id, industry
		FROM jobstream.companies ORDER BY company_id LIMIT 50;
	CREATE TEMP TABLE lvl AS SELECT row_number() OVER (ORDER BY rank) - 1 AS n, level FROM jobstream.seniority_levels;
	CREATE TEMP TABLE et AS SELECT row_number() OVER (ORDER BY employment_type) - 1 AS n, employment_type FROM jobstream.employment_types;
	CREATE TEMP TABLE wm AS SELECT row_number() OVER (ORDER BY work_mode) - 1 AS n, work_mode FROM jobstream.work_modes;
	CREATE TEMP TABLE pl AS SELECT row_number() OVER (ORDER BY publisher_id) - 1 AS n, platform, publisher_id, base_bid FROM jobstream.platforms;
	CREATE TEMP TABLE edu AS SELECT row_number() OVER (ORDER BY rank) - 1 AS n, education_level FROM jobstream.education_levels;
	CREATE TEMP TABLE st AS SELECT row_number() OVER (ORDER BY ordinal) - 1 AS n, status FROM jobstream.application_statuses;

	INSERT INTO jobstream.job_posts (post_id, company, job_title, job_category, industry, location_country,
		location_city, description, required_skills, salary_min, salary_max, experience_level,
		min_years_experience, employment_type, work_mode, platform, posted_date, deadline_date)
	SELECT md5('post' || i)::uuid, comp.company,
		coalesce((SELECT title FROM jobstream.job_titles t WHERE t.family = fam.family ORDER BY title
			OFFSET i % 5 LIMIT 1), fam.family || ' Specialist'),
		fam.family, comp.industry, loc.country, loc.city,
		'We are hiring. You work with ' || array_to_string(sk.skills, ', ') || ' every day.',
		sk.skills, 40000 + (i % 10) * 5000, 60000 + (i % 10) * 9000, lvl.level, i % 8,
		et.employment_type, wm.work_mode, pl.platform,
		current_date - (i % 40), current_date - (i % 40) + 30
	FROM generate_series(0, 299) i
	JOIN fam ON fam.n = i % (SELECT count(*) FROM fam)
	JOIN loc ON loc.n = (i * 7) % (SELECT count(*) FROM loc)
	JOIN comp ON comp.n = i % (SELECT count(*) FROM comp)
	JOIN lvl ON lvl.n = i % (SELECT count(*) FROM lvl)
	JOIN et ON et.n = i % (SELECT count(*) FROM et)
	JOIN wm ON wm.n = (i / 2) % (SELECT count(*) FROM wm)
	JOIN pl ON pl.n = i % (SELECT count(*) FROM pl)
	CROSS JOIN LATERAL (SELECT coalesce(array_agg(skill ORDER BY skill), '{}') AS skills FROM (
		SELECT skill FROM jobstream.family_skills fs WHERE fs.family = fam.family
		ORDER BY skill OFFSET i % 3 LIMIT 3) s) sk;

	INSERT INTO jobstream.candidates (candidate_id, full_name, gender, birth_year, location_country,
		location_city, education_level, graduation_year, gpa, job_category, skills, experience_level,
		years_experience, current_salary, expected_salary)
	SELECT md5('candidate' || i)::uuid, 'Candidate ' || i, (ARRAY['Male', 'Female', 'Non-binary'])[1 + i % 3],
		1970 + i % 30, loc.country, loc.city, edu.education_level, 1970 + i % 30 + 22,
		2.0 + (i % 20) / 10.0, fam.family, sk.skills, lvl.level, i % 25,
		30000 + (i % 50) * 2000, 35000 + (i % 60) * 2500
	FROM generate_series(0, 499) i
	JOIN fam ON fam.n = (i * 3) % (SELECT count(*) FROM fam)
	JOIN loc ON loc.n = i % (SELECT count(*) FROM loc)
	JOIN edu ON edu.n = i % (SELECT count(*) FROM edu)
	JOIN lvl ON lvl.n = (i / 3) % (SELECT count(*) FROM lvl)
	CROSS JOIN LATERAL (SELECT coalesce(array_agg(skill ORDER BY skill), '{}') AS skills FROM (
		SELECT skill FROM jobstream.family_skills fs WHERE fs.family = fam.family
		ORDER BY skill OFFSET i % 4 LIMIT 4) s) sk;

	-- candidate c applies to posts c, c + 97 and c + 194 (mod 300): one application per pair
	INSERT INTO jobstream.job_applications (application_id, candidate_id, post_id, status,
		compatibility_score, applied_at)
	SELECT md5('application' || i)::uuid, md5('candidate' || (i % 500))::uuid,
		md5('post' || ((i % 500 + (i / 500) * 97) % 300))::uuid, st.status,
		CASE WHEN i % 50 = 49 THEN NULL ELSE ((i * 37) % 10001) / 100.0 END,
		now() - (i % 60) * interval '37 minutes' - (i % 7) * interval '1 minute'
	FROM generate_series(0, 1499) i
	JOIN st ON st.n = i % (SELECT count(*) FROM st);

	INSERT INTO jobstream.tracking_events (event_id, ts, post_id, company_id, campaign_id, group_id,
		publisher_id, custom_track, bid)
	SELECT md5('event' || i)::uuid, now() - ((i * 7) % 2880) * interval '1 minute',
		md5('post' || ((i * 13) % 300))::uuid, comp.company_id, 1 + i % 5, 1 + i % 3, pl.publisher_id, tr.track,
		CASE WHEN tr.track = 'click' THEN pl.base_bid * (0.8 + (i % 5) / 10.0) ELSE 0 END
	FROM generate_series(0, 5999) i
	JOIN comp ON comp.n = ((i * 13) % 300) % (SELECT count(*) FROM comp)
	JOIN pl ON pl.n = i % (SELECT count(*) FROM pl)
	CROSS JOIN LATERAL (SELECT CASE WHEN i % 20 < 15 THEN 'click' WHEN i % 20 < 17 THEN 'qualified'
		WHEN i % 20 < 19 THEN 'unqualified' ELSE 'conversion' END AS track) tr;

	-- the campaign dimension of the posts
	INSERT INTO jobstream.job_campaigns SELECT * FROM jobstream.generate_job_campaigns();

	-- the pipeline's health: a source (no broker listens there) and a dead letter
	SELECT jobstream.add_source('job_posts', 'job_posts', '127.0.0.1:9', 'js_dashboards_test');
	INSERT INTO jobstream.dead_letters (topic, partition, "offset", payload, error)
	VALUES ('job_posts', 0, 7, 'not json', 'invalid JSON');

	SELECT jobstream.refresh();
	SQL
}

# --- extracting the panels -------------------------------------------------------
# One line per panel target, fields separated by US (0x1f): panel id, title, type, format,
# the columns the panel reads (comma-separated) and the query with Grafana's
# macros and the dashboard's variables substituted, base64-encoded.  Runs as
# the reader, since the variables' queries are run to get their values
# (Grafana takes the first value of a query variable by default).
extract() {
	as_reader -qAt -F $'\x1f' -v file="$1" -v t_from="$t_from" -v t_to="$t_to" <<-'SQL'
	\set j `cat :'file'`
	CREATE FUNCTION pg_temp.grafana_sql(q text, t_from text, t_to text, vars jsonb)
	RETURNS text LANGUAGE plpgsql AS $f$
	DECLARE
		k text;
		v text;
		m text[];
		args text[];
		secs bigint;
		expr text;
	BEGIN
		-- The front end interpolates variables first ($__interval is 1h: the
		-- panels that group by it ask for at least that), the backend then
		-- its macros, as in pkg/tsdb/grafana-postgresql-datasource/macros.go.
		FOR k, v IN SELECT * FROM jsonb_each_text(vars) LOOP
			q := replace(q, '${' || k || ':sqlstring}', quote_literal(v));
			q := replace(q, '${' || k || '}', v);
			q := regexp_replace(q, '\$' || k || '(?![A-Za-z0-9_])', v, 'g');
		END LOOP;
		q := replace(q, '$__interval_ms', '3600000');
		q := replace(q, '$__interval', '1h');
		LOOP
			m := regexp_match(q, '\$__timeGroup(Alias)?\(([^)]*)\)');
			EXIT WHEN m IS NULL;
			args := string_to_array(m[2], ',');
			secs := extract(epoch FROM btrim(args[2], ' ''')::interval);
			expr := format('floor(extract(epoch from %s)/%s)*%s', btrim(args[1]), secs, secs);
			IF m[1] IS NOT NULL THEN
				expr := expr || ' AS "time"';
			END IF;
			q := regexp_replace(q, '\$__timeGroup(Alias)?\(([^)]*)\)', replace(expr, '\', '\\'));
		END LOOP;
		q := regexp_replace(q, '\$__timeFilter\(\s*([^)]*?)\s*\)',
			'\1 BETWEEN ' || quote_literal(t_from) || ' AND ' || quote_literal(t_to), 'g');
		q := regexp_replace(q, '\$__timeFrom\(\s*\)', quote_literal(t_from), 'g');
		q := regexp_replace(q, '\$__timeTo\(\s*\)', quote_literal(t_to), 'g');
		q := regexp_replace(q, '\$__time\(\s*([^)]*?)\s*\)', '\1 AS "time"', 'g');
		q := regexp_replace(q, '\$__timeEpoch\(\s*([^)]*?)\s*\)', 'extract(epoch from \1) as "time"', 'g');
		RETURN regexp_replace(q, ';\s*$', '');
	END
	$f$;

	CREATE FUNCTION pg_temp.first_value_of(q text) RETURNS text LANGUAGE plpgsql AS $f$
	DECLARE
		v text;
	BEGIN
		EXECUTE format('SELECT (SELECT value FROM json_each_text(row_to_json(v)) LIMIT 1) FROM (%s) v LIMIT 1', q)
			INTO v;
		RETURN v;
	END
	$f$;

	-- Variables, in order (a later one may use an earlier one's value).
	CREATE TEMP TABLE vars (n int, name text, value text);
	SELECT format('INSERT INTO vars SELECT %s, %L, %s', n, var->>'name',
		CASE var->>'type'
			WHEN 'query' THEN format('pg_temp.first_value_of(pg_temp.grafana_sql(%L, %L, %L, '
				'(SELECT coalesce(jsonb_object_agg(name, value), ''{}'') FROM vars)))',
				coalesce(var->'query'->>'rawSql', var->>'query'), :'t_from', :'t_to')
			WHEN 'custom' THEN quote_literal(btrim(split_part(var->>'query', ',', 1)))
			ELSE quote_literal(coalesce(var->'current'->>'value', var->>'query', '')) END)
	FROM jsonb_array_elements(coalesce(:'j'::jsonb->'templating'->'list', '[]')) WITH ORDINALITY AS t(var, n)
	ORDER BY n
	\gexec

	WITH panel AS (
		SELECT p FROM jsonb_path_query(:'j'::jsonb, '$.panels[*]') AS p
		UNION ALL
		SELECT p FROM jsonb_path_query(:'j'::jsonb, '$.panels[*].panels[*]') AS p
	), target AS (
		SELECT p, t, count(*) OVER (PARTITION BY p->'id') AS targets
		FROM panel, jsonb_array_elements(coalesce(p->'targets', '[]')) AS t
		WHERE p->>'type' NOT IN ('row', 'text', 'news', 'dashlist')
	)
	SELECT p->>'id',
		p->>'title' || CASE WHEN targets > 1 THEN ' (' || (t->>'refId') || ')' ELSE '' END,
		p->>'type', coalesce(t->>'format', 'time_series'),
		(SELECT coalesce(string_agg(DISTINCT c, ',' ORDER BY c), '') FROM (
			SELECT 'time' AS c WHERE coalesce(t->>'format', 'time_series') = 'time_series'
			UNION SELECT p->'options'->>'xField'
			UNION SELECT jsonb_path_query(p, '$.options.layers[*] ? (@.location.mode == "coords").location.latitude') #>> '{}'
			UNION SELECT jsonb_path_query(p, '$.options.layers[*] ? (@.location.mode == "coords").location.longitude') #>> '{}'
			UNION SELECT jsonb_path_query(p, '$.options.layers[*].config.style.*.field') #>> '{}'
			UNION SELECT jsonb_path_query(p, '$.fieldConfig.overrides[*].matcher ? (@.id == "byName").options') #>> '{}'
			UNION SELECT jsonb_object_keys(jsonb_path_query(p, '$.transformations[*] ? (@.id == "organize").options.indexByName'))
			UNION SELECT jsonb_object_keys(jsonb_path_query(p, '$.transformations[*] ? (@.id == "organize").options.renameByName'))
		) cols WHERE c IS NOT NULL AND c <> ''),
		translate(encode(convert_to(pg_temp.grafana_sql(t->>'rawSql', :'t_from', :'t_to',
			(SELECT coalesce(jsonb_object_agg(name, value), '{}') FROM vars)), 'UTF8'), 'base64'), E'\n', '')
	FROM target
	ORDER BY (p->'gridPos'->>'y')::int, (p->'gridPos'->>'x')::int, (p->>'id')::int, t->>'refId';
	SQL
}

# dash_json FILE SQL: runs SQL (as the test's superuser) with the
# dashboard's JSON in psql variable j.
dash_json() {
	printf '%s\n' "\\set j \`cat :'file'\`" "$2" | psql -qAtX -v ON_ERROR_STOP=1 -d postgres -v file="$1"
}

# check_panel DASHBOARD ID TITLE TYPE FORMAT COLUMNS SQL: one TAP line.
check_panel() {
	local dash=$1 id=$2 title=$3 type=$4 format=$5 need=$6 sql=$7 out problems=() c
	local cols rows nonnull foreign needed
	out=$(as_reader -qAt 2>&1 <<-SQL
	SET statement_timeout = '20s';
	CREATE TEMP VIEW panel AS
	$sql
	;
	SELECT coalesce(string_agg(attname || ':' || format_type(atttypid, atttypmod), ',' ORDER BY attnum), '')
	FROM pg_attribute WHERE attrelid = 'panel'::regclass AND attnum > 0;
	SELECT count(*) FROM panel;
	SELECT format('SELECT count(*) FROM panel WHERE %s',
		coalesce(string_agg(format('%I IS NOT NULL', attname), ' OR '), 'false'))
	FROM pg_attribute
	WHERE attrelid = 'panel'::regclass AND attnum > 0
		AND atttypid IN ('int2'::regtype, 'int4'::regtype, 'int8'::regtype, 'numeric'::regtype,
			'float4'::regtype, 'float8'::regtype)
		AND attname <> 'time'
	\gexec
	CREATE FUNCTION pg_temp.plan() RETURNS jsonb LANGUAGE plpgsql AS \$f\$
	DECLARE
		p jsonb;
	BEGIN
		EXECUTE 'EXPLAIN (VERBOSE, FORMAT JSON) SELECT * FROM panel' INTO p;
		RETURN p;
	END
	\$f\$;
	SELECT coalesce(string_agg(DISTINCT s #>> '{}', ','), '')
	FROM jsonb_path_query(pg_temp.plan(), 'strict \$.**."Schema"') AS s
	WHERE s #>> '{}' <> 'jobstream';
	SQL
	)
	if [ $? -ne 0 ]; then
		problems+=("the query fails: $(echo "$out" | grep -m1 -E 'ERROR|FATAL')")
	else
		{ read -r cols; read -r rows; read -r nonnull; read -r foreign; } <<<"$out"
		[ "${rows:-0}" -ge 1 ] || problems+=("no rows")
		[ "$type" = table ] || [ "${nonnull:-0}" -ge 1 ] || problems+=("no non-null number to show")
		[ -z "$foreign" ] || problems+=("reads relations in schema $foreign, not only jobstream")
		IFS=, read -ra needed <<<"$need"
		for c in "${needed[@]}"; do
			[[ ",$cols," == *",$c:"* ]] || problems+=("no column \"$c\"")
		done
		case $type in
		timeseries)
			[[ ",$cols," =~ ,time:(timestamp|date|bigint|integer|numeric|double) ]] ||
				problems+=("no time column of a time type") ;;
		geomap)
			[[ ",$cols," == *",latitude:double precision,"* || ",$cols," == *",latitude:numeric"* ]] &&
			[[ ",$cols," == *",longitude:double precision,"* || ",$cols," == *",longitude:numeric"* ]] ||
				problems+=("latitude / longitude are not numbers") ;;
		esac
	fi
	JS_TAP_N=$((JS_TAP_N + 1))
	if [ ${#problems[@]} -eq 0 ]; then
		echo "ok $JS_TAP_N - $dash / $title ($type, $rows rows)"
	else
		echo "not ok $JS_TAP_N - $dash / $title ($type)"
		JS_TAP_FAILED=$((JS_TAP_FAILED + 1))
		for c in "${problems[@]}"; do echo "#   $c"; done
		echo "#   columns: ${cols:-?}"
		echo "$sql" | sed 's/^/#   | /'
	fi
}

# The image's init script, run the way the postgres image runs it, on a
# database of its own: it must succeed, and its logins must read the views
# and not the raw tables.  The sources point at a port where no broker is.
init_db=js_dashboards_init
init_user=js_init_grafana
check_initdb() {
	local out
	dropdb --if-exists --force "$init_db" >/dev/null 2>&1
	createdb "$init_db" || return 1
	out=$(POSTGRES_USER=${PGUSER:-postgres} POSTGRES_DB=$init_db KAFKA_BROKERS=127.0.0.1:9 \
		JOBSTREAM_GROUP_ID=js_dashboards_test GRAFANA_DB_USER=$init_user GRAFANA_DB_PASSWORD=x \
		METABASE_DB_USER=js_init_metabase METABASE_DB_PASSWORD=x bash docker/initdb/10_jobstream.sh 2>&1) ||
		{ echo "$out"; return 1; }
	PGUSER=$init_user psql -qAtX -d "$init_db" -c 'SELECT count(*) FROM market_kpis' >/dev/null ||
		{ echo "the Grafana login cannot read jobstream.market_kpis"; return 1; }
	PGUSER=$init_user psql -qAtX -d "$init_db" -c 'SELECT 1 FROM jobstream.job_posts' >/dev/null 2>&1 &&
		{ echo "the Grafana login can read jobstream.job_posts"; return 1; }
	[ "$(psql -qAtX -d "$init_db" -c "SELECT count(*) >= 4 FROM pg_inherits
		WHERE inhparent = 'jobstream.tracking_events'::regclass")" = t ] ||
		{ echo "tracking partitions were not created"; return 1; }
	return 0
}

# --- the tests -------------------------------------------------------------------
compose_out=$(docker-compose -f "$compose" config 2>&1)
compose_rc=$?

load_out=$(load_data 2>&1)
load_rc=$?
[ $load_rc -eq 0 ] &&
	psql -qX -d "$db" -c "CREATE ROLE $reader LOGIN IN ROLE jobstream_reader" >/dev/null

# Extract every dashboard first: the plan counts the panels.
declare -a titles=() extract_rc=()
panels=0
for i in "${!dashboards[@]}"; do
	f=${dashboards[$i]}
	titles[$i]=$(dash_json "$f" "SELECT :'j'::jsonb->>'title';" 2>/dev/null)
	if [ $load_rc -eq 0 ]; then
		extract "$f" >"$work/$i.tsv" 2>"$work/$i.err"
		extract_rc[$i]=$?
	else
		: >"$work/$i.tsv"
		extract_rc[$i]=1
	fi
	panels=$((panels + $(grep -c . "$work/$i.tsv")))
done

js_plan $((6 + 2 * ${#dashboards[@]} + panels))

js_ok $compose_rc "docker-compose accepts $compose"
[ $compose_rc -eq 0 ] || echo "$compose_out" | sed 's/^/#   /'

# The producer service's command is one jobstream-gen accepts: run it with
# --stdout instead of the broker, for a few messages.
mapfile -t producer < <(echo "$compose_out" | awk '
	/^  producer:/ { p = 1; next }
	/^  [a-z]/ { p = 0 }
	p && /^    command:/ { c = 1; next }
	c && /^    - / { sub(/^    - /, ""); gsub(/\047/, ""); print; next }
	c { c = 0 }')
args=()
for ((k = 1; k < ${#producer[@]}; k++)); do
	case ${producer[$k]} in
	--brokers) k=$((k + 1)) ;;
	*) args+=("${producer[$k]}") ;;
	esac
done
[ "${producer[0]:-}" = jobstream-gen ] &&
	"$JS_PGBIN/jobstream-gen" "${args[@]}" --stdout --count 20 --quiet 2>"$work/gen.err" | grep -c . | grep -qx 20
js_ok $? "the producer service's jobstream-gen options are valid"
[ -s "$work/gen.err" ] && sed 's/^/#   /' "$work/gen.err"

# The stack publishes applications: the matcher produces to the
# job_applications topic of the compose broker (a topic kafka-init creates).
produce_opts=$(echo "$compose_out" | awk '/^  postgres:/ { p = 1; next } /^  [a-z]/ { p = 0 } p' |
	grep -oE 'jobstream\.match_produce_(brokers|topic)=[^ ]*' | sort | tr '\n' ' ')
[ "$produce_opts" = "jobstream.match_produce_brokers=kafka:9092 jobstream.match_produce_topic=job_applications " ] &&
	echo "$compose_out" | grep -q 'for t in .*job_applications'
produce_rc=$?
js_ok $produce_rc "the postgres service's matcher publishes applications to the job_applications topic"
[ $produce_rc -eq 0 ] || echo "#   got: $produce_opts"

# Grafana finds the data source the panels name and the dashboards where
# the provider looks for them.
provider_path=$(sed -n 's/^ *path: *//p' docker/grafana/provisioning/dashboards/dashboards.yml)
grep -q '^ *uid: jobstream *$' docker/grafana/provisioning/datasources/jobstream.yml &&
	grep -q '^ *type: grafana-postgresql-datasource *$' docker/grafana/provisioning/datasources/jobstream.yml &&
	echo "$compose_out" | grep -q "docker/grafana/dashboards:$provider_path:ro" &&
	echo "$compose_out" | grep -q "docker/grafana/provisioning:/etc/grafana/provisioning:ro"
js_ok $? "Grafana's provisioning: data source uid jobstream, dashboards mounted at the provider's path"

init_out=$(check_initdb 2>&1)
js_ok $? "docker/initdb/10_jobstream.sh sets up a database whose BI logins read only the views"
[ -z "$init_out" ] || echo "$init_out" | sed 's/^/#   /'
dropdb --force "$init_db" >/dev/null 2>&1
for r in $init_user js_init_metabase; do psql -qX -d postgres -c "DROP ROLE IF EXISTS $r" >/dev/null 2>&1; done
js_ok $load_rc "a data set loads and the views refresh"
[ $load_rc -eq 0 ] || echo "$load_out" | sed 's/^/#   /'

for i in "${!dashboards[@]}"; do
	f=${dashboards[$i]}
	js_ok ${extract_rc[$i]} "$f: panels and variables read (as $reader)"
	[ "${extract_rc[$i]}" -eq 0 ] || sed 's/^/#   /' "$work/$i.err"
	# Grafana's provisioning needs these; the panels need the 5 s refresh.
	js_is "$(dash_json "$f" "SELECT concat_ws(',', :'j'::jsonb->>'refresh', (:'j'::jsonb->>'uid') IS NOT NULL,
			(SELECT bool_and(t->'datasource'->>'uid' = 'jobstream')
			FROM jsonb_path_query(:'j'::jsonb, '\$.panels[*].targets[*]') t));" 2>&1)" "5s,t,t" \
		"$f: refreshes every 5 s, has a uid, and every query uses the jobstream data source"
	while IFS=$'\x1f' read -r id title type format need sql64; do
		check_panel "${titles[$i]}" "$id" "$title" "$type" "$format" "$need" "$(echo "$sql64" | base64 -d)"
	done <"$work/$i.tsv"
done

dropdb "$db" >/dev/null 2>&1
psql -qX -d postgres -c "DROP ROLE IF EXISTS $reader" >/dev/null 2>&1
[ $JS_TAP_FAILED -eq 0 ]
