/*
 * extract.h
 *		Skill extraction from free text with an Aho-Corasick automaton
 *		(pure C).  See extract.c for the matching rules.
 */
#ifndef JOBSTREAM_EXTRACT_H
#define JOBSTREAM_EXTRACT_H

#include <stddef.h>

typedef struct JsExtractor JsExtractor;

/*
 * Per-caller working memory of js_extract: reusable between calls, one per
 * thread.  Zero-initialise it before first use; free it with
 * js_extract_scratch_free.
 */
typedef struct JsExtractScratch
{
	void	   *matches;
	size_t		cap;
	unsigned char *seen;
	int			seen_size;
} JsExtractScratch;

extern JsExtractor *js_extractor_build(const char *const *patterns,
									   const size_t *lengths,
									   const int *skills, int npatterns,
									   int nskills);
extern void js_extractor_free(JsExtractor *ex);
extern int	js_extractor_nskills(const JsExtractor *ex);
extern int	js_extractor_npatterns(const JsExtractor *ex);
extern size_t js_extractor_memory(const JsExtractor *ex);
extern int	js_extract(const JsExtractor *ex, const char *text, size_t len,
					   JsExtractScratch *scratch, int *out);
extern void js_extract_scratch_free(JsExtractScratch *scratch);

#endif							/* JOBSTREAM_EXTRACT_H */
