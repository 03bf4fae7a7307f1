/*
 * test_csv.c
 *		Unit tests of the CSV record writer (js_csv_header, js_csv_encode in
 *		src/csv.c) with hostile values; prints TAP.
 *
 * A job post with quotes, commas, line breaks, the COPY end marker, empty
 * strings, NULLs and array elements that need quoting in a PostgreSQL array
 * literal is encoded; the test checks the exact bytes (the forms COPY ...
 * FROM (FORMAT csv) reads), and that the CSV reader of csv.c gives back
 * each field.  (test/integration/91_csv.sh loads generated files with COPY.)
 *
 * Build and run as the other unit tests (see test/unit/README).
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "contract.h"
#include "csv.h"
#include "decode.h"
#include "jsonw.h"

#include "tap.h"


/* Fields of the record the reader gives back. */
static char fields[JS_CSV_MAX_FIELDS][512];
static bool nulls[JS_CSV_MAX_FIELDS];
static int	nrecords;
static int	nfields;

static bool
keep(void *arg, const JsString *f, int n, int line, char *err, size_t errlen)
{
	(void) arg;
	(void) line;
	(void) err;
	(void) errlen;
	nrecords++;
	nfields = n;
	for (int i = 0; i < n; i++)
	{
		nulls[i] = f[i].ptr == NULL;
		snprintf(fields[i], sizeof(fields[i]), "%.*s", (int) f[i].len, f[i].ptr ? f[i].ptr : "");
	}
	return true;
}

int
main(void)
{
	const JsTopicDef *def = &js_topics[JS_TOPIC_JOB_POSTS];
	const char *msg =
		"{\"post_id\":\"3f1c2a4e-9b7d-4c1e-8a2b-1234567890ab\","
		"\"company\":\"\\\\.\",\"job_title\":\"Dev, \\\"senior\\\"\","
		"\"job_category\":\"Data & Analytics\",\"industry\":\"\","
		"\"location_country\":null,\"location_city\":\"Z\\u00fcrich\","
		"\"description\":\"line1\\r\\nline2\","
		"\"required_skills\":[\"NULL\",\"\",\"a b\",\"x\\\"y\",\"back\\\\slash\",\"{brace}\",\"C++\"],"
		"\"certifications\":[],\"salary_min\":0,\"salary_max\":10,"
		"\"experience_level\":null,\"min_years_experience\":null,\"employment_type\":null,"
		"\"work_mode\":null,\"platform\":null,\"posted_date\":\"1969-07-20\",\"deadline_date\":null}";
	const char *want =
		"3f1c2a4e-9b7d-4c1e-8a2b-1234567890ab,\"\\.\",\"Dev, \"\"senior\"\"\",Data & Analytics,\"\",,"
		"Z\xc3\xbcrich,\"line1\r\nline2\","
		"\"{\"\"NULL\"\",\"\"\"\",\"\"a b\"\",\"\"x\\\"\"y\"\",\"\"back\\\\slash\"\",\"\"{brace}\"\",C++}\","
		"{},0,10,,,,,,1969-07-20,\n";
	JsArena		arena;
	JsValue		row[JS_MAX_FIELDS];
	char		err[JS_ERRLEN];
	JsBuf		out = {0};
	JsBuf		hdr = {0};

	js_arena_init(&arena, 4096);
	ok(js_decode(def, msg, strlen(msg), row, &arena, err, sizeof(err)), "hostile post decodes: %s", err);
	ok(js_csv_encode(def, row, &out), "it encodes");
	ok(strcmp(out.data, want) == 0, "exact CSV: quotes doubled, \\. and '' quoted, NULL empty, array literal quoted");
	if (strcmp(out.data, want) != 0)
		printf("# got:  %s# want: %s", out.data, want);

	ok(js_csv_parse(out.data, out.len, keep, NULL, err, sizeof(err)) && nrecords == 1 &&
	   nfields == def->nfields, "the CSV reader reads one record of %d fields", def->nfields);
	ok(strcmp(fields[1], "\\.") == 0 && strcmp(fields[2], "Dev, \"senior\"") == 0 &&
	   !nulls[4] && fields[4][0] == '\0' && nulls[5] && strcmp(fields[7], "line1\r\nline2") == 0,
	   "text fields come back as they were: quotes, commas, CR LF, '' apart from NULL");
	ok(strcmp(fields[8], "{\"NULL\",\"\",\"a b\",\"x\\\"y\",\"back\\\\slash\",\"{brace}\",C++}") == 0 &&
	   strcmp(fields[9], "{}") == 0, "array literals: NULL, '', blanks, quotes, backslashes and braces quoted");

	ok(js_csv_header(def, &hdr) && strncmp(hdr.data, "post_id,company,job_title,", 26) == 0 &&
	   hdr.data[hdr.len - 1] == '\n' && strstr(hdr.data, ",deadline_date\n") != NULL,
	   "the header is the contract's field names");

	js_buf_free(&out);
	js_buf_free(&hdr);
	js_arena_free(&arena);
	return tap_done();
}
