/*
 * parquet.h
 *		A small Apache Parquet file writer (pure C; see parquet.c).
 *
 * The caller describes the columns, then hands values row by row: one
 * call per column per row (js_pq_null, js_pq_int, js_pq_double,
 * js_pq_bytes, or js_pq_list_begin + js_pq_list_item for a list), then
 * js_pq_end_row.  Rows are buffered into a row group, written when it
 * reaches its bound, and js_pq_finish writes the last row group and the
 * footer.  Bytes go out through the caller's write function, in order,
 * never seeking back.
 *
 * Every function that can fail returns false and leaves a message for
 * js_pq_error; after a failure the writer only accepts js_pq_free.
 */
#ifndef JOBSTREAM_PARQUET_H
#define JOBSTREAM_PARQUET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* What a column holds, and so its physical and logical Parquet types. */
typedef enum JsPqKind
{
	JS_PQ_BOOLEAN,				/* BOOLEAN */
	JS_PQ_INT32,				/* INT32 */
	JS_PQ_INT64,				/* INT64 */
	JS_PQ_DOUBLE,				/* DOUBLE */
	JS_PQ_STRING,				/* BYTE_ARRAY, STRING (UTF-8) */
	JS_PQ_JSON,					/* BYTE_ARRAY, JSON */
	JS_PQ_UUID,					/* FIXED_LEN_BYTE_ARRAY(16), UUID */
	JS_PQ_DATE,					/* INT32 days since 1970-01-01, DATE */
	JS_PQ_TIMESTAMP,			/* INT64 µs since the epoch, TIMESTAMP(UTC, MICROS) */
	JS_PQ_TIMESTAMP_LOCAL,		/* INT64, TIMESTAMP(isAdjustedToUTC=false, MICROS) */
	JS_PQ_DECIMAL,				/* unscaled: INT32 (precision <= 9), INT64 (<= 18),
								 * FIXED_LEN_BYTE_ARRAY big-endian (<= 38) */
	JS_PQ_STRING_LIST			/* LIST of optional STRING (3-level structure) */
} JsPqKind;

/* The largest decimal precision the writer stores (in 16 bytes). */
#define JS_PQ_MAX_DECIMAL_PRECISION 38

/* A decimal's unscaled value, wide enough for 38 digits (GCC, Clang). */
typedef __int128 JsPqInt128;

typedef struct JsPqColumn
{
	const char *name;			/* copied by js_pq_create */
	JsPqKind	kind;
	bool		nullable;		/* false: REQUIRED, js_pq_null is an error */
	int			precision;		/* JS_PQ_DECIMAL only: 1..38 */
	int			scale;			/* JS_PQ_DECIMAL only: 0..precision */
} JsPqColumn;

typedef enum JsPqCodec
{
	JS_PQ_UNCOMPRESSED = 0,
	JS_PQ_ZSTD = 6				/* the CompressionCodec numbers of the format */
} JsPqCodec;

typedef struct JsPqOptions
{
	JsPqCodec	codec;
	int			zstd_level;		/* 0: the library's default */
	int64_t		row_group_rows; /* a row group holds at most this many rows */
	size_t		row_group_bytes;	/* ... and is written once its buffered
									 * values reach this many bytes */
	size_t		dictionary_bytes;	/* a column chunk falls back from
									 * dictionary to PLAIN encoding when its
									 * dictionary outgrows this */
	const char *created_by;		/* NULL: "jobstream" */
} JsPqOptions;

/* What js_pq_finish wrote. */
typedef struct JsPqSummary
{
	int64_t		rows;
	int64_t		bytes;			/* the whole file */
	int			row_groups;
} JsPqSummary;

/* Writes len bytes; false on failure (errno says why). */
typedef bool (*JsPqWriteFn) (void *arg, const void *data, size_t len);

typedef struct JsPqWriter JsPqWriter;

/* Fill opt with the defaults (zstd, 1,000,000 rows, 64 MiB, 1 MiB). */
extern void js_pq_default_options(JsPqOptions *opt);

/*
 * A writer of the given columns (copied), writing through fn(arg, ...).
 * Returns NULL with a message in err for a bad column definition or
 * option, or when out of memory.  Writes nothing yet.
 */
extern JsPqWriter *js_pq_create(const JsPqColumn *cols, int ncols,
								const JsPqOptions *opt, JsPqWriteFn fn,
								void *arg, char *err, size_t errlen);

/* The value of column col in the current row. */
extern bool js_pq_null(JsPqWriter *w, int col);
/* BOOLEAN (0/1), INT32, INT64, DATE, TIMESTAMP*, DECIMAL (unscaled). */
extern bool js_pq_int(JsPqWriter *w, int col, int64_t value);
extern bool js_pq_double(JsPqWriter *w, int col, double value);
/* DECIMAL of any precision: the unscaled value. */
extern bool js_pq_decimal(JsPqWriter *w, int col, JsPqInt128 unscaled);
/* STRING, JSON (len bytes of UTF-8), UUID (16 bytes). */
extern bool js_pq_bytes(JsPqWriter *w, int col, const void *data, size_t len);
/* A list value (maybe empty), whose elements follow with js_pq_list_item. */
extern bool js_pq_list_begin(JsPqWriter *w, int col);
/* One element of the list begun; data NULL for a null element. */
extern bool js_pq_list_item(JsPqWriter *w, int col, const void *data, size_t len);
/* Close the current row: every column must have had its value. */
extern bool js_pq_end_row(JsPqWriter *w);

/*
 * Write what is buffered and the footer; the file is complete once the
 * write function has taken the last bytes.  Fills *summary if not NULL.
 */
extern bool js_pq_finish(JsPqWriter *w, JsPqSummary *summary);

/* Rows accepted so far, and bytes handed to the write function so far. */
extern int64_t js_pq_rows(const JsPqWriter *w);
extern int64_t js_pq_bytes_written(const JsPqWriter *w);

/* The message of the last failure. */
extern const char *js_pq_error(const JsPqWriter *w);

/* Free the writer and everything it holds (NULL is fine). */
extern void js_pq_free(JsPqWriter *w);

#endif							/* JOBSTREAM_PARQUET_H */
