"""The layout shows the architecture: modules of a readable size, tests laid out like the package."""
from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "checker"
LONGEST = 400  # lines; a module past it holds two concerns (README, "Architecture")
#: Test files about the whole of a folder rather than one module.
WHOLE = {"handbook/test_browser.py": "the built site in a real browser"}


def test_no_module_is_over_400_lines():
    long = {str(p.relative_to(ROOT)): n for p in PACKAGE.rglob("*.py") if (n := len(p.read_text(encoding="utf-8").splitlines())) > LONGEST}
    assert long == {}


def test_every_subpackage_has_its_test_folder_and_no_test_folder_is_orphaned():
    subpackages = {p.parent.name for p in PACKAGE.glob("*/__init__.py")}
    test_folders = {p.name for p in (ROOT / "tests").iterdir() if p.is_dir() and any(p.glob("test_*.py"))}
    assert subpackages == test_folders


def test_every_test_file_names_a_module_of_the_package():
    for test in (ROOT / "tests").rglob("test_*.py"):
        if test.parent.name == "benchmarks" or test.name == "test_layout.py" or str(test.relative_to(ROOT / "tests")) in WHOLE:
            continue
        folder = PACKAGE / test.parent.relative_to(ROOT / "tests")
        module = test.stem.removeprefix("test_")
        # test_evaluate_profiles.py tests evaluate; a module's tests may be split by theme this way.
        candidates = [module, module.split("_")[0]] + ["_".join(module.split("_")[:i]) for i in range(1, module.count("_") + 1)]
        assert any((folder / f"{c}.py").is_file() for c in candidates), f"{test.relative_to(ROOT)} names no module in {folder.relative_to(ROOT)}"
