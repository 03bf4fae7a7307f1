/*
 * fuzz_decode.c
 *		libFuzzer target for js_decode.
 *
 * The first byte of the input picks the topic, the rest is the message.
 * Besides crashes and sanitizer reports, it checks the round trip: a message
 * that decodes is encoded again, the encoding must decode to the same row,
 * and encoding that row must give the same bytes; and every text value of a
 * decoded row is within its contract cap (js_caps).  Any difference aborts.
 *
 * Build and run with test/fuzz/run.sh.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "contract.h"
#include "decode.h"
#include "jsonw.h"

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static JsArena arena;
static JsBuf buf1;
static JsBuf buf2;

/*
 * Report a broken round trip with the messages involved, then abort.
 */
static void
die(const char *what, const JsTopicDef *def, const char *msg, size_t len,
	const char *err)
{
	fprintf(stderr, "round trip failed (%s) for topic %s\ninput:   %.*s\nencoded: %s\nerror: %s\n",
			what, def->name, (int) len, msg, buf1.data ? buf1.data : "", err);
	abort();
}

/*
 * Whether every text value of row is within its field's cap.
 */
static bool
within_caps(const JsTopicDef *def, const JsValue *row)
{
	for (int i = 0; i < def->nfields; i++)
	{
		const JsField *f = &def->fields[i];
		const JsCap *cap = &js_caps[f->cap];

		if (row[i].isnull)
			continue;
		if (f->type == JS_TEXT && row[i].v.str.len > cap->max_bytes)
			return false;
		if (f->type == JS_TEXT_ARRAY)
		{
			if ((uint32_t) row[i].v.arr.n > cap->max_items)
				return false;
			for (int k = 0; k < row[i].v.arr.n; k++)
				if (row[i].v.arr.items[k].len > cap->max_bytes)
					return false;
		}
	}
	return true;
}

/*
 * One fuzz input: decode, and on success check the caps and the round
 * trip.
 */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	JsValue		row1[JS_MAX_FIELDS];
	JsValue		row2[JS_MAX_FIELDS];
	char		err[JS_ERRLEN];
	const JsTopicDef *def;
	const char *msg;
	size_t		len;

	if (size < 1)
		return 0;
	def = &js_topics[data[0] % JS_NUM_TOPICS];
	msg = (const char *) data + 1;
	len = size - 1;

	js_arena_reset(&arena);
	js_buf_reset(&buf1);
	js_buf_reset(&buf2);
	if (!js_decode(def, msg, len, row1, &arena, err, sizeof(err)))
	{
		if (err[0] == '\0' || strlen(err) >= sizeof(err) - 1)
			die("empty or overlong error message", def, msg, len, err);
		return 0;
	}
	if (!within_caps(def, row1))
		die("a value over its cap decoded", def, msg, len, "");
	if (!js_encode(def, row1, &buf1))
		abort();
	if (!js_decode(def, buf1.data, buf1.len, row2, &arena, err, sizeof(err)))
		die("encoding does not decode", def, msg, len, err);
	if (!js_row_equal(def, row1, row2))
		die("decoded rows differ", def, msg, len, "");
	if (!js_encode(def, row2, &buf2))
		abort();
	if (buf1.len != buf2.len || memcmp(buf1.data, buf2.data, buf1.len) != 0)
		die("encodings differ", def, msg, len, "");
	return 0;
}
