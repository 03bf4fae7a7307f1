-- Core tables of the data contract (DESIGN.md, "Data contract").
--
-- Enum-like columns reference the reference tables, so an unknown category,
-- level, mode or status is rejected with the name of the constraint and the
-- offending value.  Applications do not reference candidates and posts:
-- topics are consumed independently and an application may arrive before
-- the candidate or post it names.

CREATE TABLE jobstream.job_posts (
	post_id uuid PRIMARY KEY,
	company text NOT NULL CHECK (company <> ''),
	job_title text NOT NULL CHECK (job_title <> ''),
	job_category text NOT NULL REFERENCES jobstream.job_families ON UPDATE CASCADE,
	industry text,
	location_country text,
	location_city text,
	description text,
	required_skills text[] NOT NULL DEFAULT '{}',
	certifications text[] NOT NULL DEFAULT '{}',
	salary_min integer CHECK (salary_min >= 0),
	salary_max integer CHECK (salary_max >= 0),
	experience_level text REFERENCES jobstream.seniority_levels ON UPDATE CASCADE,
	min_years_experience integer CHECK (min_years_experience BETWEEN 0 AND 60),
	employment_type text REFERENCES jobstream.employment_types ON UPDATE CASCADE,
	work_mode text REFERENCES jobstream.work_modes ON UPDATE CASCADE,
	platform text REFERENCES jobstream.platforms ON UPDATE CASCADE,
	posted_date date,
	deadline_date date,
	updated_at timestamptz NOT NULL DEFAULT now(),
	CONSTRAINT job_posts_salary_range_check CHECK (salary_min <= salary_max),
	CONSTRAINT job_posts_deadline_check CHECK (deadline_date >= posted_date)
);
CREATE INDEX job_posts_category_deadline_idx ON jobstream.job_posts (job_category, deadline_date);
CREATE INDEX job_posts_required_skills_idx ON jobstream.job_posts USING gin (required_skills);
CREATE INDEX job_posts_posted_date_idx ON jobstream.job_posts (posted_date);
COMMENT ON TABLE jobstream.job_posts IS 'Job posts, upserted by post_id (topic job_posts)';

CREATE TABLE jobstream.candidates (
	candidate_id uuid PRIMARY KEY,
	full_name text NOT NULL CHECK (full_name <> ''),
	gender text CHECK (gender IN ('Male', 'Female', 'Non-binary')),
	birth_year integer CHECK (birth_year BETWEEN 1900 AND 2100),
	nationality text,
	location_country text,
	location_city text,
	education_level text REFERENCES jobstream.education_levels ON UPDATE CASCADE,
	graduation_year integer CHECK (graduation_year BETWEEN 1900 AND 2100),
	gpa numeric(3,2) CHECK (gpa BETWEEN 0 AND 4),
	job_category text REFERENCES jobstream.job_families ON UPDATE CASCADE,
	current_company text,
	previous_companies text[] NOT NULL DEFAULT '{}',
	skills text[] NOT NULL DEFAULT '{}',
	certifications text[] NOT NULL DEFAULT '{}',
	experience_level text REFERENCES jobstream.seniority_levels ON UPDATE CASCADE,
	years_experience integer CHECK (years_experience BETWEEN 0 AND 70),
	current_salary integer CHECK (current_salary >= 0),
	expected_salary integer CHECK (expected_salary >= 0),
	updated_at timestamptz NOT NULL DEFAULT now(),
	CONSTRAINT candidates_graduation_check CHECK (graduation_year >= birth_year + 14)
);
CREATE INDEX candidates_category_idx ON jobstream.candidates (job_category);
CREATE INDEX candidates_skills_idx ON jobstream.candidates USING gin (skills);
COMMENT ON TABLE jobstream.candidates IS 'Candidates, upserted by candidate_id (topic candidate_info)';

CREATE TABLE jobstream.job_applications (
	application_id uuid PRIMARY KEY,
	candidate_id uuid NOT NULL,
	post_id uuid NOT NULL,
	status text NOT NULL REFERENCES jobstream.application_statuses ON UPDATE CASCADE,
	compatibility_score numeric(5,2) CHECK (compatibility_score BETWEEN 0 AND 100),
	applied_at timestamptz NOT NULL,
	updated_at timestamptz NOT NULL DEFAULT now(),
	CONSTRAINT job_applications_once_per_post UNIQUE (candidate_id, post_id)
);
CREATE INDEX job_applications_post_idx ON jobstream.job_applications (post_id);
CREATE INDEX job_applications_applied_at_idx ON jobstream.job_applications (applied_at);
COMMENT ON TABLE jobstream.job_applications IS 'Job applications, upserted by application_id as their status changes (topic job_applications); a candidate applies to a post at most once';

-- Tracking events are append-only and partitioned by month of event time so
-- that retention drops partitions; events whose month has no partition yet
-- land in the default partition until jobstream.create_tracking_partitions
-- (0.2) makes one, which moves them over.
CREATE TABLE jobstream.tracking_events (
	event_id uuid NOT NULL,
	ts timestamptz NOT NULL,
	post_id uuid NOT NULL,
	company_id integer NOT NULL,
	campaign_id integer NOT NULL,
	group_id integer NOT NULL,
	publisher_id integer NOT NULL,
	custom_track text NOT NULL
		CHECK (custom_track IN ('click', 'conversion', 'qualified', 'unqualified')),
	bid numeric(10,4) NOT NULL CHECK (bid >= 0),
	PRIMARY KEY (event_id, ts)
) PARTITION BY RANGE (ts);
CREATE TABLE jobstream.tracking_events_default PARTITION OF jobstream.tracking_events DEFAULT;
COMMENT ON TABLE jobstream.tracking_events IS 'Recruitment ad-campaign log, append-only, partitioned by month of ts (topic tracking_events)';

CREATE TABLE jobstream.dead_letters (
	dead_letter_id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	source text,
	topic text NOT NULL,
	partition integer,
	"offset" bigint,
	key bytea,
	payload bytea,
	error text NOT NULL,
	received_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX dead_letters_topic_idx ON jobstream.dead_letters (topic, partition, "offset");
COMMENT ON TABLE jobstream.dead_letters IS 'Messages that could not be decoded or stored: where they came from, their raw bytes and why';

SELECT pg_catalog.pg_extension_config_dump('jobstream.job_posts', '');
SELECT pg_catalog.pg_extension_config_dump('jobstream.candidates', '');
SELECT pg_catalog.pg_extension_config_dump('jobstream.job_applications', '');
SELECT pg_catalog.pg_extension_config_dump('jobstream.tracking_events_default', '');
SELECT pg_catalog.pg_extension_config_dump('jobstream.dead_letters', '');
