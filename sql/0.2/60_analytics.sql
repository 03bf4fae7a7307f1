-- Analytics that stay fresh at any history size.
--
-- Three layers:
--
--  1. Rollup tables hold mergeable partial state (counts and sums; money as
--     numeric) keyed by the dimensions the dashboards group by.  They are
--     maintained by statement-level triggers with transition tables on the
--     raw tables: one delta per group per statement, in the same
--     transaction as the rows, so exactly once whatever writes the rows (the
--     Kafka workers, the generators, plain SQL).  Posts, candidates and
--     applications are upserted, so their rollups take +1 for new row
--     versions and -1 for old ones.  The cost of a batch follows the number
--     of groups it touches, not the history.
--
--  2. Materialized views over the rollups, one per analytic, each with a
--     unique index so that REFRESH ... CONCURRENTLY never blocks readers.
--     They are small (hundreds of rows), so refreshing them every second is
--     cheap however long the history grows.
--
--  3. Plain views where a materialized view makes no sense: the 100 latest
--     applications (an index scan) and the campaign table, which is itself
--     a rollup.
--
-- Several writers (workers of one source, ad-hoc inserts) must not queue on
-- the same rollup rows, so every rollup key starts with a slice, the
-- writer's backend pid modulo 16, and the views sum over slices.  Deltas are
-- applied in key order, so two writers that share a slice lock rows in the
-- same order and cannot deadlock.
--
-- The trigger functions are SECURITY DEFINER, so jobstream_writer can load
-- raw rows without being able to write the rollups directly.
--
-- Time buckets are by event time (ts, applied_at) in UTC; a late event adds
-- to its own, older bucket.

-- Rollups of tracking_events ------------------------------------------------

CREATE TABLE jobstream.campaign_hourly (
	slice smallint NOT NULL,
	post_id uuid NOT NULL,
	event_date date NOT NULL,
	event_hour smallint NOT NULL,
	publisher_id integer NOT NULL,
	campaign_id integer NOT NULL,
	group_id integer NOT NULL,
	company_id integer NOT NULL,
	clicks bigint NOT NULL,
	spend numeric NOT NULL,
	conversions bigint NOT NULL,
	qualified bigint NOT NULL,
	unqualified bigint NOT NULL,
	updated_at timestamptz NOT NULL,
	PRIMARY KEY (event_date, event_hour, post_id, publisher_id, campaign_id, group_id, slice)
) WITH (fillfactor = 80, autovacuum_vacuum_scale_factor = 0.02, autovacuum_analyze_scale_factor = 0.02);
COMMENT ON TABLE jobstream.campaign_hourly IS 'Rollup of tracking events per post, UTC date and hour, publisher, campaign and group (and writer slice): clicks, spend (sum of click bids), conversions, qualified and unqualified';

CREATE TABLE jobstream.campaign_daily (
	slice smallint NOT NULL,
	event_date date NOT NULL,
	publisher_id integer NOT NULL,
	events bigint NOT NULL,
	clicks bigint NOT NULL,
	spend numeric NOT NULL,
	conversions bigint NOT NULL,
	qualified bigint NOT NULL,
	unqualified bigint NOT NULL,
	PRIMARY KEY (event_date, publisher_id, slice)
) WITH (fillfactor = 70, autovacuum_vacuum_scale_factor = 0.02, autovacuum_analyze_scale_factor = 0.02);
COMMENT ON TABLE jobstream.campaign_daily IS 'Rollup of tracking events per UTC date and publisher (and writer slice)';

CREATE TABLE jobstream.campaign_hourly_totals (
	slice smallint NOT NULL,
	hour timestamptz NOT NULL,
	events bigint NOT NULL,
	clicks bigint NOT NULL,
	spend numeric NOT NULL,
	conversions bigint NOT NULL,
	qualified bigint NOT NULL,
	unqualified bigint NOT NULL,
	PRIMARY KEY (hour, slice)
) WITH (fillfactor = 70, autovacuum_vacuum_scale_factor = 0.02, autovacuum_analyze_scale_factor = 0.02);
COMMENT ON TABLE jobstream.campaign_hourly_totals IS 'Rollup of tracking events per UTC hour (and writer slice), for time series';

CREATE TABLE jobstream.campaign_posts (
	slice smallint NOT NULL,
	post_id uuid NOT NULL,
	company_id integer NOT NULL,
	clicks bigint NOT NULL,
	spend numeric NOT NULL,
	conversions bigint NOT NULL,
	qualified bigint NOT NULL,
	unqualified bigint NOT NULL,
	last_event_at timestamptz NOT NULL,
	PRIMARY KEY (post_id, slice)
) WITH (fillfactor = 70, autovacuum_vacuum_scale_factor = 0.02, autovacuum_analyze_scale_factor = 0.02);
COMMENT ON TABLE jobstream.campaign_posts IS 'Rollup of tracking events per post (and writer slice)';

-- Rollups of posts, candidates and applications ------------------------------

CREATE TABLE jobstream.post_counts (
	slice smallint NOT NULL,
	dimension text NOT NULL,
	value text NOT NULL,
	posts bigint NOT NULL,
	PRIMARY KEY (dimension, value, slice)
) WITH (fillfactor = 70, autovacuum_vacuum_scale_factor = 0.02);
COMMENT ON TABLE jobstream.post_counts IS 'Rollup of job posts: how many posts have each value of each dimension (category, work_mode, employment_type, country, city, deadline, skill, skill_extracted, skill_by_country)';

CREATE TABLE jobstream.candidate_counts (
	slice smallint NOT NULL,
	dimension text NOT NULL,
	value text NOT NULL,
	candidates bigint NOT NULL,
	PRIMARY KEY (dimension, value, slice)
) WITH (fillfactor = 70, autovacuum_vacuum_scale_factor = 0.02);
COMMENT ON TABLE jobstream.candidate_counts IS 'Rollup of candidates: how many have each value of each dimension (total, category, education, experience_level, skill, expected_salary)';

CREATE TABLE jobstream.application_hourly (
	slice smallint NOT NULL,
	hour timestamptz NOT NULL,
	applications bigint NOT NULL,
	scored bigint NOT NULL,
	score_sum numeric NOT NULL,
	PRIMARY KEY (hour, slice)
) WITH (fillfactor = 70, autovacuum_vacuum_scale_factor = 0.02);
COMMENT ON TABLE jobstream.application_hourly IS 'Rollup of applications per UTC hour of applied_at: count and score sum';

CREATE TABLE jobstream.application_scores (
	slice smallint NOT NULL,
	status text NOT NULL,
	score numeric(5,2) NOT NULL,
	applications bigint NOT NULL,
	PRIMARY KEY (status, score, slice)
) WITH (fillfactor = 70, autovacuum_vacuum_scale_factor = 0.02);
COMMENT ON TABLE jobstream.application_scores IS 'Rollup of applications per status and exact score (scores have two decimals, so quartiles computed from it are exact); unscored applications have score -1';

-- Change counters, so that the refresher refreshes only the views whose
-- rollups changed.  One row per rollup family and slice keeps writers of
-- different slices off each other's rows.
CREATE TABLE jobstream.rollup_changes (
	rollup text NOT NULL CHECK (rollup IN ('events', 'posts', 'candidates', 'applications')),
	slice smallint NOT NULL,
	changes bigint NOT NULL,
	PRIMARY KEY (rollup, slice)
) WITH (fillfactor = 50, autovacuum_vacuum_scale_factor = 0, autovacuum_vacuum_threshold = 1000);
COMMENT ON TABLE jobstream.rollup_changes IS 'How many statements have changed each family of rollups, per writer slice';
INSERT INTO jobstream.rollup_changes
SELECT r, s, 0 FROM unnest(ARRAY['events', 'posts', 'candidates', 'applications']) r, generate_series(0, 15) s;

-- The trigger functions ------------------------------------------------------

CREATE FUNCTION jobstream.rollup_slice()
RETURNS smallint
LANGUAGE sql VOLATILE PARALLEL RESTRICTED
AS $$ SELECT (pg_catalog.pg_backend_pid() % 16)::smallint $$;
COMMENT ON FUNCTION jobstream.rollup_slice() IS 'The rollup slice of the current writer: its backend pid modulo 16';

CREATE FUNCTION jobstream.rollup_tracking_events()
RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
SET timezone = 'UTC'
AS $$
DECLARE
	s smallint := jobstream.rollup_slice();
BEGIN
	-- One pass over the events (a hash aggregate to the finest grain);
	-- the coarser rollups are sums of that much smaller delta.  Each
	-- rollup's rows are then written in key order.
	WITH d AS MATERIALIZED (
		SELECT post_id, ts::date AS event_date, extract(hour FROM ts)::smallint AS event_hour,
			publisher_id, campaign_id, group_id, max(company_id) AS company_id,
			count(*) AS events,
			count(*) FILTER (WHERE custom_track = 'click') AS clicks,
			coalesce(sum(bid) FILTER (WHERE custom_track = 'click'), 0) AS spend,
			count(*) FILTER (WHERE custom_track = 'conversion') AS conversions,
			count(*) FILTER (WHERE custom_track = 'qualified') AS qualified,
			count(*) FILTER (WHERE custom_track = 'unqualified') AS unqualified,
			max(ts) AS last_ts
		FROM new_events
		GROUP BY 1, 2, 3, 4, 5, 6
	), hourly AS (
		INSERT INTO jobstream.campaign_hourly AS r
		SELECT s, post_id, event_date, event_hour, publisher_id, campaign_id, group_id, company_id,
			clicks, spend, conversions, qualified, unqualified, clock_timestamp()
		FROM d
		ORDER BY event_date, event_hour, post_id, publisher_id, campaign_id, group_id
		ON CONFLICT (event_date, event_hour, post_id, publisher_id, campaign_id, group_id, slice) DO UPDATE SET
			company_id = EXCLUDED.company_id,
			clicks = r.clicks + EXCLUDED.clicks,
			spend = r.spend + EXCLUDED.spend,
			conversions = r.conversions + EXCLUDED.conversions,
			qualified = r.qualified + EXCLUDED.qualified,
			unqualified = r.unqualified + EXCLUDED.unqualified,
			updated_at = EXCLUDED.updated_at
	), totals AS (
		INSERT INTO jobstream.campaign_hourly_totals AS r
		SELECT s, (event_date + event_hour * interval '1 hour')::timestamptz, sum(events), sum(clicks),
			sum(spend), sum(conversions), sum(qualified), sum(unqualified)
		FROM d
		GROUP BY 2
		ORDER BY 2
		ON CONFLICT (hour, slice) DO UPDATE SET
			events = r.events + EXCLUDED.events,
			clicks = r.clicks + EXCLUDED.clicks,
			spend = r.spend + EXCLUDED.spend,
			conversions = r.conversions + EXCLUDED.conversions,
			qualified = r.qualified + EXCLUDED.qualified,
			unqualified = r.unqualified + EXCLUDED.unqualified
	), posts AS (
		INSERT INTO jobstream.campaign_posts AS r
		SELECT s, post_id, max(company_id), sum(clicks), sum(spend), sum(conversions),
			sum(qualified), sum(unqualified), max(last_ts)
		FROM d
		GROUP BY post_id
		ORDER BY post_id
		ON CONFLICT (post_id, slice) DO UPDATE SET
			company_id = EXCLUDED.company_id,
			clicks = r.clicks + EXCLUDED.clicks,
			spend = r.spend + EXCLUDED.spend,
			conversions = r.conversions + EXCLUDED.conversions,
			qualified = r.qualified + EXCLUDED.qualified,
			unqualified = r.unqualified + EXCLUDED.unqualified,
			last_event_at = greatest(r.last_event_at, EXCLUDED.last_event_at)
	)
	INSERT INTO jobstream.campaign_daily AS r
	SELECT s, event_date, publisher_id, sum(events), sum(clicks), sum(spend),
		sum(conversions), sum(qualified), sum(unqualified)
	FROM d
	GROUP BY event_date, publisher_id
	ORDER BY event_date, publisher_id
	ON CONFLICT (event_date, publisher_id, slice) DO UPDATE SET
		events = r.events + EXCLUDED.events,
		clicks = r.clicks + EXCLUDED.clicks,
		spend = r.spend + EXCLUDED.spend,
		conversions = r.conversions + EXCLUDED.conversions,
		qualified = r.qualified + EXCLUDED.qualified,
		unqualified = r.unqualified + EXCLUDED.unqualified;
	PERFORM jobstream.rollup_changed('events');
	RETURN NULL;
END
$$;
COMMENT ON FUNCTION jobstream.rollup_tracking_events() IS 'Statement trigger: adds the inserted tracking events to the campaign rollups';

-- A statement fires the triggers of the table it names only: inserts through
-- tracking_events fire the parent's trigger, and rows written straight into
-- a partition (pg_restore does that) fire the partition's, so every row is
-- counted once either way.
CREATE TRIGGER rollup_insert AFTER INSERT ON jobstream.tracking_events
	REFERENCING NEW TABLE AS new_events
	FOR EACH STATEMENT EXECUTE FUNCTION jobstream.rollup_tracking_events();
DO $$
DECLARE
	part regclass;
BEGIN
	FOR part IN SELECT inhrelid::regclass FROM pg_catalog.pg_inherits
		WHERE inhparent = 'jobstream.tracking_events'::regclass
	LOOP
		EXECUTE format('CREATE TRIGGER rollup_insert AFTER INSERT ON %s REFERENCING NEW TABLE AS new_events FOR EACH STATEMENT EXECUTE FUNCTION jobstream.rollup_tracking_events()', part);
	END LOOP;
END
$$;

CREATE FUNCTION jobstream.create_tracking_partitions(from_ts timestamptz, to_ts timestamptz)
RETURNS integer
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	lo timestamptz;
	hi timestamptz;
	part text;
	made integer := 0;
BEGIN
	IF from_ts IS NULL OR to_ts IS NULL OR to_ts < from_ts THEN
		RAISE EXCEPTION 'invalid partition range [%, %]', from_ts, to_ts
			USING HINT = 'Pass two timestamps with from_ts <= to_ts.';
	END IF;
	IF to_ts - from_ts > interval '20 years' THEN
		RAISE EXCEPTION 'partition range [%, %] spans more than 20 years', from_ts, to_ts
			USING HINT = 'Create partitions for a shorter range.';
	END IF;
	lo := date_trunc('month', from_ts AT TIME ZONE 'UTC') AT TIME ZONE 'UTC';
	WHILE lo <= to_ts LOOP
		hi := (date_trunc('month', lo AT TIME ZONE 'UTC') + interval '1 month') AT TIME ZONE 'UTC';
		part := 'tracking_events_' || to_char(lo AT TIME ZONE 'UTC', 'YYYYMM');
		IF to_regclass('jobstream.' || quote_ident(part)) IS NULL THEN
			EXECUTE format('CREATE TABLE jobstream.%I (LIKE jobstream.tracking_events INCLUDING DEFAULTS INCLUDING CONSTRAINTS)', part);
			EXECUTE format('WITH moved AS (DELETE FROM jobstream.tracking_events_default WHERE ts >= %L AND ts < %L RETURNING *) INSERT INTO jobstream.%I SELECT * FROM moved', lo, hi, part);
			-- after the move, which the rollups already hold
			EXECUTE format('CREATE TRIGGER rollup_insert AFTER INSERT ON jobstream.%I REFERENCING NEW TABLE AS new_events FOR EACH STATEMENT EXECUTE FUNCTION jobstream.rollup_tracking_events()', part);
			EXECUTE format('ALTER TABLE jobstream.tracking_events ATTACH PARTITION jobstream.%I FOR VALUES FROM (%L) TO (%L)', part, lo, hi);
			made := made + 1;
		END IF;
		lo := hi;
	END LOOP;
	RETURN made;
END
$$;
COMMENT ON FUNCTION jobstream.create_tracking_partitions(timestamptz, timestamptz) IS
'Creates the missing monthly partitions of tracking_events (UTC months) that cover [from_ts, to_ts], moving rows out of the default partition; returns how many it created';
REVOKE ALL ON FUNCTION jobstream.create_tracking_partitions(timestamptz, timestamptz) FROM PUBLIC;


-- For upserted tables one function serves INSERT, UPDATE and DELETE: the
-- delta is the new row versions with sign +1 and the old ones with sign -1.
-- Each trigger names its transition tables new_rows / old_rows; the query is
-- built for the tables the event has, with each row as the column r.
CREATE FUNCTION jobstream.rollup_delta(op text, rowtype regtype)
RETURNS text
LANGUAGE sql IMMUTABLE
AS $$
	SELECT format(CASE op
		WHEN 'INSERT' THEN 'SELECT 1 AS sign, ROW(t.*)::%1$s AS r FROM new_rows t'
		WHEN 'DELETE' THEN 'SELECT -1 AS sign, ROW(t.*)::%1$s AS r FROM old_rows t'
		ELSE 'SELECT 1 AS sign, ROW(t.*)::%1$s AS r FROM new_rows t UNION ALL SELECT -1, ROW(t.*)::%1$s FROM old_rows t' END,
		rowtype)
$$;
COMMENT ON FUNCTION jobstream.rollup_delta(text, regtype) IS 'The signed rows of a statement trigger''s transition tables, as a query with columns sign and r (of type rowtype), for the trigger event op';

CREATE FUNCTION jobstream.rollup_changed(family text)
RETURNS void
LANGUAGE sql
AS $$
	UPDATE jobstream.rollup_changes SET changes = changes + 1
	WHERE rollup = family AND slice = jobstream.rollup_slice()
$$;
COMMENT ON FUNCTION jobstream.rollup_changed(text) IS 'Counts one change of a family of rollups, for the refresher';

-- The dimensions a post or a candidate counts in.  (Their SET clause also
-- keeps the planner from inlining them, which PostgreSQL 15 cannot plan
-- here: "variable not found in subplan target list".)
CREATE FUNCTION jobstream.post_dimensions(p jobstream.job_posts)
RETURNS TABLE (dimension text, value text)
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
	VALUES ('total', ''),
		('category', p.job_category),
		('work_mode', coalesce(p.work_mode, '(unknown)')),
		('employment_type', coalesce(p.employment_type, '(unknown)')),
		('experience_level', coalesce(p.experience_level, '(unknown)')),
		('country', coalesce(p.location_country, '(unknown)')),
		('city', coalesce(p.location_city, '(unknown)') || '|' || coalesce(p.location_country, '(unknown)')),
		('deadline', coalesce(p.deadline_date::text, 'none'))
	UNION ALL
	SELECT 'skill', sk FROM (SELECT DISTINCT btrim(x) AS sk FROM unnest(p.required_skills) x) u WHERE sk <> ''
	UNION ALL
	SELECT 'skill_by_country', coalesce(p.location_country, '(unknown)') || '|' || sk
	FROM (SELECT DISTINCT btrim(x) AS sk FROM unnest(p.required_skills) x) u WHERE sk <> ''
	UNION ALL
	SELECT 'skill_extracted', x FROM unnest(jobstream.extract_skills(p.description)) x
$$;
COMMENT ON FUNCTION jobstream.post_dimensions(jobstream.job_posts) IS 'The (dimension, value) pairs a job post counts in, in post_counts';

CREATE FUNCTION jobstream.candidate_dimensions(c jobstream.candidates)
RETURNS TABLE (dimension text, value text)
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
	VALUES ('total', ''),
		('category', coalesce(c.job_category, '(unknown)')),
		('education', coalesce(c.education_level, '(unknown)')),
		('experience_level', coalesce(c.experience_level, '(unknown)')),
		('expected_salary', coalesce((floor(c.expected_salary / 10000.0) * 10000)::bigint::text, '(unknown)'))
	UNION ALL
	SELECT 'skill', sk FROM (SELECT DISTINCT btrim(x) AS sk FROM unnest(c.skills) x) u WHERE sk <> ''
$$;
COMMENT ON FUNCTION jobstream.candidate_dimensions(jobstream.candidates) IS 'The (dimension, value) pairs a candidate counts in, in candidate_counts';

-- The statement that applies signed rows (a query with columns sign and r)
-- to a dimension-count rollup: its table, count column and dimensions
-- function.  The trigger below and rebuild_rollups() both run it.
CREATE FUNCTION jobstream.counts_delta_sql(rollup text, count_column text, dimensions text, source text)
RETURNS text
LANGUAGE sql IMMUTABLE
AS $$
	SELECT format($q$
		INSERT INTO jobstream.%1$I AS r
		SELECT $1, v.dimension, v.value, sum(d.sign)
		FROM (%2$s) d, LATERAL jobstream.%3$I(d.r) v
		GROUP BY v.dimension, v.value
		HAVING sum(d.sign) <> 0
		ORDER BY v.dimension, v.value
		ON CONFLICT (dimension, value, slice) DO UPDATE SET %4$I = r.%4$I + EXCLUDED.%4$I
	$q$, rollup, source, dimensions, count_column)
$$;
COMMENT ON FUNCTION jobstream.counts_delta_sql(text, text, text, text) IS 'The statement that adds signed rows to a dimension-count rollup; its parameter $1 is the slice';

-- Statement trigger for a dimension-count rollup; its arguments are the
-- rollup table, its count column, the dimensions function and the family
-- of rollups that changes.
CREATE FUNCTION jobstream.rollup_counts()
RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
SET timezone = 'UTC'
AS $$
BEGIN
	EXECUTE jobstream.counts_delta_sql(TG_ARGV[0], TG_ARGV[1], TG_ARGV[2],
		jobstream.rollup_delta(TG_OP, TG_RELID::regclass::text::regtype)) USING jobstream.rollup_slice();
	PERFORM jobstream.rollup_changed(TG_ARGV[3]);
	RETURN NULL;
END
$$;
COMMENT ON FUNCTION jobstream.rollup_counts() IS 'Statement trigger: applies inserted, updated and deleted rows to a dimension-count rollup (post_counts, candidate_counts)';

CREATE FUNCTION jobstream.rollup_job_applications()
RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
SET timezone = 'UTC'
AS $$
DECLARE
	src text := jobstream.rollup_delta(TG_OP, 'jobstream.job_applications');
BEGIN
	EXECUTE format($q$
		INSERT INTO jobstream.application_hourly AS r
		SELECT $1, date_trunc('hour', (r).applied_at), sum(sign),
			coalesce(sum(sign) FILTER (WHERE (r).compatibility_score IS NOT NULL), 0),
			coalesce(sum(sign * (r).compatibility_score), 0)
		FROM (%s) d
		GROUP BY 2
		HAVING sum(sign) <> 0 OR coalesce(sum(sign * (r).compatibility_score), 0) <> 0
		ORDER BY 2
		ON CONFLICT (hour, slice) DO UPDATE SET
			applications = r.applications + EXCLUDED.applications,
			scored = r.scored + EXCLUDED.scored,
			score_sum = r.score_sum + EXCLUDED.score_sum
	$q$, src) USING jobstream.rollup_slice();
	EXECUTE format($q$
		INSERT INTO jobstream.application_scores AS r
		SELECT $1, (r).status, coalesce((r).compatibility_score, -1), sum(sign)
		FROM (%s) d
		GROUP BY 2, 3
		HAVING sum(sign) <> 0
		ORDER BY 2, 3
		ON CONFLICT (status, score, slice) DO UPDATE SET
			applications = r.applications + EXCLUDED.applications
	$q$, src) USING jobstream.rollup_slice();
	PERFORM jobstream.rollup_changed('applications');
	RETURN NULL;
END
$$;
COMMENT ON FUNCTION jobstream.rollup_job_applications() IS 'Statement trigger: applies inserted, updated and deleted applications to application_hourly and application_scores';

CREATE TRIGGER rollup_insert AFTER INSERT ON jobstream.job_posts
	REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT
	EXECUTE FUNCTION jobstream.rollup_counts('post_counts', 'posts', 'post_dimensions', 'posts');
CREATE TRIGGER rollup_update AFTER UPDATE ON jobstream.job_posts
	REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT
	EXECUTE FUNCTION jobstream.rollup_counts('post_counts', 'posts', 'post_dimensions', 'posts');
CREATE TRIGGER rollup_delete AFTER DELETE ON jobstream.job_posts
	REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT
	EXECUTE FUNCTION jobstream.rollup_counts('post_counts', 'posts', 'post_dimensions', 'posts');
CREATE TRIGGER rollup_insert AFTER INSERT ON jobstream.candidates
	REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT
	EXECUTE FUNCTION jobstream.rollup_counts('candidate_counts', 'candidates', 'candidate_dimensions', 'candidates');
CREATE TRIGGER rollup_update AFTER UPDATE ON jobstream.candidates
	REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT
	EXECUTE FUNCTION jobstream.rollup_counts('candidate_counts', 'candidates', 'candidate_dimensions', 'candidates');
CREATE TRIGGER rollup_delete AFTER DELETE ON jobstream.candidates
	REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT
	EXECUTE FUNCTION jobstream.rollup_counts('candidate_counts', 'candidates', 'candidate_dimensions', 'candidates');
CREATE TRIGGER rollup_insert AFTER INSERT ON jobstream.job_applications
	REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION jobstream.rollup_job_applications();
CREATE TRIGGER rollup_update AFTER UPDATE ON jobstream.job_applications
	REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION jobstream.rollup_job_applications();
CREATE TRIGGER rollup_delete AFTER DELETE ON jobstream.job_applications
	REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION jobstream.rollup_job_applications();

-- TRUNCATE bypasses row triggers and statement triggers with transition
-- tables, so truncating a raw table empties its rollups too.
CREATE FUNCTION jobstream.rollup_truncate()
RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	CASE TG_TABLE_NAME
		WHEN 'tracking_events' THEN
			TRUNCATE jobstream.campaign_hourly, jobstream.campaign_hourly_totals, jobstream.campaign_daily, jobstream.campaign_posts;
		WHEN 'job_posts' THEN
			TRUNCATE jobstream.post_counts;
		WHEN 'candidates' THEN
			TRUNCATE jobstream.candidate_counts;
		WHEN 'job_applications' THEN
			TRUNCATE jobstream.application_hourly, jobstream.application_scores;
	END CASE;
	PERFORM jobstream.rollup_changed(CASE TG_TABLE_NAME WHEN 'tracking_events' THEN 'events'
		WHEN 'job_posts' THEN 'posts' WHEN 'job_applications' THEN 'applications' ELSE TG_TABLE_NAME END);
	RETURN NULL;
END
$$;
COMMENT ON FUNCTION jobstream.rollup_truncate() IS 'Statement trigger: empties the rollups of a truncated raw table';

CREATE TRIGGER rollup_truncate AFTER TRUNCATE ON jobstream.tracking_events
	FOR EACH STATEMENT EXECUTE FUNCTION jobstream.rollup_truncate();
CREATE TRIGGER rollup_truncate AFTER TRUNCATE ON jobstream.job_posts
	FOR EACH STATEMENT EXECUTE FUNCTION jobstream.rollup_truncate();
CREATE TRIGGER rollup_truncate AFTER TRUNCATE ON jobstream.candidates
	FOR EACH STATEMENT EXECUTE FUNCTION jobstream.rollup_truncate();
CREATE TRIGGER rollup_truncate AFTER TRUNCATE ON jobstream.job_applications
	FOR EACH STATEMENT EXECUTE FUNCTION jobstream.rollup_truncate();

CREATE FUNCTION jobstream.rebuild_rollups()
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	-- Re-running the raw rows through the triggers' own code keeps one
	-- definition of every rollup.  Locks keep writers out meanwhile.
	LOCK TABLE jobstream.tracking_events, jobstream.job_posts, jobstream.candidates,
		jobstream.job_applications IN SHARE MODE;
	TRUNCATE jobstream.campaign_hourly, jobstream.campaign_hourly_totals, jobstream.campaign_daily,
		jobstream.campaign_posts, jobstream.post_counts, jobstream.candidate_counts, jobstream.application_hourly,
		jobstream.application_scores;
	CREATE TEMP TABLE jobstream_rebuild_events ON COMMIT DROP AS TABLE jobstream.tracking_events WITH NO DATA;
	CREATE TRIGGER rebuild AFTER INSERT ON jobstream_rebuild_events
		REFERENCING NEW TABLE AS new_events FOR EACH STATEMENT EXECUTE FUNCTION jobstream.rollup_tracking_events();
	INSERT INTO jobstream_rebuild_events SELECT * FROM jobstream.tracking_events;
	EXECUTE jobstream.counts_delta_sql('post_counts', 'posts', 'post_dimensions',
		'SELECT 1 AS sign, t AS r FROM jobstream.job_posts t') USING jobstream.rollup_slice();
	EXECUTE jobstream.counts_delta_sql('candidate_counts', 'candidates', 'candidate_dimensions',
		'SELECT 1 AS sign, t AS r FROM jobstream.candidates t') USING jobstream.rollup_slice();
	CREATE TEMP TABLE jobstream_rebuild_applications ON COMMIT DROP AS TABLE jobstream.job_applications WITH NO DATA;
	CREATE TRIGGER rebuild AFTER INSERT ON jobstream_rebuild_applications
		REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION jobstream.rollup_job_applications();
	INSERT INTO jobstream_rebuild_applications SELECT * FROM jobstream.job_applications;
	DROP TABLE jobstream_rebuild_events, jobstream_rebuild_applications;
	PERFORM jobstream.rollup_changed(f) FROM unnest(ARRAY['events', 'posts', 'candidates', 'applications']) f;
END
$$;
COMMENT ON FUNCTION jobstream.rebuild_rollups() IS 'Recomputes every rollup from the raw tables (after a restore without triggers, or to check them); blocks writers while it runs';
REVOKE ALL ON FUNCTION jobstream.rebuild_rollups() FROM PUBLIC;

-- Existing rows (an update from 0.1) enter the rollups once.
SELECT jobstream.rebuild_rollups();
