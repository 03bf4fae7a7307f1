/*
 * decode.h
 *		JSON message → row decoder, its arena, and the small date, time and
 *		UUID helpers shared with the encoder and the generators.
 *
 * Plain C: no PostgreSQL headers, so the command-line tools, unit tests and
 * fuzz targets compile it with any C compiler.  See decode.c for the
 * accepted syntax and the limits.
 */
#ifndef JOBSTREAM_DECODE_H
#define JOBSTREAM_DECODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "contract.h"

/* Deepest nesting of arrays and objects in a message (top object = 1). */
#define JS_MAX_DEPTH		64

/* Room for an error message that is never truncated in practice. */
#define JS_ERRLEN			256

/*
 * A bump allocator for decoded strings and array items.  malloc'ed blocks;
 * js_arena_reset frees all but the first block and reuses it, so a worker
 * that resets once per batch allocates nothing in steady state.  A
 * zero-initialised JsArena is valid (default block size).
 */
typedef struct JsArenaBlock JsArenaBlock;

typedef struct JsArena
{
	JsArenaBlock *first;		/* kept by js_arena_reset */
	JsArenaBlock *cur;			/* block being filled */
	char	   *ptr;			/* next free byte in cur */
	char	   *end;			/* end of cur */
	size_t		block_size;		/* 0 = JS_ARENA_BLOCK */
} JsArena;

#define JS_ARENA_BLOCK		(64 * 1024)

extern void js_arena_init(JsArena *arena, size_t block_size);
extern void *js_arena_alloc(JsArena *arena, size_t size);	/* 8-aligned;
															 * NULL if out of
															 * memory */
extern void js_arena_reset(JsArena *arena);
extern void js_arena_free(JsArena *arena);

/*
 * Decode one message of topic def into out_row (def->nfields values).
 *
 * Returns true on success.  On failure returns false and writes a short
 * lower-case message (at most errlen bytes, NUL-terminated) into err; the
 * contents of out_row are then unspecified.
 *
 * Strings in the row point either into msg (when they needed no
 * unescaping) or into arena: the row is valid only while both live and the
 * arena is not reset.  The arena is not reset by js_decode.
 */
extern bool js_decode(const JsTopicDef *def, const char *msg, size_t len,
					  JsValue *out_row, JsArena *arena,
					  char *err, size_t errlen);

/*
 * Byte offset of the first invalid UTF-8 sequence in s (overlong forms,
 * surrogates and code points above U+10FFFF are invalid), or len if all of
 * s is valid.
 */
extern size_t js_utf8_check(const char *s, size_t len);

/* Shared helpers: UUIDs. */
extern bool js_uuid_parse(const char *s, size_t len, uint8_t out[16]);
extern void js_uuid_format(const uint8_t uuid[16], char out[36]);

/*
 * Shared helpers: civil (proleptic Gregorian) dates and UTC timestamps.
 * Days and microseconds count from 1970-01-01 00:00:00 UTC.
 */
#define JS_USECS_PER_DAY	INT64_C(86400000000)
extern int64_t js_days_from_civil(int year, int month, int day);
extern void js_civil_from_days(int64_t days, int *year, int *month, int *day);

/* Writes YYYY-MM-DD (10 bytes, no NUL) and returns 10. */
extern size_t js_format_date(int32_t days, char *out);

/*
 * Writes YYYY-MM-DDTHH:MM:SSZ, or YYYY-MM-DDTHH:MM:SS.ffffffZ when the
 * microseconds are not zero (no NUL); returns the length (20 or 27).
 * Needs at most JS_TIMESTAMP_MAXLEN bytes.
 */
#define JS_TIMESTAMP_MAXLEN 32
extern size_t js_format_timestamp(int64_t usec, char *out);

/*
 * Parsers of the ISO-8601 forms accepted by js_decode (see decode.c).
 * js_parse_timestamp needs a zone; js_parse_date takes YYYY-MM-DD or a full
 * timestamp (zone optional), keeping the date as written.
 */
typedef enum JsTimeStatus
{
	JS_TIME_OK = 0,
	JS_TIME_SYNTAX,				/* not the accepted form, or a bad calendar
								 * date or clock time */
	JS_TIME_NOZONE,				/* a timestamp without zone */
	JS_TIME_RANGE				/* outside years 0001..9999 (in UTC) */
} JsTimeStatus;
extern JsTimeStatus js_parse_timestamp(const char *s, size_t len, int64_t *usec);
extern JsTimeStatus js_parse_date(const char *s, size_t len, int32_t *days);

/*
 * Writes v / 10^scale with exactly scale digits after the point (none when
 * scale is 0), e.g. 350, 2 → "3.50"; -5, 2 → "-0.05".  No NUL; returns the
 * length, at most JS_DECIMAL_MAXLEN.  scale must be 0..18.
 */
#define JS_DECIMAL_MAXLEN	24
extern size_t js_format_decimal(int64_t v, int scale, char *out);

/*
 * 1 for the bytes that must be escaped in a JSON string ('"', '\\' and the
 * control characters), 0 for the others: where the decoder's fast string
 * scan stops and what the encoder (jsonw.c) escapes.
 */
extern const unsigned char js_json_escape[256];

/* Range of timestamps and dates accepted and produced: years 0001..9999. */
#define JS_MIN_DAYS			INT32_C(-719162)	/* 0001-01-01 */
#define JS_MAX_DAYS			INT32_C(2932896)	/* 9999-12-31 */
#define JS_MIN_USEC			((int64_t) JS_MIN_DAYS * JS_USECS_PER_DAY)
#define JS_MAX_USEC			(((int64_t) JS_MAX_DAYS + 1) * JS_USECS_PER_DAY - 1)

#endif							/* JOBSTREAM_DECODE_H */
