"""The fake salon's state as a JSON file, so the local stack's CRM (bookings made in chat included)
survives a restart. Written atomically after every change; a file of another format version, or one
that does not read back, is refused with ``SnapshotError`` (the caller starts a new salon)."""

from __future__ import annotations

import dataclasses
import functools
import json
import os
import threading
import types
import typing
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import Any

from ai_admin.local.fake_yclients.state import (
    Category,
    Change,
    Client,
    Company,
    GoodsSale,
    Record,
    SalonState,
    ServiceItem,
    StaffMember,
)

VERSION = 1


class SnapshotError(ValueError):
    pass


@functools.cache
def _fields(kind: type) -> tuple[tuple[str, Any], ...]:
    hints = typing.get_type_hints(kind)
    return tuple((f.name, hints[f.name]) for f in dataclasses.fields(kind) if f.init)


def _encode(value: Any) -> Any:  # noqa: PLR0911 - one branch per kind of value
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {name: _encode(getattr(value, name)) for name, _ in _fields(type(value))}
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        return [[_encode(k), _encode(v)] for k, v in value.items()]
    if isinstance(value, set | frozenset):
        return sorted(_encode(v) for v in value)
    if isinstance(value, list | tuple):
        return [_encode(v) for v in value]
    return value


def _decode(kind: Any, value: Any) -> Any:  # noqa: PLR0911 - one branch per kind of field
    origin = typing.get_origin(kind)
    if origin in (typing.Union, types.UnionType):
        options = [a for a in typing.get_args(kind) if a is not type(None)]
        return None if value is None else _decode(options[0], value)
    if origin is dict:
        key_kind, value_kind = typing.get_args(kind)
        return {_decode(key_kind, k): _decode(value_kind, v) for k, v in value}
    if origin in (list, set, tuple):
        args = typing.get_args(kind)
        if origin is tuple:
            return tuple(_decode(a, v) for a, v in zip(args, value, strict=True))
        items = [_decode(args[0], v) for v in value]
        return set(items) if origin is set else items
    if kind in (datetime, date, time):
        return kind.fromisoformat(value)
    if kind is Decimal:
        return Decimal(value)
    if isinstance(kind, type) and dataclasses.is_dataclass(kind):
        return kind(**{name: _decode(hint, value[name]) for name, hint in _fields(kind)})
    return value


def dump(state: SalonState) -> dict[str, Any]:
    with state.lock:
        return {
            "version": VERSION,
            "company": _encode(state.company),
            "categories": _encode(list(state.categories.values())),
            "services": _encode(list(state.services.values())),
            "staff": _encode(list(state.staff.values())),
            "clients": _encode(list(state.clients.values())),
            "records": _encode(list(state.records.values())),
            "goods": _encode(state.goods),
            "changes": _encode(state.changes),
            "slot_step_min": state.slot_step_min,
        }


def restore(data: dict[str, Any]) -> SalonState:
    if not isinstance(data, dict) or data.get("version") != VERSION:
        raise SnapshotError(f"not a version {VERSION} snapshot of the fake salon")
    try:
        state = SalonState(
            _decode(Company, data["company"]),
            [_decode(Category, c) for c in data["categories"]],
            [_decode(ServiceItem, s) for s in data["services"]],
            [_decode(StaffMember, s) for s in data["staff"]],
            [_decode(Client, c) for c in data["clients"]],
            slot_step_min=int(data["slot_step_min"]),
        )
        for record in data["records"]:
            state.load_record(_decode(Record, record))
        state.goods = [_decode(GoodsSale, g) for g in data["goods"]]
        state.changes = [_decode(Change, c) for c in data["changes"]]
    except (KeyError, TypeError, ValueError) as error:
        raise SnapshotError(f"the snapshot does not read back: {type(error).__name__}: {error}") from None
    return state


def save(state: SalonState, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    partial.write_text(json.dumps(dump(state), ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
    partial.replace(path)


def load(path: Path) -> SalonState:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise SnapshotError(f"cannot read {path.name}: {error}") from None
    return restore(data)


class SnapshotWriter:
    """Saves ``state`` to ``path`` within ``delay_s`` of a ``changed()`` (writes coalesce), and on ``close()``."""

    def __init__(self, state: SalonState, path: Path, delay_s: float = 0.3) -> None:
        self.state, self.path, self.delay_s = state, path, delay_s
        self._dirty = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="fake-yclients-snapshot", daemon=True)
        self._thread.start()

    def changed(self) -> None:
        self._dirty.set()

    def _run(self) -> None:
        while not self._stop.is_set():
            if self._dirty.wait(0.5) and not self._stop.wait(self.delay_s):
                self._dirty.clear()
                save(self.state, self.path)

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=10)
        save(self.state, self.path)
