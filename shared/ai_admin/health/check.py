"""Is this deployment able to serve? Each dependency is probed; the report says which one is down."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from ai_admin.domain.errors import StorageUnavailable


class Probe(Protocol):
    name: str

    def check(self) -> str:
        """A short detail on success (e.g. the schema revision); raises StorageUnavailable otherwise."""
        ...


@dataclass(frozen=True)
class ProbeResult:
    name: str
    ok: bool
    detail: str
    ms: float


@dataclass(frozen=True)
class HealthReport:
    results: tuple[ProbeResult, ...]

    @property
    def ok(self) -> bool:
        return all(result.ok for result in self.results)

    def as_dict(self) -> dict[str, object]:
        return {
            "status": "ok" if self.ok else "degraded",
            "checks": {r.name: {"ok": r.ok, "detail": r.detail, "ms": round(r.ms, 1)} for r in self.results},
        }


def check_health(probes: Sequence[Probe]) -> HealthReport:
    results = []
    for probe in probes:
        started = time.perf_counter()
        try:
            detail, ok = probe.check(), True
        except StorageUnavailable as error:
            detail, ok = str(error), False
        results.append(ProbeResult(probe.name, ok, detail, (time.perf_counter() - started) * 1000))
    return HealthReport(tuple(results))
