/*
 * csv.c
 *		A small CSV reader and the CSV loader of the reference snapshot.
 *
 * The whole file is read into memory and parsed in place: a record's
 * fields point into the buffer, and a quoted field is unescaped by moving
 * its bytes left over the doubled quotes, which never grows it.  The rules
 * are those of COPY ... (FORMAT csv) with the default NULL (see csv.h), so
 * the producer sees the reference rows that CREATE EXTENSION loads.
 */
#include "csv.h"
#include "decode.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

/* Parse data in place, calling fn per record; see csv.h. */
bool
js_csv_parse(char *data, size_t len, JsCsvRecordFn fn, void *arg,
			 char *err, size_t errlen)
{
	JsString	fields[JS_CSV_MAX_FIELDS];
	char	   *p = data;
	char	   *end = data + len;
	int			line = 1;

	if (len >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0)
		p += 3;
	while (p < end)
	{
		int			nfields = 0;
		int			record_line = line;
		bool		eol = false;

		/* a blank line (possibly the last) is no record */
		if (*p == '\n' || (*p == '\r' && p + 1 < end && p[1] == '\n'))
		{
			p += (*p == '\r') ? 2 : 1;
			line++;
			continue;
		}
		while (!eol)
		{
			JsString   *f;

			if (nfields == JS_CSV_MAX_FIELDS)
			{
				snprintf(err, errlen, "line %d: more than %d fields", record_line,
						 JS_CSV_MAX_FIELDS);
				return false;
			}
			f = &fields[nfields++];
			if (p < end && *p == '"')
			{
				char	   *out = ++p;

				f->ptr = out;
				for (;;)
				{
					if (p >= end)
					{
						snprintf(err, errlen, "line %d: unterminated quoted field",
								 record_line);
						return false;
					}
					if (*p == '"')
					{
						if (p + 1 < end && p[1] == '"')
						{
							*out++ = '"';
							p += 2;
							continue;
						}
						p++;
						break;
					}
					if (*p == '\n')
						line++;
					*out++ = *p++;
				}
				f->len = out - f->ptr;
				if (p < end && *p != ',' && *p != '\n' && *p != '\r')
				{
					snprintf(err, errlen, "line %d: unexpected character after a quoted field",
							 record_line);
					return false;
				}
			}
			else
			{
				char	   *start = p;

				while (p < end && *p != ',' && *p != '\n' && *p != '\r')
				{
					if (*p == '"')
					{
						snprintf(err, errlen, "line %d: quote inside an unquoted field",
								 record_line);
						return false;
					}
					p++;
				}
				f->ptr = (p == start) ? NULL : start;
				f->len = p - start;
			}
			if (p >= end)
				eol = true;
			else if (*p == ',')
				p++;
			else
			{
				if (*p == '\r')
					p++;
				if (p < end && *p == '\n')
					p++;
				line++;
				eol = true;
			}
		}
		if (!fn(arg, fields, nfields, record_line, err, errlen))
			return false;
	}
	return true;
}

/* What the loader of one table needs across records. */
typedef struct JsCsvTableLoad
{
	JsRefData  *ref;
	JsRefTable	table;
	const char *path;
	int			colpos[JS_REF_MAX_COLUMNS];	/* field of each wanted column */
	int			nheader;
} JsCsvTableLoad;

/* Record callback: map the header, then add each row to the snapshot. */
static bool
js_csv_table_record(void *arg, const JsString *fields, int nfields, int line,
					char *err, size_t errlen)
{
	JsCsvTableLoad *ld = arg;
	const JsRefTableDef *def = &js_ref_tables[ld->table];
	JsString	cols[JS_REF_MAX_COLUMNS];

	if (ld->nheader == 0)
	{
		for (int k = 0; k < def->ncolumns; k++)
		{
			ld->colpos[k] = -1;
			for (int f = 0; f < nfields; f++)
				if (fields[f].ptr && fields[f].len == strlen(def->columns[k]) &&
					memcmp(fields[f].ptr, def->columns[k], fields[f].len) == 0)
					ld->colpos[k] = f;
			if (ld->colpos[k] < 0)
			{
				snprintf(err, errlen, "%s: no column \"%s\" in the header",
						 ld->path, def->columns[k]);
				return false;
			}
		}
		ld->nheader = nfields;
		return true;
	}
	if (nfields != ld->nheader)
	{
		snprintf(err, errlen, "%s, line %d: %d fields where the header has %d",
				 ld->path, line, nfields, ld->nheader);
		return false;
	}
	for (int k = 0; k < def->ncolumns; k++)
		cols[k] = fields[ld->colpos[k]];
	if (!js_ref_add_row(ld->ref, ld->table, cols))
	{
		snprintf(err, errlen, "out of memory");
		return false;
	}
	return true;
}

/* Read a whole file into a malloc'ed buffer. */
static char *
js_read_file(const char *path, size_t *len, char *err, size_t errlen)
{
	FILE	   *f = fopen(path, "rb");
	char	   *buf = NULL;
	size_t		cap = 0,
				n = 0;

	if (f == NULL)
	{
		snprintf(err, errlen, "could not open \"%s\": %s", path, strerror(errno));
		return NULL;
	}
	for (;;)
	{
		size_t		got;

		if (cap - n < 65536)
		{
			char	   *grown = realloc(buf, cap ? cap * 2 : 262144);

			if (grown == NULL)
			{
				free(buf);
				fclose(f);
				snprintf(err, errlen, "out of memory reading \"%s\"", path);
				return NULL;
			}
			buf = grown;
			cap = cap ? cap * 2 : 262144;
		}
		got = fread(buf + n, 1, cap - n, f);
		n += got;
		if (got == 0)
			break;
	}
	if (ferror(f))
	{
		free(buf);
		fclose(f);
		snprintf(err, errlen, "could not read \"%s\": %s", path, strerror(errno));
		return NULL;
	}
	fclose(f);
	*len = n;
	return buf;
}

/* Load every reference table from dir; see csv.h. */
bool
js_ref_load_csv_dir(JsRefData *ref, const char *dir, char *err, size_t errlen)
{
	for (int t = 0; t < JS_REF_NTABLES; t++)
	{
		JsCsvTableLoad ld;
		char		path[4096];
		char	   *data;
		size_t		len;
		bool		ok;

		snprintf(path, sizeof(path), "%s/%s.csv", dir, js_ref_tables[t].table);
		if (js_ref_tables[t].optional && access(path, F_OK) != 0)
			continue;			/* the data of an older release */
		data = js_read_file(path, &len, err, errlen);
		if (data == NULL)
			return false;
		memset(&ld, 0, sizeof(ld));
		ld.ref = ref;
		ld.table = t;
		ld.path = path;
		ok = js_csv_parse(data, len, js_csv_table_record, &ld, err, errlen);
		if (ok && ld.nheader == 0)
		{
			snprintf(err, errlen, "%s: no header line", path);
			ok = false;
		}
		/* the snapshot copied what it keeps */
		free(data);
		if (!ok)
			return false;
	}
	return true;
}

/*
 * Append s[0..n) as one CSV field: quoted (with "" for a quote) when it
 * is empty, holds a separator, quote or line break, or is \. (which COPY
 * would take for the end of the data).
 */
static bool
csv_field(JsBuf *out, const char *s, size_t n)
{
	bool		quote = n == 0 || (n == 2 && s[0] == '\\' && s[1] == '.');

	for (size_t i = 0; i < n && !quote; i++)
		quote = s[i] == ',' || s[i] == '"' || s[i] == '\r' || s[i] == '\n';
	if (!quote)
		return js_buf_append(out, s, n);
	if (!js_buf_append(out, "\"", 1))
		return false;
	for (size_t i = 0; i < n; i++)
		if ((s[i] == '"' && !js_buf_append(out, "\"", 1)) || !js_buf_append(out, &s[i], 1))
			return false;
	return js_buf_append(out, "\"", 1);
}

/*
 * Append the PostgreSQL array literal of items to out: an element in
 * double quotes (with \ before " and \) when it is empty, NULL in any
 * case, or holds a brace, comma, quote, backslash or white space.
 */
static bool
array_literal(JsBuf *out, const JsString *items, int n)
{
	if (!js_buf_append(out, "{", 1))
		return false;
	for (int i = 0; i < n; i++)
	{
		const char *s = items[i].ptr;
		size_t		len = items[i].len;
		bool		quote = len == 0 || (len == 4 && strncasecmp(s, "null", 4) == 0);

		for (size_t k = 0; k < len && !quote; k++)
			quote = strchr("{},\"\\ \t\n\r\v\f", s[k]) != NULL;
		if ((i > 0 && !js_buf_append(out, ",", 1)) || (quote && !js_buf_append(out, "\"", 1)))
			return false;
		for (size_t k = 0; k < len; k++)
			if ((quote && (s[k] == '"' || s[k] == '\\') && !js_buf_append(out, "\\", 1)) ||
				!js_buf_append(out, &s[k], 1))
				return false;
		if (quote && !js_buf_append(out, "\"", 1))
			return false;
	}
	return js_buf_append(out, "}", 1);
}

/*
 * The header record: field names (see csv.h).
 */
bool
js_csv_header(const JsTopicDef *def, JsBuf *out)
{
	for (int i = 0; i < def->nfields; i++)
		if ((i > 0 && !js_buf_append(out, ",", 1)) ||
			!csv_field(out, def->fields[i].name, strlen(def->fields[i].name)))
			return false;
	return js_buf_append(out, "\n", 1);
}

/*
 * One record of row (see csv.h).
 */
bool
js_csv_encode(const JsTopicDef *def, const JsValue *row, JsBuf *out)
{
	JsBuf		arr = {0};
	bool		good = true;

	for (int i = 0; i < def->nfields && good; i++)
	{
		const JsValue *v = &row[i];
		char		tmp[64];
		size_t		n = 0;

		if (i > 0 && !js_buf_append(out, ",", 1))
			good = false;
		else if (v->isnull)
			continue;
		else
			switch (def->fields[i].type)
			{
				case JS_UUID:
					js_uuid_format(v->v.uuid, tmp);
					good = js_buf_append(out, tmp, 36);
					break;
				case JS_TEXT:
					good = csv_field(out, v->v.str.ptr, v->v.str.len);
					break;
				case JS_INT:
					n = js_format_decimal(v->v.i32, 0, tmp);
					good = js_buf_append(out, tmp, n);
					break;
				case JS_DECIMAL:
					n = js_format_decimal(v->v.i64, def->fields[i].scale, tmp);
					good = js_buf_append(out, tmp, n);
					break;
				case JS_TIMESTAMPTZ:
					n = js_format_timestamp(v->v.i64, tmp);
					good = js_buf_append(out, tmp, n);
					break;
				case JS_DATE:
					n = js_format_date(v->v.date, tmp);
					good = js_buf_append(out, tmp, n);
					break;
				case JS_TEXT_ARRAY:
					js_buf_reset(&arr);
					good = array_literal(&arr, v->v.arr.items, v->v.arr.n) &&
						csv_field(out, arr.data, arr.len);
					break;
			}
	}
	js_buf_free(&arr);
	return good && js_buf_append(out, "\n", 1);
}
