-- Enriched posts: the skills found in a post's description, stored with the
-- post (job_posts.description_skills), so that the cold path (Parquet
-- exports) and the views read them instead of running the extractor again.
--
-- Filled when a post is written: a BEFORE INSERT OR UPDATE row trigger (in
-- C, src/enrich.c: it is on the ingest path) sets it from the description (every write path goes through it: the ingest
-- workers' upsert, COPY, the generators, hand edits; a value written to the
-- column directly is replaced).  Kept in step when the skills change: a
-- statement trigger on skills and skill_aliases re-extracts the posts whose
-- stored list differs.  That trigger is named to fire after skills_changed
-- (triggers of one event fire in name order), whose relcache invalidation
-- makes extract_skills rebuild its automaton before the UPDATE runs.  A
-- change of the skill tables costs one pass over job_posts; they change
-- rarely.
--
-- The post rollups (65_counts.sql) count the stored list, so this part comes
-- before them: a post's skills are extracted once per write, and a change
-- of the skill tables moves each re-extracted post from its old list to its
-- new one in the rollups, exactly.

ALTER TABLE jobstream.job_posts ADD COLUMN description_skills text[];
COMMENT ON COLUMN jobstream.job_posts.description_skills IS
'Canonical names of the skills found in description (jobstream.extract_skills), kept by triggers; NULL when description is NULL';

CREATE FUNCTION jobstream.job_posts_description_skills()
RETURNS trigger
AS 'MODULE_PATHNAME', 'jobstream_description_skills'
LANGUAGE C;
COMMENT ON FUNCTION jobstream.job_posts_description_skills() IS
'Row trigger on job_posts: sets description_skills from description';

CREATE TRIGGER description_skills
	BEFORE INSERT OR UPDATE ON jobstream.job_posts
	FOR EACH ROW EXECUTE FUNCTION jobstream.job_posts_description_skills();

CREATE FUNCTION jobstream.refresh_description_skills()
RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	PERFORM jobstream.trigger_guard(TG_RELID, 'refresh_description_skills',
		'{jobstream.skills, jobstream.skill_aliases}');
	-- the row trigger above computes the new value
	UPDATE jobstream.job_posts SET description = description
	WHERE description_skills IS DISTINCT FROM jobstream.extract_skills(description);
	RETURN NULL;
END
$$;
COMMENT ON FUNCTION jobstream.refresh_description_skills() IS
'Statement trigger on skills and skill_aliases: re-extracts description_skills of the job posts whose stored list no longer matches';
REVOKE ALL ON FUNCTION jobstream.refresh_description_skills() FROM PUBLIC;

CREATE TRIGGER skills_changed_posts
	AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON jobstream.skills
	FOR EACH STATEMENT EXECUTE FUNCTION jobstream.refresh_description_skills();
CREATE TRIGGER skill_aliases_changed_posts
	AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON jobstream.skill_aliases
	FOR EACH STATEMENT EXECUTE FUNCTION jobstream.refresh_description_skills();

-- Posts written before this version.  The rollup triggers of 0.2, which
-- 65_counts.sql replaces and rebuilds, need not see this.
ALTER TABLE jobstream.job_posts DISABLE TRIGGER rollup_update;
UPDATE jobstream.job_posts SET description = description WHERE description IS NOT NULL;
ALTER TABLE jobstream.job_posts ENABLE TRIGGER rollup_update;
