"""Scenario files and folders from the command line, read and validated all at once, so one run lists
every problem in every file."""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from ai_admin.local.eval.model import Problem, Scenario, parse

SUFFIXES = (".yaml", ".yml")


@dataclass(frozen=True)
class LoadedScenario:
    file: str  # as the user will recognise it: relative to the working folder when possible
    spec: Scenario
    raw: dict[str, Any]  # the document as written (the fake YClients seeds itself from it)


def display(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def scenario_files(paths: Sequence[str]) -> tuple[list[Path], list[Problem]]:
    files: list[Path] = []
    problems: list[Problem] = []
    for given in paths:
        path = Path(given)
        if path.is_dir():
            found = sorted(p for p in path.rglob("*") if p.suffix in SUFFIXES and p.is_file())
            if not found:
                problems.append(Problem(display(path), "", "no scenario files (*.yaml) in this folder"))
            files += found
        elif path.is_file():
            files.append(path)
        else:
            problems.append(Problem(display(path), "", "no such file or folder"))
    unique = list(dict.fromkeys(p.resolve() for p in files))
    return unique, problems


def load(paths: Sequence[str]) -> tuple[list[LoadedScenario], list[Problem]]:
    files, problems = scenario_files(paths)
    loaded: list[LoadedScenario] = []
    first_file: dict[str, str] = {}
    for path in files:
        name = display(path)
        try:
            document = yaml.safe_load(path.read_text(encoding="utf-8"))
        except OSError as error:
            problems.append(Problem(name, "", f"cannot read: {error.strerror}"))
            continue
        except yaml.YAMLError as error:
            mark = getattr(error, "problem_mark", None)
            where = f"line {mark.line + 1}" if mark is not None else ""
            problems.append(Problem(name, where, f"not valid YAML: {getattr(error, 'problem', None) or error}"))
            continue
        scenario, found = parse(document, name)
        problems += found
        if scenario is None:
            continue
        if scenario.id in first_file:
            problems.append(
                Problem(name, "id", f"duplicate scenario id '{scenario.id}' (also in {first_file[scenario.id]})")
            )
            continue
        first_file[scenario.id] = name
        loaded.append(LoadedScenario(name, scenario, document))
    return loaded, problems


def from_document(document: Mapping[str, Any], name: str = "<in code>") -> LoadedScenario:
    """A scenario written in code (tests, benchmarks), checked like a file; ValueError lists its problems."""
    raw = copy.deepcopy(dict(document))
    scenario, problems = parse(raw, name)
    if scenario is None or problems:
        raise ValueError("; ".join(str(p) for p in problems) or f"{name}: not a scenario")
    return LoadedScenario(name, scenario, raw)
