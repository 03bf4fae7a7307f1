/*
 * jsonw.h
 *		Row → JSON message encoder (the inverse of js_decode), and a growable
 *		byte buffer.
 *
 * Plain C: no PostgreSQL headers.  Used by the command-line producer, the
 * generators and the round-trip tests.
 */
#ifndef JOBSTREAM_JSONW_H
#define JOBSTREAM_JSONW_H

#include <stdbool.h>
#include <stddef.h>

#include "contract.h"

/*
 * A growable buffer of bytes.  data[len] is always '\0' once anything has
 * been written, so the contents can be used as a C string.  A
 * zero-initialised JsBuf is valid and empty.
 */
typedef struct JsBuf
{
	char	   *data;
	size_t		len;
	size_t		cap;
} JsBuf;

extern void js_buf_init(JsBuf *buf);
/* Make room for extra more bytes (plus the trailing NUL); false if out of memory. */
extern bool js_buf_reserve(JsBuf *buf, size_t extra);
/* Append n bytes; false if out of memory. */
extern bool js_buf_append(JsBuf *buf, const char *s, size_t n);
/* Empty the buffer, keeping its memory. */
extern void js_buf_reset(JsBuf *buf);
extern void js_buf_free(JsBuf *buf);

/*
 * Append one JSON object for row (def->nfields values) to out: the contract
 * keys in contract order, NULL as null, UUIDs in lower case, timestamps as
 * YYYY-MM-DDTHH:MM:SS[.ffffff]Z, dates as YYYY-MM-DD, decimals with exactly
 * the field's scale digits.  Strings are written as they are (they must be
 * valid UTF-8), with '"', '\\' and control characters escaped.  No
 * whitespace, no trailing newline.  Returns false only if out of memory.
 */
extern bool js_encode(const JsTopicDef *def, const JsValue *row, JsBuf *out);

#endif							/* JOBSTREAM_JSONW_H */
