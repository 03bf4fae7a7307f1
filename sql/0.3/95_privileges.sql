-- Who may execute and read what: the complete statement, run last so that
-- it covers every object of every part before it (README, "Security
-- model").  Anything not granted here is for the extension's owner (a
-- superuser) alone.  A function meant for a role must be listed here.

-- Functions ------------------------------------------------------------------
--
-- Nobody but the owner executes anything, in particular no trigger function
-- (PostgreSQL checks EXECUTE on a trigger function only when a trigger is
-- created, so this is what keeps other roles from attaching one to a table
-- of their own), no internal helper and no SECURITY DEFINER function.
REVOKE ALL ON ALL FUNCTIONS IN SCHEMA jobstream
	FROM PUBLIC, jobstream_reader, jobstream_writer, jobstream_worker, pg_monitor;
-- (export_parquet stays granted to pg_write_server_files, in 90_export.sql.)

-- jobstream_writer: scoring, matching helpers, generators, refresh.
GRANT EXECUTE ON FUNCTION
	jobstream.compatibility_score(text, text[], integer, text, numeric, text, text[], integer, text, numeric, real, real, real, real, real),
	jobstream.compatibility_score(jobstream.candidates, jobstream.job_posts, real, real, real, real, real),
	jobstream.score_breakdown(text, text[], integer, text, numeric, text, text[], integer, text, numeric, real, real, real, real, real),
	jobstream.score_breakdown(jobstream.candidates, jobstream.job_posts, real, real, real, real, real),
	jobstream.application_status(numeric, double precision),
	jobstream.top_matches(uuid, integer),
	jobstream.top_jobs(uuid, integer),
	jobstream.extract_skills(text),
	jobstream.match_draw(uuid, uuid, text, integer),
	jobstream.match_application_id(uuid, uuid),
	jobstream.generate_job_posts(bigint, bigint, date),
	jobstream.generate_candidates(bigint, bigint, date),
	jobstream.generate_applications(bigint, bigint),
	jobstream.generate_tracking_events(bigint, bigint, timestamptz, timestamptz),
	jobstream.generate_job_campaigns(),
	jobstream.post_campaigns(uuid),
	jobstream.contract_fields(),
	jobstream.refresh(regclass, boolean)
TO jobstream_writer;

-- Everyone: elements_fit, which the core tables' CHECK constraints call (a
-- function in a constraint is executed with the rights of the one who
-- writes the row); it only measures its arguments.
GRANT EXECUTE ON FUNCTION jobstream.elements_fit(text[], integer) TO PUBLIC;

-- The workers' role: what the refresher runs (both SECURITY DEFINER).
GRANT EXECUTE ON FUNCTION
	jobstream.refresh(regclass, boolean),
	jobstream.create_tracking_partitions(timestamptz, timestamptz)
TO jobstream_worker;

-- Monitoring: the functions the monitoring views call (a function in a view
-- is executed with the rights of the one who reads the view).
GRANT EXECUTE ON FUNCTION
	jobstream.source_stats_internal(),
	jobstream.kafka_property_secret(text)
TO pg_monitor, jobstream_writer;
-- The pipeline-health views jobstream_reader reads call these two: figures
-- only (ingest_health_rows is SECURITY DEFINER and returns no error text,
-- broker or option; match_worker_state a word).
GRANT EXECUTE ON FUNCTION
	jobstream.ingest_health_rows(),
	jobstream.match_worker_state()
TO jobstream_reader, pg_monitor, jobstream_writer;

-- rebuild_rollups() -------------------------------------------------------------
--
-- Defined here, after every part that adds rollups, because the trigger
-- functions now refuse any table but their own: it runs each rollup's
-- statement on its raw table instead of routing rows through a temporary
-- table with the trigger attached (the campaign rollups through
-- rebuild_campaign_rollups(), the C trigger's own fold).
CREATE OR REPLACE FUNCTION jobstream.rebuild_rollups()
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	-- Re-running the raw rows through the triggers' own code keeps one
	-- definition of every rollup.  Locks keep writers out meanwhile.
	LOCK TABLE jobstream.tracking_events, jobstream.job_posts, jobstream.candidates,
		jobstream.job_applications IN SHARE MODE;
	TRUNCATE jobstream.application_hourly, jobstream.application_scores;
	PERFORM jobstream.rebuild_campaign_rollups();
	PERFORM jobstream.rebuild_count_rollups();
	EXECUTE jobstream.application_delta_sql('SELECT 1 AS sign, t AS r FROM jobstream.job_applications t')
		USING jobstream.rollup_slice();
	PERFORM jobstream.rollup_changed(f) FROM unnest(ARRAY['events', 'posts', 'candidates', 'applications']) f;
END
$$;

-- Tables, views and sequences ---------------------------------------------------

REVOKE ALL ON ALL TABLES IN SCHEMA jobstream FROM PUBLIC, jobstream_worker, pg_monitor;
REVOKE ALL ON ALL SEQUENCES IN SCHEMA jobstream
	FROM PUBLIC, jobstream_reader, jobstream_writer, jobstream_worker, pg_monitor;

-- jobstream_reader reads views and materialized views and nothing else: no
-- table (raw rows, rollups, reference data, queues, sources), no
-- monitoring view (sources and their workers), and only SELECT.
-- jobstream_writer writes the core and reference tables and reads and
-- deletes dead letters; no rollup, offset, source, queue or state table.
DO $$
DECLARE
	rel record;
	writer_tables text[] := ARRAY['job_families', 'seniority_levels', 'job_titles',
		'skills', 'skill_aliases', 'family_skills', 'certifications', 'countries',
		'cities', 'employment_types', 'education_levels', 'work_modes', 'industries',
		'platforms', 'companies', 'first_names', 'last_names', 'application_statuses',
		'custom_tracks', 'title_skills', 'job_campaigns', 'job_posts', 'candidates',
		'job_applications', 'tracking_events', 'dead_letters'];
BEGIN
	FOR rel IN
		SELECT c.relname, c.relkind FROM pg_catalog.pg_class c
		WHERE c.relnamespace = 'jobstream'::regnamespace AND c.relkind IN ('r', 'p', 'v', 'm', 'f')
		ORDER BY c.relname
	LOOP
		IF rel.relkind IN ('v', 'm')
		   AND rel.relname NOT IN ('source_list', 'source_stats', 'workers', 'match_stats') THEN
			EXECUTE format('REVOKE INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON jobstream.%I FROM jobstream_reader', rel.relname);
		ELSE
			EXECUTE format('REVOKE ALL ON jobstream.%I FROM jobstream_reader', rel.relname);
		END IF;
		IF rel.relkind IN ('r', 'p', 'f') AND rel.relname <> ALL (writer_tables) THEN
			EXECUTE format('REVOKE ALL ON jobstream.%I FROM jobstream_writer', rel.relname);
		END IF;
	END LOOP;
END
$$;
REVOKE TRUNCATE, REFERENCES, TRIGGER ON ALL TABLES IN SCHEMA jobstream FROM jobstream_writer;

-- The workers' role (jobstream.worker_role is a member of jobstream_worker):
-- the launcher reads sources; an ingest worker reads its source, writes
-- rows, dead letters and offsets (the rollup and queue triggers run as
-- their owner) and reads the reference tables; the matcher reads candidates, posts and the seniority
-- ladder, takes its queue, writes applications, counters and the outbox,
-- and locks match_lock; the refresher reads refresh_state and records its
-- errors there.
GRANT SELECT ON jobstream.sources, jobstream.refresh_state TO jobstream_worker;
-- the reference tables: the ingest workers check a failed batch's foreign
-- keys against them, the matcher reads the seniority ladder
GRANT SELECT ON jobstream.job_families, jobstream.seniority_levels, jobstream.job_titles,
	jobstream.skills, jobstream.skill_aliases, jobstream.family_skills,
	jobstream.certifications, jobstream.countries, jobstream.cities,
	jobstream.employment_types, jobstream.education_levels, jobstream.work_modes,
	jobstream.industries, jobstream.platforms, jobstream.companies,
	jobstream.first_names, jobstream.last_names,
	jobstream.application_statuses, jobstream.custom_tracks, jobstream.title_skills,
	jobstream.job_campaigns
TO jobstream_worker;
GRANT SELECT, INSERT, UPDATE ON jobstream.source_offsets TO jobstream_worker;
GRANT SELECT, INSERT, UPDATE, DELETE ON jobstream.job_posts, jobstream.candidates,
	jobstream.job_applications TO jobstream_worker;
GRANT SELECT, INSERT ON jobstream.tracking_events TO jobstream_worker;
GRANT INSERT ON jobstream.dead_letters TO jobstream_worker;
GRANT SELECT, UPDATE, DELETE ON jobstream.match_queue TO jobstream_worker;
GRANT SELECT, UPDATE ON jobstream.match_state, jobstream.match_lock TO jobstream_worker;
GRANT SELECT, INSERT, DELETE ON jobstream.match_outbox TO jobstream_worker;
GRANT UPDATE (last_error, last_error_at) ON jobstream.refresh_state TO jobstream_worker;

-- Monitoring (pg_monitor and jobstream_writer).
GRANT SELECT ON jobstream.source_list, jobstream.source_stats, jobstream.workers,
	jobstream.refresh_stats, jobstream.match_stats
TO pg_monitor, jobstream_writer;
