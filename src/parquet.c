/*-------------------------------------------------------------------------
 *
 * parquet.c
 *		A small Apache Parquet file writer (pure C, libzstd).
 *
 * No Parquet library is packaged for the platform the extension targets,
 * and the cold path only needs to write flat tables with lists of text, so
 * this is a writer of the subset it needs, following the format's own
 * documents (parquet.thrift, Encodings.md, LogicalTypes.md):
 *
 *   file      = "PAR1" row-group* footer, footer = FileMetaData (Thrift
 *               compact protocol) + its length (4 bytes LE) + "PAR1".
 *   row group = one column chunk per leaf column, in schema order.
 *   chunk     = [dictionary page] data page: a single v1 data page holding
 *               the repetition levels, the definition levels (both in the
 *               RLE/bit-packed hybrid with a 4-byte length prefix) and the
 *               values, RLE_DICTIONARY (a bit width byte + hybrid indices)
 *               when the chunk's distinct values fit the dictionary bound,
 *               PLAIN otherwise.  Each page is compressed on its own.
 *
 * Columns are REQUIRED or OPTIONAL leaves, or a text list in the 3-level
 * structure LogicalTypes.md prescribes:
 *
 *   <optional|required> group name (LIST) {
 *     repeated group list { optional binary element (STRING); }
 *   }
 *
 * whose definition levels are, with b = 1 for an optional list, 0 else:
 * null list 0, empty list b, null element b+1, element b+2; and whose
 * repetition level is 0 on the first entry of a row, 1 on the others.
 *
 * Invariants the code keeps: a row is either wholly buffered or not at all
 * (js_pq_end_row checks every column got its value before the row counts);
 * the PLAIN buffer of a column always holds all its non-null values of the
 * row group, so dropping the dictionary when it outgrows its bound loses
 * nothing; statistics are kept in each column's sort order (signed for the
 * integer-backed types and wide decimals, IEEE order without NaN for
 * DOUBLE, unsigned bytes for strings and UUIDs) and written as min_value/max_value with a
 * TYPE_DEFINED_ORDER column order, so readers may trust them.
 *
 *-------------------------------------------------------------------------
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zstd.h>

#include "jsonw.h"
#include "parquet.h"

/* Physical types, encodings and page types of parquet.thrift. */
enum
{
	PT_BOOLEAN = 0, PT_INT32 = 1, PT_INT64 = 2, PT_DOUBLE = 5,
	PT_BYTE_ARRAY = 6, PT_FIXED = 7
};
enum
{
	ENC_PLAIN = 0, ENC_RLE = 3, ENC_RLE_DICTIONARY = 8
};
enum
{
	PAGE_DATA = 0, PAGE_DICTIONARY = 2
};

/* Thrift compact protocol field types. */
enum
{
	CT_TRUE = 1, CT_FALSE = 2, CT_I16 = 4, CT_I32 = 5, CT_I64 = 6,
	CT_BINARY = 8, CT_LIST = 9, CT_STRUCT = 12
};

/* Statistics of a column in its sort order. */
typedef struct PqStats
{
	bool		has;			/* min and max are set */
	int64_t		imin,
				imax;
	JsPqInt128	wmin,			/* wide decimals */
				wmax;
	double		dmin,
				dmax;
	JsBuf		bmin,
				bmax;
	int64_t		nulls;
} PqStats;

/* Metadata of one written column chunk, for the footer. */
typedef struct PqChunk
{
	int64_t		offset;			/* first byte of the chunk */
	int64_t		data_offset;
	int64_t		dict_offset;	/* -1: no dictionary page */
	int64_t		num_values;		/* level entries */
	int64_t		usize;
	int64_t		csize;
	bool		has_minmax;
	char	   *min;
	char	   *max;
	size_t		minlen,
				maxlen;
	int64_t		nulls;
} PqChunk;

typedef struct PqRowGroup
{
	int64_t		rows;
	int64_t		offset;
	int64_t		usize;
	int64_t		csize;
	PqChunk    *chunks;			/* one per column */
} PqRowGroup;

typedef struct PqCol
{
	char	   *name;
	JsPqKind	kind;
	bool		nullable;
	int			precision;
	int			scale;
	int			ptype;
	int			type_length;	/* FIXED only */
	int			max_def;
	int			max_rep;

	/* the row group being buffered */
	uint8_t    *def;
	uint8_t    *rep;
	size_t		nlevels;
	size_t		levcap;
	JsBuf		plain;			/* PLAIN values (booleans one byte each) */
	int64_t		nvals;
	bool		dict_on;
	JsBuf		dict;			/* PLAIN-encoded distinct values */
	uint32_t   *dent;			/* where each entry's bytes start in dict */
	uint32_t   *dlen;
	uint32_t	ndict;
	uint32_t	dcap;
	int32_t    *hash;			/* open addressing, -1 empty */
	uint32_t	hsize;
	uint32_t   *idx;
	size_t		nidx;
	size_t		idxcap;
	PqStats		st;

	/* the current row */
	bool		row_done;
	bool		in_list;
	int64_t		list_items;
} PqCol;

struct JsPqWriter
{
	PqCol	   *cols;
	int			ncols;
	JsPqOptions opt;
	char	   *created_by;
	JsPqWriteFn fn;
	void	   *arg;

	int64_t		offset;			/* bytes written */
	int64_t		rows;			/* rows of finished row groups and this one */
	int64_t		rg_rows;
	size_t		rg_bytes;
	PqRowGroup *rgs;
	int			nrgs;
	int			rgcap;

	JsBuf		page;
	JsBuf		comp;
	JsBuf		hdr;
	ZSTD_CCtx  *zctx;

	bool		failed;
	bool		finished;
	char		err[256];
};

/*
 * Record a failure (the first one wins); returns false for the caller to
 * return.
 */
#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
static bool
fail(JsPqWriter *w, const char *fmt,...)
{
	va_list		ap;

	if (!w->failed)
	{
		va_start(ap, fmt);
		vsnprintf(w->err, sizeof(w->err), fmt, ap);
		va_end(ap);
		w->failed = true;
	}
	return false;
}

/* Append n bytes to buf, failing the writer when out of memory. */
static bool
put(JsPqWriter *w, JsBuf *buf, const void *p, size_t n)
{
	if (n == 0)
		return true;
	if (!js_buf_append(buf, (const char *) p, n))
		return fail(w, "out of memory");
	return true;
}

/*
 * Append one byte to buf.
 */
static bool
put_byte(JsPqWriter *w, JsBuf *buf, uint8_t b)
{
	return put(w, buf, &b, 1);
}

static void
le32(uint8_t *o, uint32_t v)
{
	o[0] = v;
	o[1] = v >> 8;
	o[2] = v >> 16;
	o[3] = v >> 24;
}

static void
le64(uint8_t *o, uint64_t v)
{
	le32(o, (uint32_t) v);
	le32(o + 4, (uint32_t) (v >> 32));
}

/* Unsigned LEB128. */
static bool
put_uvarint(JsPqWriter *w, JsBuf *buf, uint64_t v)
{
	uint8_t		b[10];
	int			n = 0;

	do
	{
		b[n] = v & 0x7f;
		v >>= 7;
		if (v)
			b[n] |= 0x80;
		n++;
	} while (v);
	return put(w, buf, b, n);
}

/* Bits needed to store values up to max. */
static int
bit_width(uint64_t max)
{
	int			bw = 0;

	while (max)
	{
		bw++;
		max >>= 1;
	}
	return bw;
}

/* ---------------------------------------------------------------------
 * Thrift compact protocol
 * ---------------------------------------------------------------------
 */
#define TW_MAX_DEPTH 16

typedef struct Tw
{
	JsPqWriter *w;
	JsBuf	   *b;
	int16_t		last[TW_MAX_DEPTH];
	int			depth;
} Tw;

/*
 * Start writing Thrift into b (a top-level struct follows with tw_begin(t, 0)).
 */
static void
tw_init(Tw *t, JsPqWriter *w, JsBuf *b)
{
	t->w = w;
	t->b = b;
	t->depth = 0;
	t->last[0] = 0;
}

/* A field header: the id as a delta from the previous field when it fits. */
static void
tw_field(Tw *t, int id, int type)
{
	int			delta = id - t->last[t->depth];

	if (delta > 0 && delta <= 15)
		put_byte(t->w, t->b, (uint8_t) ((delta << 4) | type));
	else
	{
		put_byte(t->w, t->b, (uint8_t) type);
		put_uvarint(t->w, t->b, (uint64_t) ((id << 1) ^ (id >> 15)));
	}
	t->last[t->depth] = id;
}

/*
 * A zigzag varint: the compact protocol's i16, i32, i64 and enums.
 */
static void
tw_zigzag(Tw *t, int64_t v)
{
	put_uvarint(t->w, t->b, ((uint64_t) v << 1) ^ (uint64_t) (v >> 63));
}

/*
 * Field id: an i32 (or an enum).
 */
static void
tw_i32(Tw *t, int id, int32_t v)
{
	tw_field(t, id, CT_I32);
	tw_zigzag(t, v);
}

/*
 * Field id: an i64.
 */
static void
tw_i64(Tw *t, int id, int64_t v)
{
	tw_field(t, id, CT_I64);
	tw_zigzag(t, v);
}

/*
 * Field id: an i16.
 */
static void
tw_i16(Tw *t, int id, int16_t v)
{
	tw_field(t, id, CT_I16);
	tw_zigzag(t, v);
}

/*
 * Field id: a bool, carried in the field header's type.
 */
static void
tw_bool(Tw *t, int id, bool v)
{
	tw_field(t, id, v ? CT_TRUE : CT_FALSE);
}

/*
 * A binary without a field header (a list element).
 */
static void
tw_raw_binary(Tw *t, const void *p, size_t n)
{
	put_uvarint(t->w, t->b, n);
	put(t->w, t->b, p, n);
}

/*
 * Field id: a binary (or string).
 */
static void
tw_binary(Tw *t, int id, const void *p, size_t n)
{
	tw_field(t, id, CT_BINARY);
	tw_raw_binary(t, p, n);
}

/* Open a struct: as field id of the current struct, or (id 0) a list element or the top. */
static void
tw_begin(Tw *t, int id)
{
	if (id > 0)
		tw_field(t, id, CT_STRUCT);
	if (t->depth + 1 >= TW_MAX_DEPTH)
	{
		fail(t->w, "internal error: Thrift nesting too deep");
		return;
	}
	t->last[++t->depth] = 0;
}

/*
 * Close the struct opened last.
 */
static void
tw_end(Tw *t)
{
	put_byte(t->w, t->b, 0);	/* stop */
	if (t->depth > 0)
		t->depth--;
}

/*
 * Field id: the header of a list of n elements of elemtype, which follow.
 */
static void
tw_list(Tw *t, int id, int elemtype, size_t n)
{
	tw_field(t, id, CT_LIST);
	if (n < 15)
		put_byte(t->w, t->b, (uint8_t) ((n << 4) | elemtype));
	else
	{
		put_byte(t->w, t->b, (uint8_t) (0xf0 | elemtype));
		put_uvarint(t->w, t->b, n);
	}
}

/* ---------------------------------------------------------------------
 * RLE / bit-packed hybrid (Encodings.md)
 * ---------------------------------------------------------------------
 */

/* Element i of an array of 1-byte or 4-byte unsigned values. */
static inline uint32_t
elem(const void *v, int esz, size_t i)
{
	return esz == 1 ? ((const uint8_t *) v)[i] : ((const uint32_t *) v)[i];
}

/* Length of the run of equal values at i, counting at most up to limit. */
static size_t
run_length(const void *v, int esz, size_t i, size_t n, size_t limit)
{
	uint32_t	x = elem(v, esz, i);
	size_t		j = i + 1;

	while (j < n && j - i < limit && elem(v, esz, j) == x)
		j++;
	return j - i;
}

/*
 * Append n values of bw bits in the hybrid encoding: runs of 8 or more
 * equal values as RLE runs, the rest bit-packed in groups of 8 (the last
 * group padded with zeros; readers stop at the value count they know).
 */
static bool
put_hybrid(JsPqWriter *w, JsBuf *out, const void *v, int esz, size_t n, int bw)
{
	int			vbytes = (bw + 7) / 8;
	size_t		i = 0;

	while (i < n)
	{
		size_t		r = run_length(v, esz, i, n, SIZE_MAX);

		if (r >= 8)
		{
			uint8_t		b[4];

			put_uvarint(w, out, (uint64_t) r << 1);
			le32(b, elem(v, esz, i));
			put(w, out, b, vbytes);
			i += r;
		}
		else
		{
			size_t		j = i;
			size_t		groups,
						k;
			uint64_t	acc = 0;
			int			nbits = 0;

			while (j < n)
			{
				j = j + 8 < n ? j + 8 : n;
				if (j < n && run_length(v, esz, j, n, 8) >= 8)
					break;
			}
			groups = (j - i + 7) / 8;
			put_uvarint(w, out, ((uint64_t) groups << 1) | 1);
			if (!js_buf_reserve(out, groups * bw + 8))
				return fail(w, "out of memory");
			for (k = 0; k < groups * 8; k++)
			{
				uint32_t	x = i + k < j ? elem(v, esz, i + k) : 0;

				acc |= (uint64_t) x << nbits;
				nbits += bw;
				while (nbits >= 8)
				{
					out->data[out->len++] = (char) (acc & 0xff);
					acc >>= 8;
					nbits -= 8;
				}
			}
			out->data[out->len] = '\0';
			i = j;
		}
	}
	return !w->failed;
}

/* Levels with their 4-byte length prefix (data page v1). */
static bool
put_levels(JsPqWriter *w, JsBuf *out, const uint8_t *levels, size_t n, int max)
{
	size_t		at = out->len;
	uint8_t		b[4] = {0};

	put(w, out, b, 4);
	if (!put_hybrid(w, out, levels, 1, n, bit_width(max)))
		return false;
	le32((uint8_t *) out->data + at, (uint32_t) (out->len - at - 4));
	return true;
}

/* 10^p, p <= 38. */
static JsPqInt128
pow10_128(int p)
{
	JsPqInt128	v = 1;

	while (p-- > 0)
		v *= 10;
	return v;
}

/*
 * Bytes of a FIXED_LEN_BYTE_ARRAY decimal of precision p: the fewest
 * whose two's complement holds -(10^p - 1) .. 10^p - 1.
 */
static int
decimal_bytes(int p)
{
	JsPqInt128	max = pow10_128(p) - 1;
	int			n = 1;

	while (n < 16 && (max >> (8 * n - 1)) != 0)
		n++;
	return n;
}

/* v as n bytes of big-endian two's complement. */
static void
be_bytes(JsPqInt128 v, int n, uint8_t *out)
{
	for (int i = n - 1; i >= 0; i--)
	{
		out[i] = (uint8_t) (v & 0xff);
		v >>= 8;				/* arithmetic: keeps the sign */
	}
}

/* ---------------------------------------------------------------------
 * Creating the writer
 * ---------------------------------------------------------------------
 */

/*
 * Fill opt with the defaults (see parquet.h).
 */
void
js_pq_default_options(JsPqOptions *opt)
{
	memset(opt, 0, sizeof(*opt));
	opt->codec = JS_PQ_ZSTD;
	opt->zstd_level = 0;
	opt->row_group_rows = 1000000;
	opt->row_group_bytes = 64 * 1024 * 1024;
	opt->dictionary_bytes = 1024 * 1024;
}

/* Reset a column's row-group buffers (keeping their memory). */
static void
col_reset(PqCol *c)
{
	c->nlevels = 0;
	js_buf_reset(&c->plain);
	c->nvals = 0;
	c->dict_on = c->kind != JS_PQ_BOOLEAN;
	js_buf_reset(&c->dict);
	c->ndict = 0;
	if (c->hash)
		memset(c->hash, 0xff, sizeof(int32_t) * c->hsize);
	c->nidx = 0;
	c->st.has = false;
	c->st.nulls = 0;
	js_buf_reset(&c->st.bmin);
	js_buf_reset(&c->st.bmax);
}

/*
 * Free what a column holds.
 */
static void
col_free(PqCol *c)
{
	free(c->name);
	free(c->def);
	free(c->rep);
	js_buf_free(&c->plain);
	js_buf_free(&c->dict);
	free(c->dent);
	free(c->dlen);
	free(c->hash);
	free(c->idx);
	js_buf_free(&c->st.bmin);
	js_buf_free(&c->st.bmax);
}

/*
 * Check the columns and options and make a writer (see parquet.h).
 */
JsPqWriter *
js_pq_create(const JsPqColumn *cols, int ncols, const JsPqOptions *opt,
			 JsPqWriteFn fn, void *arg, char *err, size_t errlen)
{
	JsPqWriter *w;
	int			i;

	if (ncols < 1)
	{
		snprintf(err, errlen, "a Parquet file needs at least one column");
		return NULL;
	}
	if (opt->codec != JS_PQ_UNCOMPRESSED && opt->codec != JS_PQ_ZSTD)
	{
		snprintf(err, errlen, "unknown compression codec %d", (int) opt->codec);
		return NULL;
	}
	if (opt->row_group_rows < 1 || opt->row_group_bytes < 1 ||
		opt->row_group_bytes > (size_t) 1 << 30)
	{
		snprintf(err, errlen, "row group bounds must be at least 1 row and between 1 byte and 1 GiB");
		return NULL;
	}
	for (i = 0; i < ncols; i++)
	{
		const JsPqColumn *c = &cols[i];
		int			j;

		if (c->name == NULL || c->name[0] == '\0')
		{
			snprintf(err, errlen, "column %d has no name", i + 1);
			return NULL;
		}
		for (j = 0; j < i; j++)
			if (strcmp(cols[j].name, c->name) == 0)
			{
				snprintf(err, errlen, "column name \"%s\" appears twice", c->name);
				return NULL;
			}
		if ((int) c->kind < JS_PQ_BOOLEAN || c->kind > JS_PQ_STRING_LIST)
		{
			snprintf(err, errlen, "column \"%s\" has an unknown kind %d", c->name, (int) c->kind);
			return NULL;
		}
		if (c->kind == JS_PQ_DECIMAL &&
			(c->precision < 1 || c->precision > JS_PQ_MAX_DECIMAL_PRECISION ||
			 c->scale < 0 || c->scale > c->precision))
		{
			snprintf(err, errlen, "column \"%s\": decimal precision must be 1 to %d and scale 0 to the precision, not (%d,%d)",
					 c->name, JS_PQ_MAX_DECIMAL_PRECISION, c->precision, c->scale);
			return NULL;
		}
	}

	w = calloc(1, sizeof(JsPqWriter));
	if (w == NULL || (w->cols = calloc(ncols, sizeof(PqCol))) == NULL)
		goto oom;
	w->ncols = ncols;
	w->opt = *opt;
	w->created_by = strdup(opt->created_by ? opt->created_by : "jobstream");
	w->fn = fn;
	w->arg = arg;
	if (w->created_by == NULL)
		goto oom;
	for (i = 0; i < ncols; i++)
	{
		PqCol	   *c = &w->cols[i];
		const JsPqColumn *d = &cols[i];

		c->name = strdup(d->name);
		if (c->name == NULL)
			goto oom;
		c->kind = d->kind;
		c->nullable = d->nullable;
		c->precision = d->precision;
		c->scale = d->scale;
		switch (d->kind)
		{
			case JS_PQ_BOOLEAN:
				c->ptype = PT_BOOLEAN;
				break;
			case JS_PQ_INT32:
			case JS_PQ_DATE:
				c->ptype = PT_INT32;
				break;
			case JS_PQ_INT64:
			case JS_PQ_TIMESTAMP:
			case JS_PQ_TIMESTAMP_LOCAL:
				c->ptype = PT_INT64;
				break;
			case JS_PQ_DECIMAL:
				c->ptype = d->precision <= 9 ? PT_INT32 : d->precision <= 18 ? PT_INT64 : PT_FIXED;
				if (c->ptype == PT_FIXED)
					c->type_length = decimal_bytes(d->precision);
				break;
			case JS_PQ_DOUBLE:
				c->ptype = PT_DOUBLE;
				break;
			case JS_PQ_STRING:
			case JS_PQ_JSON:
			case JS_PQ_STRING_LIST:
				c->ptype = PT_BYTE_ARRAY;
				break;
			case JS_PQ_UUID:
				c->ptype = PT_FIXED;
				c->type_length = 16;
				break;
		}
		if (d->kind == JS_PQ_STRING_LIST)
		{
			c->max_def = (d->nullable ? 1 : 0) + 2;
			c->max_rep = 1;
		}
		else
			c->max_def = d->nullable ? 1 : 0;
		col_reset(c);
	}
	if (opt->codec == JS_PQ_ZSTD && (w->zctx = ZSTD_createCCtx()) == NULL)
		goto oom;
	return w;

oom:
	js_pq_free(w);
	snprintf(err, errlen, "out of memory");
	return NULL;
}

/*
 * Free the writer, its buffers and the metadata of written row groups.
 */
void
js_pq_free(JsPqWriter *w)
{
	int			i,
				j;

	if (w == NULL)
		return;
	if (w->cols)
		for (i = 0; i < w->ncols; i++)
			col_free(&w->cols[i]);
	free(w->cols);
	for (i = 0; i < w->nrgs; i++)
	{
		for (j = 0; j < w->ncols; j++)
		{
			free(w->rgs[i].chunks[j].min);
			free(w->rgs[i].chunks[j].max);
		}
		free(w->rgs[i].chunks);
	}
	free(w->rgs);
	free(w->created_by);
	js_buf_free(&w->page);
	js_buf_free(&w->comp);
	js_buf_free(&w->hdr);
	if (w->zctx)
		ZSTD_freeCCtx(w->zctx);
	free(w);
}

/*
 * The message of the first failure.
 */
const char *
js_pq_error(const JsPqWriter *w)
{
	return w->failed ? w->err : "no error";
}

/*
 * Rows accepted so far.
 */
int64_t
js_pq_rows(const JsPqWriter *w)
{
	return w->rows;
}

/*
 * Bytes handed to the write function so far.
 */
int64_t
js_pq_bytes_written(const JsPqWriter *w)
{
	return w->offset;
}

/* ---------------------------------------------------------------------
 * Adding values
 * ---------------------------------------------------------------------
 */

/* Append one entry of definition and repetition levels. */
static bool
add_levels(JsPqWriter *w, PqCol *c, int def, int rep)
{
	if (c->max_def == 0 && c->max_rep == 0)
		return true;
	if (c->nlevels == c->levcap)
	{
		size_t		ncap = c->levcap ? c->levcap * 2 : 1024;
		uint8_t    *nd = realloc(c->def, ncap);

		if (nd == NULL)
			return fail(w, "out of memory");
		c->def = nd;
		if (c->max_rep > 0)
		{
			uint8_t    *nr = realloc(c->rep, ncap);

			if (nr == NULL)
				return fail(w, "out of memory");
			c->rep = nr;
		}
		c->levcap = ncap;
	}
	c->def[c->nlevels] = (uint8_t) def;
	if (c->max_rep > 0)
		c->rep[c->nlevels] = (uint8_t) rep;
	c->nlevels++;
	w->rg_bytes += 2;
	return true;
}

/* FNV-1a. */
static uint64_t
hash_bytes(const void *p, size_t n)
{
	const uint8_t *s = p;
	uint64_t	h = 1469598103934665603ULL;
	size_t		i;

	for (i = 0; i < n; i++)
	{
		h ^= s[i];
		h *= 1099511628211ULL;
	}
	return h;
}

/* Stop dictionary-encoding column c for the rest of the row group. */
static void
dict_drop(PqCol *c)
{
	c->dict_on = false;
	js_buf_free(&c->dict);
	free(c->dent);
	free(c->dlen);
	free(c->hash);
	free(c->idx);
	c->dent = c->dlen = NULL;
	c->hash = NULL;
	c->idx = NULL;
	c->ndict = c->dcap = c->hsize = 0;
	c->nidx = c->idxcap = 0;
}

/* Grow (or create) the hash table of the dictionary to hold twice ndict. */
static bool
dict_rehash(JsPqWriter *w, PqCol *c)
{
	uint32_t	nsize = c->hsize ? c->hsize * 2 : 1024;
	int32_t    *nh = malloc(sizeof(int32_t) * nsize);
	uint32_t	i;

	if (nh == NULL)
		return fail(w, "out of memory");
	memset(nh, 0xff, sizeof(int32_t) * nsize);
	for (i = 0; i < c->ndict; i++)
	{
		uint32_t	s = hash_bytes(c->dict.data + c->dent[i], c->dlen[i]) & (nsize - 1);

		while (nh[s] >= 0)
			s = (s + 1) & (nsize - 1);
		nh[s] = (int32_t) i;
	}
	free(c->hash);
	c->hash = nh;
	c->hsize = nsize;
	return true;
}

/* Add the index of value p[0..n) in the dictionary (inserting it if new). */
static bool
dict_add(JsPqWriter *w, PqCol *c, const void *p, size_t n)
{
	uint32_t	s;
	int32_t		e;

	if ((c->ndict + 1) * 2 > c->hsize && !dict_rehash(w, c))
		return false;
	s = hash_bytes(p, n) & (c->hsize - 1);
	while ((e = c->hash[s]) >= 0)
	{
		if (c->dlen[e] == n && memcmp(c->dict.data + c->dent[e], p, n) == 0)
			break;
		s = (s + 1) & (c->hsize - 1);
	}
	if (e < 0)
	{
		if (c->dict.len + n + 4 > w->opt.dictionary_bytes)
		{
			dict_drop(c);
			return true;
		}
		if (c->ndict == c->dcap)
		{
			uint32_t	ncap = c->dcap ? c->dcap * 2 : 256;
			uint32_t   *a = realloc(c->dent, sizeof(uint32_t) * ncap);

			if (a == NULL)
				return fail(w, "out of memory");
			c->dent = a;
			a = realloc(c->dlen, sizeof(uint32_t) * ncap);
			if (a == NULL)
				return fail(w, "out of memory");
			c->dlen = a;
			c->dcap = ncap;
		}
		if (c->ptype == PT_BYTE_ARRAY)
		{
			uint8_t		len[4];

			le32(len, (uint32_t) n);
			put(w, &c->dict, len, 4);
		}
		c->dent[c->ndict] = (uint32_t) c->dict.len;
		c->dlen[c->ndict] = (uint32_t) n;
		if (!put(w, &c->dict, p, n))
			return false;
		e = (int32_t) c->ndict++;
		c->hash[s] = e;
	}
	if (c->nidx == c->idxcap)
	{
		size_t		ncap = c->idxcap ? c->idxcap * 2 : 1024;
		uint32_t   *a = realloc(c->idx, sizeof(uint32_t) * ncap);

		if (a == NULL)
			return fail(w, "out of memory");
		c->idx = a;
		c->idxcap = ncap;
	}
	c->idx[c->nidx++] = (uint32_t) e;
	return true;
}

/* Unsigned lexicographic comparison of byte strings. */
static int
cmp_bytes(const void *a, size_t alen, const void *b, size_t blen)
{
	size_t		n = alen < blen ? alen : blen;
	int			r = n ? memcmp(a, b, n) : 0;

	if (r != 0)
		return r;
	return alen < blen ? -1 : alen > blen ? 1 : 0;
}

/* Replace buf's contents with p[0..n). */
static bool
set_bytes(JsPqWriter *w, JsBuf *buf, const void *p, size_t n)
{
	js_buf_reset(buf);
	return put(w, buf, p, n);
}

/*
 * Append a non-null value: its PLAIN bytes p[0..n) (without the length
 * prefix of BYTE_ARRAY, which is added here), and its dictionary index.
 */
static bool
add_value(JsPqWriter *w, PqCol *c, const void *p, size_t n, int def, int rep)
{
	if (!add_levels(w, c, def, rep))
		return false;
	if (c->ptype == PT_BYTE_ARRAY)
	{
		uint8_t		len[4];

		if (n > INT32_MAX)
			return fail(w, "a value of column \"%s\" is longer than 2 GiB", c->name);
		le32(len, (uint32_t) n);
		put(w, &c->plain, len, 4);
		w->rg_bytes += 4;
	}
	if (!put(w, &c->plain, p, n))
		return false;
	w->rg_bytes += n;
	c->nvals++;
	if (c->dict_on && !dict_add(w, c, p, n))
		return false;
	return true;
}

/* Update the byte-string statistics of c with p[0..n). */
static bool
stats_bytes(JsPqWriter *w, PqCol *c, const void *p, size_t n)
{
	if (!c->st.has)
	{
		c->st.has = true;
		return set_bytes(w, &c->st.bmin, p, n) && set_bytes(w, &c->st.bmax, p, n);
	}
	if (cmp_bytes(p, n, c->st.bmin.data, c->st.bmin.len) < 0 &&
		!set_bytes(w, &c->st.bmin, p, n))
		return false;
	if (cmp_bytes(p, n, c->st.bmax.data, c->st.bmax.len) > 0 &&
		!set_bytes(w, &c->st.bmax, p, n))
		return false;
	return true;
}

/* The column col, checked to be free for a value in this row. */
static PqCol *
take_col(JsPqWriter *w, int col)
{
	PqCol	   *c;

	if (w->failed || w->finished)
	{
		fail(w, "the writer is closed");
		return NULL;
	}
	if (col < 0 || col >= w->ncols)
	{
		fail(w, "no column %d", col);
		return NULL;
	}
	c = &w->cols[col];
	if (c->row_done)
	{
		fail(w, "column \"%s\" already has a value in this row", c->name);
		return NULL;
	}
	return c;
}

/*
 * A NULL in column col of the current row (a null list for a list column).
 */
bool
js_pq_null(JsPqWriter *w, int col)
{
	PqCol	   *c = take_col(w, col);

	if (c == NULL)
		return false;
	if (!c->nullable)
		return fail(w, "column \"%s\" is not nullable", c->name);
	c->row_done = true;
	c->st.nulls++;
	return add_levels(w, c, 0, 0);
}

/*
 * An integer-backed value, checked against the column's range.
 */
bool
js_pq_int(JsPqWriter *w, int col, int64_t v)
{
	PqCol	   *c = take_col(w, col);
	uint8_t		b[8];

	if (c == NULL)
		return false;
	switch (c->kind)
	{
		case JS_PQ_BOOLEAN:
			if (v != 0 && v != 1)
				return fail(w, "column \"%s\": a boolean is 0 or 1, not %lld", c->name, (long long) v);
			break;
		case JS_PQ_INT32:
		case JS_PQ_DATE:
			if (v < INT32_MIN || v > INT32_MAX)
				return fail(w, "column \"%s\": %lld is out of the range of a 32-bit integer", c->name, (long long) v);
			break;
		case JS_PQ_INT64:
		case JS_PQ_TIMESTAMP:
		case JS_PQ_TIMESTAMP_LOCAL:
			break;
		case JS_PQ_DECIMAL:
			if (c->ptype == PT_FIXED)
				return js_pq_decimal(w, col, v);
			if (v >= pow10_128(c->precision) || v <= -pow10_128(c->precision))
				return fail(w, "column \"%s\": unscaled value %lld does not fit precision %d",
							c->name, (long long) v, c->precision);
			break;
		default:
			return fail(w, "column \"%s\" does not take integers", c->name);
	}
	c->row_done = true;
	if (!c->st.has || v < c->st.imin)
		c->st.imin = v;
	if (!c->st.has || v > c->st.imax)
		c->st.imax = v;
	c->st.has = true;
	if (c->ptype == PT_BOOLEAN)
	{
		b[0] = (uint8_t) v;
		return add_value(w, c, b, 1, c->max_def, 0);
	}
	if (c->ptype == PT_INT32)
	{
		le32(b, (uint32_t) (int32_t) v);
		return add_value(w, c, b, 4, c->max_def, 0);
	}
	le64(b, (uint64_t) v);
	return add_value(w, c, b, 8, c->max_def, 0);
}

/*
 * A DECIMAL's unscaled value, checked against the precision.
 */
bool
js_pq_decimal(JsPqWriter *w, int col, JsPqInt128 v)
{
	PqCol	   *c = take_col(w, col);
	uint8_t		b[16];

	if (c == NULL)
		return false;
	if (c->kind != JS_PQ_DECIMAL)
		return fail(w, "column \"%s\" is not a decimal", c->name);
	if (v >= pow10_128(c->precision) || v <= -pow10_128(c->precision))
		return fail(w, "column \"%s\": an unscaled value does not fit precision %d",
					c->name, c->precision);
	if (c->ptype != PT_FIXED)
		return js_pq_int(w, col, (int64_t) v);
	c->row_done = true;
	if (!c->st.has || v < c->st.wmin)
		c->st.wmin = v;
	if (!c->st.has || v > c->st.wmax)
		c->st.wmax = v;
	c->st.has = true;
	be_bytes(v, c->type_length, b);
	return add_value(w, c, b, c->type_length, c->max_def, 0);
}

/*
 * A DOUBLE value; NaN is stored but kept out of the statistics.
 */
bool
js_pq_double(JsPqWriter *w, int col, double v)
{
	PqCol	   *c = take_col(w, col);
	uint8_t		b[8];
	uint64_t	bits;

	if (c == NULL)
		return false;
	if (c->kind != JS_PQ_DOUBLE)
		return fail(w, "column \"%s\" does not take doubles", c->name);
	c->row_done = true;
	if (!isnan(v))
	{
		if (!c->st.has || v < c->st.dmin)
			c->st.dmin = v;
		if (!c->st.has || v > c->st.dmax)
			c->st.dmax = v;
		c->st.has = true;
	}
	memcpy(&bits, &v, 8);
	le64(b, bits);
	return add_value(w, c, b, 8, c->max_def, 0);
}

/*
 * A STRING or JSON value, or the 16 bytes of a UUID.
 */
bool
js_pq_bytes(JsPqWriter *w, int col, const void *data, size_t len)
{
	PqCol	   *c = take_col(w, col);

	if (c == NULL)
		return false;
	if (c->kind == JS_PQ_UUID)
	{
		if (len != 16)
			return fail(w, "column \"%s\": a UUID is 16 bytes, not %zu", c->name, len);
	}
	else if (c->kind != JS_PQ_STRING && c->kind != JS_PQ_JSON)
		return fail(w, "column \"%s\" does not take byte strings", c->name);
	c->row_done = true;
	return stats_bytes(w, c, data, len) &&
		add_value(w, c, data, len, c->max_def, 0);
}

/*
 * Begin the list value of column col; its elements follow.
 */
bool
js_pq_list_begin(JsPqWriter *w, int col)
{
	PqCol	   *c = take_col(w, col);

	if (c == NULL)
		return false;
	if (c->kind != JS_PQ_STRING_LIST)
		return fail(w, "column \"%s\" is not a list", c->name);
	c->row_done = true;
	c->in_list = true;
	c->list_items = 0;
	return true;
}

/*
 * One element of the list begun: repetition level 1 after the first.
 */
bool
js_pq_list_item(JsPqWriter *w, int col, const void *data, size_t len)
{
	PqCol	   *c;
	int			rep;

	if (w->failed || col < 0 || col >= w->ncols)
		return fail(w, "no column %d", col);
	c = &w->cols[col];
	if (!c->in_list)
		return fail(w, "column \"%s\": an item outside a list", c->name);
	rep = c->list_items++ > 0 ? 1 : 0;
	if (data == NULL)
	{
		c->st.nulls++;
		return add_levels(w, c, c->max_def - 1, rep);
	}
	return stats_bytes(w, c, data, len) &&
		add_value(w, c, data, len, c->max_def, rep);
}

static bool flush_row_group(JsPqWriter *w);

/*
 * Close the row (an empty list gets its one level entry), and write the
 * row group once it reaches its bound.
 */
bool
js_pq_end_row(JsPqWriter *w)
{
	int			i;

	if (w->failed || w->finished)
		return fail(w, "the writer is closed");
	for (i = 0; i < w->ncols; i++)
		if (!w->cols[i].row_done)
			return fail(w, "column \"%s\" has no value in row %lld",
						w->cols[i].name, (long long) w->rows + 1);
	for (i = 0; i < w->ncols; i++)
	{
		PqCol	   *c = &w->cols[i];

		if (c->in_list)
		{
			/* an empty list: one entry defined down to the list itself */
			if (c->list_items == 0 && !add_levels(w, c, c->max_def - 2, 0))
				return false;
			c->st.nulls += c->list_items == 0;
			c->in_list = false;
		}
		c->row_done = false;
	}
	w->rows++;
	w->rg_rows++;
	if (w->rg_rows >= w->opt.row_group_rows || w->rg_bytes >= w->opt.row_group_bytes)
		return flush_row_group(w);
	return true;
}

/* ---------------------------------------------------------------------
 * Writing pages, row groups and the footer
 * ---------------------------------------------------------------------
 */

/*
 * Hand n bytes to the write function, counting them.
 */
static bool
emit(JsPqWriter *w, const void *p, size_t n)
{
	if (n == 0)
		return true;
	errno = 0;
	if (!w->fn(w->arg, p, n))
		return fail(w, "could not write: %s",
					errno ? strerror(errno) : "the write function failed");
	w->offset += n;
	return true;
}

/* The magic bytes, before anything else. */
static bool
emit_start(JsPqWriter *w)
{
	return w->offset > 0 || emit(w, "PAR1", 4);
}

/*
 * Compress and write one page whose payload is w->page, adding its sizes
 * to the chunk: a dictionary page of num_values entries, or a data page of
 * num_values level entries whose values are in encoding enc.
 */
static bool
emit_page(JsPqWriter *w, PqChunk *ch, bool dictionary, int32_t num_values, int enc)
{
	const char *payload = w->page.data;
	size_t		plen = w->page.len;
	size_t		clen = plen;
	Tw			t;

	if (plen > INT32_MAX)
		return fail(w, "a page is larger than 2 GiB; lower the row group bounds");
	if (w->opt.codec == JS_PQ_ZSTD)
	{
		size_t		bound = ZSTD_compressBound(plen);
		size_t		r;

		js_buf_reset(&w->comp);
		if (!js_buf_reserve(&w->comp, bound))
			return fail(w, "out of memory");
		r = ZSTD_compressCCtx(w->zctx, w->comp.data, bound, payload, plen,
							  w->opt.zstd_level ? w->opt.zstd_level : ZSTD_CLEVEL_DEFAULT);
		if (ZSTD_isError(r))
			return fail(w, "zstd compression failed: %s", ZSTD_getErrorName(r));
		payload = w->comp.data;
		clen = r;
	}
	js_buf_reset(&w->hdr);
	tw_init(&t, w, &w->hdr);
	tw_begin(&t, 0);
	tw_i32(&t, 1, dictionary ? PAGE_DICTIONARY : PAGE_DATA);
	tw_i32(&t, 2, (int32_t) plen);
	tw_i32(&t, 3, (int32_t) clen);
	if (dictionary)
	{
		tw_begin(&t, 7);
		tw_i32(&t, 1, num_values);
		tw_i32(&t, 2, ENC_PLAIN);
		tw_end(&t);
	}
	else
	{
		tw_begin(&t, 5);
		tw_i32(&t, 1, num_values);
		tw_i32(&t, 2, enc);
		tw_i32(&t, 3, ENC_RLE);
		tw_i32(&t, 4, ENC_RLE);
		tw_end(&t);
	}
	tw_end(&t);
	if (w->failed)
		return false;
	if (dictionary)
		ch->dict_offset = w->offset;
	else
		ch->data_offset = w->offset;
	ch->usize += w->hdr.len + plen;
	ch->csize += w->hdr.len + clen;
	return emit(w, w->hdr.data, w->hdr.len) && emit(w, payload, clen);
}

/* Copy the statistics of c into the chunk, PLAIN-encoded. */
static bool
chunk_stats(JsPqWriter *w, PqCol *c, PqChunk *ch)
{
	uint8_t		bmin[8],
				bmax[8],
				bwide_min[16],
				bwide_max[16];
	const void *pmin = bmin,
			   *pmax = bmax;

	ch->nulls = c->st.nulls;
	ch->has_minmax = c->st.has;
	if (!c->st.has)
		return true;
	switch (c->ptype)
	{
		case PT_BOOLEAN:
			bmin[0] = (uint8_t) c->st.imin;
			bmax[0] = (uint8_t) c->st.imax;
			ch->minlen = ch->maxlen = 1;
			break;
		case PT_INT32:
			le32(bmin, (uint32_t) (int32_t) c->st.imin);
			le32(bmax, (uint32_t) (int32_t) c->st.imax);
			ch->minlen = ch->maxlen = 4;
			break;
		case PT_INT64:
			le64(bmin, (uint64_t) c->st.imin);
			le64(bmax, (uint64_t) c->st.imax);
			ch->minlen = ch->maxlen = 8;
			break;
		case PT_DOUBLE:
			{
				/* a zero bound is written as -0.0 (min) and +0.0 (max) */
				double		lo = c->st.dmin == 0 ? -0.0 : c->st.dmin;
				double		hi = c->st.dmax == 0 ? 0.0 : c->st.dmax;
				uint64_t	bits;

				memcpy(&bits, &lo, 8);
				le64(bmin, bits);
				memcpy(&bits, &hi, 8);
				le64(bmax, bits);
				ch->minlen = ch->maxlen = 8;
			}
			break;
		case PT_FIXED:
			if (c->kind == JS_PQ_DECIMAL)
			{
				/* signed order: kept as integers, written big-endian */
				be_bytes(c->st.wmin, c->type_length, bwide_min);
				be_bytes(c->st.wmax, c->type_length, bwide_max);
				pmin = bwide_min;
				pmax = bwide_max;
				ch->minlen = ch->maxlen = c->type_length;
				break;
			}
			/* FALLTHROUGH */
		default:
			pmin = c->st.bmin.data;
			pmax = c->st.bmax.data;
			ch->minlen = c->st.bmin.len;
			ch->maxlen = c->st.bmax.len;
			break;
	}
	ch->min = malloc(ch->minlen ? ch->minlen : 1);
	ch->max = malloc(ch->maxlen ? ch->maxlen : 1);
	if (ch->min == NULL || ch->max == NULL)
		return fail(w, "out of memory");
	if (ch->minlen)
		memcpy(ch->min, pmin, ch->minlen);
	if (ch->maxlen)
		memcpy(ch->max, pmax, ch->maxlen);
	return true;
}

/* Write the column chunk of c for the row group being flushed. */
static bool
flush_column(JsPqWriter *w, PqCol *c, PqChunk *ch)
{
	bool		use_dict = c->dict_on && c->ndict > 0;
	int64_t		entries = (c->max_def || c->max_rep) ? (int64_t) c->nlevels : c->nvals;

	ch->offset = w->offset;
	ch->dict_offset = -1;
	ch->num_values = entries;
	if (entries > INT32_MAX)
		return fail(w, "a page has more than 2^31 values; lower the row group bounds");
	if (use_dict)
	{
		js_buf_reset(&w->page);
		if (!put(w, &w->page, c->dict.data, c->dict.len) ||
			!emit_page(w, ch, true, (int32_t) c->ndict, ENC_PLAIN))
			return false;
	}
	js_buf_reset(&w->page);
	if (c->max_rep > 0 && !put_levels(w, &w->page, c->rep, c->nlevels, c->max_rep))
		return false;
	if (c->max_def > 0 && !put_levels(w, &w->page, c->def, c->nlevels, c->max_def))
		return false;
	if (use_dict)
	{
		int			bw = bit_width(c->ndict - 1);

		if (bw == 0)
			bw = 1;
		put_byte(w, &w->page, (uint8_t) bw);
		if (!put_hybrid(w, &w->page, c->idx, 4, c->nidx, bw))
			return false;
	}
	else if (c->ptype == PT_BOOLEAN)
	{
		size_t		nbytes = (c->nvals + 7) / 8;
		size_t		at = w->page.len;
		int64_t		i;

		if (!js_buf_reserve(&w->page, nbytes))
			return fail(w, "out of memory");
		memset(w->page.data + at, 0, nbytes);
		for (i = 0; i < c->nvals; i++)
			if (c->plain.data[i])
				w->page.data[at + i / 8] |= (char) (1 << (i % 8));
		w->page.len += nbytes;
		w->page.data[w->page.len] = '\0';
	}
	else if (!put(w, &w->page, c->plain.data, c->plain.len))
		return false;
	if (!emit_page(w, ch, false, (int32_t) entries,
				   use_dict ? ENC_RLE_DICTIONARY : ENC_PLAIN))
		return false;
	return chunk_stats(w, c, ch);
}

/* Write the buffered rows as a row group (nothing when there are none). */
static bool
flush_row_group(JsPqWriter *w)
{
	PqRowGroup *rg;
	int			i;

	if (w->rg_rows == 0)
		return true;
	if (!emit_start(w))
		return false;
	if (w->nrgs == w->rgcap)
	{
		int			ncap = w->rgcap ? w->rgcap * 2 : 8;
		PqRowGroup *a = realloc(w->rgs, sizeof(PqRowGroup) * ncap);

		if (a == NULL)
			return fail(w, "out of memory");
		w->rgs = a;
		w->rgcap = ncap;
	}
	rg = &w->rgs[w->nrgs];
	memset(rg, 0, sizeof(*rg));
	rg->chunks = calloc(w->ncols, sizeof(PqChunk));
	if (rg->chunks == NULL)
		return fail(w, "out of memory");
	w->nrgs++;
	rg->rows = w->rg_rows;
	rg->offset = w->offset;
	for (i = 0; i < w->ncols; i++)
	{
		if (!flush_column(w, &w->cols[i], &rg->chunks[i]))
			return false;
		rg->usize += rg->chunks[i].usize;
		rg->csize += rg->chunks[i].csize;
		col_reset(&w->cols[i]);
	}
	w->rg_rows = 0;
	w->rg_bytes = 0;
	return true;
}

/* The schema elements of the footer. */
static void
write_schema(Tw *t, JsPqWriter *w)
{
	int			i,
				nelems = 1;

	for (i = 0; i < w->ncols; i++)
		nelems += w->cols[i].kind == JS_PQ_STRING_LIST ? 3 : 1;
	tw_list(t, 2, CT_STRUCT, nelems);
	tw_begin(t, 0);
	tw_binary(t, 4, "schema", 6);
	tw_i32(t, 5, w->ncols);
	tw_end(t);
	for (i = 0; i < w->ncols; i++)
	{
		PqCol	   *c = &w->cols[i];
		int			rep = c->nullable ? 1 : 0;

		if (c->kind == JS_PQ_STRING_LIST)
		{
			tw_begin(t, 0);
			tw_i32(t, 3, rep);
			tw_binary(t, 4, c->name, strlen(c->name));
			tw_i32(t, 5, 1);
			tw_i32(t, 6, 3);	/* ConvertedType LIST */
			tw_begin(t, 10);
			tw_begin(t, 3);		/* LogicalType LIST */
			tw_end(t);
			tw_end(t);
			tw_end(t);
			tw_begin(t, 0);
			tw_i32(t, 3, 2);	/* REPEATED */
			tw_binary(t, 4, "list", 4);
			tw_i32(t, 5, 1);
			tw_end(t);
			tw_begin(t, 0);
			tw_i32(t, 1, PT_BYTE_ARRAY);
			tw_i32(t, 3, 1);	/* OPTIONAL */
			tw_binary(t, 4, "element", 7);
			tw_i32(t, 6, 0);	/* UTF8 */
			tw_begin(t, 10);
			tw_begin(t, 1);		/* STRING */
			tw_end(t);
			tw_end(t);
			tw_end(t);
			continue;
		}
		tw_begin(t, 0);
		tw_i32(t, 1, c->ptype);
		if (c->ptype == PT_FIXED)
			tw_i32(t, 2, c->type_length);
		tw_i32(t, 3, rep);
		tw_binary(t, 4, c->name, strlen(c->name));
		switch (c->kind)
		{
			case JS_PQ_STRING:
				tw_i32(t, 6, 0);	/* UTF8 */
				tw_begin(t, 10);
				tw_begin(t, 1);
				tw_end(t);
				tw_end(t);
				break;
			case JS_PQ_JSON:
				tw_i32(t, 6, 19);	/* JSON */
				tw_begin(t, 10);
				tw_begin(t, 12);
				tw_end(t);
				tw_end(t);
				break;
			case JS_PQ_UUID:
				tw_begin(t, 10);
				tw_begin(t, 14);
				tw_end(t);
				tw_end(t);
				break;
			case JS_PQ_DATE:
				tw_i32(t, 6, 6);	/* DATE */
				tw_begin(t, 10);
				tw_begin(t, 6);
				tw_end(t);
				tw_end(t);
				break;
			case JS_PQ_TIMESTAMP:
			case JS_PQ_TIMESTAMP_LOCAL:
				if (c->kind == JS_PQ_TIMESTAMP)
					tw_i32(t, 6, 10);	/* TIMESTAMP_MICROS */
				tw_begin(t, 10);
				tw_begin(t, 8);
				tw_bool(t, 1, c->kind == JS_PQ_TIMESTAMP);
				tw_begin(t, 2);
				tw_begin(t, 2); /* MICROS */
				tw_end(t);
				tw_end(t);
				tw_end(t);
				tw_end(t);
				break;
			case JS_PQ_DECIMAL:
				tw_i32(t, 6, 5);	/* DECIMAL */
				tw_i32(t, 7, c->scale);
				tw_i32(t, 8, c->precision);
				tw_begin(t, 10);
				tw_begin(t, 5);
				tw_i32(t, 1, c->scale);
				tw_i32(t, 2, c->precision);
				tw_end(t);
				tw_end(t);
				break;
			default:
				break;
		}
		tw_end(t);
	}
}

/* One ColumnChunk of the footer. */
static void
write_chunk(Tw *t, JsPqWriter *w, PqCol *c, PqChunk *ch)
{
	tw_begin(t, 0);
	tw_i64(t, 2, ch->offset);
	tw_begin(t, 3);
	tw_i32(t, 1, c->ptype);
	if (ch->dict_offset >= 0)
	{
		tw_list(t, 2, CT_I32, 3);
		tw_zigzag(t, ENC_PLAIN);
		tw_zigzag(t, ENC_RLE);
		tw_zigzag(t, ENC_RLE_DICTIONARY);
	}
	else
	{
		tw_list(t, 2, CT_I32, 2);
		tw_zigzag(t, ENC_PLAIN);
		tw_zigzag(t, ENC_RLE);
	}
	if (c->kind == JS_PQ_STRING_LIST)
	{
		tw_list(t, 3, CT_BINARY, 3);
		tw_raw_binary(t, c->name, strlen(c->name));
		tw_raw_binary(t, "list", 4);
		tw_raw_binary(t, "element", 7);
	}
	else
	{
		tw_list(t, 3, CT_BINARY, 1);
		tw_raw_binary(t, c->name, strlen(c->name));
	}
	tw_i32(t, 4, w->opt.codec);
	tw_i64(t, 5, ch->num_values);
	tw_i64(t, 6, ch->usize);
	tw_i64(t, 7, ch->csize);
	tw_i64(t, 9, ch->data_offset);
	if (ch->dict_offset >= 0)
		tw_i64(t, 11, ch->dict_offset);
	tw_begin(t, 12);
	tw_i64(t, 3, ch->nulls);
	if (ch->has_minmax)
	{
		tw_binary(t, 5, ch->max, ch->maxlen);
		tw_binary(t, 6, ch->min, ch->minlen);
	}
	tw_end(t);
	tw_end(t);
	tw_end(t);
}

/*
 * Write the last row group and the footer: FileMetaData, its length, the
 * magic.
 */
bool
js_pq_finish(JsPqWriter *w, JsPqSummary *summary)
{
	Tw			t;
	int			i,
				j;
	uint8_t		tail[8];

	if (w->failed || w->finished)
		return fail(w, "the writer is closed");
	for (i = 0; i < w->ncols; i++)
		if (w->cols[i].row_done)
			return fail(w, "the last row is not complete (js_pq_end_row was not called)");
	if (!emit_start(w) || !flush_row_group(w))
		return false;

	js_buf_reset(&w->hdr);
	tw_init(&t, w, &w->hdr);
	tw_begin(&t, 0);
	tw_i32(&t, 1, 1);
	write_schema(&t, w);
	tw_i64(&t, 3, w->rows);
	tw_list(&t, 4, CT_STRUCT, w->nrgs);
	for (i = 0; i < w->nrgs; i++)
	{
		PqRowGroup *rg = &w->rgs[i];

		tw_begin(&t, 0);
		tw_list(&t, 1, CT_STRUCT, w->ncols);
		for (j = 0; j < w->ncols; j++)
			write_chunk(&t, w, &w->cols[j], &rg->chunks[j]);
		tw_i64(&t, 2, rg->usize);
		tw_i64(&t, 3, rg->rows);
		tw_i64(&t, 5, rg->offset);
		tw_i64(&t, 6, rg->csize);
		tw_i16(&t, 7, (int16_t) i);
		tw_end(&t);
	}
	tw_binary(&t, 6, w->created_by, strlen(w->created_by));
	tw_list(&t, 7, CT_STRUCT, w->ncols);
	for (i = 0; i < w->ncols; i++)
	{
		tw_begin(&t, 0);
		tw_begin(&t, 1);		/* TYPE_ORDER: TypeDefinedOrder */
		tw_end(&t);
		tw_end(&t);
	}
	tw_end(&t);
	if (w->failed)
		return false;
	le32(tail, (uint32_t) w->hdr.len);
	memcpy(tail + 4, "PAR1", 4);
	if (!emit(w, w->hdr.data, w->hdr.len) || !emit(w, tail, 8))
		return false;
	w->finished = true;
	if (summary)
	{
		summary->rows = w->rows;
		summary->bytes = w->offset;
		summary->row_groups = w->nrgs;
	}
	return true;
}
