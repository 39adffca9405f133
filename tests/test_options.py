"""The command line's help (`playbook … --help`) in English and Finnish: every text a message of
playbooks/messages/cli.yaml, argparse's own words too; the English as it was (checker/options.py)."""
from __future__ import annotations

import argparse
import re

import pytest

from checker import options
from checker.cli import main
from checker.options import _parser, help_texts
from checker.playbook.messages import bundled

COMMANDS = ["validate", "summary", "check", "waive", "signals", "review-sheet", "sample", "calibrate", "rules"]

#: Words of English prose that no Finnish help text has (option names, metavars and registry values aside).
ENGLISH = {"the", "and", "of", "or", "to", "an", "for", "with", "from", "this", "is", "are", "when", "default", "instead", "write",
           "file", "files", "only", "show", "help", "message", "exit", "usage", "options", "positional", "arguments", "repeatable",
           "account", "accounts", "findings", "here", "its", "language", "every", "each", "by", "not", "as", "in", "at", "if", "which"}


def help_of(capsys, monkeypatch, *argv: str, columns: int = 1000) -> str:
    """What `playbook ARGV --help` prints (exit 0), `columns` wide: 1000 keeps every text on one line."""
    monkeypatch.setenv("COLUMNS", str(columns))
    with pytest.raises(SystemExit) as done:
        main([*argv, "--help"])
    assert done.value.code == 0
    out, err = capsys.readouterr()
    assert err == ""
    return out


def commands(lang: str) -> dict[str, argparse.ArgumentParser]:
    """The sub-commands' parsers, built in `lang`."""
    parser = _parser(lang)
    return next(dict(a.choices) for a in parser._actions if isinstance(a, argparse._SubParsersAction))


def english_words(text: str) -> set[str]:
    """The words of English prose in a help: what is left after option names, metavars, registry values,
    `code`, 'values', paths, URLs and names (capitalised) are taken out."""
    text = re.sub(r"`[^`]*`|'[^']*'|\{[^}]*\}|\[[^\]]*\]", " ", text)
    tokens = [t for t in text.split() if not t.startswith("-") and not re.search(r"[/._:@~\d]", t)]
    return {w for t in tokens for w in re.findall(r"[^\W\d_]+", t) if w.islower() and w in ENGLISH}


@pytest.mark.parametrize("command", COMMANDS)
def test_every_option_of_every_command_has_its_help_in_both_languages(capsys, monkeypatch, command):
    english = {a.dest: a.help for a in commands("en")[command]._actions}
    finnish = {a.dest: a.help for a in commands("fi")[command]._actions}
    shown = {"en": help_of(capsys, monkeypatch, command), "fi": help_of(capsys, monkeypatch, command, "--lang", "fi")}
    assert english.keys() == finnish.keys()
    for dest, text in english.items():
        assert text and finnish[dest], (command, dest)
        assert text != finnish[dest], (command, dest)  # written in Finnish, not left in English
        assert text.replace("%%", "%") in shown["en"], (command, dest)
        assert finnish[dest].replace("%%", "%") in shown["fi"], (command, dest)
    assert english_words(shown["fi"]) == set(), command
    assert english_words(shown["en"]) >= {"the", "of"}  # the test itself sees English where it is


def test_the_command_list_and_argparse_words_in_finnish(capsys, monkeypatch):
    out = help_of(capsys, monkeypatch, "--lang=fi", columns=80)
    assert out.startswith("käyttö: playbook [-h] [--version] [--lang {en,fi}] COMMAND ...\n")
    assert "\nargumentit:\n" in out and "\nvalitsimet:\n" in out
    assert "  -h, --help      näytä tämä ohje ja lopeta\n" in out
    assert "  --version       näytä ohjelman versio ja lopeta\n" in out
    assert "    check         vertaa CRM:n asiakasvientiä pelikirjaan\n" in out
    assert english_words(out) == set()
    for word in ("usage:", "options:", "positional arguments", "show this help message"):
        assert word not in out


def test_the_english_help_is_as_it_was(capsys, monkeypatch):
    # Lines of `playbook … --help` as printed before the help became messages (the snapshot of 2026-12-05).
    top = help_of(capsys, monkeypatch, columns=80)  # with --lang, which it did not have, and its command list wider for it
    assert top.startswith("usage: playbook [-h] [--version] [--lang {en,fi}] COMMAND ...\n\nRelationship Playbook: validate the playbooks, list the rules, check CRM\nexports.\n\npositional arguments:\n  COMMAND\n")
    assert "    check         check a CRM account export against the playbook\n" in top
    assert "options:\n  -h, --help      show this help message and exit\n  --version       show program's version number and exit\n" in top
    check = help_of(capsys, monkeypatch, "check", columns=80)
    assert check.startswith("usage: playbook check [-h] [--activities FILE] [--deals FILE]\n                      [--contacts FILE] [--currency-rates FILE]\n")
    assert "\n\nFlag accounts whose behaviour does not match their declared stage, with\nevidence, the playbook's advice and a link to the handbook.\n\npositional arguments:\n" in check
    assert check.endswith("\n\nformats: table, json, csv, markdown, html, parquet. Exit codes: 0 nothing at\nor above --fail-on, 1 findings at or above it, 2 usage or input error.\n")
    wide = help_of(capsys, monkeypatch, "check")
    for line in ("  -h, --help            show this help message and exit",
                 "  --max-accounts N      refuse a report (any format but parquet) of more accounts than this (default 1,000,000; 0: no limit)",
                 "                        which CRM wrote the exports (default: auto, recognised from the headers)",
                 "                        day/month order for dates like 03/04/2026 when the data cannot tell, or the dates' form as a strftime pattern, e.g. '%d %b, %Y %H:%M'",
                 "  --fail-on {error,warning,info,never}",
                 "                        exit 1 when a finding at or above this severity exists (default: error)"):
        assert f"\n{line}\n" in wide
    assert "  --waivers FILE      the waivers file (default: waivers.yaml)\n" in help_of(capsys, monkeypatch, "waive")
    assert "  --accounts N        how many accounts (default 300)\n" in help_of(capsys, monkeypatch, "sample")


def test_defaults_in_the_help_come_from_the_options(capsys, monkeypatch):
    fi = help_of(capsys, monkeypatch, "check", "--lang", "fi")
    assert "(oletus 1\u00a0000\u00a0000; 0: ei rajaa)" in fi  # MOST_ACCOUNTS, grouped the Finnish way
    assert "(oletus: error)" in fi
    assert "(oletus 300)" in help_of(capsys, monkeypatch, "sample", "--lang", "fi")


def test_the_locale_does_not_choose_the_language(capsys, monkeypatch):
    # Only --lang does, as for everything else the checker says: a script's output never changes with the machine's locale.
    for name in ("LANG", "LC_ALL", "LC_MESSAGES", "LANGUAGE"):
        monkeypatch.setenv(name, "fi_FI.UTF-8")
    assert help_of(capsys, monkeypatch, "check").startswith("usage: playbook check")


@pytest.mark.parametrize("argv", [["check", "--lang", "fi"], ["--lang=fi", "check"], ["check", "--lang=fi", "x.csv"]])
def test_lang_anywhere_on_the_line_chooses_the_help(capsys, monkeypatch, argv):
    assert help_of(capsys, monkeypatch, *argv).startswith("käyttö: playbook check")


@pytest.mark.parametrize(("argv", "first"), [
    (["--lang", "fi", "--help"], "käyttö: playbook"),
    (["--lang", "fi", "summary"], "Asiakkuuksien pelikirja"),  # before the command: for the command too
    (["summary", "--lang", "fi"], "Asiakkuuksien pelikirja"),
    (["--lang", "fi", "summary", "--lang", "en"], "Relationship Playbook"),  # after it wins
    (["summary"], "Relationship Playbook"),
])
def test_lang_before_or_after_the_command(capsys, argv, first):
    try:
        assert main(argv) == 0
    except SystemExit as done:  # --help
        assert done.code == 0
    assert capsys.readouterr().out.startswith(first)


def test_every_help_message_is_used_and_written_in_both_languages():
    texts = help_texts()
    assert {key for key in bundled() if key.startswith("help.")} == set(texts)  # all in cli.yaml, which the help reads alone
    for key, text in texts.items():
        assert set(text) == {"en", "fi"} and text["en"] != text["fi"], key
    used = {"help.playbook", "help.playbook.lang", "help.digit_group", *(f"help.words.{w}" for w in ("usage", "positionals", "options", "help", "version"))}
    for command, parser in commands("en").items():
        key = command.replace("-", "_")
        used |= {f"help.{key}.{part}" for part in ("about", "description", "epilog")} & texts.keys()
        used |= {next(k for k in (f"help.{key}.{a.dest}", f"help.{a.dest}") if k in texts) for a in parser._actions if a.dest != "help"}
    assert set(texts) == used


def test_a_help_text_without_finnish_fails(monkeypatch):
    table = {**help_texts(), "help.check.scores": {"en": help_texts()["help.check.scores"]["en"]}}
    monkeypatch.setattr(options, "help_texts", lambda: table)
    _parser("en")
    with pytest.raises(KeyError, match="fi"):
        _parser("fi")


def test_the_message_file_validates(capsys):
    assert main(["validate"]) == 0
    capsys.readouterr()
