/*
 * row.c
 *		Conversion of contract rows (JsValue) to Datums, and back.
 *
 * Type mapping, by contract field type:
 *	JS_UUID			uuid			16 bytes copied into a pg_uuid_t
 *	JS_TEXT			text			the bytes, as a varlena (no NUL needed)
 *	JS_INT			integer			as is
 *	JS_DECIMAL		numeric			int64 scaled by 10^scale: the numeric has
 *									exactly scale digits after the point,
 *									so it fits numeric(p, scale) columns
 *	JS_TIMESTAMPTZ	timestamptz		µs since 1970 shifted to PostgreSQL's 2000
 *									epoch
 *	JS_DATE			date			days since 1970, shifted likewise
 *	JS_TEXT_ARRAY	text[]			a one-dimensional array without NULLs,
 *									built in one allocation (an empty array
 *									for no items)
 * Range checks are the decoder's and the generators' business: values of
 * the contract's ranges (years 1..9999) convert without overflow.  The way
 * back (js_row_from_datums) undoes each step; a numeric is rounded to the
 * field's scale.
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "datatype/timestamp.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/date.h"
#include "utils/fmgrprotos.h"
#include "utils/memutils.h"
#include "utils/numeric.h"
#include "utils/timestamp.h"
#include "utils/uuid.h"

#include "row.h"

/* Days from 1970-01-01 to 2000-01-01. */
#define JS_EPOCH_SHIFT_DAYS (POSTGRES_EPOCH_JDATE - UNIX_EPOCH_JDATE)

/* The type OID a field of contract type t must have in a table; see row.h. */
Oid
js_type_oid(JsType t)
{
	switch (t)
	{
		case JS_UUID:
			return UUIDOID;
		case JS_TEXT:
			return TEXTOID;
		case JS_INT:
			return INT4OID;
		case JS_DECIMAL:
			return NUMERICOID;
		case JS_TIMESTAMPTZ:
			return TIMESTAMPTZOID;
		case JS_DATE:
			return DATEOID;
		case JS_TEXT_ARRAY:
			return TEXTARRAYOID;
	}
	return InvalidOid;
}

/* Map def's fields to tupdesc's attributes; see row.h. */
void
js_row_map_init(JsRowMap *map, const JsTopicDef *def, TupleDesc tupdesc,
				bool exact)
{
	map->def = def;
	map->natts = tupdesc->natts;
	if (exact && tupdesc->natts != def->nfields)
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("result type has %d columns where topic \"%s\" has %d fields",
						tupdesc->natts, def->name, def->nfields),
				 errhint("Declare the function with the columns of table jobstream.%s, without updated_at.",
						 def->table)));
	for (int f = 0; f < def->nfields; f++)
	{
		const JsField *field = &def->fields[f];
		int			found = -1;

		for (int a = 0; a < tupdesc->natts; a++)
		{
			Form_pg_attribute att = TupleDescAttr(tupdesc, a);

			if (!att->attisdropped && strcmp(NameStr(att->attname), field->name) == 0)
			{
				found = a;
				break;
			}
		}
		if (found < 0 || (exact && found != f))
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_COLUMN),
					 errmsg("column \"%s\" of topic \"%s\" is missing from the target",
							field->name, def->name),
					 errhint("The target must have the columns of table jobstream.%s.",
							 def->table)));
		if (TupleDescAttr(tupdesc, found)->atttypid != js_type_oid(field->type))
			ereport(ERROR,
					(errcode(ERRCODE_DATATYPE_MISMATCH),
					 errmsg("column \"%s\" has type %s where topic \"%s\" needs %s",
							field->name,
							format_type_be(TupleDescAttr(tupdesc, found)->atttypid),
							def->name, format_type_be(js_type_oid(field->type))),
					 errhint("Give the column the type it has in table jobstream.%s.",
							 def->table)));
		map->attidx[f] = found;
	}
}

/*
 * A text[] of the items: header, then each element as a 4-byte-header
 * varlena at int alignment, which is what construct_array would build,
 * without its per-element copies.
 */
static Datum
js_text_array(const JsString *items, int n)
{
	ArrayType  *arr;
	Size		size;
	char	   *p;
	int			dims[1];
	int			lbs[1];

	if (n == 0)
		return PointerGetDatum(construct_empty_array(TEXTOID));
	size = ARR_OVERHEAD_NONULLS(1);
	for (int k = 0; k < n; k++)
		size = INTALIGN(size) + VARHDRSZ + items[k].len;
	if (!AllocSizeIsValid(size))
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("array size exceeds the maximum allowed (%d)", (int) MaxAllocSize)));
	arr = (ArrayType *) palloc0(size);
	SET_VARSIZE(arr, size);
	arr->ndim = 1;
	arr->dataoffset = 0;
	arr->elemtype = TEXTOID;
	dims[0] = n;
	lbs[0] = 1;
	memcpy(ARR_DIMS(arr), dims, sizeof(int));
	memcpy(ARR_LBOUND(arr), lbs, sizeof(int));
	p = ARR_DATA_PTR(arr);
	for (int k = 0; k < n; k++)
	{
		p = (char *) INTALIGN((uintptr_t) p);
		SET_VARSIZE(p, VARHDRSZ + items[k].len);
		if (items[k].len > 0)
			memcpy(p + VARHDRSZ, items[k].ptr, items[k].len);
		p += VARHDRSZ + items[k].len;
	}
	return PointerGetDatum(arr);
}

/* One non-NULL value of contract type type as a Datum. */
Datum
js_value_to_datum(JsType type, int scale, const JsValue *v)
{
	switch (type)
	{
		case JS_UUID:
			{
				pg_uuid_t  *u = (pg_uuid_t *) palloc(sizeof(pg_uuid_t));

				memcpy(u->data, v->v.uuid, UUID_LEN);
				return UUIDPGetDatum(u);
			}
		case JS_TEXT:
			return PointerGetDatum(cstring_to_text_with_len(v->v.str.ptr, (int) v->v.str.len));
		case JS_INT:
			return Int32GetDatum(v->v.i32);
		case JS_DECIMAL:
			return NumericGetDatum(int64_div_fast_to_numeric(v->v.i64, scale));
		case JS_TIMESTAMPTZ:
			return TimestampTzGetDatum(v->v.i64 - (int64) JS_EPOCH_SHIFT_DAYS * USECS_PER_DAY);
		case JS_DATE:
			return DateADTGetDatum(v->v.date - JS_EPOCH_SHIFT_DAYS);
		case JS_TEXT_ARRAY:
			return js_text_array(v->v.arr.items, v->v.arr.n);
	}
	elog(ERROR, "unknown contract type %d", (int) type);
	return (Datum) 0;
}

/* Convert row into values/nulls; see row.h. */
void
js_row_to_datums(const JsRowMap *map, const JsValue *row, Datum *values,
				 bool *nulls)
{
	const JsTopicDef *def = map->def;

	for (int f = 0; f < def->nfields; f++)
	{
		int			a = map->attidx[f];

		if (row[f].isnull)
		{
			values[a] = (Datum) 0;
			nulls[a] = true;
			continue;
		}
		nulls[a] = false;
		values[a] = js_value_to_datum(def->fields[f].type, def->fields[f].scale, &row[f]);
	}
}

/*
 * One non-NULL Datum of a column of contract type type as a value; see
 * js_row_from_datums.
 */
static void
js_datum_to_value(const JsField *field, Datum d, JsValue *v)
{
	v->isnull = false;
	switch (field->type)
	{
		case JS_UUID:
			memcpy(v->v.uuid, DatumGetUUIDP(d)->data, UUID_LEN);
			return;
		case JS_TEXT:
			{
				text	   *t = DatumGetTextPP(d);

				v->v.str.ptr = VARDATA_ANY(t);
				v->v.str.len = VARSIZE_ANY_EXHDR(t);
				return;
			}
		case JS_INT:
			v->v.i32 = DatumGetInt32(d);
			return;
		case JS_DECIMAL:
			{
				int64		factor = 1;

				for (int k = 0; k < field->scale; k++)
					factor *= 10;
				d = DirectFunctionCall2(numeric_mul, d,
										NumericGetDatum(int64_to_numeric(factor)));
				v->v.i64 = DatumGetInt64(DirectFunctionCall1(numeric_int8, d));
				return;
			}
		case JS_TIMESTAMPTZ:
			if (TIMESTAMP_NOT_FINITE(DatumGetTimestampTz(d)))
				ereport(ERROR,
						(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
						 errmsg("column \"%s\" is infinite, which the message contract cannot express",
								field->name),
						 errhint("Store a finite timestamp.")));
			v->v.i64 = DatumGetTimestampTz(d) + (int64) JS_EPOCH_SHIFT_DAYS * USECS_PER_DAY;
			return;
		case JS_DATE:
			if (DATE_NOT_FINITE(DatumGetDateADT(d)))
				ereport(ERROR,
						(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
						 errmsg("column \"%s\" is infinite, which the message contract cannot express",
								field->name),
						 errhint("Store a finite date.")));
			v->v.date = DatumGetDateADT(d) + JS_EPOCH_SHIFT_DAYS;
			return;
		case JS_TEXT_ARRAY:
			{
				Datum	   *elems;
				bool	   *enulls;
				int			n;
				JsString   *items;

				deconstruct_array(DatumGetArrayTypeP(d), TEXTOID, -1, false,
								  TYPALIGN_INT, &elems, &enulls, &n);
				items = palloc(sizeof(JsString) * Max(n, 1));
				for (int k = 0; k < n; k++)
				{
					text	   *t;

					if (enulls[k])
						ereport(ERROR,
								(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
								 errmsg("column \"%s\" holds a NULL element, which the message contract cannot express",
										field->name),
								 errhint("Remove the NULL elements from the array.")));
					t = DatumGetTextPP(elems[k]);
					items[k].ptr = VARDATA_ANY(t);
					items[k].len = VARSIZE_ANY_EXHDR(t);
				}
				v->v.arr.items = items;
				v->v.arr.n = n;
				return;
			}
	}
	elog(ERROR, "unknown contract type %d", (int) field->type);
}

/* Convert a tuple into row; see row.h. */
void
js_row_from_datums(const JsRowMap *map, const Datum *values, const bool *nulls,
				   JsValue *row)
{
	const JsTopicDef *def = map->def;

	for (int f = 0; f < def->nfields; f++)
	{
		int			a = map->attidx[f];

		if (nulls[a])
		{
			row[f].isnull = true;
			continue;
		}
		js_datum_to_value(&def->fields[f], values[a], &row[f]);
	}
}
