-- The reference data meets the minimums the generators and dashboards need.
BEGIN;
SELECT plan(27);

SELECT cmp_ok((SELECT count(*) FROM jobstream.job_families), '>=', 13::bigint, '13+ job families');
SELECT cmp_ok((SELECT count(*) FROM jobstream.job_titles), '>=', 300::bigint, '300+ job titles');
SELECT is((SELECT count(*) FROM jobstream.job_families f
	WHERE NOT EXISTS (SELECT FROM jobstream.job_titles t WHERE t.family = f.family)), 0::bigint,
	'every family has titles');
SELECT is((SELECT count(*) FROM jobstream.job_titles WHERE domain IS NULL OR domain = ''), 0::bigint,
	'every title has a domain');
SELECT set_eq('SELECT DISTINCT skill_group FROM jobstream.skills',
	ARRAY['technical', 'business', 'soft'], 'skills come in technical, business and soft groups');
SELECT is((SELECT count(*) FROM jobstream.job_families f
	WHERE NOT EXISTS (SELECT FROM jobstream.family_skills s WHERE s.family = f.family)), 0::bigint,
	'every family has skills');
SELECT cmp_ok((SELECT count(*) FROM jobstream.skill_aliases), '>', 0::bigint, 'skills have aliases');
SELECT is((SELECT skill FROM jobstream.skill_aliases WHERE lower(alias) = 'k8s'), 'Kubernetes',
	'k8s is an alias of Kubernetes');
SELECT is((SELECT count(*) FROM jobstream.job_families f
	WHERE NOT EXISTS (SELECT FROM jobstream.certifications c WHERE c.family = f.family)), 0::bigint,
	'every family has certifications');
SELECT ok((SELECT bool_and(EXISTS (SELECT FROM jobstream.certifications c WHERE c.certification ILIKE '%' || n || '%'))
	FROM unnest(ARRAY['AWS', 'PMP', 'CISSP', 'CPA', 'CFA']) n), 'AWS, PMP, CISSP, CPA and CFA certifications exist');
SELECT cmp_ok((SELECT count(*) FROM jobstream.cities), '>=', 150::bigint, '150+ cities');
SELECT is((SELECT count(*) FROM jobstream.cities WHERE latitude IS NULL OR longitude IS NULL), 0::bigint,
	'every city has coordinates');
SELECT is((SELECT count(*) FROM jobstream.countries WHERE region IS NULL AND country_code <> 'AQ'), 0::bigint,
	'every country but Antarctica has a region');
SELECT cmp_ok((SELECT count(*) FROM jobstream.countries WHERE language IS NOT NULL), '>=', 150::bigint,
	'countries have their main language');
SELECT is((SELECT country FROM jobstream.countries WHERE country_code = 'NA'), 'Namibia',
	'country code NA is Namibia, not NULL');
SELECT is((SELECT count(*) FROM jobstream.employment_types), 7::bigint, '7 employment types');
SELECT is((SELECT count(*) FROM jobstream.education_levels), 8::bigint, '8 education levels');
SELECT set_eq('SELECT work_mode FROM jobstream.work_modes', ARRAY['On-site', 'Remote', 'Hybrid'], '3 work modes');
SELECT cmp_ok((SELECT count(*) FROM jobstream.industries), '>=', 50::bigint, '50+ industries');
SELECT is((SELECT count(*) FROM jobstream.platforms), 20::bigint, '20 posting platforms');
SELECT cmp_ok((SELECT count(*) FROM jobstream.companies), '>=', 300::bigint, '300+ companies');
SELECT cmp_ok((SELECT count(DISTINCT country_code) FROM jobstream.first_names), '>=', 20::bigint,
	'first names for 20+ nationalities');
SELECT cmp_ok((SELECT count(DISTINCT country_code) FROM jobstream.last_names), '>=', 20::bigint,
	'last names for 20+ nationalities');
SELECT results_eq('SELECT level FROM jobstream.seniority_levels ORDER BY rank',
	ARRAY['Intern', 'Entry', 'Junior', 'Mid', 'Senior', 'Lead', 'Director', 'Executive'],
	'the seniority ladder of docs/architecture.md');
SELECT ok((SELECT bool_and(salary_min > prev_min) FROM (SELECT salary_min,
	lag(salary_min) OVER (ORDER BY rank) AS prev_min FROM jobstream.seniority_levels) s
	WHERE prev_min IS NOT NULL), 'salary bands rise with seniority');
SELECT is((SELECT count(*) FROM jobstream.skills WHERE NOT builtin), 0::bigint,
	'shipped rows are marked builtin');
SELECT is(jobstream.load_reference_csv('jobstream.skills', 'skills.csv'), 0::bigint,
	'loading the shipped file again adds nothing');

SELECT * FROM finish();
ROLLBACK;
