-- The message contract as rows (jobstream.contract_fields), and its caps on
-- text as CHECK constraints of the core tables: the decoder dead-letters a
-- message over a cap, and the constraint is the second line of defence for
-- rows written by SQL.  Both read the one definition in src/contract.c.

CREATE FUNCTION jobstream.contract_fields(
	OUT topic text, OUT target text, OUT field text, OUT type regtype,
	OUT required boolean, OUT cap text, OUT max_bytes integer,
	OUT max_elements integer, OUT allowed text[], OUT min_value numeric,
	OUT max_value numeric)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'jobstream_contract_fields'
LANGUAGE C STRICT STABLE PARALLEL SAFE;
COMMENT ON FUNCTION jobstream.contract_fields() IS
'The message contract, one row per field of every topic in column order: its table, column type, whether it is required, for text its cap (bytes of UTF-8 of a value or of each array element, elements of an array) and allowed values, for numbers their bounds';
REVOKE ALL ON FUNCTION jobstream.contract_fields() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION jobstream.contract_fields() TO jobstream_writer;

CREATE FUNCTION jobstream.elements_fit(a text[], max_bytes integer)
RETURNS boolean
AS 'MODULE_PATHNAME', 'jobstream_elements_fit'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION jobstream.elements_fit(text[], integer) IS
'Whether every element of a text array is at most max_bytes bytes long (the contract''s caps on array elements, in CHECK constraints)';

-- <table>_<column>_cap on every capped column that has no list of allowed
-- values (those have their CHECK IN already), and on the reference tables'
-- columns such a column refers to.  An upgrade whose tables hold
-- longer values (the caps are new in 0.3) gets the constraint NOT VALID,
-- which still holds for new rows, and a WARNING saying how to validate it.
DO $$
DECLARE
	f record;
	con text;
	chk text;
BEGIN
	FOR f IN
		SELECT target, field, max_bytes, max_elements FROM jobstream.contract_fields()
		WHERE cap IS NOT NULL AND allowed IS NULL
		UNION
		-- the reference values a capped field refers to: a longer one could
		-- never be used
		SELECT rt.relname, ra.attname, cf.max_bytes, NULL
		FROM jobstream.contract_fields() cf
		JOIN pg_catalog.pg_constraint k ON k.conrelid = ('jobstream.' || cf.target)::regclass AND k.contype = 'f'
		JOIN pg_catalog.pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = k.conkey[1] AND a.attname = cf.field
		JOIN pg_catalog.pg_class rt ON rt.oid = k.confrelid
		JOIN pg_catalog.pg_attribute ra ON ra.attrelid = k.confrelid AND ra.attnum = k.confkey[1]
		WHERE cf.cap IS NOT NULL
		UNION
		-- skills, which extract_skills finds in descriptions for the rollups
		SELECT 'skills', 'skill', max_bytes, NULL FROM jobstream.contract_fields()
		WHERE field = 'required_skills'
	LOOP
		con := f.target || '_' || f.field || '_cap';
		IF f.max_elements IS NULL THEN
			chk := format('octet_length(%I) <= %s', f.field, f.max_bytes);
		ELSE
			chk := format('cardinality(%I) <= %s AND jobstream.elements_fit(%I, %s)',
						  f.field, f.max_elements, f.field, f.max_bytes);
		END IF;
		BEGIN
			EXECUTE format('ALTER TABLE jobstream.%I ADD CONSTRAINT %I CHECK (%s)', f.target, con, chk);
		EXCEPTION WHEN check_violation THEN
			EXECUTE format('ALTER TABLE jobstream.%I ADD CONSTRAINT %I CHECK (%s) NOT VALID', f.target, con, chk);
			RAISE WARNING 'rows of jobstream.% have a % over its cap; constraint % is NOT VALID',
				f.target, f.field, con
				USING HINT = format('Shorten those values, then run ALTER TABLE jobstream.%I VALIDATE CONSTRAINT %I.',
									f.target, con);
		END;
	END LOOP;
END
$$;
