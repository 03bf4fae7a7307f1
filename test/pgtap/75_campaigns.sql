-- The campaign dimension (job -> company, campaign, group) and the campaign
-- table under the tracking system's column names.
BEGIN;
SELECT plan(10);

TRUNCATE jobstream.job_posts, jobstream.tracking_events, jobstream.job_campaigns;
INSERT INTO jobstream.job_posts SELECT * FROM jobstream.generate_job_posts(40, 5, '2026-01-10');
INSERT INTO jobstream.job_posts (post_id, company, job_title, job_category)
VALUES ('00000000-0000-0000-0000-00000000f001', 'Nobody Inc.', 'Engineer', 'Software Engineering');

SELECT lives_ok('INSERT INTO jobstream.job_campaigns SELECT * FROM jobstream.generate_job_campaigns()',
	'INSERT INTO job_campaigns SELECT * FROM generate_job_campaigns() works');
SELECT is((SELECT count(DISTINCT job_id) FROM jobstream.campaign_list), 41::bigint,
	'campaigns are listed for every post, before any event');
SELECT ok((SELECT bool_and(n BETWEEN 4 AND 12 AND n % 4 = 0) FROM (
		SELECT count(*) AS n FROM jobstream.job_campaigns GROUP BY post_id) s),
	'each post runs 1-3 campaigns of 4 ad groups');
SELECT results_eq($$SELECT company_id IS NULL, company FROM jobstream.campaign_list
	WHERE job_id = '00000000-0000-0000-0000-00000000f001' LIMIT 1$$,
	$$VALUES (true, 'Nobody Inc.'::text)$$, 'a company not in companies has no company_id but keeps its name');
SELECT is((SELECT md5(string_agg(c::text, ',')) FROM jobstream.post_campaigns('00000000-0000-0000-0000-00000000f001') c),
	(SELECT md5(string_agg(c::text, ',')) FROM jobstream.post_campaigns('00000000-0000-0000-0000-00000000f001') c),
	'post_campaigns depends on the post id alone');

INSERT INTO jobstream.tracking_events
SELECT * FROM jobstream.generate_tracking_events(3000, 5, '2026-01-10', '2026-01-12');
SELECT is((SELECT count(*) FROM (SELECT DISTINCT post_id, campaign_id, group_id FROM jobstream.tracking_events) e
	WHERE NOT EXISTS (SELECT FROM jobstream.job_campaigns j
		WHERE (j.post_id, j.campaign_id, j.group_id) = (e.post_id, e.campaign_id, e.group_id))), 0::bigint,
	'generated events run in the campaigns the dimension lists');

SELECT set_eq($$SELECT job_id, dates, hours, publisher_id, sources, campaign_id, group_id, company_id, company, clicks,
		spend_hour, bid_set, conversion, qualified_application, disqualified_application, cpc
	FROM jobstream.campaign_table WHERE dates = '2026-01-11'$$,
	$$SELECT job_id, date, hour, publisher_id, publisher, campaign_id, group_id, company_id, company, clicks,
		spend, bid_set, conversions, qualified_application, unqualified_application, cpc
	FROM jobstream.campaign_performance WHERE date = '2026-01-11'$$,
	'campaign_table is campaign_performance under the tracking system''s names');

SET LOCAL ROLE jobstream_reader;
SELECT lives_ok('SELECT * FROM jobstream.campaign_list, jobstream.campaign_table LIMIT 1',
	'the reader reads campaign_list and campaign_table');
SELECT throws_ok('SELECT * FROM jobstream.job_campaigns', '42501', NULL, 'but not the dimension table itself');
RESET ROLE;
SET LOCAL ROLE jobstream_writer;
SELECT lives_ok($$INSERT INTO jobstream.job_campaigns (post_id, campaign_id, group_id, company_id)
	VALUES ('00000000-0000-0000-0000-00000000f002', 1, 4, NULL)$$, 'the writer maintains the dimension');
RESET ROLE;

SELECT * FROM finish();
ROLLBACK;
