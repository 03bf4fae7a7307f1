/*
 * jsonw.c
 *		Encode a row of the data contract as one JSON message.
 *
 * The producer emits hundreds of thousands of messages a second, so the
 * encoder computes an upper bound of the message size, reserves it once and
 * then writes without further checks; numbers, dates and timestamps are
 * formatted by the helpers in decode.c, not printf.  Whatever js_encode
 * writes, js_decode reads back to the same row (the fuzz target checks
 * this), provided the row itself is valid for the contract.
 */
#include "jsonw.h"

#include <stdlib.h>
#include <string.h>

#include "decode.h"

/*
 * Make buf empty without memory.
 */
void
js_buf_init(JsBuf *buf)
{
	buf->data = NULL;
	buf->len = 0;
	buf->cap = 0;
}

/*
 * Ensure room for extra more bytes and a trailing NUL.
 */
bool
js_buf_reserve(JsBuf *buf, size_t extra)
{
	size_t		need = buf->len + extra + 1;
	size_t		ncap;
	char	   *nd;

	if (need <= buf->cap)
		return true;
	if (need < buf->len)
		return false;			/* overflow */
	ncap = buf->cap ? buf->cap : 256;
	while (ncap < need)
		ncap *= 2;
	nd = realloc(buf->data, ncap);
	if (nd == NULL)
		return false;
	buf->data = nd;
	buf->cap = ncap;
	return true;
}

/*
 * Append n bytes of s.
 */
bool
js_buf_append(JsBuf *buf, const char *s, size_t n)
{
	if (!js_buf_reserve(buf, n))
		return false;
	memcpy(buf->data + buf->len, s, n);
	buf->len += n;
	buf->data[buf->len] = '\0';
	return true;
}

/*
 * Empty buf, keeping its memory.
 */
void
js_buf_reset(JsBuf *buf)
{
	buf->len = 0;
	if (buf->data)
		buf->data[0] = '\0';
}

/*
 * Free buf's memory; it is then empty and may be used again.
 */
void
js_buf_free(JsBuf *buf)
{
	free(buf->data);
	js_buf_init(buf);
}

/*
 * Write s as a quoted JSON string at o (room for 6 × len + 2 bytes);
 * return the new end.
 */
static char *
put_string(char *o, const JsString *s)
{
	const unsigned char *p = (const unsigned char *) s->ptr;
	const unsigned char *end = p + s->len;

	*o++ = '"';
	while (p < end)
	{
		const unsigned char *run = p;

		while (p < end && !js_json_escape[*p])
			p++;
		memcpy(o, run, p - run);
		o += p - run;
		if (p == end)
			break;
		*o++ = '\\';
		switch (*p)
		{
			case '"':
				*o++ = '"';
				break;
			case '\\':
				*o++ = '\\';
				break;
			case '\n':
				*o++ = 'n';
				break;
			case '\r':
				*o++ = 'r';
				break;
			case '\t':
				*o++ = 't';
				break;
			case '\b':
				*o++ = 'b';
				break;
			case '\f':
				*o++ = 'f';
				break;
			default:
				*o++ = 'u';
				*o++ = '0';
				*o++ = '0';
				*o++ = "0123456789abcdef"[*p >> 4];
				*o++ = "0123456789abcdef"[*p & 15];
				break;
		}
		p++;
	}
	*o++ = '"';
	return o;
}

/*
 * Upper bound of the bytes js_encode writes for row.
 */
static size_t
encoded_size_bound(const JsTopicDef *def, const JsValue *row)
{
	size_t		n = 2;

	for (int i = 0; i < def->nfields; i++)
	{
		const JsField *f = &def->fields[i];
		const JsValue *v = &row[i];

		n += strlen(f->name) + 4;	/* "name": and a comma */
		if (v->isnull)
		{
			n += 4;
			continue;
		}
		switch (f->type)
		{
			case JS_UUID:
				n += 38;
				break;
			case JS_TEXT:
				n += 6 * v->v.str.len + 2;
				break;
			case JS_INT:
			case JS_DECIMAL:
				n += JS_DECIMAL_MAXLEN;
				break;
			case JS_TIMESTAMPTZ:
				n += JS_TIMESTAMP_MAXLEN + 2;
				break;
			case JS_DATE:
				n += 24;
				break;
			case JS_TEXT_ARRAY:
				n += 2;
				for (int j = 0; j < v->v.arr.n; j++)
					n += 6 * v->v.arr.items[j].len + 3;
				break;
		}
	}
	return n;
}

/*
 * Append row as one JSON object; see jsonw.h.
 */
bool
js_encode(const JsTopicDef *def, const JsValue *row, JsBuf *out)
{
	char	   *o;

	if (!js_buf_reserve(out, encoded_size_bound(def, row)))
		return false;
	o = out->data + out->len;
	*o++ = '{';
	for (int i = 0; i < def->nfields; i++)
	{
		const JsField *f = &def->fields[i];
		const JsValue *v = &row[i];
		size_t		nl = strlen(f->name);

		if (i > 0)
			*o++ = ',';
		*o++ = '"';
		memcpy(o, f->name, nl);
		o += nl;
		*o++ = '"';
		*o++ = ':';
		if (v->isnull)
		{
			memcpy(o, "null", 4);
			o += 4;
			continue;
		}
		switch (f->type)
		{
			case JS_UUID:
				*o++ = '"';
				js_uuid_format(v->v.uuid, o);
				o += 36;
				*o++ = '"';
				break;
			case JS_TEXT:
				o = put_string(o, &v->v.str);
				break;
			case JS_INT:
				o += js_format_decimal(v->v.i32, 0, o);
				break;
			case JS_DECIMAL:
				o += js_format_decimal(v->v.i64, f->scale, o);
				break;
			case JS_TIMESTAMPTZ:
				*o++ = '"';
				o += js_format_timestamp(v->v.i64, o);
				*o++ = '"';
				break;
			case JS_DATE:
				*o++ = '"';
				o += js_format_date(v->v.date, o);
				*o++ = '"';
				break;
			case JS_TEXT_ARRAY:
				*o++ = '[';
				for (int j = 0; j < v->v.arr.n; j++)
				{
					if (j > 0)
						*o++ = ',';
					o = put_string(o, &v->v.arr.items[j]);
				}
				*o++ = ']';
				break;
		}
	}
	*o++ = '}';
	*o = '\0';
	out->len = o - out->data;
	return true;
}
