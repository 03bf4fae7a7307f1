/*
 * shmem.c
 *		Shared memory of the launcher and the ingest workers.
 *
 * The segment holds a generation counter that every committed change of
 * jobstream.sources bumps (so the launcher reacts within a second without
 * polling), the launcher's latch, and one statistics slot per possible
 * ingest worker.  Slots are claimed by workers themselves, so a worker
 * that was started by a previous launcher incarnation still shows up.  A
 * crash restart of the server re-initialises everything, which is right:
 * no worker survives it.
 */
#include "postgres.h"

#include "miscadmin.h"
#include "storage/ipc.h"
#include "storage/lwlock.h"
#include "storage/shmem.h"

#include "jobstream.h"

JsShared   *js_shared = NULL;

static shmem_request_hook_type prev_shmem_request_hook = NULL;
static shmem_startup_hook_type prev_shmem_startup_hook = NULL;

/*
 * js_shmem_size
 *		Bytes of the segment for jobstream.max_workers slots.
 */
static Size
js_shmem_size(void)
{
	return add_size(offsetof(JsShared, slots),
					mul_size(sizeof(JsWorkerSlot), Max(js_max_workers, 1)));
}

static void
js_shmem_request(void)
{
	if (prev_shmem_request_hook)
		prev_shmem_request_hook();
	RequestAddinShmemSpace(js_shmem_size());
}

/*
 * js_shmem_startup
 *		Creates or attaches to the segment.
 */
static void
js_shmem_startup(void)
{
	bool		found;

	if (prev_shmem_startup_hook)
		prev_shmem_startup_hook();

	LWLockAcquire(AddinShmemInitLock, LW_EXCLUSIVE);
	js_shared = ShmemInitStruct("jobstream", js_shmem_size(), &found);
	if (!found)
	{
		int			i;

		memset(js_shared, 0, js_shmem_size());
		pg_atomic_init_u64(&js_shared->generation, 1);
		SpinLockInit(&js_shared->mutex);
		js_shared->nslots = Max(js_max_workers, 1);
		for (i = 0; i < js_shared->nslots; i++)
			SpinLockInit(&js_shared->slots[i].mutex);
	}
	LWLockRelease(AddinShmemInitLock);
}

/*
 * js_shmem_init
 *		Installs the hooks; called from _PG_init in the postmaster.
 */
void
js_shmem_init(void)
{
	prev_shmem_request_hook = shmem_request_hook;
	shmem_request_hook = js_shmem_request;
	prev_shmem_startup_hook = shmem_startup_hook;
	shmem_startup_hook = js_shmem_startup;
}

/*
 * js_slot_claim
 *		Takes a free slot for the calling worker, or returns NULL when all
 *		jobstream.max_workers slots are taken.
 */
JsWorkerSlot *
js_slot_claim(int32 source_id, int32 slice)
{
	JsWorkerSlot *result = NULL;
	bool		carry = false;
	int			pass,
				i;

	if (js_shared == NULL)
		return NULL;
	SpinLockAcquire(&js_shared->mutex);

	/*
	 * First the slot a worker of this source and slice left when it exited
	 * on an error, whose run of failures goes on; then a free slot that
	 * holds nobody's; then any free slot.
	 */
	for (pass = 0; pass < 3 && result == NULL; pass++)
	{
		for (i = 0; i < js_shared->nslots; i++)
		{
			JsWorkerSlot *s = &js_shared->slots[i];

			if (s->in_use)
				continue;
			if (pass == 0 && !(s->failed_exit && s->source_id == source_id && s->slice == slice))
				continue;
			if (pass == 1 && s->failed_exit)
				continue;
			result = s;
			carry = (pass == 0);
			break;
		}
	}
	if (result != NULL)
	{
		JsWorkerSlot *s = result;

		SpinLockAcquire(&s->mutex);
		s->in_use = true;
		s->failed_exit = false;
		s->pid = MyProcPid;
		s->source_id = source_id;
		s->slice = slice;
		s->state = JS_WORKER_STARTING;
		s->started_at = GetCurrentTimestamp();
		s->last_batch_at = 0;
		s->last_batch_ms = 0;
		s->messages = s->rows = s->dead_letters = 0;
		s->batches = 0;
		s->rate = 0;
		if (!carry)
		{
			s->errors = 0;
			s->last_error_at = 0;
			s->last_error[0] = '\0';
			s->failing_since = 0;
			s->retries = 0;
			s->warned = false;
		}
		s->npartitions = 0;
		SpinLockRelease(&s->mutex);
	}
	SpinLockRelease(&js_shared->mutex);
	return result;
}

/*
 * js_slot_release
 *		Gives a slot back.  A worker that exits on an error (failed) leaves
 *		its run of failures in the slot, one more attempt, for the worker
 *		the launcher starts next for the same source and slice, and for
 *		jobstream.workers, which shows the slot meanwhile.
 */
void
js_slot_release(JsWorkerSlot *slot, bool failed)
{
	int			i;

	if (slot == NULL)
		return;
	SpinLockAcquire(&js_shared->mutex);
	/* a successor that already runs has its own run */
	for (i = 0; i < js_shared->nslots && failed; i++)
	{
		JsWorkerSlot *o = &js_shared->slots[i];

		if (o != slot && o->in_use && o->source_id == slot->source_id && o->slice == slot->slice)
			failed = false;
	}
	SpinLockAcquire(&slot->mutex);
	slot->in_use = false;
	slot->failed_exit = failed;
	if (failed)
	{
		if (slot->failing_since == 0)
			slot->failing_since = GetCurrentTimestamp();
		slot->retries++;
		slot->npartitions = 0;
		slot->rate = 0;
		slot->state = slot->warned ? JS_WORKER_STUCK : JS_WORKER_EXITED;
	}
	else
	{
		slot->pid = 0;
		slot->state = JS_WORKER_FREE;
	}
	SpinLockRelease(&slot->mutex);
	SpinLockRelease(&js_shared->mutex);
}

/*
 * js_slot_forget
 *		Drops what a worker of source_id and slice left when it exited on an
 *		error: the launcher no longer runs one (the source was dropped or
 *		paused, or has fewer workers).
 */
void
js_slot_forget(int32 source_id, int32 slice)
{
	int			i;

	if (js_shared == NULL)
		return;
	SpinLockAcquire(&js_shared->mutex);
	for (i = 0; i < js_shared->nslots; i++)
	{
		JsWorkerSlot *s = &js_shared->slots[i];

		SpinLockAcquire(&s->mutex);
		if (!s->in_use && s->failed_exit && s->source_id == source_id && s->slice == slice)
		{
			s->failed_exit = false;
			s->pid = 0;
			s->state = JS_WORKER_FREE;
		}
		SpinLockRelease(&s->mutex);
	}
	SpinLockRelease(&js_shared->mutex);
}

/*
 * js_slot_failed_list
 *		The sources and slices whose last worker exited on an error and left
 *		its run of failures in a slot, at most max of them; returns how many.
 */
int
js_slot_failed_list(int32 *source_ids, int32 *slices, int max)
{
	int			i,
				n = 0;

	if (js_shared == NULL)
		return 0;
	SpinLockAcquire(&js_shared->mutex);
	for (i = 0; i < js_shared->nslots && n < max; i++)
	{
		JsWorkerSlot *s = &js_shared->slots[i];

		if (!s->in_use && s->failed_exit)
		{
			source_ids[n] = s->source_id;
			slices[n] = s->slice;
			n++;
		}
	}
	SpinLockRelease(&js_shared->mutex);
	return n;
}

/*
 * js_slot_set_error
 *		Records the last error of a worker (cut at a character boundary to
 *		JS_ERRMSG_LEN).
 */
void
js_slot_set_error(JsWorkerSlot *slot, const char *msg)
{
	char		clipped[JS_ERRMSG_LEN];

	if (slot == NULL)
		return;
	js_clip_text_into(clipped, msg, JS_ERRMSG_LEN);
	SpinLockAcquire(&slot->mutex);
	memcpy(slot->last_error, clipped, JS_ERRMSG_LEN);
	slot->last_error_at = GetCurrentTimestamp();
	slot->errors++;
	SpinLockRelease(&slot->mutex);
}

/*
 * js_slot_set_state
 *		Sets what the worker is doing.
 */
void
js_slot_set_state(JsWorkerSlot *slot, JsWorkerState state)
{
	if (slot == NULL)
		return;
	SpinLockAcquire(&slot->mutex);
	slot->state = state;
	SpinLockRelease(&slot->mutex);
}

/*
 * js_wake_launcher
 *		Tells the launcher that jobstream.sources changed: bumps the
 *		generation and sets its latch.  Safe to call without a launcher or
 *		without the library preloaded.
 */
void
js_wake_launcher(void)
{
	Latch	   *latch;

	if (js_shared == NULL)
		return;
	pg_atomic_fetch_add_u64(&js_shared->generation, 1);
	SpinLockAcquire(&js_shared->mutex);
	latch = js_shared->launcher_latch;
	SpinLockRelease(&js_shared->mutex);
	if (latch)
		SetLatch(latch);
}

/*
 * js_worker_state_name
 *		The state's name as shown by jobstream.source_stats.
 */
const char *
js_worker_state_name(JsWorkerState state)
{
	switch (state)
	{
		case JS_WORKER_FREE:
			return "stopped";
		case JS_WORKER_STARTING:
			return "starting";
		case JS_WORKER_WAITING:
			return "waiting for assignment";
		case JS_WORKER_RUNNING:
			return "running";
		case JS_WORKER_BROKER_DOWN:
			return "broker unreachable";
		case JS_WORKER_BACKOFF:
			return "backing off after error";
		case JS_WORKER_STUCK:
			return "stuck";
		case JS_WORKER_EXITED:
			return "exited after error, restarting";
	}
	return "unknown";
}
