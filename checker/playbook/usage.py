"""The command line's own mistakes, in the reader's language: argparse with its complaints as messages.

argparse writes its errors in English after a usage block of twenty lines, whatever `--lang`
says. Here each complaint becomes one `UsageError` (a message of `playbooks/messages`, in English
and Finnish) that names the option or value, suggests the closest right spelling and says where
the list is: `playbook check --formt json` says "there is no option --formt (did you mean
'--format'?)", not a usage block. The kinds argparse has (an unknown option or command, a value
not among the choices, a missing value or argument, a value the option's type refuses) are read
from its ArgumentError (which option) and the type's BadOption (what is wrong); any other
complaint keeps argparse's words inside a message of ours.
"""
from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Sequence
from typing import Any, NoReturn

from checker.playbook.messages import Problem, closest, suggestion


class UsageError(Problem):
    """A problem with the command line; reported in one line (in --lang), exit 2."""


class BadOption(argparse.ArgumentTypeError):
    """A value an option's `type` refuses, as a message (argparse itself keeps only the text)."""

    def __init__(self, key: str, /, **values: object):
        self.problem = Problem(key, **values)
        super().__init__(self.problem.render("en"))


_CHOICE = re.compile(r"invalid choice: '?(?P<value>.*?)'? \(choose from")


def lang_of(argv: Sequence[str], languages: Sequence[str]) -> str:
    """The language a command line asks for (`--lang fi`, `--lang=fi`), before it is parsed: a mistake
    in it is reported in that language. The last one it names wins, as argparse's last `--lang` does (`playbook --lang
    fi check --lang en`: English); the first of `languages` when it names none (or none known)."""
    asked = [arg.partition("=")[2] if arg.startswith("--lang=") else argv[i + 1] if arg == "--lang" and i + 1 < len(argv) else None
             for i, arg in enumerate(argv)]
    return next((value for value in reversed(asked) if value in languages), languages[0])


class Parser(argparse.ArgumentParser):
    """An ArgumentParser (its sub-commands' too) whose errors are UsageErrors, not a usage block and exit.
    An option is spelt whole: `--rep` is no `--replace` (a script's abbreviation would break, or change
    meaning, the day another option began the same way); the unknown option's message suggests the whole one."""

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **{"allow_abbrev": False, **kwargs})

    def error(self, message: str) -> NoReturn:
        raise _problem(self, message, sys.exc_info()[1])

    def parse_args(self, args: Sequence[str] | None = None, namespace: argparse.Namespace | None = None) -> argparse.Namespace:  # type: ignore[override]
        parsed, extras = self.parse_known_args(args, namespace)
        if extras:  # said by the sub-command that was given, with its options to suggest from
            commands = self._commands()
            where = commands.get(getattr(parsed, "command", None) or "", self)
            unknown = next((e for e in extras if e.startswith("-")), extras[0])
            if not unknown.startswith("-"):
                raise UsageError("usage.extra_argument", command=where.prog, option=unknown)
            name = unknown.partition("=")[0]
            if others := [c.prog for c in commands.values() if name in c._option_string_actions]:
                raise UsageError("usage.option_of_other", command=where.prog, option=name, commands=", ".join(others))
            spelt = [s[2:] for s in where._option_string_actions if s.startswith("--")]  # the dashes make all look alike
            begun = [s for s in spelt if s.startswith(name.lstrip("-"))]  # an abbreviation: the one option it begins
            close = begun[0] if len(begun) == 1 else closest(name.lstrip("-"), spelt)
            raise UsageError("usage.unknown_option", command=where.prog, option=unknown, hint=Problem("hint.did_you_mean", word=f"--{close}") if close else "")
        return parsed

    def _commands(self) -> dict[str, argparse.ArgumentParser]:
        """The sub-commands' parsers by name (none for a parser without sub-commands)."""
        return next((dict(a.choices) for a in self._actions if isinstance(a, argparse._SubParsersAction)), {})


def _problem(parser: argparse.ArgumentParser, message: str, cause: BaseException | None) -> UsageError:
    """argparse's complaint `message` (raised from `cause`, when it had one) as a UsageError."""
    prog = parser.prog
    if isinstance(cause, argparse.ArgumentError):
        option = cause.argument_name or ""
        action = next((a for a in parser._actions if option in (a.metavar, a.dest, *a.option_strings) or option == "/".join(a.option_strings)), None)
        if isinstance(cause.__context__, BadOption):
            return UsageError("usage.bad_value", command=prog, option=option, problem=cause.__context__.problem)
        if (found := _CHOICE.search(cause.message)) and action is not None and action.choices is not None:
            value, choices = found["value"], [str(c) for c in action.choices]
            if isinstance(action, argparse._SubParsersAction):
                return UsageError("usage.unknown_command", command=prog, value=value, hint=suggestion(value, choices), choices=", ".join(choices))
            return UsageError("usage.bad_choice", command=prog, option=option, value=value, hint=suggestion(value, choices), choices=", ".join(choices))
        if cause.message.startswith("expected"):
            return UsageError("usage.needs_value", command=prog, option=option)
    if message.startswith("the following arguments are required:"):
        needed = message.partition(":")[2].strip()
        return UsageError("usage.required", command=prog, arguments=needed)
    return UsageError("usage.other", command=prog, detail=message)


__all__ = ["BadOption", "Parser", "UsageError", "lang_of"]
