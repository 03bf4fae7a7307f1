/*
 * row.h
 *		JsValue rows of the data contract → PostgreSQL Datums.
 *
 * The one converter between the plain-C rows of contract.h and tuples: the
 * generators' set-returning functions use it, and so does the Kafka
 * consumer for decoded messages.  A JsRowMap, built once per target tuple
 * descriptor, says which attribute each contract field goes to (by column
 * name) and checks the column types; js_row_to_datums then converts a row
 * with no lookups.  See row.c for the type mapping.
 */
#ifndef JOBSTREAM_ROW_H
#define JOBSTREAM_ROW_H

#include "postgres.h"

#include "access/tupdesc.h"

#include "contract.h"

typedef struct JsRowMap
{
	const JsTopicDef *def;
	int			natts;			/* attributes of the target descriptor */
	int			attidx[JS_MAX_FIELDS];	/* field → 0-based attribute, or -1 */
} JsRowMap;

/*
 * Map the fields of def to the attributes of tupdesc with the same names.
 * Every field must have a column of the matching type (ERROR otherwise);
 * columns that are no field (updated_at ...) are left to the caller.  When
 * exact is true the descriptor must hold the fields alone, in order (the
 * generators' result type).
 */
extern void js_row_map_init(JsRowMap *map, const JsTopicDef *def,
							TupleDesc tupdesc, bool exact);

/*
 * Convert row into values/nulls (arrays of map->natts entries; entries of
 * unmapped attributes are not touched).  Allocates the pass-by-reference
 * values in CurrentMemoryContext; strings are copied, so the row may be
 * freed afterwards.  Text must be valid in the database encoding (the
 * contract's UTF-8 is, in a UTF8 database).
 */
extern void js_row_to_datums(const JsRowMap *map, const JsValue *row,
							 Datum *values, bool *nulls);

/* The type a column for a field of contract type t must have. */
extern Oid	js_type_oid(JsType t);

/* The same for a single value of type type. */
extern Datum js_value_to_datum(JsType type, int scale, const JsValue *v);

/*
 * The inverse: a tuple of map's descriptor (values/nulls of map->natts
 * entries) → row (def->nfields values).  Strings point into the values
 * (detoasted copies, when needed, and arrays' item lists are allocated in
 * CurrentMemoryContext), so row is valid while the values and that memory
 * live.  Decimals are rounded to the field's scale; infinite timestamps
 * and dates, and NULL array elements, are an ERROR (the contract has no
 * way to say them).
 */
extern void js_row_from_datums(const JsRowMap *map, const Datum *values,
							   const bool *nulls, JsValue *row);

#endif							/* JOBSTREAM_ROW_H */
