/*
 * match.c
 *		The real-time matcher: new candidates and job posts become job
 *		applications, exactly once, inside PostgreSQL.
 *
 * Queue.  Statement triggers with transition tables (sql/0.2/80_match.sql)
 * append every inserted candidate and post to jobstream.match_queue in the
 * inserting transaction, and ask (jobstream.match_wake) for the matcher's
 * latch to be set when that transaction commits.  A matching pass takes up
 * to jobstream.match_batch_size queue rows in seq order (DELETE ...
 * RETURNING), writes the applications they produce and adds its counters
 * to jobstream.match_state, all in one transaction: the queue deletion is
 * the progress marker, so a crash anywhere before the commit replays the
 * whole batch and a commit makes it done; nothing is lost or doubled.  The
 * application_id of a pair is a name-based UUID of the two ids and every
 * insert is ON CONFLICT DO NOTHING, so even a replay against rows written
 * by someone else cannot make a candidate apply twice to a post.
 *
 * Semantics.  Each (candidate, post) pair of one family (equal
 * job_category) is considered once, when the later of the two is
 * processed; rows that were in the tables before the extension (or are
 * otherwise not queued) only ever act as counterparts.  With k =
 * jobstream.match_k and m = jobstream.match_min_score, the "shortlist" of
 * a candidate is the top k, by score then post_id ascending (the order of
 * jobstream.top_jobs), of the open posts (deadline_date NULL or not past)
 * processed so far that score at least m.  A new candidate applies to each
 * post of its shortlist; a new post is applied to by every candidate whose
 * shortlist it enters - in both cases only when the deterministic draw
 * match_draw(candidate, post, 'apply') is below jobstream.match_apply_share.
 * The status is application_status(score, match_draw(..., 'status')).  The
 * draws are md5 of (jobstream.match_seed, the ids, a purpose), so a replay
 * decides the same way and tests can recompute every decision in SQL.
 * Each application also stores the five components of its score (why this
 * match), computed again only for the pairs that apply.
 *
 * Index.  Scoring a new candidate against 50k open posts by SQL would cost
 * far too much at 5k candidates/s, so the matcher keeps, in a long-lived
 * memory context, every open processed post and every processed candidate
 * with its prepared scoring side (score.h: skill hashes sorted), grouped by
 * family.  A new candidate is one pass over its family's posts in the pure
 * C scorer with a bounded heap, pruned by js_score_bound (rows that cannot
 * reach m or beat the k-th best are not merged).  The heap is the
 * candidate's shortlist and is kept, so that a new post needs one score
 * per candidate of its family plus a heap offer; shortlists of candidates
 * loaded from the tables are computed lazily, the first time a new post
 * scores at least m for them.
 *
 * The index holds exactly the rows processed so far: it is loaded from the
 * tables minus what is still queued (one snapshot per table), and every
 * batch adds its rows in seq order.  So a restart rebuilds the same state
 * and replays a lost batch with the same decisions.  It is reloaded when
 * (a) match_state.epoch moved: another process ran a pass (match_now in a
 * session), or candidates or posts were deleted or truncated (a statement
 * trigger bumps it), (b) a pass did not commit, (c) the date changed
 * (deadlines), (d) k or the minimum score changed, or (e) the extension
 * was re-created.  Updated rows are not queued: the index sees an update
 * at its next reload (at the latest the next day).
 * Passes are serialised by a row lock on the one row of
 * jobstream.match_lock, a table only the extension's owner and the worker
 * role may update (an advisory lock could be taken by any session); the
 * worker skips a round rather than wait for it, and match_stats shows
 * "busy" meanwhile.
 *
 * Producing.  With jobstream.match_produce_brokers set, js_match_insert
 * also puts the ids of the applications it inserted into
 * jobstream.match_outbox, in the pass's transaction; between passes the
 * worker hands the outbox to Kafka, at least once (match_produce.c).
 *
 * The worker connects to jobstream.database; when the extension is missing
 * there, or jobstream.match_enabled is off, it idles (the queue still
 * fills, so turning matching back on processes the backlog).  Errors abort
 * the pass, are recorded in match_state.last_error in a transaction of
 * their own, and the worker backs off (1 s doubling to 30 s) and goes on.
 */
#include "postgres.h"

#include <math.h>

#include "access/xact.h"
#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "common/md5.h"
#include "executor/spi.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "pgstat.h"
#include "portability/instr_time.h"
#include "postmaster/bgworker.h"
#include "postmaster/interrupt.h"
#include "storage/ipc.h"
#include "storage/latch.h"
#include "storage/lwlock.h"
#include "storage/proc.h"
#include "storage/shmem.h"
#include "tcop/tcopprot.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/date.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/numeric.h"
#include "utils/snapmgr.h"
#include "utils/timestamp.h"
#include "utils/tuplestore.h"
#include "utils/uuid.h"

#include "jobstream.h"
#include "score.h"

PGDLLEXPORT void jobstream_matcher_main(Datum main_arg);

PG_FUNCTION_INFO_V1(jobstream_match_wake);
PG_FUNCTION_INFO_V1(jobstream_match_now);
PG_FUNCTION_INFO_V1(jobstream_match_worker_state);

/*
 * Shared memory: the running matcher's latch, for match_wake, and since
 * when it has found the pass lock held by another session (0: it has not).
 */
typedef struct JsMatchShared
{
	slock_t		mutex;
	Latch	   *latch;			/* NULL when no matcher runs */
	TimestampTz busy_since;
} JsMatchShared;

static JsMatchShared *js_match_shared = NULL;
static shmem_request_hook_type prev_shmem_request_hook = NULL;
static shmem_startup_hook_type prev_shmem_startup_hook = NULL;

/*
 * A 256-bit signature of a prepared skill set (bit = top 8 bits of each
 * hash) and how many skills share a bit with another: it bounds the
 * intersection of two sets from above without merging them.
 */
typedef struct JsMatchSig
{
	uint64		bits[4];
	int32		n;				/* skills in the set */
	int32		excess;			/* n - popcount(bits) */
	bool		has;			/* the side has a skill list */
} JsMatchSig;

/* A processed, open job post. */
typedef struct JsMatchPost
{
	JsMatchSig	sig;
	unsigned char id[16];
	bool		has_deadline;
	DateADT		deadline;
	JsPostSide	side;
} JsMatchPost;

/* A processed candidate and, once known, its shortlist (a JsTopK heap). */
typedef struct JsMatchCand
{
	JsMatchSig	sig;
	unsigned char id[16];
	bool		heap_valid;
	int32		heap_n;
	JsTopKItem *heap;			/* k items, heap order */
	JsCandidateSide side;
} JsMatchCand;

/* The posts and candidates of one job family (equal category hash). */
typedef struct JsMatchFamily
{
	uint64_t	category;
	JsMatchPost *posts;
	int			nposts;
	int			capposts;
	JsMatchCand *cands;
	int			ncands;
	int			capcands;
} JsMatchFamily;

/* The per-process index; see the header comment for when it is valid. */
typedef struct JsMatchIndex
{
	MemoryContext cxt;			/* everything below; reset on reload */
	bool		loaded;
	bool		pending;		/* changed by a pass not yet committed */
	int64		epoch;			/* match_state.epoch the index reflects */
	int64		pending_epoch;
	DateADT		today;
	int			k;
	int64		min_cents;
	Oid			queue_relid;
	uint64		ladder;			/* js_sql_ladder_version at load: levels */
	JsMatchFamily *fams;
	int			nfams;
	int			capfams;
} JsMatchIndex;

static JsMatchIndex js_idx;
static bool js_idx_callback = false;
static bool js_wake_pending = false;
static bool js_wake_callback = false;

/* One application decided by a pass. */
typedef struct JsMatchApp
{
	unsigned char cand[16];
	unsigned char post[16];
	int64		cents;
	int64		parts[JS_SCORE_NCOMPONENTS];	/* js_breakdown_cents */
	const char *status;
} JsMatchApp;

/* What a pass did. */
typedef struct JsMatchResult
{
	bool		installed;		/* the extension exists here */
	bool		busy;			/* another pass holds the lock */
	int64		processed;
	int64		pairs;
	int64		applications;
	int64		decided;		/* applications before ON CONFLICT */
} JsMatchResult;

/* The applications of the current pass (in its memory context). */
typedef struct JsMatchBatch
{
	JsMatchApp *apps;
	int			napps;
	int			cap;
	int64		pairs;
	int64		min_cents;
	int			k;
	double		share;
	int			seed;
	JsTopKItem *scratch;		/* k items */
} JsMatchBatch;

/* ---------------------------------------------------------------------
 * Shared memory and the wake-up at commit
 * ---------------------------------------------------------------------
 */

static void
js_match_shmem_request(void)
{
	if (prev_shmem_request_hook)
		prev_shmem_request_hook();
	RequestAddinShmemSpace(MAXALIGN(sizeof(JsMatchShared)));
}

/*
 * js_match_shmem_startup
 *		Creates or attaches to the matcher's piece of shared memory.
 */
static void
js_match_shmem_startup(void)
{
	bool		found;

	if (prev_shmem_startup_hook)
		prev_shmem_startup_hook();
	LWLockAcquire(AddinShmemInitLock, LW_EXCLUSIVE);
	js_match_shared = ShmemInitStruct("jobstream matcher", sizeof(JsMatchShared),
									  &found);
	if (!found)
	{
		SpinLockInit(&js_match_shared->mutex);
		js_match_shared->latch = NULL;
	}
	LWLockRelease(AddinShmemInitLock);
}

/*
 * js_matcher_register
 *		Requests the shared memory and registers the matcher as a static
 *		background worker; called from _PG_init while
 *		shared_preload_libraries is being processed.
 */
void
js_matcher_register(void)
{
	BackgroundWorker worker;

	prev_shmem_request_hook = shmem_request_hook;
	shmem_request_hook = js_match_shmem_request;
	prev_shmem_startup_hook = shmem_startup_hook;
	shmem_startup_hook = js_match_shmem_startup;

	memset(&worker, 0, sizeof(worker));
	worker.bgw_flags = BGWORKER_SHMEM_ACCESS | BGWORKER_BACKEND_DATABASE_CONNECTION;
	worker.bgw_start_time = BgWorkerStart_RecoveryFinished;
	worker.bgw_restart_time = 1;
	snprintf(worker.bgw_library_name, BGW_MAXLEN, "jobstream");
	snprintf(worker.bgw_function_name, BGW_MAXLEN, "jobstream_matcher_main");
	snprintf(worker.bgw_name, BGW_MAXLEN, "jobstream matcher");
	snprintf(worker.bgw_type, BGW_MAXLEN, "jobstream matcher");
	RegisterBackgroundWorker(&worker);
}

/*
 * js_match_wake_callback
 *		At commit of a transaction that queued rows, sets the matcher's
 *		latch.
 */
static void
js_match_wake_callback(XactEvent event, void *arg)
{
	switch (event)
	{
		case XACT_EVENT_COMMIT:
		case XACT_EVENT_PARALLEL_COMMIT:
			if (js_wake_pending && js_match_shared != NULL)
			{
				Latch	   *latch;

				SpinLockAcquire(&js_match_shared->mutex);
				latch = js_match_shared->latch;
				SpinLockRelease(&js_match_shared->mutex);
				if (latch)
					SetLatch(latch);
			}
			js_wake_pending = false;
			break;
		case XACT_EVENT_ABORT:
		case XACT_EVENT_PARALLEL_ABORT:
		case XACT_EVENT_PREPARE:
			js_wake_pending = false;
			break;
		default:
			break;
	}
}

/*
 * jobstream_match_wake
 *		match_wake(): the matcher is woken when this transaction commits.
 *		Without the library preloaded (no matcher) it does nothing.
 */
Datum
jobstream_match_wake(PG_FUNCTION_ARGS)
{
	if (!js_wake_callback)
	{
		RegisterXactCallback(js_match_wake_callback, NULL);
		js_wake_callback = true;
	}
	js_wake_pending = true;
	PG_RETURN_VOID();
}

/*
 * jobstream_match_worker_state
 *		match_worker_state(): what the matcher worker is doing: "not
 *		running" (no worker, or the library is not preloaded), "off"
 *		(jobstream.match_enabled is off), "busy" (another session holds the
 *		pass lock, since busy_since) or "running".
 */
Datum
jobstream_match_worker_state(PG_FUNCTION_ARGS)
{
	bool		running = false;
	TimestampTz busy_since = 0;
	const char *state;

	if (js_match_shared != NULL)
	{
		SpinLockAcquire(&js_match_shared->mutex);
		running = js_match_shared->latch != NULL;
		busy_since = js_match_shared->busy_since;
		SpinLockRelease(&js_match_shared->mutex);
	}
	if (!running)
		state = "not running";
	else if (!js_match_enabled)
		state = "off";
	else if (busy_since != 0)
		state = "busy";
	else
		state = "running";
	PG_RETURN_TEXT_P(cstring_to_text(state));
}

/* ---------------------------------------------------------------------
 * Deterministic draws and ids
 * ---------------------------------------------------------------------
 */

/*
 * js_uuid_text
 *		Writes the canonical text form of a UUID (36 characters, lower
 *		case) to out, which must hold 37 bytes.
 */
static void
js_uuid_text(const unsigned char *id, char *out)
{
	static const char hex[] = "0123456789abcdef";
	int			i,
				o = 0;

	for (i = 0; i < 16; i++)
	{
		if (i == 4 || i == 6 || i == 8 || i == 10)
			out[o++] = '-';
		out[o++] = hex[id[i] >> 4];
		out[o++] = hex[id[i] & 15];
	}
	out[o] = '\0';
}

/*
 * js_match_draw
 *		The uniform draw in [0, 1) of jobstream.match_draw(): the first 52
 *		bits of md5('<seed>:<candidate>:<post>:<purpose>').
 */
static double
js_match_draw(int seed, const unsigned char *cand, const unsigned char *post,
			  const char *purpose)
{
	char		buf[160];
	char		c[37],
				p[37];
	unsigned char d[16];
	const char *errstr = NULL;
	uint64		v = 0;
	int			len,
				i;

	js_uuid_text(cand, c);
	js_uuid_text(post, p);
	len = snprintf(buf, sizeof(buf), "%d:%s:%s:%s", seed, c, p, purpose);
	if (!pg_md5_binary(buf, len, d, &errstr))
		elog(ERROR, "could not compute MD5: %s", errstr ? errstr : "out of memory");
	for (i = 0; i < 6; i++)
		v = (v << 8) | d[i];
	v = (v << 4) | (d[6] >> 4);
	return (double) v / 4503599627370496.0;
}

/*
 * js_match_application_id
 *		jobstream.match_application_id(): md5 of the two ids as text, as a
 *		version 3 UUID.
 */
static void
js_match_application_id(const unsigned char *cand, const unsigned char *post,
						 unsigned char *out)
{
	char		buf[73];
	const char *errstr = NULL;

	js_uuid_text(cand, buf);
	js_uuid_text(post, buf + 36);
	if (!pg_md5_binary(buf, 72, out, &errstr))
		elog(ERROR, "could not compute MD5: %s", errstr ? errstr : "out of memory");
	out[6] = (out[6] & 0x0f) | 0x30;
	out[8] = (out[8] & 0x3f) | 0x80;
}

/* ---------------------------------------------------------------------
 * The index
 * ---------------------------------------------------------------------
 */

/*
 * js_match_index_reset
 *		Empties the index (its memory context is reset) and remembers the
 *		settings it is built for.
 */
static void
js_match_index_reset(int k, int64 min_cents, DateADT today, Oid queue_relid)
{
	if (js_idx.cxt == NULL)
		js_idx.cxt = AllocSetContextCreate(TopMemoryContext, "jobstream matcher index",
										   ALLOCSET_DEFAULT_SIZES);
	else
		MemoryContextReset(js_idx.cxt);
	js_idx.loaded = false;
	js_idx.pending = false;
	js_idx.fams = NULL;
	js_idx.nfams = js_idx.capfams = 0;
	js_idx.k = k;
	js_idx.min_cents = min_cents;
	js_idx.today = today;
	js_idx.queue_relid = queue_relid;
	js_idx.ladder = js_sql_ladder_version();
}

/*
 * js_match_family
 *		The family of a category hash, created when new.
 */
static JsMatchFamily *
js_match_family(uint64_t category)
{
	JsMatchFamily *f;
	int			i;

	for (i = 0; i < js_idx.nfams; i++)
		if (js_idx.fams[i].category == category)
			return &js_idx.fams[i];
	if (js_idx.nfams == js_idx.capfams)
	{
		int			cap = Max(16, js_idx.capfams * 2);

		js_idx.fams = js_idx.fams ?
			repalloc(js_idx.fams, sizeof(JsMatchFamily) * cap) :
			MemoryContextAlloc(js_idx.cxt, sizeof(JsMatchFamily) * cap);
		js_idx.capfams = cap;
	}
	f = &js_idx.fams[js_idx.nfams++];
	memset(f, 0, sizeof(*f));
	f->category = category;
	return f;
}

/*
 * js_match_grow
 *		Makes room for one more element in a growable array of the index.
 */
static void *
js_match_grow(void *arr, int n, int *cap, Size elem)
{
	Size		newcap;

	if (n < *cap)
		return arr;
	newcap = Max(64, (Size) *cap * 2);
	arr = arr ? repalloc_huge(arr, elem * newcap) :
		MemoryContextAllocHuge(js_idx.cxt, elem * newcap);
	*cap = (int) newcap;
	return arr;
}

/*
 * js_popcount
 *		Bits set in a word.  The words are ANDs of sparse signatures, so
 *		clearing the lowest bit in a loop beats a table (and the library
 *		call a compiler makes without -mpopcnt).
 */
static inline int
js_popcount(uint64 x)
{
	int			n = 0;

	while (x)
	{
		x &= x - 1;
		n++;
	}
	return n;
}

/*
 * js_match_sig
 *		The signature of a prepared skill set.
 */
static void
js_match_sig(bool has, JsSkillSet s, JsMatchSig *sig)
{
	int			i,
				pop = 0;

	memset(sig, 0, sizeof(*sig));
	sig->has = has;
	if (!has)
		return;
	for (i = 0; i < s.n; i++)
		sig->bits[s.hashes[i] >> 62] |= UINT64CONST(1) << ((s.hashes[i] >> 56) & 63);
	for (i = 0; i < 4; i++)
		pop += js_popcount(sig->bits[i]);
	sig->n = s.n;
	sig->excess = s.n - pop;
}

/*
 * js_match_may_reach
 *		False when the pair surely scores below bar (hundredths): the
 *		skills component is bounded through the signatures (|C n J| <=
 *		popcount(C & J) + excess(C), hence Jaccard <= that / (|C| + |J| -
 *		that)), the other components first by their weights, then by
 *		their values (cheap: no merge).  A margin of one
 *		hundredth covers rounding.  Exact scores are only computed for
 *		pairs that pass: this is what makes a candidate cost a few
 *		nanoseconds per open post.
 */
static inline bool
js_match_may_reach(const JsMatchCand *c, const JsMatchSig *psig,
				   const JsPostSide *p, int64 bar)
{
	const JsWeights *w = &js_default_weights;
	const JsMatchSig *csig = &c->sig;
	double		sk = 0.0,
				rest;

	if (csig->has && psig->has && csig->n + psig->n > 0)
	{
		int			common = csig->excess +
			js_popcount(csig->bits[0] & psig->bits[0]) + js_popcount(csig->bits[1] & psig->bits[1]) +
			js_popcount(csig->bits[2] & psig->bits[2]) + js_popcount(csig->bits[3] & psig->bits[3]);

		common = Min(common, Min(csig->n, psig->n));
		sk = w->skills * (double) common / (double) (csig->n + psig->n - common);
	}
	/* first with the other components at their maximum ... */
	rest = w->category + w->experience + w->seniority + w->salary;
	if ((rest + sk) * 100.0 + 1.0 < (double) bar)
		return false;
	/* ... then with their values */
	rest = js_component_category(&c->side, p, w->category) +
		js_component_experience(&c->side, p, w->experience) +
		js_component_seniority(&c->side, p, w->seniority) +
		js_component_salary(&c->side, p, w->salary);
	return (rest + sk) * 100.0 + 1.0 >= (double) bar;
}

/* A row read from SPI: the columns every query of this file returns. */
typedef struct JsMatchRow
{
	unsigned char id[16];
	bool		has_category;
	uint64_t	category;
	bool		has_skills;
	JsSkillSet	skills;
	bool		has_years;
	double		years;
	int			level;
	bool		has_salary;
	double		salary;
	bool		has_deadline;
	DateADT		deadline;
	char		kind;			/* queue rows: 'c' or 'p' */
	int			order;			/* queue rows: position in seq order */
} JsMatchRow;

/*
 * js_match_row_cmp
 *		qsort order of a run of candidates: by family, then seq.
 */
static int
js_match_row_cmp(const void *a, const void *b)
{
	const JsMatchRow *x = a;
	const JsMatchRow *y = b;

	if (x->category != y->category)
		return x->category < y->category ? -1 : 1;
	return (x->order > y->order) - (x->order < y->order);
}

/*
 * js_match_read_row
 *		Reads id, category, skills, years, level, salary (and deadline when
 *		first + 6 is a column) from columns first .. first + 6 of an SPI
 *		row.  The skill hashes are allocated in the index's context.
 */
static void
js_match_read_row(HeapTuple tup, TupleDesc desc, int first, JsMatchRow *r)
{
	bool		isnull;
	Datum		d;

	memset(r, 0, sizeof(*r));
	d = SPI_getbinval(tup, desc, first, &isnull);
	memcpy(r->id, DatumGetUUIDP(d)->data, 16);
	d = SPI_getbinval(tup, desc, first + 1, &isnull);
	if ((r->has_category = !isnull))
	{
		text	   *t = DatumGetTextPP(d);

		r->category = js_category_hash(VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t));
	}
	d = SPI_getbinval(tup, desc, first + 2, &isnull);
	if ((r->has_skills = !isnull))
	{
		ArrayType  *arr = DatumGetArrayTypeP(d);
		int			n = ArrayGetNItems(ARR_NDIM(arr), ARR_DIMS(arr));
		uint64_t   *h = MemoryContextAlloc(js_idx.cxt, sizeof(uint64_t) * Max(n, 1));

		r->skills.n = js_hash_skill_array(arr, h);
		r->skills.hashes = h;
	}
	d = SPI_getbinval(tup, desc, first + 3, &isnull);
	if ((r->has_years = !isnull))
		r->years = DatumGetFloat8(d);
	r->level = JS_SENIORITY_NONE;
	d = SPI_getbinval(tup, desc, first + 4, &isnull);
	if (!isnull)
	{
		text	   *t = DatumGetTextPP(d);

		r->level = js_sql_level(VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t));
	}
	d = SPI_getbinval(tup, desc, first + 5, &isnull);
	if ((r->has_salary = !isnull))
		r->salary = DatumGetFloat8(d);
	if (desc->natts >= first + 6)
	{
		d = SPI_getbinval(tup, desc, first + 6, &isnull);
		if ((r->has_deadline = !isnull))
			r->deadline = DatumGetDateADT(d);
	}
}

/*
 * js_match_add_post
 *		Adds a post to its family's posts; returns it.
 */
static JsMatchPost *
js_match_add_post(JsMatchFamily *f, const JsMatchRow *r)
{
	JsMatchPost *p;

	f->posts = js_match_grow(f->posts, f->nposts, &f->capposts, sizeof(JsMatchPost));
	p = &f->posts[f->nposts++];
	memcpy(p->id, r->id, 16);
	p->has_deadline = r->has_deadline;
	p->deadline = r->deadline;
	p->side.has_category = r->has_category;
	p->side.category = r->category;
	p->side.has_skills = r->has_skills;
	p->side.skills = r->skills;
	p->side.has_min_years = r->has_years;
	p->side.min_years = r->years;
	p->side.level = r->level;
	p->side.has_salary_max = r->has_salary;
	p->side.salary_max = r->salary;
	js_match_sig(r->has_skills, r->skills, &p->sig);
	return p;
}

/*
 * js_match_add_cand
 *		Adds a candidate (without a shortlist) to its family; returns it.
 */
static JsMatchCand *
js_match_add_cand(JsMatchFamily *f, const JsMatchRow *r)
{
	JsMatchCand *c;

	f->cands = js_match_grow(f->cands, f->ncands, &f->capcands, sizeof(JsMatchCand));
	c = &f->cands[f->ncands++];
	memcpy(c->id, r->id, 16);
	c->heap_valid = false;
	c->heap_n = 0;
	c->heap = NULL;
	c->side.has_category = r->has_category;
	c->side.category = r->category;
	c->side.has_skills = r->has_skills;
	c->side.skills = r->skills;
	c->side.has_years = r->has_years;
	c->side.years = r->years;
	c->side.level = r->level;
	c->side.has_salary = r->has_salary;
	c->side.expected_salary = r->salary;
	js_match_sig(r->has_skills, r->skills, &c->sig);
	return c;
}

/*
 * js_match_load_query
 *		Runs one load query through a cursor (a fresh snapshot, so the
 *		rows and the queue they are checked against agree) and adds its
 *		rows to the index.
 */
static void
js_match_load_query(const char *sql, bool posts)
{
	SPIPlanPtr	plan = SPI_prepare(sql, 0, NULL);
	Portal		portal;

	if (plan == NULL)
		elog(ERROR, "SPI_prepare failed: %s", SPI_result_code_string(SPI_result));
	portal = SPI_cursor_open(NULL, plan, NULL, NULL, false);
	for (;;)
	{
		uint64		i;

		SPI_cursor_fetch(portal, true, 10000);
		if (SPI_processed == 0)
			break;
		for (i = 0; i < SPI_processed; i++)
		{
			JsMatchRow	r;

			js_match_read_row(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 1, &r);
			if (!r.has_category)
				continue;
			if (posts)
				js_match_add_post(js_match_family(r.category), &r);
			else
				js_match_add_cand(js_match_family(r.category), &r);
		}
		SPI_freetuptable(SPI_tuptable);
		CHECK_FOR_INTERRUPTS();
	}
	SPI_cursor_close(portal);
	SPI_freeplan(plan);
}

/*
 * js_match_load
 *		(Re)builds the index from the tables: open posts and candidates with
 *		a family, less what is still queued.
 */
static void
js_match_load(int k, int64 min_cents, DateADT today, Oid queue_relid)
{
	pgstat_report_activity(STATE_RUNNING, "jobstream: loading the matcher index");
	js_match_index_reset(k, min_cents, today, queue_relid);
	js_match_load_query("SELECT p.post_id, p.job_category, p.required_skills, "
						"p.min_years_experience::pg_catalog.float8, p.experience_level, "
						"p.salary_max::pg_catalog.float8, p.deadline_date "
						"FROM jobstream.job_posts p "
						"WHERE (p.deadline_date IS NULL OR p.deadline_date >= CURRENT_DATE) "
						"AND NOT EXISTS (SELECT FROM jobstream.match_queue q "
						"WHERE q.kind = 'p' AND q.id = p.post_id)", true);
	js_match_load_query("SELECT c.candidate_id, c.job_category, c.skills, "
						"c.years_experience::pg_catalog.float8, c.experience_level, "
						"c.expected_salary::pg_catalog.float8 "
						"FROM jobstream.candidates c "
						"WHERE c.job_category IS NOT NULL "
						"AND NOT EXISTS (SELECT FROM jobstream.match_queue q "
						"WHERE q.kind = 'c' AND q.id = c.candidate_id)", false);
	js_idx.loaded = true;
}

/* ---------------------------------------------------------------------
 * Matching
 * ---------------------------------------------------------------------
 */

/*
 * js_match_shortlist
 *		Computes a candidate's shortlist over the open posts of its family
 *		(all of them: the caller adds a new post only afterwards) into its
 *		heap; returns the number of pairs looked at.
 */
static int64
js_match_shortlist(JsMatchFamily *f, JsMatchCand *c, int k, int64 min_cents)
{
	JsTopK		h;
	int			i;
	int64		pairs = 0;

	if (c->heap == NULL)
		c->heap = MemoryContextAlloc(js_idx.cxt, sizeof(JsTopKItem) * k);
	js_topk_init(&h, c->heap, k, k);
	for (i = 0; i < f->nposts; i++)
	{
		JsMatchPost *p = &f->posts[i];
		int64		bar = min_cents,
					worst,
					cents;

		if (p->has_deadline && p->deadline < js_idx.today)
			continue;
		pairs++;
		if (js_topk_threshold(&h, &worst) && worst > bar)
			bar = worst;
		if (!js_match_may_reach(c, &p->sig, &p->side, bar))
			continue;
		cents = js_score(&c->side, &p->side, &js_default_weights, NULL);
		if (cents >= min_cents)
			js_topk_offer(&h, cents, p->id);
	}
	c->heap_n = (int32) h.n;
	c->heap_valid = true;
	return pairs;
}

/*
 * js_match_find_post
 *		The post of family f with this id (a linear scan: it runs only for
 *		the applications a new candidate makes, a few per candidate).
 */
static const JsMatchPost *
js_match_find_post(const JsMatchFamily *f, const unsigned char *id)
{
	for (int i = 0; i < f->nposts; i++)
		if (memcmp(f->posts[i].id, id, 16) == 0)
			return &f->posts[i];
	elog(ERROR, "jobstream matcher: a shortlisted post is missing from its family");
	return NULL;				/* keep the compiler quiet */
}

/*
 * js_match_decide
 *		Records an application of c to the post (post_id, and its side, or
 *		NULL to look it up in f) when the apply draw says so, with the
 *		components of its score.
 */
static void
js_match_decide(JsMatchBatch *b, const JsMatchFamily *f, const JsMatchCand *c,
				const unsigned char *post, const JsPostSide *side, int64 cents)
{
	const unsigned char *cand = c->id;
	JsMatchApp *a;
	JsBreakdown bd;

	if (js_match_draw(b->seed, cand, post, "apply") >= b->share)
		return;
	if (side == NULL)
		side = &js_match_find_post(f, post)->side;
	js_score(&c->side, side, &js_default_weights, &bd);
	if (b->napps == b->cap)
	{
		b->cap = Max(256, b->cap * 2);
		b->apps = b->apps ? repalloc_huge(b->apps, sizeof(JsMatchApp) * b->cap) :
			palloc(sizeof(JsMatchApp) * b->cap);
	}
	a = &b->apps[b->napps++];
	memcpy(a->cand, cand, 16);
	memcpy(a->post, post, 16);
	a->cents = cents;
	js_breakdown_cents(&bd, a->parts);
	a->status = js_application_status((double) cents / 100.0,
									  js_match_draw(b->seed, cand, post, "status"));
}

/*
 * js_match_new_candidate
 *		A candidate arrives: its shortlist is computed, it applies (by draw)
 *		to each post of it, and it joins the index.
 */
static void
js_match_new_candidate(JsMatchBatch *b, const JsMatchRow *r)
{
	JsMatchFamily *f = js_match_family(r->category);
	JsMatchCand *c = js_match_add_cand(f, r);
	JsTopK		h;
	size_t		i;

	b->pairs += js_match_shortlist(f, c, b->k, b->min_cents);
	memcpy(b->scratch, c->heap, sizeof(JsTopKItem) * c->heap_n);
	js_topk_init(&h, b->scratch, b->k, b->k);
	h.n = c->heap_n;
	js_topk_sort(&h);
	for (i = 0; i < h.n; i++)
		js_match_decide(b, f, c, h.items[i].id, NULL, h.items[i].score_cents);
}

/*
 * js_match_new_post
 *		A post arrives: every candidate of its family whose shortlist it
 *		enters applies (by draw), and it joins the index.  A post whose
 *		deadline has already passed is not open: it is skipped.
 */
static void
js_match_new_post(JsMatchBatch *b, const JsMatchRow *r)
{
	JsMatchFamily *f = js_match_family(r->category);
	JsPostSide	side;
	JsMatchSig	sig;
	int			i;

	if (r->has_deadline && r->deadline < js_idx.today)
		return;
	side.has_category = r->has_category;
	side.category = r->category;
	side.has_skills = r->has_skills;
	side.skills = r->skills;
	side.has_min_years = r->has_years;
	side.min_years = r->years;
	side.level = r->level;
	side.has_salary_max = r->has_salary;
	side.salary_max = r->salary;
	js_match_sig(r->has_skills, r->skills, &sig);

	for (i = 0; i < f->ncands; i++)
	{
		JsMatchCand *c = &f->cands[i];
		int64		cents;
		JsTopK		h;

		b->pairs++;
		if (!js_match_may_reach(c, &sig, &side, b->min_cents))
			continue;
		cents = js_score(&c->side, &side, &js_default_weights, NULL);
		if (cents < b->min_cents)
			continue;
		if (!c->heap_valid)
			b->pairs += js_match_shortlist(f, c, b->k, b->min_cents);
		js_topk_init(&h, c->heap, b->k, b->k);
		h.n = c->heap_n;
		if (js_topk_offer(&h, cents, r->id))
			js_match_decide(b, f, c, r->id, &side, cents);
		c->heap_n = (int32) h.n;
		if ((i & 4095) == 0)
			CHECK_FOR_INTERRUPTS();
	}
	js_match_add_post(f, r);
}

/*
 * js_match_insert
 *		Writes the pass's applications (ON CONFLICT DO NOTHING on every
 *		unique key); returns how many rows were inserted.  When the
 *		matcher produces to Kafka, the ids of the inserted rows also go to
 *		jobstream.match_outbox, in the same statement (match_produce.c).
 */
static int64
js_match_insert(JsMatchBatch *b)
{
	Datum	   *ids,
			   *cands,
			   *posts,
			   *statuses,
			   *scores;
	Datum	   *parts[JS_SCORE_NCOMPONENTS];
	Datum		args[6 + JS_SCORE_NCOMPONENTS];
	Oid			types[6 + JS_SCORE_NCOMPONENTS] = {UUIDARRAYOID, UUIDARRAYOID, UUIDARRAYOID, TEXTARRAYOID,
		NUMERICARRAYOID, BOOLOID, NUMERICARRAYOID, NUMERICARRAYOID, NUMERICARRAYOID,
	NUMERICARRAYOID, NUMERICARRAYOID};
	bool		isnull;
	int			i,
				rc;

	if (b->napps == 0)
		return 0;
	ids = palloc(sizeof(Datum) * b->napps);
	cands = palloc(sizeof(Datum) * b->napps);
	posts = palloc(sizeof(Datum) * b->napps);
	statuses = palloc(sizeof(Datum) * b->napps);
	scores = palloc(sizeof(Datum) * b->napps);
	for (int k = 0; k < JS_SCORE_NCOMPONENTS; k++)
		parts[k] = palloc(sizeof(Datum) * b->napps);
	for (i = 0; i < b->napps; i++)
	{
		pg_uuid_t  *u = palloc(sizeof(pg_uuid_t) * 3);

		js_match_application_id(b->apps[i].cand, b->apps[i].post, u[0].data);
		memcpy(u[1].data, b->apps[i].cand, 16);
		memcpy(u[2].data, b->apps[i].post, 16);
		ids[i] = UUIDPGetDatum(&u[0]);
		cands[i] = UUIDPGetDatum(&u[1]);
		posts[i] = UUIDPGetDatum(&u[2]);
		statuses[i] = CStringGetTextDatum(b->apps[i].status);
		scores[i] = NumericGetDatum(int64_div_fast_to_numeric(b->apps[i].cents, 2));
		for (int k = 0; k < JS_SCORE_NCOMPONENTS; k++)
			parts[k][i] = NumericGetDatum(int64_div_fast_to_numeric(b->apps[i].parts[k], 2));
	}
	args[0] = PointerGetDatum(construct_array(ids, b->napps, UUIDOID, UUID_LEN, false, TYPALIGN_CHAR));
	args[1] = PointerGetDatum(construct_array(cands, b->napps, UUIDOID, UUID_LEN, false, TYPALIGN_CHAR));
	args[2] = PointerGetDatum(construct_array(posts, b->napps, UUIDOID, UUID_LEN, false, TYPALIGN_CHAR));
	args[3] = PointerGetDatum(construct_array(statuses, b->napps, TEXTOID, -1, false, TYPALIGN_INT));
	args[4] = PointerGetDatum(construct_array(scores, b->napps, NUMERICOID, -1, false, TYPALIGN_INT));
	args[5] = BoolGetDatum(js_produce_enabled());
	for (int k = 0; k < JS_SCORE_NCOMPONENTS; k++)
		args[6 + k] = PointerGetDatum(construct_array(parts[k], b->napps, NUMERICOID, -1, false, TYPALIGN_INT));
	rc = SPI_execute_with_args("WITH ins AS (INSERT INTO jobstream.job_applications "
							   "(application_id, candidate_id, post_id, status, compatibility_score, applied_at, "
							   "category_score, skills_score, experience_score, seniority_score, salary_score) "
							   "SELECT a, c, p, s, sc, pg_catalog.now(), s1, s2, s3, s4, s5 "
							   "FROM ROWS FROM (pg_catalog.unnest($1), pg_catalog.unnest($2), pg_catalog.unnest($3), "
							   "pg_catalog.unnest($4), pg_catalog.unnest($5), pg_catalog.unnest($7), "
							   "pg_catalog.unnest($8), pg_catalog.unnest($9), pg_catalog.unnest($10), "
							   "pg_catalog.unnest($11)) AS u(a, c, p, s, sc, s1, s2, s3, s4, s5) "
							   "ON CONFLICT DO NOTHING RETURNING application_id), "
							   "ob AS (INSERT INTO jobstream.match_outbox (application_id) "
							   "SELECT application_id FROM ins WHERE $6 ON CONFLICT DO NOTHING) "
							   "SELECT pg_catalog.count(*) FROM ins",
							   6 + JS_SCORE_NCOMPONENTS, types, args, NULL, false, 1);
	if (rc != SPI_OK_SELECT || SPI_processed != 1)
		elog(ERROR, "inserting applications failed: %s", SPI_result_code_string(rc));
	return DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
}

/*
 * js_match_idx_callback
 *		Makes a pass's changes to the index count only when its transaction
 *		commits; after an abort the index is reloaded.
 */
static void
js_match_idx_callback(XactEvent event, void *arg)
{
	if (!js_idx.pending)
		return;
	if (event == XACT_EVENT_COMMIT || event == XACT_EVENT_PARALLEL_COMMIT)
	{
		js_idx.pending = false;
		js_idx.epoch = js_idx.pending_epoch;
	}
	else if (event == XACT_EVENT_ABORT || event == XACT_EVENT_PARALLEL_ABORT ||
			 event == XACT_EVENT_PREPARE)
		js_idx.loaded = false;
}

/*
 * js_match_min_cents
 *		jobstream.match_min_score in hundredths, rounded up.
 */
static int64
js_match_min_cents(void)
{
	return (int64) ceil(js_match_min_score * 100.0 - 1e-6);
}

/*
 * js_match_pass
 *		One matching pass in the current transaction: takes up to max_items
 *		queued rows (all when <= 0), matches them, writes the applications
 *		and the counters.  The caller commits.  With wait false, a pass
 *		held by another process is skipped (res->busy).
 */
static void
js_match_pass(int64 max_items, bool wait, JsMatchResult *res)
{
	Oid			nsp,
				queue_relid;
	Datum		arg;
	Oid			argtype = INT8OID;
	int64		epoch;
	bool		isnull;
	int			k = js_match_k;
	int64		min_cents = js_match_min_cents();
	DateADT		today;
	JsMatchBatch b;
	uint64		i,
				n,
				nrows = 0;
	int			rc;
	SPITupleTable *tt;
	JsMatchRow *rows;
	instr_time	start,
				duration;
	char		sql[128];

	memset(res, 0, sizeof(*res));
	INSTR_TIME_SET_CURRENT(start);
	nsp = get_namespace_oid("jobstream", true);
	queue_relid = OidIsValid(nsp) ? get_relname_relid("match_queue", nsp) : InvalidOid;
	/* before ALTER EXTENSION UPDATE to 0.3 there is no lock table: idle */
	if (!OidIsValid(queue_relid) || !OidIsValid(get_relname_relid("match_lock", nsp)))
		return;
	res->installed = true;

	SPI_connect();
	snprintf(sql, sizeof(sql), "SELECT FROM jobstream.match_lock FOR NO KEY UPDATE%s",
			 wait ? "" : " SKIP LOCKED");
	rc = SPI_execute(sql, false, 0);
	if (rc != SPI_OK_SELECT)
		elog(ERROR, "could not take the matcher lock");
	if (SPI_processed != 1)
	{
		rc = SPI_execute("SELECT FROM jobstream.match_lock", true, 0);
		if (rc != SPI_OK_SELECT || SPI_processed != 1)
			ereport(ERROR,
					(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
					 errmsg("jobstream.match_lock must hold exactly one row"),
					 errhint("Re-create the extension, or insert the row with INSERT INTO jobstream.match_lock DEFAULT VALUES.")));
		res->busy = true;
		SPI_finish();
		return;
	}
	rc = SPI_execute("SELECT epoch FROM jobstream.match_state", false, 1);
	if (rc != SPI_OK_SELECT || SPI_processed != 1)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("jobstream.match_state must hold exactly one row"),
				 errhint("Re-create the extension, or insert the row with INSERT INTO jobstream.match_state DEFAULT VALUES.")));
	epoch = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
	today = GetSQLCurrentDate();

	if (!js_idx_callback)
	{
		RegisterXactCallback(js_match_idx_callback, NULL);
		js_idx_callback = true;
	}
	if (!js_idx.loaded || js_idx.pending || js_idx.epoch != epoch ||
		js_idx.today != today || js_idx.k != k || js_idx.min_cents != min_cents ||
		js_idx.queue_relid != queue_relid || js_idx.ladder != js_sql_ladder_version())
	{
		js_match_load(k, min_cents, today, queue_relid);
		js_idx.epoch = epoch;
	}

	pgstat_report_activity(STATE_RUNNING, "jobstream: matching");
	arg = Int64GetDatum(max_items > 0 ? max_items : PG_INT64_MAX);
	rc = SPI_execute_with_args("WITH q AS (DELETE FROM jobstream.match_queue WHERE seq IN "
							   "(SELECT seq FROM jobstream.match_queue ORDER BY seq LIMIT $1 "
							   "FOR UPDATE SKIP LOCKED) RETURNING seq, kind, id, enqueued_at) "
							   "SELECT q.kind, q.enqueued_at, "
							   "q.id, "
							   "CASE q.kind WHEN 'c' THEN c.job_category ELSE p.job_category END, "
							   "CASE q.kind WHEN 'c' THEN c.skills ELSE p.required_skills END, "
							   "(CASE q.kind WHEN 'c' THEN c.years_experience ELSE p.min_years_experience END)::pg_catalog.float8, "
							   "CASE q.kind WHEN 'c' THEN c.experience_level ELSE p.experience_level END, "
							   "(CASE q.kind WHEN 'c' THEN c.expected_salary ELSE p.salary_max END)::pg_catalog.float8, "
							   "p.deadline_date, "
							   "(c.candidate_id IS NOT NULL OR p.post_id IS NOT NULL) "
							   "FROM q LEFT JOIN jobstream.candidates c ON q.kind = 'c' AND c.candidate_id = q.id "
							   "LEFT JOIN jobstream.job_posts p ON q.kind = 'p' AND p.post_id = q.id "
							   "ORDER BY q.seq",
							   1, &argtype, &arg, NULL, false, 0);
	if (rc != SPI_OK_SELECT)
		elog(ERROR, "taking the match queue failed: %s", SPI_result_code_string(rc));
	n = SPI_processed;
	tt = SPI_tuptable;
	if (n == 0)
	{
		SPI_finish();
		return;
	}

	/* From here on the index changes: it counts only if we commit. */
	js_idx.pending = true;
	memset(&b, 0, sizeof(b));
	b.k = k;
	b.min_cents = min_cents;
	b.share = js_match_apply_share;
	b.seed = js_match_seed;
	b.scratch = palloc(sizeof(JsTopKItem) * k);
	/*
	 * Read the rows, then match them in seq order, except that each run of
	 * consecutive candidates is taken family by family: candidates do not
	 * change each other's results, and the posts of one family stay in the
	 * CPU caches.
	 */
	rows = palloc(sizeof(JsMatchRow) * n);
	for (i = 0; i < n; i++)
	{
		HeapTuple	tup = tt->vals[i];
		char		kind = DatumGetChar(SPI_getbinval(tup, tt->tupdesc, 1, &isnull));

		if (!DatumGetBool(SPI_getbinval(tup, tt->tupdesc, 10, &isnull)))
			continue;			/* deleted since it was queued */
		js_match_read_row(tup, tt->tupdesc, 3, &rows[nrows]);
		if (!rows[nrows].has_category)
			continue;
		rows[nrows].kind = kind;
		rows[nrows].order = (int) nrows;
		nrows++;
	}
	for (i = 0; i < nrows;)
	{
		uint64		j = i;

		CHECK_FOR_INTERRUPTS();
		if (rows[i].kind != 'c')
		{
			js_match_new_post(&b, &rows[i]);
			i++;
			continue;
		}
		while (j < nrows && rows[j].kind == 'c')
			j++;
		qsort(rows + i, j - i, sizeof(JsMatchRow), js_match_row_cmp);
		for (; i < j; i++)
			js_match_new_candidate(&b, &rows[i]);
	}
	res->processed = (int64) n;
	res->pairs = b.pairs;
	res->decided = b.napps;
	res->applications = js_match_insert(&b);

	INSTR_TIME_SET_CURRENT(duration);
	INSTR_TIME_SUBTRACT(duration, start);
	{
		Datum		sargs[4];
		Oid			stypes[4] = {INT8OID, INT8OID, INT8OID, FLOAT8OID};

		sargs[0] = Int64GetDatum(res->pairs);
		sargs[1] = Int64GetDatum(res->applications);
		sargs[2] = Int64GetDatum(res->processed);
		sargs[3] = Float8GetDatum(INSTR_TIME_GET_MILLISEC(duration));
		rc = SPI_execute_with_args("UPDATE jobstream.match_state SET "
								   "pairs_scored = pairs_scored + $1, applications = applications + $2, "
								   "processed = processed + $3, batches = batches + 1, "
								   "epoch = epoch + 1, "
								   "last_batch_at = pg_catalog.now(), last_batch_ms = $4 "
								   "RETURNING epoch",
								   4, stypes, sargs, NULL, false, 0);
		if (rc != SPI_OK_UPDATE_RETURNING || SPI_processed != 1)
			elog(ERROR, "updating jobstream.match_state failed");
		js_idx.pending_epoch = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0],
															 SPI_tuptable->tupdesc, 1, &isnull));
	}
	SPI_finish();
}

/*
 * jobstream_match_now
 *		match_now(max_items integer DEFAULT NULL) -> (processed,
 *		pairs_scored, applications): one pass in this session.
 */
Datum
jobstream_match_now(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	JsMatchResult res;
	Datum		values[3];
	bool		nulls[3] = {false};
	int64		max_items = PG_ARGISNULL(0) ? 0 : PG_GETARG_INT32(0);

	if (!PG_ARGISNULL(0) && max_items <= 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("max_items must be positive: " INT64_FORMAT, max_items),
				 errhint("Pass NULL to process the whole queue.")));
	if (IsolationUsesXactSnapshot())
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("jobstream.match_now() must run in a READ COMMITTED transaction"),
				 errhint("Call it outside an explicit REPEATABLE READ or SERIALIZABLE transaction.")));
	InitMaterializedSRF(fcinfo, 0);
	js_match_pass(max_items, true, &res);
	values[0] = Int64GetDatum(res.processed);
	values[1] = Int64GetDatum(res.pairs);
	values[2] = Int64GetDatum(res.applications);
	tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	return (Datum) 0;
}

/* ---------------------------------------------------------------------
 * The worker
 * ---------------------------------------------------------------------
 */

/*
 * js_matcher_record_error
 *		Stores a failure in match_state, in a transaction of its own.  Must
 *		be called outside a transaction.
 */
void
js_matcher_record_error(const char *message)
{
	Datum		arg = CStringGetTextDatum(message);
	Oid			type = TEXTOID;

	PG_TRY();
	{
		SetCurrentStatementStartTimestamp();
		StartTransactionCommand();
		SPI_connect();
		PushActiveSnapshot(GetTransactionSnapshot());
		if (OidIsValid(get_namespace_oid("jobstream", true)))
			SPI_execute_with_args("UPDATE jobstream.match_state SET last_error = $1, "
								  "last_error_at = pg_catalog.now()",
								  1, &type, &arg, NULL, false, 0);
		SPI_finish();
		PopActiveSnapshot();
		CommitTransactionCommand();
	}
	PG_CATCH();
	{
		/* the original error is logged already; do not loop on this one */
		FlushErrorState();
		AbortCurrentTransaction();
	}
	PG_END_TRY();
}

/*
 * js_matcher_detach
 *		Clears the latch in shared memory when the worker exits.
 */
static void
js_matcher_detach(int code, Datum arg)
{
	if (js_match_shared == NULL)
		return;
	SpinLockAcquire(&js_match_shared->mutex);
	if (js_match_shared->latch == MyLatch)
	{
		js_match_shared->latch = NULL;
		js_match_shared->busy_since = 0;
	}
	SpinLockRelease(&js_match_shared->mutex);
}

/*
 * js_matcher_shutdown
 *		Drops the Kafka producer when the worker exits (bounded: what is not
 *		delivered stays in the outbox and is sent by the next matcher).
 */
static void
js_matcher_shutdown(int code, Datum arg)
{
	js_produce_shutdown();
}

/*
 * jobstream_matcher_main
 *		Entry point of the matcher worker.
 */
void
jobstream_matcher_main(Datum main_arg)
{
	MemoryContext pass_cxt;
	volatile long backoff_ms = 0;

	pqsignal(SIGHUP, SignalHandlerForConfigReload);
	pqsignal(SIGTERM, die);
	BackgroundWorkerUnblockSignals();

	js_worker_connect(InvalidOid);
	pgstat_report_appname("jobstream matcher");

	if (js_match_shared != NULL)
	{
		SpinLockAcquire(&js_match_shared->mutex);
		js_match_shared->latch = MyLatch;
		SpinLockRelease(&js_match_shared->mutex);
		before_shmem_exit(js_matcher_detach, (Datum) 0);
	}
	before_shmem_exit(js_matcher_shutdown, (Datum) 0);
	pass_cxt = AllocSetContextCreate(TopMemoryContext, "jobstream matcher pass",
									 ALLOCSET_DEFAULT_SIZES);

	for (;;)
	{
		JsMatchResult res;
		volatile long wait_ms = js_match_interval;
		long		timeout;

		CHECK_FOR_INTERRUPTS();
		if (ConfigReloadPending)
		{
			ConfigReloadPending = false;
			ProcessConfigFile(PGC_SIGHUP);
		}

		memset(&res, 0, sizeof(res));
		if (js_match_enabled)
		{
			MemoryContext old = MemoryContextSwitchTo(pass_cxt);

			PG_TRY();
			{
				SetCurrentStatementStartTimestamp();
				StartTransactionCommand();
				PushActiveSnapshot(GetTransactionSnapshot());
				js_match_pass(js_match_batch_size, false, &res);
				PopActiveSnapshot();
				CommitTransactionCommand();
				backoff_ms = 0;
			}
			PG_CATCH();
			{
				ErrorData  *edata;

				MemoryContextSwitchTo(pass_cxt);
				edata = CopyErrorData();
				FlushErrorState();
				AbortCurrentTransaction();
				js_idx.loaded = false;
				ereport(LOG,
						(errmsg("jobstream matcher failed: %s", edata->message)));
				js_matcher_record_error(edata->message);
				backoff_ms = backoff_ms == 0 ? 1000 : Min(backoff_ms * 2, 30000);
				wait_ms = backoff_ms;
			}
			PG_END_TRY();
			MemoryContextSwitchTo(old);
			MemoryContextReset(pass_cxt);
		}
		pgstat_report_activity(STATE_IDLE, NULL);
		if (js_match_shared != NULL)
		{
			SpinLockAcquire(&js_match_shared->mutex);
			if (!res.busy)
				js_match_shared->busy_since = 0;
			else if (js_match_shared->busy_since == 0)
				js_match_shared->busy_since = GetCurrentTimestamp();
			SpinLockRelease(&js_match_shared->mutex);
		}

		/* Not installed here (yet) or switched off: look again in a second. */
		if (!js_match_enabled || !res.installed)
			wait_ms = Max(wait_ms, 1000);

		/*
		 * Send what the outbox holds; this never blocks on Kafka, and the
		 * wait below also ends when delivery reports arrive.
		 */
		timeout = wait_ms;
		js_produce_step(res.applications > 0, &timeout);

		/* A full batch: more is queued, go on at once. */
		if (js_match_enabled && res.installed &&
			backoff_ms == 0 && !res.busy && res.processed >= js_match_batch_size)
			continue;

		if (js_produce_wait_fd() >= 0)
			(void) WaitLatchOrSocket(MyLatch,
									 WL_LATCH_SET | WL_SOCKET_READABLE | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH,
									 js_produce_wait_fd(), timeout, PG_WAIT_EXTENSION);
		else
			(void) WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH,
							 timeout, PG_WAIT_EXTENSION);
		ResetLatch(MyLatch);
	}
}
