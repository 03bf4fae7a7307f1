/*
 * stats.c
 *		jobstream.source_stats_internal(): the ingest workers' shared-memory
 *		statistics as a set of rows, one per worker and assigned partition
 *		(one row with a NULL partition for a worker without partitions), and
 *		one for a worker that exited on an error until the launcher's next
 *		one for its source and slice starts.
 *		The SQL views jobstream.source_stats and jobstream.workers join it
 *		with the sources and their committed offsets.
 */
#include "postgres.h"

#include "fmgr.h"
#include "funcapi.h"
#include "utils/builtins.h"

#include "jobstream.h"

PG_FUNCTION_INFO_V1(jobstream_source_stats_internal);

#define JS_STATS_COLS 23

/*
 * jobstream_source_stats_internal
 *		Copies each slot under its spinlock and emits its rows.
 */
Datum
jobstream_source_stats_internal(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	int			i;

	InitMaterializedSRF(fcinfo, 0);

	if (js_shared == NULL)
		PG_RETURN_VOID();

	for (i = 0; i < js_shared->nslots; i++)
	{
		JsWorkerSlot s;
		int			p;

		SpinLockAcquire(&js_shared->slots[i].mutex);
		memcpy(&s, &js_shared->slots[i], sizeof(s));
		SpinLockRelease(&js_shared->slots[i].mutex);
		/* a slot left by a worker that exited on an error shows that */
		if (!s.in_use && !s.failed_exit)
			continue;

		for (p = 0; p < Max(s.npartitions, 1); p++)
		{
			Datum		values[JS_STATS_COLS];
			bool		nulls[JS_STATS_COLS];
			int			c = 0;

			memset(nulls, 0, sizeof(nulls));
			values[c++] = Int32GetDatum(s.pid);
			values[c++] = Int32GetDatum(s.source_id);
			values[c++] = Int32GetDatum(s.slice);
			values[c++] = CStringGetTextDatum(js_worker_state_name(s.state));
			values[c++] = TimestampTzGetDatum(s.started_at);
			nulls[c] = s.last_batch_at == 0;
			values[c++] = TimestampTzGetDatum(s.last_batch_at);
			nulls[c] = s.last_batch_at == 0;
			values[c++] = Float8GetDatum(s.last_batch_ms);
			values[c++] = Int64GetDatum(s.messages);
			values[c++] = Int64GetDatum(s.rows);
			values[c++] = Int64GetDatum(s.dead_letters);
			values[c++] = Int64GetDatum(s.batches);
			values[c++] = Int64GetDatum(s.errors);
			values[c++] = Float8GetDatum(s.rate);
			nulls[c] = s.last_error_at == 0;
			values[c++] = CStringGetTextDatum(s.last_error);
			nulls[c] = s.last_error_at == 0;
			values[c++] = TimestampTzGetDatum(s.last_error_at);
			if (s.npartitions == 0)
			{
				for (; c < JS_STATS_COLS - 2; c++)
				{
					nulls[c] = true;
					values[c] = (Datum) 0;
				}
			}
			else
			{
				JsPartitionStats *ps = &s.partitions[p];

				values[c++] = Int32GetDatum(ps->partition);
				values[c++] = BoolGetDatum(ps->assigned);
				nulls[c] = ps->high_watermark < 0;
				values[c++] = Int64GetDatum(ps->high_watermark);
				nulls[c] = ps->next_offset < 0;
				values[c++] = Int64GetDatum(ps->next_offset);
				values[c++] = Int64GetDatum(ps->messages);
				values[c++] = Int64GetDatum(ps->dead_letters);
			}
			/* added in 0.3: a 0.2 definition of the function reads fewer */
			nulls[c] = s.failing_since == 0;
			values[c++] = TimestampTzGetDatum(s.failing_since);
			values[c++] = Int32GetDatum(s.retries);
			tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
		}
	}
	PG_RETURN_VOID();
}
