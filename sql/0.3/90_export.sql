-- Cold path: Parquet exports (src/export.c, src/parquet.c).
--
-- The function writes server files, so it is for superusers and members of
-- pg_write_server_files only, as COPY ... TO a file is: EXECUTE is revoked
-- from PUBLIC and granted to pg_write_server_files, and the C code checks
-- the membership again.  It has no SET search_path on purpose: the source
-- query is the caller's and resolves its names as the caller's own
-- statements do (as with COPY (query) TO), while every statement the
-- function runs itself is schema-qualified.  TimeZone is UTC inside it, so
-- that partition expressions such as to_char(ts, 'YYYY-MM') and the range
-- bounds in file names do not depend on the session.

CREATE FUNCTION jobstream.export_parquet(
	source text,
	directory text,
	partition_by text DEFAULT NULL,
	partition_name text DEFAULT NULL,
	time_column text DEFAULT NULL,
	since timestamptz DEFAULT NULL,
	until timestamptz DEFAULT NULL,
	overwrite boolean DEFAULT false,
	resume boolean DEFAULT false,
	compression text DEFAULT 'zstd',
	row_group_rows integer DEFAULT 1000000)
RETURNS TABLE (path text, partition text, rows bigint, bytes bigint)
AS 'MODULE_PATHNAME', 'jobstream_export_parquet'
LANGUAGE C VOLATILE
SET timezone = 'UTC';
COMMENT ON FUNCTION jobstream.export_parquet(text, text, text, text, text, timestamptz, timestamptz, boolean, boolean, text, integer) IS
'Writes the rows of a table or query as Parquet files into a server directory in Hive layout (partition_name=value/part-….parquet), one batch per call (all rows, or the range [since, until) of time_column), listed in DIR/_manifest.json; returns the files written.  Superusers and pg_write_server_files only';
REVOKE ALL ON FUNCTION jobstream.export_parquet(text, text, text, text, text, timestamptz, timestamptz, boolean, boolean, text, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION jobstream.export_parquet(text, text, text, text, text, timestamptz, timestamptz, boolean, boolean, text, integer) TO pg_write_server_files;
