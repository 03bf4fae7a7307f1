/*
 * csv.h
 *		A small RFC 4180 CSV reader, and loading the reference snapshot from
 *		the installed CSV files (pure C).
 *
 * Used by the command-line producer, which has no database to read the
 * reference tables from; the files are those that CREATE EXTENSION loads,
 * read with the same rules as COPY ... (FORMAT csv): fields separated by
 * commas, optionally in double quotes with "" for a quote, records ended
 * by LF or CRLF (also inside quotes), an unquoted empty field is NULL, a
 * quoted empty field is the empty string.  A UTF-8 byte-order mark at the
 * start of a file is skipped.
 *
 * And a writer of records in the same form (js_csv_header, js_csv_encode),
 * for the CSV files of the generated data.
 */
#ifndef JOBSTREAM_CSV_H
#define JOBSTREAM_CSV_H

#include <stdbool.h>
#include <stddef.h>

#include "contract.h"
#include "generate.h"
#include "jsonw.h"

/* The most fields of a record. */
#define JS_CSV_MAX_FIELDS	64

/*
 * Called once per record (the header included) with its fields (ptr NULL
 * for NULL) and its 1-based line number; returns false to stop with the
 * message it wrote into err.
 */
typedef bool (*JsCsvRecordFn) (void *arg, const JsString *fields, int nfields,
							   int line, char *err, size_t errlen);

/*
 * Parse data[0..len) in place (quoted fields are unescaped where they
 * are), calling fn for every record.  Returns false with a message in err
 * on malformed input or when fn fails.
 */
extern bool js_csv_parse(char *data, size_t len, JsCsvRecordFn fn, void *arg,
						 char *err, size_t errlen);

/*
 * Add the rows of every reference table to ref from dir/<table>.csv,
 * taking the columns js_ref_tables names by the file's header.  A missing
 * file or column is an error, except the file of an optional table.  Then js_ref_finish is still the caller's.
 */
extern bool js_ref_load_csv_dir(JsRefData *ref, const char *dir,
								char *err, size_t errlen);

/*
 * Append the header record of def's rows to out: the contract's field
 * names (the columns of its table), comma-separated, ended by LF.
 */
extern bool js_csv_header(const JsTopicDef *def, JsBuf *out);

/*
 * Append row as one CSV record that COPY ... FROM (FORMAT csv) reads back
 * into def's table: NULL as an empty field, the empty string as "",
 * fields quoted when they hold a comma, quote, CR or LF; UUIDs, dates,
 * timestamps and decimals as js_encode writes them; text arrays as
 * PostgreSQL array literals ({a,"b c"}).  Returns false only if out of
 * memory.
 */
extern bool js_csv_encode(const JsTopicDef *def, const struct JsValue *row, JsBuf *out);

#endif							/* JOBSTREAM_CSV_H */
