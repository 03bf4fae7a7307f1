-- DROP EXTENSION / CREATE EXTENSION round-trips, and updating from the
-- oldest released version through every upgrade script gives exactly the
-- objects, definitions, privileges and reference rows of a fresh install.
BEGIN;
SELECT plan(8);

-- A description of everything the extension owns that an upgrade could get
-- wrong.
CREATE FUNCTION pg_temp.js_catalog() RETURNS SETOF text LANGUAGE sql AS $$
	SELECT 'member ' || pg_describe_object(classid, objid, objsubid)
	FROM pg_depend
	WHERE refclassid = 'pg_extension'::regclass AND deptype = 'e'
	  AND refobjid = (SELECT oid FROM pg_extension WHERE extname = 'jobstream')
	UNION ALL
	SELECT format('column %s.%s #%s %s notnull=%s default=%s', c.relname, a.attname,
		row_number() OVER (PARTITION BY c.oid ORDER BY a.attnum),
		format_type(a.atttypid, a.atttypmod), a.attnotnull, pg_get_expr(d.adbin, d.adrelid))
	FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid
	LEFT JOIN pg_attrdef d ON d.adrelid = c.oid AND d.adnum = a.attnum
	WHERE c.relnamespace = 'jobstream'::regnamespace AND a.attnum > 0 AND NOT a.attisdropped
	UNION ALL
	SELECT format('constraint %s %s %s', conrelid::regclass, conname, pg_get_constraintdef(oid))
	FROM pg_constraint WHERE connamespace = 'jobstream'::regnamespace
	UNION ALL
	SELECT 'trigger ' || pg_get_triggerdef(t.oid)
	FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
	WHERE c.relnamespace = 'jobstream'::regnamespace AND NOT t.tgisinternal
	UNION ALL
	SELECT 'index ' || pg_get_indexdef(indexrelid)
	FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
	WHERE c.relnamespace = 'jobstream'::regnamespace
	UNION ALL
	SELECT 'function ' || pg_get_functiondef(p.oid) || coalesce(p.proacl::text, '')
	FROM pg_proc p WHERE p.pronamespace = 'jobstream'::regnamespace AND p.prokind IN ('f', 'p')
	UNION ALL
	SELECT format('relation %s %s %s acl=%s', relname, relkind,
		CASE WHEN relkind IN ('v', 'm') THEN pg_get_viewdef(oid) END, relacl)
	FROM pg_class WHERE relnamespace = 'jobstream'::regnamespace
	UNION ALL
	SELECT format('comment %s %s', pg_describe_object(classoid, objoid, objsubid), description)
	FROM pg_description d
	WHERE (classoid = 'pg_class'::regclass AND objoid IN (SELECT oid FROM pg_class WHERE relnamespace = 'jobstream'::regnamespace))
	   OR (classoid = 'pg_proc'::regclass AND objoid IN (SELECT oid FROM pg_proc WHERE pronamespace = 'jobstream'::regnamespace))
	UNION ALL
	SELECT format('rows %s %s', c.relname,
		(xpath('/row/n/text()', query_to_xml(format('SELECT count(*) AS n FROM jobstream.%I', c.relname), false, true, '')))[1]::text)
	FROM pg_class c WHERE c.relnamespace = 'jobstream'::regnamespace AND c.relkind = 'r'
$$;

CREATE TEMP TABLE fresh AS SELECT * FROM pg_temp.js_catalog() AS item;
CREATE TEMP TABLE versions AS
	SELECT version FROM pg_available_extension_versions WHERE name = 'jobstream'
	ORDER BY string_to_array(version, '.')::int[];

-- The rollup trigger prepares its statements for this session, for the row
-- types of the rollups ...
INSERT INTO jobstream.tracking_events
SELECT * FROM jobstream.generate_tracking_events(500, 1, '2026-03-01', '2026-03-02');

SELECT lives_ok('DROP EXTENSION jobstream', 'DROP EXTENSION works');
SELECT is((SELECT count(*) FROM pg_class WHERE relnamespace = 'jobstream'::regnamespace)
	+ (SELECT count(*) FROM pg_proc WHERE pronamespace = 'jobstream'::regnamespace)
	+ (SELECT count(*) FROM pg_type WHERE typnamespace = 'jobstream'::regnamespace), 0::bigint,
	'nothing is left in the schema');
SELECT lives_ok('CREATE EXTENSION jobstream', 'CREATE EXTENSION works again');
SELECT set_eq('SELECT * FROM pg_temp.js_catalog()', 'SELECT item FROM fresh',
	'a re-created extension is identical to the first');

-- ... which the re-created extension replaced: the same session rolls up
-- events into the new rollups.
INSERT INTO jobstream.tracking_events
SELECT * FROM jobstream.generate_tracking_events(500, 1, '2026-03-01', '2026-03-02');
SELECT is((SELECT (sum(clicks), sum(spend))::text FROM jobstream.campaign_hourly),
	(SELECT (count(*) FILTER (WHERE custom_track = 'click'), sum(bid) FILTER (WHERE custom_track = 'click'))::text
	 FROM jobstream.tracking_events),
	'a session that rolled up events before DROP EXTENSION rolls them up after CREATE EXTENSION');

DROP EXTENSION jobstream;
SELECT lives_ok(format('CREATE EXTENSION jobstream VERSION %L', (SELECT version FROM versions LIMIT 1)),
	'the oldest released version installs');

-- Step through every version in order.
DO $$
DECLARE
	v text;
BEGIN
	FOR v IN SELECT version FROM versions OFFSET 1 LOOP
		EXECUTE format('ALTER EXTENSION jobstream UPDATE TO %L', v);
	END LOOP;
END
$$;
SELECT is((SELECT extversion FROM pg_extension WHERE extname = 'jobstream'),
	(SELECT default_version FROM pg_available_extensions WHERE name = 'jobstream'),
	'the update chain reaches the default version');
SELECT set_eq('SELECT * FROM pg_temp.js_catalog()', 'SELECT item FROM fresh',
	'an updated extension is identical to a fresh install');

SELECT * FROM finish();
ROLLBACK;
