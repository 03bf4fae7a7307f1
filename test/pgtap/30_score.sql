-- compatibility_score, score_breakdown and application_status: every
-- component and its edges against hand-computed values
-- (docs/architecture.md, "Compatibility score").
BEGIN;
SELECT plan(88);

-- Component by component: only the component under test has inputs, the
-- others are NULL (and so 0).
CREATE FUNCTION pg_temp.part(which text, cc text, cs text[], y integer, cl text,
	es numeric, jc text, js text[], my integer, jl text, sm numeric)
RETURNS numeric LANGUAGE sql AS $$
	SELECT CASE which
		WHEN 'category' THEN b.category WHEN 'skills' THEN b.skills
		WHEN 'experience' THEN b.experience WHEN 'seniority' THEN b.seniority
		WHEN 'salary' THEN b.salary ELSE b.total END
	FROM jobstream.score_breakdown(cc, cs, y, cl, es, jc, js, my, jl, sm) b
$$;

-- category (30)
SELECT is(pg_temp.part('category', 'Software Engineering', NULL, NULL, NULL, NULL, 'software ENGINEERING', NULL, NULL, NULL, NULL), 30.00, 'category: equal ignoring case');
SELECT is(pg_temp.part('category', 'Marketing', NULL, NULL, NULL, NULL, 'Sales', NULL, NULL, NULL, NULL), 0.00, 'category: different');
SELECT is(pg_temp.part('category', 'Marketing', NULL, NULL, NULL, NULL, 'Marketing ', NULL, NULL, NULL, NULL), 0.00, 'category: not trimmed (equality, not a skill list)');
SELECT is(pg_temp.part('category', NULL, NULL, NULL, NULL, NULL, 'Marketing', NULL, NULL, NULL, NULL), 0.00, 'category: NULL candidate category');
SELECT is(pg_temp.part('category', 'Marketing', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL), 0.00, 'category: NULL job category');
SELECT is(pg_temp.part('category', 'Café Ops', NULL, NULL, NULL, NULL, 'CAFÉ OPS', NULL, NULL, NULL, NULL), 30.00, 'category: Latin-1 letters fold');

-- skills (30 x Jaccard)
SELECT is(pg_temp.part('skills', NULL, '{python, SQL ,sql}', NULL, NULL, NULL, NULL, '{PYTHON,sql,go,rust}', NULL, NULL, NULL), 15.00, 'skills: case, blanks and duplicates ignored, 2/4');
SELECT is(pg_temp.part('skills', NULL, '{a,b,c}', NULL, NULL, NULL, NULL, '{b,c,d}', NULL, NULL, NULL), 15.00, 'skills: 2/4');
SELECT is(pg_temp.part('skills', NULL, '{a}', NULL, NULL, NULL, NULL, '{A,b,c}', NULL, NULL, NULL), 10.00, 'skills: 1/3');
SELECT is(pg_temp.part('skills', NULL, '{a,b}', NULL, NULL, NULL, NULL, '{a,b,c}', NULL, NULL, NULL), 20.00, 'skills: 2/3');
SELECT is(pg_temp.part('skills', NULL, '{a}', NULL, NULL, NULL, NULL, '{a,b,c,d,e,f,g}', NULL, NULL, NULL), 4.29, 'skills: 1/7 rounds to 4.29');
SELECT is(pg_temp.part('skills', NULL, '{a,b,c}', NULL, NULL, NULL, NULL, '{d}', NULL, NULL, NULL), 0.00, 'skills: disjoint');
SELECT is(pg_temp.part('skills', NULL, '{a,a,A," a "}', NULL, NULL, NULL, NULL, '{a}', NULL, NULL, NULL), 30.00, 'skills: duplicates count once');
SELECT is(pg_temp.part('skills', NULL, ARRAY['a', '', '  ', NULL], NULL, NULL, NULL, NULL, '{a}', NULL, NULL, NULL), 30.00, 'skills: blank and NULL elements ignored');
SELECT is(pg_temp.part('skills', NULL, '{}', NULL, NULL, NULL, NULL, '{}', NULL, NULL, NULL), 0.00, 'skills: both empty');
SELECT is(pg_temp.part('skills', NULL, '{"",NULL}', NULL, NULL, NULL, NULL, '{" "}', NULL, NULL, NULL), 0.00, 'skills: both empty after dropping blanks');
SELECT is(pg_temp.part('skills', NULL, '{}', NULL, NULL, NULL, NULL, '{a}', NULL, NULL, NULL), 0.00, 'skills: candidate empty');
SELECT is(pg_temp.part('skills', NULL, NULL, NULL, NULL, NULL, NULL, '{a}', NULL, NULL, NULL), 0.00, 'skills: NULL candidate skills');
SELECT is(pg_temp.part('skills', NULL, '{a}', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL), 0.00, 'skills: NULL required skills');
SELECT is(pg_temp.part('skills', NULL, '{Ærø,Straße}', NULL, NULL, NULL, NULL, '{ærø,STRASSE}', NULL, NULL, NULL), 10.00, 'skills: Latin-1 folds, ß is not SS: 1/3');
SELECT is(pg_temp.part('skills', NULL, '{{a,b},{c,d}}', NULL, NULL, NULL, NULL, '{a,b,c,d}', NULL, NULL, NULL), 30.00, 'skills: a two-dimensional array counts all its elements');

-- experience (20)
SELECT is(pg_temp.part('experience', NULL, NULL, 3, NULL, NULL, NULL, NULL, 4, NULL, NULL), 15.00, 'experience: 3 of 4 years');
SELECT is(pg_temp.part('experience', NULL, NULL, 1, NULL, NULL, NULL, NULL, 3, NULL, NULL), 6.67, 'experience: 1 of 3 years');
SELECT is(pg_temp.part('experience', NULL, NULL, 4, NULL, NULL, NULL, NULL, 4, NULL, NULL), 20.00, 'experience: exactly the minimum');
SELECT is(pg_temp.part('experience', NULL, NULL, 9, NULL, NULL, NULL, NULL, 4, NULL, NULL), 20.00, 'experience: more than the minimum');
SELECT is(pg_temp.part('experience', NULL, NULL, 0, NULL, NULL, NULL, NULL, 0, NULL, NULL), 20.00, 'experience: job asks 0 years');
SELECT is(pg_temp.part('experience', NULL, NULL, 0, NULL, NULL, NULL, NULL, -2, NULL, NULL), 20.00, 'experience: job asks less than 0');
SELECT is(pg_temp.part('experience', NULL, NULL, 0, NULL, NULL, NULL, NULL, 5, NULL, NULL), 0.00, 'experience: no years');
SELECT is(pg_temp.part('experience', NULL, NULL, -3, NULL, NULL, NULL, NULL, 5, NULL, NULL), 0.00, 'experience: negative years count as 0');
SELECT is(pg_temp.part('experience', NULL, NULL, NULL, NULL, NULL, NULL, NULL, 0, NULL, NULL), 0.00, 'experience: NULL years is 0 even when the job asks 0');
SELECT is(pg_temp.part('experience', NULL, NULL, 5, NULL, NULL, NULL, NULL, NULL, NULL, NULL), 0.00, 'experience: NULL minimum');

-- seniority (10 / 5 / 0): every pair of the ladder
SELECT is(
	(SELECT count(*) FROM unnest(ARRAY['Intern','Entry','Junior','Mid','Senior','Lead','Director','Executive']) WITH ORDINALITY a(l, i),
		unnest(ARRAY['intern','ENTRY','Junior','mid','SeNiOr','lead','Director','executive']) WITH ORDINALITY b(l, j)
	WHERE pg_temp.part('seniority', NULL, NULL, NULL, a.l, NULL, NULL, NULL, NULL, b.l, NULL)
		<> CASE abs(i - j) WHEN 0 THEN 10 WHEN 1 THEN 5 ELSE 0 END),
	0::bigint, 'seniority: all 64 pairs, 10 at distance 0, 5 at 1, else 0');
SELECT is(pg_temp.part('seniority', NULL, NULL, NULL, 'Senior', NULL, NULL, NULL, NULL, 'senior', NULL), 10.00, 'seniority: distance 0');
SELECT is(pg_temp.part('seniority', NULL, NULL, NULL, 'Senior', NULL, NULL, NULL, NULL, 'Lead', NULL), 5.00, 'seniority: distance 1 up');
SELECT is(pg_temp.part('seniority', NULL, NULL, NULL, 'Senior', NULL, NULL, NULL, NULL, 'Mid', NULL), 5.00, 'seniority: distance 1 down');
SELECT is(pg_temp.part('seniority', NULL, NULL, NULL, 'Junior', NULL, NULL, NULL, NULL, 'Senior', NULL), 0.00, 'seniority: distance 2');
SELECT is(pg_temp.part('seniority', NULL, NULL, NULL, 'Intern', NULL, NULL, NULL, NULL, 'Executive', NULL), 0.00, 'seniority: distance 7');
SELECT is(pg_temp.part('seniority', NULL, NULL, NULL, ' DIRECTOR ', NULL, NULL, NULL, NULL, 'director', NULL), 10.00, 'seniority: case and surrounding blanks ignored');
SELECT is(pg_temp.part('seniority', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 'Lead', NULL), 0.00, 'seniority: NULL candidate level');
SELECT is(pg_temp.part('seniority', NULL, NULL, NULL, 'Lead', NULL, NULL, NULL, NULL, NULL, NULL), 0.00, 'seniority: NULL job level');

-- salary (10)
SELECT is(pg_temp.part('salary', NULL, NULL, NULL, NULL, 90000, NULL, NULL, NULL, NULL, 100000), 10.00, 'salary: under the maximum');
SELECT is(pg_temp.part('salary', NULL, NULL, NULL, NULL, 100000, NULL, NULL, NULL, NULL, 100000), 10.00, 'salary: at the maximum');
SELECT is(pg_temp.part('salary', NULL, NULL, NULL, NULL, 110000, NULL, NULL, NULL, NULL, 100000), 9.00, 'salary: 10% over');
SELECT is(pg_temp.part('salary', NULL, NULL, NULL, NULL, 150000, NULL, NULL, NULL, NULL, 100000), 5.00, 'salary: 50% over');
SELECT is(pg_temp.part('salary', NULL, NULL, NULL, NULL, 100500, NULL, NULL, NULL, NULL, 100000), 9.95, 'salary: 0.5% over');
SELECT is(pg_temp.part('salary', NULL, NULL, NULL, NULL, 200000, NULL, NULL, NULL, NULL, 100000), 0.00, 'salary: twice the maximum');
SELECT is(pg_temp.part('salary', NULL, NULL, NULL, NULL, 350000, NULL, NULL, NULL, NULL, 100000), 0.00, 'salary: more than twice, not negative');
SELECT is(pg_temp.part('salary', NULL, NULL, NULL, NULL, 0, NULL, NULL, NULL, NULL, 0), 0.00, 'salary: salary_max 0 scores 0, even for 0 expected');
SELECT is(pg_temp.part('salary', NULL, NULL, NULL, NULL, 50000, NULL, NULL, NULL, NULL, -1), 0.00, 'salary: negative salary_max');
SELECT is(pg_temp.part('salary', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 100000), 0.00, 'salary: NULL expected salary');
SELECT is(pg_temp.part('salary', NULL, NULL, NULL, NULL, 90000, NULL, NULL, NULL, NULL, NULL), 0.00, 'salary: NULL salary_max');

-- totals and rounding
SELECT is(jobstream.compatibility_score('IT', '{python, SQL ,sql}', 3, 'senior', 110, 'it', '{PYTHON,sql,go,rust}', 4, 'Lead', 100), 74.00,
	'total: 30 + 15 + 15 + 5 + 9');
SELECT is(jobstream.compatibility_score('IT', '{a}', 1, NULL, NULL, 'Ops', '{a,b,c,d,e,f,g}', 3, NULL, NULL), 10.95,
	'total: 4.2857 + 6.6667 rounds once, to 10.95');
SELECT is(jobstream.compatibility_score('IT', '{a,b}', 9, 'Mid', 1, 'it', '{B,A}', 2, 'mid', 2), 100.00, 'total: perfect match');
SELECT is(jobstream.compatibility_score(NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL), 0.00, 'total: all NULL is 0');
SELECT is(scale(jobstream.compatibility_score('IT', '{a}', 1, NULL, NULL, 'it', '{a}', 1, NULL, NULL)), 2, 'total has 2 decimals');
SELECT is((SELECT row(b.*)::text FROM jobstream.score_breakdown('IT', '{a}', 1, 'Senior', 110, 'Ops', '{a,b,c,d,e,f,g}', 3, 'Lead', 100) b),
	'(0.00,4.29,6.67,5.00,9.00,24.95)', 'score_breakdown: every component and the total');

-- weights
SELECT is(jobstream.compatibility_score('IT', '{a,b}', 9, 'Mid', 1, 'it', '{B,A}', 2, 'mid', 2, 1, 1, 1, 1, 1), 5.00, 'weights: all 1 on a perfect match');
SELECT is(jobstream.compatibility_score('IT', '{a,b}', 9, 'Mid', 1, 'it', '{B,A}', 2, 'mid', 2, w_skills => 50), 120.00, 'weights: w_skills 50 by name');
SELECT is(jobstream.compatibility_score('IT', '{a}', 3, 'Senior', 110, 'it', '{a,b}', 4, 'Lead', 100, 0, 40, 0, 0, 0), 20.00, 'weights: skills only, 40 x 1/2');
SELECT is(jobstream.compatibility_score('IT', '{a}', 3, 'Senior', 110, 'it', '{a,b}', 4, 'Lead', 100, 10, 10, 10, 10, 10), 36.50,
	'weights: 10 each: 10 + 5 + 7.5 + 5 + 9');
SELECT is((SELECT row(b.*)::text FROM jobstream.score_breakdown('IT', '{a}', 3, 'Senior', 110, 'it', '{a,b}', 4, 'Lead', 100, w_seniority => 0, w_salary => 0.5) b),
	'(30.00,15.00,15.00,0.00,0.45,60.45)', 'weights: breakdown with w_seniority 0 and w_salary 0.5');

-- row overloads agree with the argument form
INSERT INTO jobstream.candidates (candidate_id, full_name, job_category, skills, years_experience, experience_level, expected_salary)
VALUES ('00000000-0000-0000-0000-0000000000c1', 'Test Candidate', 'Software Engineering', '{Python, sql ,Go}', 3, 'Senior', 110000);
INSERT INTO jobstream.job_posts (post_id, company, job_title, job_category, required_skills, min_years_experience, experience_level, salary_max)
VALUES ('00000000-0000-0000-0000-0000000000f1', 'Test Co', 'Engineer', 'Software Engineering', '{python,SQL,Rust,Docker}', 4, 'Lead', 100000);
SELECT is((SELECT jobstream.compatibility_score(c, p) FROM jobstream.candidates c, jobstream.job_posts p
	WHERE c.candidate_id = '00000000-0000-0000-0000-0000000000c1' AND p.post_id = '00000000-0000-0000-0000-0000000000f1'),
	71.00, 'row overload: 30 + 30 x 2/5 + 15 + 5 + 9');
SELECT is((SELECT jobstream.compatibility_score(c, p, w_category => 0) FROM jobstream.candidates c, jobstream.job_posts p
	WHERE c.candidate_id = '00000000-0000-0000-0000-0000000000c1' AND p.post_id = '00000000-0000-0000-0000-0000000000f1'),
	41.00, 'row overload with a weight');
SELECT is((SELECT row(b.*)::text FROM jobstream.candidates c, jobstream.job_posts p, jobstream.score_breakdown(c, p) b
	WHERE c.candidate_id = '00000000-0000-0000-0000-0000000000c1' AND p.post_id = '00000000-0000-0000-0000-0000000000f1'),
	'(30.00,12.00,15.00,5.00,9.00,71.00)', 'score_breakdown row overload');

-- bad input
SELECT throws_ok($$SELECT jobstream.compatibility_score('a', '{}', 1, NULL, 1, 'a', '{}', 1, NULL, 1, w_skills => -1)$$,
	'22023', 'w_skills must not be negative: -1', 'negative weight is an error naming it');
SELECT throws_ok($$SELECT jobstream.compatibility_score('a', '{}', 1, NULL, 1, 'a', '{}', 1, NULL, 1, 0, 0, 0, 0, 0)$$,
	'22023', 'all weights are zero', 'all weights zero is an error');
SELECT throws_ok($$SELECT jobstream.compatibility_score('a', '{}', 1, NULL, 1, 'a', '{}', 1, NULL, 1, w_salary => NULL)$$,
	'22004', 'w_salary must not be null', 'NULL weight is an error');
SELECT throws_ok($$SELECT jobstream.compatibility_score('a', '{}', 1, NULL, 1, 'a', '{}', 1, NULL, 1, w_category => 'NaN')$$,
	'22023', 'w_category must be a finite number: NaN', 'NaN weight is an error');
SELECT throws_ok($$SELECT jobstream.compatibility_score('a', '{}', 1, 'Boss', 1, 'a', '{}', 1, 'Lead', 1)$$,
	'22023', 'unknown seniority level "Boss" in cand_level', 'unknown candidate level is an error naming it');
SELECT throws_ok($$SELECT jobstream.score_breakdown('a', '{}', 1, 'Lead', 1, 'a', '{}', 1, 'Senior Staff', 1)$$,
	'22023', 'unknown seniority level "Senior Staff" in job_level', 'unknown job level is an error naming it');
SELECT throws_ok($$SELECT jobstream.compatibility_score('a', '{}', 1, NULL, 'NaN', 'a', '{}', 1, NULL, 1)$$,
	'22023', 'expected_salary must not be NaN', 'NaN salary is an error');

-- application_status: every band boundary
SELECT is(jobstream.application_status(100, 0), 'Interview Scheduled', 'status: 100, u 0');
SELECT is(jobstream.application_status(75, 0.5999), 'Interview Scheduled', 'status: 75, u < 0.6');
SELECT is(jobstream.application_status(75, 0.6), 'Applied', 'status: 75, u 0.6');
SELECT is(jobstream.application_status(74.99, 0.6999), 'Applied', 'status: 74.99, u < 0.7');
SELECT is(jobstream.application_status(60, 0.7), 'Under Review', 'status: 60, u 0.7');
SELECT is(jobstream.application_status(59.99, 0.4999), 'Applied', 'status: 59.99, u < 0.5');
SELECT is(jobstream.application_status(40, 0.5), 'Not a Fit', 'status: 40, u 0.5');
SELECT is(jobstream.application_status(39.99, 0.7999), 'Rejected', 'status: 39.99, u < 0.8');
SELECT is(jobstream.application_status(0, 0.8), 'Not a Fit', 'status: 0, u 0.8');
SELECT is(jobstream.application_status(74.99999999999999999999, 0.7), 'Under Review', 'status: a hair under 75 stays in the 60 band');
SELECT is(jobstream.application_status(NULL, 0.5), NULL, 'status: NULL score gives NULL');
SELECT throws_ok($$SELECT jobstream.application_status(50, 1)$$, '22023', 'u must be in [0, 1): 1', 'status: u 1 is an error');
SELECT throws_ok($$SELECT jobstream.application_status(50, -0.1)$$, '22023', 'u must be in [0, 1): -0.1', 'status: negative u is an error');
SELECT throws_ok($$SELECT jobstream.application_status(100.01, 0.1)$$, '22023', 'score must be between 0 and 100: 100.01', 'status: score over 100 is an error');
SELECT throws_ok($$SELECT jobstream.application_status(-0.01, 0.1)$$, '22023', 'score must be between 0 and 100: -0.01', 'status: negative score is an error');
SELECT throws_ok($$SELECT jobstream.application_status('NaN', 0.1)$$, '22023', 'score must be between 0 and 100: NaN', 'status: NaN score is an error');

SELECT * FROM finish();
ROLLBACK;
