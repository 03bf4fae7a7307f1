/*
 * enrich.c
 *		Enriched job posts: the row trigger that stores the skills found in
 *		a post's description with the post (job_posts.description_skills).
 *
 * A C trigger rather than PL/pgSQL because it runs for every post written,
 * on the ingest path: it calls extract_skills' C function directly (its
 * cached automaton, rebuilt when skills or skill_aliases change) and
 * replaces one column of the new row.  The statement trigger that keeps the
 * stored lists in step with the skill tables is SQL (sql/0.3/91_enrich.sql).
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "commands/trigger.h"
#include "executor/spi.h"
#include "fmgr.h"

#include "jobstream.h"

PG_FUNCTION_INFO_V1(jobstream_description_skills);

/*
 * jobstream_description_skills
 *		BEFORE INSERT OR UPDATE row trigger on job_posts: sets
 *		description_skills to extract_skills(description), NULL when the
 *		description is NULL.
 */
Datum
jobstream_description_skills(PG_FUNCTION_ARGS)
{
	static const char *const tables[] = {"job_posts"};
	TriggerData *td = (TriggerData *) fcinfo->context;
	TupleDesc	desc;
	HeapTuple	tup;
	int			dattr,
				sattr;
	Datum		d;
	bool		isnull;
	int			cols[1];
	Datum		vals[1];
	bool		nulls[1];

	js_trigger_check(fcinfo, "job_posts_description_skills", tables, lengthof(tables));
	if (!TRIGGER_FIRED_BEFORE(td->tg_event) ||
		!TRIGGER_FIRED_FOR_ROW(td->tg_event) ||
		!(TRIGGER_FIRED_BY_INSERT(td->tg_event) || TRIGGER_FIRED_BY_UPDATE(td->tg_event)))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("jobstream.job_posts_description_skills() must be a BEFORE INSERT OR UPDATE row trigger"),
				 errhint("Create it with CREATE TRIGGER ... BEFORE INSERT OR UPDATE ... FOR EACH ROW.")));
	desc = td->tg_relation->rd_att;
	tup = TRIGGER_FIRED_BY_UPDATE(td->tg_event) ? td->tg_newtuple : td->tg_trigtuple;
	dattr = SPI_fnumber(desc, "description");
	sattr = SPI_fnumber(desc, "description_skills");
	if (dattr <= 0 || sattr <= 0)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_COLUMN),
				 errmsg("table \"%s\" has no columns description and description_skills",
						RelationGetRelationName(td->tg_relation)),
				 errhint("Use the trigger on jobstream.job_posts, or on a table with both columns.")));
	d = heap_getattr(tup, dattr, desc, &isnull);
	cols[0] = sattr;
	nulls[0] = isnull;
	vals[0] = isnull ? (Datum) 0 : DirectFunctionCall1(jobstream_extract_skills, d);
	return PointerGetDatum(heap_modify_tuple_by_cols(tup, desc, 1, cols, vals, nulls));
}
