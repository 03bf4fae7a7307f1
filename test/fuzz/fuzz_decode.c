/*
 * fuzz_decode.c
 *		libFuzzer target for js_decode.
 *
 * The first byte of the input picks the topic, the rest is the message.
 * Besides crashes and sanitizer reports, it checks the round trip: a message
 * that decodes is encoded again, the encoding must decode to the same row,
 * and encoding that row must give the same bytes.  Any difference aborts.
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
 * One fuzz input: decode, and on success check the round trip.
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
