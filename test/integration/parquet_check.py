"""Reads an export_parquet directory with pyarrow and with DuckDB and compares
every value with the rows it came from (used by 90_parquet.sh).

    parquet_check.py DIR EXPECTED.jsonl KEY [--partition NAME] [--dropped COL]
                     [--row-group-rows N]

EXPECTED.jsonl holds one row_to_json() object per source row, written by
psql with TimeZone UTC, plus "__partition": the partition value as text
(or null).  With --partition NAME the directory is read with Hive
partitioning and the partition NAME must equal __partition; --dropped COL
is the source column the files leave out because it is the partition.

Checks, for both readers: the same set of keys, every column of every row
equal (UUIDs, timestamps to the microsecond in UTC, dates, decimals with
their scale, NULLs, lists with NULL elements, non-ASCII text).  With
pyarrow also: every file's row-group statistics (min, max, null count)
against the values of that row group, row-group sizes, and the manifest's
files, rows and bytes against the files.  Prints diagnostics as TAP
comments and exits 1 on the first kind of mismatch.
"""
import argparse
import datetime as dt
import decimal
import json
import math
import os
import sys
import uuid

import duckdb
import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.parquet as pq

UTC = dt.timezone.utc
failures = 0


def fail(msg):
    global failures
    failures += 1
    if failures <= 20:
        print("# " + msg)


def norm(v):
    """A reader's value in a comparable form."""
    if v is None:
        return None
    if isinstance(v, uuid.UUID):
        return str(v)
    if isinstance(v, (bytes, bytearray)) and len(v) == 16:
        return str(uuid.UUID(bytes=bytes(v)))
    if isinstance(v, dt.datetime):
        if v.tzinfo is None:
            return v.strftime("%Y-%m-%dT%H:%M:%S.%f")
        return v.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    if isinstance(v, dt.date):
        return v.isoformat()
    if isinstance(v, decimal.Decimal):
        return f"{v:f}"  # with its scale, never in exponent form
    if isinstance(v, list):
        return [norm(x) for x in v]
    return v


def norm_expected(v, typ):
    """A value of row_to_json in the form norm gives the reader's value."""
    if v is None:
        return None
    if pa.types.is_timestamp(typ):
        t = dt.datetime.fromisoformat(v)
        return norm(t)
    if pa.types.is_decimal(typ):
        return f"{decimal.Decimal(str(v)):f}"
    if pa.types.is_floating(typ):
        return float(v)
    if isinstance(v, list):
        return [norm_expected(x, typ.value_type) for x in v]
    return v


def compare(reader, rows, expected, key, types, partition, dropped):
    got = {}
    for r in rows:
        k = norm(r[key])
        if k in got:
            fail(f"{reader}: key {k} appears twice")
        got[k] = r
    if set(got) != set(expected):
        fail(f"{reader}: {len(got)} rows, {len(expected)} expected; "
             f"missing {list(set(expected) - set(got))[:3]}, extra {list(set(got) - set(expected))[:3]}")
        return
    for k, exp in expected.items():
        row = got[k]
        for col, ev in exp.items():
            if col == "__partition":
                if partition and row.get(partition) != ev:
                    fail(f"{reader}: row {k}: partition {partition} is {row.get(partition)!r}, expected {ev!r}")
                continue
            if col == dropped:
                continue
            if col not in row:
                fail(f"{reader}: column {col} missing")
                return
            a = norm(row[col])
            e = norm_expected(ev, types[col])
            if isinstance(a, str) and not isinstance(e, str) and e is not None:
                a = json.loads(a)  # a JSON column: compare documents, not spellings
            if a != e and not (isinstance(a, float) and isinstance(e, float) and math.isnan(a) and math.isnan(e)):
                fail(f"{reader}: row {k} column {col}: got {a!r}, expected {e!r}")


def leaf_values(column):
    """Leaf values and leaf null count (Parquet's definition) of a column."""
    values, nulls = [], 0
    for v in column.to_pylist():
        if isinstance(column.type, pa.ListType):
            if not v:
                nulls += 1
                continue
            for x in v:
                if x is None:
                    nulls += 1
                else:
                    values.append(x)
        elif v is None:
            nulls += 1
        else:
            values.append(v)
    return values, nulls


def sort_key(v):
    if isinstance(v, str):
        return v.encode()
    if isinstance(v, uuid.UUID):
        return v.bytes
    return v


def check_file(path, row_group_rows):
    pf = pq.ParquetFile(path)
    md = pf.metadata
    if row_group_rows:
        want = max(1, math.ceil(md.num_rows / row_group_rows))
        if md.num_row_groups != want:
            fail(f"{path}: {md.num_row_groups} row groups for {md.num_rows} rows, expected {want}")
    for g in range(md.num_row_groups):
        table = pf.read_row_group(g)
        for c in range(md.num_columns):
            cc = md.row_group(g).column(c)
            name = cc.path_in_schema.split(".")[0]
            values, nulls = leaf_values(table.column(name).combine_chunks())
            st = cc.statistics
            if st is None or not st.has_null_count or st.null_count != nulls:
                fail(f"{path} rg {g} {name}: null_count {st and st.null_count}, counted {nulls}")
            values = [v for v in values if not (isinstance(v, float) and math.isnan(v))]
            if not values:
                if st.has_min_max:
                    fail(f"{path} rg {g} {name}: min/max on a column without values")
                continue
            if not st.has_min_max:
                fail(f"{path} rg {g} {name}: no min/max")
                continue
            lo = min(values, key=sort_key)
            hi = max(values, key=sort_key)
            smin, smax = st.min, st.max
            if isinstance(lo, str) and isinstance(smin, bytes):  # pyarrow gives JSON statistics as bytes
                smin, smax = smin.decode(), smax.decode()
            if norm(smin) != norm(lo) or norm(smax) != norm(hi):
                fail(f"{path} rg {g} {name}: statistics {norm(smin)!r}..{norm(smax)!r}, values {norm(lo)!r}..{norm(hi)!r}")
    return md.num_rows


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dir")
    ap.add_argument("expected")
    ap.add_argument("key")
    ap.add_argument("--partition")
    ap.add_argument("--dropped")
    ap.add_argument("--row-group-rows", type=int)
    a = ap.parse_args()

    expected = {}
    with open(a.expected, encoding="utf-8") as f:
        for line in f:
            if line.strip():
                r = json.loads(line, parse_float=decimal.Decimal)
                expected[r[a.key]] = r

    # pyarrow, Hive partitioning with the partition as a string
    part = None
    if a.partition:
        part = ds.partitioning(pa.schema([(a.partition, pa.string())]), flavor="hive")
    dset = ds.dataset(a.dir, format="parquet", partitioning=part)
    table = dset.to_table()
    types = {f.name: f.type for f in table.schema}
    if a.partition in types and not pa.types.is_string(types[a.partition]):
        fail(f"pyarrow reads partition {a.partition} as {types[a.partition]}")
    compare("pyarrow", table.to_pylist(), expected, a.key, types, a.partition, a.dropped)

    # DuckDB
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    glob = os.path.join(a.dir, "**", "*.parquet") if a.partition else os.path.join(a.dir, "*.parquet")
    if expected:
        rel = con.execute(
            "SELECT * FROM read_parquet(?, hive_partitioning = ?, hive_types_autocast = false)",
            [glob, bool(a.partition)])
        cols = [d[0] for d in rel.description]
        rows = [dict(zip(cols, r)) for r in rel.fetchall()]
        compare("duckdb", rows, expected, a.key, types, a.partition, a.dropped)

    # files, statistics and the manifest
    with open(os.path.join(a.dir, "_manifest.json"), encoding="utf-8") as f:
        manifest = json.load(f)
    listed = {}
    for b in manifest["batches"]:
        for fl in b["files"]:
            listed[fl["path"]] = fl
    on_disk = set()
    for root, dirs, files in os.walk(a.dir):
        for n in files:
            rel = os.path.relpath(os.path.join(root, n), a.dir)
            if n.startswith("."):
                fail(f"a hidden (temporary) file remains: {rel}")
            elif n.endswith(".parquet"):
                on_disk.add(rel)
    if on_disk != set(listed):
        fail(f"files on disk {sorted(on_disk)[:5]} differ from the manifest's {sorted(listed)[:5]}")
    total = 0
    for rel in sorted(on_disk & set(listed)):
        p = os.path.join(a.dir, rel)
        n = check_file(p, a.row_group_rows)
        total += n
        if listed[rel]["rows"] != n or listed[rel]["bytes"] != os.path.getsize(p):
            fail(f"manifest says {rel} has {listed[rel]['rows']} rows and {listed[rel]['bytes']} bytes; "
                 f"it has {n} rows and {os.path.getsize(p)} bytes")
    if manifest["rows"] != total or total != len(expected):
        fail(f"manifest rows {manifest['rows']}, files {total}, source {len(expected)}")

    print(f"# {a.dir}: {len(expected)} rows, {len(on_disk)} files, {failures} mismatches")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
