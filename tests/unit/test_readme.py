"""The README stays true: it points at nothing outside the repository, and it documents exactly the
``ai-admin`` commands the console has."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

from ai_admin.local.cli import build_parser

README = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")


def _commands() -> set[str]:
    [sub] = [a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction)]
    return set(sub.choices)


def test_nothing_outside_the_repository_is_referenced() -> None:
    # ../paths (a fresh clone has nothing beside the repository), this machine's folders, web links
    outside = re.findall(r"\.\./[\w./-]+|/work/[\w./-]+|\]\((?:https?:)?//[^)]*\)", README)
    assert outside == []


def test_every_console_command_is_documented_and_every_documented_one_exists() -> None:
    documented = set(re.findall(r"ai-admin (?:--[\w-]+ \S+ )*([a-z][a-z-]+)", README))
    assert documented == _commands()
