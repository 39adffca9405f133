"""The command line's own mistakes: one line in the language the command asks for, exit 2, never argparse's
usage block or a traceback (checker/playbook/usage.py)."""
from __future__ import annotations

import pytest

from checker.cli import main
from checker.playbook.messages import bundled
from checker.playbook.usage import lang_of
from tests.conftest import SAMPLE

AS_OF = ["--as-of", "2026-10-31"]


def said(capsys, *argv: str) -> str:
    """What a mistaken command says: exit 2, one line on stderr, nothing on stdout."""
    assert main(list(argv)) == 2
    out, err = capsys.readouterr()
    assert out == "" and err.count("\n") == 1 and "usage:" not in err and "Traceback" not in err
    assert err.startswith("playbook: ")
    return err.removeprefix("playbook: ").rstrip("\n")


@pytest.mark.parametrize(("argv", "en", "fi"), [
    (["check", str(SAMPLE), "--formt", "json"],
     "there is no option --formt (did you mean '--format'?); `playbook check --help` lists the options",
     "valitsinta --formt ei ole (tarkoititko '--format'?); `playbook check --help` luettelee valitsimet"),
    (["check", str(SAMPLE), "--format", "jsn"],
     "--format 'jsn' (did you mean 'json'?): choose one of table, json, csv, markdown, html, parquet",
     "--format 'jsn' (tarkoititko 'json'?): valitse jokin näistä: table, json, csv, markdown, html, parquet"),
    (["check", str(SAMPLE), "--as-of", "31.10.2026"],
     "--as-of: '31.10.2026' is not a date; write it as YYYY-MM-DD",
     "--as-of: '31.10.2026' ei ole päivämäärä; kirjoita se muodossa VVVV-KK-PP"),
    (["check", str(SAMPLE), "--max-accounts", "many"],
     "--max-accounts: 'many' is not a number of accounts; write a whole number, 0 for no limit",
     "--max-accounts: 'many' ei ole asiakkuuksien määrä; kirjoita kokonaisluku (0: ei rajaa)"),
    (["check", str(SAMPLE), "--date-format", "%H:%M"],
     "--date-format: '%H:%M' is neither dmy, mdy, iso nor a strftime pattern that reads a date (e.g. '%d.%m.%Y %H:%M')",
     "--date-format: '%H:%M' ei ole dmy, mdy, iso eikä päivämäärän lukeva strftime-muoto (esim. '%d.%m.%Y %H:%M')"),
    (["check", str(SAMPLE), "--output"],
     "--output needs a value after it; `playbook check --help` says which",
     "valitsin --output tarvitsee perään arvon; `playbook check --help` kertoo, millaisen"),
    (["check", str(SAMPLE), "accounts 2.csv"],
     "'accounts 2.csv' is one argument too many (a file name with spaces needs quotes); `playbook check --help` says what the command takes",
     "'accounts 2.csv' on ylimääräinen argumentti (välilyöntejä sisältävä tiedostonimi lainausmerkkeihin); `playbook check --help` kertoo, mitä komento ottaa"),
    (["waive", "A1"],
     "playbook waive needs RULE, --reason, --until; `playbook waive --help` says what each is",
     "playbook waive tarvitsee: RULE, --reason, --until; `playbook waive --help` kertoo, mitä ne ovat"),
])
def test_each_kind_of_mistake_is_one_line_in_either_language(capsys, argv, en, fi):
    assert said(capsys, *argv) == en
    assert said(capsys, *argv, "--lang", "fi") == fi


def test_an_unknown_command_is_named_with_the_closest_one(capsys):
    message = said(capsys, "chekc")
    assert message.startswith("there is no command 'chekc' (did you mean 'check'?); the commands are validate, summary, check,")
    assert "sample" in message and "rules" in message


def test_an_option_of_another_command_says_whose_it_is(capsys):
    # `--overlay` is calibrate's: check says so, rather than suggesting a look-alike of its own (--owner).
    assert said(capsys, "check", str(SAMPLE), "--overlay", "x.yaml") == (
        "--overlay is an option of playbook calibrate, not of playbook check; `playbook check --help` lists this command's options")
    assert said(capsys, "check", str(SAMPLE), "--overlay=x.yaml", "--lang", "fi") == (
        "--overlay on komennon playbook calibrate valitsin, ei komennon playbook check; `playbook check --help` luettelee tämän komennon valitsimet")
    assert said(capsys, "check", str(SAMPLE), "--ovrlay") == "there is no option --ovrlay; `playbook check --help` lists the options"


def test_an_option_is_spelt_whole_and_its_abbreviation_gets_the_whole_name(capsys):
    # argparse would take `--rep` for `--replace` (and `--min` for `--min-severity`) until another option began alike.
    assert said(capsys, "check", str(SAMPLE), "--min", "warning") == (
        "there is no option --min (did you mean '--min-severity'?); `playbook check --help` lists the options")
    assert "--replace" in said(capsys, "check", str(SAMPLE), "--rep")


def test_argparse_words_it_has_no_message_for_stay_inside_ours(capsys):
    en = said(capsys, "check", "--scores=yes", str(SAMPLE))
    assert en == "argument --scores: ignored explicit argument 'yes'; `playbook check --help` lists the options"
    fi = said(capsys, "check", "--scores=yes", str(SAMPLE), "--lang", "fi")
    assert fi.startswith("komentorivissä on virhe (argument --scores: ignored explicit argument 'yes')")


def test_help_and_version_still_print_and_exit_zero(capsys):
    for argv in (["--help"], ["check", "--help"], ["--version"]):
        with pytest.raises(SystemExit) as done:
            main(argv)
        assert done.value.code == 0
    assert "--as-of YYYY-MM-DD" in capsys.readouterr().out


def test_a_right_command_line_still_runs(capsys):
    assert main(["check", str(SAMPLE), *AS_OF, "--fail-on", "never", "--format", "json", "--lang", "fi"]) == 0
    assert capsys.readouterr().out.startswith("{")


@pytest.mark.parametrize(("argv", "lang"), [
    (["check", "a.csv", "--lang", "fi"], "fi"),
    (["check", "--lang=fi", "a.csv"], "fi"),
    (["check", "a.csv", "--lang", "sv"], "en"),  # a language it does not know: the first
    (["check", "a.csv", "--lang"], "en"),
    (["check", "a.csv"], "en"),
    (["--lang", "fi", "check", "a.csv", "--lang", "en"], "en"),  # the last wins, as argparse's does
    (["--lang", "en", "check", "a.csv", "--lang=fi"], "fi"),
])
def test_the_language_is_read_before_the_line_is_parsed(argv, lang):
    assert lang_of(argv, ("en", "fi")) == lang


def test_every_usage_message_is_written_in_both_languages():
    usage = {key: text for key, text in bundled().items() if key.startswith("usage.")}
    assert len(usage) >= 12
    for key, text in usage.items():
        assert set(text) == {"en", "fi"}, key
        assert key == "usage.bad_value" or text["en"] != text["fi"], key
