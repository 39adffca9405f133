"""How a Spark is started for `--engine spark` (spark.py): a local one unless SPARK_MASTER names another,
quiet (Java's and Spark's own output to the run's log, never to the terminal), listening on this machine only."""
from __future__ import annotations

import os
import shutil
import socket
import ssl
import sys
import tempfile
from pathlib import Path
from typing import Any

from checker.inputs.files import InputError

#: Spark Connect's port when the address names none.
CONNECT_PORT = 15002
#: Seconds to wait for a Spark Connect server's port to answer: pyspark's client would retry for minutes, saying nothing.
REACH_SECONDS = 10
#: The local default: two cores; its shuffle partitions sized by the logs read (spark_settings.py).
LOCAL_MASTER = "local[2]"
_LOG4J = """\
rootLogger.level = warn
rootLogger.appenderRef.file.ref = file
appender.file.type = File
appender.file.name = file
appender.file.fileName = {log}
appender.file.layout.type = PatternLayout
appender.file.layout.pattern = %d{{HH:mm:ss}} %p %c{{1}}: %m%n%ex
"""


def builder(session_class: Any, workdir: Path, log: Path) -> Any:
    """A local Spark (or SPARK_MASTER's), quiet: its log to `log`, its scratch in the work folder, nothing listening beyond this machine."""
    config = workdir / "log4j2.properties"
    config.write_text(_LOG4J.format(log=log), encoding="utf-8")
    master = os.environ.get("SPARK_MASTER") or LOCAL_MASTER
    made = (session_class.builder.master(master).appName("playbook")
               .config("spark.ui.enabled", "false").config("spark.ui.showConsoleProgress", "false")
               .config("spark.sql.session.timeZone", "UTC")
               .config("spark.driver.extraJavaOptions", f"-Dlog4j2.configurationFile=file:{config}")
               .config("spark.local.dir", str(workdir / "spark")).config("spark.sql.warehouse.dir", str(workdir / "warehouse")))
    if master.startswith("local"):  # nothing listens beyond this machine; its Python workers are this Python (spark_accounts.py)
        os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")  # read by the JVM pyspark starts
        made = made.config("spark.driver.bindAddress", "127.0.0.1").config("spark.driver.host", "127.0.0.1")
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)  # read by pyspark's context when it starts
    return _Quiet(made, log)


class _Quiet:
    """The builder whose getOrCreate starts Java with its stdout and stderr going to the log
    (the JVM keeps the descriptors it was started with; ours are restored at once)."""

    def __init__(self, builder: Any, log: Path):
        self.builder, self.log = builder, log

    def getOrCreate(self) -> Any:
        saved = os.dup(1), os.dup(2)
        target = os.open(self.log, os.O_WRONLY | os.O_APPEND)
        try:
            os.dup2(target, 1)
            os.dup2(target, 2)
            return self.builder.getOrCreate()
        finally:
            os.dup2(saved[0], 1)
            os.dup2(saved[1], 2)
            for fd in (*saved, target):
                os.close(fd)


def reach(remote: str) -> InputError | None:
    """Why the Spark Connect server of `remote` (SPARK_REMOTE: `sc://host:port/;params`) cannot be reached, or None.
    Its port is tried, and the TLS handshake where pyspark's client will use TLS (`use_ssl=true`, or a token to any
    host but `localhost`): against a server that does not answer, or speaks no TLS, the client retries for minutes
    without a word. The token itself is the server's to check. Other addresses (`local`) are pyspark's to start."""
    if not remote.startswith("sc://"):
        return None
    where, _, params = remote.removeprefix("sc://").partition("/")
    host, _, port = where.rpartition(":") if where.rpartition(":")[2].isdigit() else (where, "", "")
    host, port = host.strip("[]") or "localhost", int(port or CONNECT_PORT)
    said = dict(p.partition("=")[::2] for p in params.lstrip(";").split(";") if p)
    use_ssl = said.get("use_ssl", "").lower() == "true"
    tls = use_ssl or (bool(said.get("token") or os.environ.get("SPARK_CONNECT_AUTHENTICATE_TOKEN")) and host != "localhost")
    try:
        with socket.create_connection((host, port), timeout=REACH_SECONDS) as plain:
            if tls:
                ssl.create_default_context().wrap_socket(plain, server_hostname=host).close()
    except ssl.SSLError as exc:
        return InputError("error.spark_connect_tls", where=f"{host}:{port}", reason=exc.reason or str(exc))
    except OSError as exc:
        return InputError("error.spark_connect_unreachable", where=f"{host}:{port}", reason=exc.strerror or str(exc))
    return None


def keep_log(log: Path) -> Path | None:
    """A copy of Spark's log (`spark.log` in the run's work folder, which goes with the run) for a message to name;
    None when it holds nothing (a Spark Connect server keeps its log on its side)."""
    if not log.is_file() or not log.stat().st_size:
        return None
    handle, kept = tempfile.mkstemp(prefix="playbook-spark-", suffix=".log")
    os.close(handle)
    shutil.copyfile(log, kept)
    return Path(kept)


def failure(engine: str, detail: str, log: Path) -> InputError:
    """Spark's failure as one message, naming a copy of its log where there is one and `detail` names none yet."""
    kept = None if "(Spark's log: " in detail else keep_log(log)
    if kept is None:
        return InputError("error.engine_failed_bare", engine=engine, detail=detail.rstrip("."))
    return InputError("error.engine_failed", engine=engine, detail=detail.rstrip("."), log=kept)


__all__ = ["CONNECT_PORT", "LOCAL_MASTER", "builder", "failure", "keep_log", "reach"]
