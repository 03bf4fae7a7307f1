/*
 * security.c
 *		How jobstream's workers connect, and the check every trigger function
 *		makes on the table that fired it.
 *
 * Workers.  The launcher, the ingest workers, the refresher and the
 * matcher all connect through js_worker_connect: to jobstream.database, as
 * the role named by jobstream.worker_role (empty: the bootstrap superuser,
 * as before that setting existed), and with search_path pinned to
 * pg_catalog, pg_temp, so that no object a user creates can stand in for
 * one the worker means.  The role needs LOGIN and the privileges of the
 * group role jobstream_worker (README, "Security model").
 *
 * Triggers.  A trigger function runs with the privileges of whoever fires
 * it, or of its owner when it is SECURITY DEFINER, and PostgreSQL checks
 * EXECUTE on it only when a trigger is created, never when it fires.  So
 * the extension revokes EXECUTE on every trigger function from everyone
 * (sql/0.3/95_privileges.sql): nobody but the owner can attach one to a
 * table of their own.  As a second line, every trigger function checks the
 * table it was fired for (js_trigger_check here, the same test in the
 * PL/pgSQL ones) and raises insufficient_privilege for any other.
 */
#include "postgres.h"

#include "catalog/namespace.h"
#include "commands/trigger.h"
#include "miscadmin.h"
#include "postmaster/bgworker.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"

#include "jobstream.h"

/*
 * js_worker_connect
 *		Connects this background worker to jobstream.database as
 *		jobstream.worker_role and pins search_path.  dboid, when valid, is
 *		the database the launcher runs in: an ingest worker started by it
 *		must land in the same one (a database dropped and re-created under
 *		the same name in between is refused).
 */
void
js_worker_connect(Oid dboid)
{
	const char *role = (js_worker_role && js_worker_role[0]) ? js_worker_role : NULL;

	if (OidIsValid(dboid) && role == NULL)
		BackgroundWorkerInitializeConnectionByOid(dboid, InvalidOid, 0);
	else
		BackgroundWorkerInitializeConnection(js_database, role, 0);
	if (OidIsValid(dboid) && MyDatabaseId != dboid)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("database \"%s\" is not the one the jobstream launcher runs in",
						js_database),
				 errhint("It was re-created; the launcher restarts its workers.")));
	SetConfigOption("search_path", "pg_catalog, pg_temp", PGC_SUSET, PGC_S_OVERRIDE);
}

/*
 * js_trigger_check
 *		Raises an error unless this function was called as a trigger fired
 *		by one of the tables jobstream.<tables[i]>, or by any table of
 *		schema jobstream when tables is NULL (only the extension's owner
 *		can create tables there); func names the function in the message.
 *		Temporary and other schemas' tables of the same name do not pass:
 *		the namespace is compared by oid.
 */
void
js_trigger_check(FunctionCallInfo fcinfo, const char *func,
				 const char *const *tables, int ntables)
{
	TriggerData *td = (TriggerData *) fcinfo->context;
	Relation	rel;
	int			i;

	if (!CALLED_AS_TRIGGER(fcinfo))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("jobstream.%s() must be called as a trigger", func),
				 errhint("It is attached to jobstream's own tables by the extension; do not call it directly.")));
	rel = td->tg_relation;
	if (RelationGetNamespace(rel) == get_namespace_oid("jobstream", true))
	{
		if (tables == NULL)
			return;
		for (i = 0; i < ntables; i++)
			if (strcmp(RelationGetRelationName(rel), tables[i]) == 0)
				return;
	}
	ereport(ERROR,
			(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
			 errmsg("jobstream.%s() may not be fired by table %s", func,
					quote_qualified_identifier(get_namespace_name(RelationGetNamespace(rel)),
											   RelationGetRelationName(rel))),
			 errhint("It serves jobstream's own tables only.")));
}
