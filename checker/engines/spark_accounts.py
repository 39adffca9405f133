"""The account table built in Spark (issue 25): the export's cells parsed on the executors, never collected.

`read_accounts` (checker/inputs/accounts.py) reads an account export in this process. Here the
export is a Spark DataFrame (an `--accounts-table`, or a Parquet file Spark reads) and the same
reading happens where its rows are:

- the header by `read_header` (the same mapping, the same messages for a missing or repeated column);
- each row's number as a spreadsheet's (the first record is row 2), in the order Spark scans the
  source (`toArrow` collects it in that order too): its place in its partition plus the rows of the
  partitions before it (a count per partition, the only thing collected for it);
- the rows without an id (a row whose cells are all empty is no row) and the repeated ids (the first
  by row kept, the others unusable, naming it) in Spark SQL; only those rows come to this process
  (the summary lists every unusable row);
- a date column's day/month order decided once, here, from its distinct slashed cells (`slashed_order`
  on a small aggregate), and passed to the executors;
- every cell parsed by the Python parsers (`parse_column`, `declare`, `note_bad`) inside `mapInArrow`,
  batch by batch: the signals as doubles (dates as ordinal days, as `Columns` holds them), the declared
  stage, and each account's data notes (code, its finding's rule, column, the value quoted, and the message's values pickled)
  as a column.

The result is the temp view ACCOUNT_ROWS with one row per account: `account_index` (its place among
the accounts, as `AccountTable`'s), `row`, the texts, `declared_stage` (an id, or NULL), every signal
column of the export and `notes`.
"""
from __future__ import annotations

import pickle
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np

from checker.evaluate import data_rule_id
from checker.inputs.accounts import DataNote, Header, UnusableRow, declare, note_bad, parse_column, read_header, stage_lookup, unusable_row
from checker.inputs.mappings import Mapping
from checker.playbook.model import Playbook

ACCOUNT_ROWS = "pb_account_rows"  # the parsed account table, one row per account
_SHIFT = 33  # monotonically_increasing_id: the partition's index above bit 33, the row's place in it below
_TEXTS = ("account_id", "account_name", "owner", "declared_stage")
_NOTE = "array<struct<code: string, rule: string, column: string, value: string, values: binary>>"


@dataclass
class SparkAccounts:
    """An account table in Spark (the view ACCOUNT_ROWS) and the little of it this process holds."""

    name: str  # the export as messages name it
    header: Header
    size: int  # accounts
    rows_read: int
    unusable: list[UnusableRow]
    noted: int  # accounts with a data note
    frame: Any  # ACCOUNT_ROWS' DataFrame (materialised)

    @property
    def present(self) -> frozenset[str]:
        """The signal columns the export has."""
        return frozenset(self.header.columns.signals)


def text_frame(frame: Any) -> Any:
    """Every column of a DataFrame as text, as ParquetAccounts gives DuckDB's: dates and timestamps as the day
    they hold (a timestamp read in the session's zone, UTC), everything else Spark's own text of it."""
    from pyspark.sql import functions as F
    from pyspark.sql.types import DateType, TimestampNTZType, TimestampType

    def cell(name: str, kind: Any) -> Any:
        column = F.col(f"`{name.replace('`', '``')}`")
        if isinstance(kind, TimestampType | TimestampNTZType | DateType):
            column = column.cast("date")
        return column.cast("string")

    return frame.select(*(cell(f.name, f.dataType).alias(f"c{i}") for i, f in enumerate(frame.schema.fields)))


def _keys(id_at: int, width: int, keep: list[int]) -> Any:
    """mapInArrow: each row's id as read_accounts strips it, and whether a row without one is blank (every cell empty)."""

    def run(batches: Iterator[Any]) -> Iterator[Any]:
        import pyarrow as pa

        for batch in batches:
            ids = [(c or "").strip() for c in batch.column(id_at).to_pylist()]
            blank = [False] * len(ids)
            empty = [k for k, account_id in enumerate(ids) if not account_id]
            if empty:  # only a row without an id is looked at whole
                cells = [batch.column(i).to_pylist() for i in range(width)]
                for k in empty:
                    blank[k] = not any((column[k] or "").strip() for column in cells)
            yield pa.RecordBatch.from_arrays([batch.column(width), pa.array(ids, pa.string()), pa.array(blank, pa.bool_()),
                                              *(batch.column(i) for i in keep)],
                                             names=["_mid", "_id", "_blank", *(f"c{i}" for i in keep)])

    return run


def _parse(header: Header, playbook: Playbook, orders: dict[str, str | None], dropped: np.ndarray) -> Any:
    """mapInArrow: the kept rows' cells parsed by read_accounts' parsers; `dropped`: the rows before which fewer accounts are."""
    columns = header.columns
    texts = dict(zip(header.texts_of, columns.texts, strict=True))
    stages = stage_lookup(playbook)
    headers = dict(header.headers) | ({} if "declared_stage" in texts else {"declared_stage": ""})

    def run(batches: Iterator[Any]) -> Iterator[Any]:
        import pyarrow as pa

        for batch in batches:
            rows = np.asarray(batch.column("row").to_numpy(zero_copy_only=False), dtype=np.int64)
            n = len(rows)

            cells = {i: [c or "" for c in batch.column(f"c{i}").to_pylist()] for i in {*texts.values(), *(i for i, _ in columns.signals.values())}}
            text = {f: [c.strip() for c in cells[texts[f]]] if f in texts else [""] * n for f in _TEXTS}
            notes: dict[int, list[DataNote]] = {}
            values = {}
            for name, (i, signal) in columns.signals.items():
                values[name], bad = parse_column(cells[i], signal, orders.get(name))
                note_bad(notes, name, bad, columns.header_of(name))
            declared = declare(text["declared_stage"], text["account_name"], stages, headers, notes)
            listed = [[{"code": d.code, "rule": data_rule_id(d.code), "column": d.column, "value": _text(d.values.get("value")), "values": pickle.dumps(d.values)}
                       for d in notes.get(k, [])] for k in range(n)]
            index = rows - 2 - np.searchsorted(dropped, rows)
            arrays = [pa.array(index, pa.int64()), pa.array(rows, pa.int64()),
                      *(pa.array(text[f], pa.string()) for f in ("account_id", "account_name", "owner")),
                      pa.array(text["declared_stage"], pa.string()), pa.array(declared, pa.string()),
                      *(pa.array(values[s], pa.float64(), from_pandas=True) for s in columns.signals),
                      pa.array(listed, pa.list_(pa.struct([("code", pa.string()), ("rule", pa.string()), ("column", pa.string()), ("value", pa.string()), ("values", pa.binary())])))]
            yield pa.RecordBatch.from_arrays(arrays, names=["account_index", "row", "account_id", "account_name", "owner", "declared_raw",
                                                           "declared_stage", *columns.signals, "notes"])

    return run


def _text(value: object) -> str | None:
    """A note's value as the findings' `observed` column holds it (findings._shown: a cell's text as quoted)."""
    return None if value is None else str(value)


def _schema(header: Header) -> str:
    signals = "".join(f", `{s}` double" for s in header.columns.signals)
    return (f"account_index bigint, row bigint, account_id string, account_name string, owner string, declared_raw string, "
            f"declared_stage string{signals}, notes {_NOTE}")


def _numbered(engine: Any, keyed: Any) -> tuple[Any, int]:
    """The rows with their number (`row`: 2 for the first), and how many there are: a count per partition collected."""
    from pyspark.sql import functions as F

    counts = sorted(engine.call(lambda: keyed.groupBy(F.shiftright("_mid", _SHIFT).alias("p")).count().collect()))
    offsets, total = [], 0
    for p, n in counts:
        offsets.append((int(p), total))
        total += int(n)
    if not offsets:
        return keyed.withColumn("row", F.lit(2).cast("bigint")), 0
    starts = engine.spark.createDataFrame(offsets, "p bigint, start bigint")
    numbered = keyed.join(F.broadcast(starts), F.shiftright(keyed["_mid"], _SHIFT) == starts["p"]) \
        .withColumn("row", F.col("start") + F.col("_mid").bitwiseAND((1 << _SHIFT) - 1) + 2).drop("p", "start")
    return numbered, total


def _order(engine: Any, header: Header, kept: Any, name: str) -> str | None:
    """A date column's day/month order, from its distinct slashed cells (in the order of their first row)."""
    from pyspark.sql import functions as F

    i, _ = header.columns.signals[name]
    column = f"c{i}"
    found = engine.call(lambda: kept.where(F.instr(F.col(column), "/") > 0).groupBy(column).agg(F.min("row").alias("first")).collect())
    return header.columns.order(name, [cell for cell, _ in sorted(found, key=lambda r: r[1])])


def parse_accounts(engine: Any, source: Any, name: str, playbook: Playbook, mapping: Mapping, date_format: str | None = None,
                   stage_required: bool = True) -> SparkAccounts:
    """The account export `source` (a DataFrame; `name`: how messages name it) as the view ACCOUNT_ROWS on `engine`
    (a SparkEngine), read as read_accounts reads a file: the same header checks, numbers, notes and unusable rows."""
    from pyspark.sql import functions as F

    header = read_header(name, source.columns, playbook, mapping, date_format, stage_required)
    columns = header.columns
    keep = sorted({*columns.texts, *(i for i, _ in columns.signals.values())})
    width = len(source.columns)
    cells = text_frame(source).withColumn("_mid", F.monotonically_increasing_id())
    schema = ", ".join(["_mid bigint", "_id string", "_blank boolean", *(f"c{i} string" for i in keep)])
    keyed = engine.materialise(cells.mapInArrow(_keys(columns.texts[0], width, keep), schema))
    numbered, total = _numbered(engine, keyed)
    numbered = numbered.withColumn("_first", F.min(F.when(F.col("_id") != "", F.col("row"))).over(_by_id()))
    odd = engine.call(lambda: numbered.where("_id = '' OR row <> _first").select("row", "_id", "_first", "_blank").orderBy("row").collect())
    unusable, blank = _unusable(odd, header.headers["account_id"])
    kept = numbered.where("_id <> '' AND row = _first").drop("_mid", "_id", "_blank", "_first")
    orders = {s: _order(engine, header, kept, s) for s, (_, signal) in columns.signals.items() if signal.type == "date"}
    dropped = np.array([r[0] for r in odd], dtype=np.int64)
    parsed = engine.materialise(kept.mapInArrow(_parse(header, playbook, orders, dropped), _schema(header)))
    engine.forget(ACCOUNT_ROWS)
    parsed.createOrReplaceTempView(ACCOUNT_ROWS)
    engine.cached[ACCOUNT_ROWS] = parsed
    engine.forget("pb_account_keys")
    keyed.createOrReplaceTempView("pb_account_keys")  # kept with the engine's tables (unpersisted by its close)
    engine.cached["pb_account_keys"] = keyed
    size, noted = engine.call(lambda: parsed.agg(F.count(F.lit(1)), F.sum(F.when(F.size("notes") > 0, 1).otherwise(0))).first())
    return SparkAccounts(name, header, int(size), total - blank, unusable, int(noted or 0), parsed)


def _by_id() -> Any:
    from pyspark.sql import Window

    return Window.partitionBy("_id")


def _unusable(odd: list, header: str) -> tuple[list[UnusableRow], int]:
    """The rows that are no accounts, as read_accounts lists them (a blank row is none: counted apart)."""
    unusable, blank = [], 0
    for row, account_id, first, is_blank in odd:
        if not account_id and is_blank:
            blank += 1
        else:
            unusable.append(found := unusable_row(int(row), account_id, int(first) if account_id else None))
            found.values["header"] = header
    return unusable, blank


def collected(accounts: SparkAccounts) -> dict[str, Any]:
    """The table's columns collected here, by account_index (tests compare them with read_accounts')."""
    table = accounts.frame.orderBy("account_index").toArrow()
    out = {c: table.column(c).to_pylist() for c in table.column_names}
    out["notes"] = [[DataNote(n["code"], n["column"], pickle.loads(n["values"])) for n in notes] for notes in out["notes"]]
    return out


__all__ = ["ACCOUNT_ROWS", "SparkAccounts", "collected", "parse_accounts", "text_frame"]
