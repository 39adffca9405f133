"""A check's findings as flat columns: one row per (account, finding), as the evaluator makes them.

The evaluator finds failing accounts a rule at a time, as arrays; per-account lists of findings
would be walked again by every step after it (the JSON report, the index beside it, the rules
of the report's head, the summary). `Found` keeps what the evaluator computed: the account of
each finding (ascending) and which of the shared Finding objects it is. `NotEvaluated` keeps
the rules not evaluated as a matrix of accounts × rules. Both build the per-account lists on
request (`Evaluation.findings`, `Evaluation.not_evaluated`), for the reports that want them.
`Filters` are which of the findings a report keeps (`--owner`, `--kind`, `--min-severity`).
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import ClassVar, Generic, TypeVar

import numpy as np

from checker.playbook.model import SEVERITIES

T = TypeVar("T")


class Found(Generic[T]):
    """Every account's findings: `account` (ascending) and `code` (an index into `distinct`)
    per finding, an account's findings in the order they are reported."""

    def __init__(self, size: int, account: np.ndarray, code: np.ndarray, distinct: list[T]):
        self.size = size
        self.account = account
        self.code = code
        self.distinct = distinct

    @classmethod
    def gather(cls, size: int, parts: list[tuple[np.ndarray, np.ndarray]], distinct: list[T]) -> Found[T]:
        """From parts of (accounts, codes) in the order an account lists them (verdict, data,
        rules in the playbook's order): a stable sort by account keeps that order within each."""
        if not parts:
            return cls(size, np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64), distinct)
        account = np.concatenate([np.asarray(a, dtype=np.int64) for a, _ in parts])
        code = np.concatenate([np.asarray(c, dtype=np.int64) for _, c in parts])
        order = np.argsort(account, kind="stable")
        return cls(size, account[order], code[order], distinct)

    @classmethod
    def from_lists(cls, lists: list[list[T]]) -> Found[T]:
        """From per-account lists (each distinct object once in `distinct`, in the order they first appear)."""
        flat = [f for row in lists for f in row]
        distinct = list({id(f): f for f in flat}.values())
        code_of = {id(f): k for k, f in enumerate(distinct)}
        account = np.repeat(np.arange(len(lists), dtype=np.int64), [len(row) for row in lists])
        return cls(len(lists), account, np.array([code_of[id(f)] for f in flat], dtype=np.int64), distinct)

    def __len__(self) -> int:
        return len(self.code)

    @cached_property
    def starts(self) -> np.ndarray:
        """Where each account's findings start (`size + 1` entries: the last is the end)."""
        return np.searchsorted(self.account, np.arange(self.size + 1))

    def flagged(self) -> int:
        """How many accounts have a finding."""
        return int(np.count_nonzero(np.diff(self.starts)))

    def used(self) -> np.ndarray:
        """The codes of the distinct findings some account holds, ascending."""
        return np.unique(self.code)

    def lists(self, codes: np.ndarray | None = None, values: list | None = None) -> list[list]:
        """Per account its list of findings (the Finding objects, shared between accounts); or,
        given a code per finding into `values`, its list of those values (a mark per finding)."""
        codes, values = (self.code, self.distinct) if codes is None else (codes, values)
        flat = list(map(values.__getitem__, codes.tolist()))
        starts = self.starts.tolist()
        return list(map(flat.__getitem__, map(slice, starts[:-1], starts[1:])))

    def row(self, account: int) -> list[T]:
        """One account's findings."""
        return [self.distinct[code] for code in self.code[self.starts[account]:self.starts[account + 1]].tolist()]

    def joined(self, pieces: list[bytes], separator: bytes, codes: np.ndarray | None = None) -> list[bytes]:
        """Per account its findings' `pieces` (one per distinct finding; or per code, given a code per finding) joined by `separator`."""
        codes = self.code if codes is None else codes
        if not len(codes):
            return [b""] * self.size
        second = np.asarray(np.arange(len(codes)) > self.starts[self.account], dtype=np.int64)  # not an account's first
        table = np.empty(2 * len(pieces), dtype=object)
        table[: len(pieces)] = pieces
        table[len(pieces):] = [separator + piece for piece in pieces]
        flat = table[codes + second * len(pieces)].tolist()
        starts = self.starts.tolist()
        return list(map(b"".join, map(flat.__getitem__, map(slice, starts[:-1], starts[1:]))))


class Marks:
    """A mark per finding of `found` (checker.history.changes.Mark): `codes` into `distinct`."""

    def __init__(self, found: Found, codes: np.ndarray, distinct: list):
        self.found, self.codes, self.distinct = found, codes, distinct

    def lists(self) -> list[list]:
        return self.found.lists(self.codes, self.distinct)


class NotEvaluated:
    """Per account the rules of its phase that could not be evaluated: `matrix[account, k]` for `rules[k]`."""

    def __init__(self, matrix: np.ndarray, rules: list[str]):
        self.matrix = matrix
        self.rules = rules

    def total(self) -> int:
        return int(np.count_nonzero(self.matrix))

    def rows(self) -> tuple[list[list[str]], list[int]]:
        """The distinct lists of rules (in the order of `rules`) and each account's list's number."""
        if not self.matrix.shape[1] or not len(self.matrix):
            return [[]], [0] * len(self.matrix)
        packed = np.packbits(self.matrix, axis=1)
        if packed.shape[1] <= 8:  # each row's bits as one integer: the distinct rows found fast
            wide = np.zeros((len(packed), 8), dtype=np.uint8)
            wide[:, : packed.shape[1]] = packed
            _, first, which = np.unique(wide.view(np.uint64).reshape(-1), return_index=True, return_inverse=True)
        else:
            _, first, which = np.unique(packed, axis=0, return_index=True, return_inverse=True)
        names = np.array(self.rules, dtype=object)
        distinct = [names[row].tolist() for row in self.matrix[first]]
        return distinct, which.reshape(-1).tolist()

    def lists(self) -> list[list[str]]:
        distinct, which = self.rows()
        return [list(distinct[k]) for k in which]


class ListsOnRequest:
    """For a dataclass with per-account lists (`findings`, …) beside the columns they come from
    (`ON_REQUEST`: list field → column field, an object with `lists()`): a list field passed as
    None is left to its columns and built from them when first asked for."""

    ON_REQUEST: ClassVar[dict[str, str]] = {"findings": "found", "not_evaluated": "unknown"}

    def __post_init__(self) -> None:
        for name, columns in self.ON_REQUEST.items():
            if self.__dict__[name] is None and self.__dict__[columns] is not None:
                del self.__dict__[name]  # built by __getattr__ when first asked for

    def __getattr__(self, name: str) -> object:  # only for an attribute not set: the lists left to the columns
        columns = self.__dict__.get(type(self).ON_REQUEST.get(name, ""))
        if columns is None:
            raise AttributeError(name)
        self.__dict__[name] = columns.lists()
        return self.__dict__[name]

    @property
    def flat(self) -> Found | None:
        """The findings as columns, while their lists have not been asked for (so they cannot have changed since)."""
        return self.__dict__["found"] if "findings" not in self.__dict__ else None

    @property
    def flat_unknown(self) -> NotEvaluated | None:
        """The rules not evaluated as a matrix, while their lists have not been asked for."""
        return self.__dict__["unknown"] if "not_evaluated" not in self.__dict__ else None


@dataclass(frozen=True)
class Filters:
    """Which findings a report shows (`--owner`, `--kind`, `--min-severity`); empty = all of them."""

    owners: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()
    min_severity: str | None = None

    def __bool__(self) -> bool:
        return bool(self.owners or self.kinds or self.min_severity)

    # The filters' one meaning: `CheckResult.filtered` applies it to findings in Python, and
    # checker/history/narrow_sql.py hands the same values to SQL (a Parquet or table output).
    def levels(self) -> tuple[str, ...]:
        """The severities kept: --min-severity and every more severe one (all of them without it)."""
        return SEVERITIES[: SEVERITIES.index(self.min_severity) + 1] if self.min_severity else SEVERITIES

    def owner_keys(self) -> frozenset[str]:
        """--owner's names as an owner is compared with them: case and the spaces around it aside."""
        return frozenset(map(owner_key, self.owners))


def owner_key(owner: str) -> str:
    """An account's owner as --owner matches it."""
    return owner.casefold().strip()
