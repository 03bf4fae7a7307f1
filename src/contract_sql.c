/*
 * contract_sql.c
 *		jobstream.contract_fields(): the message contract of contract.c as
 *		rows, so that SQL (the tables' length constraints, tests, a
 *		producer checking its messages) reads the one definition instead of
 *		a copy; and jobstream.elements_fit(), the array caps' CHECK.
 */
#include "postgres.h"

#include "fmgr.h"
#include "funcapi.h"
#include "catalog/pg_type.h"
#include "utils/array.h"
#include "utils/builtins.h"

#include "contract.h"
#include "decode.h"
#include "row.h"

PG_FUNCTION_INFO_V1(jobstream_contract_fields);
PG_FUNCTION_INFO_V1(jobstream_elements_fit);

#define JS_CONTRACT_COLS 11

/*
 * bound_numeric
 *		The bound v of a field scaled by scale, as a numeric Datum.
 */
static Datum
bound_numeric(int64 v, int scale)
{
	char		buf[JS_DECIMAL_MAXLEN + 1];

	buf[js_format_decimal(v, scale, buf)] = '\0';
	return DirectFunctionCall3(numeric_in, CStringGetDatum(buf),
							   ObjectIdGetDatum(InvalidOid), Int32GetDatum(-1));
}

/*
 * jobstream_contract_fields
 *		One row per field of every topic, in contract (= column) order: the
 *		topic, its table, the field, its column type, whether it is
 *		required, for text its cap (name, bytes, array elements) and
 *		the list of allowed values, if it has one, and for numbers their
 *		bounds, if they have any.
 */
Datum
jobstream_contract_fields(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;

	InitMaterializedSRF(fcinfo, 0);
	for (int t = 0; t < JS_NUM_TOPICS; t++)
	{
		const JsTopicDef *def = &js_topics[t];

		for (int i = 0; i < def->nfields; i++)
		{
			const JsField *f = &def->fields[i];
			const JsCap *cap = &js_caps[f->cap];
			Datum		values[JS_CONTRACT_COLS];
			bool		nulls[JS_CONTRACT_COLS] = {0};

			values[0] = CStringGetTextDatum(def->name);
			values[1] = CStringGetTextDatum(def->table);
			values[2] = CStringGetTextDatum(f->name);
			values[3] = ObjectIdGetDatum(js_type_oid(f->type));
			values[4] = BoolGetDatum(f->required);
			if (f->cap == JS_CAP_NONE)
				nulls[5] = nulls[6] = nulls[7] = true;
			else
			{
				values[5] = CStringGetTextDatum(cap->name);
				values[6] = Int32GetDatum((int32) cap->max_bytes);
				values[7] = Int32GetDatum((int32) cap->max_items);
				nulls[7] = f->type != JS_TEXT_ARRAY;
			}
			if (f->allowed == NULL)
				nulls[8] = true;
			else
			{
				int			n = 0;
				Datum	   *elems;

				while (f->allowed[n])
					n++;
				elems = palloc(sizeof(Datum) * n);
				for (int k = 0; k < n; k++)
					elems[k] = CStringGetTextDatum(f->allowed[k]);
				values[8] = PointerGetDatum(construct_array(elems, n, TEXTOID, -1, false, TYPALIGN_INT));
			}
			nulls[9] = nulls[10] = true;
			if ((f->type == JS_INT || f->type == JS_DECIMAL) && f->min <= f->max)
			{
				int			scale = f->type == JS_DECIMAL ? f->scale : 0;

				values[9] = bound_numeric(f->min, scale);
				values[10] = bound_numeric(f->max, scale);
				nulls[9] = nulls[10] = false;
			}
			tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
		}
	}
	PG_RETURN_VOID();
}

/*
 * jobstream_elements_fit
 *		Whether no element of a text array is longer than max_bytes bytes
 *		(NULL elements fit).  In C because it runs in a CHECK constraint on
 *		every row a worker stores: a SQL function over unnest() doubled the
 *		cost of inserting a candidate.
 */
Datum
jobstream_elements_fit(PG_FUNCTION_ARGS)
{
	ArrayType  *a = PG_GETARG_ARRAYTYPE_P(0);
	int32		max_bytes = PG_GETARG_INT32(1);
	ArrayIterator it = array_create_iterator(a, 0, NULL);
	Datum		d;
	bool		isnull;
	bool		fits = true;

	while (fits && array_iterate(it, &d, &isnull))
		if (!isnull && VARSIZE_ANY_EXHDR(DatumGetPointer(d)) > (Size) Max(max_bytes, 0))
			fits = false;
	array_free_iterator(it);
	PG_RETURN_BOOL(fits);
}
