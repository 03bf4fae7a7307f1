-- Roles.  jobstream_reader is for BI tools: it reads the analytics objects
-- (granted where they are defined) and nothing else: no raw rows, no dead
-- letters, no settings.
-- jobstream_writer loads and corrects data.  Roles are cluster-wide, so they
-- are created once and survive DROP EXTENSION.

DO $$
BEGIN
	IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'jobstream_reader') THEN
		CREATE ROLE jobstream_reader NOLOGIN;
	END IF;
	IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'jobstream_writer') THEN
		CREATE ROLE jobstream_writer NOLOGIN;
	END IF;
END
$$;

GRANT USAGE ON SCHEMA jobstream TO jobstream_reader, jobstream_writer;

GRANT SELECT, INSERT, UPDATE, DELETE ON
	jobstream.job_families, jobstream.seniority_levels, jobstream.job_titles,
	jobstream.skills, jobstream.skill_aliases, jobstream.family_skills,
	jobstream.certifications, jobstream.countries, jobstream.cities,
	jobstream.employment_types, jobstream.education_levels, jobstream.work_modes,
	jobstream.industries, jobstream.platforms, jobstream.companies,
	jobstream.first_names, jobstream.last_names,
	jobstream.application_statuses, jobstream.custom_tracks,
	jobstream.job_posts, jobstream.candidates, jobstream.job_applications,
	jobstream.tracking_events
TO jobstream_writer;
GRANT SELECT, DELETE ON jobstream.dead_letters TO jobstream_writer;
