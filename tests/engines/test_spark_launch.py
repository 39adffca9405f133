"""How a Spark is started or reached (spark_launch.py): Spark Connect (SPARK_REMOTE) against a server started here.

A local Spark Connect server (its own JVM, token-protected, listening on 127.0.0.1 only) is started once for the
module; each run is `playbook` in a process of its own with SPARK_REMOTE set, as a user runs it against a cluster's
server. The same report, signals and findings rows as DuckDB's, the account table parsed by the server's Python
workers, a table saved in the server's catalog; and a server that cannot be reached, or spoken to, is one line at
once (pyspark's client alone retries for minutes without a word).
"""
from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from checker.engines.spark_launch import reach
from tests.engines.test_spark import FIXTURES, _fixture_args, need_spark

#: The server: pyspark starts a Spark Connect server in its JVM for `remote("local[2]")`; this process keeps it running.
SERVER = """
import sys, time
from pyspark.sql import SparkSession
SparkSession.builder.remote("local[2]").config("spark.connect.grpc.binding.port", sys.argv[1]) \\
    .config("spark.connect.grpc.binding.address", "127.0.0.1").config("spark.ui.enabled", "false") \\
    .config("spark.sql.warehouse.dir", sys.argv[2]).getOrCreate()
print("ready", flush=True)
while True:
    time.sleep(60)
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def connect(tmp_path_factory) -> Iterator[dict[str, str]]:
    """The environment of a `playbook` run against the module's Spark Connect server."""
    need_spark()
    try:
        import grpc  # noqa: F401  (the [spark] extra's pyspark[connect])
    except ImportError:
        if os.environ.get("REQUIRE_SPARK") == "1":
            pytest.fail("REQUIRE_SPARK=1 but pyspark's Spark Connect client (grpcio) is not installed")
        pytest.skip("no Spark Connect client: pip install -e '.[spark]'")
    port, token = _free_port(), secrets.token_hex(16)
    env = {**os.environ, "SPARK_CONNECT_AUTHENTICATE_TOKEN": token, "PYSPARK_PYTHON": sys.executable, "SPARK_LOCAL_IP": "127.0.0.1"}
    env.pop("SPARK_REMOTE", None)
    log = tmp_path_factory.mktemp("connect") / "server.log"
    with log.open("w") as out:
        server = subprocess.Popen([sys.executable, "-c", SERVER, str(port), str(log.parent / "warehouse")],  # its catalog's tables there, not in the clone
                                  env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + 180
        while reach(f"sc://localhost:{port}") is not None:
            assert server.poll() is None and time.monotonic() < deadline, f"the Spark Connect server did not start: {log.read_text()[-2000:]}"
            time.sleep(1)
        yield {**env, "SPARK_REMOTE": f"sc://localhost:{port}"}
    finally:
        os.killpg(server.pid, 15)  # the Python and the JVM it started
        server.wait(timeout=60)


def _playbook(env: dict[str, str], *argv: str) -> subprocess.CompletedProcess:
    script = f"import sys; from checker.cli import main; sys.exit(main({list(argv)!r}))"  # the `playbook` command, in a process of its own
    return subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=600, check=False)


def _parquet_accounts(source: Path, target: Path) -> Path:
    import pyarrow as pa
    import pyarrow.parquet as pq

    from checker.inputs.files import read_table

    cells = read_table(source)
    pq.write_table(pa.table({h: [r[i] if i < len(r) else "" for r in cells.rows] for i, h in enumerate(cells.header)}), target)
    return target


def test_through_spark_connect_the_report_signals_and_findings_are_duckdbs(connect, tmp_path):
    """The canonical fixture (every activity class) as JSON, its signals, and its findings rows with the account table
    kept in Spark: parsed by the server's Python workers (mapInArrow), never collected to this process."""
    import pyarrow.parquet as pq

    args = _fixture_args("canonical")
    for command, form in (("check", ["--format", "json", "--fail-on", "never"]), ("signals", ["--format", "json"])):
        outputs = []
        for engine, env in (("duckdb", {k: v for k, v in connect.items() if k != "SPARK_REMOTE"}), ("spark", connect)):
            target = tmp_path / f"{command}-{engine}.json"
            done = _playbook(env, command, *args, *form, "--output", str(target), "--engine", engine)
            assert done.returncode == 0, done.stderr
            outputs.append(target.read_text(encoding="utf-8"))
        assert outputs[1] == outputs[0], command
    accounts = _parquet_accounts(Path(args[0]), tmp_path / "accounts.parquet")
    rows = []
    for engine in ("duckdb", "spark"):
        target = tmp_path / f"{engine}.parquet"
        done = _playbook(connect, "check", str(accounts), *args[1:], "--output", str(target), "--engine", engine, "--fail-on", "never")
        assert done.returncode == 0, done.stderr
        rows.append(pq.read_table(target).to_pylist())
    assert rows[1] == rows[0] and len(rows[0]) > 10


def test_through_spark_connect_findings_go_into_the_servers_catalog_and_a_second_run_needs_replace(connect, tmp_path):
    args = [str(FIXTURES / "exports" / "canonical" / "accounts.csv"), "--preset", "canonical", "--as-of", "2026-10-31"]
    table = f"findings_{secrets.token_hex(4)}"
    done = _playbook(connect, "check", *args, "--engine", "spark", "--output-table", table, "--fail-on", "never")
    assert done.returncode == 0, done.stderr
    again = _playbook(connect, "check", *args, "--engine", "spark", "--output-table", table, "--fail-on", "never")
    assert again.returncode == 2 and f"the table {table} already exists" in again.stderr and "--replace" in again.stderr
    assert _playbook(connect, "check", *args, "--engine", "spark", "--output-table", table, "--replace", "--fail-on", "never").returncode == 0


def test_a_spark_connect_server_that_cannot_be_reached_or_spoken_to_is_one_line_at_once(connect, tmp_path):
    args = [str(FIXTURES / "exports" / "canonical" / "accounts.csv"), "--preset", "canonical", "--as-of", "2026-10-31",
            "--engine", "spark", "--output", str(tmp_path / "f.parquet")]
    port = connect["SPARK_REMOTE"].rpartition(":")[2]
    cases = [
        ({"SPARK_REMOTE": f"sc://localhost:{_free_port()}"}, "did not answer"),  # nothing listens there
        ({"SPARK_REMOTE": f"sc://127.0.0.1:{port}"}, "did not complete a TLS handshake"),  # a token to another host than localhost: TLS
        ({"SPARK_REMOTE": f"sc://localhost:{port}", "SPARK_CONNECT_AUTHENTICATE_TOKEN": "wrong"}, "Invalid authentication token"),
        ({"PLAYBOOK_SPARK_CHECKPOINT_DIR": str(tmp_path / "ck")}, "cannot be used with Spark Connect"),
    ]
    for change, words in cases:
        started = time.monotonic()
        done = _playbook({**connect, **change}, "check", *args)
        assert done.returncode == 2 and len(done.stderr.strip().splitlines()) == 1 and "Traceback" not in done.stderr, done.stderr
        assert words in done.stderr and time.monotonic() - started < 60, (change, done.stderr)
        assert "log" not in done.stderr  # no empty copy of a log named: the server keeps its own
    assert not (tmp_path / "f.parquet").exists()


def said(problem: Any, lang: str = "en") -> str:
    assert problem is not None
    return problem.render(lang)


def test_reach_tries_the_port_and_the_tls_the_client_will_use(monkeypatch):
    """Without a Spark: the address read as pyspark's client reads it (sc://host:port/;params; 15002 by default)."""
    monkeypatch.delenv("SPARK_CONNECT_AUTHENTICATE_TOKEN", raising=False)
    assert reach("local") is None  # pyspark's own local server: nothing to reach
    closed = _free_port()
    assert said(reach(f"sc://localhost:{closed}/;user_id=me")).startswith(f"the Spark Connect server at localhost:{closed} (SPARK_REMOTE) did not answer")
    assert said(reach(f"sc://localhost:{closed}"), "fi").startswith(f"Spark Connect -palvelin osoitteessa localhost:{closed} (SPARK_REMOTE) ei vastannut")
    with socket.socket() as plain:  # a server that speaks no TLS: it answers a handshake with plain bytes
        plain.bind(("127.0.0.1", 0))
        plain.listen()
        where = plain.getsockname()[1]

        def answer() -> None:
            while True:
                try:
                    conn, _ = plain.accept()
                except OSError:  # closed: the test is over
                    return
                with conn:
                    conn.sendall(b"HTTP/1.1 400 Bad Request\r\n\r\n")

        threading.Thread(target=answer, daemon=True).start()
        assert reach(f"sc://127.0.0.1:{where}") is None  # no token: the client speaks plain gRPC
        assert "TLS handshake" in said(reach(f"sc://127.0.0.1:{where}/;token=abc"))
        assert "TLS handshake" in said(reach(f"sc://localhost:{where}/;use_ssl=true"))
        monkeypatch.setenv("SPARK_CONNECT_AUTHENTICATE_TOKEN", "abc")
        assert reach(f"sc://localhost:{where}") is None  # a token to localhost: local credentials, no TLS
        assert "TLS handshake" in said(reach(f"sc://127.0.0.1:{where}"))
