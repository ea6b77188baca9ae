"""Every sample event in events/ is invoked through the template, as `sam local invoke -e` would."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ai_admin.local.invoke import invoke, read_event
from ai_admin.local.stack import Stack
from ai_admin.local.template import Template

ROOT = Path(__file__).resolve().parents[2]
EVENTS = sorted((ROOT / "events").glob("*/*.json"))


def expected_status(path: Path) -> int | None:
    """A sample may name the status it must produce: ``events/<Fn>/<case>.<status>.json``."""
    parts = path.stem.rsplit(".", 1)
    return int(parts[1]) if len(parts) == 2 and parts[1].isdigit() else None


@pytest.mark.parametrize("path", EVENTS, ids=[f"{p.parent.name}/{p.name}" for p in EVENTS])
def test_sample_event_invokes(path: Path, local_stack: Stack, clean_state: None) -> None:
    template = Template.load(ROOT / "template.yaml")
    result = invoke(template, path.parent.name, read_event(path), local_stack.env)
    json.dumps(result)
    if "statusCode" in (result or {}):
        status = expected_status(path)
        assert result["statusCode"] == (status or 200), result
