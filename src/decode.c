/*
 * decode.c
 *		Decode one JSON message of the data contract into a row of JsValue.
 *
 * What.  js_decode takes the raw bytes of a Kafka message and the JsTopicDef
 * of its topic and fills one JsValue per contract field, or fails with a
 * short message that the ingest worker stores in dead_letters.error for a
 * human to read.  Everything a message can get wrong (bad UTF-8, bad JSON,
 * a missing or duplicate field, a wrong type, an impossible date, a value
 * outside the column's CHECK constraint) is caught here, so the worker's
 * bulk insert of the good rows of a batch does not fail half-way.
 *
 * Why hand-written.  The decoder is on the ingest hot path (the goal is
 * well over a million tracking events a second on one core) and must
 * compile without PostgreSQL for the fuzz target and the command-line
 * tools.  A generic JSON library would build a tree and then we would walk
 * it; here a single pass over the bytes converts each value straight into
 * its column type, keeps strings that need no unescaping as pointers into
 * the message, and allocates only from a per-batch arena.
 *
 * How.  First the whole message is checked to be UTF-8 (RFC 3629: no
 * overlong forms, no surrogates, nothing above U+10FFFF), with an ASCII
 * fast path.  Then a recursive-descent parser for RFC 8259 reads the top
 * level object; the value of a contract key is converted by its field
 * type, any other key's value is validated and skipped.  After the object,
 * missing fields are checked and the topic's cross-field check runs.
 *
 * Invariants.
 *	- Every read is bounds-checked against the message end; the message need
 *	  not be NUL-terminated.
 *	- A JsString in the row points into the message when it had no escapes,
 *	  else into the arena; so the row lives as long as both.  Unescaping
 *	  never grows a string, so an escaped string needs one arena allocation
 *	  of its raw length.
 *	- Strings are valid UTF-8 without NUL: the message is UTF-8, escapes
 *	  are converted to UTF-8, unpaired surrogates and \u0000 are rejected.
 *	- Recursion is bounded by JS_MAX_DEPTH.
 *
 * Accepted values, per field type.
 *	JS_UUID			a string 8-4-4-4-12 hex digits, either case.
 *	JS_TEXT			a string within its field's cap (below); optionally
 *					non-empty or one of a list.
 *	JS_INT			a JSON number with an integral value (5, 5.0, 5e2; not
 *					5.5), within int32 and the field's bounds.  Strings and
 *					booleans are errors.
 *	JS_DECIMAL		a JSON number, or a string holding exactly a JSON number
 *					(producers that serialise decimals as strings); rounded
 *					half away from zero to the field's scale, then checked
 *					against its bounds.
 *	JS_TIMESTAMPTZ	YYYY-MM-DD(T|t| )HH:MM[:SS[.f{1,9}]] then Z, z, ±HH,
 *					±HHMM or ±HH:MM (hours at most 15); years 0001..9999 in
 *					UTC; fractions rounded half up to microseconds.  No
 *					zone is an error: the contract says "with zone".
 *	JS_DATE			YYYY-MM-DD, or a full timestamp as above whose date part
 *					is taken as written (the zone is then optional).
 *	JS_TEXT_ARRAY	an array of strings within its field's caps on the
 *					number of elements and the bytes of each; null or
 *					missing is an empty array for the NOT NULL DEFAULT '{}'
 *					columns (null_as_empty).
 *	null			SQL NULL, or an error for a required field.
 * Unknown keys are ignored (their values must still be valid JSON); a
 * contract key that appears twice is an error; a UTF-8 byte order mark at
 * the start is skipped.
 *
 * Caps.  Every text value is bounded by the contract (js_caps, contract.h),
 * in bytes of UTF-8 after unescaping (octet_length of the stored value; a
 * multi-byte character that would cross the cap makes the value too long):
 *	code		100 bytes	job_category, experience_level, employment_type,
 *							work_mode, platform, education_level, status,
 *							gender, custom_track
 *	name		200 bytes	company, job_title, industry, location_country,
 *							location_city, full_name, nationality,
 *							current_company
 *	description	64 KiB		description
 *	skills		100 elements of at most 100 bytes: required_skills, skills
 *	list		50 elements of at most 200 bytes: certifications,
 *							previous_companies
 * Any two caps but the description's, or four, fit together in one btree
 * entry (~2700 bytes), so no rollup key, even country and city, can fail
 * an index.
 * The other bounds: messages of at most JS_MAX_MESSAGE_LEN (4 MiB; the
 * worker applies jobstream.max_message_bytes first), nesting of at most
 * JS_MAX_DEPTH (64) arrays and objects, integers within int32 and the
 * column's CHECK, decimals within int64 after scaling (numbers of any
 * length or exponent are read digit by digit, never as floating point).
 *
 * Errors are one line, lower case, and name the field or give the 0-based
 * byte offset into the message; a value over its cap names the cap:
 *	field "location_country" is 9000 bytes, longer than its cap of 200
 *	array "required_skills" has 5000 elements, more than its cap of 100
 *	element 3 of array "skills" is 300 bytes, longer than its cap of 100
 */
#include "decode.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ----------------------------------------------------------------
 * Arena
 * ----------------------------------------------------------------
 */

struct JsArenaBlock
{
	JsArenaBlock *next;
	size_t		size;			/* usable bytes after the header */
};

#define BLOCK_HEADER	((sizeof(JsArenaBlock) + 15) & ~(size_t) 15)
#define BLOCK_DATA(b)	((char *) (b) + BLOCK_HEADER)

/*
 * Prepare an empty arena whose blocks are block_size bytes (0 = default).
 * Nothing is allocated until the first js_arena_alloc.
 */
void
js_arena_init(JsArena *arena, size_t block_size)
{
	memset(arena, 0, sizeof(*arena));
	arena->block_size = block_size;
}

/*
 * Return size bytes aligned to 8, or NULL when malloc fails.  Requests
 * larger than a block get a block of their own.
 */
void *
js_arena_alloc(JsArena *arena, size_t size)
{
	uintptr_t	p;
	size_t		bsize;
	JsArenaBlock *b;

	if (size == 0)
		size = 1;
	if (arena->cur != NULL)
	{
		p = ((uintptr_t) arena->ptr + 7) & ~(uintptr_t) 7;
		if (p <= (uintptr_t) arena->end && size <= (uintptr_t) arena->end - p)
		{
			arena->ptr = (char *) p + size;
			return (void *) p;
		}
	}
	bsize = arena->block_size ? arena->block_size : JS_ARENA_BLOCK;
	if (size > bsize)
		bsize = size;
	b = malloc(BLOCK_HEADER + bsize);
	if (b == NULL)
		return NULL;
	b->size = bsize;
	if (arena->cur == NULL)
	{
		b->next = NULL;
		arena->first = b;
	}
	else
	{
		b->next = arena->cur->next;
		arena->cur->next = b;
	}
	arena->cur = b;
	arena->ptr = BLOCK_DATA(b) + size;
	arena->end = BLOCK_DATA(b) + bsize;
	return BLOCK_DATA(b);
}

/*
 * Forget everything allocated: free all blocks but the first, which is
 * reused.  Rows decoded with the arena become invalid.
 */
void
js_arena_reset(JsArena *arena)
{
	JsArenaBlock *b;

	if (arena->first == NULL)
		return;
	b = arena->first->next;
	while (b != NULL)
	{
		JsArenaBlock *next = b->next;

		free(b);
		b = next;
	}
	arena->first->next = NULL;
	arena->cur = arena->first;
	arena->ptr = BLOCK_DATA(arena->first);
	arena->end = arena->ptr + arena->first->size;
}

/*
 * Free all blocks; the arena is empty and may be used again.
 */
void
js_arena_free(JsArena *arena)
{
	size_t		block_size = arena->block_size;

	js_arena_reset(arena);
	free(arena->first);
	js_arena_init(arena, block_size);
}

/* ----------------------------------------------------------------
 * UTF-8
 * ----------------------------------------------------------------
 */

/*
 * Offset of the first byte of the first invalid UTF-8 sequence in s, or
 * len when s is valid UTF-8.  Eight ASCII bytes are checked at a time.
 */
size_t
js_utf8_check(const char *s, size_t len)
{
	const unsigned char *u = (const unsigned char *) s;
	size_t		i = 0;

	while (i < len)
	{
		unsigned char c;

		if (i + 8 <= len)
		{
			uint64_t	w;

			memcpy(&w, u + i, 8);
			if ((w & UINT64_C(0x8080808080808080)) == 0)
			{
				i += 8;
				continue;
			}
		}
		c = u[i];
		if (c < 0x80)
		{
			i++;
			continue;
		}
		if (c >= 0xC2 && c <= 0xDF)
		{
			if (i + 1 >= len || (u[i + 1] & 0xC0) != 0x80)
				return i;
			i += 2;
		}
		else if (c >= 0xE0 && c <= 0xEF)
		{
			unsigned char lo = 0x80,
						hi = 0xBF;

			if (c == 0xE0)
				lo = 0xA0;		/* overlong */
			else if (c == 0xED)
				hi = 0x9F;		/* surrogates */
			if (i + 2 >= len || u[i + 1] < lo || u[i + 1] > hi ||
				(u[i + 2] & 0xC0) != 0x80)
				return i;
			i += 3;
		}
		else if (c >= 0xF0 && c <= 0xF4)
		{
			unsigned char lo = 0x80,
						hi = 0xBF;

			if (c == 0xF0)
				lo = 0x90;		/* overlong */
			else if (c == 0xF4)
				hi = 0x8F;		/* above U+10FFFF */
			if (i + 3 >= len || u[i + 1] < lo || u[i + 1] > hi ||
				(u[i + 2] & 0xC0) != 0x80 || (u[i + 3] & 0xC0) != 0x80)
				return i;
			i += 4;
		}
		else
			return i;
	}
	return len;
}

/* ----------------------------------------------------------------
 * Shared helpers: UUID, dates, timestamps, decimals
 * ----------------------------------------------------------------
 */

static const char hexdigits[] = "0123456789abcdef";

/*
 * Value of a hex digit, or -1.
 */
static inline int
hexval(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c |= 0x20;
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/*
 * Parse the standard text form of a UUID, 8-4-4-4-12 hex digits of either
 * case; any other form is rejected.
 */
bool
js_uuid_parse(const char *s, size_t len, uint8_t out[16])
{
	int			j = 0;

	if (len != 36)
		return false;
	for (int i = 0; i < 36;)
	{
		int			hi,
					lo;

		if (i == 8 || i == 13 || i == 18 || i == 23)
		{
			if (s[i] != '-')
				return false;
			i++;
			continue;
		}
		hi = hexval((unsigned char) s[i]);
		lo = hexval((unsigned char) s[i + 1]);
		if ((hi | lo) < 0)
			return false;
		out[j++] = (uint8_t) (hi << 4 | lo);
		i += 2;
	}
	return true;
}

/*
 * Write the lower-case 8-4-4-4-12 form of uuid into out (36 bytes, no NUL).
 */
void
js_uuid_format(const uint8_t uuid[16], char out[36])
{
	char	   *o = out;

	for (int i = 0; i < 16; i++)
	{
		if (i == 4 || i == 6 || i == 8 || i == 10)
			*o++ = '-';
		*o++ = hexdigits[uuid[i] >> 4];
		*o++ = hexdigits[uuid[i] & 15];
	}
}

/*
 * Days from 1970-01-01 to the given proleptic Gregorian date (which must be
 * a real date).  After Howard Hinnant's days_from_civil.
 */
int64_t
js_days_from_civil(int year, int month, int day)
{
	int64_t		y = (int64_t) year - (month <= 2);
	int64_t		era = (y >= 0 ? y : y - 399) / 400;
	int64_t		yoe = y - era * 400;
	int64_t		doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
	int64_t		doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

	return era * 146097 + doe - 719468;
}

/*
 * The proleptic Gregorian date that is days after 1970-01-01.
 */
void
js_civil_from_days(int64_t days, int *year, int *month, int *day)
{
	int64_t		z = days + 719468;
	int64_t		era = (z >= 0 ? z : z - 146096) / 146097;
	int64_t		doe = z - era * 146097;
	int64_t		yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t		doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t		mp = (5 * doy + 2) / 153;
	int			m = (int) (mp < 10 ? mp + 3 : mp - 9);

	*day = (int) (doy - (153 * mp + 2) / 5 + 1);
	*month = m;
	*year = (int) (yoe + era * 400 + (m <= 2));
}

/*
 * Write n >= 1 decimal digits of v, zero-padded, at out.
 */
static inline void
put_digits(char *out, unsigned v, int n)
{
	while (n-- > 0)
	{
		out[n] = (char) ('0' + v % 10);
		v /= 10;
	}
}

/*
 * Write the year (4 digits for 0..9999, else as many as needed, with a
 * minus sign when negative) and -MM-DD; return the length.
 */
static size_t
put_date(char *out, int y, int m, int d)
{
	size_t		n = 0;

	if (y < 0)
	{
		out[n++] = '-';
		y = -y;
	}
	if (y > 9999)
	{
		char		tmp[12];
		int			k = 0;

		while (y > 0)
		{
			tmp[k++] = (char) ('0' + y % 10);
			y /= 10;
		}
		while (k > 0)
			out[n++] = tmp[--k];
	}
	else
	{
		put_digits(out + n, (unsigned) y, 4);
		n += 4;
	}
	out[n] = '-';
	put_digits(out + n + 1, (unsigned) m, 2);
	out[n + 3] = '-';
	put_digits(out + n + 4, (unsigned) d, 2);
	return n + 6;
}

/*
 * Write the date days after 1970-01-01 as YYYY-MM-DD; return the length
 * (10 for years 0001..9999).
 */
size_t
js_format_date(int32_t days, char *out)
{
	int			y,
				m,
				d;

	js_civil_from_days(days, &y, &m, &d);
	return put_date(out, y, m, d);
}

/*
 * Write usec (microseconds since 1970-01-01 UTC) as
 * YYYY-MM-DDTHH:MM:SS[.ffffff]Z; return the length.
 */
size_t
js_format_timestamp(int64_t usec, char *out)
{
	int64_t		days = usec / JS_USECS_PER_DAY;
	int64_t		rem = usec % JS_USECS_PER_DAY;
	int			y,
				m,
				d;
	unsigned	secs,
				frac;
	size_t		n;

	if (rem < 0)
	{
		rem += JS_USECS_PER_DAY;
		days--;
	}
	js_civil_from_days(days, &y, &m, &d);
	n = put_date(out, y, m, d);
	secs = (unsigned) (rem / 1000000);
	frac = (unsigned) (rem % 1000000);
	out[n] = 'T';
	put_digits(out + n + 1, secs / 3600, 2);
	out[n + 3] = ':';
	put_digits(out + n + 4, secs / 60 % 60, 2);
	out[n + 6] = ':';
	put_digits(out + n + 7, secs % 60, 2);
	n += 9;
	if (frac != 0)
	{
		out[n] = '.';
		put_digits(out + n + 1, frac, 6);
		n += 7;
	}
	out[n++] = 'Z';
	return n;
}

static const char digit_pairs[201] =
"00010203040506070809101112131415161718192021222324252627282930313233343536373839"
"40414243444546474849505152535455565758596061626364656667686970717273747576777879"
"8081828384858687888990919293949596979899";

/*
 * Write v / 10^scale with exactly scale fractional digits; return the
 * length.  No printf: the encoder calls this for every number.
 */
size_t
js_format_decimal(int64_t v, int scale, char *out)
{
	char		tmp[JS_DECIMAL_MAXLEN];
	char	   *t = tmp + sizeof(tmp);
	uint64_t	u = v < 0 ? (uint64_t) 0 - (uint64_t) v : (uint64_t) v;
	int			ndig = 0;
	size_t		n = 0;

	/* digits right to left, two at a time */
	while (u >= 100)
	{
		unsigned	r = (unsigned) (u % 100);

		u /= 100;
		*--t = digit_pairs[2 * r + 1];
		*--t = digit_pairs[2 * r];
		ndig += 2;
	}
	if (u >= 10)
	{
		*--t = digit_pairs[2 * u + 1];
		*--t = digit_pairs[2 * u];
		ndig += 2;
	}
	else
	{
		*--t = (char) ('0' + u);
		ndig++;
	}
	/* at least scale + 1 digits, so there is an integer digit */
	while (ndig < scale + 1)
	{
		*--t = '0';
		ndig++;
	}
	if (v < 0)
		out[n++] = '-';
	memcpy(out + n, t, ndig - scale);
	n += ndig - scale;
	if (scale > 0)
	{
		out[n++] = '.';
		memcpy(out + n, t + ndig - scale, scale);
		n += scale;
	}
	return n;
}

/*
 * Value of the n decimal digits at s, or -1 if one is not a digit.
 */
static inline int
read_digits(const char *s, int n)
{
	int			v = 0;

	for (int i = 0; i < n; i++)
	{
		unsigned	d = (unsigned char) s[i] - '0';

		if (d > 9)
			return -1;
		v = v * 10 + (int) d;
	}
	return v;
}

/*
 * Days in a month of a proleptic Gregorian year.
 */
static int
days_in_month(int y, int m)
{
	static const int mdays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

	if (m == 2 && (y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)))
		return 29;
	return mdays[m - 1];
}

/*
 * Parse YYYY-MM-DD at the start of s (len >= 10) into days since 1970.
 */
static bool
parse_ymd(const char *s, int32_t *days)
{
	int			y = read_digits(s, 4);
	int			m = read_digits(s + 5, 2);
	int			d = read_digits(s + 8, 2);

	if (y < 1 || s[4] != '-' || s[7] != '-' || m < 1 || m > 12 ||
		d < 1 || d > days_in_month(y, m))
		return false;
	*days = (int32_t) js_days_from_civil(y, m, d);
	return true;
}

/*
 * Parse an ISO-8601 date, optionally followed by a time and a zone; see the
 * header comment for the forms.  With need_zone, a zone is required and a
 * bare date is JS_TIME_NOZONE.  Sets *days to the date as written and
 * *usec to the UTC instant (when there is a time; else midnight UTC).
 */
static JsTimeStatus
parse_iso(const char *s, size_t len, bool need_zone, int32_t *days, int64_t *usec)
{
	int			hh,
				mi,
				ss = 0;
	int64_t		frac = 0;
	int64_t		offset = 0;		/* seconds east of UTC */
	size_t		i;
	int64_t		t;

	if (len < 10 || !parse_ymd(s, days))
		return JS_TIME_SYNTAX;
	if (len == 10)
	{
		*usec = (int64_t) *days * JS_USECS_PER_DAY;
		return need_zone ? JS_TIME_NOZONE : JS_TIME_OK;
	}
	if (len < 16 || (s[10] != 'T' && s[10] != 't' && s[10] != ' ') || s[13] != ':')
		return JS_TIME_SYNTAX;
	hh = read_digits(s + 11, 2);
	mi = read_digits(s + 14, 2);
	if (hh < 0 || hh > 23 || mi < 0 || mi > 59)
		return JS_TIME_SYNTAX;
	i = 16;
	if (i < len && s[i] == ':')
	{
		if (i + 3 > len || (ss = read_digits(s + i + 1, 2)) < 0 || ss > 59)
			return JS_TIME_SYNTAX;
		i += 3;
		if (i < len && s[i] == '.')
		{
			int			nd = 0;

			i++;
			while (i < len && s[i] >= '0' && s[i] <= '9')
			{
				if (nd < 6)
					frac = frac * 10 + (s[i] - '0');
				else if (nd == 6 && s[i] >= '5')
					frac++;		/* round half up; may carry into seconds */
				nd++;
				i++;
			}
			if (nd == 0 || nd > 9)
				return JS_TIME_SYNTAX;
			for (; nd < 6; nd++)
				frac *= 10;
		}
	}
	if (i == len)
	{
		if (need_zone)
			return JS_TIME_NOZONE;
	}
	else if ((s[i] == 'Z' || s[i] == 'z') && i + 1 == len)
		i++;
	else if (s[i] == '+' || s[i] == '-')
	{
		int			oh,
					om = 0;
		size_t		rest = len - i - 1;

		if (rest < 2 || (oh = read_digits(s + i + 1, 2)) < 0 || oh > 15)
			return JS_TIME_SYNTAX;
		if (rest == 5 && s[i + 3] == ':')
			om = read_digits(s + i + 4, 2);
		else if (rest == 4)
			om = read_digits(s + i + 3, 2);
		else if (rest != 2)
			return JS_TIME_SYNTAX;
		if (om < 0 || om > 59)
			return JS_TIME_SYNTAX;
		offset = (oh * 60 + om) * 60;
		if (s[i] == '-')
			offset = -offset;
	}
	else
		return JS_TIME_SYNTAX;

	t = (int64_t) *days * JS_USECS_PER_DAY +
		((int64_t) ((hh * 60 + mi) * 60 + ss) - offset) * 1000000 + frac;
	*usec = t;
	return JS_TIME_OK;
}

/*
 * Parse a timestamp with zone into microseconds since 1970-01-01 UTC.
 */
JsTimeStatus
js_parse_timestamp(const char *s, size_t len, int64_t *usec)
{
	int32_t		days;
	JsTimeStatus st = parse_iso(s, len, true, &days, usec);

	if (st == JS_TIME_OK && (*usec < JS_MIN_USEC || *usec > JS_MAX_USEC))
		return JS_TIME_RANGE;
	return st;
}

/*
 * Parse a date, or a timestamp whose date part is taken as written, into
 * days since 1970-01-01.
 */
JsTimeStatus
js_parse_date(const char *s, size_t len, int32_t *days)
{
	int64_t		usec;

	return parse_iso(s, len, false, days, &usec);
}

/* ----------------------------------------------------------------
 * Numbers
 * ----------------------------------------------------------------
 */

typedef enum NumStatus
{
	NUM_OK,
	NUM_RANGE,					/* does not fit in int64 after scaling */
	NUM_FRACTION				/* exact conversion asked, digits dropped */
} NumStatus;

/*
 * Length of the JSON number (RFC 8259 grammar) at the start of s, or 0 if
 * there is none.  *leading_zero is set when a 0 integer part is followed by
 * a digit, which the grammar forbids.
 */
static size_t
scan_number(const char *s, size_t len, bool *leading_zero)
{
	size_t		i = 0;

	*leading_zero = false;
	if (i < len && s[i] == '-')
		i++;
	if (i >= len)
		return 0;
	if (s[i] == '0')
	{
		i++;
		if (i < len && s[i] >= '0' && s[i] <= '9')
		{
			*leading_zero = true;
			return 0;
		}
	}
	else if (s[i] >= '1' && s[i] <= '9')
	{
		while (i < len && s[i] >= '0' && s[i] <= '9')
			i++;
	}
	else
		return 0;
	if (i < len && s[i] == '.')
	{
		size_t		f = ++i;

		while (i < len && s[i] >= '0' && s[i] <= '9')
			i++;
		if (i == f)
			return 0;
	}
	if (i < len && (s[i] == 'e' || s[i] == 'E'))
	{
		size_t		e;

		i++;
		if (i < len && (s[i] == '+' || s[i] == '-'))
			i++;
		e = i;
		while (i < len && s[i] >= '0' && s[i] <= '9')
			i++;
		if (i == e)
			return 0;
	}
	return i;
}

/*
 * Convert a valid JSON number token to round(value × 10^scale) in *out.
 * Rounds half away from zero, unless exact, when dropping a non-zero digit
 * is NUM_FRACTION.  Works on the digits, so 1e400 or 0.1e-400 are handled
 * without floating point.
 */
static NumStatus
num_to_scaled(const char *s, size_t len, int scale, bool exact, int64_t *out)
{
	const char *p = s,
			   *end = s + len;
	bool		neg = false;
	const char *ip,
			   *fp = NULL;
	size_t		nint,
				nfrac = 0,
				n,
				first,
				nd,
				keep;
	int64_t		exp = 0,
				k,
				rpos;
	uint64_t	acc = 0,
				limit;
	int			rd = 0;
	bool		rest = false;

#define DIGIT(i) ((i) < nint ? ip[(i)] - '0' : fp[(i) - nint] - '0')

	if (*p == '-')
	{
		neg = true;
		p++;
	}
	ip = p;
	while (p < end && *p >= '0' && *p <= '9')
		p++;
	nint = p - ip;
	if (p < end && *p == '.')
	{
		fp = ++p;
		while (p < end && *p >= '0' && *p <= '9')
			p++;
		nfrac = p - fp;
	}
	if (p < end)
	{
		bool		eneg = false;

		p++;					/* e or E */
		if (*p == '+' || *p == '-')
			eneg = (*p++ == '-');
		for (; p < end; p++)
			if (exp < INT64_C(1000000000000))
				exp = exp * 10 + (*p - '0');
		if (eneg)
			exp = -exp;
	}

	n = nint + nfrac;
	for (first = 0; first < n && DIGIT(first) == 0; first++)
		;
	if (first == n)
	{
		*out = 0;
		return NUM_OK;
	}
	nd = n - first;
	k = exp - (int64_t) nfrac + scale;	/* value = D × 10^k */
	limit = neg ? (uint64_t) INT64_MAX + 1 : (uint64_t) INT64_MAX;
	if (k >= 0)
		keep = nd;
	else
		keep = (int64_t) nd + k > 0 ? (size_t) ((int64_t) nd + k) : 0;

	for (size_t i = 0; i < keep; i++)
	{
		int			d = DIGIT(first + i);

		if (acc > (limit - d) / 10)
			return NUM_RANGE;
		acc = acc * 10 + d;
	}
	if (k > 0)
	{
		/* acc > 0 here, so this overflows within 19 rounds */
		for (int64_t i = 0; i < k; i++)
		{
			if (acc > limit / 10)
				return NUM_RANGE;
			acc *= 10;
		}
	}
	else if (k < 0)
	{
		rpos = (int64_t) nd + k;
		if (rpos >= 0)
		{
			rd = DIGIT(first + rpos);
			for (size_t i = first + rpos + 1; i < n && !rest; i++)
				rest = DIGIT(i) != 0;
		}
		else
			rest = true;
		if (exact && (rd != 0 || rest))
			return NUM_FRACTION;
		if (rd >= 5)
		{
			if (acc + 1 > limit)
				return NUM_RANGE;
			acc++;
		}
	}
#undef DIGIT

	if (neg)
		*out = acc == (uint64_t) INT64_MAX + 1 ? INT64_MIN : -(int64_t) acc;
	else
		*out = (int64_t) acc;
	return NUM_OK;
}

/* ----------------------------------------------------------------
 * Parser
 * ----------------------------------------------------------------
 */

typedef struct Parser
{
	const char *start;			/* message start, for byte offsets */
	const char *p;				/* next byte */
	const char *end;			/* message end */
	JsArena    *arena;
	char	   *err;
	size_t		errlen;
} Parser;

/*
 * 1 for the bytes that must be escaped in a JSON string: '"', '\\' and the
 * control characters.  The decoder's fast string scan stops at them too;
 * see decode.h.
 */
const unsigned char js_json_escape[256] = {
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0,
};

#define PEEK(ps) ((ps)->p < (ps)->end ? (int) (unsigned char) *(ps)->p : -1)

/*
 * Format an error into ps->err; always returns false.
 */
#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
static bool
fail(Parser *ps, const char *fmt,...)
{
	va_list		ap;

	va_start(ap, fmt);
	vsnprintf(ps->err, ps->errlen, fmt, ap);
	va_end(ap);
	return false;
}

/*
 * Report invalid JSON at position at: what was expected, or the end of
 * input when at is the end.
 */
static bool
fail_syntax(Parser *ps, const char *at, const char *expected)
{
	if (at >= ps->end)
		return fail(ps, "invalid JSON at byte %zu: unexpected end of input",
					(size_t) (ps->end - ps->start));
	return fail(ps, "invalid JSON at byte %zu: %s",
				(size_t) (at - ps->start), expected);
}

/*
 * Copy up to 40 bytes of s into buf (a valid C string for a message): cut
 * at a UTF-8 boundary with "..." appended; control characters become '?'.
 */
static const char *
echo(char *buf, const char *s, size_t len)
{
	size_t		n = len,
				o = 0;

	if (n > 40)
	{
		n = 40;
		while (n > 0 && ((unsigned char) s[n] & 0xC0) == 0x80)
			n--;
	}
	for (size_t i = 0; i < n; i++)
		buf[o++] = (unsigned char) s[i] < 0x20 ? '?' : s[i];
	if (n < len)
	{
		memcpy(buf + o, "...", 3);
		o += 3;
	}
	buf[o] = '\0';
	return buf;
}

#define ECHO_BUFLEN 48

/*
 * Name of the JSON type of the value that starts with byte c, for "got
 * ..." in messages.
 */
static const char *
json_type_name(int c)
{
	switch (c)
	{
		case '"':
			return "a string";
		case '{':
			return "an object";
		case '[':
			return "an array";
		case 't':
		case 'f':
			return "a boolean";
		case 'n':
			return "null";
		case '-':
		case '0':
		case '1':
		case '2':
		case '3':
		case '4':
		case '5':
		case '6':
		case '7':
		case '8':
		case '9':
			return "a number";
		default:
			return "an invalid value";
	}
}

/*
 * Whether byte c (or -1 at the end) can start a JSON value.
 */
static inline bool
is_value_start(int c)
{
	return c == '"' || c == '{' || c == '[' || c == 't' || c == 'f' ||
		c == 'n' || c == '-' || (c >= '0' && c <= '9');
}

/*
 * Skip JSON whitespace.
 */
static inline void
skip_ws(Parser *ps)
{
	while (ps->p < ps->end &&
		   (*ps->p == ' ' || *ps->p == '\n' || *ps->p == '\r' || *ps->p == '\t'))
		ps->p++;
}

/*
 * Read the 4 hex digits of a \u escape at s (within the message); -1 if
 * they are not hex digits.
 */
static int
read_hex4(Parser *ps, const char *s)
{
	int			v = 0;

	if (ps->end - s < 4)
		return -1;
	for (int i = 0; i < 4; i++)
	{
		int			h = hexval((unsigned char) s[i]);

		if (h < 0)
			return -1;
		v = v << 4 | h;
	}
	return v;
}

/*
 * Unescape the string body [s, stop), whose first escape is at q, into dst
 * (NULL to only validate).  Returns the unescaped length, or -1 after
 * reporting an error.
 */
static ptrdiff_t
unescape(Parser *ps, const char *s, const char *q, const char *stop, char *dst)
{
	char	   *o = dst;
	size_t		n = q - s;

	if (dst)
	{
		memcpy(dst, s, n);
		o = dst + n;
	}
	while (q < stop)
	{
		unsigned char c = (unsigned char) *q;
		uint32_t	cp;
		char		u8[4];
		int			ulen;

		if (c != '\\')
		{
			if (dst)
				*o++ = (char) c;
			n++;
			q++;
			continue;
		}
		switch (q[1])
		{
			case '"':
			case '\\':
			case '/':
				cp = (unsigned char) q[1];
				break;
			case 'b':
				cp = '\b';
				break;
			case 'f':
				cp = '\f';
				break;
			case 'n':
				cp = '\n';
				break;
			case 'r':
				cp = '\r';
				break;
			case 't':
				cp = '\t';
				break;
			case 'u':
				{
					int			v = read_hex4(ps, q + 2);

					if (v < 0)
						return fail_syntax(ps, q, "invalid \\u escape"), -1;
					if (v == 0)
						return fail(ps, "invalid JSON at byte %zu: \\u0000 is not allowed in strings",
									(size_t) (q - ps->start)), -1;
					if (v >= 0xDC00 && v <= 0xDFFF)
						return fail(ps, "invalid JSON at byte %zu: unpaired surrogate in \\u escape",
									(size_t) (q - ps->start)), -1;
					if (v >= 0xD800 && v <= 0xDBFF)
					{
						int			lo = -1;

						if (stop - q >= 12 && q[6] == '\\' && q[7] == 'u')
							lo = read_hex4(ps, q + 8);
						if (lo < 0xDC00 || lo > 0xDFFF)
							return fail(ps, "invalid JSON at byte %zu: unpaired surrogate in \\u escape",
										(size_t) (q - ps->start)), -1;
						cp = 0x10000 + (((uint32_t) v - 0xD800) << 10) + ((uint32_t) lo - 0xDC00);
						q += 6;
					}
					else
						cp = (uint32_t) v;
					q += 4;
				}
				break;
			default:
				return fail_syntax(ps, q, "invalid escape in string"), -1;
		}
		q += 2;
		if (cp < 0x80)
		{
			u8[0] = (char) cp;
			ulen = 1;
		}
		else if (cp < 0x800)
		{
			u8[0] = (char) (0xC0 | cp >> 6);
			u8[1] = (char) (0x80 | (cp & 0x3F));
			ulen = 2;
		}
		else if (cp < 0x10000)
		{
			u8[0] = (char) (0xE0 | cp >> 12);
			u8[1] = (char) (0x80 | (cp >> 6 & 0x3F));
			u8[2] = (char) (0x80 | (cp & 0x3F));
			ulen = 3;
		}
		else
		{
			u8[0] = (char) (0xF0 | cp >> 18);
			u8[1] = (char) (0x80 | (cp >> 12 & 0x3F));
			u8[2] = (char) (0x80 | (cp >> 6 & 0x3F));
			u8[3] = (char) (0x80 | (cp & 0x3F));
			ulen = 4;
		}
		if (dst)
		{
			memcpy(o, u8, ulen);
			o += ulen;
		}
		n += ulen;
	}
	return (ptrdiff_t) n;
}

/*
 * Parse the string at ps->p (which is '"') into *out.  Without escapes the
 * result points into the message; with escapes it is unescaped into the
 * arena, or only validated when materialize is false.
 */
static bool
parse_string(Parser *ps, JsString *out, bool materialize)
{
	const char *s = ps->p + 1;
	const char *q = s;
	const char *stop;
	const char *end = ps->end;
	char	   *dst = NULL;
	ptrdiff_t	n;

	while (q < end && !js_json_escape[(unsigned char) *q])
		q++;
	if (q < end && *q == '"')
	{
		out->ptr = s;
		out->len = q - s;
		ps->p = q + 1;
		return true;
	}

	/* find the closing quote, stepping over escapes */
	stop = q;
	while (stop < end && *stop != '"')
	{
		if ((unsigned char) *stop < 0x20)
			return fail_syntax(ps, stop, "control character in string");
		if (*stop == '\\')
		{
			if (++stop >= end)
				break;
			if ((unsigned char) *stop < 0x20)
				return fail_syntax(ps, stop - 1, "invalid escape in string");
		}
		stop++;
	}
	if (stop >= end)
		return fail(ps, "invalid JSON at byte %zu: unterminated string",
					(size_t) (ps->p - ps->start));

	if (materialize)
	{
		dst = js_arena_alloc(ps->arena, stop - s);
		if (dst == NULL)
			return fail(ps, "out of memory");
	}
	n = unescape(ps, s, q, stop, dst);
	if (n < 0)
		return false;
	out->ptr = materialize ? dst : s;
	out->len = (size_t) n;
	ps->p = stop + 1;
	return true;
}

/*
 * Parse the literal word (true, false, null) expected at ps->p.
 */
static bool
parse_literal(Parser *ps, const char *word, size_t len)
{
	if ((size_t) (ps->end - ps->p) < len || memcmp(ps->p, word, len) != 0)
		return fail_syntax(ps, ps->p, "invalid literal");
	ps->p += len;
	return true;
}

/*
 * Scan the number at ps->p; set *tok and *len to its text.
 */
static bool
parse_number(Parser *ps, const char **tok, size_t *len)
{
	bool		lz;
	size_t		n = scan_number(ps->p, ps->end - ps->p, &lz);

	if (n == 0)
		return fail_syntax(ps, ps->p, lz ? "leading zeros are not allowed in numbers" : "invalid number");
	*tok = ps->p;
	*len = n;
	ps->p += n;
	return true;
}

/*
 * Validate and skip any JSON value at ps->p; depth is the nesting level of
 * the value.
 */
static bool
skip_value(Parser *ps, int depth)
{
	int			c = PEEK(ps);
	JsString	s;
	const char *tok;
	size_t		len;

	switch (c)
	{
		case '"':
			return parse_string(ps, &s, false);
		case 't':
			return parse_literal(ps, "true", 4);
		case 'f':
			return parse_literal(ps, "false", 5);
		case 'n':
			return parse_literal(ps, "null", 4);
		case '{':
		case '[':
			if (depth > JS_MAX_DEPTH)
				return fail(ps, "invalid JSON at byte %zu: nested deeper than %d levels",
							(size_t) (ps->p - ps->start), JS_MAX_DEPTH);
			ps->p++;
			skip_ws(ps);
			if (PEEK(ps) == (c == '{' ? '}' : ']'))
			{
				ps->p++;
				return true;
			}
			for (;;)
			{
				if (c == '{')
				{
					if (PEEK(ps) != '"')
						return fail_syntax(ps, ps->p, "expected a string key");
					if (!parse_string(ps, &s, false))
						return false;
					skip_ws(ps);
					if (PEEK(ps) != ':')
						return fail_syntax(ps, ps->p, "expected ':'");
					ps->p++;
					skip_ws(ps);
				}
				if (!skip_value(ps, depth + 1))
					return false;
				skip_ws(ps);
				if (PEEK(ps) == ',')
				{
					ps->p++;
					skip_ws(ps);
					continue;
				}
				if (PEEK(ps) == (c == '{' ? '}' : ']'))
				{
					ps->p++;
					return true;
				}
				return fail_syntax(ps, ps->p, c == '{' ? "expected ',' or '}'" : "expected ',' or ']'");
			}
		default:
			if (c == '-' || (c >= '0' && c <= '9'))
				return parse_number(ps, &tok, &len);
			return fail_syntax(ps, ps->p, "expected a value");
	}
}

/*
 * Check a text value against the field's cap, emptiness and allowed
 * values.
 */
static bool
check_text(Parser *ps, const JsField *f, const JsString *s)
{
	size_t		max = js_caps[f->cap].max_bytes;
	char		eb[ECHO_BUFLEN];

	if (s->len > max)
		return fail(ps, "field \"%s\" is %zu bytes, longer than its cap of %zu",
					f->name, s->len, max);
	if (f->nonempty && s->len == 0)
		return fail(ps, "field \"%s\": must not be empty", f->name);
	if (f->allowed)
	{
		char		list[256];
		size_t		o = 0;

		for (const char *const *a = f->allowed; *a; a++)
			if (strlen(*a) == s->len && memcmp(*a, s->ptr, s->len) == 0)
				return true;
		list[0] = '\0';
		for (const char *const *a = f->allowed; *a && o < sizeof(list); a++)
			o += snprintf(list + o, sizeof(list) - o, "%s%s",
						  a == f->allowed ? "" : (a[1] ? ", " : " or "), *a);
		return fail(ps, "field \"%s\": unknown value \"%s\" (expected %s)",
					f->name, echo(eb, s->ptr, s->len), list);
	}
	return true;
}

/*
 * Format the bound b of field f (scaled by its scale) into buf.
 */
static const char *
fmt_bound(char *buf, const JsField *f, int64_t b)
{
	buf[js_format_decimal(b, f->type == JS_DECIMAL ? f->scale : 0, buf)] = '\0';
	return buf;
}

/*
 * Convert the number token [tok, tok+len) for an int or decimal field into
 * v, checking exactness and bounds.
 */
static bool
convert_number(Parser *ps, const JsField *f, const char *tok, size_t len, JsValue *v)
{
	bool		is_int = f->type == JS_INT;
	int64_t		x,
				lo,
				hi;
	char		eb[ECHO_BUFLEN],
				b1[JS_DECIMAL_MAXLEN + 1],
				b2[JS_DECIMAL_MAXLEN + 1];
	NumStatus	st;

	/* fast path: a short plain integer */
	if (is_int && len <= 10 && tok[0] != '-')
	{
		size_t		i;

		x = 0;
		for (i = 0; i < len && tok[i] >= '0' && tok[i] <= '9'; i++)
			x = x * 10 + (tok[i] - '0');
		st = i == len ? NUM_OK : num_to_scaled(tok, len, 0, true, &x);
	}
	else
		st = num_to_scaled(tok, len, is_int ? 0 : f->scale, is_int, &x);

	if (st == NUM_FRACTION)
		return fail(ps, "field \"%s\": value %s is not an integer",
					f->name, echo(eb, tok, len));
	if (f->min <= f->max)
	{
		lo = f->min;
		hi = f->max;
	}
	else
	{
		lo = is_int ? INT32_MIN : INT64_MIN;
		hi = is_int ? INT32_MAX : INT64_MAX;
	}
	if (st == NUM_RANGE || (is_int && (x < INT32_MIN || x > INT32_MAX)))
	{
		if (is_int)
			return fail(ps, "field \"%s\": value %s out of range for integer",
						f->name, echo(eb, tok, len));
		return fail(ps, "field \"%s\": value %s out of range (%s to %s)",
					f->name, echo(eb, tok, len), fmt_bound(b1, f, lo), fmt_bound(b2, f, hi));
	}
	if (x < lo || x > hi)
		return fail(ps, "field \"%s\": value %s out of range (%s to %s)",
					f->name, echo(eb, tok, len), fmt_bound(b1, f, lo), fmt_bound(b2, f, hi));
	if (is_int)
		v->v.i32 = (int32_t) x;
	else
		v->v.i64 = x;
	return true;
}

/*
 * Report that the array of field f, whose elements ps->p has reached after
 * n of them, has more than max: skip (and validate) the rest to count them,
 * so the message says by how much.
 */
static bool
fail_array_cap(Parser *ps, const JsField *f, size_t n, size_t max)
{
	for (;;)
	{
		if (!skip_value(ps, 3))
			return false;
		n++;
		skip_ws(ps);
		if (PEEK(ps) == ']')
			break;
		if (PEEK(ps) != ',')
			return fail_syntax(ps, ps->p, "expected ',' or ']'");
		ps->p++;
		skip_ws(ps);
	}
	return fail(ps, "array \"%s\" has %zu elements, more than its cap of %zu",
				f->name, n, max);
}

/*
 * Parse the array of strings at ps->p into v for field f.
 */
static bool
parse_text_array(Parser *ps, const JsField *f, JsValue *v)
{
	size_t		max = js_caps[f->cap].max_items;
	size_t		item_max = js_caps[f->cap].max_bytes;
	JsString   *items = NULL;
	size_t		n = 0,
				cap = 0;

	ps->p++;					/* '[' */
	skip_ws(ps);
	if (PEEK(ps) == ']')
	{
		ps->p++;
		v->v.arr.items = NULL;
		v->v.arr.n = 0;
		return true;
	}
	for (;;)
	{
		int			c = PEEK(ps);

		if (c != '"')
		{
			if (!is_value_start(c))
				return fail_syntax(ps, ps->p, "expected a value");
			return fail(ps, "field \"%s\": element %zu is %s, expected a string",
						f->name, n + 1, json_type_name(c));
		}
		if (n == max)
			return fail_array_cap(ps, f, n, max);
		if (n == cap)
		{
			size_t		ncap = cap ? cap * 2 : 8;
			JsString   *ni;

			if (ncap > max)
				ncap = max;
			ni = js_arena_alloc(ps->arena, ncap * sizeof(JsString));
			if (ni == NULL)
				return fail(ps, "out of memory");
			if (n)
				memcpy(ni, items, n * sizeof(JsString));
			items = ni;
			cap = ncap;
		}
		if (!parse_string(ps, &items[n], true))
			return false;
		if (items[n].len > item_max)
			return fail(ps, "element %zu of array \"%s\" is %zu bytes, longer than its cap of %zu",
						n + 1, f->name, items[n].len, item_max);
		n++;
		skip_ws(ps);
		c = PEEK(ps);
		if (c == ',')
		{
			ps->p++;
			skip_ws(ps);
			continue;
		}
		if (c == ']')
		{
			ps->p++;
			break;
		}
		return fail_syntax(ps, ps->p, "expected ',' or ']'");
	}
	v->v.arr.items = items;
	v->v.arr.n = (int) n;
	return true;
}

/*
 * Parse the value at ps->p (after whitespace) for contract field f into v.
 */
static bool
parse_field(Parser *ps, const JsField *f, JsValue *v)
{
	int			c = PEEK(ps);
	JsString	s;
	const char *tok;
	size_t		len;
	char		eb[ECHO_BUFLEN];
	JsTimeStatus st;

	if (c == 'n')
	{
		if (!parse_literal(ps, "null", 4))
			return false;
		if (f->required)
			return fail(ps, "required field \"%s\" is null", f->name);
		if (f->null_as_empty)
		{
			v->isnull = false;
			v->v.arr.items = NULL;
			v->v.arr.n = 0;
		}
		else
			v->isnull = true;
		return true;
	}
	if (!is_value_start(c))
		return fail_syntax(ps, ps->p, "expected a value");

	v->isnull = false;
	switch (f->type)
	{
		case JS_UUID:
			if (c != '"')
				return fail(ps, "field \"%s\": expected a UUID string, got %s",
							f->name, json_type_name(c));
			if (!parse_string(ps, &s, true))
				return false;
			if (!js_uuid_parse(s.ptr, s.len, v->v.uuid))
				return fail(ps, "field \"%s\": invalid UUID \"%s\"",
							f->name, echo(eb, s.ptr, s.len));
			return true;

		case JS_TEXT:
			if (c != '"')
				return fail(ps, "field \"%s\": expected a string, got %s",
							f->name, json_type_name(c));
			if (!parse_string(ps, &v->v.str, true))
				return false;
			return check_text(ps, f, &v->v.str);

		case JS_INT:
			if (c == '"' || c == '[' || c == '{' || c == 't' || c == 'f')
				return fail(ps, "field \"%s\": expected an integer, got %s",
							f->name, json_type_name(c));
			if (!parse_number(ps, &tok, &len))
				return false;
			return convert_number(ps, f, tok, len, v);

		case JS_DECIMAL:
			if (c == '"')
			{
				bool		lz;

				if (!parse_string(ps, &s, true))
					return false;
				if (s.len == 0 || scan_number(s.ptr, s.len, &lz) != s.len)
					return fail(ps, "field \"%s\": invalid number \"%s\"",
								f->name, echo(eb, s.ptr, s.len));
				return convert_number(ps, f, s.ptr, s.len, v);
			}
			if (c == '[' || c == '{' || c == 't' || c == 'f')
				return fail(ps, "field \"%s\": expected a number, got %s",
							f->name, json_type_name(c));
			if (!parse_number(ps, &tok, &len))
				return false;
			return convert_number(ps, f, tok, len, v);

		case JS_TIMESTAMPTZ:
			if (c != '"')
				return fail(ps, "field \"%s\": expected a timestamp string, got %s",
							f->name, json_type_name(c));
			if (!parse_string(ps, &s, true))
				return false;
			st = js_parse_timestamp(s.ptr, s.len, &v->v.i64);
			if (st == JS_TIME_OK)
				return true;
			return fail(ps, "field \"%s\": %s \"%s\"", f->name,
						st == JS_TIME_NOZONE ? "no time zone in timestamp" :
						st == JS_TIME_RANGE ? "timestamp out of range (years 0001 to 9999)" :
						"invalid timestamp",
						echo(eb, s.ptr, s.len));

		case JS_DATE:
			if (c != '"')
				return fail(ps, "field \"%s\": expected a date string, got %s",
							f->name, json_type_name(c));
			if (!parse_string(ps, &s, true))
				return false;
			if (js_parse_date(s.ptr, s.len, &v->v.date) != JS_TIME_OK)
				return fail(ps, "field \"%s\": invalid date \"%s\"",
							f->name, echo(eb, s.ptr, s.len));
			return true;

		case JS_TEXT_ARRAY:
			if (c != '[')
				return fail(ps, "field \"%s\": expected an array of strings, got %s",
							f->name, json_type_name(c));
			return parse_text_array(ps, f, v);
	}
	return fail(ps, "field \"%s\": unsupported type", f->name);
}

/*
 * Index of the field named by key in def, trying hint first (fields tend
 * to come in contract order), or -1.
 */
static inline int
lookup_field(const JsTopicDef *def, const JsString *key, int hint)
{
	const char *k = key->ptr;
	size_t		len = key->len;

	if (len == 0)
		return -1;
	if (hint < def->nfields)
	{
		const char *name = def->fields[hint].name;

		if (name[0] == k[0] && strncmp(name, k, len) == 0 && name[len] == '\0')
			return hint;
	}
	for (int i = 0; i < def->nfields; i++)
	{
		const char *name = def->fields[i].name;

		if (name[0] == k[0] && strncmp(name, k, len) == 0 && name[len] == '\0')
			return i;
	}
	return -1;
}

/*
 * Decode one message; see decode.h.
 */
bool
js_decode(const JsTopicDef *def, const char *msg, size_t len,
		  JsValue *out_row, JsArena *arena, char *err, size_t errlen)
{
	Parser		ps;
	uint64_t	seen = 0;
	int			hint = 0;
	size_t		bad;

	ps.start = msg;
	ps.p = msg;
	ps.end = msg + len;
	ps.arena = arena;
	ps.err = err;
	ps.errlen = errlen;

	if (def->nfields > JS_MAX_FIELDS)
		return fail(&ps, "topic \"%s\" has more than %d fields", def->name, JS_MAX_FIELDS);
	if (len > JS_MAX_MESSAGE_LEN)
		return fail(&ps, "message of %zu bytes exceeds the limit of %d bytes",
					len, JS_MAX_MESSAGE_LEN);
	bad = js_utf8_check(msg, len);
	if (bad < len)
		return fail(&ps, "invalid UTF-8 at byte %zu", bad);

	if (len >= 3 && memcmp(msg, "\xEF\xBB\xBF", 3) == 0)
		ps.p += 3;				/* byte order mark */
	skip_ws(&ps);
	if (ps.p == ps.end)
		return fail(&ps, "invalid JSON: empty message");
	if (*ps.p != '{')
	{
		int			c = (unsigned char) *ps.p;

		if (!is_value_start(c))
			return fail_syntax(&ps, ps.p, "expected a value");
		return fail(&ps, "invalid message: expected a JSON object, got %s",
					json_type_name(c));
	}
	ps.p++;
	skip_ws(&ps);
	if (PEEK(&ps) != '}')
	{
		for (;;)
		{
			JsString	key;
			int			idx;

			if (PEEK(&ps) != '"')
				return fail_syntax(&ps, ps.p, "expected a string key");
			if (!parse_string(&ps, &key, true))
				return false;
			idx = lookup_field(def, &key, hint);
			skip_ws(&ps);
			if (PEEK(&ps) != ':')
				return fail_syntax(&ps, ps.p, "expected ':'");
			ps.p++;
			skip_ws(&ps);
			if (idx < 0)
			{
				if (!skip_value(&ps, 2))
					return false;
			}
			else
			{
				uint64_t	bit = UINT64_C(1) << idx;

				if (seen & bit)
					return fail(&ps, "duplicate field \"%s\"", def->fields[idx].name);
				seen |= bit;
				if (!parse_field(&ps, &def->fields[idx], &out_row[idx]))
					return false;
				hint = idx + 1;
			}
			skip_ws(&ps);
			if (PEEK(&ps) == ',')
			{
				ps.p++;
				skip_ws(&ps);
				continue;
			}
			if (PEEK(&ps) == '}')
				break;
			return fail_syntax(&ps, ps.p, "expected ',' or '}'");
		}
	}
	ps.p++;						/* '}' */
	skip_ws(&ps);
	if (ps.p != ps.end)
		return fail_syntax(&ps, ps.p, "unexpected data after the top-level object");

	if (seen != (def->nfields == 64 ? ~UINT64_C(0) : (UINT64_C(1) << def->nfields) - 1))
	{
		for (int i = 0; i < def->nfields; i++)
		{
			const JsField *f = &def->fields[i];

			if (seen & (UINT64_C(1) << i))
				continue;
			if (f->required)
				return fail(&ps, "missing required field \"%s\"", f->name);
			if (f->null_as_empty)
			{
				out_row[i].isnull = false;
				out_row[i].v.arr.items = NULL;
				out_row[i].v.arr.n = 0;
			}
			else
				out_row[i].isnull = true;
		}
	}
	if (def->check && !def->check(out_row, err, errlen))
		return false;
	return true;
}
