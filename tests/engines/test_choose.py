"""`--engine`: the engines that exist, and one clear message (exit 2) for each that cannot run here."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

from checker.cli import main
from checker.engines.choose import ENGINES, engine_problem

SAMPLE = Path(__file__).resolve().parents[2] / "docs" / "samples" / "accounts.csv"


def _error(capsys, *argv: str) -> str:
    assert main(list(argv)) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    return err


def test_the_default_engine_needs_nothing():
    assert ENGINES == ("duckdb", "spark") and engine_problem("duckdb") is None


def test_a_warehouse_url_other_than_postgresql_is_refused_with_its_password_masked(capsys):
    err = _error(capsys, "check", str(SAMPLE), "--engine", "snowflake://crm:hunter2@acme/accounts")
    assert "snowflake://crm:***@acme/accounts" in err and "hunter2" not in err and "not run in this kind of warehouse yet" in err
    assert "duckdb, spark, postgresql://" in err
    err = _error(capsys, "signals", str(SAMPLE), "--engine", "bigquery://project/crm", "--lang", "fi")
    assert "ei vielä toimi tämänlaisessa tietovarastossa" in err and "duckdb, spark, postgresql://" in err


def test_postgresql_without_the_extra_says_what_to_install(capsys, monkeypatch):
    monkeypatch.setitem(sys.modules, "adbc_driver_postgresql", None)  # as if not installed: importing it fails
    err = _error(capsys, "check", str(SAMPLE), "--engine", "postgresql://crm:hunter2@db/accounts")
    assert "postgresql://crm:***@db/accounts needs the PostgreSQL driver" in err and "pip install 'relationship-playbook[postgres]'" in err
    assert "hunter2" not in err


def test_a_misspelt_engine_gets_a_suggestion(capsys):
    err = _error(capsys, "check", str(SAMPLE), "--engine", "sprak")
    assert "did you mean 'spark'" in err


def test_spark_without_the_extra_says_what_to_install(capsys, monkeypatch):
    monkeypatch.setitem(sys.modules, "pyspark", None)  # as if not installed: importing it fails
    err = _error(capsys, "check", str(SAMPLE), "--engine", "spark")
    assert "pip install 'relationship-playbook[spark]'" in err


def test_a_local_spark_without_java_says_so_and_spark_connect_needs_none(capsys, monkeypatch, tmp_path):
    pytest.importorskip("pyspark")
    pytest.importorskip("pyarrow")
    monkeypatch.setenv("PATH", str(tmp_path))  # no `java` on it
    monkeypatch.delenv("JAVA_HOME", raising=False)
    monkeypatch.delenv("SPARK_REMOTE", raising=False)
    err = _error(capsys, "signals", str(SAMPLE), "--engine", "spark")
    assert "Java 17" in err and "openjdk-17-jre-headless" in err and "SPARK_REMOTE" in err
    monkeypatch.setenv("SPARK_REMOTE", "sc://127.0.0.1:15002")
    assert engine_problem("spark") is None


def test_spark_with_pandas_3_left_by_an_older_install_says_to_reinstall_the_extra(capsys, monkeypatch):
    pytest.importorskip("pyspark")
    pytest.importorskip("pyarrow")
    import importlib.metadata

    real = importlib.metadata.version
    monkeypatch.setattr(importlib.metadata, "version", lambda name: "3.1.1" if name == "pandas" else real(name))
    err = _error(capsys, "check", str(SAMPLE), "--engine", "spark")
    assert "pandas 2" in err and "pandas 3.1.1" in err and "pip install 'relationship-playbook[spark]'" in err
    err = _error(capsys, "signals", str(SAMPLE), "--engine", "spark", "--lang", "fi")
    assert "pandasin version 2" in err and "3.1.1" in err
    monkeypatch.setattr(importlib.metadata, "version", lambda name: "2.3.3" if name == "pandas" else real(name))
    assert engine_problem("spark") is None or engine_problem("spark").key == "error.engine_no_java"
