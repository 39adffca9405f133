"""Benchmark: the log signals on a local Spark against the embedded DuckDB (issue 25).

Generates bench_logs.py's canonical exports (default 100,000 accounts, 2,000,000 activities,
300,000 deals), then times `playbook signals --format json` in its own process with
`--engine duckdb` and with `--engine spark` (local[2]: Spark's start included), each one's peak
resident memory, and prints the ratio. For the Spark run that is the Python process's: the JVM
pyspark starts is not waited for by it, so its memory is not in the figure (its heap is capped
at Spark's default driver memory, 1 GB). It also checks the two outputs are the same.
Spark's start alone is timed on an export with a one-row log.

`--findings` instead runs the big run (issue 25): `check --engine spark --output findings.parquet`
on the generated set (signals from the logs on Spark, then the rules' SQL on Spark, the findings
written by Spark), sampling every half second the resident memory of the Python driver and of
the JVM it starts (a child process: /proc, its high-water mark VmHWM), with the JVM's heap cap
(-Xmx, Spark's driver memory) read from its command line, and prints the rate in activity rows
per second per core (local[2]: two cores). With `--parquet-accounts` the account export is a Parquet
file, which Spark keeps (parsed by its Python workers, whose memory is sampled too); `--engines
spark-driver,spark` compares it with the account table read by the driver, as before.

    .venv/bin/pip install -e '.[spark]'
    .venv/bin/python tests/benchmarks/bench_spark.py [--activities N] [--runs N]
    .venv/bin/python tests/benchmarks/bench_spark.py --findings --activities 5000000
    .venv/bin/python tests/benchmarks/bench_spark.py --findings --parquet-accounts --accounts 300000 --engines spark-driver,spark
"""
from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_logs import AS_OF, generate, timed  # a sibling script, not a package


def signals(paths: tuple[Path, ...], output: Path, engine: str) -> tuple[float, float]:
    return timed([sys.executable, "-m", "checker", "signals", str(paths[0]), "--activities", str(paths[1]), "--deals", str(paths[2]),
                  "--format", "json", "--output", str(output), "--as-of", AS_OF, "--preset", "canonical", "--engine", engine])


def _status(pid: int, field: str) -> float:
    """A /proc/PID/status figure in MB (0 when the process is gone)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        with contextlib.suppress(OSError):
            found += [int(c) for c in (task / "children").read_text().split()]
    return found + [g for c in found for g in _children(c)]


def sampled(command: list[str], env: dict[str, str] | None = None) -> tuple[float, float, float, str, float]:
    """Seconds, the Python process's peak and the JVM's peak resident memory (MB), the JVM's -Xmx, and the peak of the
    resident memory of Spark's Python workers together (the executors' Python: spark_accounts.py); the command must succeed."""
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    python_peak = jvm_peak = workers_peak = 0.0
    heap = "?"
    while process.poll() is None:
        python_peak = max(python_peak, _status(process.pid, "VmHWM"))
        workers = 0.0
        for child in _children(process.pid):
            try:
                line = Path(f"/proc/{child}/cmdline").read_bytes().split(b"\0")
            except OSError:
                continue
            if line and line[0].endswith(b"java"):
                jvm_peak = max(jvm_peak, _status(child, "VmHWM"))
                heap = next((a.decode() for a in line if a.startswith(b"-Xmx")), heap)
            elif b"pyspark.daemon" in line or b"pyspark.worker" in line:
                workers += _status(child, "VmRSS")
        workers_peak = max(workers_peak, workers)
        time.sleep(0.5)
    elapsed = time.perf_counter() - start
    if process.returncode not in (0, 1):  # 1: findings at or above --fail-on
        raise SystemExit(process.stderr.read().decode())
    return elapsed, python_peak, jvm_peak, heap, workers_peak


def as_parquet(accounts: Path) -> Path:
    """The generated account export as a Parquet file of text cells (what the account table kept in Spark reads)."""
    target = accounts.with_suffix(".parquet")
    duckdb.connect().execute(f"COPY (SELECT * FROM read_csv('{accounts}', all_varchar = true)) TO '{target}' (FORMAT parquet)")
    return target


def findings_run(args: argparse.Namespace) -> int:
    """`check --engine spark --output findings.parquet` on a generated set, measured; DuckDB's for comparison."""
    with tempfile.TemporaryDirectory() as work:
        folder = Path(work)
        paths = generate(folder, args.accounts, args.activities, args.deals)
        print(f"generated {args.accounts:,} accounts, {args.activities:,} activities, {args.deals:,} deals "
              f"({sum(p.stat().st_size for p in paths) / 1e6:.0f} MB); load average {os.getloadavg()[0]:.1f}")
        accounts = as_parquet(paths[0]) if args.parquet_accounts else paths[0]
        rows = {}
        for name in args.engines.split(","):
            engine = name.removesuffix("-driver")  # spark-driver: the account table read in this process, as before (PLAYBOOK_SPARK_ACCOUNTS=driver)
            output = folder / f"{name}.parquet"
            command = [sys.executable, "-m", "checker", "check", str(accounts), "--activities", str(paths[1]), "--deals", str(paths[2]),
                       "--output", str(output), "--as-of", AS_OF, "--preset", "canonical", "--engine", engine, "--fail-on", "never"]
            seconds, python_mb, jvm_mb, heap, workers_mb = sampled(command, os.environ | ({"PLAYBOOK_SPARK_ACCOUNTS": "driver"} if name != engine else {}))
            rows[name] = duckdb.connect().execute(f"SELECT COUNT(*) FROM read_parquet('{output}')").fetchone()[0]
            jvm = f"   JVM peak {jvm_mb:,.0f} MB (heap cap {heap})   Python workers' peak {workers_mb:,.0f} MB" if engine == "spark" else ""
            print(f"check --engine {name:12} --output findings.parquet: {seconds:8.1f} s   Python peak {python_mb:,.0f} MB{jvm}   "
                  f"{rows[name]:,} findings   {args.activities / seconds / (2 if engine == 'spark' else os.cpu_count() or 1):,.0f} activity rows/s/core")
        same_rows = len(set(rows.values())) == 1
        print(f"same number of findings on {', '.join(rows)}: {'yes' if same_rows else 'NO'}; load average at the end {os.getloadavg()[0]:.1f}")
    return 0 if same_rows else 1


def same(a: object, b: object) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    return a == b


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=100_000)
    parser.add_argument("--activities", type=int, default=2_000_000)
    parser.add_argument("--deals", type=int, default=300_000)
    parser.add_argument("--runs", type=int, default=1, help="runs of each timing; the best counts (peak memory: the highest)")
    parser.add_argument("--engines", default="duckdb,spark", help="with --findings: the engines to run, in order (spark alone for a run too long for both)")
    parser.add_argument("--findings", action="store_true", help="the big run: check --engine spark --output findings.parquet, measured")
    parser.add_argument("--parquet-accounts", action="store_true",
                        help="with --findings: the account export as Parquet (on Spark kept there; engine spark-driver reads it here, as before)")
    args = parser.parse_args()
    if args.findings:
        return findings_run(args)
    with tempfile.TemporaryDirectory() as work:
        folder = Path(work)
        tiny = folder / "tiny"
        tiny.mkdir()
        start_s = min(signals(generate(tiny, 1, 1, 1), tiny / "out.json", "spark")[0] for _ in range(args.runs))
        paths = generate(folder, args.accounts, args.activities, args.deals)
        print(f"generated {args.accounts:,} accounts, {args.activities:,} activities, {args.deals:,} deals "
              f"({sum(p.stat().st_size for p in paths) / 1e6:.0f} MB); load average {os.getloadavg()[0]:.1f}")
        results = {}
        for engine in ("duckdb", "spark"):
            runs = [signals(paths, folder / f"{engine}.json", engine) for _ in range(args.runs)]
            results[engine] = (min(s for s, _ in runs), max(mb for _, mb in runs))
        duck, spark = results["duckdb"], results["spark"]
        print(f"Spark's start (a one-row log):     {start_s:7.2f} s")
        print(f"signals --engine duckdb:           {duck[0]:7.2f} s   peak memory {duck[1]:,.0f} MB")
        print(f"signals --engine spark (local[2]): {spark[0]:7.2f} s   peak memory {spark[1]:,.0f} MB   {spark[0] / duck[0]:.1f}x DuckDB")
        equal = same(*(json.loads((folder / f"{e}.json").read_text(encoding="utf-8")) for e in ("duckdb", "spark")))
        print(f"same signals on both engines: {'yes' if equal else 'NO'}; load average at the end {os.getloadavg()[0]:.1f}")
    return 0 if equal else 1


if __name__ == "__main__":
    sys.exit(main())
