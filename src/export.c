/*-------------------------------------------------------------------------
 *
 * export.c
 *		jobstream.export_parquet: rows of a table or a query into a directory
 *		of Parquet files in Hive layout, with a manifest.
 *
 * The layout of an export directory:
 *
 *   DIR/_manifest.json                    what was written, batch by batch
 *   DIR/NAME=VALUE/part-0000.parquet      an export of everything, or
 *   DIR/NAME=VALUE/part-SINCE-UNTIL.parquet   the batch of a time range
 *
 * (no NAME=VALUE level without partition_by).  A batch is one call: the
 * rows of one range [since, until) of a time column, or all rows.  The
 * manifest lists every batch with its range and its files (path, partition
 * value, rows, bytes); a range that overlaps a batch already listed is
 * refused unless overwrite => true, which replaces the batches it
 * overlaps.  So a scheduled job can export each closed day once, and
 * resume => true starts a batch where the last one ended.
 *
 * What a reader of the directory can rely on, also after a failure:
 *  - A file named part-*.parquet is complete.  Files are written under a
 *    hidden temporary name (.part-*.tmp) in their final directory, and only
 *    after every file of the batch is complete are they renamed (fsynced,
 *    durable_rename) to their final names; an error before that removes
 *    the temporary files (a memory-context callback of the call, which runs
 *    on abort too).
 *  - The manifest is replaced (temporary name, rename) after the files are
 *    in place, and files of replaced batches are removed only after that.
 *    A crash between the renames and the manifest leaves complete files
 *    the manifest does not list yet; exporting the same range again
 *    rewrites the same names.
 *  - Nothing is deleted that the manifest does not list, and a listed path
 *    is only deleted if it has the shape this module writes (no "..", no
 *    absolute path): a hand-edited manifest cannot make it delete files
 *    elsewhere.
 *
 * Writing server files is a superuser or pg_write_server_files thing, as
 * for COPY ... TO a file: EXECUTE is granted to pg_write_server_files only,
 * and the function checks the role membership itself too.  The source
 * query runs as the caller, with the caller's search_path, so it reads
 * only what the caller may read; the function runs with TimeZone UTC so
 * that partition expressions and ranges do not depend on the session.
 *
 * Rows are read through a cursor ordered by the partition value, so one
 * file is open at a time and memory is bounded by a row group
 * (row_group_rows) whatever the number of partitions.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include "access/htup_details.h"
#include "catalog/namespace.h"
#include "catalog/pg_authid.h"
#include "catalog/pg_type.h"
#include "common/file_perm.h"
#include "common/jsonapi.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "funcapi.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "storage/fd.h"
#include "utils/acl.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/date.h"
#include "utils/json.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/numeric.h"
#include "utils/regproc.h"
#include "utils/timestamp.h"
#include "utils/uuid.h"

#include "parquet.h"

PG_FUNCTION_INFO_V1(jobstream_export_parquet);

#define JS_MANIFEST "_manifest.json"
#define JS_FETCH_ROWS 10000
/* µs and days from 1970-01-01 to 2000-01-01, PostgreSQL's epoch */
#define JS_EPOCH_SHIFT_US (INT64CONST(946684800) * USECS_PER_SEC)
#define JS_EPOCH_SHIFT_DAYS (POSTGRES_EPOCH_JDATE - UNIX_EPOCH_JDATE)

/* How the value of a source column goes into the file. */
typedef struct ExportCol
{
	int			attno;			/* 0-based in the cursor's tuple */
	Oid			type;			/* base type */
	JsPqKind	kind;
	int			scale;
	FmgrInfo	out;			/* JSON only */
} ExportCol;

/* A file of this batch: complete under tmp, renamed to path at the end. */
typedef struct ExportFile
{
	char	   *rel;			/* path relative to the directory */
	char	   *tmp;			/* absolute temporary path */
	char	   *final;			/* absolute final path */
	char	   *partition;		/* NULL: none or NULL value */
	int64		rows;
	int64		bytes;
	int			row_groups;
	bool		partition_dir;	/* in a NAME=VALUE directory */
	bool		renamed;
} ExportFile;

/* State of one call; cleaned up by export_cleanup on success and abort. */
typedef struct ExportState
{
	JsPqWriter *writer;
	FILE	   *fp;
	List	   *files;			/* of ExportFile * */
	bool		done;
	MemoryContextCallback cb;
} ExportState;

/*
 * Memory-context reset callback: frees the writer, closes the open file
 * and, unless the call finished, removes the temporary files.
 */
static void
export_cleanup(void *arg)
{
	ExportState *st = arg;
	ListCell   *lc;

	js_pq_free(st->writer);
	st->writer = NULL;
	if (st->fp)
		fclose(st->fp);
	st->fp = NULL;
	if (st->done)
		return;
	foreach(lc, st->files)
	{
		ExportFile *f = lfirst(lc);

		if (!f->renamed)
		{
			char	   *slash;

			unlink(f->tmp);
			/* the partition directory, if this call made it and it is empty */
			if (f->partition_dir)
			{
				slash = strrchr(f->tmp, '/');
				*slash = '\0';
				(void) rmdir(f->tmp);
			}
		}
	}
}

/* Write callback of the Parquet writer. */
static bool
export_write(void *arg, const void *data, size_t len)
{
	return fwrite(data, 1, len, (FILE *) arg) == len;
}

/* True if s is a plain SQL identifier (letters, digits, _; not first a digit). */
static bool
plain_identifier(const char *s)
{
	const char *p;

	if (s == NULL || !(isalpha((unsigned char) s[0]) || s[0] == '_'))
		return false;
	for (p = s; *p; p++)
		if (!(isalnum((unsigned char) *p) || *p == '_'))
			return false;
	return true;
}

/* True if source reads as a query rather than a relation name. */
static bool
looks_like_query(const char *s)
{
	static const char *const words[] = {"select", "with", "values", "table"};
	int			i;

	while (isspace((unsigned char) *s) || *s == '(')
		s++;
	for (i = 0; i < lengthof(words); i++)
	{
		size_t		n = strlen(words[i]);

		if (pg_strncasecmp(s, words[i], n) == 0 &&
			(s[n] == '\0' || isspace((unsigned char) s[n]) || s[n] == '('))
			return true;
	}
	return false;
}

/*
 * Append a partition value to buf as Hive does: characters that are
 * special in paths or in Hive's syntax, and control characters, as %XX.
 */
static void
hive_escape(StringInfo buf, const char *v)
{
	const char *p;

	if (v == NULL || v[0] == '\0')
	{
		appendStringInfoString(buf, "__HIVE_DEFAULT_PARTITION__");
		return;
	}
	for (p = v; *p; p++)
	{
		unsigned char c = (unsigned char) *p;

		if (c < 0x20 || c == 0x7f || strchr("\"#%'*/:=?\\{[]^", c) != NULL)
			appendStringInfo(buf, "%%%02X", c);
		else
			appendStringInfoChar(buf, (char) c);
	}
}

/* A timestamp as YYYYMMDDTHHMMSSZ (UTC) for file names, or "open". */
static char *
name_stamp(Timestamp ts, bool isnull)
{
	struct pg_tm tm;
	fsec_t		fsec;

	if (isnull)
		return pstrdup("open");
	if (TIMESTAMP_NOT_FINITE(ts) || timestamp2tm(ts, NULL, &tm, &fsec, NULL, NULL) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("since and until must be finite timestamps"),
				 errhint("Pass finite bounds, or leave one out (NULL) for an open range.")));
	if (fsec != 0)
		return psprintf("%04d%02d%02dT%02d%02d%02d%06dZ", tm.tm_year, tm.tm_mon,
						tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (int) fsec);
	return psprintf("%04d%02d%02dT%02d%02d%02dZ", tm.tm_year, tm.tm_mon,
					tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

/*
 * The Parquet kind of a column of type typid/typmod, or an error naming
 * the column.
 */
static void
map_column(Form_pg_attribute att, ExportCol *ec, JsPqColumn *pc)
{
	int32		typmod = att->atttypmod;
	Oid			type = getBaseTypeAndTypmod(att->atttypid, &typmod);
	const char *name = NameStr(att->attname);

	ec->type = type;
	pc->name = name;
	pc->nullable = true;
	switch (type)
	{
		case BOOLOID:
			pc->kind = JS_PQ_BOOLEAN;
			break;
		case INT2OID:
		case INT4OID:
			pc->kind = JS_PQ_INT32;
			break;
		case INT8OID:
			pc->kind = JS_PQ_INT64;
			break;
		case FLOAT4OID:
		case FLOAT8OID:
			pc->kind = JS_PQ_DOUBLE;
			break;
		case TEXTOID:
		case VARCHAROID:
		case BPCHAROID:
		case NAMEOID:
			pc->kind = JS_PQ_STRING;
			break;
		case JSONOID:
		case JSONBOID:
			{
				Oid			out;
				bool		varlena;

				pc->kind = JS_PQ_JSON;
				getTypeOutputInfo(type, &out, &varlena);
				fmgr_info(out, &ec->out);
			}
			break;
		case UUIDOID:
			pc->kind = JS_PQ_UUID;
			break;
		case DATEOID:
			pc->kind = JS_PQ_DATE;
			break;
		case TIMESTAMPTZOID:
			pc->kind = JS_PQ_TIMESTAMP;
			break;
		case TIMESTAMPOID:
			pc->kind = JS_PQ_TIMESTAMP_LOCAL;
			break;
		case TEXTARRAYOID:
		case 1015:				/* varchar[] */
		case 1014:				/* bpchar[] */
			pc->kind = JS_PQ_STRING_LIST;
			break;
		case NUMERICOID:
			{
				int			precision = typmod >= VARHDRSZ ? ((typmod - VARHDRSZ) >> 16) & 0xffff : 0;
				int			scale = typmod >= VARHDRSZ ? (((typmod - VARHDRSZ) & 0x7ff) ^ 1024) - 1024 : 0;

				if (typmod < VARHDRSZ)
					ereport(ERROR,
							(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
							 errmsg("column \"%s\" is numeric without a precision and scale, which export_parquet cannot write as a Parquet DECIMAL", name),
							 errhint("Export a query that casts it, e.g. %s::numeric(12,2).",
									 quote_identifier(name))));
				if (precision > JS_PQ_MAX_DECIMAL_PRECISION || scale < 0)
					ereport(ERROR,
							(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
							 errmsg("column \"%s\" is numeric(%d,%d); export_parquet writes decimals of precision up to %d and scale 0 or more",
									name, precision, scale, JS_PQ_MAX_DECIMAL_PRECISION),
							 errhint("Export a query that casts it to a numeric of precision %d or less, or to text.",
									 JS_PQ_MAX_DECIMAL_PRECISION)));
				pc->kind = JS_PQ_DECIMAL;
				pc->precision = precision;
				pc->scale = scale;
				ec->scale = scale;
			}
			break;
		default:
			ereport(ERROR,
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					 errmsg("column \"%s\" has type %s, which export_parquet cannot write",
							name, format_type_be(att->atttypid)),
					 errhint("Export a query that casts it to a supported type: boolean, integers, double precision, numeric(p,s) with p <= 38, text, text[], uuid, date, timestamp, timestamptz or json.")));
	}
	ec->kind = pc->kind;
}

/*
 * The unscaled integer of a numeric with scale digits after the point
 * (its text form, so every digit is exact).
 */
static JsPqInt128
numeric_unscaled(Datum d, int scale, const char *name)
{
	char	   *s = DatumGetCString(DirectFunctionCall1(numeric_out, d));
	const char *p = s;
	bool		neg = false;
	JsPqInt128	v = 0;
	int			frac = -1;

	if (*p == '-')
	{
		neg = true;
		p++;
	}
	if (!isdigit((unsigned char) *p))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("column \"%s\" holds %s, which a Parquet DECIMAL cannot hold", name, s),
				 errhint("Filter such rows out or export a query that maps them to NULL.")));
	for (; *p; p++)
	{
		if (*p == '.')
		{
			frac = 0;
			continue;
		}
		if (frac >= 0 && ++frac > scale)
		{
			if (*p != '0')
				elog(ERROR, "numeric value %s of column \"%s\" has more than %d decimal digits", s, name, scale);
			continue;
		}
		if (__builtin_mul_overflow(v, 10, &v) || __builtin_add_overflow(v, *p - '0', &v))
			elog(ERROR, "numeric value %s of column \"%s\" is out of range", s, name);
	}
	for (frac = frac < 0 ? 0 : frac; frac < scale; frac++)
		if (__builtin_mul_overflow(v, 10, &v))
			elog(ERROR, "numeric value %s of column \"%s\" is out of range", s, name);
	pfree(s);
	return neg ? -v : v;
}

/* Text of a varlena datum in UTF-8, with its length. */
static const char *
text_utf8(Datum d, size_t *len)
{
	text	   *t = DatumGetTextPP(d);
	const char *p = VARDATA_ANY(t);
	int			n = VARSIZE_ANY_EXHDR(t);

	if (GetDatabaseEncoding() != PG_UTF8)
	{
		char	   *c = pg_server_to_any(p, n, PG_UTF8);

		if (c != p)
		{
			*len = strlen(c);
			return c;
		}
	}
	*len = n;
	return p;
}

/* Hand one value to the writer; false if the writer failed. */
static bool
put_value(JsPqWriter *w, int col, ExportCol *ec, Datum d, bool isnull, const char *name)
{
	size_t		len;
	const char *p;

	if (isnull)
		return js_pq_null(w, col);
	switch (ec->kind)
	{
		case JS_PQ_BOOLEAN:
			return js_pq_int(w, col, DatumGetBool(d) ? 1 : 0);
		case JS_PQ_INT32:
			return js_pq_int(w, col, ec->type == INT2OID ? DatumGetInt16(d) : DatumGetInt32(d));
		case JS_PQ_INT64:
			return js_pq_int(w, col, DatumGetInt64(d));
		case JS_PQ_DOUBLE:
			return js_pq_double(w, col, ec->type == FLOAT4OID ? DatumGetFloat4(d) : DatumGetFloat8(d));
		case JS_PQ_STRING:
			if (ec->type == NAMEOID)
				return js_pq_bytes(w, col, NameStr(*DatumGetName(d)), strlen(NameStr(*DatumGetName(d))));
			p = text_utf8(d, &len);
			return js_pq_bytes(w, col, p, len);
		case JS_PQ_JSON:
			p = OutputFunctionCall(&ec->out, d);
			if (GetDatabaseEncoding() != PG_UTF8)
				p = pg_server_to_any(p, strlen(p), PG_UTF8);
			return js_pq_bytes(w, col, p, strlen(p));
		case JS_PQ_UUID:
			return js_pq_bytes(w, col, DatumGetUUIDP(d)->data, UUID_LEN);
		case JS_PQ_DATE:
			{
				DateADT		v = DatumGetDateADT(d);

				if (DATE_NOT_FINITE(v))
					ereport(ERROR,
							(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
							 errmsg("column \"%s\" holds an infinite date, which Parquet cannot hold", name),
							 errhint("Filter such rows out or export a query that maps them to NULL.")));
				return js_pq_int(w, col, (int64) v + JS_EPOCH_SHIFT_DAYS);
			}
		case JS_PQ_TIMESTAMP:
		case JS_PQ_TIMESTAMP_LOCAL:
			{
				Timestamp	v = DatumGetTimestamp(d);

				if (TIMESTAMP_NOT_FINITE(v))
					ereport(ERROR,
							(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
							 errmsg("column \"%s\" holds an infinite timestamp, which Parquet cannot hold", name),
							 errhint("Filter such rows out or export a query that maps them to NULL.")));
				return js_pq_int(w, col, v + JS_EPOCH_SHIFT_US);
			}
		case JS_PQ_DECIMAL:
			return js_pq_decimal(w, col, numeric_unscaled(d, ec->scale, name));
		case JS_PQ_STRING_LIST:
			{
				ArrayType  *arr = DatumGetArrayTypeP(d);
				Datum	   *elems;
				bool	   *enulls;
				int			n,
							i;

				if (ARR_NDIM(arr) > 1)
					ereport(ERROR,
							(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
							 errmsg("column \"%s\" holds a multidimensional array, which export_parquet cannot write", name),
							 errhint("Export a query that flattens it.")));
				deconstruct_array(arr, ARR_ELEMTYPE(arr), -1, false, TYPALIGN_INT,
								  &elems, &enulls, &n);
				if (!js_pq_list_begin(w, col))
					return false;
				for (i = 0; i < n; i++)
				{
					if (enulls[i])
					{
						if (!js_pq_list_item(w, col, NULL, 0))
							return false;
						continue;
					}
					p = text_utf8(elems[i], &len);
					if (!js_pq_list_item(w, col, p, len))
						return false;
				}
				return true;
			}
		default:
			elog(ERROR, "unexpected Parquet kind %d", (int) ec->kind);
	}
	return false;
}

/* Raise the writer's failure as an error. */
static void
writer_error(ExportState *st, ExportFile *f)
{
	ereport(ERROR,
			(errcode(ERRCODE_IO_ERROR),
			 errmsg("could not write Parquet file \"%s\": %s", f->tmp, js_pq_error(st->writer)),
				 errhint("Check the free space and permissions of the directory on the database server.")));
}

/* Finish the file being written. */
static void
close_file(ExportState *st, ExportFile *f)
{
	JsPqSummary sum;

	if (!js_pq_finish(st->writer, &sum))
		writer_error(st, f);
	js_pq_free(st->writer);
	st->writer = NULL;
	if (fflush(st->fp) != 0 || ferror(st->fp))
		ereport(ERROR,
				(errcode_for_file_access(),
				 errmsg("could not write file \"%s\": %m", f->tmp),
				 errhint("Check the free space and permissions of the directory on the database server.")));
	if (fclose(st->fp) != 0)
	{
		st->fp = NULL;
		ereport(ERROR,
				(errcode_for_file_access(),
				 errmsg("could not close file \"%s\": %m", f->tmp),
				 errhint("Check the free space and permissions of the directory on the database server.")));
	}
	st->fp = NULL;
	f->rows = sum.rows;
	f->bytes = sum.bytes;
	f->row_groups = sum.row_groups;
}

/* Create dir and its parents; an error says what the server cannot do. */
static void
make_directory(const char *dir)
{
	char	   *copy = pstrdup(dir);

	if (pg_mkdir_p(copy, pg_dir_create_mode) != 0 && errno != EEXIST)
		ereport(ERROR,
				(errcode_for_file_access(),
				 errmsg("could not create directory \"%s\": %m", dir),
				 errhint("The directory is created by the database server's operating-system user, which must be able to write its parent.")));
	pfree(copy);
}

/* True if dir holds anything besides . and .. */
static bool
directory_is_empty(const char *dir)
{
	DIR		   *d = AllocateDir(dir);
	struct dirent *de;
	bool		empty = true;

	while ((de = ReadDir(d, dir)) != NULL)
		if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
		{
			empty = false;
			break;
		}
	FreeDir(d);
	return empty;
}

/* The contents of a (small) file, or NULL if it does not exist. */
static char *
read_small_file(const char *path)
{
	FILE	   *fp = AllocateFile(path, "rb");
	StringInfoData buf;
	char		chunk[8192];
	size_t		n;

	if (fp == NULL)
	{
		if (errno == ENOENT)
			return NULL;
		ereport(ERROR,
				(errcode_for_file_access(),
				 errmsg("could not read file \"%s\": %m", path),
				 errhint("Check the permissions of the export's manifest on the database server.")));
	}
	initStringInfo(&buf);
	while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0)
	{
		appendBinaryStringInfo(&buf, chunk, n);
		if (buf.len > 64 * 1024 * 1024)
			ereport(ERROR,
					(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
					 errmsg("manifest \"%s\" is larger than 64 MB", path),
					 errhint("Export into a new directory; a manifest this large lists too many batches.")));
	}
	if (ferror(fp))
		ereport(ERROR,
				(errcode_for_file_access(),
				 errmsg("could not read file \"%s\": %m", path),
				 errhint("Check the permissions of the export's manifest on the database server.")));
	FreeFile(fp);
	return buf.data;
}

/* Write data to path through a temporary name and a durable rename. */
static void
write_file_atomically(const char *path, const char *data, size_t len)
{
	char	   *tmp = psprintf("%s.tmp", path);
	FILE	   *fp = AllocateFile(tmp, "wb");

	if (fp == NULL)
		ereport(ERROR,
				(errcode_for_file_access(),
				 errmsg("could not create file \"%s\": %m", tmp),
				 errhint("Check the free space and permissions of the directory on the database server.")));
	if (fwrite(data, 1, len, fp) != len || fflush(fp) != 0)
	{
		int			save = errno;

		FreeFile(fp);
		unlink(tmp);
		errno = save;
		ereport(ERROR,
				(errcode_for_file_access(),
				 errmsg("could not write file \"%s\": %m", tmp),
				 errhint("Check the free space and permissions of the directory on the database server.")));
	}
	FreeFile(fp);
	if (durable_rename(tmp, path, ERROR) != 0)
		unlink(tmp);
}

/*
 * True if rel is a path this module writes: [NAME=VALUE/]part-*.parquet,
 * no "..", not absolute.
 */
static bool
deletable_path(const char *rel)
{
	const char *base = strrchr(rel, '/');
	const char *slash2;

	if (rel[0] == '/' || strstr(rel, "..") != NULL)
		return false;
	base = base ? base + 1 : rel;
	if (strncmp(base, "part-", 5) != 0 ||
		strlen(base) < 13 || strcmp(base + strlen(base) - 8, ".parquet") != 0)
		return false;
	slash2 = strchr(rel, '/');
	if (slash2 != NULL && (strchr(slash2 + 1, '/') != NULL || strchr(rel, '=') == NULL ||
						   strchr(rel, '=') > slash2))
		return false;
	return true;
}

/* True if s parses as JSON. */
static bool
valid_json(char *s)
{
	JsonLexContext *lex = makeJsonLexContextCstringLen(s, strlen(s), GetDatabaseEncoding(), false);

	return pg_parse_json(lex, &nullSemAction) == JSON_SUCCESS;
}

/* Run one query with SPI that returns one text value (or NULL). */
static char *
spi_text(const char *sql, int nargs, Oid *types, Datum *values, const char *nulls)
{
	bool		isnull;
	Datum		d;

	if (SPI_execute_with_args(sql, nargs, types, values, nulls, true, 1) != SPI_OK_SELECT ||
		SPI_processed != 1)
		elog(ERROR, "internal query of export_parquet failed");
	d = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);
	return isnull ? NULL : TextDatumGetCString(d);
}

/*
 * jobstream.export_parquet(source, directory, partition_by, partition_name,
 *		time_column, since, until, overwrite, resume, compression,
 *		row_group_rows) -> setof (path, partition, rows, bytes)
 */
Datum
jobstream_export_parquet(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	char	   *source,
			   *dir,
			   *partition_by = NULL,
			   *partition_name = NULL,
			   *time_column = NULL,
			   *compression;
	bool		has_since = !PG_ARGISNULL(5),
				has_until = !PG_ARGISNULL(6),
				overwrite,
				resume;
	TimestampTz since = has_since ? PG_GETARG_TIMESTAMPTZ(5) : 0,
				until = has_until ? PG_GETARG_TIMESTAMPTZ(6) : 0;
	int32		row_group_rows;
	char	   *src_sql,
			   *manifest_path,
			   *old_manifest,
			   *batch_name;
	StringInfoData q;
	Portal		portal;
	TupleDesc	desc;
	int			ncols = 0,
				i,
				dropcol = -1;
	bool		found_time = false;
	ExportCol  *ecols;
	JsPqColumn *pcols;
	JsPqOptions opt;
	ExportState *st;
	MemoryContext callcxt = CurrentMemoryContext,
				rowcxt;
	ExportFile *cur = NULL;
	char	   *cur_part = NULL;
	bool		cur_part_null = false;
	List	   *replaced = NIL;
	StringInfoData files_json;
	char	   *manifest;
	Datum	   *values;
	bool	   *isnulls;
	struct stat sb;
	ListCell   *lc;
	Oid			argtypes[4];
	Datum		argvals[4];
	char		argnulls[4];

	/* who may write server files */
	if (!has_privs_of_role(GetUserId(), ROLE_PG_WRITE_SERVER_FILES))
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("permission denied to export to server files"),
				 errhint("Only superusers and members of pg_write_server_files may write server files, as with COPY ... TO a file.")));

	if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("source and directory must not be NULL"),
				 errhint("Pass a table name or a query, and an absolute directory path on the server.")));
	source = text_to_cstring(PG_GETARG_TEXT_PP(0));
	dir = text_to_cstring(PG_GETARG_TEXT_PP(1));
	if (!PG_ARGISNULL(2))
		partition_by = text_to_cstring(PG_GETARG_TEXT_PP(2));
	if (!PG_ARGISNULL(3))
		partition_name = text_to_cstring(PG_GETARG_TEXT_PP(3));
	if (!PG_ARGISNULL(4))
		time_column = text_to_cstring(PG_GETARG_TEXT_PP(4));
	overwrite = !PG_ARGISNULL(7) && PG_GETARG_BOOL(7);
	resume = !PG_ARGISNULL(8) && PG_GETARG_BOOL(8);
	compression = PG_ARGISNULL(9) ? "zstd" : text_to_cstring(PG_GETARG_TEXT_PP(9));
	row_group_rows = PG_ARGISNULL(10) ? 1000000 : PG_GETARG_INT32(10);

	if (!is_absolute_path(dir) || strstr(dir, "..") != NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("directory \"%s\" is not an absolute path without \"..\"", dir),
				 errhint("Pass the absolute path of a directory on the database server.")));
	canonicalize_path(dir);
	js_pq_default_options(&opt);
	if (pg_strcasecmp(compression, "zstd") == 0)
		opt.codec = JS_PQ_ZSTD;
	else if (pg_strcasecmp(compression, "none") == 0 || pg_strcasecmp(compression, "uncompressed") == 0)
		opt.codec = JS_PQ_UNCOMPRESSED;
	else
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("unknown compression \"%s\"", compression),
				 errhint("Use \"zstd\" or \"none\".")));
	if (row_group_rows < 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("row_group_rows must be at least 1"),
				 errhint("Pass a positive number of rows, e.g. row_group_rows => 100000.")));
	opt.row_group_rows = row_group_rows;
	opt.created_by = "jobstream";
	if ((has_since || has_until || resume) && time_column == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("since, until and resume need time_column"),
				 errhint("Name the timestamp column that the range applies to, e.g. time_column => 'ts'.")));
	if (has_since && has_until && since >= until)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("since must be earlier than until"),
				 errhint("Pass a range whose start comes before its end.")));
	if (has_since && resume)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("resume and since exclude each other"),
				 errhint("resume => true starts where the last batch of the manifest ended.")));
	if (partition_by != NULL && partition_name == NULL)
	{
		if (!plain_identifier(partition_by))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("partition_by is an expression, so partition_name is needed"),
					 errhint("Name the directory level, e.g. partition_name => 'month'.")));
		partition_name = partition_by;
	}
	if (partition_name != NULL && partition_by == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("partition_name needs partition_by"),
				 errhint("Pass the column or expression to partition by as partition_by.")));
	if (partition_name != NULL && !plain_identifier(partition_name))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("partition name \"%s\" is not a plain identifier", partition_name),
				 errhint("Use letters, digits and underscores, e.g. partition_name => 'country'.")));

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");

	/* the source and its columns */
	if (looks_like_query(source))
		src_sql = source;
	else
	{
		Oid			relid;
		List	   *names = stringToQualifiedNameList(source);

		relid = RangeVarGetRelid(makeRangeVarFromNameList(names), NoLock, true);
		if (!OidIsValid(relid))
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_TABLE),
					 errmsg("relation \"%s\" does not exist", source),
					 errhint("Pass a table or view name, or a query starting with SELECT, WITH, VALUES or TABLE.")));
		src_sql = psprintf("SELECT * FROM %s",
						   quote_qualified_identifier(get_namespace_name(get_rel_namespace(relid)),
													  get_rel_name(relid)));
	}
	initStringInfo(&q);
	appendStringInfo(&q, "SELECT * FROM (%s) s LIMIT 0", src_sql);
	if (SPI_execute(q.data, true, 0) != SPI_OK_SELECT)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("source is not a query that returns rows"),
				 errhint("Pass a table or view name, or a SELECT.")));
	desc = CreateTupleDescCopy(SPI_tuptable->tupdesc);
	for (i = 0; i < desc->natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(desc, i);

		if (partition_by && strcmp(NameStr(att->attname), partition_by) == 0)
			dropcol = i;
		if (time_column && strcmp(NameStr(att->attname), time_column) == 0)
		{
			Oid			t = getBaseType(att->atttypid);

			if (t != TIMESTAMPTZOID && t != TIMESTAMPOID && t != DATEOID)
				ereport(ERROR,
						(errcode(ERRCODE_DATATYPE_MISMATCH),
						 errmsg("time column \"%s\" has type %s, not a timestamp or a date",
								time_column, format_type_be(att->atttypid)),
						 errhint("Name a timestamptz, timestamp or date column as time_column.")));
			found_time = true;
		}
	}
	if (time_column && !found_time)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_COLUMN),
				 errmsg("time column \"%s\" is not a column of the exported rows", time_column),
				 errhint("Name one of the source's timestamp columns exactly (case matters).")));
	if (partition_by && plain_identifier(partition_by) && dropcol < 0)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_COLUMN),
				 errmsg("partition column \"%s\" is not a column of the exported rows", partition_by),
				 errhint("Name one of the source's columns exactly (case matters), or pass an expression with partition_name.")));
	for (i = 0; i < desc->natts; i++)
		for (int j = 0; j < i; j++)
			if (i != dropcol && j != dropcol &&
				strcmp(NameStr(TupleDescAttr(desc, i)->attname), NameStr(TupleDescAttr(desc, j)->attname)) == 0)
				ereport(ERROR,
						(errcode(ERRCODE_DUPLICATE_COLUMN),
						 errmsg("the exported rows have two columns named \"%s\"",
								NameStr(TupleDescAttr(desc, i)->attname)),
						 errhint("Give the columns distinct names in the query (AS).")));
	ecols = palloc0(sizeof(ExportCol) * desc->natts);
	pcols = palloc0(sizeof(JsPqColumn) * desc->natts);
	for (i = 0; i < desc->natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(desc, i);

		if (att->attisdropped || i == dropcol)
			continue;
		map_column(att, &ecols[ncols], &pcols[ncols]);
		ecols[ncols].attno = i + 1; /* 0-based in the cursor's rows, after the
									 * partition value */
		ncols++;
	}
	if (ncols == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("nothing to export: the rows have no column besides the partition column"),
				 errhint("Partition by an expression, or export more columns.")));

	/* the directory */
	if (stat(dir, &sb) == 0)
	{
		if (!S_ISDIR(sb.st_mode))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("\"%s\" exists and is not a directory", dir),
					 errhint("Pass the path of a directory, or of one to create.")));
	}
	else if (errno == ENOENT)
		make_directory(dir);
	else
		ereport(ERROR,
				(errcode_for_file_access(),
				 errmsg("could not access directory \"%s\": %m", dir),
				 errhint("Check the free space and permissions of the directory on the database server.")));
	if (access(dir, W_OK | X_OK) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("the database server cannot write directory \"%s\": %m", dir),
				 errhint("Choose a directory the server's operating-system user may write, or change its permissions.")));

	/* one export at a time into a directory: the manifest is read-modify-write */
	argtypes[0] = TEXTOID;
	argvals[0] = CStringGetTextDatum(dir);
	argnulls[0] = ' ';
	if (SPI_execute_with_args("SELECT pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtext('jobstream.export_parquet'), pg_catalog.hashtext($1))",
							  1, argtypes, argvals, argnulls, false, 1) != SPI_OK_SELECT)
		elog(ERROR, "internal query of export_parquet failed");

	manifest_path = psprintf("%s/%s", dir, JS_MANIFEST);
	old_manifest = read_small_file(manifest_path);
	if (old_manifest == NULL && !directory_is_empty(dir))
		ereport(ERROR,
				(errcode(ERRCODE_DUPLICATE_OBJECT),
				 errmsg("directory \"%s\" is not empty and holds no export manifest", dir),
				 errhint(overwrite ? "overwrite => true replaces only what an earlier export_parquet wrote there; choose an empty or new directory."
						 : "Choose an empty or new directory.")));
	if (old_manifest != NULL)
	{
		/*
		 * Check the manifest is ours and agrees on the layout, take the
		 * start of a resumed range from it, and find the batches this range
		 * overlaps.
		 */
		char	   *msg;

		argtypes[0] = TEXTOID;
		argvals[0] = CStringGetTextDatum(old_manifest);
		argtypes[1] = TEXTOID;
		argvals[1] = partition_name ? CStringGetTextDatum(partition_name) : (Datum) 0;
		argtypes[2] = TEXTOID;
		argvals[2] = time_column ? CStringGetTextDatum(time_column) : (Datum) 0;
		argnulls[0] = ' ';
		argnulls[1] = partition_name ? ' ' : 'n';
		argnulls[2] = time_column ? ' ' : 'n';
		if (!valid_json(old_manifest))
			msg = "it is not valid JSON";
		else
			msg = spi_text("SELECT CASE "
					   "WHEN ($1::pg_catalog.jsonb OPERATOR(pg_catalog.->>) 'format') IS DISTINCT FROM 'jobstream.export_parquet' "
					   "THEN 'it was not written by jobstream.export_parquet' "
					   "WHEN ($1::pg_catalog.jsonb OPERATOR(pg_catalog.->>) 'partition_name') IS DISTINCT FROM $2 "
					   "THEN pg_catalog.format('it is partitioned by %s, not %s', "
					   "  COALESCE($1::pg_catalog.jsonb OPERATOR(pg_catalog.->>) 'partition_name', '(nothing)'), COALESCE($2, '(nothing)')) "
					   "WHEN ($1::pg_catalog.jsonb OPERATOR(pg_catalog.->>) 'time_column') IS DISTINCT FROM $3 "
					   "THEN pg_catalog.format('its batches are ranges of %s, not %s', "
					   "  COALESCE($1::pg_catalog.jsonb OPERATOR(pg_catalog.->>) 'time_column', '(no range)'), COALESCE($3, '(no range)')) "
					   "END",
					   3, argtypes, argvals, argnulls);
		if (msg != NULL && !(overwrite && !has_since && !has_until && !resume &&
							 strcmp(msg, "it is not valid JSON") != 0 &&
							 strcmp(msg, "it was not written by jobstream.export_parquet") != 0))
			ereport(ERROR,
					(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
					 errmsg("directory \"%s\" holds a manifest that this export cannot extend: %s", dir, msg),
					 errhint("Export into another directory, or with overwrite => true and no range to replace the whole export.")));
		if (resume)
		{
			char	   *last;

			last = spi_text("SELECT CASE WHEN pg_catalog.bool_or((b OPERATOR(pg_catalog.->>) 'until') IS NULL) THEN 'open' "
							"ELSE pg_catalog.max((b OPERATOR(pg_catalog.->>) 'until')::pg_catalog.timestamptz)::pg_catalog.text END "
							"FROM pg_catalog.jsonb_array_elements($1::pg_catalog.jsonb OPERATOR(pg_catalog.->) 'batches') b",
							1, argtypes, argvals, argnulls);
			if (last != NULL && strcmp(last, "open") == 0)
				ereport(ERROR,
						(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
						 errmsg("cannot resume: an earlier batch in \"%s\" has no end", dir),
						 errhint("Pass since explicitly, or export into a new directory.")));
			if (last != NULL)
			{
				since = DatumGetTimestampTz(DirectFunctionCall3(timestamptz_in, CStringGetDatum(last),
																ObjectIdGetDatum(InvalidOid), Int32GetDatum(-1)));
				has_since = true;
			}
			if (has_since && has_until && since >= until)
			{
				/* nothing new to export */
				SPI_finish();
				InitMaterializedSRF(fcinfo, 0);
				return (Datum) 0;
			}
		}
		if (msg == NULL)
		{
			int			r;

			argtypes[1] = TIMESTAMPTZOID;
			argvals[1] = TimestampTzGetDatum(since);
			argnulls[1] = has_since ? ' ' : 'n';
			argtypes[2] = TIMESTAMPTZOID;
			argvals[2] = TimestampTzGetDatum(until);
			argnulls[2] = has_until ? ' ' : 'n';
			r = SPI_execute_with_args(
									  "SELECT f OPERATOR(pg_catalog.->>) 'path' "
									  "FROM pg_catalog.jsonb_array_elements($1::pg_catalog.jsonb OPERATOR(pg_catalog.->) 'batches') b, "
									  "  LATERAL pg_catalog.jsonb_array_elements(b OPERATOR(pg_catalog.->) 'files') f "
									  "WHERE pg_catalog.tstzrange((b OPERATOR(pg_catalog.->>) 'since')::pg_catalog.timestamptz, "
									  "  (b OPERATOR(pg_catalog.->>) 'until')::pg_catalog.timestamptz) "
									  "  OPERATOR(pg_catalog.&&) pg_catalog.tstzrange($2, $3) "
									  "UNION ALL "
									  "SELECT NULL FROM pg_catalog.jsonb_array_elements($1::pg_catalog.jsonb OPERATOR(pg_catalog.->) 'batches') b "
									  "WHERE pg_catalog.tstzrange((b OPERATOR(pg_catalog.->>) 'since')::pg_catalog.timestamptz, "
									  "  (b OPERATOR(pg_catalog.->>) 'until')::pg_catalog.timestamptz) "
									  "  OPERATOR(pg_catalog.&&) pg_catalog.tstzrange($2, $3)",
									  3, argtypes, argvals, argnulls, true, 0);
			if (r != SPI_OK_SELECT)
				elog(ERROR, "internal query of export_parquet failed");
			if (SPI_processed > 0 && !overwrite)
				ereport(ERROR,
						(errcode(ERRCODE_DUPLICATE_OBJECT),
						 errmsg("directory \"%s\" already holds an export of this range", dir),
						 errhint("Pass overwrite => true to replace the batches it overlaps, export another range, or use resume => true to start where the last batch ended.")));
			for (i = 0; i < (int) SPI_processed; i++)
			{
				char	   *p = SPI_getvalue(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 1);

				if (p != NULL)
					replaced = lappend(replaced, MemoryContextStrdup(callcxt, p));
			}
		}
		else
		{
			/* overwrite of a whole export with another layout: replace all */
			int			r = SPI_execute_with_args(
												  "SELECT f OPERATOR(pg_catalog.->>) 'path' "
												  "FROM pg_catalog.jsonb_array_elements($1::pg_catalog.jsonb OPERATOR(pg_catalog.->) 'batches') b, "
												  "  LATERAL pg_catalog.jsonb_array_elements(b OPERATOR(pg_catalog.->) 'files') f",
												  1, argtypes, argvals, argnulls, true, 0);

			if (r != SPI_OK_SELECT)
				elog(ERROR, "internal query of export_parquet failed");
			for (i = 0; i < (int) SPI_processed; i++)
			{
				char	   *p = SPI_getvalue(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 1);

				if (p != NULL)
					replaced = lappend(replaced, MemoryContextStrdup(callcxt, p));
			}
			pfree(old_manifest);
			old_manifest = NULL;
		}
	}
	batch_name = (has_since || has_until) ?
		psprintf("part-%s-%s.parquet", name_stamp(since, !has_since), name_stamp(until, !has_until)) :
		pstrdup("part-0000.parquet");

	/* the query: partition value first, ordered by it */
	resetStringInfo(&q);
	if (partition_by)
		/* '' and NULL share Hive's default partition, so one group */
		appendStringInfo(&q, "SELECT NULLIF(CAST((%s) AS pg_catalog.text), '') COLLATE pg_catalog.\"C\" AS jobstream_partition, s.* FROM (%s) s",
						 dropcol >= 0 ? quote_identifier(partition_by) : partition_by, src_sql);
	else
		appendStringInfo(&q, "SELECT NULL::pg_catalog.text AS jobstream_partition, s.* FROM (%s) s", src_sql);
	if (has_since || has_until)
	{
		appendStringInfoString(&q, " WHERE ");
		if (has_since)
			appendStringInfo(&q, "s.%s OPERATOR(pg_catalog.>=) $1", quote_identifier(time_column));
		if (has_since && has_until)
			appendStringInfoString(&q, " AND ");
		if (has_until)
			appendStringInfo(&q, "s.%s OPERATOR(pg_catalog.<) $2", quote_identifier(time_column));
	}
	if (partition_by)
		appendStringInfoString(&q, " ORDER BY 1");
	argtypes[0] = TIMESTAMPTZOID;
	argvals[0] = TimestampTzGetDatum(since);
	argnulls[0] = has_since ? ' ' : 'n';
	argtypes[1] = TIMESTAMPTZOID;
	argvals[1] = TimestampTzGetDatum(until);
	argnulls[1] = has_until ? ' ' : 'n';
	portal = SPI_cursor_open_with_args(NULL, q.data, 2, argtypes, argvals, argnulls, false, 0);

	/* the cleanup of temporary files, also on abort */
	st = MemoryContextAllocZero(callcxt, sizeof(ExportState));
	st->cb.func = export_cleanup;
	st->cb.arg = st;
	MemoryContextRegisterResetCallback(callcxt, &st->cb);

	values = palloc(sizeof(Datum) * (desc->natts + 1));
	isnulls = palloc(sizeof(bool) * (desc->natts + 1));
	rowcxt = AllocSetContextCreate(CurrentMemoryContext, "export_parquet rows",
								   ALLOCSET_DEFAULT_SIZES);
	for (;;)
	{
		uint64		n;
		MemoryContext old;

		SPI_cursor_fetch(portal, true, JS_FETCH_ROWS);
		n = SPI_processed;
		if (n == 0)
			break;
		for (uint64 r = 0; r < n; r++)
		{
			HeapTuple	tup = SPI_tuptable->vals[r];
			bool		pnull;
			char	   *pstr;

			heap_deform_tuple(tup, SPI_tuptable->tupdesc, values, isnulls);
			pnull = isnulls[0];
			old = MemoryContextSwitchTo(rowcxt);	/* reset after each row */
			pstr = pnull ? NULL : TextDatumGetCString(values[0]);
			MemoryContextSwitchTo(old);

			CHECK_FOR_INTERRUPTS();
			if (cur == NULL || pnull != cur_part_null ||
				(!pnull && strcmp(pstr, cur_part) != 0))
			{
				StringInfoData rel;
				char	   *subdir;
				char	   *tmpname;
				char		err[256];

				if (cur != NULL)
					close_file(st, cur);
				old = MemoryContextSwitchTo(callcxt);
				cur = palloc0(sizeof(ExportFile));
				initStringInfo(&rel);
				if (partition_by)
				{
					appendStringInfo(&rel, "%s=", partition_name);
					hive_escape(&rel, pstr);
					subdir = psprintf("%s/%s", dir, rel.data);
					make_directory(subdir);
					appendStringInfoChar(&rel, '/');
					cur->partition_dir = true;
				}
				else
					subdir = pstrdup(dir);
				tmpname = psprintf(".%s.%d.tmp", batch_name, MyProcPid);
				appendStringInfoString(&rel, batch_name);
				cur->rel = rel.data;
				cur->final = psprintf("%s/%s", dir, rel.data);
				cur->tmp = psprintf("%s/%s", subdir, tmpname);
				cur->partition = pstr ? pstrdup(pstr) : NULL;
				cur_part = cur->partition;
				cur_part_null = pnull;
				st->files = lappend(st->files, cur);
				MemoryContextSwitchTo(old);
				st->fp = fopen(cur->tmp, "wb");
				if (st->fp == NULL)
					ereport(ERROR,
							(errcode_for_file_access(),
							 errmsg("could not create file \"%s\": %m", cur->tmp),
				 errhint("Check the free space and permissions of the directory on the database server.")));
				st->writer = js_pq_create(pcols, ncols, &opt, export_write, st->fp,
										  err, sizeof(err));
				if (st->writer == NULL)
					ereport(ERROR,
							(errcode(ERRCODE_INTERNAL_ERROR),
							 errmsg("could not start Parquet file \"%s\": %s", cur->tmp, err),
							 errhint("Export fewer or differently named columns.")));
			}
			old = MemoryContextSwitchTo(rowcxt);
			for (i = 0; i < ncols; i++)
			{
				int			a = ecols[i].attno;

				if (!put_value(st->writer, i, &ecols[i], values[a], isnulls[a], pcols[i].name))
					writer_error(st, cur);
			}
			if (!js_pq_end_row(st->writer))
				writer_error(st, cur);
			MemoryContextSwitchTo(old);
			MemoryContextReset(rowcxt);
		}
		SPI_freetuptable(SPI_tuptable);
	}
	if (cur != NULL)
		close_file(st, cur);
	SPI_cursor_close(portal);

	/* the new manifest, written once the files have their names */
	initStringInfo(&files_json);
	appendStringInfoChar(&files_json, '[');
	foreach(lc, st->files)
	{
		ExportFile *f = lfirst(lc);

		if (files_json.len > 1)
			appendStringInfoChar(&files_json, ',');
		appendStringInfoString(&files_json, "{\"path\":");
		escape_json(&files_json, f->rel);
		appendStringInfoString(&files_json, ",\"partition\":");
		if (f->partition)
			escape_json(&files_json, f->partition);
		else
			appendStringInfoString(&files_json, "null");
		appendStringInfo(&files_json, ",\"rows\":" INT64_FORMAT ",\"bytes\":" INT64_FORMAT ",\"row_groups\":%d}",
						 f->rows, f->bytes, f->row_groups);
	}
	appendStringInfoChar(&files_json, ']');
	{
		Oid			mtypes[9] = {TEXTOID, TIMESTAMPTZOID, TIMESTAMPTZOID, TEXTOID, TEXTOID,
		TEXTOID, TEXTOID, TEXTOID, TEXTOID};
		Datum		mvals[9];
		char		mnulls[9];

		mvals[0] = old_manifest ? CStringGetTextDatum(old_manifest) : (Datum) 0;
		mnulls[0] = old_manifest ? ' ' : 'n';
		mvals[1] = TimestampTzGetDatum(since);
		mnulls[1] = has_since ? ' ' : 'n';
		mvals[2] = TimestampTzGetDatum(until);
		mnulls[2] = has_until ? ' ' : 'n';
		mvals[3] = CStringGetTextDatum(files_json.data);
		mnulls[3] = ' ';
		mvals[4] = CStringGetTextDatum(source);
		mnulls[4] = ' ';
		mvals[5] = partition_by ? CStringGetTextDatum(partition_by) : (Datum) 0;
		mnulls[5] = partition_by ? ' ' : 'n';
		mvals[6] = partition_name ? CStringGetTextDatum(partition_name) : (Datum) 0;
		mnulls[6] = partition_name ? ' ' : 'n';
		mvals[7] = time_column ? CStringGetTextDatum(time_column) : (Datum) 0;
		mnulls[7] = time_column ? ' ' : 'n';
		mvals[8] = CStringGetTextDatum(opt.codec == JS_PQ_ZSTD ? "zstd" : "none");
		mnulls[8] = ' ';
		manifest = spi_text(
							"WITH old AS ("
							"  SELECT b FROM pg_catalog.jsonb_array_elements(COALESCE($1::pg_catalog.jsonb OPERATOR(pg_catalog.->) 'batches', '[]')) b "
							"  WHERE NOT pg_catalog.tstzrange((b OPERATOR(pg_catalog.->>) 'since')::pg_catalog.timestamptz, "
							"    (b OPERATOR(pg_catalog.->>) 'until')::pg_catalog.timestamptz) "
							"    OPERATOR(pg_catalog.&&) pg_catalog.tstzrange($2, $3)), "
							"new AS (SELECT pg_catalog.jsonb_build_object("
							"  'since', pg_catalog.to_char($2 AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'), "
							"  'until', pg_catalog.to_char($3 AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'), "
							"  'exported_at', pg_catalog.to_char(pg_catalog.statement_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'), "
							"  'source', $5, "
							"  'rows', (SELECT COALESCE(pg_catalog.sum((f OPERATOR(pg_catalog.->>) 'rows')::pg_catalog.int8), 0) FROM pg_catalog.jsonb_array_elements($4::pg_catalog.jsonb) f), "
							"  'bytes', (SELECT COALESCE(pg_catalog.sum((f OPERATOR(pg_catalog.->>) 'bytes')::pg_catalog.int8), 0) FROM pg_catalog.jsonb_array_elements($4::pg_catalog.jsonb) f), "
							"  'files', $4::pg_catalog.jsonb) AS b), "
							"batches AS (SELECT b FROM old UNION ALL SELECT b FROM new) "
							"SELECT pg_catalog.jsonb_pretty(pg_catalog.jsonb_build_object("
							"  'format', 'jobstream.export_parquet', 'version', 1, "
							"  'partition_by', $6, 'partition_name', $7, 'time_column', $8, 'compression', $9, "
							"  'rows', (SELECT pg_catalog.sum((b OPERATOR(pg_catalog.->>) 'rows')::pg_catalog.int8) FROM batches), "
							"  'bytes', (SELECT pg_catalog.sum((b OPERATOR(pg_catalog.->>) 'bytes')::pg_catalog.int8) FROM batches), "
							"  'batches', (SELECT pg_catalog.jsonb_agg(b ORDER BY b OPERATOR(pg_catalog.->>) 'since' NULLS FIRST) FROM batches)))",
							9, mtypes, mvals, mnulls);
	}

	/* every file is complete: give them their names */
	foreach(lc, st->files)
	{
		ExportFile *f = lfirst(lc);

		durable_rename(f->tmp, f->final, ERROR);
		f->renamed = true;
	}

	write_file_atomically(manifest_path, manifest, strlen(manifest));

	/* files of replaced batches that this batch did not write over */
	foreach(lc, replaced)
	{
		char	   *rel = lfirst(lc);
		ListCell   *lc2;
		bool		rewritten = false;
		char	   *path,
				   *slash;

		foreach(lc2, st->files)
			if (strcmp(((ExportFile *) lfirst(lc2))->rel, rel) == 0)
				rewritten = true;
		if (rewritten || !deletable_path(rel))
			continue;
		path = psprintf("%s/%s", dir, rel);
		if (unlink(path) != 0 && errno != ENOENT)
			ereport(WARNING,
					(errcode_for_file_access(),
					 errmsg("could not remove replaced file \"%s\": %m", path)));
		slash = strrchr(path, '/');
		*slash = '\0';
		if (strcmp(path, dir) != 0)
			(void) rmdir(path); /* only succeeds once empty */
	}
	st->done = true;

	SPI_finish();

	/* the result: one row per file */
	InitMaterializedSRF(fcinfo, 0);
	foreach(lc, st->files)
	{
		ExportFile *f = lfirst(lc);
		Datum		values[4];
		bool		nulls[4] = {false, false, false, false};

		values[0] = CStringGetTextDatum(f->rel);
		if (f->partition)
			values[1] = CStringGetTextDatum(f->partition);
		else
			nulls[1] = true;
		values[2] = Int64GetDatum(f->rows);
		values[3] = Int64GetDatum(f->bytes);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	return (Datum) 0;
}
