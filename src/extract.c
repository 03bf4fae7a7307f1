/*
 * extract.c
 *		Skill extraction from free text with an Aho-Corasick automaton
 *		(pure C).
 *
 * js_extractor_build compiles a list of patterns (skill names and their
 * aliases), each mapped to a canonical skill number, into a deterministic
 * Aho-Corasick automaton; js_extract then reads a text once, byte by byte,
 * whatever the number of patterns, and returns the distinct skills found in
 * order of first appearance.  The automaton is built once and cached by the
 * caller (score_sql.c keeps one per backend); it is read-only afterwards,
 * and all per-call state lives in a JsExtractScratch.
 *
 * Normalisation.  Patterns and text are compared after the same folding:
 * ASCII letters and the UTF-8 Latin-1 capitals U+00C0..U+00DE (except
 * U+00D7) are lowered, and every run of ASCII blanks counts as one space, so
 * "machine   learning" and "Machine\nLearning" both match the pattern
 * "Machine Learning".  Other bytes match exactly.  Patterns are trimmed;
 * an empty pattern is ignored, and when two patterns fold to the same
 * string the first one given wins (callers list canonical names before
 * aliases).
 *
 * Automaton.  Bytes are first mapped to classes: every byte that occurs in
 * a folded pattern has its own class, all others share class 0, so the
 * transition table is states x classes 32-bit entries (a few hundred kB for
 * a thousand skills) and every transition, failure links included, is one
 * table lookup.  A state that ends a pattern, or whose failure chain reaches
 * one, is flagged; the dictionary-suffix links then list every pattern
 * ending at that point.
 *
 * Word boundaries.  A word character is an ASCII letter or digit, or a
 * non-ASCII character that is not punctuation, a symbol or a space (U+0080
 * to U+00BF, U+00D7, U+00F7, U+2000 to U+2BFF, U+3000 to U+303F, U+FE30 to
 * U+FE4F, U+FF00 to U+FF0F and U+FEFF are not word characters; invalid UTF-8
 * bytes are, as are the letters of any script).  A match must not be
 * preceded by a word character when the pattern begins with one, nor
 * followed by a word character when the pattern ends with one.  Hence
 * "Node.js", "CI/CD" and "C++" match in "Node.js, CI/CD and C++ skills",
 * ".NET" matches in "ASP.NET" (the pattern begins with a dot), "Java" does
 * not match in "JavaScript", and "SQL" does not match in "PostgréSQL" nor
 * in "SQLité".  Boundaries are decided on the raw text, so "C++x" still
 * yields C++.
 *
 * Overlaps.  Among valid matches the leftmost wins, and among those starting
 * at the same place the longest; matching then resumes after it
 * (leftmost-longest, non-overlapping).  So "C++" is found in "C++" and "C"
 * is not, "Machine Learning" hides its "Learning", and "C/C++" yields C
 * then C++.  A single letter skill such as "C" or "R" still matches in
 * "C-suite" or "R&D": add aliases or drop the skill if that matters.
 *
 * Matches are collected per call (each text is in memory anyway) and
 * resolved at the end: sorted by start ascending and length descending
 * (insertion sort, since they arrive nearly sorted), then swept once.
 */
#include "extract.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct JsExtractor
{
	int			nclasses;		/* byte classes, class 0 = no pattern byte */
	int			nstates;
	int			npatterns;		/* patterns kept (non-empty, distinct) */
	int			nskills;
	int			maxdepth;		/* longest pattern, in folded symbols */
	unsigned char byteclass[256];
	int32_t    *delta;			/* nstates x nclasses next row offsets */
	unsigned char *hasout;		/* state ends a pattern, or its dict chain */
	int32_t    *term;			/* skill ending exactly here, or -1 */
	int32_t    *dict;			/* next state on the fail chain with term */
	int32_t    *depth;			/* length of the path to the state */
	unsigned char *edges;		/* JS_NEED_* flags of the pattern ending here */
};

/* One match before resolution: raw byte offsets [start, end). */
typedef struct JsMatch
{
	size_t		start;
	size_t		end;
	int			skill;
} JsMatch;

#define JS_OUT_FLAG		UINT32_C(0x80000000)	/* in delta: next state has output */

#define JS_NEED_BEFORE	1		/* pattern begins with a word character */
#define JS_NEED_AFTER	2		/* pattern ends with a word character */

/*
 * js_blank
 *		True for the ASCII blanks that collapse into one space.
 */
static inline bool
js_blank(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
		c == '\v';
}

/*
 * js_fold_byte
 *		Folded value of byte b, given the raw byte before it.
 */
static inline unsigned char
js_fold_byte(unsigned char prev, unsigned char b)
{
	if (b >= 'A' && b <= 'Z')
		return b + ('a' - 'A');
	if (prev == 0xC3 && b >= 0x80 && b <= 0x9E && b != 0x97)
		return b + 0x20;
	return b;
}

/*
 * js_word_codepoint
 *		True when a non-ASCII code point counts as a word character.
 */
static inline bool
js_word_codepoint(uint32_t cp)
{
	if (cp <= 0xBF)
		return false;
	if (cp == 0xD7 || cp == 0xF7 || cp == 0xFEFF)
		return false;
	if ((cp >= 0x2000 && cp <= 0x2BFF) || (cp >= 0x3000 && cp <= 0x303F) ||
		(cp >= 0xFE30 && cp <= 0xFE4F) || (cp >= 0xFF00 && cp <= 0xFF0F))
		return false;
	return true;
}

/*
 * js_decode
 *		Decodes the UTF-8 sequence at s[0..n); returns false when it is not
 *		a well-formed sequence.
 */
static bool
js_decode(const unsigned char *s, size_t n, uint32_t *cp)
{
	unsigned char b = s[0];
	size_t		len,
				i;
	uint32_t	v;

	if (b < 0x80)
	{
		*cp = b;
		return true;
	}
	if (b >= 0xC2 && b <= 0xDF)
	{
		len = 2;
		v = b & 0x1F;
	}
	else if (b >= 0xE0 && b <= 0xEF)
	{
		len = 3;
		v = b & 0x0F;
	}
	else if (b >= 0xF0 && b <= 0xF4)
	{
		len = 4;
		v = b & 0x07;
	}
	else
		return false;
	if (len > n)
		return false;
	for (i = 1; i < len; i++)
	{
		if ((s[i] & 0xC0) != 0x80)
			return false;
		v = (v << 6) | (s[i] & 0x3F);
	}
	*cp = v;
	return true;
}

/*
 * js_word_at
 *		True when the character that starts at s[pos] (pos < len) is a word
 *		character.  Bytes that do not decode count as word characters.
 */
static bool
js_word_at(const unsigned char *s, size_t len, size_t pos)
{
	unsigned char b = s[pos];
	uint32_t	cp;

	if (b < 0x80)
		return (b >= '0' && b <= '9') || (b >= 'a' && b <= 'z') ||
			(b >= 'A' && b <= 'Z');
	if (!js_decode(s + pos, len - pos, &cp))
		return true;
	return js_word_codepoint(cp);
}

/*
 * js_word_before
 *		True when the character that ends just before s[pos] is a word
 *		character; false at the start of the text.
 */
static bool
js_word_before(const unsigned char *s, size_t len, size_t pos)
{
	size_t		k;

	if (pos == 0)
		return false;
	k = pos - 1;
	if (s[k] >= 0x80)
	{
		/* Back to the lead byte of a multibyte character, at most 3 back. */
		while (k > 0 && pos - k < 4 && (s[k] & 0xC0) == 0x80)
			k--;
		if ((s[k] & 0xC0) == 0x80)
			return true;		/* a stray continuation byte */
	}
	(void) len;
	return js_word_at(s, pos, k);
}

/*
 * js_normalise
 *		Folds pattern p[0..n) into out (room for n bytes): case-folded,
 *		blank runs as one space, trimmed.  Returns the folded length.
 */
static size_t
js_normalise(const unsigned char *p, size_t n, unsigned char *out)
{
	size_t		o = 0,
				i;
	unsigned char prev = 0;
	bool		blank = true;	/* drops leading blanks */

	for (i = 0; i < n; i++)
	{
		unsigned char b = p[i];

		if (js_blank(b))
		{
			if (!blank)
				out[o++] = ' ';
			blank = true;
		}
		else
		{
			out[o++] = js_fold_byte(prev, b);
			blank = false;
		}
		prev = b;
	}
	if (o > 0 && out[o - 1] == ' ')
		o--;
	return o;
}

/*
 * js_extractor_free
 *		Frees an extractor built by js_extractor_build; NULL is fine.
 */
void
js_extractor_free(JsExtractor *ex)
{
	if (ex == NULL)
		return;
	free(ex->delta);
	free(ex->hasout);
	free(ex->term);
	free(ex->dict);
	free(ex->depth);
	free(ex->edges);
	free(ex);
}

/*
 * js_grow_states
 *		Makes room for at least want states; false when out of memory.
 */
static bool
js_grow_states(JsExtractor *ex, int *cap, int want)
{
	int			n = *cap;
	void	   *p;

	if (want <= n)
		return true;
	if (n < 64)
		n = 64;
	while (n < want)
		n *= 2;
	if ((size_t) n * (size_t) ex->nclasses > (size_t) INT32_MAX)
		return false;
#define JS_GROW(field, type) \
	do { \
		p = realloc(ex->field, sizeof(type) * (size_t) n); \
		if (p == NULL) \
			return false; \
		ex->field = p; \
	} while (0)
	JS_GROW(term, int32_t);
	JS_GROW(depth, int32_t);
	JS_GROW(edges, unsigned char);
#undef JS_GROW
	p = realloc(ex->delta, sizeof(int32_t) * (size_t) n * ex->nclasses);
	if (p == NULL)
		return false;
	ex->delta = p;
	*cap = n;
	return true;
}

/*
 * js_new_state
 *		Appends a state of the given depth with no transitions yet; returns
 *		its number, or -1 when out of memory.
 */
static int
js_new_state(JsExtractor *ex, int *cap, int depth)
{
	int			s = ex->nstates;
	int			c;

	if (!js_grow_states(ex, cap, s + 1))
		return -1;
	for (c = 0; c < ex->nclasses; c++)
		ex->delta[(size_t) s * ex->nclasses + c] = -1;
	ex->term[s] = -1;
	ex->depth[s] = depth;
	ex->edges[s] = 0;
	ex->nstates++;
	return s;
}

/*
 * js_extractor_build
 *		Compiles patterns[i] (lengths[i] bytes, not necessarily
 *		NUL-terminated) mapped to skill numbers skills[i] in [0, nskills)
 *		into an automaton.  Patterns with an out-of-range skill are skipped.
 *		Returns NULL when out of memory; free the result with
 *		js_extractor_free.
 */
JsExtractor *
js_extractor_build(const char *const *patterns, const size_t *lengths,
				   const int *skills, int npatterns, int nskills)
{
	JsExtractor *ex;
	unsigned char *buf = NULL;
	size_t		maxlen = 0;
	int32_t    *queue = NULL;
	int			cap = 0;
	int			i,
				c,
				head,
				tail;
	bool		used[256] = {false};

	ex = calloc(1, sizeof(JsExtractor));
	if (ex == NULL)
		return NULL;
	ex->nskills = nskills > 0 ? nskills : 0;

	for (i = 0; i < npatterns; i++)
		if (lengths[i] > maxlen)
			maxlen = lengths[i];
	buf = malloc(maxlen + 1);
	if (buf == NULL)
		goto fail;

	/* Byte classes: one per byte occurring in a folded pattern. */
	for (i = 0; i < npatterns; i++)
	{
		size_t		n = js_normalise((const unsigned char *) patterns[i],
									 lengths[i], buf),
					j;

		for (j = 0; j < n; j++)
			used[buf[j]] = true;
	}
	ex->nclasses = 1;
	for (c = 0; c < 256; c++)
		ex->byteclass[c] = used[c] ? ex->nclasses++ : 0;

	/* The trie. */
	if (js_new_state(ex, &cap, 0) < 0)
		goto fail;
	for (i = 0; i < npatterns; i++)
	{
		size_t		n,
					j;
		int			s = 0;
		uint32_t	cp;

		if (skills[i] < 0 || skills[i] >= nskills)
			continue;
		n = js_normalise((const unsigned char *) patterns[i], lengths[i], buf);
		if (n == 0 || n > INT32_MAX / 2)
			continue;
		for (j = 0; j < n; j++)
		{
			size_t		slot = (size_t) s * ex->nclasses + ex->byteclass[buf[j]];
			int			next = ex->delta[slot];

			if (next < 0)
			{
				next = js_new_state(ex, &cap, (int) j + 1);
				if (next < 0)
					goto fail;
				ex->delta[slot] = next;
			}
			s = next;
		}
		if (ex->term[s] >= 0)
			continue;			/* an earlier pattern folds the same */
		ex->term[s] = skills[i];
		ex->npatterns++;
		if ((int) n > ex->maxdepth)
			ex->maxdepth = (int) n;
		ex->edges[s] = 0;
		if (js_word_at(buf, n, 0))
			ex->edges[s] |= JS_NEED_BEFORE;
		/* the last character: back up to its lead byte */
		j = n - 1;
		while (j > 0 && n - j < 4 && (buf[j] & 0xC0) == 0x80)
			j--;
		if (buf[n - 1] < 0x80 ? js_word_at(buf, n, n - 1) :
			(!js_decode(buf + j, n - j, &cp) || js_word_codepoint(cp)))
			ex->edges[s] |= JS_NEED_AFTER;
	}

	/* Failure links by breadth-first search, folded into delta. */
	ex->dict = malloc(sizeof(int32_t) * (size_t) ex->nstates);
	ex->hasout = calloc((size_t) ex->nstates, 1);
	queue = malloc(sizeof(int32_t) * (size_t) ex->nstates);
	if (ex->dict == NULL || ex->hasout == NULL || queue == NULL)
		goto fail;
	{
		int32_t    *fail = malloc(sizeof(int32_t) * (size_t) ex->nstates);

		if (fail == NULL)
			goto fail;
		head = tail = 0;
		fail[0] = 0;
		ex->dict[0] = -1;
		for (c = 0; c < ex->nclasses; c++)
		{
			int			t = ex->delta[c];

			if (t < 0)
				ex->delta[c] = 0;
			else
			{
				fail[t] = 0;
				ex->dict[t] = -1;
				queue[tail++] = t;
			}
		}
		while (head < tail)
		{
			int			s = queue[head++];
			int32_t    *row = ex->delta + (size_t) s * ex->nclasses;
			const int32_t *frow = ex->delta + (size_t) fail[s] * ex->nclasses;

			for (c = 0; c < ex->nclasses; c++)
			{
				int			t = row[c];

				if (t < 0)
					row[c] = frow[c];
				else
				{
					int			f = frow[c];

					fail[t] = f;
					ex->dict[t] = ex->term[f] >= 0 ? f : ex->dict[f];
					queue[tail++] = t;
				}
			}
		}
		free(fail);
	}
	for (i = 0; i < ex->nstates; i++)
		ex->hasout[i] = (ex->term[i] >= 0 || ex->dict[i] >= 0);

	/*
	 * Renumber the states in breadth-first order, so that the shallow
	 * states, where the scan spends most of its time, share a few cache
	 * lines at the start of the table.
	 */
	{
		int32_t    *newid = malloc(sizeof(int32_t) * (size_t) ex->nstates);
		int32_t    *delta2 = malloc(sizeof(int32_t) * (size_t) ex->nstates * ex->nclasses);
		int32_t    *tmp = malloc(sizeof(int32_t) * (size_t) ex->nstates);
		unsigned char *btmp = malloc((size_t) ex->nstates);

		if (newid == NULL || delta2 == NULL || tmp == NULL || btmp == NULL)
		{
			free(newid);
			free(delta2);
			free(tmp);
			free(btmp);
			goto fail;
		}
		/* old state of new state s: 0 for 0, else queue[s - 1] */
#define JS_OLD(s) ((s) == 0 ? 0 : queue[(s) - 1])
		newid[0] = 0;
		for (i = 0; i < tail; i++)
			newid[queue[i]] = i + 1;
		for (i = 0; i < ex->nstates; i++)
			for (c = 0; c < ex->nclasses; c++)
				delta2[(size_t) i * ex->nclasses + c] =
					newid[ex->delta[(size_t) JS_OLD(i) * ex->nclasses + c]];
		free(ex->delta);
		ex->delta = delta2;
		for (i = 0; i < ex->nstates; i++)
			tmp[i] = ex->term[JS_OLD(i)];
		memcpy(ex->term, tmp, sizeof(int32_t) * (size_t) ex->nstates);
		for (i = 0; i < ex->nstates; i++)
			tmp[i] = ex->dict[JS_OLD(i)] < 0 ? -1 : newid[ex->dict[JS_OLD(i)]];
		memcpy(ex->dict, tmp, sizeof(int32_t) * (size_t) ex->nstates);
		for (i = 0; i < ex->nstates; i++)
			tmp[i] = ex->depth[JS_OLD(i)];
		memcpy(ex->depth, tmp, sizeof(int32_t) * (size_t) ex->nstates);
		for (i = 0; i < ex->nstates; i++)
			btmp[i] = ex->edges[JS_OLD(i)];
		memcpy(ex->edges, btmp, (size_t) ex->nstates);
		for (i = 0; i < ex->nstates; i++)
			btmp[i] = ex->hasout[JS_OLD(i)];
		memcpy(ex->hasout, btmp, (size_t) ex->nstates);
#undef JS_OLD
		free(newid);
		free(tmp);
		free(btmp);
	}

	/*
	 * Final form of the table: each entry is the row offset of the next
	 * state (state x nclasses, saving a multiplication per byte) with
	 * JS_OUT_FLAG set when that state has output (saving a load).
	 */
	for (i = 0; i < ex->nstates; i++)
		for (c = 0; c < ex->nclasses; c++)
		{
			size_t		slot = (size_t) i * ex->nclasses + c;
			int32_t		t = ex->delta[slot];

			ex->delta[slot] = (int32_t) ((uint32_t) t * (uint32_t) ex->nclasses |
										 (ex->hasout[t] ? JS_OUT_FLAG : 0));
		}
	free(queue);
	free(buf);
	return ex;

fail:
	free(queue);
	free(buf);
	js_extractor_free(ex);
	return NULL;
}

/*
 * js_extractor_nskills
 *		Number of canonical skills the extractor was built for.
 */
int
js_extractor_nskills(const JsExtractor *ex)
{
	return ex->nskills;
}

/*
 * js_extractor_npatterns
 *		Number of distinct non-empty patterns in the automaton.
 */
int
js_extractor_npatterns(const JsExtractor *ex)
{
	return ex->npatterns;
}

/*
 * js_extractor_memory
 *		Approximate bytes used by the automaton.
 */
size_t
js_extractor_memory(const JsExtractor *ex)
{
	return sizeof(JsExtractor) + (size_t) ex->nstates *
		(sizeof(int32_t) * (ex->nclasses + 3) + 2);
}

/*
 * js_extract_scratch_free
 *		Frees the working memory of js_extract; the scratch can be reused
 *		afterwards (it is zeroed).
 */
void
js_extract_scratch_free(JsExtractScratch *scratch)
{
	free(scratch->matches);
	free(scratch->seen);
	memset(scratch, 0, sizeof(JsExtractScratch));
}

/*
 * js_push_match
 *		Appends a match to the scratch list; false when out of memory.
 */
static bool
js_push_match(JsExtractScratch *scr, size_t *n, size_t start, size_t end,
			  int skill)
{
	JsMatch    *m;

	if (*n == scr->cap)
	{
		size_t		cap = scr->cap ? scr->cap * 2 : 64;
		void	   *p = realloc(scr->matches, cap * sizeof(JsMatch));

		if (p == NULL)
			return false;
		scr->matches = p;
		scr->cap = cap;
	}
	m = (JsMatch *) scr->matches + (*n)++;
	m->start = start;
	m->end = end;
	m->skill = skill;
	return true;
}

/*
 * js_extract
 *		Finds the skills in text[0..len).  Writes the distinct skill numbers
 *		in order of first appearance to out, which must have room for
 *		js_extractor_nskills(ex) entries, and returns how many; -1 when out
 *		of memory.
 */
int
js_extract(const JsExtractor *ex, const char *text, size_t len,
		   JsExtractScratch *scratch, int *out)
{
	const unsigned char *s = (const unsigned char *) text;
	const int	ncls = ex->nclasses;
	const uint32_t *delta = (const uint32_t *) ex->delta;
	const unsigned char *cls = ex->byteclass;
	size_t		ring[64];
	size_t	   *rp = ring;
	size_t		mask = 63,
				sym = 0,
				nmatch = 0,
				i,
				cursor;
	uint32_t	row = 0;			/* current state x ncls */
	unsigned char prev = 0;
	bool		blank = true;
	int			nout = 0;
	JsMatch    *m;

	if (ex->npatterns == 0 || len == 0)
		return 0;
	if (scratch->seen_size < ex->nskills)
	{
		void	   *p = realloc(scratch->seen, (size_t) ex->nskills);

		if (p == NULL)
			return -1;
		scratch->seen = p;
		memset(scratch->seen, 0, (size_t) ex->nskills);
		scratch->seen_size = ex->nskills;
	}
	/* Raw offsets of the last maxdepth symbols. */
	if (ex->maxdepth > 64)
	{
		size_t		r = 128;

		while (r < (size_t) ex->maxdepth)
			r *= 2;
		rp = malloc(r * sizeof(size_t));
		if (rp == NULL)
			return -1;
		mask = r - 1;
	}

	for (i = 0; i < len; i++)
	{
		unsigned char b = s[i],
					f;

		if (js_blank(b))
		{
			prev = b;
			if (blank)
				continue;
			blank = true;
			f = ' ';
		}
		else
		{
			blank = false;
			f = js_fold_byte(prev, b);
			prev = b;
		}
		rp[sym & mask] = i;
		row = delta[row + cls[f]];
		if (row & JS_OUT_FLAG)
		{
			int32_t		state;
			int32_t		t;

			row &= ~JS_OUT_FLAG;
			state = (int32_t) (row / (uint32_t) ncls);
			t = ex->term[state] >= 0 ? state : ex->dict[state];

			for (; t >= 0; t = ex->dict[t])
			{
				size_t		start = rp[(sym + 1 - ex->depth[t]) & mask];

				if ((ex->edges[t] & JS_NEED_BEFORE) &&
					js_word_before(s, len, start))
					continue;
				if ((ex->edges[t] & JS_NEED_AFTER) && i + 1 < len &&
					js_word_at(s, len, i + 1))
					continue;
				if (!js_push_match(scratch, &nmatch, start, i + 1, ex->term[t]))
				{
					if (rp != ring)
						free(rp);
					return -1;
				}
			}
		}
		sym++;
	}
	if (rp != ring)
		free(rp);

	/* Leftmost-longest: sort by start, then longest first; sweep. */
	m = scratch->matches;
	for (i = 1; i < nmatch; i++)
	{
		JsMatch		v = m[i];
		size_t		j = i;

		while (j > 0 && (m[j - 1].start > v.start ||
						 (m[j - 1].start == v.start && m[j - 1].end < v.end)))
		{
			m[j] = m[j - 1];
			j--;
		}
		m[j] = v;
	}
	cursor = 0;
	for (i = 0; i < nmatch; i++)
	{
		if (m[i].start < cursor)
			continue;
		cursor = m[i].end;
		if (!scratch->seen[m[i].skill])
		{
			scratch->seen[m[i].skill] = 1;
			out[nout++] = m[i].skill;
		}
	}
	for (i = 0; i < (size_t) nout; i++)
		scratch->seen[out[i]] = 0;
	return nout;
}
