"""Every output of `playbook check` on the sample, the fixtures, the bad inputs and the real exports, to compare two versions.

Writes, into OUT, each report format in English and Finnish for the bundled sample, 20,000
generated accounts, every CRM fixture, the bad inputs (`exports/bad`, `accounts/bad_inputs.yaml`)
and, when present, `../shared/real-exports/`; each again with `--baseline` its own JSON report
and `--waivers`; week over week on 20,000 accounts with filters and `--show-waived`; 100,000
accounts to JSON with and without a baseline. Beside each output its stderr and exit code;
beside each JSON report its index with the report's modification time taken out (`.idxnorm`).
The code checked is whichever `checker` Python imports (PYTHONPATH picks a version):

    PYTHONPATH=/path/to/main .venv/bin/python tests/benchmarks/outputs.py /tmp/before
    .venv/bin/python tests/benchmarks/outputs.py /tmp/after
    .venv/bin/python tests/benchmarks/outputs.py --compare /tmp/before /tmp/after

Generated exports are kept in OUT/../outputs-data (made once). Not a test: it takes minutes.
"""
from __future__ import annotations

import contextlib
import filecmp
import io
import json
import os
import re
import shutil
import sys
import warnings
from datetime import date
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[2]
FIX = REPO / "tests" / "fixtures"
REAL = REPO.parent / "shared" / "real-exports"
FORMATS = {"table": "txt", "json": "json", "csv": "csv", "markdown": "md", "html": "html"}
WAIVERS = ("waivers:\n"
           "  - account: ACC-00002\n    kind: stage-mismatch\n    reason: known\n    by: Mervi\n    until: 2027-03-31\n"
           "  - account: [ACC-00010, ACC-00011, ACC-00012, ACC-00013]\n    kind: warning-sign\n    reason: known\n    by: Mervi\n    until: 2027-03-31\n"
           "  - account: ACC-00020\n    rule: basic-buys\n    reason: x\n    by: M\n    until: 2026-01-01\n")


def compare(before: Path, after: Path) -> int:
    """cmp every output (the `.json.idx` files through their `.idxnorm`); 1 when any differs or is missing."""
    names = sorted({p.name for p in before.iterdir()} | {p.name for p in after.iterdir()})
    differ = [n for n in names if not n.endswith(".json.idx") and not (
        (before / n).is_file() and (after / n).is_file() and filecmp.cmp(before / n, after / n, shallow=False))]
    for name in differ:
        print(f"differs: {name}")
    print(f"compared {len(names) - sum(n.endswith('.json.idx') for n in names)} files, {len(differ)} differ")
    return 1 if differ else 0


def cases(data: Path) -> list[tuple[str, Path, list[str]]]:
    """(name, folder to run in, arguments) of every export checked."""
    found = []
    for folder in sorted((FIX / "exports").iterdir()):
        spec = folder / "expected.yaml"
        if folder.name != "bad" and spec.exists():
            found.append((folder.name, folder, [*yaml.safe_load(spec.read_text(encoding="utf-8"))["args"], "--as-of", "2026-10-31"]))
    bad = yaml.safe_load((FIX / "exports" / "bad" / "expected.yaml").read_text(encoding="utf-8"))
    for k, case in enumerate(bad["cases"] + bad.get("accepted", [])):
        found.append((f"bad{k}", FIX / "exports" / "bad", [*case["args"], "--as-of", "2026-10-31"]))
    for k, case in enumerate(yaml.safe_load((FIX / "accounts" / "bad_inputs.yaml").read_text(encoding="utf-8"))["cases"]):
        if "content" in case:
            path = data / f"badinput{k}.csv"
            path.write_bytes(case["content"].encode(case.get("encoding", "utf-8")))
            found.append((f"badinput{k}", data, [path.name, *case.get("args", []), "--as-of", "2026-10-31"]))
    if REAL.is_dir():
        for folder in sorted(p for p in (FIX / "real-exports").iterdir() if p.is_dir()):
            spec = yaml.safe_load((folder / "case.yaml").read_text(encoding="utf-8"))
            if "accounts" not in spec:
                continue
            args = [str(REAL / folder.name / spec["accounts"]), "--mapping", str(folder / "mapping.yaml"), "--as-of", str(spec["as_of"])]
            for key, option in (("activities", "--activities"), ("deals", "--deals"), ("contacts", "--contacts")):
                for name in spec.get(key, []):
                    args += [option, str(REAL / folder.name / name)]
            found.append((f"real-{folder.name}", REAL / folder.name, args))
        dynamics = next((REAL / "dynamics").glob("Active Accounts*.csv"), None)
        if dynamics is not None:  # the same export as CSV (the DuckDB route), its stage in Business Type
            found.append(("real-dyn-csv", dynamics.parent, [dynamics.name, "--mapping", str(FIX / "real-exports" / "dynamics" / "mapping.yaml"), "--as-of", "2025-11-03"]))
    found.append(("samplebundled", REPO / "docs" / "samples", ["accounts.csv", "--as-of", "2026-10-31"]))
    found.append(("s20k", data, ["s20k-w2.csv", "--as-of", "2026-10-31"]))
    return found


def main() -> int:
    if sys.argv[1:2] == ["--compare"]:
        return compare(Path(sys.argv[2]), Path(sys.argv[3]))
    from checker import cli
    from checker.playbook.model import load_playbook
    from checker.sample import sample_csv

    warnings.simplefilter("ignore")
    out = Path(sys.argv[1]).resolve()
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    data = out.parent / "outputs-data"
    data.mkdir(exist_ok=True)
    playbook = load_playbook()
    for name, n, seed, as_of in (("s20k-w1", 20_000, 1, "2026-10-24"), ("s20k-w2", 20_000, 2, "2026-10-31"), ("s100k", 100_000, 1, "2026-10-31")):
        if not (data / f"{name}.csv").exists():
            (data / f"{name}.csv").write_text(sample_csv(playbook, date.fromisoformat(as_of), n, seed=seed, verify=False), encoding="utf-8")
    waivers = data / "waivers.yaml"
    waivers.write_text(WAIVERS, encoding="utf-8")

    def run(tag: str, folder: Path, args: list[str]) -> None:
        stdout, stderr = io.StringIO(), io.StringIO()
        here = Path.cwd()
        os.chdir(folder)
        try:
            with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
                try:
                    code = cli.main(["check", *args])
                except SystemExit as exit_:
                    code = exit_.code
        finally:
            os.chdir(here)
        said = re.sub(r"/tmp/[^\s'\"]*playbook-[^/\s]*", "TMP", stderr.getvalue()).replace(str(out), "OUT")
        (out / f"{tag}.stderr").write_text(f"{said}\nexit {code}\n{stdout.getvalue()}", encoding="utf-8")
        index = out / f"{tag}.json.idx"
        if index.exists():
            content = json.loads(index.read_bytes())
            content["report"].pop("mtime_ns", None)
            (out / f"{tag}.idxnorm").write_text(json.dumps(content, sort_keys=True), encoding="utf-8")

    for name, folder, args in cases(data):
        for lang in ("en", "fi"):
            for form, ext in FORMATS.items():
                tag = f"{name}.{lang}.{form}"
                run(tag, folder, [*args, "--format", form, "--lang", lang, "--fail-on", "never", "--output", str(out / f"{tag}.{ext}")])
            base = out / f"{name}.{lang}.json.json"
            if base.exists():
                for form, ext in FORMATS.items():
                    tag = f"{name}.{lang}.base.{form}"
                    run(tag, folder, [*args, "--baseline", str(base), "--waivers", str(waivers), "--format", form, "--lang", lang, "--output", str(out / f"{tag}.{ext}")])
        run(f"{name}.en.details", folder, [*args, "--details", "--scores", "--format", "table", "--output", str(out / f"{name}.en.details.txt")])
    last = out / "w1.json"
    run("w1", data, ["s20k-w1.csv", "--as-of", "2026-10-24", "--format", "json", "--fail-on", "never", "--output", str(last)])
    for k, extra in enumerate([[], ["--show-waived"], ["--kind", "warning-sign"], ["--min-severity", "warning"], ["--owner", "Mervi", "--owner", "Aino K."],
                               ["--kind", "data", "--show-waived"]]):
        for form in FORMATS:
            run(f"w2-{k}.{form}", data, ["s20k-w2.csv", "--as-of", "2026-10-31", "--baseline", str(last), "--waivers", str(waivers), *extra,
                                         "--format", form, "--fail-on", "never", "--output", str(out / f"w2-{k}.{form}")])
        run(f"w2-nobase-{k}.json", data, ["s20k-w2.csv", "--as-of", "2026-10-31", *extra, "--format", "json", "--fail-on", "never", "--output", str(out / f"w2-nobase-{k}.json")])
    shutil.copy(last, out / "w1copy.json")  # no index beside it: the baseline read from the report
    run("w2-noidx", data, ["s20k-w2.csv", "--as-of", "2026-10-31", "--baseline", str(out / "w1copy.json"), "--format", "json", "--fail-on", "never",
                           "--output", str(out / "w2-noidx.json")])
    run("s100k", data, ["s100k.csv", "--as-of", "2026-10-31", "--format", "json", "--fail-on", "never", "--output", str(out / "s100k.json")])
    run("s100k-b", data, ["s100k.csv", "--as-of", "2026-10-31", "--baseline", str(out / "s100k.json"), "--waivers", str(waivers), "--format", "json",
                          "--fail-on", "never", "--output", str(out / "s100k-b.json")])
    print(f"{len(list(out.iterdir()))} files in {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
