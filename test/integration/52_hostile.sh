#!/bin/bash
# Hostile input end to end, through a Kafka-protocol broker (TAP).
#
# Runs its own PostgreSQL cluster and jobstream-devbroker (64 partitions per
# topic) and attacks the guarantee that no message can stall a source,
# lose or double a good message, or push a worker's memory without bound:
#   1. a corpus per topic mixing good messages with every kind of bad one:
#      each capped field one byte over its cap (ASCII and multi-byte; the
#      list comes from jobstream.contract_fields(), so new fields are
#      covered), arrays over their caps (and of 5,000 elements), a 9 KB
#      location_country, payloads of exactly jobstream.max_message_bytes
#      and one byte more, every bounded number just outside its bounds and
#      every required field missing or null (from the contract), an unknown
#      value for every foreign key (from the catalog), the cross-field
#      CHECKs, invalid UTF-8, deep JSON, broken JSON; a check asserts that
#      these attack every CHECK constraint and NOT NULL column.  Good
#      messages at the caps (every capped field full at once, also in
#      multi-byte characters) must land: no rollup key can outgrow an
#      index.  Asserted: every good message lands exactly once (count and
#      identity), every bad one is exactly one dead letter whose reason
#      names the field and cap or carries PostgreSQL's message, every
#      source's lag returns to 0.
#   2. a batch of 10,000 posts with an unknown job_category (on a topic of
#      their own) is dead-lettered (its time is printed, not asserted); a
#      second application of a candidate to a post is a dead letter; a
#      re-sent tracking event is stored once and is no dead letter.
#   3. 2,000 job posts of ~1 MB each (half good with a 1 MB unknown key,
#      half with a 1 MB description over its cap), produced in steps so the
#      devbroker's bounded partitions keep them: all are accounted for, the
#      dead letters keep a prefix of the payload with its length and
#      SHA-256, and the worker's peak resident memory (VmHWM) stays below
#      300 MB.
set -uo pipefail
cd "$(dirname "$0")/../.."
. test/lib.sh
. test/tap.sh
. test/lib_ingest.sh

js_integration_setup hostile
PARTITIONS=64
BIG_N=2000					# messages of ~1 MB in part 3
BIG_LIMIT_KB=$((300 * 1024))	# the worker's peak resident memory must stay below
UNKNOWN_N=10000

js_plan 27

cleanup() {
	js_broker_stop
	js_cluster_stop "$DIR/pg" immediate
}
trap cleanup EXIT

js_broker_start "$DIR/broker" $PARTITIONS job_posts,candidate_info,job_applications,tracking_events,unknown_posts,big_posts
js_cluster_start "$DIR/pg" "$(js_free_port)" "jobstream.database = 'jobstream_test'
jobstream.max_message_bytes = '2MB'
jobstream.batch_time = '100ms'
jobstream.batch_bytes = '32MB'
shared_buffers = '32MB'"
js_extension_db jobstream_test

# spread TOPIC [kcat options]: stdin lines "key TAB value" to TOPIC,
# message i to partition i mod 64 (an exact spread: the devbroker keeps only
# the last 5 MiB of each partition)
spread() {
	local topic=$1
	shift
	produce "$topic" -R -K $'\t' -X message.max.bytes=10000000 "$@"
}

# diag SQL: each row of SQL as a TAP comment
diag() { js_sql "$1" | sed 's/^/#   /'; }

###########################################################################
# The corpus: hostile.msgs holds every message with its key, its payload,
# whether it must land, and for a bad one a regular expression its dead
# letter's reason must match.
###########################################################################
js_sql "$(cat <<'SQL'
CREATE SCHEMA hostile;
CREATE TABLE hostile.msgs (
	n serial PRIMARY KEY,
	phase int NOT NULL DEFAULT 1,
	topic text NOT NULL,
	id uuid NOT NULL UNIQUE,		-- the Kafka key and the row's key
	payload bytea,
	good boolean NOT NULL,
	reason text,				-- regex the dead letter's error must match
	what text NOT NULL
);

-- The id of message i of topic t.
CREATE FUNCTION hostile.id(t text, i int) RETURNS uuid LANGUAGE sql IMMUTABLE
RETURN md5(t || ':' || i)::uuid;

-- A good message of topic t, number i.
CREATE FUNCTION hostile.base(t text, i int) RETURNS jsonb LANGUAGE sql STABLE RETURN
CASE t
WHEN 'job_posts' THEN jsonb_build_object('post_id', hostile.id(t, i), 'company', 'Company ' || i,
	'job_title', 'Engineer ' || i, 'job_category', (SELECT min(family) FROM jobstream.job_families),
	'location_country', 'Germany', 'location_city', 'Berlin', 'required_skills', ARRAY['SQL', 'C'],
	'salary_min', 1000, 'salary_max', 2000, 'experience_level', (SELECT min(level) FROM jobstream.seniority_levels),
	'employment_type', (SELECT min(employment_type) FROM jobstream.employment_types),
	'work_mode', (SELECT min(work_mode) FROM jobstream.work_modes),
	'platform', (SELECT min(platform) FROM jobstream.platforms),
	'posted_date', '2024-03-01', 'deadline_date', '2024-04-01')
WHEN 'candidate_info' THEN jsonb_build_object('candidate_id', hostile.id(t, i), 'full_name', 'Name ' || i,
	'gender', 'Female', 'birth_year', 1990, 'graduation_year', 2012, 'gpa', 3.5,
	'education_level', (SELECT min(education_level) FROM jobstream.education_levels),
	'job_category', (SELECT min(family) FROM jobstream.job_families),
	'experience_level', (SELECT min(level) FROM jobstream.seniority_levels),
	'skills', ARRAY['SQL'], 'location_country', 'France', 'years_experience', 5,
	'current_salary', 1000, 'expected_salary', 2000)
WHEN 'job_applications' THEN jsonb_build_object('application_id', hostile.id(t, i),
	'candidate_id', md5('cand' || i)::uuid, 'post_id', md5('post' || i)::uuid,
	'status', (SELECT min(status) FROM jobstream.application_statuses), 'compatibility_score', 50,
	'applied_at', '2024-03-02T10:00:00Z')
WHEN 'tracking_events' THEN jsonb_build_object('event_id', hostile.id(t, i),
	'ts', to_char(timestamptz '2024-03-01 00:00Z' + i * interval '1 s', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
	'post_id', md5('post' || i)::uuid, 'company_id', 1, 'campaign_id', 2, 'group_id', 3,
	'publisher_id', 4, 'custom_track', 'click', 'bid', 0.5)
END;

-- Message i of topic t with field f set to the raw JSON text v (NULL: left
-- out); extra is raw JSON text "key": value appended.
CREATE FUNCTION hostile.msg(t text, i int, f text, v text, extra text DEFAULT NULL) RETURNS bytea
LANGUAGE sql STABLE RETURN convert_to(
	rtrim((hostile.base(t, i) - coalesce(f, ''))::text, '}')
	|| CASE WHEN v IS NULL THEN '' ELSE format(', %s: %s', to_json(f), v) END
	|| CASE WHEN extra IS NULL THEN '' ELSE ', ' || extra END || '}', 'UTF8');

-- A string of n bytes: 'x's ending in tail.
CREATE FUNCTION hostile.text_of(n int, tail text DEFAULT '') RETURNS text LANGUAGE sql IMMUTABLE
RETURN repeat('x', n - octet_length(tail)) || tail;

-- A JSON array of n distinct strings of len bytes (the last ends in tail).
CREATE FUNCTION hostile.array_of(n int, len int, tail text DEFAULT '') RETURNS text LANGUAGE sql IMMUTABLE
RETURN (SELECT json_agg(CASE WHEN k = n THEN repeat('x', len - octet_length(tail) - length(k::text)) || k || tail
	ELSE repeat('y', len - length(k::text)) || k END ORDER BY k)::text FROM generate_series(1, n) k);

-- Numbers of the bad messages: each has a key of its own in its payload
-- too (of two messages with one key in a batch only the last is stored).
CREATE SEQUENCE hostile.i START 1000;
CREATE FUNCTION hostile.next() RETURNS int LANGUAGE sql RETURN nextval('hostile.i');

-- Adds a message; a good one's Kafka key is its row's key, a bad one's a
-- new UUID.
CREATE FUNCTION hostile.add(t text, payload bytea, good boolean, reason text, what text)
RETURNS void LANGUAGE sql AS $$
	INSERT INTO hostile.msgs (topic, id, payload, good, reason, what)
	VALUES (t, CASE WHEN good THEN (convert_from(payload, 'UTF8')::jsonb ->> CASE t WHEN 'job_posts' THEN 'post_id'
			WHEN 'candidate_info' THEN 'candidate_id' WHEN 'job_applications' THEN 'application_id' ELSE 'event_id' END)::uuid
		ELSE gen_random_uuid() END, payload, good, reason, what)
$$;
SQL
)" >/dev/null || js_die "could not create the corpus schema"

# Good and bad messages of every topic.
js_sql "$(cat <<'SQL'
DO $$
DECLARE
	t text;
	i int;
	f record;
	c record;
	cap_re text;
	pad int;
	m bytea;
BEGIN
	FOR t IN SELECT DISTINCT topic FROM jobstream.contract_fields() LOOP
		-- 150 plain good messages
		FOR i IN 1..150 LOOP
			PERFORM hostile.add(t, hostile.msg(t, i, NULL, NULL), true, NULL, 'good');
		END LOOP;

		-- every capped field at its cap at once, in ASCII, then in 2-byte
		-- characters (fields with allowed values or a foreign key keep
		-- theirs: no value that long is allowed)
		FOR c IN SELECT * FROM (VALUES (151, ''), (152, 'é')) v(i, ch) LOOP
			SELECT convert_to((hostile.base(t, c.i) || jsonb_object_agg(field,
				CASE WHEN max_elements IS NULL
					THEN to_jsonb(CASE WHEN c.ch = '' THEN hostile.text_of(max_bytes) ELSE repeat(c.ch, max_bytes / 2) END)
					ELSE hostile.array_of(max_elements, max_bytes, c.ch)::jsonb END))::text, 'UTF8')
			INTO m
			FROM jobstream.contract_fields() cf
			WHERE cf.topic = t AND cf.cap IS NOT NULL AND cf.allowed IS NULL
			  AND NOT EXISTS (SELECT FROM pg_constraint k JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = ANY (k.conkey)
				WHERE k.contype = 'f' AND k.conrelid = ('jobstream.' || cf.target)::regclass AND a.attname = cf.field);
			IF m IS NOT NULL THEN
				PERFORM hostile.add(t, m, true, NULL, 'every capped field at its cap' || CASE WHEN c.ch <> '' THEN ' in 2-byte characters' ELSE '' END);
			END IF;
		END LOOP;

		-- payloads of exactly max_message_bytes (good: the rest is an
		-- unknown key) and one byte more
		FOR c IN SELECT v.i, pg_size_bytes(current_setting('jobstream.max_message_bytes')) + v.over AS size, v.over = 0 AS good
			FROM (VALUES (153, 0), (154, 1)) v(i, over) LOOP
			pad := c.size - octet_length(hostile.msg(t, c.i, NULL, NULL, '"padding": ""'));
			PERFORM hostile.add(t, hostile.msg(t, c.i, NULL, NULL, format('"padding": "%s"', repeat('p', pad))),
				c.good, 'max_message_bytes', format('a payload of %s bytes', c.size));
		END LOOP;

		-- nesting: 60 levels in an unknown key are fine, 100,000 are not
		PERFORM hostile.add(t, hostile.msg(t, 155, NULL, NULL, '"deep": ' || repeat('[', 59) || repeat(']', 59)), true, NULL, 'JSON nested 60 deep');
		PERFORM hostile.add(t, hostile.msg(t, 156, NULL, NULL, '"deep": ' || repeat('[', 100000) || repeat(']', 100000)),
			false, 'nested deeper than', 'JSON nested 100,000 deep');

		-- every capped field one byte over its cap: ASCII, and a 2-byte
		-- character across the cap; arrays one element over, 5,000
		-- elements, and an element one byte over
		FOR f IN SELECT * FROM jobstream.contract_fields() WHERE topic = t AND cap IS NOT NULL LOOP
			IF f.max_elements IS NULL THEN
				cap_re := format('field "%s" is %s bytes, longer than its cap of %s', f.field, f.max_bytes + 1, f.max_bytes);
				PERFORM hostile.add(t, hostile.msg(t, hostile.next(), f.field, to_json(hostile.text_of(f.max_bytes + 1))::text), false, cap_re, f.field || ' one byte over its cap');
				PERFORM hostile.add(t, hostile.msg(t, hostile.next(), f.field, to_json(hostile.text_of(f.max_bytes + 1, 'é'))::text), false, cap_re, f.field || ' over its cap by half an é');
			ELSE
				PERFORM hostile.add(t, hostile.msg(t, hostile.next(), f.field, hostile.array_of(f.max_elements + 1, 4)), false,
					format('array "%s" has %s elements, more than its cap of %s', f.field, f.max_elements + 1, f.max_elements),
					f.field || ' one element over its cap');
				PERFORM hostile.add(t, hostile.msg(t, hostile.next(), f.field, hostile.array_of(5000, 4)), false,
					format('array "%s" has 5000 elements, more than its cap of %s', f.field, f.max_elements),
					f.field || ' with 5,000 elements');
				PERFORM hostile.add(t, hostile.msg(t, hostile.next(), f.field, to_json(ARRAY[hostile.text_of(f.max_bytes),
					hostile.text_of(f.max_bytes, 'é'), hostile.text_of(f.max_bytes + 1, 'é')])::text), false,
					format('element 3 of array "%s" is %s bytes, longer than its cap of %s', f.field, f.max_bytes + 1, f.max_bytes),
					f.field || ' with an element one byte over its cap');
			END IF;
		END LOOP;

		-- every bounded number just below and just above its bounds
		FOR f IN SELECT * FROM jobstream.contract_fields() WHERE topic = t AND max_value IS NOT NULL LOOP
			PERFORM hostile.add(t, hostile.msg(t, hostile.next(), f.field, v.val::text), false,
				format('field "%s".*out of range', f.field), format('%s = %s', f.field, v.val))
			FROM (VALUES (f.min_value - 1 / 10 ^ scale(f.min_value)), (f.max_value + 1 / 10 ^ scale(f.max_value))) v(val);
		END LOOP;

		-- every required field missing, and null
		FOR f IN SELECT * FROM jobstream.contract_fields() WHERE topic = t AND required LOOP
			PERFORM hostile.add(t, hostile.msg(t, hostile.next(), f.field, NULL), false,
				format('missing required field "%s"', f.field), 'no ' || f.field);
			PERFORM hostile.add(t, hostile.msg(t, hostile.next(), f.field, 'null'), false,
				format('required field "%s" is null', f.field), 'a null ' || f.field);
		END LOOP;

		-- an unknown value for every foreign key of the table
		FOR f IN SELECT cf.field FROM jobstream.contract_fields() cf
			JOIN pg_constraint k ON k.conrelid = ('jobstream.' || cf.target)::regclass AND k.contype = 'f'
			JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = ANY (k.conkey) AND a.attname = cf.field
			WHERE cf.topic = t
		LOOP
			PERFORM hostile.add(t, hostile.msg(t, hostile.next(), f.field, '"No such ' || f.field || '"'), false,
				format('%1$s.*(foreign key|not present|unknown)|(foreign key|not present|unknown).*%1$s', f.field),
				'an unknown ' || f.field);
		END LOOP;

		-- broken bytes and broken JSON
		PERFORM hostile.add(t, substring(x.m FROM 1 FOR octet_length(x.m) - 3) || b.bad || convert_to('"}', 'UTF8'),
			false, 'utf-8', 'invalid UTF-8 (' || b.what || ')')
		FROM (SELECT hostile.msg(t, hostile.next(), NULL, NULL, '"note": "!"') AS m) x,
			(VALUES ('\xff'::bytea, 'a 0xff byte'), ('\xc0af', 'an overlong /'), ('\xeda080', 'a surrogate'),
				('\xf4908080', 'above U+10FFFF'), ('\xe282', 'a truncated €')) b(bad, what);
		PERFORM hostile.add(t, convert_to('{"a": 1', 'UTF8'), false, 'json', 'truncated JSON');
		PERFORM hostile.add(t, convert_to('[1, 2]', 'UTF8'), false, 'json object', 'an array instead of an object');
		PERFORM hostile.add(t, convert_to('"just a string"', 'UTF8'), false, 'json object', 'a string instead of an object');
		PERFORM hostile.add(t, convert_to(rtrim(hostile.base(t, hostile.next())::text, '}') || ', ' || substring(hostile.base(t, hostile.next())::text FROM 2), 'UTF8'),
			false, 'duplicate field', 'every field twice');
		PERFORM hostile.add(t, convert_to(substring(hostile.base(t, hostile.next())::text FROM 1 FOR 40), 'UTF8'), false, 'json', 'a message cut short');
	END LOOP;

	-- the 9 KB location_country of the original report
	PERFORM hostile.add('job_posts', hostile.msg('job_posts', hostile.next(), 'location_country', to_json(hostile.text_of(9000))::text), false,
		'field "location_country" is 9000 bytes, longer than its cap of 200', 'a 9 KB location_country');
	PERFORM hostile.add('candidate_info', hostile.msg('candidate_info', hostile.next(), 'location_country', to_json(hostile.text_of(9000))::text), false,
		'field "location_country" is 9000 bytes, longer than its cap of 200', 'a 9 KB location_country');
	-- an empty message, and a tombstone on the append-only topic
	PERFORM hostile.add('job_posts', ''::bytea, false, 'empty', 'an empty message');
	PERFORM hostile.add('tracking_events', NULL, false, 'tombstone', 'a tombstone on an append-only topic');

	-- the CHECK and NOT NULL constraints of every table (sql/0.1/20_core.sql)
	PERFORM hostile.add(v.t, hostile.msg(v.t, hostile.next(), v.f, v.val), false, v.f, v.what)
	FROM (VALUES
		('job_posts', 'company', '""', 'an empty company'),
		('job_posts', 'job_title', '""', 'an empty job_title'),
		('job_posts', 'post_id', '"not-a-uuid"', 'a post_id that is no UUID'),
		('job_posts', 'salary_min', '999999', 'salary_min above salary_max'),
		('job_posts', 'deadline_date', '"2024-01-01"', 'a deadline before the posted date'),
		('job_posts', 'posted_date', '"2024-02-30"', 'an impossible date'),
		('candidate_info', 'full_name', '""', 'an empty full_name'),
		('candidate_info', 'gender', '"Robot"', 'an unknown gender'),
		('candidate_info', 'graduation_year', '1995', 'graduation before the age of 14'),
		('job_applications', 'applied_at', '"2024-03-02T10:00:00"', 'an applied_at without zone'),
		('tracking_events', 'custom_track', '"view"', 'an unknown custom_track'),
		('tracking_events', 'bid', '1e400', 'a bid of 1e400'),
		('tracking_events', 'company_id', '2147483648', 'a company_id beyond integer'),
		('tracking_events', 'publisher_id', '1.5', 'a fractional publisher_id'),
		('tracking_events', 'ts', '"2024-03-01 10:00"', 'a ts without zone'),
		('tracking_events', 'ts', '"10000-01-01T00:00:00Z"', 'a ts after year 9999')
	) v(t, f, val, what);
END
$$;
SQL
)" >/dev/null || js_die "could not build the corpus"
diag "SELECT format('corpus: %s good and %s bad messages over %s topics', count(*) FILTER (WHERE good), count(*) FILTER (WHERE NOT good), count(DISTINCT topic)) FROM hostile.msgs"

# Every CHECK constraint of the four tables and every NOT NULL column of
# the contract is attacked by a bad message whose reason names its column.
constraints="SELECT t.topic, c.conname AS what, array_agg(a.attname::text) AS cols
	FROM (SELECT DISTINCT topic, target FROM jobstream.contract_fields()) t
	JOIN pg_constraint c ON c.conrelid = ('jobstream.' || t.target)::regclass AND c.contype = 'c'
	JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = ANY (c.conkey)
	GROUP BY t.topic, c.conname
	UNION ALL
	SELECT f.topic, f.field || ' NOT NULL', ARRAY[f.field] FROM jobstream.contract_fields() f
	JOIN pg_attribute a ON a.attrelid = ('jobstream.' || f.target)::regclass AND a.attname = f.field AND a.attnotnull"
unattacked="SELECT k.topic || ': ' || k.what FROM ($constraints) k WHERE NOT EXISTS (SELECT FROM hostile.msgs m
	WHERE m.topic = k.topic AND NOT m.good AND EXISTS (SELECT FROM unnest(k.cols) col WHERE position(col IN m.reason) > 0))"
js_is "$(js_sql "SELECT count(*) FROM ($unattacked) u")/$(js_sql "SELECT count(*) > 40 FROM ($constraints) k")" "0/t" \
	"the corpus attacks every CHECK constraint and NOT NULL column of the four tables"
diag "$unattacked"

# lines "hex key TAB hex value" of phase P and topic T (spread -x)
lines() {
	js_sql "SELECT encode(convert_to(id::text, 'UTF8'), 'hex') || E'\t' || coalesce(encode(payload, 'hex'), '')
		FROM hostile.msgs WHERE phase = $1 AND topic = '$2' ORDER BY n"
}

###########################################################################
# 1. the corpus, every topic
###########################################################################
# (big_posts, for part 3, joins its group meanwhile)
for t in job_posts candidate_info job_applications tracking_events; do
	target=$(js_sql "SELECT DISTINCT target FROM jobstream.contract_fields() WHERE topic = '$t'")
	js_sql "SELECT jobstream.add_source('$t', '$target', '$JS_BROKERS')" >/dev/null
done
js_sql "SELECT jobstream.add_source('big_posts', 'job_posts', '$JS_BROKERS')" >/dev/null
wait_for "SELECT count(DISTINCT source_id) = 5 FROM jobstream.workers" 20 || js_log "the workers did not start"

rc=0
for t in job_posts candidate_info job_applications tracking_events; do
	z=
	[ "$t" = tracking_events ] && z=-Z
	lines 1 "$t" | spread "$t" -x $z || rc=1
done
js_ok $rc "produced the corpus to the four topics"

# Every message of the corpus is either a row or a dead letter.
landed="(SELECT m.* FROM hostile.msgs m WHERE m.phase = 1 AND (
	EXISTS (SELECT FROM jobstream.job_posts r WHERE m.topic = 'job_posts' AND r.post_id = m.id)
	OR EXISTS (SELECT FROM jobstream.candidates r WHERE m.topic = 'candidate_info' AND r.candidate_id = m.id)
	OR EXISTS (SELECT FROM jobstream.job_applications r WHERE m.topic = 'job_applications' AND r.application_id = m.id)
	OR EXISTS (SELECT FROM jobstream.tracking_events r WHERE m.topic = 'tracking_events' AND r.event_id = m.id)))"
dead="(SELECT m.*, d.dead_letter_id, d.error FROM hostile.msgs m JOIN jobstream.dead_letters d
	ON d.topic = m.topic AND d.key = convert_to(m.id::text, 'UTF8') WHERE m.phase = 1)"
start=$(date +%s%N)
wait_for "SELECT (SELECT count(*) FROM $landed x) + (SELECT count(*) FROM $dead y) >= (SELECT count(*) FROM hostile.msgs WHERE phase = 1)" 60
js_ok $? "every message of the corpus is accounted for, as a row or a dead letter"
echo "# corpus stored in $(( ($(date +%s%N) - start) / 1000000 )) ms"

for t in job_posts candidate_info job_applications tracking_events; do
	js_is "$(js_sql "SELECT count(*) FILTER (WHERE good) || ' good, ' || count(*) FILTER (WHERE NOT good) || ' bad' FROM $landed x WHERE topic = '$t'")" \
		"$(js_sql "SELECT count(*) || ' good, 0 bad' FROM hostile.msgs WHERE phase = 1 AND topic = '$t' AND good")" \
		"$t: every good message landed, no bad one did"
done
js_is "$(js_sql "SELECT (SELECT count(*) FROM jobstream.job_posts) || ' ' || (SELECT count(*) FROM jobstream.candidates)
	|| ' ' || (SELECT count(*) FROM jobstream.job_applications) || ' ' || (SELECT count(*) FROM jobstream.tracking_events)")" \
	"$(js_sql "SELECT string_agg(count::text, ' ' ORDER BY o) FROM (SELECT array_position(ARRAY['job_posts','candidate_info','job_applications','tracking_events'], topic) o,
		count(*) FILTER (WHERE good) FROM hostile.msgs WHERE phase = 1 GROUP BY topic) x")" \
	"the tables hold the good messages and nothing else (rows per table)"
js_is "$(js_sql "SELECT count(*) FROM hostile.msgs m WHERE m.phase = 1 AND m.good AND m.topic = 'job_posts' AND NOT EXISTS (
	SELECT FROM jobstream.job_posts r WHERE r.post_id = m.id AND r.company = convert_from(m.payload, 'UTF8')::jsonb ->> 'company'
	AND r.location_country IS NOT DISTINCT FROM convert_from(m.payload, 'UTF8')::jsonb ->> 'location_country'
	AND r.required_skills = ARRAY(SELECT jsonb_array_elements_text(convert_from(m.payload, 'UTF8')::jsonb -> 'required_skills')))")" 0 \
	"job posts landed with their values (also at the caps, in multi-byte characters)"
js_is "$(js_sql "SELECT count(*) FROM jobstream.job_posts WHERE octet_length(location_city) = 200 AND octet_length(location_country) = 200")" 2 \
	"both posts with city and country at their caps landed (their rollup key joins the two)"
js_is "$(js_sql "SELECT count(*) FROM $dead y WHERE good")" 0 "no good message is a dead letter"
js_is "$(js_sql "SELECT count(*) || ' dead letters, ' || count(DISTINCT n) || ' messages' FROM $dead y")" \
	"$(js_sql "SELECT count(*) || ' dead letters, ' || count(*) || ' messages' FROM hostile.msgs WHERE phase = 1 AND NOT good")" \
	"every bad message is exactly one dead letter"
js_is "$(js_sql "SELECT count(*) FROM $dead y WHERE NOT good AND error !~* reason")" 0 \
	"every dead letter's reason names the field and its cap, or carries PostgreSQL's message"
diag "SELECT m.topic || ': ' || what || ' → ' || left(coalesce(error, '(no dead letter)'), 160) FROM hostile.msgs m
	LEFT JOIN jobstream.dead_letters d ON d.topic = m.topic AND d.key = convert_to(m.id::text, 'UTF8')
	WHERE m.phase = 1 AND NOT m.good AND (d.error IS NULL OR d.error !~* m.reason) ORDER BY n LIMIT 15"
wait_for "SELECT bool_and(lag = 0) FROM jobstream.source_stats WHERE lag IS NOT NULL" 20
js_ok $? "every source's lag returns to 0"
diag "SELECT topic || ' partition ' || partition || ': lag ' || lag || coalesce(', ' || last_error, '') FROM jobstream.source_stats WHERE lag > 0 LIMIT 5"
js_is "$(js_sql "SELECT count(*) FROM jobstream.workers WHERE last_error IS NOT NULL")" 0 "no worker reports an error"

###########################################################################
# 2. 10,000 unknown categories in one batch; a second application of a
#    candidate to a post; a re-sent tracking event
###########################################################################
js_sql "INSERT INTO hostile.msgs (phase, topic, id, payload, good, reason, what)
	SELECT 2, 'job_posts', gen_random_uuid(), hostile.msg('job_posts', hostile.next(), 'job_category', '\"Astrology ' || i || '\"'), false,
		'job_category.*(foreign key|not present|unknown)|(foreign key|not present|unknown).*job_category', 'an unknown category in a batch of $UNKNOWN_N'
	FROM generate_series(1, $UNKNOWN_N) i" >/dev/null
# the id is what links a message to its dead letter: put it in the payload too
js_sql "UPDATE hostile.msgs SET payload = convert_to((convert_from(payload, 'UTF8')::jsonb || jsonb_build_object('post_id', id))::text, 'UTF8') WHERE phase = 2" >/dev/null
# produced to a topic of their own before its source is added, so that the
# worker finds them all waiting and takes them in one batch
lines 2 job_posts | spread unknown_posts -x
js_ok $? "produced $UNKNOWN_N job posts with unknown categories"
start=$(date +%s%N)
js_sql "SELECT jobstream.add_source('unknown_posts', 'job_posts', '$JS_BROKERS')" >/dev/null
wait_for "SELECT count(*) >= $UNKNOWN_N FROM jobstream.dead_letters d JOIN hostile.msgs m ON d.key = convert_to(m.id::text, 'UTF8') WHERE m.phase = 2" 60
js_ok $? "all $UNKNOWN_N are dead letters"
echo "# $UNKNOWN_N posts with an unknown job_category dead-lettered in $(( ($(date +%s%N) - start) / 1000000 )) ms from add_source (worker start and group join included), in $(js_sql "SELECT count(DISTINCT received_at) FROM jobstream.dead_letters d JOIN hostile.msgs m ON d.key = convert_to(m.id::text, 'UTF8') WHERE m.phase = 2") batch(es); the last batch took $(js_sql "SELECT last_batch_ms FROM jobstream.workers WHERE topic = 'unknown_posts'") ms"
js_is "$(js_sql "SELECT count(*) FILTER (WHERE d.error ~* m.reason) || '/' || count(*) FROM jobstream.dead_letters d JOIN hostile.msgs m ON d.key = convert_to(m.id::text, 'UTF8') WHERE m.phase = 2")" \
	"$UNKNOWN_N/$UNKNOWN_N" "each names job_category and the foreign key"

# The same candidate applies again to the same post, under a new
# application_id; and a tracking event is sent a second time.
dup_app=$(js_sql "SELECT gen_random_uuid()")
js_sql "INSERT INTO hostile.msgs (phase, topic, id, payload, good, reason, what)
	SELECT 3, 'job_applications', '$dup_app', hostile.msg('job_applications', 1, 'application_id', '\"$dup_app\"'), false,
		'once_per_post|duplicate|unique', 'a second application to the same post'
	UNION ALL
	SELECT 3, 'tracking_events', hostile.id('tracking_events', 1), hostile.msg('tracking_events', 1, NULL, NULL), true, NULL, 'a re-sent event'
	ON CONFLICT (id) DO UPDATE SET phase = 3" >/dev/null
lines 3 job_applications | spread job_applications -x && lines 3 tracking_events | spread tracking_events -x
wait_for "SELECT EXISTS (SELECT FROM jobstream.dead_letters WHERE key = convert_to('$dup_app', 'UTF8'))" 20
js_is "$(js_sql "SELECT error ~* 'once_per_post|duplicate|unique' FROM jobstream.dead_letters WHERE key = convert_to('$dup_app', 'UTF8')")" t \
	"a second application of a candidate to a post is a dead letter naming the unique constraint"
wait_for "SELECT bool_and(lag = 0) FROM jobstream.source_stats WHERE topic = 'tracking_events' AND lag IS NOT NULL" 20
js_is "$(js_sql "SELECT count(*) FROM jobstream.tracking_events WHERE event_id = hostile.id('tracking_events', 1)")/$(js_sql "SELECT count(*) FROM jobstream.dead_letters WHERE key = convert_to(hostile.id('tracking_events', 1)::text, 'UTF8')")" \
	"1/0" "a re-sent tracking event is stored once and is no dead letter"

###########################################################################
# 3. 2,000 job posts of ~1 MB through one worker: bounded memory
###########################################################################
wait_for "SELECT count(*) = $PARTITIONS FROM jobstream.source_stats WHERE topic = 'big_posts' AND worker_pid IS NOT NULL" 30
pid=$(js_sql "SELECT pid FROM jobstream.workers WHERE topic = 'big_posts'")
head -c 1000000 /dev/zero | tr '\0' p >"$DIR/pad"
echo >>"$DIR/pad"
category=$(js_sql "SELECT min(family) FROM jobstream.job_families")
# big FROM N: lines "key TAB value" of big posts FROM .. FROM+N-1; even
# ones are good (a 1 MB unknown key), odd ones carry a 1 MB description,
# over its cap
big() {
	awk -v from="$1" -v n="$2" -v cat="$category" 'NR == 1 {
		for (i = from; i < from + n; i++) {
			id = sprintf("00000000-0000-4000-8000-%012d", i)
			printf "%s\t{\"post_id\":\"%s\",\"company\":\"Big\",\"job_title\":\"Big %d\",\"job_category\":\"%s\",\"%s\":\"%s\"}\n",
				id, id, i, cat, (i % 2 ? "description" : "padding"), $0
		}
	}' "$DIR/pad"
}
offsets="jobstream.source_offsets o JOIN jobstream.sources s USING (source_id) WHERE s.topic = 'big_posts'"
start=$(date +%s%N)
rc=0
sent=0
# Step k sends one message to each partition (-R), once every partition
# has stored all but 3 of the k messages it got: at most 4 MB unconsumed
# in any partition, below the devbroker's 5 MiB.
step=0
while [ $sent -lt $BIG_N ]; do
	n=$((BIG_N - sent < PARTITIONS ? BIG_N - sent : PARTITIONS))
	[ $step -le 3 ] || wait_for "SELECT count(*) = $PARTITIONS FROM $offsets AND next_offset >= $((step - 3))" 30 ||
		{ rc=1; break; }
	step=$((step + 1))
	big $sent $n | spread big_posts || { rc=1; break; }
	sent=$((sent + n))
done
js_ok $rc "produced $BIG_N job posts of ~1 MB in steps the devbroker keeps"
wait_for "SELECT sum(next_offset) = $BIG_N FROM $offsets" 60
js_ok $? "the worker consumed all $BIG_N"
echo "# $BIG_N messages of ~1 MB stored in $(( ($(date +%s%N) - start) / 1000000 )) ms"
js_is "$(js_sql "SELECT count(*) FROM jobstream.job_posts WHERE company = 'Big'")/$(js_sql "SELECT count(*) FROM jobstream.dead_letters WHERE topic = 'big_posts' AND error ~ 'field \"description\" is 1000000 bytes, longer than its cap of 65536'")" \
	"$((BIG_N / 2))/$((BIG_N / 2))" "half landed, half are dead letters naming the description's cap"
js_is "$(js_sql "SELECT count(*) FROM jobstream.dead_letters WHERE topic = 'big_posts' AND octet_length(payload) >= 1000000")" 0 \
	"dead letters keep only a prefix of a 1 MB payload"
full=$(big 1 1 | cut -f2)
js_is "$(js_sql "SELECT payload_bytes || ' ' || encode(payload_sha256, 'hex') || ' ' || (position(convert_to('$(printf %s "$full" | head -c 200)', 'UTF8') IN payload) = 1)
	FROM jobstream.dead_letters WHERE topic = 'big_posts' AND key = convert_to('00000000-0000-4000-8000-000000000001', 'UTF8')")" \
	"${#full} $(printf %s "$full" | sha256sum | cut -d' ' -f1) true" "a dead letter keeps the payload's length, SHA-256 and first bytes"
hwm=$(awk '/^VmHWM/ {print $2}' "/proc/$pid/status" 2>/dev/null)
echo "# worker $pid: $(grep -E '^(VmHWM|VmRSS|RssAnon|RssShmem)' "/proc/$pid/status" 2>/dev/null | tr -s ' \t' ' ' | tr '\n' ';')"
js_is "$(js_sql "SELECT pid FROM jobstream.workers WHERE topic = 'big_posts'")" "$pid" "the same worker ran throughout (no restart)"
[ -n "$hwm" ] && [ "$hwm" -lt $BIG_LIMIT_KB ]
js_ok $? "the worker's peak resident memory stayed below $((BIG_LIMIT_KB / 1024)) MB (VmHWM ${hwm:-?} kB)"

exit $((JS_TAP_FAILED > 0))
