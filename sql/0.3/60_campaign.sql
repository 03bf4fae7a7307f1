-- Tracking events whose ingest cost stays flat as the history grows, and
-- cheaper campaign rollups (issue 11).
--
-- What grew with the history in 0.2, and what replaces it:
--
--  - The primary key (event_id, ts) put every new event at a random place
--    of a random-UUID index as large as the month's partition: once that
--    index outgrew shared_buffers, each insert read a leaf page and dirtied
--    it, and the first change of a page after each checkpoint wrote the
--    whole page to the WAL.  The key is now (ts, event_id): the same
--    uniqueness (an event re-sent with the same event_id and ts is still
--    skipped by ON CONFLICT DO NOTHING), but events arrive roughly in time
--    order, so inserts land at the right edge of the index, whose hot pages
--    stay in memory whatever the history.
--
--  - Partitions were months.  They are now jobstream.tracking_partition_
--    interval long (default a day; aligned to UTC midnight), so the
--    partition being written, its index and its autovacuum work are a
--    day's, and retention drops days.  Existing monthly partitions stay;
--    new partitions start where they end.
--
--  - The campaign rollup trigger was plpgsql that aggregated the
--    transition table in SQL and re-read the aggregate three times.  It is
--    now C (src/campaign.c): one hash aggregation of the statement's
--    events, then one ordered upsert per rollup from arrays.
--
--  - campaign_hourly kept a row per group and writer slice, which the
--    campaign table summed on every read; it keeps one row per group now,
--    and a vacuum of it (which scans its whole index, as large as the
--    history) runs at 20 % dead rows instead of 2 %.

-- The key, in time order ------------------------------------------------------

ALTER TABLE jobstream.tracking_events DROP CONSTRAINT tracking_events_pkey;
ALTER TABLE jobstream.tracking_events ADD PRIMARY KEY (ts, event_id);
COMMENT ON TABLE jobstream.tracking_events IS
'Recruitment ad-campaign log, append-only (topic tracking_events), keyed by (ts, event_id) so that inserts land at the index''s right edge, partitioned by ts in jobstream.tracking_partition_interval steps (default a UTC day)';

-- Partitions ------------------------------------------------------------------

CREATE FUNCTION jobstream.tracking_partition_interval()
RETURNS interval
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT coalesce(nullif(current_setting('jobstream.tracking_partition_interval', true), ''), '1d')::interval
$$;
COMMENT ON FUNCTION jobstream.tracking_partition_interval() IS
'The length of new tracking_events partitions: the setting jobstream.tracking_partition_interval (default a day)';

-- The ranges of the partitions of tracking_events that exist, in UTC.
CREATE FUNCTION jobstream.tracking_partition_ranges(OUT partition regclass, OUT lower timestamptz, OUT upper timestamptz)
RETURNS SETOF record
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
SET timezone = 'UTC'
AS $$
	SELECT c.oid::regclass,
		CASE WHEN b[1] = 'MINVALUE' THEN '-infinity' ELSE btrim(b[1], '''') END::timestamptz,
		CASE WHEN b[2] = 'MAXVALUE' THEN 'infinity' ELSE btrim(b[2], '''') END::timestamptz
	FROM pg_catalog.pg_inherits i
	JOIN pg_catalog.pg_class c ON c.oid = i.inhrelid,
		LATERAL regexp_match(pg_get_expr(c.relpartbound, c.oid), '^FOR VALUES FROM \((.*)\) TO \((.*)\)$') b
	WHERE i.inhparent = 'jobstream.tracking_events'::regclass AND b IS NOT NULL
$$;
COMMENT ON FUNCTION jobstream.tracking_partition_ranges() IS
'The range partitions of tracking_events with their bounds [lower, upper)';

-- SECURITY DEFINER as 10_security.sql made it (CREATE OR REPLACE would
-- drop it): jobstream_writer and the workers' role create partitions
-- without owning tracking_events; the range is bounded below.
CREATE OR REPLACE FUNCTION jobstream.create_tracking_partitions(from_ts timestamptz, to_ts timestamptz)
RETURNS integer
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
SET timezone = 'UTC'
AS $$
DECLARE
	step interval := jobstream.tracking_partition_interval();
	origin constant timestamptz := '2000-01-01 00:00:00+00';
	lo timestamptz;
	hi timestamptz;
	covered timestamptz;
	part text;
	made integer := 0;
BEGIN
	IF from_ts IS NULL OR to_ts IS NULL OR to_ts < from_ts OR NOT isfinite(from_ts) OR NOT isfinite(to_ts) THEN
		RAISE EXCEPTION 'invalid partition range [%, %]', from_ts, to_ts
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = 'Pass two finite timestamps with from_ts <= to_ts.';
	END IF;
	IF step < interval '1 hour' THEN
		RAISE EXCEPTION 'jobstream.tracking_partition_interval is %, less than an hour', step
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = 'Set it to an hour or more (a day by default).';
	END IF;
	IF (to_ts - from_ts) > step * 5000 THEN
		RAISE EXCEPTION 'partition range [%, %] needs more than 5000 partitions of %', from_ts, to_ts, step
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = 'Create partitions for a shorter range, or set a longer jobstream.tracking_partition_interval.';
	END IF;
	lo := date_bin(step, from_ts, origin);
	WHILE lo <= to_ts LOOP
		-- partitions that exist (monthly ones from 0.2, others made by
		-- hand) are kept: start after the one that holds lo ...
		SELECT max(r.upper) INTO covered FROM jobstream.tracking_partition_ranges() r
		WHERE r.lower <= lo AND lo < r.upper;
		IF covered IS NOT NULL THEN
			lo := covered;
			CONTINUE;
		END IF;
		-- ... and end at the next aligned bound or where the next one starts
		hi := date_bin(step, lo, origin) + step;
		SELECT least(hi, min(r.lower)) INTO hi FROM jobstream.tracking_partition_ranges() r
		WHERE r.lower > lo;
		part := 'tracking_events_' || to_char(lo, 'YYYYMMDD')
			|| CASE WHEN lo = date_trunc('day', lo) AND hi = date_trunc('day', hi) THEN '' ELSE to_char(lo, '_HH24MI') END;
		IF to_regclass('jobstream.' || quote_ident(part)) IS NOT NULL THEN
			part := part || '_' || to_char(hi, 'YYYYMMDDHH24MI');
		END IF;
		EXECUTE format('CREATE TABLE jobstream.%I (LIKE jobstream.tracking_events INCLUDING DEFAULTS INCLUDING CONSTRAINTS)', part);
		EXECUTE format('WITH moved AS (DELETE FROM jobstream.tracking_events_default WHERE ts >= %L AND ts < %L RETURNING *) INSERT INTO jobstream.%I SELECT * FROM moved', lo, hi, part);
		-- after the move, which the rollups already hold
		EXECUTE format('CREATE TRIGGER rollup_insert AFTER INSERT ON jobstream.%I REFERENCING NEW TABLE AS new_events FOR EACH STATEMENT EXECUTE FUNCTION jobstream.rollup_tracking_events()', part);
		EXECUTE format('ALTER TABLE jobstream.tracking_events ATTACH PARTITION jobstream.%I FOR VALUES FROM (%L) TO (%L)', part, lo, hi);
		made := made + 1;
		lo := hi;
	END LOOP;
	RETURN made;
END
$$;
COMMENT ON FUNCTION jobstream.create_tracking_partitions(timestamptz, timestamptz) IS
'Creates the missing partitions of tracking_events that cover [from_ts, to_ts], jobstream.tracking_partition_interval long and aligned to it from 2000-01-01 UTC (partitions that exist are kept), moving rows out of the default partition; returns how many it created';

-- The campaign rollups, in C ----------------------------------------------------

-- campaign_hourly keeps one row per group (slice 0), so that the campaign
-- table reads rows instead of summing writer slices: writers that touch
-- the same group queue on its row in key order.  Rows written by 0.2 in
-- several slices are merged once here.
CREATE TEMP TABLE jobstream_campaign_hourly_merged AS
SELECT 0::smallint AS slice, post_id, event_date, event_hour, publisher_id, campaign_id, group_id,
	max(company_id) AS company_id, sum(clicks)::bigint AS clicks, sum(spend) AS spend,
	sum(conversions)::bigint AS conversions, sum(qualified)::bigint AS qualified,
	sum(unqualified)::bigint AS unqualified, max(updated_at) AS updated_at
FROM jobstream.campaign_hourly
GROUP BY event_date, event_hour, post_id, publisher_id, campaign_id, group_id;
TRUNCATE jobstream.campaign_hourly;
INSERT INTO jobstream.campaign_hourly
SELECT * FROM jobstream_campaign_hourly_merged
ORDER BY event_date, event_hour, post_id, publisher_id, campaign_id, group_id;
DROP TABLE jobstream_campaign_hourly_merged;
ALTER TABLE jobstream.campaign_hourly ADD CONSTRAINT campaign_hourly_one_row_per_group CHECK (slice = 0);
COMMENT ON TABLE jobstream.campaign_hourly IS 'Rollup of tracking events per post, UTC date and hour, publisher, campaign and group, one row each (slice is always 0): clicks, spend (sum of click bids), conversions, qualified and unqualified';

-- The groups of the current hours are updated by every batch: room on each
-- page for their new versions keeps those updates HOT (no index insert)
-- and the index free of dead entries.  A vacuum that finds dead entries
-- scans the whole index, which grows with the history: at 0.02 of the
-- rows (0.2's setting) that happened every 200,000 updates at 10M events,
-- once per benchmark drain; at 0.2, ten times less often.
ALTER TABLE jobstream.campaign_hourly SET (fillfactor = 50, autovacuum_vacuum_scale_factor = 0.2);

CREATE OR REPLACE FUNCTION jobstream.rollup_tracking_events()
RETURNS trigger
AS 'MODULE_PATHNAME', 'jobstream_rollup_tracking_events'
LANGUAGE C
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION jobstream.rollup_tracking_events() IS
'Statement trigger of tracking_events and its partitions (any other table: insufficient_privilege): adds the inserted events to the campaign rollups, one hash aggregation and one ordered upsert per rollup';
REVOKE ALL ON FUNCTION jobstream.rollup_tracking_events() FROM PUBLIC;

CREATE FUNCTION jobstream.rebuild_campaign_rollups()
RETURNS bigint
AS 'MODULE_PATHNAME', 'jobstream_rebuild_campaign_rollups'
LANGUAGE C
SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION jobstream.rebuild_campaign_rollups() IS
'Empties the campaign rollups and folds every row of tracking_events into them again with the trigger''s code; blocks inserts while it runs; returns the rows folded';
REVOKE ALL ON FUNCTION jobstream.rebuild_campaign_rollups() FROM PUBLIC;

-- rebuild_rollups() (95_privileges.sql) calls rebuild_campaign_rollups().

-- The campaign table ------------------------------------------------------------

-- One row per group: the campaign table is the rollup with the publisher's
-- and the company's names, read through the rollup's index for a date and
-- hour, with nothing to sum.
CREATE OR REPLACE VIEW jobstream.campaign_performance AS
SELECT h.post_id AS job_id, h.event_date AS date, h.event_hour AS hour,
	h.publisher_id, pl.platform AS publisher, h.campaign_id, h.group_id,
	h.company_id, co.company,
	h.clicks, h.spend,
	round(h.spend / nullif(h.clicks, 0), 4) AS bid_set,
	h.conversions, h.qualified AS qualified_application, h.unqualified AS unqualified_application,
	round(h.spend / nullif(h.clicks, 0), 4) AS cpc,
	h.updated_at
FROM jobstream.campaign_hourly h
LEFT JOIN jobstream.platforms pl ON pl.publisher_id = h.publisher_id
LEFT JOIN jobstream.companies co ON co.company_id = h.company_id;
