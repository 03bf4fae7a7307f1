-- Generators that make live data by default, and applications that carry
-- the reasons for their score (issue 12).
--
-- as_of of generate_job_posts and generate_candidates now defaults to
-- current_date: posts are posted in the 180 days up to today, so the ones
-- whose deadline is still ahead are open and the matcher sees them.  Rows
-- are deterministic for a seed and an as_of; pass as_of to reproduce a data
-- set on another day.  (The functions were and stay STABLE.)

CREATE OR REPLACE FUNCTION jobstream.generate_job_posts(n bigint, seed bigint DEFAULT 0,
	as_of date DEFAULT CURRENT_DATE)
RETURNS TABLE (
	post_id uuid, company text, job_title text, job_category text, industry text,
	location_country text, location_city text, description text,
	required_skills text[], certifications text[], salary_min integer,
	salary_max integer, experience_level text, min_years_experience integer,
	employment_type text, work_mode text, platform text, posted_date date,
	deadline_date date)
AS 'MODULE_PATHNAME', 'jobstream_generate_job_posts'
LANGUAGE C STRICT STABLE PARALLEL SAFE ROWS 1000
SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION jobstream.generate_job_posts(bigint, bigint, date) IS
'Generates n realistic job posts from the reference tables, deterministically for a seed and as_of (default: today); posted in the 180 days up to as_of, deadlines 2 to 13 weeks after posting';

CREATE OR REPLACE FUNCTION jobstream.generate_candidates(n bigint, seed bigint DEFAULT 0,
	as_of date DEFAULT CURRENT_DATE)
RETURNS TABLE (
	candidate_id uuid, full_name text, gender text, birth_year integer,
	nationality text, location_country text, location_city text,
	education_level text, graduation_year integer, gpa numeric,
	job_category text, current_company text, previous_companies text[],
	skills text[], certifications text[], experience_level text,
	years_experience integer, current_salary integer, expected_salary integer)
AS 'MODULE_PATHNAME', 'jobstream_generate_candidates'
LANGUAGE C STRICT STABLE PARALLEL SAFE ROWS 1000
SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION jobstream.generate_candidates(bigint, bigint, date) IS
'Generates n realistic candidates from the reference tables, deterministically for a seed and as_of (default: today); ages are counted in the year of as_of';

-- Why this match: the five weighted components of compatibility_score, in
-- points (they add up to the score, up to rounding).  Filled by the matcher
-- and generate_applications, optional in the job_applications messages;
-- NULL when an application did not carry them.
ALTER TABLE jobstream.job_applications
	ADD COLUMN category_score numeric(5,2) CHECK (category_score BETWEEN 0 AND 100),
	ADD COLUMN skills_score numeric(5,2) CHECK (skills_score BETWEEN 0 AND 100),
	ADD COLUMN experience_score numeric(5,2) CHECK (experience_score BETWEEN 0 AND 100),
	ADD COLUMN seniority_score numeric(5,2) CHECK (seniority_score BETWEEN 0 AND 100),
	ADD COLUMN salary_score numeric(5,2) CHECK (salary_score BETWEEN 0 AND 100);
COMMENT ON COLUMN jobstream.job_applications.category_score IS 'Points of compatibility_score for the job category (weight 30 by default)';
COMMENT ON COLUMN jobstream.job_applications.skills_score IS 'Points of compatibility_score for the skills overlap (weight 30 by default)';
COMMENT ON COLUMN jobstream.job_applications.experience_score IS 'Points of compatibility_score for the years of experience (weight 20 by default)';
COMMENT ON COLUMN jobstream.job_applications.seniority_score IS 'Points of compatibility_score for the seniority level (weight 10 by default)';
COMMENT ON COLUMN jobstream.job_applications.salary_score IS 'Points of compatibility_score for the salary fit (weight 10 by default)';

-- generate_applications returns those columns too.  They follow updated_at
-- in the table, so the function returns updated_at as well (equal to
-- applied_at: a generated application last changed when it was made), and
-- INSERT INTO jobstream.job_applications SELECT * FROM
-- jobstream.generate_applications(...) still lines up.
DROP FUNCTION jobstream.generate_applications(bigint, bigint);
CREATE FUNCTION jobstream.generate_applications(n bigint, seed bigint DEFAULT 0)
RETURNS TABLE (
	application_id uuid, candidate_id uuid, post_id uuid, status text,
	compatibility_score numeric, applied_at timestamptz, updated_at timestamptz,
	category_score numeric, skills_score numeric, experience_score numeric,
	seniority_score numeric, salary_score numeric)
AS 'MODULE_PATHNAME', 'jobstream_generate_applications'
LANGUAGE C STRICT STABLE PARALLEL SAFE ROWS 1000
SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION jobstream.generate_applications(bigint, bigint) IS
'Generates n job applications of existing candidates to existing job posts (the first 500,000 of each by id), never twice the same pair nor a pair already in job_applications, scored by the compatibility rules with the points of each component; updated_at equals applied_at; deterministic for a seed and the same tables';
REVOKE ALL ON FUNCTION jobstream.generate_applications(bigint, bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION jobstream.generate_applications(bigint, bigint) TO jobstream_writer;

-- The campaigns of a post ------------------------------------------------------
--
-- Generated tracking events run each post in 1-3 campaigns of 4 ad groups,
-- chosen from its post_id alone.  post_campaigns says which, so that the
-- job -> company, campaign, group dimension (jobstream.job_campaigns) can be
-- filled before a single event arrives.

CREATE FUNCTION jobstream.post_campaigns(post_id uuid)
RETURNS TABLE (campaign_id integer, group_id integer)
AS 'MODULE_PATHNAME', 'jobstream_post_campaigns'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE ROWS 8;
COMMENT ON FUNCTION jobstream.post_campaigns(uuid) IS
'The campaigns and ad groups in which generate_tracking_events and jobstream-gen run the events of a post (1-3 campaigns of 4 groups, from the post_id alone)';
REVOKE ALL ON FUNCTION jobstream.post_campaigns(uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION jobstream.post_campaigns(uuid) TO jobstream_writer;

-- Category -> Title -> Skills ---------------------------------------------------
--
-- Which skills hang off a job title, where public data says so
-- (data/title_skills.csv, derived from O*NET's technology skills per
-- occupation, see data/SOURCES.md): generate_job_posts and jobstream-gen draw
-- about two thirds of a post's required skills from its title's list when it
-- has three or more, the rest from the family; titles without a list use
-- the family's skills alone.

CREATE TABLE jobstream.title_skills (
	title text NOT NULL REFERENCES jobstream.job_titles ON UPDATE CASCADE ON DELETE CASCADE,
	skill text NOT NULL REFERENCES jobstream.skills ON UPDATE CASCADE ON DELETE CASCADE,
	builtin boolean NOT NULL DEFAULT false,
	PRIMARY KEY (title, skill)
);
COMMENT ON TABLE jobstream.title_skills IS 'Which skills belong to which job title (a subset of its family''s, from O*NET technology skills); generated posts of a title with three or more draw most of their skills from here';
SELECT jobstream.load_reference_csv('jobstream.title_skills', 'title_skills.csv');
SELECT pg_catalog.pg_extension_config_dump('jobstream.title_skills', 'WHERE NOT builtin');
GRANT SELECT, INSERT, UPDATE, DELETE ON jobstream.title_skills TO jobstream_writer;
CREATE TRIGGER reference_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON jobstream.title_skills
	FOR EACH STATEMENT EXECUTE FUNCTION jobstream.reference_changed();
