-- Compatibility scoring, top-k matching and skill extraction (DESIGN.md,
-- "Compatibility score"), implemented in C (src/score.c, src/extract.c,
-- src/score_sql.c).
--
-- Scores are numeric with 2 decimals.  A NULL input makes its component 0;
-- an unknown seniority level, a negative, NULL or non-finite weight, or
-- weights that are all zero, are errors (SQLSTATE 22023 / 22004).
-- The row overloads are SQL-standard function bodies: they are bound to
-- their objects when created (so search_path cannot redirect them) and are
-- inlined into the calling query.

CREATE FUNCTION jobstream.compatibility_score(
	cand_category text, cand_skills text[], years_experience integer,
	cand_level text, expected_salary numeric,
	job_category text, required_skills text[], min_years_experience integer,
	job_level text, salary_max numeric,
	w_category real DEFAULT 30, w_skills real DEFAULT 30,
	w_experience real DEFAULT 20, w_seniority real DEFAULT 10,
	w_salary real DEFAULT 10)
RETURNS numeric
AS 'MODULE_PATHNAME', 'jobstream_compatibility_score'
LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION jobstream.compatibility_score(text, text[], integer, text, numeric, text, text[], integer, text, numeric, real, real, real, real, real) IS
'Compatibility score (0-100 with the default weights, 2 decimals) of a candidate and a job: category 30, skills 30 (Jaccard, case-insensitive, blanks and duplicates ignored), experience 20, seniority 10, salary 10; a NULL input makes its component 0; the weights replace the default points of each component';

CREATE FUNCTION jobstream.compatibility_score(
	c jobstream.candidates, p jobstream.job_posts,
	w_category real DEFAULT 30, w_skills real DEFAULT 30,
	w_experience real DEFAULT 20, w_seniority real DEFAULT 10,
	w_salary real DEFAULT 10)
RETURNS numeric
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN jobstream.compatibility_score(
	c.job_category, c.skills, c.years_experience, c.experience_level,
	c.expected_salary, p.job_category, p.required_skills,
	p.min_years_experience, p.experience_level, p.salary_max,
	w_category, w_skills, w_experience, w_seniority, w_salary);
COMMENT ON FUNCTION jobstream.compatibility_score(jobstream.candidates, jobstream.job_posts, real, real, real, real, real) IS
'Compatibility score of a candidates row and a job_posts row, with optional weights';

CREATE FUNCTION jobstream.score_breakdown(
	cand_category text, cand_skills text[], years_experience integer,
	cand_level text, expected_salary numeric,
	job_category text, required_skills text[], min_years_experience integer,
	job_level text, salary_max numeric,
	w_category real DEFAULT 30, w_skills real DEFAULT 30,
	w_experience real DEFAULT 20, w_seniority real DEFAULT 10,
	w_salary real DEFAULT 10,
	OUT category numeric, OUT skills numeric, OUT experience numeric,
	OUT seniority numeric, OUT salary numeric, OUT total numeric)
RETURNS record
AS 'MODULE_PATHNAME', 'jobstream_score_breakdown'
LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION jobstream.score_breakdown(text, text[], integer, text, numeric, text, text[], integer, text, numeric, real, real, real, real, real) IS
'Each component of compatibility_score and the total, rounded to 2 decimals; total is the rounded sum of the unrounded components, exactly what compatibility_score returns';

CREATE FUNCTION jobstream.score_breakdown(
	c jobstream.candidates, p jobstream.job_posts,
	w_category real DEFAULT 30, w_skills real DEFAULT 30,
	w_experience real DEFAULT 20, w_seniority real DEFAULT 10,
	w_salary real DEFAULT 10,
	OUT category numeric, OUT skills numeric, OUT experience numeric,
	OUT seniority numeric, OUT salary numeric, OUT total numeric)
RETURNS record
LANGUAGE sql IMMUTABLE PARALLEL SAFE
BEGIN ATOMIC
	SELECT * FROM jobstream.score_breakdown(
		c.job_category, c.skills, c.years_experience, c.experience_level,
		c.expected_salary, p.job_category, p.required_skills,
		p.min_years_experience, p.experience_level, p.salary_max,
		w_category, w_skills, w_experience, w_seniority, w_salary);
END;
COMMENT ON FUNCTION jobstream.score_breakdown(jobstream.candidates, jobstream.job_posts, real, real, real, real, real) IS
'score_breakdown of a candidates row and a job_posts row, with optional weights';

CREATE FUNCTION jobstream.application_status(score numeric, u double precision)
RETURNS text
AS 'MODULE_PATHNAME', 'jobstream_application_status'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION jobstream.application_status(numeric, double precision) IS
'Status of an application from its score (0-100) and a uniform draw u in [0,1): 75+ Interview Scheduled if u < 0.6 else Applied; 60+ Applied if u < 0.7 else Under Review; 40+ Applied if u < 0.5 else Not a Fit; below 40 Rejected if u < 0.8 else Not a Fit.  NULL in, NULL out';

CREATE FUNCTION jobstream.top_matches(post_id uuid, k integer DEFAULT 10)
RETURNS TABLE (candidate_id uuid, score numeric, rank integer)
AS 'MODULE_PATHNAME', 'jobstream_top_matches'
LANGUAGE C STABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION jobstream.top_matches(uuid, integer) IS
'The k best candidates for a job post by compatibility_score (default weights), rank 1 first, ties by candidate_id; one sequential scan of jobstream.candidates';

CREATE FUNCTION jobstream.top_jobs(candidate_id uuid, k integer DEFAULT 10)
RETURNS TABLE (post_id uuid, score numeric, rank integer)
AS 'MODULE_PATHNAME', 'jobstream_top_jobs'
LANGUAGE C STABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION jobstream.top_jobs(uuid, integer) IS
'The k best open job posts (deadline_date NULL or not past) for a candidate by compatibility_score (default weights), rank 1 first, ties by post_id; one sequential scan of jobstream.job_posts';

-- extract_skills runs its catalog queries (only when the cached automaton
-- is stale) under search_path = pg_catalog, pg_temp set in C, so that the
-- per-call cost of a SET clause is not paid on every text.
CREATE FUNCTION jobstream.extract_skills(description text)
RETURNS text[]
AS 'MODULE_PATHNAME', 'jobstream_extract_skills'
LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION jobstream.extract_skills(text) IS
'Canonical names of the skills of jobstream.skills found in a text, directly or through jobstream.skill_aliases: case-insensitive, on word boundaries, leftmost-longest, distinct, in order of first appearance';

CREATE FUNCTION jobstream.skills_changed()
RETURNS trigger
AS 'MODULE_PATHNAME', 'jobstream_skills_changed'
LANGUAGE C VOLATILE;
COMMENT ON FUNCTION jobstream.skills_changed() IS
'Trigger on skills and skill_aliases: tells every session to rebuild the skill automaton of extract_skills';

CREATE TRIGGER skills_changed
	AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON jobstream.skills
	FOR EACH STATEMENT EXECUTE FUNCTION jobstream.skills_changed();
CREATE TRIGGER skill_aliases_changed
	AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON jobstream.skill_aliases
	FOR EACH STATEMENT EXECUTE FUNCTION jobstream.skills_changed();

