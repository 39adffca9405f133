"""`check --engine postgresql://… --output-table NAME` (checker/engines/warehouse_output.py): the findings in the warehouse.

On test_warehouse.py's throwaway cluster (skipped saying why without PostgreSQL, failing with
REQUIRE_POSTGRES=1): the table holds the rows of DuckDB's `--output findings.parquet`, in its
order, with DuckDB's column types; narrowed, waived and marked against a baseline as the file is;
an existing table refused without `--replace` before the rules run, refilled with it (the table,
its grants and the views on it kept) or made again when the columns changed; a failure halfway,
the server's refusal or the connection cut, leaves last week's table; names as PostgreSQL reads
them unquoted; no schema or no right is one line before the rules run; the password never shown.
"""
from __future__ import annotations

import contextlib
import json
import socket
import threading
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import duckdb
import pytest

from checker.playbook.model import load_playbook
from checker.sample import sample_csv
from tests.engines.test_warehouse import PASSWORD, _fixture, _run, _sql, postgres  # noqa: F401  (the shared session fixture)

AS_OF = date(2026, 10, 31)


def _rows(url: str, table: str, order: str = "") -> list[tuple]:
    import adbc_driver_postgresql.dbapi

    with adbc_driver_postgresql.dbapi.connect(url, autocommit=True) as connection, connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {table} {order}")
        return cursor.fetchall()


def _types(url: str, table: str) -> list[tuple[str, str]]:
    return [(c, t) for c, t in _rows(url, f"(SELECT attname::text, format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = '{table}'::regclass "
                                          "AND attnum > 0 AND NOT attisdropped ORDER BY attnum) AS c")]


def _parquet(path: Path) -> tuple[list[tuple], list[tuple[str, str]]]:
    with duckdb.connect() as con:
        return (con.execute("SELECT * FROM read_parquet(?)", [str(path)]).fetchall(),
                [(c[0], c[1]) for c in con.execute("DESCRIBE SELECT * FROM read_parquet(?)", [str(path)]).fetchall()])


def _one_line(code: int, out: str, err: str, *fragments: str) -> None:
    assert code == 2 and out == "" and len(err.strip().splitlines()) == 1, err
    assert "Traceback" not in err and PASSWORD not in err and all(f in err for f in fragments), err


@pytest.fixture
def accounts(tmp_path: Path) -> Path:
    """A generated export of 3,000 accounts (some 5,500 findings)."""
    path = tmp_path / "accounts.csv"
    path.write_text(sample_csv(load_playbook(), AS_OF, 3_000, seed=7, verify=False), encoding="utf-8")
    return path


def _fresh(url: str, *schemas: str) -> None:
    _sql(url, *(f"DROP SCHEMA IF EXISTS {s} CASCADE" for s in schemas), *(f"CREATE SCHEMA {s}" for s in schemas))


DUCK_TYPES = {"VARCHAR": "text", "BIGINT": "bigint", "BOOLEAN": "boolean", "DOUBLE": "double precision", "DATE": "date", '"NULL"': "text"}


def test_the_canonical_fixtures_findings_are_the_parquet_rows_in_their_order_with_duckdbs_types(postgres, capsys, tmp_path):  # noqa: F811
    """Logs as the warehouse's tables, the rules run here: the table equals DuckDB's findings.parquet on the files, row for row."""
    on_files, on_tables, _ = _fixture(postgres, "canonical", typed=False)
    _fresh(postgres, "analytics")
    code, out, err = _run(capsys, "check", *on_tables, "--engine", postgres, "--output-table", "analytics.findings", "--fail-on", "never")
    assert code == 0 and PASSWORD not in err + out, err
    assert "wrote the table analytics.findings (postgresql://playbook:***@" in err
    summary = json.loads(out)
    assert code == 0 and _run(capsys, "check", *on_files, "--output", str(tmp_path / "f.parquet"), "--fail-on", "never")[0] == 0
    expected, columns = _parquet(tmp_path / "f.parquet")
    assert _rows(postgres, "analytics.findings") == expected and len(expected) == summary["summary"]["findings"] > 5
    assert _types(postgres, "analytics.findings") == [(c, DUCK_TYPES[t]) for c, t in columns] and summary["columns"] == [c for c, _ in columns]
    written = json.loads((tmp_path / "f.summary.json").read_text(encoding="utf-8"))
    assert summary["summary"] | {"sources": None} == written["summary"] | {"sources": None} and summary["findings_table"] == "analytics.findings"


def test_a_generated_set_narrowed_waived_and_marked_is_the_parquet_files_rows(postgres, capsys, tmp_path, accounts):  # noqa: F811
    """3,000 accounts with --owner, --min-severity, --waivers and a Parquet --baseline: the table is the file, the summary too."""
    _fresh(postgres, "weekly")
    earlier = tmp_path / "earlier.parquet"
    assert _run(capsys, "check", str(accounts), "--as-of", "2026-09-30", "--output", str(earlier), "--fail-on", "never")[0] == 0
    owners = sorted({line.split(",")[2] for line in accounts.read_text(encoding="utf-8").splitlines()[1:]})[:3]
    account, kind = next((r[0], r[7]) for r in _parquet(earlier)[0] if r[3] in owners and r[8] != "info")
    waivers = tmp_path / "waivers.yaml"
    waivers.write_text(f'waivers:\n  - {{account: {account}, kind: {kind}, reason: known, until: "2027-01-31"}}\n', encoding="utf-8")
    common = ["check", str(accounts), "--as-of", AS_OF.isoformat(), "--baseline", str(earlier), "--waivers", str(waivers), "--min-severity", "warning",
              "--fail-on", "never"]
    for owner in owners:
        common += ["--owner", owner]
    code, out, err = _run(capsys, *common, "--engine", postgres, "--output-table", "weekly.findings", "--summary", str(tmp_path / "s.json"))
    assert code == 0 and out == "" and PASSWORD not in err, err
    assert _run(capsys, *common, "--output", str(tmp_path / "f.parquet"))[0] == 0
    expected, columns = _parquet(tmp_path / "f.parquet")
    assert _rows(postgres, "weekly.findings") == expected and len(expected) > 300
    assert {c for c, _ in columns} >= {"status", "first_seen", "waived_until", "waived_reason", "waived_by"} and {r[3] for r in expected} <= set(owners)
    assert _types(postgres, "weekly.findings") == [(c, DUCK_TYPES[t]) for c, t in columns]
    summary = json.loads((tmp_path / "s.json").read_text(encoding="utf-8"))["summary"]
    assert summary["findings"] == len(expected) and summary["changes"]["waived"] >= 1 and summary["left_out"]["findings"] > 0


def test_an_existing_table_is_refused_before_the_rules_run_and_replaced_with_replace(postgres, capsys, tmp_path, accounts, monkeypatch):  # noqa: F811
    """Without --replace: one line, the rules never run. With it: the rows replaced, the table, its grant and a view on it kept;
    with other columns the table is made again; a table that is no findings table is left alone."""
    from checker.engines import findings

    _fresh(postgres, "weekly")
    common = ["check", str(accounts), "--engine", postgres, "--output-table", "weekly.findings", "--fail-on", "never"]
    assert _run(capsys, *common, "--as-of", "2026-09-30")[0] == 0
    before = _rows(postgres, "weekly.findings")
    _sql(postgres, "CREATE VIEW weekly.mine AS SELECT account_id, rule FROM weekly.findings WHERE severity = 'critical'",
         "DROP ROLE IF EXISTS dashboard", "CREATE ROLE dashboard", "GRANT SELECT ON weekly.findings TO dashboard")
    with monkeypatch.context() as patched:
        patched.setattr(findings, "sql_check", lambda *a, **k: pytest.fail("the rules ran"))
        _one_line(*_run(capsys, *common, "--as-of", "2026-10-31"), "weekly.findings already exists", "--replace", "postgresql://playbook:***@")
    assert _rows(postgres, "weekly.findings") == before
    code, out, err = _run(capsys, *common, "--as-of", "2026-10-31", "--replace")
    assert code == 0 and json.loads(out)["summary"]["findings"] == len(_rows(postgres, "weekly.findings")), err
    after = _rows(postgres, "weekly.findings")
    assert after != before and _rows(postgres, "weekly.mine") == [(r[0], r[6]) for r in after if r[8] == "critical"]
    assert _rows(postgres, "(SELECT has_table_privilege('dashboard', 'weekly.findings', 'SELECT')) AS g") == [(True,)]
    _sql(postgres, "DROP VIEW weekly.mine")
    waivers = tmp_path / "waivers.yaml"  # three more columns: the table made again
    waivers.write_text('waivers:\n  - {account: ACC-00002, kind: stage-mismatch, reason: known, until: "2027-01-31"}\n', encoding="utf-8")
    assert _run(capsys, *common, *("--as-of", "2026-10-31", "--replace", "--waivers", str(waivers)))[0] == 0
    assert [c for c, _ in _types(postgres, "weekly.findings")][-3:] == ["waived_until", "waived_reason", "waived_by"]
    _sql(postgres, "CREATE TABLE weekly.other (x int)", "INSERT INTO weekly.other VALUES (1)")
    _one_line(*_run(capsys, "check", str(accounts), "--engine", postgres, "--output-table", "weekly.other", "--replace"), "not a findings table")
    assert _rows(postgres, "weekly.other") == [(1,)]


def test_names_are_read_as_postgresql_reads_them_unquoted(postgres, capsys, accounts):  # noqa: F811
    """`Analytics.Weekly_Findings` is analytics.weekly_findings; a name without a schema goes to the current schema (public)."""
    _fresh(postgres, "analytics")
    _sql(postgres, "DROP TABLE IF EXISTS public.findings_now")
    for name, table in (("Analytics.Weekly_Findings", "analytics.weekly_findings"), ("FINDINGS_NOW", "public.findings_now")):
        code, out, err = _run(capsys, "check", str(accounts), "--as-of", "2026-10-31", "--engine", postgres, "--output-table", name, "--fail-on", "never")
        assert code == 0, err
        assert len(_rows(postgres, table)) == json.loads(out)["summary"]["findings"] > 1_000
        assert f"wrote the table {name.lower()} " in err  # the table as PostgreSQL keeps it, which a query names
    _one_line(*_run(capsys, "check", str(accounts), "--as-of", "2026-10-31", "--engine", postgres, "--output-table", "analytics.WEEKLY_findings"),
              "already exists")


def test_a_failure_halfway_leaves_last_weeks_table(postgres, capsys, accounts):  # noqa: F811
    """The server refuses a row in the middle of the write (a constraint the table carries): rolled back, last week's rows stay."""
    _fresh(postgres, "weekly")
    common = ["check", str(accounts), "--engine", postgres, "--output-table", "weekly.findings", "--fail-on", "never"]
    assert _run(capsys, *common, "--as-of", "2026-09-30")[0] == 0
    before = _rows(postgres, "weekly.findings")
    last = before[-1][0]
    _sql(postgres, f"ALTER TABLE weekly.findings ADD CONSTRAINT not_the_last CHECK (account_id <> '{last}') NOT VALID")
    _one_line(*_run(capsys, *common, "--as-of", "2026-10-31", "--replace"), "could not write the table weekly.findings", "not_the_last", "nothing was written")
    assert _rows(postgres, "weekly.findings") == before


@contextlib.contextmanager
def _cutting_proxy(url: str, after: int) -> Iterator[str]:
    """The URL of a TCP proxy to the server that cuts each connection once its client has sent `after` bytes (the server gone mid-write)."""
    parts = urlsplit(url)
    listener = socket.create_server(("127.0.0.1", 0))

    def pipe(source: socket.socket, target: socket.socket, limit: int) -> None:
        sent = 0
        with contextlib.suppress(OSError):
            while data := source.recv(65_536):
                sent += len(data)
                if limit and sent > limit:
                    break
                target.sendall(data)
        for end in (source, target):
            with contextlib.suppress(OSError):
                end.shutdown(socket.SHUT_RDWR)

    def serve() -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            server = socket.create_connection((parts.hostname, parts.port))
            threading.Thread(target=pipe, args=(client, server, after), daemon=True).start()
            threading.Thread(target=pipe, args=(server, client, 0), daemon=True).start()

    threading.Thread(target=serve, daemon=True).start()
    try:
        yield urlunsplit(parts._replace(netloc=f"{parts.username}:{parts.password}@127.0.0.1:{listener.getsockname()[1]}"))
    finally:
        listener.close()


def test_the_server_gone_mid_write_is_one_line_and_leaves_last_weeks_table(postgres, capsys, accounts):  # noqa: F811
    _fresh(postgres, "weekly")
    common = ["check", str(accounts), "--output-table", "weekly.findings", "--fail-on", "never", "--replace"]
    assert _run(capsys, *common, "--engine", postgres, "--as-of", "2026-09-30")[0] == 0
    before = _rows(postgres, "weekly.findings")
    with _cutting_proxy(postgres, after=100_000) as cut:
        _one_line(*_run(capsys, *common, "--engine", cut, "--as-of", "2026-10-31"), "connection to the server broke", "weekly.findings", "as it was")
    assert _rows(postgres, "weekly.findings") == before


def test_no_schema_and_no_right_are_one_line_before_the_rules_run(postgres, capsys, accounts, monkeypatch):  # noqa: F811
    from checker.engines import findings

    monkeypatch.setattr(findings, "sql_check", lambda *a, **k: pytest.fail("the rules ran"))
    _sql(postgres, "DROP SCHEMA IF EXISTS nowhere CASCADE")
    common = ["check", str(accounts), "--as-of", "2026-10-31"]
    _one_line(*_run(capsys, *common, "--engine", postgres, "--output-table", "nowhere.findings"), "no schema nowhere", "CREATE SCHEMA nowhere")
    _fresh(postgres, "locked")
    _sql(postgres, "DROP ROLE IF EXISTS limited", f"CREATE ROLE limited LOGIN PASSWORD '{PASSWORD}'", "GRANT USAGE ON SCHEMA locked TO limited",
         "CREATE TABLE locked.findings (account_id text, rule text, kind text, severity text)", "GRANT SELECT ON locked.findings TO limited")
    limited = postgres.replace("//playbook:", "//limited:")
    _one_line(*_run(capsys, *common, "--engine", limited, "--output-table", "locked.new_findings"), "the user limited may not write the table locked.new_findings",
              "GRANT CREATE ON SCHEMA locked TO limited")
    _one_line(*_run(capsys, *common, "--engine", limited, "--output-table", "locked.findings", "--replace"), "may not write the table locked.findings")
    _one_line(*_run(capsys, *common, "--engine", limited, "--output-table", "findings"), "may not write the table findings", "schema public")


def test_duckdb_failing_while_the_rows_are_streamed_is_its_own_words_and_leaves_the_table(postgres):  # noqa: F811
    """A failure of the query as the ingest reads it (the sort out of memory, say): DuckDB's words, not a lost connection."""
    from checker.engines.output_table import OutputTable, save
    from checker.engines.warehouse_output import WarehouseTables
    from checker.inputs.files import InputError

    _fresh(postgres, "streamed")
    _sql(postgres, "CREATE TABLE streamed.findings (account_id text, rule text, kind text, severity text)", "INSERT INTO streamed.findings VALUES ('A', 'r', 'k', 's')")
    failing = ("SELECT 'A' || i AS account_id, CASE WHEN i > 150000 THEN error('out of memory, say') ELSE 'r' END AS rule, 'k' AS kind, 's' AS severity "
               "FROM range(300000) t(i)")
    with duckdb.connect() as con, WarehouseTables(postgres, con) as tables, pytest.raises(InputError) as raised:
        save(tables, failing, OutputTable("streamed.findings", replace=True, url=postgres), tables.name)
    assert raised.value.key == "output_table.failed" and raised.value.values["detail"].endswith("out of memory, say")
    assert _rows(postgres, "streamed.findings") == [("A", "r", "k", "s")]


def test_the_rules_go_beside_the_findings_in_the_same_transaction(postgres, capsys, tmp_path, accounts, monkeypatch):  # noqa: F811
    """NAME_rules holds the rules file's rows (text columns); a rules row the server refuses rolls the findings back too;
    an existing NAME_rules is refused without --replace before the rules run."""
    from checker.engines import findings

    _fresh(postgres, "weekly")
    common = ["check", str(accounts), "--engine", postgres, "--output-table", "weekly.findings", "--fail-on", "never"]
    code, out, err = _run(capsys, *common, "--as-of", "2026-09-30")
    assert code == 0 and json.loads(out)["rules_table"] == "weekly.findings_rules", err
    assert _run(capsys, "check", str(accounts), "--as-of", "2026-09-30", "--output", str(tmp_path / "f.parquet"), "--fail-on", "never")[0] == 0
    expected, columns = _parquet(tmp_path / "f.rules.parquet")
    assert _rows(postgres, "weekly.findings_rules") == expected and len(expected) > 50
    assert _types(postgres, "weekly.findings_rules") == [(c, "text") for c, _ in columns]
    before = _rows(postgres, "weekly.findings"), expected
    _sql(postgres, "ALTER TABLE weekly.findings_rules ADD CONSTRAINT no_verdict CHECK (rule <> 'stage-fit') NOT VALID")
    _one_line(*_run(capsys, *common, "--as-of", "2026-10-31", "--replace"), "could not write the table weekly.findings", "no_verdict", "nothing was written")
    assert (_rows(postgres, "weekly.findings"), _rows(postgres, "weekly.findings_rules")) == before
    _sql(postgres, "DROP TABLE weekly.findings")
    monkeypatch.setattr(findings, "sql_check", lambda *a, **k: pytest.fail("the rules ran"))
    _one_line(*_run(capsys, *common, "--as-of", "2026-10-31"), "weekly.findings_rules already exists", "--replace")
