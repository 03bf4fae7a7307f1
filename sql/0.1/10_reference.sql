-- Reference data: the dimensions that generators, scoring and dashboards use.
--
-- Every reference table is filled from data/*.csv when the extension is
-- created.  Rows shipped with the extension have builtin = true; rows that
-- users add keep the default false and are the only ones pg_dump saves, so
-- they survive a dump and restore while the shipped rows come back from the
-- CSV files of the installed version.

CREATE FUNCTION jobstream.load_reference_csv(target regclass, file_name text)
RETURNS bigint
AS 'MODULE_PATHNAME', 'jobstream_load_reference_csv'
LANGUAGE C STRICT VOLATILE;
COMMENT ON FUNCTION jobstream.load_reference_csv(regclass, text) IS
'Loads the named CSV file shipped in the extension''s data directory into a reference table and marks its rows builtin; returns the number of rows loaded';
REVOKE ALL ON FUNCTION jobstream.load_reference_csv(regclass, text) FROM PUBLIC;

CREATE TABLE jobstream.job_families (
	family text PRIMARY KEY,
	description text NOT NULL,
	builtin boolean NOT NULL DEFAULT false
);
COMMENT ON TABLE jobstream.job_families IS 'Job families (job_category of posts and candidates)';

CREATE TABLE jobstream.seniority_levels (
	level text PRIMARY KEY,
	rank integer NOT NULL UNIQUE,
	min_years integer NOT NULL CHECK (min_years >= 0),
	max_years integer NOT NULL,
	salary_min integer NOT NULL CHECK (salary_min > 0),
	salary_max integer NOT NULL,
	builtin boolean NOT NULL DEFAULT false,
	CHECK (max_years >= min_years),
	CHECK (salary_max >= salary_min)
);
COMMENT ON TABLE jobstream.seniority_levels IS 'The seniority ladder Intern < Entry < Junior < Mid < Senior < Lead < Director < Executive, with typical years and USD salary bands';

CREATE TABLE jobstream.job_titles (
	title text PRIMARY KEY,
	family text NOT NULL REFERENCES jobstream.job_families,
	seniority text NOT NULL REFERENCES jobstream.seniority_levels,
	domain text NOT NULL,
	builtin boolean NOT NULL DEFAULT false
);
CREATE INDEX ON jobstream.job_titles (family);
COMMENT ON TABLE jobstream.job_titles IS 'Job titles with their family, seniority and domain';

CREATE TABLE jobstream.skills (
	skill text PRIMARY KEY,
	skill_group text NOT NULL CHECK (skill_group IN ('technical', 'business', 'soft')),
	builtin boolean NOT NULL DEFAULT false
);
CREATE UNIQUE INDEX skills_lower_idx ON jobstream.skills (lower(skill));
COMMENT ON TABLE jobstream.skills IS 'Canonical skill names in technical, business and soft groups';

CREATE TABLE jobstream.skill_aliases (
	alias text PRIMARY KEY,
	skill text NOT NULL REFERENCES jobstream.skills ON UPDATE CASCADE ON DELETE CASCADE,
	builtin boolean NOT NULL DEFAULT false
);
CREATE UNIQUE INDEX skill_aliases_lower_idx ON jobstream.skill_aliases (lower(alias));
COMMENT ON TABLE jobstream.skill_aliases IS 'Other spellings of skills (k8s, ML, Postgres ...) mapped to canonical names, used by extract_skills';

CREATE TABLE jobstream.family_skills (
	family text NOT NULL REFERENCES jobstream.job_families ON UPDATE CASCADE ON DELETE CASCADE,
	skill text NOT NULL REFERENCES jobstream.skills ON UPDATE CASCADE ON DELETE CASCADE,
	builtin boolean NOT NULL DEFAULT false,
	PRIMARY KEY (family, skill)
);
COMMENT ON TABLE jobstream.family_skills IS 'Which skills belong to which job family';

CREATE TABLE jobstream.certifications (
	certification text NOT NULL,
	issuer text NOT NULL,
	family text NOT NULL REFERENCES jobstream.job_families ON UPDATE CASCADE ON DELETE CASCADE,
	builtin boolean NOT NULL DEFAULT false,
	PRIMARY KEY (certification, family)
);
COMMENT ON TABLE jobstream.certifications IS 'Professional certifications and the job families they serve';

CREATE TABLE jobstream.countries (
	country_code text PRIMARY KEY CHECK (country_code ~ '^[A-Z]{2}$'),
	country text NOT NULL UNIQUE,
	iso3 text,
	region text,
	subregion text,
	language text,
	builtin boolean NOT NULL DEFAULT false
);
COMMENT ON TABLE jobstream.countries IS 'Countries with ISO 3166 codes, region and main language';

CREATE TABLE jobstream.cities (
	city text NOT NULL,
	country_code text NOT NULL REFERENCES jobstream.countries,
	latitude double precision NOT NULL CHECK (latitude BETWEEN -90 AND 90),
	longitude double precision NOT NULL CHECK (longitude BETWEEN -180 AND 180),
	population integer,
	builtin boolean NOT NULL DEFAULT false,
	PRIMARY KEY (city, country_code)
);
CREATE INDEX ON jobstream.cities (country_code);
COMMENT ON TABLE jobstream.cities IS 'Cities with coordinates, for locations and the dashboards'' map (GeoNames)';

CREATE TABLE jobstream.employment_types (
	employment_type text PRIMARY KEY,
	share numeric NOT NULL CHECK (share >= 0),
	builtin boolean NOT NULL DEFAULT false
);
COMMENT ON TABLE jobstream.employment_types IS 'Employment types and how often generated posts use each';

CREATE TABLE jobstream.education_levels (
	education_level text PRIMARY KEY,
	rank integer NOT NULL UNIQUE,
	years_after_secondary integer NOT NULL CHECK (years_after_secondary >= 0),
	gpa_min numeric(3,2) NOT NULL,
	gpa_max numeric(3,2) NOT NULL,
	builtin boolean NOT NULL DEFAULT false,
	CHECK (0 <= gpa_min AND gpa_min <= gpa_max AND gpa_max <= 4)
);
COMMENT ON TABLE jobstream.education_levels IS 'Education levels in order, with years of study after secondary school and GPA range';

CREATE TABLE jobstream.work_modes (
	work_mode text PRIMARY KEY,
	share numeric NOT NULL CHECK (share >= 0),
	builtin boolean NOT NULL DEFAULT false
);
COMMENT ON TABLE jobstream.work_modes IS 'Work modes (On-site, Remote, Hybrid) and how often generated posts use each';

CREATE TABLE jobstream.industries (
	industry text PRIMARY KEY,
	sector text NOT NULL,
	naics_code text,
	builtin boolean NOT NULL DEFAULT false
);
COMMENT ON TABLE jobstream.industries IS 'Industries with their NAICS 2022 sector';

CREATE TABLE jobstream.platforms (
	platform text PRIMARY KEY,
	publisher_id integer NOT NULL UNIQUE,
	base_bid numeric(10,4) NOT NULL CHECK (base_bid > 0),
	builtin boolean NOT NULL DEFAULT false
);
COMMENT ON TABLE jobstream.platforms IS 'Job posting platforms, which are the publishers of the ad-campaign log, with a typical cost per click';

CREATE TABLE jobstream.companies (
	company text PRIMARY KEY,
	company_id integer NOT NULL UNIQUE,
	industry text NOT NULL REFERENCES jobstream.industries ON UPDATE CASCADE,
	country_code text NOT NULL REFERENCES jobstream.countries,
	builtin boolean NOT NULL DEFAULT false
);
CREATE INDEX ON jobstream.companies (industry);
CREATE INDEX ON jobstream.companies (country_code);
COMMENT ON TABLE jobstream.companies IS 'Employers with industry and headquarters country';

CREATE TABLE jobstream.first_names (
	country_code text NOT NULL REFERENCES jobstream.countries,
	first_name text NOT NULL,
	gender text NOT NULL CHECK (gender IN ('M', 'F')),
	builtin boolean NOT NULL DEFAULT false,
	PRIMARY KEY (country_code, first_name, gender)
);
COMMENT ON TABLE jobstream.first_names IS 'Common first names by country and gender';

CREATE TABLE jobstream.last_names (
	country_code text NOT NULL REFERENCES jobstream.countries,
	last_name text NOT NULL,
	builtin boolean NOT NULL DEFAULT false,
	PRIMARY KEY (country_code, last_name)
);
COMMENT ON TABLE jobstream.last_names IS 'Common last names by country';

CREATE TABLE jobstream.application_statuses (
	status text PRIMARY KEY,
	ordinal integer NOT NULL UNIQUE,
	terminal boolean NOT NULL,
	builtin boolean NOT NULL DEFAULT false
);
COMMENT ON TABLE jobstream.application_statuses IS 'Statuses a job application can have';

CREATE TABLE jobstream.custom_tracks (
	custom_track text PRIMARY KEY,
	builtin boolean NOT NULL DEFAULT false
);
COMMENT ON TABLE jobstream.custom_tracks IS 'Kinds of ad-campaign tracking events';

-- Load the shipped rows, parents before children, and let pg_dump keep
-- the rows users add.
DO $$
DECLARE
	t text;
BEGIN
	FOREACH t IN ARRAY ARRAY['job_families', 'seniority_levels', 'job_titles',
		'skills', 'skill_aliases', 'family_skills', 'certifications',
		'countries', 'cities', 'employment_types', 'education_levels',
		'work_modes', 'industries', 'platforms', 'companies', 'first_names',
		'last_names', 'application_statuses', 'custom_tracks']
	LOOP
		PERFORM jobstream.load_reference_csv(format('jobstream.%I', t)::regclass, t || '.csv');
		PERFORM pg_catalog.pg_extension_config_dump(format('jobstream.%I', t)::regclass, 'WHERE NOT builtin');
	END LOOP;
END
$$;
