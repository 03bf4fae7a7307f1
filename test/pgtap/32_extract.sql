-- extract_skills: punctuation, Unicode, overlaps, multi-word skills,
-- aliases, and the cache following changes to the reference tables.
BEGIN;
SELECT plan(32);

SELECT ok(cardinality(jobstream.extract_skills('k8s and ML')) >= 0, 'works on the shipped skills');

-- Replace the shipped skills with a known set (ROLLBACK restores them).
DELETE FROM jobstream.skills;
INSERT INTO jobstream.skills (skill, skill_group) VALUES
	('C', 'technical'), ('C++', 'technical'), ('C#', 'technical'), ('.NET', 'technical'),
	('Node.js', 'technical'), ('CI/CD', 'technical'), ('Machine Learning', 'technical'),
	('Learning', 'soft'), ('Kubernetes', 'technical'), ('Java', 'technical'),
	('JavaScript', 'technical'), ('SQL', 'technical'), ('PostgreSQL', 'technical'),
	('Café', 'business'), ('Go', 'technical'), ('Data Science', 'technical'),
	('Ærø Sailing', 'soft'), ('日本語', 'business'), ('R', 'technical');
INSERT INTO jobstream.skill_aliases (alias, skill) VALUES
	('k8s', 'Kubernetes'), ('ML', 'Machine Learning'), ('JS', 'JavaScript'),
	('postgres', 'PostgreSQL'), ('golang', 'Go'), ('Machine Learning Ops', 'Machine Learning');

SELECT is(jobstream.extract_skills('We need C++ and C#, .NET, Node.js and CI/CD.'),
	ARRAY['C++', 'C#', '.NET', 'Node.js', 'CI/CD'], 'punctuation inside skills');
SELECT is(jobstream.extract_skills('C/C++ developer'), ARRAY['C', 'C++'], 'C then C++, C not found inside C++');
SELECT is(jobstream.extract_skills('C++x and c++'), ARRAY['C++'], 'a skill ending in punctuation needs no boundary after it');
SELECT is(jobstream.extract_skills('ASP.NET Core'), ARRAY['.NET'], 'a skill starting with punctuation needs no boundary before it');
SELECT is(jobstream.extract_skills('JavaScript, not Java'), ARRAY['JavaScript', 'Java'], 'Java is not found inside JavaScript');
SELECT is(jobstream.extract_skills('Javanese Gopher cgo'), '{}'::text[], 'no match inside words');
SELECT is(jobstream.extract_skills('(SQL), [go]; "java"! r?'), ARRAY['SQL', 'Go', 'Java', 'R'], 'brackets, quotes and marks are boundaries');
SELECT is(jobstream.extract_skills('snake_go go-lang'), ARRAY['Go'], 'underscore and hyphen are boundaries');
SELECT is(jobstream.extract_skills('go2 2go go'), ARRAY['Go'], 'digits are word characters');

SELECT is(jobstream.extract_skills(E'machine\n   LEARNING'), ARRAY['Machine Learning'], 'multi-word skill across blanks and case');
SELECT is(jobstream.extract_skills('machine learning and learning'), ARRAY['Machine Learning', 'Learning'], 'overlap: the longest match wins, then matching resumes');
SELECT is(jobstream.extract_skills('Machine Learning Ops'), ARRAY['Machine Learning'], 'a longer alias wins over the skill it contains');
SELECT is(jobstream.extract_skills('machine learnings'), '{}'::text[], 'a multi-word skill needs a boundary after it');
SELECT is(jobstream.extract_skills('data science, machine-learning'), ARRAY['Data Science', 'Learning'], 'a hyphen is not a blank: machine-learning is only Learning');

SELECT is(jobstream.extract_skills('ML, k8s, K8S, postgres and GoLang'),
	ARRAY['Machine Learning', 'Kubernetes', 'PostgreSQL', 'Go'], 'aliases map to canonical names, case-insensitive');
SELECT is(jobstream.extract_skills('go SQL GO sql golang'), ARRAY['Go', 'SQL'], 'distinct, in order of first appearance');

SELECT is(jobstream.extract_skills('PostgréSQL and SQLité and éSQL'), '{}'::text[], 'letters with accents are word characters');
SELECT is(jobstream.extract_skills('café, CAFÉ, Café'), ARRAY['Café'], 'Latin-1 letters fold');
SELECT is(jobstream.extract_skills('«SQL»—Go… ·Java·'), ARRAY['SQL', 'Go', 'Java'], 'Unicode punctuation is a boundary');
SELECT is(jobstream.extract_skills(E'SQL\u00a0Go'), ARRAY['SQL', 'Go'], 'no-break space is a boundary');
SELECT is(jobstream.extract_skills('ærø sailing'), ARRAY['Ærø Sailing'], 'multi-word skill with Latin-1 letters');
SELECT is(jobstream.extract_skills('話せる日本語、SQL'), ARRAY['SQL'], 'CJK letters are word characters around a match');
SELECT is(jobstream.extract_skills('日本語。'), ARRAY['日本語'], 'CJK skill with CJK punctuation after it');

SELECT is(jobstream.extract_skills(NULL), NULL, 'NULL gives NULL');
SELECT is(jobstream.extract_skills(''), '{}'::text[], 'empty text gives an empty array');
SELECT is(jobstream.extract_skills(repeat('k8s, ', 100000) || 'Java'), ARRAY['Kubernetes', 'Java'], 'long text');

-- The per-session automaton follows the tables, in the same session.
INSERT INTO jobstream.skills (skill, skill_group) VALUES ('Rust', 'technical');
SELECT is(jobstream.extract_skills('Rust and go'), ARRAY['Rust', 'Go'], 'a skill inserted in this session is found');
INSERT INTO jobstream.skill_aliases (alias, skill) VALUES ('rustlang', 'Rust');
SELECT is(jobstream.extract_skills('rustlang'), ARRAY['Rust'], 'an alias inserted in this session is found');
UPDATE jobstream.skills SET skill = 'Rust Language' WHERE skill = 'Rust';
SELECT is(jobstream.extract_skills('rustlang, Rust language'), ARRAY['Rust Language'], 'a renamed skill (and its cascaded alias) is found');
SAVEPOINT s;
DELETE FROM jobstream.skills WHERE skill = 'Go';
SELECT is(jobstream.extract_skills('go golang SQL'), ARRAY['SQL'], 'a deleted skill and its aliases are gone');
ROLLBACK TO SAVEPOINT s;
SELECT is(jobstream.extract_skills('go golang SQL'), ARRAY['Go', 'SQL'], 'a rolled-back delete is undone in the automaton');

SELECT * FROM finish();
ROLLBACK;
