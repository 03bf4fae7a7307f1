/*
 * reference.c
 *		Loads the reference data shipped in the CSV files of data/ into the reference
 *		tables.
 *
 * They are installed into SHAREDIR/extension/jobstream/ and are the
 * source of truth for the rows marked builtin.  Loading goes through COPY,
 * so CSV quoting and NULL handling are PostgreSQL's own; the column list is
 * taken from the file's header line, so a file names its columns and the
 * table may have more (builtin, with its default).
 */
#include "postgres.h"

#include <sys/stat.h>

#include "catalog/namespace.h"
#include "catalog/pg_class.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "storage/fd.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/regproc.h"

PG_FUNCTION_INFO_V1(jobstream_load_reference_csv);

/*
 * js_reference_path
 *		Returns the full path of a shipped CSV file, after checking that the
 *		name cannot leave the extension's data directory.
 */
static char *
js_reference_path(const char *file_name)
{
	char		sharepath[MAXPGPATH];
	const char *p;

	for (p = file_name; *p; p++)
	{
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
			  *p == '_' || *p == '.'))
			break;
	}
	if (*p != '\0' || file_name[0] == '.' || strstr(file_name, "..") != NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid reference data file name \"%s\"", file_name),
				 errhint("Give the plain name of a CSV file shipped with jobstream, such as \"skills.csv\".")));

	get_share_path(my_exec_path, sharepath);
	return psprintf("%s/extension/jobstream/%s", sharepath, file_name);
}

/*
 * js_read_header
 *		Reads the first line of a CSV file: its comma-separated column names.
 */
static char *
js_read_header(const char *path)
{
	FILE	   *f;
	char		line[1024];
	size_t		len;

	f = AllocateFile(path, "r");
	if (f == NULL)
		ereport(ERROR,
				(errcode_for_file_access(),
				 errmsg("could not open reference data file \"%s\": %m", path),
				 errhint("Run \"make install\" for jobstream so that its data files are installed.")));
	if (fgets(line, sizeof(line), f) == NULL)
		line[0] = '\0';
	FreeFile(f);

	len = strlen(line);
	while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
		line[--len] = '\0';
	if (len == 0 || strspn(line, "abcdefghijklmnopqrstuvwxyz0123456789_,") != len)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_CORRUPTED),
				 errmsg("reference data file \"%s\" has no valid header line", path),
				 errhint("The first line must list the column names, separated by commas.")));
	return pstrdup(line);
}

/*
 * jobstream_load_reference_csv(target regclass, file_name text) -> bigint
 *		COPYs a shipped CSV file into a reference table and marks the rows it
 *		loaded as builtin.  Returns the number of rows loaded.
 */
Datum
jobstream_load_reference_csv(PG_FUNCTION_ARGS)
{
	Oid			relid = PG_GETARG_OID(0);
	char	   *file_name = text_to_cstring(PG_GETARG_TEXT_PP(1));
	char	   *path;
	char	   *columns;
	char	   *relname;
	StringInfoData sql;
	uint64		loaded;

	/* a table of the extension's schema, not any oid */
	if (get_rel_name(relid) == NULL || get_rel_relkind(relid) != RELKIND_RELATION ||
		get_rel_namespace(relid) != get_namespace_oid("jobstream", true))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%u is not a table of schema jobstream", relid),
				 errhint("Pass a reference table, such as 'jobstream.skills'::regclass.")));
	relname = quote_qualified_identifier("jobstream", get_rel_name(relid));
	path = js_reference_path(file_name);
	columns = js_read_header(path);

	SPI_connect();

	/*
	 * Go through a temporary copy so that rows already in the table, the
	 * user's or an earlier load's, are kept as they are, and only new rows
	 * come in, marked builtin.
	 */
	initStringInfo(&sql);
	appendStringInfo(&sql,
					 "CREATE TEMP TABLE jobstream_reference_load (LIKE %s INCLUDING DEFAULTS);"
					 "COPY jobstream_reference_load (%s) FROM %s WITH (FORMAT csv, HEADER true, ENCODING 'UTF8')",
					 relname, columns, quote_literal_cstr(path));
	if (SPI_execute(sql.data, false, 0) != SPI_OK_UTILITY)
		elog(ERROR, "could not read \"%s\"", path);

	resetStringInfo(&sql);
	appendStringInfo(&sql,
					 "INSERT INTO %s (%s, builtin) SELECT %s, true FROM jobstream_reference_load ON CONFLICT DO NOTHING",
					 relname, columns, columns);
	if (SPI_execute(sql.data, false, 0) != SPI_OK_INSERT)
		elog(ERROR, "could not load \"%s\" into %s", path, relname);
	loaded = SPI_processed;

	SPI_execute("DROP TABLE jobstream_reference_load", false, 0);

	SPI_finish();
	PG_RETURN_INT64((int64) loaded);
}
