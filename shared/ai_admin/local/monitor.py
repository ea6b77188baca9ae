"""``ai-admin monitor``: what needs a person's attention, at a glance, refreshed live (``--once``: one
look for scripts, exit 1 when something needs attention, ``--json`` for machines).

Sections: each queue's depth and messages in flight, dead-letter queues first; open hand-offs and
their age; sync runs in progress and failed ones; reminder and notification failures; and error
counts of the last 24 hours (failed sends, failed sync batches, undelivered hand-off alerts, dead
letters). Client phones are masked as in the logs.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from typing import Any

import pg8000.native

from ai_admin.domain.phones import mask
from ai_admin.local.sync_console import age

WINDOW = timedelta(hours=24)
STUCK_RUN = timedelta(hours=1)


@dataclass
class Queue:
    name: str
    waiting: int
    in_flight: int
    dead_letter: bool


@dataclass
class Snapshot:
    at: datetime
    queues: list[Queue] | None = None  # None: the queues could not be read (``queues_error`` says why)
    queues_error: str | None = None
    handoffs: list[dict[str, Any]] = field(default_factory=list)
    running_syncs: list[dict[str, Any]] = field(default_factory=list)
    failed_syncs: list[dict[str, Any]] = field(default_factory=list)
    notifications: dict[str, int] = field(default_factory=dict)
    errors: dict[str, int] = field(default_factory=dict)

    @property
    def alerts(self) -> list[str]:
        """What needs a person, one line each; empty when all is well."""
        found = [
            f"{q.name}: {q.waiting + q.in_flight} dead letter(s)"
            for q in self.queues or []
            if q.dead_letter and q.waiting + q.in_flight
        ]
        if self.queues_error:
            found.append(f"queues unreadable: {self.queues_error}")
        found += [
            f"hand-off #{h['handoff_id']} in salon {h['company_id']}: nobody was told ({h['notice']})"
            for h in self.handoffs
            if h["notice"] != "notified"
        ]
        found += [f"sync run {r['run_id']} ({r['job']}, salon {r['company_id']}) failed" for r in self.failed_syncs]
        found += [
            f"sync run {r['run_id']} ({r['job']}) running for {age(r['seconds'])}"
            for r in self.running_syncs
            if r["seconds"] > STUCK_RUN.total_seconds()
        ]
        if self.notifications.get("gave_up"):
            found.append(f"{self.notifications['gave_up']} notification(s) given up in 24 h")
        if self.errors.get("failed_sends"):
            found.append(f"{self.errors['failed_sends']} reply send(s) failed in 24 h")
        return found

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["alerts"] = self.alerts
        return data


def _one(conn: pg8000.native.Connection, sql: str, **params: Any) -> int:
    [[value]] = conn.run(sql, **params)
    return int(value or 0)


def _rows(conn: pg8000.native.Connection, sql: str, **params: Any) -> list[dict[str, Any]]:
    rows = conn.run(sql, **params) or []
    names = [c["name"] for c in conn.columns or []]
    return [dict(zip(names, row, strict=True)) for row in rows]


def read_queues(sqs: Any, prefix: str = "") -> list[Queue]:
    """Every queue (whose name starts with ``prefix``) with its depth; dead-letter queues are the
    redrive targets of the others."""
    urls: list[str] = (
        sqs.list_queues(QueueNamePrefix=prefix).get("QueueUrls", [])
        if prefix
        else (sqs.list_queues().get("QueueUrls", []))
    )
    names = ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible", "QueueArn", "RedrivePolicy"]
    found = {url: sqs.get_queue_attributes(QueueUrl=url, AttributeNames=names)["Attributes"] for url in urls}
    targets = {json.loads(a["RedrivePolicy"])["deadLetterTargetArn"] for a in found.values() if a.get("RedrivePolicy")}
    queues = [
        Queue(
            url.rsplit("/", 1)[-1],
            int(a.get("ApproximateNumberOfMessages", 0)),
            int(a.get("ApproximateNumberOfMessagesNotVisible", 0)),
            a.get("QueueArn") in targets,
        )
        for url, a in found.items()
    ]
    return sorted(queues, key=lambda q: (not q.dead_letter, q.name))


def look(conn: pg8000.native.Connection, now: datetime, sqs: Any | None, prefix: str = "") -> Snapshot:
    snapshot = Snapshot(at=now)
    if sqs is None:
        snapshot.queues_error = "no running local stack and no AWS endpoint"
    else:
        try:
            snapshot.queues = read_queues(sqs, prefix)
        except Exception as error:  # botocore raises many kinds; the rest of the view is still worth showing
            snapshot.queues_error = f"{type(error).__name__}: {str(error)[:200]}"
    since = now - WINDOW
    snapshot.handoffs = [
        {**h, "client_phone": mask(h["client_phone"] or ""), "seconds": (now - h["opened_at"]).total_seconds()}
        for h in _rows(
            conn,
            "SELECT handoff_id, company_id, client_phone, reason, notice, opened_at FROM handoffs"
            " WHERE closed_at IS NULL ORDER BY opened_at",
        )
    ]
    snapshot.running_syncs = [
        {**r, "seconds": (now - r["started_at"]).total_seconds()}
        for r in _rows(
            conn,
            "SELECT run_id, company_id, job, started_at, batches_done, batches_planned FROM sync_runs"
            " WHERE status = 'running' ORDER BY started_at",
        )
    ]
    snapshot.failed_syncs = _rows(
        conn,
        "SELECT run_id, company_id, job, started_at, batches_failed, jsonb_array_length(errors) AS errors"
        " FROM sync_runs WHERE status = 'failed' AND started_at >= :since ORDER BY started_at DESC",
        since=since,
    )
    snapshot.notifications = {
        "sent": _one(conn, "SELECT count(*) FROM sent_notifications WHERE status = 'sent' AND sent_at >= :s", s=since),
        "retry_pending": _one(
            conn,
            "SELECT count(*) FROM sent_notifications WHERE status = 'failed' AND retry_at IS NOT NULL",
        ),
        "gave_up": _one(
            conn,
            "SELECT count(*) FROM sent_notifications WHERE status = 'failed' AND retry_at IS NULL AND claimed_at >= :s",
            s=since,
        ),
    }
    snapshot.errors = {
        "failed_sends": _one(
            conn,
            "SELECT count(*) FROM messages WHERE direction = 'out' AND status = 'failed' AND created_at >= :s",
            s=since,
        ),
        "failed_sync_batches": _one(
            conn,
            "SELECT count(*) FROM sync_batches b JOIN sync_runs r USING (run_id)"
            " WHERE b.status = 'failed' AND r.started_at >= :s",
            s=since,
        ),
        "undelivered_handoffs": _one(
            conn, "SELECT count(*) FROM handoffs WHERE notice IN ('failed', 'no_admin') AND opened_at >= :s", s=since
        ),
        "dead_letters": sum(q.waiting + q.in_flight for q in snapshot.queues or [] if q.dead_letter),
    }
    return snapshot


def render(snapshot: Snapshot) -> Any:
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    parts: list[Any] = [Text(f"AI Admin monitor, {snapshot.at.astimezone():%Y-%m-%d %H:%M:%S}", style="bold")]
    alerts = snapshot.alerts
    parts.append(Text("\n".join(f"! {a}" for a in alerts), style="red") if alerts else Text("all clear", style="green"))
    queues = Table(title="Queues", title_justify="left")
    for column in ("queue", "waiting", "in flight"):
        queues.add_column(column)
    for q in snapshot.queues or []:
        queues.add_row(q.name + (" (DLQ)" if q.dead_letter else ""), str(q.waiting), str(q.in_flight))
    parts.append(queues if snapshot.queues is not None else Text(f"queues: {snapshot.queues_error}"))
    handoffs = Table(title=f"Open hand-offs: {len(snapshot.handoffs)}", title_justify="left")
    for column in ("#", "salon", "client", "open for", "admins told", "reason"):
        handoffs.add_column(column)
    for h in snapshot.handoffs:
        handoffs.add_row(
            str(h["handoff_id"]), str(h["company_id"]), h["client_phone"], age(h["seconds"]), h["notice"], h["reason"]
        )
    parts.append(handoffs)
    syncs = Table(title="Sync runs: running, and failed in 24 h", title_justify="left")
    for column in ("run", "salon", "job", "state", "for / started"):
        syncs.add_column(column)
    for r in snapshot.running_syncs:
        syncs.add_row(str(r["run_id"]), str(r["company_id"]), r["job"], "running", age(r["seconds"]))
    for r in snapshot.failed_syncs:
        started = f"{r['started_at'].astimezone():%Y-%m-%d %H:%M}"
        syncs.add_row(str(r["run_id"]), str(r["company_id"]), r["job"], f"failed ({r['batches_failed']})", started)
    parts.append(syncs)
    counts = Table(title="Last 24 h", title_justify="left")
    counts.add_column("what")
    counts.add_column("count")
    for name, value in {
        **{f"notifications {k}": v for k, v in snapshot.notifications.items()},
        **snapshot.errors,
    }.items():
        counts.add_row(name.replace("_", " "), str(value))
    parts.append(counts)
    return Group(*parts)
