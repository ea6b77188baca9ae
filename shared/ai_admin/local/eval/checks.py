"""A step's ``expect`` against the bot's reply, and the scenario's ``outcome`` against what the
product changed in the CRM. Each returns failures as sentences a scenario author can act on."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from ai_admin.local.eval.guards import clock_times
from ai_admin.local.eval.model import Expect, Outcome
from ai_admin.local.eval.replies import Reply
from ai_admin.local.eval.snapshots import Diff, RecordView


def _quote(reply: Reply, limit: int = 160) -> str:
    text = " / ".join(line for line in reply.text.splitlines() if line.strip())
    return repr(text if len(text) <= limit else text[: limit - 1] + "…")


def times_named(text: str) -> list[str]:
    """Every clock time in ``text`` as HH:MM, in order, a time named twice counted twice."""
    return [f"{moment:%H:%M}" for moment in clock_times(text)]


def check_expect(expect: Expect, reply: Reply) -> list[str]:
    text = reply.text.lower()
    failures: list[str] = []
    if expect.no_reply and reply:
        failures.append(f"expected no reply, got {_quote(reply)}")
    if expect.no_reply is False and not reply:
        failures.append("expected a reply, got none")
    missing = [s for s in expect.contains if s.lower() not in text]
    if missing:
        failures.append(f"missing {', '.join(map(repr, missing))} in {_quote(reply)}")
    for group in expect.contains_any:
        if not any(s.lower() in text for s in group):
            failures.append(f"none of {', '.join(map(repr, group))} in {_quote(reply)}")
    present = [s for s in expect.not_contains if s.lower() in text]
    if present:
        failures.append(f"must not contain {', '.join(map(repr, present))}: {_quote(reply)}")
    if expect.max_times is not None and len(times := times_named(reply.text)) > expect.max_times:
        failures.append(f"{len(times)} times ({', '.join(times)}), more than {expect.max_times}, in {_quote(reply)}")
    absent = [b for b in expect.buttons if b not in reply.choice_ids]
    if absent:
        offered = ", ".join(reply.choice_ids) or "none"
        failures.append(f"buttons {', '.join(map(repr, absent))} not offered (offered: {offered})")
    return failures


def describe(record: RecordView, staff_name: Callable[[int], str]) -> str:
    services = "+".join(str(i) for i in record.service_ids)
    return f"{record.start:%Y-%m-%dT%H:%M} {staff_name(record.staff_id)} services {services} for {record.phone}"


def _same_name(wanted: str, found: str | None) -> bool:
    def folded(text: str) -> str:
        return " ".join(text.casefold().replace("ё", "е").split())

    return found is not None and folded(wanted) == folded(found)


def check_outcome(
    outcome: Outcome | None,
    changes: Diff,
    local: Callable[[datetime], datetime],
    staff_name: Callable[[int], str],
) -> list[str]:
    """Exactly the listed changes happened (net, staff changes excluded); ``local`` makes the file's
    naive wall-clock times aware."""
    wanted = outcome or Outcome()
    failures: list[str] = []
    unmatched = list(changes.created)
    for entry in wanted.created:
        key = (entry.staff, tuple(sorted(entry.services)), local(entry.start), entry.phone)
        hit = next((r for r in unmatched if (r.staff_id, r.service_ids, r.start, r.phone) == key), None)
        if hit is None:
            services = "+".join(map(str, entry.services))
            failures.append(
                f"expected a booking {entry.start:%Y-%m-%dT%H:%M} {staff_name(entry.staff)} "
                f"services {services} for {entry.phone}; it was not created"
            )
            continue
        unmatched.remove(hit)
        if entry.name is not None and not _same_name(entry.name, hit.client_name):
            failures.append(
                f"the booking {entry.start:%Y-%m-%dT%H:%M} for {entry.phone} is under the name "
                f"{hit.client_name!r} in the CRM, expected {entry.name!r}"
            )
    failures += [f"unexpected booking created: {describe(r, staff_name)}" for r in unmatched]
    cancelled = {r.id for r in changes.cancelled}
    if cancelled != set(wanted.cancelled):
        failures += [
            f"record {i} was expected to be cancelled; it was not" for i in sorted(set(wanted.cancelled) - cancelled)
        ]
        failures += [f"record {i} was cancelled unexpectedly" for i in sorted(cancelled - set(wanted.cancelled))]
    moved = {before.id: now for before, now in changes.moved}
    for move in wanted.moved:
        now = moved.pop(move.id, None)
        if now is None:
            failures.append(f"record {move.id} was expected to move to {move.start:%Y-%m-%dT%H:%M}; it did not move")
        elif now.start != local(move.start) or (move.staff is not None and now.staff_id != move.staff):
            failures.append(
                f"record {move.id} moved to {now.start:%Y-%m-%dT%H:%M} {staff_name(now.staff_id)}, "
                f"expected {move.start:%Y-%m-%dT%H:%M}"
                + (f" {staff_name(move.staff)}" if move.staff is not None else "")
            )
    failures += [f"record {i} was moved unexpectedly to {now.start:%Y-%m-%dT%H:%M}" for i, now in sorted(moved.items())]
    confirmed = {r.id for r in changes.confirmed}
    failures += [
        f"record {i} was expected to be confirmed; it was not" for i in sorted(set(wanted.confirmed) - confirmed)
    ]
    failures += [f"record {i} was confirmed unexpectedly" for i in sorted(confirmed - set(wanted.confirmed))]
    failures += [f"unexpected change: {text}" for text in changes.other]
    return failures
