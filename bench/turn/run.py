"""One client turn of the conversation worker with instant fakes: the AI responder and its engine over
the real adapters (YClients client and booking desk against the fake YClients without limits or
latency, the default demo salon synced into PostgreSQL by the sync's own planner and batches, Redis
context, PostgreSQL transcript, bot changes and opt-outs) and a frozen salon clock.

    .venv/bin/python bench/turn/run.py [--quick]

1. server time per turn: ``AiResponder.respond()`` with the offline reader over dialogs of every kind
   (prices, free times, booking in one message or from offered times, cancel + yes, move + yes), and
   the YClients requests each kind of turn made;
2. prompt tokens per turn: the OpenAI reader's prompt for those same turns (prompt messages and
   every function schema), and the largest prompt of each turn the fake LLM reported in part 3;
3. LLM calls per turn: the same kinds of dialog through the worker's reader chain (OpenAI-compatible
   reader first, the offline reader last) against the fake LLM playing what a model reads in each turn;
4. YClients requests per booking: a turn naming service, master, day and a free time, by endpoint.

The last line printed is one JSON object: {"p50_ms", "prompt_tokens", "llm_calls_per_turn",
"yclients_requests_per_booking"}.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import itertools
import json
import os
import random
import statistics
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from datetime import time as clock_time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "shared"))

from ai_admin import settings  # noqa: E402
from ai_admin.adapters.postgres_bot_changes import PostgresBotChanges  # noqa: E402
from ai_admin.adapters.postgres_catalogue import PostgresCatalogue  # noqa: E402
from ai_admin.adapters.postgres_client_profiles import PostgresClientProfiles  # noqa: E402
from ai_admin.adapters.postgres_connection import connect  # noqa: E402
from ai_admin.adapters.postgres_conversations import PostgresConversations  # noqa: E402
from ai_admin.adapters.postgres_crm_mirror import PostgresCrmMirror  # noqa: E402
from ai_admin.adapters.postgres_opt_outs import PostgresOptOuts  # noqa: E402
from ai_admin.adapters.postgres_session import PostgresSession  # noqa: E402
from ai_admin.adapters.postgres_sync_ledger import PostgresSyncLedger  # noqa: E402
from ai_admin.adapters.redis_connection import connect as connect_redis  # noqa: E402
from ai_admin.adapters.redis_context_store import RedisContextStore  # noqa: E402
from ai_admin.adapters.yclients_booking_desk import YClientsBookingDesk  # noqa: E402
from ai_admin.adapters.yclients_crm import YClientsCrm  # noqa: E402
from ai_admin.bootstrap.conversation_worker import reader as worker_reader  # noqa: E402
from ai_admin.bootstrap.yclients import yclients_client  # noqa: E402
from ai_admin.conversation.ai_responder import AiResponder  # noqa: E402
from ai_admin.conversation.llm_intents import openai_tools  # noqa: E402
from ai_admin.conversation.llm_prompt import estimate_request_tokens, prompt_messages  # noqa: E402
from ai_admin.conversation.offline_reader import OfflineReader  # noqa: E402
from ai_admin.conversation.reader import Reader  # noqa: E402
from ai_admin.conversation.turn import TurnContext  # noqa: E402
from ai_admin.conversation.understanding import Understanding  # noqa: E402
from ai_admin.domain.messages import ClientRef, InboundMessage, InboundTurn  # noqa: E402
from ai_admin.domain.russian_format import day_month  # noqa: E402
from ai_admin.domain.russian_words import accusative, dative  # noqa: E402
from ai_admin.local import services  # noqa: E402
from ai_admin.local.fake_llm import FakeLlm  # noqa: E402
from ai_admin.local.fake_yclients import FakeYClients, Limits, generate  # noqa: E402
from ai_admin.local.fake_yclients.state import Client, SalonState  # noqa: E402
from ai_admin.local.stack import LOCAL_COMPANY_ID, LOCAL_SECRETS, seed_local_company  # noqa: E402
from ai_admin.migrations import migrate  # noqa: E402
from ai_admin.settings import LlmSettings, PostgresSettings, RedisSettings, SyncSettings, load  # noqa: E402
from ai_admin.sync.jobs import BatchSpec, Job, Mode  # noqa: E402
from ai_admin.sync.runs import SyncParts, plan_run, process_batch  # noqa: E402

COMPANY = LOCAL_COMPANY_ID
# Bookable services every master of the demo salon does (haircuts, beards, combos).
CORE_CATEGORIES = frozenset({100, 101, 102})
KINDS = ("prices", "free_times", "book", "book_offered", "cancel", "move")
TURN_LABELS = {
    "prices": ("price", "price_followup"),
    "free_times": ("free_times", "free_times_evening"),
    "book": ("book_named_slot",),
    "book_offered": ("day_times", "book_offered"),
    "cancel": ("cancel_ask", "cancel_yes"),
    "move": ("move_ask", "move_yes"),
}


@dataclass(frozen=True)
class FrozenClock:
    moment: datetime

    def now(self) -> datetime:
        return self.moment


@dataclass
class PromptProbe:
    """Reads the turn with the offline reader and keeps the context as the reader got it, so the LLM
    prompt for that turn can be built after the timing; its own cost is kept apart and left out of
    turn times."""

    inner: OfflineReader = field(default_factory=OfflineReader)
    name: str = "offline"
    seen: list[TurnContext] = field(default_factory=list)
    overhead_s: float = 0.0

    def understand(self, ctx: TurnContext, deadline: float) -> Understanding:
        started = time.perf_counter()
        self.seen.append(replace(ctx, state=ctx.state.model_copy(deep=True)))
        self.overhead_s += time.perf_counter() - started
        return self.inner.understand(ctx.reading())


@dataclass
class Turn:
    dialog: str
    label: str
    ms: float
    cpu_ms: float  # this thread's CPU: the fakes' server threads, PostgreSQL and Redis left out
    requests: Counter[str]
    reply: str
    llm_calls: int = 0
    prompt_tokens: int = 0
    reader: str = ""
    acted: tuple[str, ...] = ()


# --- the salon: services, fake YClients, sync ----------------------------------------------------


def start_salon(state_dir: Path) -> tuple[services.Services, FakeYClients, datetime]:
    """PostgreSQL and Redis (embedded when no server answers), the default demo salon in the fake
    YClients (no limits, no latency) with its clock frozen at noon today, synced into PostgreSQL."""
    found = services.start(state_dir, scratch_database=True)
    migrate(found.database_url)
    seed_local_company(found.database_url)
    state = generate(seed=1, clients=1100, company_id=COMPANY)
    fake = FakeYClients(
        state,
        limits=Limits(enabled=False),
        partner_token=LOCAL_SECRETS["YCLIENTS_PARTNER_TOKEN"],
        user_token=LOCAL_SECRETS["YCLIENTS_USER_TOKEN"],
    ).start()
    os.environ.update(
        {
            "DATABASE_URL": found.database_url,
            "REDIS_URL": found.redis_url,
            "YCLIENTS_BASE_URL": fake.base_url,
            "YCLIENTS_PARTNER_TOKEN": LOCAL_SECRETS["YCLIENTS_PARTNER_TOKEN"],
            "YCLIENTS_USER_TOKEN": LOCAL_SECRETS["YCLIENTS_USER_TOKEN"],
            # the worker's Redis limiter stays in the path; limits high enough that it never waits
            "YCLIENTS_RATE_PER_SECOND": "1000",
            "YCLIENTS_RATE_PER_MINUTE": "60000",
        }
    )
    settings.reset()
    now = datetime.combine(date.today(), clock_time(12), state.tz)
    state.set_now(now)
    sync_salon(found.database_url, now)
    return found, fake, now


class _Batches:
    def __init__(self) -> None:
        self.sent: list[BatchSpec] = []

    def send(self, batches: Sequence[BatchSpec]) -> None:
        self.sent.extend(batches)


def sync_salon(database_url: str, now: datetime) -> None:
    """The sync's planner and batch worker on the salon's clock, in process (the queue is a list)."""
    conn = connect(database_url)
    queue = _Batches()
    source = YClientsCrm(yclients_client())
    parts = SyncParts(
        paged=source,
        reference=source,
        mirror=PostgresCrmMirror(conn),
        ledger=PostgresSyncLedger(conn),
        queue=queue,
        config=SyncSettings(),
        clock=lambda: now,
    )
    try:
        for job in (Job.COMPANY, Job.SERVICES, Job.STAFF, Job.SCHEDULES, Job.CLIENTS):
            plan_run(parts, COMPANY, job, Mode.FULL)
        while queue.sent:
            process_batch(parts, queue.sent.pop(0), final_attempt=True)
        unfinished = conn.run("SELECT count(*) FROM sync_runs WHERE status <> 'completed'")[0][0]
        if unfinished:
            raise RuntimeError(f"{unfinished} sync runs did not complete")
    finally:
        conn.close()


def build_responder(db: PostgresSession, now: datetime, reader: Reader) -> AiResponder:
    """As ``bootstrap.conversation_worker.responder()`` wires it, with a frozen clock and ``reader``."""
    redis_settings = load(RedisSettings)
    catalogue = PostgresCatalogue(db)
    return AiResponder(
        clock=FrozenClock(now),
        catalogues=catalogue,
        profiles=PostgresClientProfiles(db),
        contexts=RedisContextStore(connect_redis(redis_settings), db, redis_settings.context_ttl_s),
        desk=YClientsBookingDesk(yclients_client(), catalogue.timezone),
        changes=PostgresBotChanges(db),
        handoffs=PostgresConversations(db),
        opt_outs=PostgresOptOuts(db),
        reader=reader,
        context_ttl_s=redis_settings.context_ttl_s,
        budget_s=load(LlmSettings).turn_budget_s,
    )


# --- what clients write, chosen from the salon's live state ---------------------------------------


class Clients:
    """Each dialog gets a client of its own: returning clients (a synced profile with a name), and
    for cancel/move those with exactly one upcoming booking."""

    def __init__(self, state: SalonState, now: datetime, rng: random.Random) -> None:
        self.state, self.now, self.rng = state, now, rng
        upcoming: dict[int, int] = Counter()
        visited: set[int] = set()
        with state.lock:
            for record in state.records.values():
                if record.client_id is None or record.deleted:
                    continue
                if record.start > now:
                    upcoming[record.client_id] += 1
                elif record.attendance == 1:
                    visited.add(record.client_id)
        booked_once = [i for i, n in upcoming.items() if n == 1]
        free = [i for i in visited if i not in upcoming]
        rng.shuffle(booked_once)
        rng.shuffle(free)
        self._booked_once: Iterator[int] = iter(booked_once)
        self._free: Iterator[int] = iter(free)

    def returning(self) -> Client:
        return self.state.clients[next(self._free)]

    def with_one_booking(self) -> Client:
        return self.state.clients[next(self._booked_once)]


def day_phrase(day: date, today: date) -> str:
    delta = (day - today).days
    return {0: "сегодня", 1: "завтра", 2: "послезавтра"}.get(delta, day_month(day))


class Lines:
    """The salon facts a dialog's messages name: bookable services, masters and free times."""

    def __init__(self, state: SalonState, now: datetime, rng: random.Random) -> None:
        self.state, self.now, self.rng = state, now, rng
        self.today = now.date()
        self.core = [s for s in state.services.values() if s.category_id in CORE_CATEGORIES]
        self.all = list(state.services.values())

    def service(self) -> Any:
        return self.rng.choice(self.core)

    def slot(self, service_ids: Sequence[int], staff_id: int | None = None) -> tuple[int, datetime]:
        """A free start in the next week (not today), for ``staff_id`` or any master."""
        staff = [staff_id] if staff_id else list(self.state.staff)
        for _ in range(200):
            member = self.rng.choice(staff)
            day = self.today + timedelta(days=self.rng.randint(1, 7))
            starts = [s for s in self.state.free_starts(member, day, service_ids) if s.minute in (0, 30)]
            if starts:
                return member, self.rng.choice(starts)
        raise RuntimeError("no free slot in the next week")

    def when(self, start: datetime) -> str:
        return f"{day_phrase(start.date(), self.today)} в {start:%H:%M}"


# --- playing dialogs -------------------------------------------------------------------------------


_WAMIDS = itertools.count(1)


class _Discard(io.TextIOBase):
    def write(self, text: str) -> int:
        return len(text)


class Player:
    def __init__(self, responder: AiResponder, db: PostgresSession, fake: FakeYClients, probe: PromptProbe | None):
        self.responder, self.fake, self.probe = responder, fake, probe
        self.conversations = PostgresConversations(db)
        self.turns: list[Turn] = []
        self._logs = _Discard()

    def open(self, client: Client) -> tuple[int, ClientRef]:
        ref = ClientRef(key=client.phone.lstrip("+"), wa_id=client.phone.lstrip("+"), name=client.name)
        return self.conversations.open(COMPANY, ref).conversation_id, ref

    def say(self, chat: tuple[int, ClientRef], text: str, dialog: str, label: str) -> Turn:
        conversation_id, ref = chat
        message = InboundMessage(f"wamid.bench.{next(_WAMIDS)}", "text", int(time.time()), text)
        turn = InboundTurn(COMPANY, conversation_id, ref, ref.phone, (message,))
        logged = len(self.fake.request_log)
        probed = self.probe.overhead_s if self.probe else 0.0
        wall, cpu = time.perf_counter(), time.thread_time()
        with contextlib.redirect_stdout(self._logs):  # the worker logs each turn at INFO: formatted, not shown
            replies = self.responder.respond(turn)
        wall, cpu = time.perf_counter() - wall, time.thread_time() - cpu
        probed = (self.probe.overhead_s if self.probe else 0.0) - probed
        stats = self.responder.last
        result = Turn(
            dialog,
            label,
            (wall - probed) * 1000,
            (cpu - probed) * 1000,
            Counter(e.endpoint for e in self.fake.request_log[logged:]),
            getattr(replies[0], "body", ""),
            stats.llm_calls,
            stats.prompt_tokens,
            stats.reader,
            tuple(stats.acted),
        )
        self.turns.append(result)
        return result

    def offered(self, chat: tuple[int, ClientRef]) -> list[datetime]:
        state = self.responder.contexts.load(COMPANY, chat[0])
        return list(state.offered_starts()) if state else []


# Each dialog: a list of (client text, model turns) built as the dialog goes; the model turns are
# what an LLM reads in that message (a function call per intent).
ModelTurns = list[dict[str, Any]]
Step = Callable[["Player", tuple[int, ClientRef]], tuple[str, ModelTurns]]


def tool(name: str, **arguments: Any) -> dict[str, Any]:
    return {"tool_calls": [{"name": name, "arguments": arguments}]}


def text(answer: str) -> dict[str, Any]:
    return {"text": answer}


def dialog_steps(kind: str, lines: Lines, clients: Clients) -> tuple[Client, list[Step]]:
    """The client and the dialog's steps; a step may read the dialog so far (the times offered)."""
    service = lines.service()
    title = service.title.lower()
    what = accusative(service.title).lower()
    if kind == "prices":
        other = lines.rng.choice([s for s in lines.all if s.id != service.id])
        return clients.returning(), [
            lambda p, c: (f"Сколько стоит {title}?", [tool("ask", topic="prices", service=title)]),
            lambda p, c: (f"А {other.title.lower()}?", [tool("ask", topic="prices", service=other.title.lower())]),
        ]
    if kind == "free_times":
        staff_id, start = lines.slot([service.id])
        day = day_phrase(start.date(), lines.today)
        return clients.returning(), [
            lambda p, c: (
                f"Есть свободное время {day} на {what}?",
                [tool("book", service=what, when=day)],
            ),
            lambda p, c: ("а вечером?", [tool("book", when="вечером")]),
        ]
    staff_id, start = lines.slot([service.id])
    master = dative(lines.state.staff[staff_id].name)
    if kind == "book":
        when = lines.when(start)
        return clients.returning(), [
            lambda p, c: (
                f"Запишите меня на {what} к {master} {when}",
                [tool("book", service=what, staff=f"к {master}", when=when, book_now=True)],
            )
        ]
    if kind == "book_offered":
        day = day_phrase(start.date(), lines.today)

        def pick(p: Player, c: tuple[int, ClientRef]) -> tuple[str, ModelTurns]:
            offered = p.offered(c)
            chosen = f"в {lines.rng.choice(offered):%H:%M}" if offered else "в 12:00"
            return f"давайте {chosen}", [tool("book", when=chosen, book_now=True)]

        return clients.returning(), [
            lambda p, c: (
                f"Хочу на {what} к {master} {day}",
                [tool("book", service=what, staff=f"к {master}", when=day)],
            ),
            pick,
        ]
    client = clients.with_one_booking()
    if kind == "cancel":
        return client, [
            lambda p, c: ("Здравствуйте, хочу отменить запись", [tool("cancel")]),
            lambda p, c: ("да", [tool("answer", yes=True)]),
        ]
    with lines.state.lock:
        mine = [r for r in lines.state.records.values() if r.client_id == client.id and not r.deleted]
    record = next(r for r in mine if r.start > lines.now)
    _, new_start = lines.slot(record.service_ids, record.staff_id)
    when = lines.when(new_start)
    return client, [
        lambda p, c: (
            f"Можно перенести мою запись на {when}?",
            [tool("move", when=when)],
        ),
        lambda p, c: ("да", [tool("answer", yes=True)]),
    ]


def play(player: Player, kinds: Sequence[str], lines: Lines, clients: Clients, llm: FakeLlm | None = None) -> list[int]:
    """Plays one dialog of each kind in order; returns the turns another reader had to read."""
    missed = []
    for kind in kinds:
        client, steps = dialog_steps(kind, lines, clients)
        chat = player.open(client)
        for step, label in zip(steps, TURN_LABELS[kind], strict=True):
            message, model = step(player, chat)
            if llm is not None:
                llm.reset()
                llm.play(*model)
            turn = player.say(chat, message, kind, label)
            if llm is not None and turn.reader != "openai":
                missed.append(len(player.turns))
    return missed


# --- figures ---------------------------------------------------------------------------------------


def percentile(values: Sequence[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def goal_reached(turns: Sequence[Turn]) -> Counter[str]:
    done: Counter[str] = Counter()
    for t in turns:
        ok = {
            "book_named_slot": "created" in t.acted,
            "book_offered": "created" in t.acted,
            "cancel_yes": "cancelled" in t.acted,
            "move_yes": "moved" in t.acted,
            "price": "₽" in t.reply,
            "free_times": "свободно" in t.reply.lower(),
        }.get(t.label)
        if ok is not None:
            done[f"{t.label} {'ok' if ok else 'MISSED'}"] += 1
    return done


def print_server_time(turns: Sequence[Turn]) -> None:
    times = [t.ms for t in turns]
    p50, p95, p99 = (percentile(times, q) for q in (0.5, 0.95, 0.99))
    print(
        f"server time over {len(times)} turns (offline reader): p50 {p50:.1f} ms, p95 {p95:.1f} ms, p99 {p99:.1f} ms; "
        f"CPU of the turn's own thread p50 {percentile([t.cpu_ms for t in turns], 0.5):.1f} ms"
    )
    groups: dict[str, list[Turn]] = defaultdict(list)
    for t in turns:
        groups[t.label].append(t)
    print(f"  {'turn':<20}{'n':>4}{'p50 ms':>8}{'p95 ms':>8}{'cpu ms':>8}{'YClients':>10}  requests by endpoint (mean)")
    for label, group in groups.items():
        ms = [t.ms for t in group]
        endpoints: Counter[str] = Counter()
        for t in group:
            endpoints.update(t.requests)
        print(
            f"  {label:<20}{len(group):>4}{percentile(ms, 0.5):>8.1f}{percentile(ms, 0.95):>8.1f}"
            f"{percentile([t.cpu_ms for t in group], 0.5):>8.1f}{endpoints.total() / len(group):>10.2f}  "
            + (", ".join(f"{e} {n / len(group):.2g}" for e, n in endpoints.most_common()) or "-")
        )
    print("  dialogs that reached their goal: " + ", ".join(f"{k} {v}" for k, v in goal_reached(turns).items()))


def prompt_tokens(seen: Sequence[TurnContext]) -> list[int]:
    tools = openai_tools()
    return [estimate_request_tokens(prompt_messages(ctx), tools) for ctx in seen]


def by_label(turns: Sequence[Turn], value: Callable[[Turn], float]) -> dict[str, list[float]]:
    grouped: dict[str, list[float]] = defaultdict(list)
    for t in turns:
        grouped[t.label].append(value(t))
    return grouped


def measure_offline(player: Player, probe: PromptProbe, rounds: int, lines: Lines, clients: Clients) -> list[int]:
    """Parts 1 and 2; returns the prompt tokens of each turn."""
    play(player, KINDS, lines, clients)  # warm-up: connections, caches, morphology
    player.turns.clear()
    probe.seen.clear()
    for _ in range(rounds):
        play(player, KINDS, lines, clients)
    print_server_time(player.turns)
    tokens = prompt_tokens(probe.seen)
    print(
        f"prompt tokens (the OpenAI reader's request: messages and function schemas) over {len(tokens)} turns: "
        f"max {max(tokens)}, mean {statistics.mean(tokens):.0f}"
    )
    worst = {label: int(max(v)) for label, v in by_label(player.turns, lambda t: 0).items()}
    for turn, n in zip(player.turns, tokens, strict=True):
        worst[turn.label] = max(worst[turn.label], n)
    print("  max by turn: " + ", ".join(f"{label} {n}" for label, n in worst.items()))
    return tokens


def measure_llm(player: Player, rounds: int, lines: Lines, clients: Clients, llm: FakeLlm) -> list[Turn]:
    """Part 3: every kind of dialog through the worker's reader chain, the fake LLM playing the model."""
    play(player, KINDS, lines, clients, llm)  # warm-up: the SDK's client and connection
    player.turns.clear()
    missed = []
    for _ in range(rounds):
        missed += play(player, KINDS, lines, clients, llm)
    turns = player.turns
    calls = [t.llm_calls for t in turns]
    print(
        f"LLM calls per turn over {len(calls)} scripted turns: mean {statistics.mean(calls):.2f}; "
        f"turns read in one call {sum(1 for c in calls if c == 1)}, in two {sum(1 for c in calls if c > 1)}; "
        f"turns the LLM reader did not read: {len(missed)}"
    )
    usage = [t.prompt_tokens for t in turns]
    print(
        f"  prompt tokens the fake LLM reported (largest request of each turn): "
        f"max {max(usage)}, mean {statistics.mean(usage):.0f}"
    )
    calls_by, usage_by = by_label(turns, lambda t: t.llm_calls), by_label(turns, lambda t: t.prompt_tokens)
    print(
        "  by turn (calls, largest request): "
        + ", ".join(f"{label} {statistics.mean(v):.1f}, {max(usage_by[label]):.0f}" for label, v in calls_by.items())
    )
    ms = [t.ms for t in turns]
    print(
        f"  server time with the instant fake LLM (its HTTP round trips included): p50 {percentile(ms, 0.5):.1f} ms, "
        f"p95 {percentile(ms, 0.95):.1f} ms; CPU of the turn's own thread p50 "
        f"{percentile([t.cpu_ms for t in turns], 0.5):.1f} ms"
    )
    return turns


def measure_bookings(turns: Sequence[Turn]) -> list[int]:
    """Part 4: the offline reader's turns that booked a named service, master, day and free time."""
    bookings = [t for t in turns if t.label == "book_named_slot" and "created" in t.acted]
    per_booking = [sum(t.requests.values()) for t in bookings]
    endpoints: Counter[str] = Counter()
    for t in bookings:
        endpoints.update(t.requests)
    print(
        f"YClients requests per booking over {len(bookings)} bookings: max {max(per_booking)}, "
        f"mean {statistics.mean(per_booking):.2f}; by endpoint: "
        + ", ".join(f"{e} {n / len(bookings):.2g}" for e, n in endpoints.most_common())
    )
    return per_booking


TARGETS = {"p50_ms": 30, "prompt_tokens": 2500, "llm_calls_per_turn": 1.6, "yclients_requests_per_booking": 4}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="66 timed turns, not 330; 22 LLM turns, not 110")
    args = parser.parse_args()
    rounds = 6 if args.quick else 30
    rng = random.Random(7)
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as state_dir:
        found, fake, now = start_salon(Path(state_dir))
        db = PostgresSession(load(PostgresSettings))
        try:
            print(
                f"salon synced in {time.perf_counter() - started:.1f} s; frozen clock {now:%Y-%m-%d %H:%M %Z}; "
                f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}"
            )
            lines, clients = Lines(fake.state, now, rng), Clients(fake.state, now, rng)
            probe = PromptProbe()
            offline = Player(build_responder(db, now, probe), db, fake, probe)
            tokens = measure_offline(offline, probe, rounds, lines, clients)
            with FakeLlm(api_key="sk-bench") as llm:
                os.environ.update({"LLM_PRIMARY_BASE_URL": llm.url, "LLM_PRIMARY_API_KEY": "sk-bench"})
                settings.reset()
                chain = Player(build_responder(db, now, worker_reader()), db, fake, None)
                llm_turns = measure_llm(chain, max(1, rounds // 3), lines, clients, llm)
            per_booking = measure_bookings(offline.turns)
        finally:
            db.close()
            fake.stop()
            found.close()
    summary = {
        "p50_ms": round(percentile([t.ms for t in offline.turns], 0.5), 2),
        "prompt_tokens": max(tokens),
        "llm_calls_per_turn": round(statistics.mean(t.llm_calls for t in llm_turns), 2),
        "yclients_requests_per_booking": max(per_booking),
    }
    verdicts = (f"{key} {'met' if summary[key] <= limit else 'MISSED'} (<= {limit})" for key, limit in TARGETS.items())
    print("targets: " + ", ".join(verdicts))
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
