/*
 * test_parquet.c
 *		Unit tests of the Parquet writer (src/parquet.c); prints TAP.
 *
 * Files are written into memory and read back by a minimal reader kept
 * here, independent of the writer: a Thrift compact-protocol parser of the
 * footer and page headers, the RLE/bit-packed hybrid decoder, PLAIN and
 * dictionary values, levels, zstd pages.  Each test compares what it reads
 * with what it wrote: values, NULLs, lists, statistics, encodings, row
 * groups.  Errors of the API are tested too.  (make test also reads real
 * exports with pyarrow and DuckDB: test/integration/90_parquet.sh.)
 *
 * Build and run (see test/unit/README):
 *	cc -O1 -Wall -Wextra -Werror -I src -o /tmp/test_parquet \
 *		test/unit/test_parquet.c src/parquet.c src/jsonw.c ... -lzstd -lm
 */
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zstd.h>

#include "jsonw.h"
#include "parquet.h"

#include "tap.h"


/* Write callback into a JsBuf; fails once fail_after bytes are written. */
static long fail_after = -1;

static bool
to_buf(void *arg, const void *data, size_t len)
{
	JsBuf	   *b = arg;

	if (fail_after >= 0 && (long) (b->len + len) > fail_after)
		return false;
	return js_buf_append(b, data, len);
}

/* ---------------------------------------------------------------------
 * A minimal Thrift compact reader: a tree of nodes.
 * ---------------------------------------------------------------------
 */
typedef struct Node
{
	int			type;			/* compact type; 1 = bool (value in i) */
	int			id;				/* field id; 0 for list elements */
	int64_t		i;
	const uint8_t *bin;
	size_t		len;
	struct Node *kids;
	int			nkids;
} Node;

typedef struct Rd
{
	const uint8_t *p;
	const uint8_t *end;
	bool		bad;
} Rd;

static uint64_t
rd_uvarint(Rd *r)
{
	uint64_t	v = 0;
	int			shift = 0;

	while (r->p < r->end)
	{
		uint8_t		b = *r->p++;

		v |= (uint64_t) (b & 0x7f) << shift;
		if (!(b & 0x80))
			return v;
		shift += 7;
	}
	r->bad = true;
	return 0;
}

static int64_t
rd_zigzag(Rd *r)
{
	uint64_t	u = rd_uvarint(r);

	return (int64_t) (u >> 1) ^ -(int64_t) (u & 1);
}

static void rd_value(Rd *r, Node *n, int type);

/* Read struct fields into n->kids until the stop byte. */
static void
rd_struct(Rd *r, Node *n)
{
	int			last = 0;

	n->type = 12;
	while (!r->bad && r->p < r->end)
	{
		uint8_t		b = *r->p++;
		int			type = b & 0x0f;
		int			delta = b >> 4;
		Node	   *k;

		if (b == 0)
			return;
		n->kids = realloc(n->kids, sizeof(Node) * (n->nkids + 1));
		k = &n->kids[n->nkids++];
		memset(k, 0, sizeof(*k));
		k->id = delta ? last + delta : (int) rd_zigzag(r);
		last = k->id;
		if (type == 1 || type == 2)
		{
			k->type = 1;
			k->i = type == 1;
		}
		else
			rd_value(r, k, type);
	}
	r->bad = true;
}

static void
rd_value(Rd *r, Node *n, int type)
{
	n->type = type;
	switch (type)
	{
		case 3:
			n->i = r->p < r->end ? (int8_t) *r->p++ : 0;
			break;
		case 4:
		case 5:
		case 6:
			n->i = rd_zigzag(r);
			break;
		case 8:
			n->len = rd_uvarint(r);
			n->bin = r->p;
			if (n->len > (size_t) (r->end - r->p))
				r->bad = true;
			else
				r->p += n->len;
			break;
		case 9:
			{
				uint8_t		h = r->p < r->end ? *r->p++ : 0;
				int			et = h & 0x0f;
				size_t		cnt = h >> 4;

				if (cnt == 15)
					cnt = rd_uvarint(r);
				n->kids = calloc(cnt ? cnt : 1, sizeof(Node));
				n->nkids = (int) cnt;
				for (size_t i = 0; i < cnt && !r->bad; i++)
					rd_value(r, &n->kids[i], et);
			}
			break;
		case 12:
			rd_struct(r, n);
			break;
		default:
			r->bad = true;
	}
}

static void
node_free(Node *n)
{
	for (int i = 0; i < n->nkids; i++)
		node_free(&n->kids[i]);
	free(n->kids);
	n->kids = NULL;
	n->nkids = 0;
}

/* Field id of struct n, or NULL. */
static Node *
fld(Node *n, int id)
{
	if (n == NULL)
		return NULL;
	for (int i = 0; i < n->nkids; i++)
		if (n->kids[i].id == id)
			return &n->kids[i];
	return NULL;
}

static int64_t
fint(Node *n, int id, int64_t dflt)
{
	Node	   *f = fld(n, id);

	return f ? f->i : dflt;
}

/* Parse a struct at p; returns bytes used, or -1. */
static long
parse_struct(const uint8_t *p, size_t len, Node *out)
{
	Rd			r = {p, p + len, false};

	memset(out, 0, sizeof(*out));
	rd_struct(&r, out);
	return r.bad ? -1 : (long) (r.p - p);
}

/* ---------------------------------------------------------------------
 * Reading a file back
 * ---------------------------------------------------------------------
 */
static uint32_t
rd32(const uint8_t *p)
{
	return p[0] | (p[1] << 8) | (p[2] << 16) | ((uint32_t) p[3] << 24);
}

/* Decode n values of the hybrid encoding; false if the input runs out. */
static bool
hybrid_decode(const uint8_t *p, size_t len, int bw, uint32_t *out, size_t n)
{
	Rd			r = {p, p + len, false};
	size_t		i = 0;

	while (i < n)
	{
		uint64_t	h = rd_uvarint(&r);

		if (r.bad)
			return false;
		if (h & 1)
		{
			size_t		cnt = (h >> 1) * 8;
			uint64_t	acc = 0;
			int			bits = 0;

			for (size_t k = 0; k < cnt; k++)
			{
				while (bits < bw)
				{
					if (r.p >= r.end)
						return false;
					acc |= (uint64_t) *r.p++ << bits;
					bits += 8;
				}
				if (i < n)
					out[i++] = (uint32_t) (acc & ((1ULL << bw) - 1));
				acc >>= bw;
				bits -= bw;
			}
		}
		else
		{
			size_t		cnt = h >> 1;
			uint32_t	v = 0;

			for (int b = 0; b < (bw + 7) / 8; b++)
			{
				if (r.p >= r.end)
					return false;
				v |= (uint32_t) *r.p++ << (8 * b);
			}
			for (size_t k = 0; k < cnt && i < n; k++)
				out[i++] = v;
		}
	}
	return true;
}

static int
bw_of(int max)
{
	int			b = 0;

	while (max)
	{
		b++;
		max >>= 1;
	}
	return b;
}

/* One column chunk read back: levels, and values rendered as text. */
typedef struct Chunk
{
	size_t		n;				/* level entries */
	uint32_t   *def;
	uint32_t   *rep;
	char	  **vals;			/* one per entry; NULL where not defined */
	bool		dict;
	bool		ok;
} Chunk;

/* Render PLAIN value i of physical type pt at *p (advancing it). */
static char *
render(int pt, int tlen, const uint8_t **p, const uint8_t *end, size_t *bit)
{
	char	   *s = malloc(64);
	const uint8_t *q = *p;

	switch (pt)
	{
		case 0:
			snprintf(s, 64, "%d", (q[*bit / 8] >> (*bit % 8)) & 1);
			(*bit)++;
			return s;
		case 1:
			snprintf(s, 64, "%d", (int32_t) rd32(q));
			*p += 4;
			return s;
		case 2:
			snprintf(s, 64, "%lld", (long long) ((uint64_t) rd32(q) | ((uint64_t) rd32(q + 4) << 32)));
			*p += 8;
			return s;
		case 5:
			{
				uint64_t	u = (uint64_t) rd32(q) | ((uint64_t) rd32(q + 4) << 32);
				double		d;

				memcpy(&d, &u, 8);
				snprintf(s, 64, "%.17g", d);
				*p += 8;
				return s;
			}
		case 6:
			{
				uint32_t	n = rd32(q);

				free(s);
				if (q + 4 + n > end)
					return NULL;
				s = malloc(n + 1);
				memcpy(s, q + 4, n);
				s[n] = '\0';
				*p += 4 + n;
				return s;
			}
		case 7:
			for (int i = 0; i < tlen; i++)
				snprintf(s + 2 * i, 3, "%02x", q[i]);
			*p += tlen;
			return s;
	}
	free(s);
	return NULL;
}

/*
 * Read the chunk of column meta (a ColumnChunk node) from file f: its
 * pages, decompressed when the codec says so.
 */
static Chunk
read_chunk(const uint8_t *f, size_t flen, Node *cc, int max_def, int max_rep, int tlen)
{
	Chunk		c = {0};
	Node	   *md = fld(cc, 3);
	int64_t		off = fint(md, 11, -1) >= 0 ? fint(md, 11, -1) : fint(md, 9, -1);
	int			codec = (int) fint(md, 4, -1);
	int			pt = (int) fint(md, 1, -1);
	char	  **dict = NULL;
	size_t		ndict = 0;

	c.n = 0;
	while (off >= 0 && (size_t) off < flen)
	{
		Node		h;
		long		hl = parse_struct(f + off, flen - off, &h);
		int			type = (int) fint(&h, 1, -1);
		size_t		usize = (size_t) fint(&h, 2, 0),
					csize = (size_t) fint(&h, 3, 0);
		uint8_t    *page;
		const uint8_t *p,
				   *end;

		if (hl < 0 || off + hl + csize > flen)
		{
			node_free(&h);
			return c;
		}
		page = malloc(usize + 1);
		if (codec == 6)
		{
			if (ZSTD_decompress(page, usize, f + off + hl, csize) != usize)
			{
				free(page);
				node_free(&h);
				return c;
			}
		}
		else
			memcpy(page, f + off + hl, usize);
		p = page;
		end = page + usize;
		if (type == 2)
		{
			size_t		bit = 0;

			ndict = (size_t) fint(fld(&h, 7), 1, 0);
			dict = calloc(ndict + 1, sizeof(char *));
			for (size_t i = 0; i < ndict; i++)
				dict[i] = render(pt, tlen, &p, end, &bit);
			c.dict = true;
			off += hl + csize;
			free(page);
			node_free(&h);
			continue;
		}
		/* the data page: the last page of a chunk written by parquet.c */
		c.n = (size_t) fint(fld(&h, 5), 1, 0);
		c.def = calloc(c.n + 1, sizeof(uint32_t));
		c.rep = calloc(c.n + 1, sizeof(uint32_t));
		c.vals = calloc(c.n + 1, sizeof(char *));
		if (max_rep > 0)
		{
			uint32_t	l = rd32(p);

			if (!hybrid_decode(p + 4, l, bw_of(max_rep), c.rep, c.n))
				break;
			p += 4 + l;
		}
		if (max_def > 0)
		{
			uint32_t	l = rd32(p);

			if (!hybrid_decode(p + 4, l, bw_of(max_def), c.def, c.n))
				break;
			p += 4 + l;
		}
		else
			for (size_t i = 0; i < c.n; i++)
				c.def[i] = 0;
		{
			size_t		nv = 0,
						bit = 0,
						k = 0;
			uint32_t   *idx = NULL;

			for (size_t i = 0; i < c.n; i++)
				nv += c.def[i] == (uint32_t) max_def;
			if (fint(fld(&h, 5), 2, -1) == 8)
			{
				int			bw = *p++;

				idx = calloc(nv + 1, sizeof(uint32_t));
				if (!hybrid_decode(p, end - p, bw, idx, nv))
					break;
			}
			for (size_t i = 0; i < c.n; i++)
			{
				if (c.def[i] != (uint32_t) max_def)
					continue;
				if (idx)
				{
					c.vals[i] = idx[k] < ndict ? strdup(dict[idx[k]]) : NULL;
					k++;
				}
				else
					c.vals[i] = render(pt, tlen, &p, end, &bit);
			}
			free(idx);
		}
		c.ok = true;
		free(page);
		node_free(&h);
		break;
	}
	for (size_t i = 0; i < ndict; i++)
		free(dict[i]);
	free(dict);
	return c;
}

static void
chunk_free(Chunk *c)
{
	for (size_t i = 0; i < c->n; i++)
		free(c->vals[i]);
	free(c->vals);
	free(c->def);
	free(c->rep);
}

/* The footer of file f, or false. */
static bool
read_footer(const uint8_t *f, size_t len, Node *meta)
{
	uint32_t	flen;

	if (len < 12 || memcmp(f, "PAR1", 4) != 0 || memcmp(f + len - 4, "PAR1", 4) != 0)
		return false;
	flen = rd32(f + len - 8);
	if (flen > len - 12)
		return false;
	return parse_struct(f + len - 8 - flen, flen, meta) == (long) flen;
}

/* ---------------------------------------------------------------------
 * Tests
 * ---------------------------------------------------------------------
 */

/* A file with every kind of column, rows with NULLs and lists. */
static void
test_round_trip(JsPqCodec codec)
{
	const char *cname = codec == JS_PQ_ZSTD ? "zstd" : "uncompressed";
	JsPqColumn	cols[] = {
		{.name = "id", .kind = JS_PQ_UUID},
		{.name = "flag", .kind = JS_PQ_BOOLEAN, .nullable = true},
		{.name = "n", .kind = JS_PQ_INT32, .nullable = true},
		{.name = "big", .kind = JS_PQ_INT64},
		{.name = "x", .kind = JS_PQ_DOUBLE, .nullable = true},
		{.name = "s", .kind = JS_PQ_STRING, .nullable = true},
		{.name = "d", .kind = JS_PQ_DATE, .nullable = true},
		{.name = "ts", .kind = JS_PQ_TIMESTAMP, .nullable = true},
		{.name = "amount", .kind = JS_PQ_DECIMAL, .nullable = true, .precision = 10, .scale = 4},
		{.name = "tags", .kind = JS_PQ_STRING_LIST, .nullable = true},
	};
	enum
	{
		NCOLS = 10, NROWS = 2000
	};
	JsPqOptions opt;
	JsBuf		out = {0};
	char		err[256];
	JsPqWriter *w;
	JsPqSummary sum;
	Node		meta;
	bool		good = true;

	js_pq_default_options(&opt);
	opt.codec = codec;
	opt.row_group_rows = 700;
	w = js_pq_create(cols, NCOLS, &opt, to_buf, &out, err, sizeof(err));
	ok(w != NULL, "%s: writer created", cname);
	for (int r = 0; r < NROWS && w; r++)
	{
		uint8_t		u[16];
		char		s[32];

		for (int k = 0; k < 16; k++)
			u[k] = (uint8_t) (r * 31 + k);
		good &= js_pq_bytes(w, 0, u, 16);
		good &= r % 5 == 0 ? js_pq_null(w, 1) : js_pq_int(w, 1, r % 2);
		good &= r % 7 == 0 ? js_pq_null(w, 2) : js_pq_int(w, 2, r % 3 == 0 ? INT32_MIN + r : r - 1000);
		good &= js_pq_int(w, 3, (int64_t) r * -3000000007LL);
		good &= r % 11 == 0 ? js_pq_null(w, 4) : js_pq_double(w, 4, r / 8.0 - 100);
		snprintf(s, sizeof(s), r % 3 ? "caf\xc3\xa9-%d" : "z%d", r % 50);
		good &= r % 13 == 0 ? js_pq_null(w, 5) : js_pq_bytes(w, 5, s, strlen(s));
		good &= js_pq_int(w, 6, r - 1000);
		good &= js_pq_int(w, 7, (int64_t) r * 1000003 - 5);
		good &= js_pq_int(w, 8, r * 12345 - 9999999);
		if (r % 4 == 0)
			good &= js_pq_null(w, 9);
		else
		{
			good &= js_pq_list_begin(w, 9);
			for (int k = 0; k < r % 4 - 1; k++)
				good &= k == 1 ? js_pq_list_item(w, 9, NULL, 0) : js_pq_list_item(w, 9, s, strlen(s));
		}
		good &= js_pq_end_row(w);
	}
	ok(good, "%s: %d rows accepted", cname, NROWS);
	ok(w && js_pq_finish(w, &sum) && sum.rows == NROWS && sum.row_groups == 3 &&
	   sum.bytes == (int64_t) out.len, "%s: finished: 3 row groups of at most 700 rows, byte count right", cname);
	js_pq_free(w);

	ok(read_footer((uint8_t *) out.data, out.len, &meta), "%s: magic, footer length and footer parse", cname);
	ok(fint(&meta, 3, -1) == NROWS && fld(&meta, 4) && fld(&meta, 4)->nkids == 3 &&
	   fld(&meta, 2) && fld(&meta, 2)->nkids == 1 + NCOLS + 2 && fld(&meta, 7) &&
	   fld(&meta, 7)->nkids == NCOLS,
	   "%s: footer: rows, row groups, schema elements (3 for the list), a column order per column", cname);

	/* every value of every row group */
	{
		int			row0 = 0;
		int			bad = 0;
		int			dict_chunks = 0;

		for (int g = 0; g < 3; g++)
		{
			Node	   *rg = &fld(&meta, 4)->kids[g];
			int			nrows = (int) fint(rg, 3, 0);

			for (int c = 0; c < NCOLS; c++)
			{
				Node	   *cc = &fld(rg, 1)->kids[c];
				int			max_def = c == 9 ? 3 : cols[c].nullable ? 1 : 0;
				Chunk		ch = read_chunk((uint8_t *) out.data, out.len, cc, max_def, c == 9 ? 1 : 0, 16);
				size_t		e = 0;

				dict_chunks += ch.dict;
				if (!ch.ok || fint(fld(cc, 3), 4, -1) != (int) codec)
				{
					bad++;
					chunk_free(&ch);
					continue;
				}
				for (int r = row0; r < row0 + nrows; r++)
				{
					char		want[64];
					bool		isnull = false;

					switch (c)
					{
						case 0:
							for (int k = 0; k < 16; k++)
								snprintf(want + 2 * k, 3, "%02x", (uint8_t) (r * 31 + k));
							break;
						case 1:
							isnull = r % 5 == 0;
							snprintf(want, sizeof(want), "%d", r % 2);
							break;
						case 2:
							isnull = r % 7 == 0;
							snprintf(want, sizeof(want), "%d", r % 3 == 0 ? INT32_MIN + r : r - 1000);
							break;
						case 3:
							snprintf(want, sizeof(want), "%lld", (long long) r * -3000000007LL);
							break;
						case 4:
							isnull = r % 11 == 0;
							snprintf(want, sizeof(want), "%.17g", r / 8.0 - 100);
							break;
						case 5:
						case 9:
							isnull = c == 5 ? r % 13 == 0 : r % 4 == 0;
							snprintf(want, sizeof(want), r % 3 ? "caf\xc3\xa9-%d" : "z%d", r % 50);
							break;
						case 6:
							snprintf(want, sizeof(want), "%d", r - 1000);
							break;
						case 7:
							snprintf(want, sizeof(want), "%lld", (long long) r * 1000003 - 5);
							break;
						case 8:
							snprintf(want, sizeof(want), "%d", r * 12345 - 9999999);
							break;
					}
					if (c == 9)
					{
						/* null list 0, empty list 1, null element 2, element 3 */
						int			items = isnull ? 0 : r % 4 - 1;

						if (isnull || items == 0)
						{
							bad += e >= ch.n || ch.rep[e] != 0 || ch.def[e] != (isnull ? 0u : 1u);
							e++;
							continue;
						}
						for (int k = 0; k < items; k++, e++)
						{
							bad += e >= ch.n || ch.rep[e] != (k > 0 ? 1u : 0u);
							if (k == 1)
								bad += e < ch.n && ch.def[e] != 2;
							else
								bad += e < ch.n && (ch.def[e] != 3 || !ch.vals[e] || strcmp(ch.vals[e], want) != 0);
						}
						continue;
					}
					if (e >= ch.n)
						bad++;
					else if (isnull)
						bad += ch.vals[e] != NULL;
					else
						bad += !ch.vals[e] || strcmp(ch.vals[e], want) != 0;
					e++;
				}
				bad += e != ch.n;
				chunk_free(&ch);
			}
			row0 += nrows;
		}
		ok(bad == 0 && row0 == NROWS, "%s: every value, NULL, level and list read back (%d mismatches)", cname, bad);
		ok(dict_chunks >= 3 * 8, "%s: low-cardinality chunks are dictionary-encoded (%d chunks)", cname, dict_chunks);
	}
	node_free(&meta);
	js_buf_free(&out);
}

/* Statistics of a chunk: min, max and null count. */
static void
test_statistics(void)
{
	JsPqColumn	cols[] = {
		{.name = "s", .kind = JS_PQ_STRING, .nullable = true},
		{.name = "x", .kind = JS_PQ_DOUBLE, .nullable = true},
		{.name = "n", .kind = JS_PQ_INT64, .nullable = true},
		{.name = "b", .kind = JS_PQ_BOOLEAN, .nullable = true},
		{.name = "e", .kind = JS_PQ_INT32, .nullable = true},
	};
	JsPqOptions opt;
	JsBuf		out = {0};
	char		err[256];
	JsPqWriter *w;
	Node		meta,
			   *cc;
	const char *strs[] = {"z", "\xc3\xa9t\xc3\xa9", "", "ab", NULL};
	double		xs[] = {0.0, -0.0, NAN, 2.5, -1.25};
	Node	   *st;

	js_pq_default_options(&opt);
	opt.codec = JS_PQ_UNCOMPRESSED;
	w = js_pq_create(cols, 5, &opt, to_buf, &out, err, sizeof(err));
	for (int r = 0; r < 5; r++)
	{
		if (strs[r])
			js_pq_bytes(w, 0, strs[r], strlen(strs[r]));
		else
			js_pq_null(w, 0);
		js_pq_double(w, 1, xs[r]);
		js_pq_int(w, 2, r == 3 ? INT64_MIN : r * 10);
		js_pq_int(w, 3, 1);
		js_pq_null(w, 4);
		js_pq_end_row(w);
	}
	ok(js_pq_finish(w, NULL) && read_footer((uint8_t *) out.data, out.len, &meta), "statistics file written");
	js_pq_free(w);

	cc = fld(&fld(&meta, 4)->kids[0], 1)->kids;
	st = fld(fld(&cc[0], 3), 12);
	ok(st && fint(st, 3, -1) == 1 && fld(st, 6) && fld(st, 6)->len == 0 &&
	   fld(st, 5)->len == 5 && memcmp(fld(st, 5)->bin, "\xc3\xa9t\xc3\xa9", 5) == 0,
	   "strings: unsigned byte order (\"été\" after \"z\", the empty string first), one NULL");
	st = fld(fld(&cc[1], 3), 12);
	{
		double		lo,
					hi;
		uint64_t	u;

		u = (uint64_t) rd32(fld(st, 6)->bin) | ((uint64_t) rd32(fld(st, 6)->bin + 4) << 32);
		memcpy(&lo, &u, 8);
		u = (uint64_t) rd32(fld(st, 5)->bin) | ((uint64_t) rd32(fld(st, 5)->bin + 4) << 32);
		memcpy(&hi, &u, 8);
		ok(lo == -1.25 && hi == 2.5 && fint(st, 3, -1) == 0, "doubles: NaN ignored, min -1.25, max 2.5");
	}
	st = fld(fld(&cc[2], 3), 12);
	ok(st && fld(st, 6)->len == 8 && rd32(fld(st, 6)->bin) == 0 && rd32(fld(st, 6)->bin + 4) == 0x80000000u &&
	   rd32(fld(st, 5)->bin) == 40, "int64: signed order, INT64_MIN is the min");
	st = fld(fld(&cc[3], 3), 12);
	ok(st && fld(st, 6)->len == 1 && fld(st, 6)->bin[0] == 1 && fld(st, 5)->bin[0] == 1, "booleans: all true");
	st = fld(fld(&cc[4], 3), 12);
	ok(st && fint(st, 3, -1) == 5 && fld(st, 5) == NULL && fld(st, 6) == NULL,
	   "an all-NULL chunk has a null count and no min/max");
	node_free(&meta);
	js_buf_free(&out);

	/* zeros: min written as -0.0, max as +0.0 */
	out = (JsBuf) {0};
	w = js_pq_create(cols + 1, 1, &opt, to_buf, &out, err, sizeof(err));
	js_pq_double(w, 0, 0.0);
	js_pq_end_row(w);
	js_pq_finish(w, NULL);
	js_pq_free(w);
	read_footer((uint8_t *) out.data, out.len, &meta);
	st = fld(fld(&fld(&fld(&meta, 4)->kids[0], 1)->kids[0], 3), 12);
	ok(st && rd32(fld(st, 6)->bin + 4) == 0x80000000u && rd32(fld(st, 5)->bin + 4) == 0,
	   "a zero bound: min -0.0, max +0.0");
	node_free(&meta);
	js_buf_free(&out);
}

/* A dictionary outgrowing its bound falls back to PLAIN. */
static void
test_dictionary_fallback(void)
{
	JsPqColumn	col = {.name = "s", .kind = JS_PQ_STRING};
	JsPqOptions opt;
	JsBuf		out = {0};
	char		err[256],
				s[32];
	JsPqWriter *w;
	Node		meta,
			   *cc;
	Chunk		ch;
	int			bad = 0;

	js_pq_default_options(&opt);
	opt.dictionary_bytes = 1000;
	w = js_pq_create(&col, 1, &opt, to_buf, &out, err, sizeof(err));
	for (int r = 0; r < 5000; r++)
	{
		snprintf(s, sizeof(s), "value-%d", r);
		js_pq_bytes(w, 0, s, strlen(s));
		js_pq_end_row(w);
	}
	ok(js_pq_finish(w, NULL) && read_footer((uint8_t *) out.data, out.len, &meta), "fallback file written");
	js_pq_free(w);
	cc = &fld(&fld(&meta, 4)->kids[0], 1)->kids[0];
	ch = read_chunk((uint8_t *) out.data, out.len, cc, 0, 0, 0);
	for (int r = 0; r < 5000; r++)
	{
		snprintf(s, sizeof(s), "value-%d", r);
		bad += (size_t) r >= ch.n || !ch.vals[r] || strcmp(ch.vals[r], s) != 0;
	}
	ok(ch.ok && !ch.dict && fld(fld(cc, 3), 2)->nkids == 2 && bad == 0,
	   "5000 distinct strings over a 1000-byte dictionary bound: PLAIN, values intact");
	ok(fld(fld(cc, 3), 11) == NULL, "no dictionary page offset");
	chunk_free(&ch);
	node_free(&meta);
	js_buf_free(&out);
}

/* Runs and bit-packed groups of the hybrid encoding, through levels. */
static void
test_levels(void)
{
	JsPqColumn	col = {.name = "n", .kind = JS_PQ_INT32, .nullable = true};
	JsPqOptions opt;
	JsBuf		out = {0};
	char		err[256];
	JsPqWriter *w;
	Node		meta;
	Chunk		ch;
	int			bad = 0,
				n = 0;

	/* patterns: long runs of NULLs and values, alternation, odd tails */
	js_pq_default_options(&opt);
	opt.codec = JS_PQ_UNCOMPRESSED;
	w = js_pq_create(&col, 1, &opt, to_buf, &out, err, sizeof(err));
	for (int r = 0; r < 3001; r++)
	{
		bool		isnull = r < 100 || (r >= 500 && r < 1000 && r % 2) || (r > 2000 && r % 7 == 3);

		isnull ? js_pq_null(w, 0) : js_pq_int(w, 0, r % 1024);
		js_pq_end_row(w);
	}
	js_pq_finish(w, NULL);
	js_pq_free(w);
	read_footer((uint8_t *) out.data, out.len, &meta);
	ch = read_chunk((uint8_t *) out.data, out.len, &fld(&fld(&meta, 4)->kids[0], 1)->kids[0], 1, 0, 0);
	for (int r = 0; r < 3001; r++)
	{
		bool		isnull = r < 100 || (r >= 500 && r < 1000 && r % 2) || (r > 2000 && r % 7 == 3);
		char		want[16];

		snprintf(want, sizeof(want), "%d", r % 1024);
		if ((size_t) r >= ch.n)
			bad++;
		else if (isnull)
			bad += ch.def[r] != 0 || ch.vals[r] != NULL;
		else
			bad += ch.def[r] != 1 || !ch.vals[r] || strcmp(ch.vals[r], want) != 0;
		n += !isnull;
	}
	ok(ch.ok && ch.dict && bad == 0 && ch.n == 3001,
	   "levels with long runs and alternation, 10-bit dictionary indices: %d values intact", n);
	chunk_free(&ch);
	node_free(&meta);
	js_buf_free(&out);
}

/* Signed big-endian bytes as an integer. */
static JsPqInt128
from_be(const uint8_t *p, size_t n)
{
	JsPqInt128	v = (p[0] & 0x80) ? -1 : 0;

	for (size_t i = 0; i < n; i++)
		v = v * 256 + p[i];
	return v;
}

/* Decimals of precision 19..38 in FIXED_LEN_BYTE_ARRAY, with statistics. */
static void
test_wide_decimal(void)
{
	JsPqColumn	col = {.name = "amount", .kind = JS_PQ_DECIMAL, .nullable = true, .precision = 30, .scale = 4};
	JsPqInt128	max = 1;
	JsPqInt128	vals[6];
	JsPqOptions opt;
	JsBuf		out = {0};
	char		err[256];
	JsPqWriter *w;
	Node		meta,
			   *cc,
			   *st,
			   *schema;
	Chunk		ch;
	int			bad = 0;

	for (int i = 0; i < 30; i++)
		max *= 10;
	max -= 1;
	vals[0] = 0;
	vals[1] = -1;
	vals[2] = max;
	vals[3] = -max;
	vals[4] = (JsPqInt128) 1234567890123456789LL * 1000000000 + 123456789;
	vals[5] = 255;
	js_pq_default_options(&opt);
	w = js_pq_create(&col, 1, &opt, to_buf, &out, err, sizeof(err));
	for (int r = 0; r < 7; r++)
	{
		if (r == 6)
			js_pq_null(w, 0);
		else
			js_pq_decimal(w, 0, vals[r]);
		js_pq_end_row(w);
	}
	ok(!js_pq_decimal(w, 0, max + 1) && strstr(js_pq_error(w), "precision 30"),
	   "decimal(30,4) refuses 10^30: %s", js_pq_error(w));
	js_pq_free(w);

	js_buf_reset(&out);
	w = js_pq_create(&col, 1, &opt, to_buf, &out, err, sizeof(err));
	for (int r = 0; r < 7; r++)
	{
		if (r == 6)
			js_pq_null(w, 0);
		else
			js_pq_decimal(w, 0, vals[r]);
		js_pq_end_row(w);
	}
	ok(js_pq_finish(w, NULL) && read_footer((uint8_t *) out.data, out.len, &meta), "wide decimal file written");
	js_pq_free(w);
	schema = &fld(&meta, 2)->kids[1];
	ok(fint(schema, 1, -1) == 7 && fint(schema, 2, -1) == 13 && fint(schema, 7, -1) == 4 && fint(schema, 8, -1) == 30,
	   "decimal(30,4): FIXED_LEN_BYTE_ARRAY(13), scale 4, precision 30");
	cc = &fld(&fld(&meta, 4)->kids[0], 1)->kids[0];
	ch = read_chunk((uint8_t *) out.data, out.len, cc, 1, 0, 13);
	for (int r = 0; r < 6; r++)
	{
		uint8_t		b[13];

		if ((size_t) r >= ch.n || !ch.vals[r])
		{
			bad++;
			continue;
		}
		for (int k = 0; k < 13; k++)
			sscanf(ch.vals[r] + 2 * k, "%2hhx", &b[k]);
		bad += from_be(b, 13) != vals[r];
	}
	ok(ch.ok && bad == 0 && ch.n == 7 && ch.vals[6] == NULL,
	   "values read back as big-endian two's complement, negative ones included");
	st = fld(fld(cc, 3), 12);
	ok(st && fld(st, 6)->len == 13 && from_be(fld(st, 6)->bin, 13) == -max &&
	   from_be(fld(st, 5)->bin, 13) == max && fint(st, 3, -1) == 1,
	   "statistics in signed order: min -(10^30-1), max 10^30-1, one NULL");
	chunk_free(&ch);
	node_free(&meta);
	js_buf_free(&out);
}

/* The API refuses misuse with a message. */
static void
test_errors(void)
{
	JsPqColumn	cols[] = {
		{.name = "a", .kind = JS_PQ_INT32},
		{.name = "d", .kind = JS_PQ_DECIMAL, .nullable = true, .precision = 3, .scale = 2},
		{.name = "u", .kind = JS_PQ_UUID, .nullable = true},
		{.name = "b", .kind = JS_PQ_BOOLEAN, .nullable = true},
	};
	JsPqColumn	dup[] = {{.name = "a", .kind = JS_PQ_INT32}, {.name = "a", .kind = JS_PQ_INT64}};
	JsPqColumn	wide = {.name = "d", .kind = JS_PQ_DECIMAL, .precision = 39, .scale = 2};
	JsPqOptions opt;
	JsBuf		out = {0};
	char		err[256];
	JsPqWriter *w;

	js_pq_default_options(&opt);
	ok(js_pq_create(dup, 2, &opt, to_buf, &out, err, sizeof(err)) == NULL && strstr(err, "appears twice"),
	   "duplicate column names refused: %s", err);
	ok(js_pq_create(&wide, 1, &opt, to_buf, &out, err, sizeof(err)) == NULL && strstr(err, "precision"),
	   "decimal precision 39 refused: %s", err);
	ok(js_pq_create(cols, 0, &opt, to_buf, &out, err, sizeof(err)) == NULL, "no columns refused: %s", err);

/* cond first, then the writer's message */
#define OKW(cond, desc) do { bool c_ = (cond); ok(c_, "%s: %s", desc, js_pq_error(w)); } while (0)
#define FRESH() (js_pq_free(w), w = js_pq_create(cols, 4, &opt, to_buf, &out, err, sizeof(err)))
	w = js_pq_create(cols, 4, &opt, to_buf, &out, err, sizeof(err));
	OKW(!js_pq_null(w, 0) && strstr(js_pq_error(w), "not nullable"), "NULL in a required column");
	FRESH();
	OKW(!js_pq_int(w, 1, 1000) && strstr(js_pq_error(w), "precision"), "decimal(3,2) refuses 10.00");
	FRESH();
	ok(js_pq_int(w, 1, -999) && !js_pq_int(w, 1, 5), "a second value for a column in a row is refused");
	FRESH();
	OKW(!js_pq_bytes(w, 2, "short", 5) && strstr(js_pq_error(w), "16 bytes"), "a UUID of 5 bytes");
	FRESH();
	OKW(!js_pq_int(w, 3, 2), "a boolean of 2");
	FRESH();
	OKW(!js_pq_int(w, 0, (int64_t) INT32_MAX + 1), "INT32 overflow");
	FRESH();
	OKW(!js_pq_double(w, 0, 1.5) && !js_pq_list_begin(w, 0), "wrong kind of value refused");
	FRESH();
	js_pq_int(w, 0, 1);
	OKW(!js_pq_end_row(w) && strstr(js_pq_error(w), "no value"), "a row missing columns");
	FRESH();
	js_pq_int(w, 0, 1);
	OKW(!js_pq_finish(w, NULL) && strstr(js_pq_error(w), "not complete"), "finish in the middle of a row");
	FRESH();
	js_buf_reset(&out);
	fail_after = 100;
	for (int r = 0; r < 50; r++)
	{
		js_pq_int(w, 0, r);
		js_pq_null(w, 1);
		js_pq_null(w, 2);
		js_pq_null(w, 3);
		js_pq_end_row(w);
	}
	OKW(!js_pq_finish(w, NULL) && strstr(js_pq_error(w), "could not write"), "a failing write surfaces");
	ok(!js_pq_int(w, 0, 1) && !js_pq_end_row(w), "and the writer accepts nothing after it");
	fail_after = -1;
	js_pq_free(w);
	js_buf_free(&out);
#undef FRESH
#undef OKW
}

int
main(void)
{
	test_round_trip(JS_PQ_UNCOMPRESSED);
	test_round_trip(JS_PQ_ZSTD);
	test_statistics();
	test_dictionary_fallback();
	test_levels();
	test_wide_decimal();
	test_errors();
	return tap_done();
}
