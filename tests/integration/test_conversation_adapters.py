"""The adapters behind the conversation ports, against a small fake salon, real PostgreSQL and Redis."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock_time
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import redis

from ai_admin import settings
from ai_admin.adapters.clocks import FROZEN_NOW_KEY, RedisClock, SystemClock
from ai_admin.adapters.httpx_yclients import YClientsClient
from ai_admin.adapters.postgres_bot_changes import PostgresBotChanges
from ai_admin.adapters.postgres_catalogue import PostgresCatalogue
from ai_admin.adapters.postgres_client_profiles import PostgresClientProfiles
from ai_admin.adapters.postgres_connection import connect
from ai_admin.adapters.postgres_conversations import PostgresConversations
from ai_admin.adapters.postgres_crm_mirror import PostgresCrmMirror
from ai_admin.adapters.postgres_opt_outs import PostgresOptOuts
from ai_admin.adapters.postgres_session import PostgresSession
from ai_admin.adapters.postgres_sync_ledger import PostgresSyncLedger
from ai_admin.adapters.redis_context_store import RedisContextStore
from ai_admin.adapters.yclients_booking_desk import YClientsBookingDesk
from ai_admin.adapters.yclients_crm import YClientsCrm
from ai_admin.conversation.model import Booked
from ai_admin.conversation.ports import BookingError
from ai_admin.conversation.state import Choice, DialogState, Offer, OfferedSlot, Pending
from ai_admin.conversation.understanding import WhenSpec
from ai_admin.domain.day_parts import TimeWindow
from ai_admin.domain.messages import ClientRef
from ai_admin.local.fake_yclients import FakeYClients, Limits
from ai_admin.local.fake_yclients.scenario import state_from_scenario
from ai_admin.local.fake_yclients.state import Record, SalonState
from ai_admin.local.stack import Stack
from ai_admin.settings import PostgresSettings, SyncSettings
from ai_admin.sync.jobs import BatchSpec, Job, Mode
from ai_admin.sync.runs import SyncParts, plan_run, process_batch
from tests.conftest import Unlimited, yclients_config

TZ = ZoneInfo("Europe/Moscow")
TODAY = datetime.now(TZ).date()  # the sync reads windows around the real today
DAY1, DAY2 = TODAY + timedelta(days=1), TODAY + timedelta(days=2)
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DAY_OFF = TODAY + timedelta(days=3)  # Сергей never works on this weekday

IVAN, IVAN_TWIN, IVAN_LONGER = "+79161234567", "+79161234568", "+791612345670"  # the last is not dialable
OLEG = "+79160000001"
BOOK = "POST /book_record/{company_id}"


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, clock_time(hour, minute), TZ)


def scenario() -> dict[str, Any]:
    past = [TODAY - timedelta(days=n) for n in (40, 25, 10)]
    return {
        "now": at(TODAY, 8).isoformat(),
        "salon": {
            "title": "Барбершоп «Тест»",
            "timezone": "Europe/Moscow",
            "address": "ул. Тестовая, 5",
            "hours": {"open": "10:00", "close": "20:00"},
            "services": [
                {"id": 1, "title": "Мужская стрижка", "price": 1800, "minutes": 60, "category": "Стрижки"},
                {"id": 2, "title": "Стрижка бороды", "price": 1100, "minutes": 30, "category": "Борода"},
                {"id": 3, "title": "Королевское бритьё", "price": 2200, "minutes": 90, "category": "Борода"},
            ],
            "staff": [
                {"id": 11, "name": "Сергей", "services": [1, 2, 3], "days_off": [WEEKDAYS[DAY_OFF.weekday()]]},
                {"id": 12, "name": "Бари", "services": [1, 2]},
            ],
            "records": [
                {"id": 501, "staff": 11, "services": [1], "start": at(DAY1, 12).isoformat(), "phone": OLEG},
            ],
        },
        "client": {
            "name": "Иван",
            "phone": IVAN,
            "history": [{"staff": 11, "services": [1], "start": at(day, 15).isoformat()} for day in past],
        },
    }


def add_record(state: SalonState, record_id: int, phone: str, staff_id: int, start: datetime, **extra: Any) -> None:
    owner = state.client_by_phone(phone) or state.add_client("Клиент", phone)
    state.load_record(
        Record(
            id=record_id,
            staff_id=staff_id,
            service_ids=[2],
            client_id=owner.id,
            start=start,
            length_s=1800,
            created_at=at(TODAY, 7),
            changed_at=at(TODAY, 7),
            visit_id=record_id,
            costs=[state.services[2].price],
            **extra,
        )
    )


@pytest.fixture
def salon() -> Iterator[FakeYClients]:
    with FakeYClients(state_from_scenario(scenario()), limits=Limits(enabled=False)) as fake:
        fake.faults.hang_s = 1.0
        yield fake


@pytest.fixture
def crm(salon: FakeYClients) -> Iterator[YClientsClient]:
    client = YClientsClient(yclients_config(salon, timeout_s=0.5), Unlimited(), sleep=lambda _: None)
    yield client
    client.close()


@pytest.fixture
def desk(crm: YClientsClient) -> YClientsBookingDesk:
    return YClientsBookingDesk(crm, TZ)


# --- the booking desk ----------------------------------------------------------------------------


def test_free_starts_respect_duration_and_existing_records(desk: YClientsBookingDesk, salon: FakeYClients) -> None:
    haircut = desk.free_starts(1, 11, DAY1, [1])
    assert haircut == salon.state.free_starts(11, DAY1, [1])
    assert all(s.tzinfo is not None and s.utcoffset() == timedelta(hours=3) for s in haircut)
    assert at(DAY1, 11) in haircut and at(DAY1, 13) in haircut
    assert not {at(DAY1, 11, 15), at(DAY1, 12), at(DAY1, 12, 45)} & set(haircut)  # the 12:00 record
    assert max(haircut) == at(DAY1, 19)  # 60 minutes before closing
    shave = desk.free_starts(1, 11, DAY1, [3])
    assert at(DAY1, 10, 30) in shave and at(DAY1, 10, 45) not in shave and max(shave) == at(DAY1, 18, 30)
    assert desk.free_starts(1, 11, DAY_OFF, [1]) == []
    assert desk.requests_made == 3


def test_free_starts_for_an_unknown_master_is_a_booking_error(desk: YClientsBookingDesk) -> None:
    with pytest.raises(BookingError) as caught:
        desk.free_starts(1, 99, DAY1, [1])
    assert not caught.value.slot_taken and not caught.value.outcome_unknown


def book(desk: YClientsBookingDesk, start: datetime, api_id: str = "turn-1", **overrides: Any) -> Booked:
    values: dict[str, Any] = {"phone": IVAN, "name": "Иван", "staff_id": 11, "service_ids": [1], "start": start}
    return desk.book(1, api_id=api_id, **{**values, **overrides})


def test_book_reads_back_and_the_same_api_id_does_not_book_twice(
    desk: YClientsBookingDesk, salon: FakeYClients
) -> None:
    booked = book(desk, at(DAY1, 14))
    assert desk.requests_made <= 4
    record = salon.state.records[booked.record_id]
    assert (booked.staff_id, booked.service_ids, booked.start, booked.phone) == (11, (1,), at(DAY1, 14), IVAN)
    assert record.api_id == "turn-1" and booked.start.tzinfo is not None
    assert book(desk, at(DAY1, 14)) == booked  # a redelivered turn
    assert book(desk, at(DAY1, 14), api_id="turn-2") == booked  # the client already holds exactly this
    assert [r.id for r in salon.state.records_created()] == [booked.record_id]


def test_booking_a_taken_time_says_slot_taken(desk: YClientsBookingDesk, salon: FakeYClients) -> None:
    with pytest.raises(BookingError) as caught:
        book(desk, at(DAY1, 12, 30))
    assert caught.value.slot_taken and not caught.value.outcome_unknown
    assert salon.state.records_created() == []


@pytest.mark.parametrize("kind", ["500", "500_after", "timeout", "drop"])
def test_a_fault_storm_on_book_record_never_duplicates(
    desk: YClientsBookingDesk, salon: FakeYClients, kind: str
) -> None:
    salon.faults.fail_next(kind, times=20, endpoint=BOOK)
    try:
        booked = book(desk, at(DAY1, 16))
    except BookingError as error:
        assert error.outcome_unknown and not error.slot_taken
        assert salon.state.records_created() == []
    else:
        assert [r.id for r in salon.state.records_created()] == [booked.record_id]
        assert booked.start == at(DAY1, 16) and booked.phone == IVAN
    assert len(salon.state.records_created()) <= 1
    if kind == "500":  # refused before processing: nothing was made, and the bot must not say it was
        assert salon.state.records_created() == []


def test_bookings_of_never_returns_another_phones_record(desk: YClientsBookingDesk, salon: FakeYClients) -> None:
    state = salon.state
    add_record(state, 601, IVAN, 12, at(DAY1, 14))
    add_record(state, 602, IVAN_TWIN, 12, at(DAY1, 15))
    add_record(state, 603, IVAN_LONGER, 12, at(DAY1, 16))
    add_record(state, 604, IVAN, 11, at(DAY2, 10))
    add_record(state, 605, IVAN, 11, at(DAY2, 11), deleted=True)
    add_record(state, 606, IVAN, 12, at(TODAY + timedelta(days=20), 10))  # outside the range asked
    mine = desk.bookings_of(1, IVAN, TODAY, TODAY + timedelta(days=7))
    assert [b.record_id for b in mine] == [601, 604]
    assert {b.phone for b in mine} == {IVAN}
    assert mine[0] == Booked(601, 12, (2,), at(DAY1, 14), IVAN)
    assert [b.record_id for b in desk.bookings_of(1, IVAN_TWIN, TODAY, DAY2)] == [602]
    assert desk.bookings_of(1, "+79990000000", TODAY, DAY2) == []


def test_move_confirm_and_cancel_change_the_crm(desk: YClientsBookingDesk, salon: FakeYClients) -> None:
    booked = book(desk, at(DAY1, 14))
    before = desk.requests_made
    moved = desk.move(1, booked, start=at(DAY2, 17), staff_id=12)
    assert desk.requests_made - before == 3
    assert (moved.record_id, moved.start, moved.staff_id, moved.service_ids) == (
        booked.record_id,
        at(DAY2, 17),
        12,
        (1,),
    )
    record = salon.state.records[booked.record_id]
    assert (record.start, record.staff_id, record.service_ids, record.deleted) == (at(DAY2, 17), 12, [1], False)
    assert salon.state.client_by_phone(IVAN).id == record.client_id  # type: ignore[union-attr]
    desk.confirm(1, moved)
    assert salon.state.records_confirmed() == [booked.record_id]
    desk.confirm(1, moved)  # already confirmed: nothing sent but the check
    desk.cancel(1, moved)
    assert salon.state.records[booked.record_id].deleted
    desk.cancel(1, moved)  # already cancelled
    assert salon.state.records_cancelled() == [booked.record_id]


def test_moving_onto_a_taken_time_says_slot_taken(desk: YClientsBookingDesk, salon: FakeYClients) -> None:
    booked = book(desk, at(DAY1, 14))
    with pytest.raises(BookingError) as caught:
        desk.move(1, booked, start=at(DAY1, 12), staff_id=11)
    assert caught.value.slot_taken
    assert salon.state.records[booked.record_id].start == at(DAY1, 14)


def test_another_phones_record_is_never_touched(desk: YClientsBookingDesk, salon: FakeYClients) -> None:
    olegs = salon.state.records[501]
    claimed = Booked(501, 11, (1,), olegs.start, IVAN)  # a record id from elsewhere, claimed by Ivan
    for action in (
        lambda: desk.move(1, claimed, start=at(DAY2, 15), staff_id=11),
        lambda: desk.cancel(1, claimed),
        lambda: desk.confirm(1, claimed),
    ):
        with pytest.raises(BookingError, match="not this client's"):
            action()
    assert (olegs.start, olegs.deleted, olegs.attendance) == (at(DAY1, 12), False, 0)
    assert salon.state.changes == []


def test_a_lost_cancel_answer_is_read_back(desk: YClientsBookingDesk, salon: FakeYClients) -> None:
    booked = book(desk, at(DAY1, 14))
    salon.faults.fail_next("500_after", times=20, endpoint="DELETE /record/{company_id}/{record_id}")
    desk.cancel(1, booked)
    assert salon.state.records[booked.record_id].deleted


# --- reading the synced salon ----------------------------------------------------------------------


class _Batches:
    def __init__(self) -> None:
        self.sent: list[BatchSpec] = []

    def send(self, batches: Any) -> None:
        self.sent.extend(batches)


@pytest.fixture
def db(local_stack: Stack, clean_state: None) -> Iterator[PostgresSession]:
    session = PostgresSession(PostgresSettings.model_validate({"url": local_stack.env["DATABASE_URL"]}))
    yield session
    session.close()


@pytest.fixture
def synced(local_stack: Stack, clean_state: None, salon: FakeYClients, crm: YClientsClient) -> Iterator[SalonState]:
    """The small salon synced into PostgreSQL by the sync's own planner and batches (no queue)."""
    conn = connect(local_stack.env["DATABASE_URL"])
    queue = _Batches()
    parts = SyncParts(
        paged=(source := YClientsCrm(crm)),
        reference=source,
        mirror=PostgresCrmMirror(conn),
        ledger=PostgresSyncLedger(conn),
        queue=queue,
        config=SyncSettings(),
        clock=lambda: datetime.now(UTC),
    )
    try:
        for job in (Job.COMPANY, Job.SERVICES, Job.STAFF, Job.SCHEDULES, Job.CLIENTS):
            plan_run(parts, 1, job, Mode.FULL)
        while queue.sent:
            process_batch(parts, queue.sent.pop(0), final_attempt=True)
        assert conn.run("SELECT count(*) FROM sync_runs WHERE status <> 'completed'")[0][0] == 0
        yield salon.state
    finally:
        conn.close()


def test_catalogue_reads_the_synced_salon(synced: SalonState, db: PostgresSession) -> None:
    catalogue = PostgresCatalogue(db).catalogue(1)
    salon = catalogue.salon
    assert (salon.title, salon.timezone, salon.address) == ("Барбершоп «Тест»", "Europe/Moscow", "ул. Тестовая, 5")
    assert salon.hours == TimeWindow(clock_time(10), clock_time(21))  # no hours in the salon's settings
    assert [(s.id, s.title, s.category, s.price, s.minutes) for s in catalogue.services] == [
        (1, "Мужская стрижка", "Стрижки", 1800.0, 60),
        (2, "Стрижка бороды", "Борода", 1100.0, 30),
        (3, "Королевское бритьё", "Борода", 2200.0, 90),
    ]
    sergey, bari = catalogue.member(11), catalogue.member(12)
    assert sergey is not None and bari is not None
    assert sergey.service_ids == {1, 2, 3} and bari.service_ids == {1, 2}
    assert sergey.days_off == {DAY_OFF.weekday()} and bari.days_off == frozenset()
    assert [m.id for m in catalogue.staff_for([3])] == [11]


def test_working_hours_from_schedules_with_fallbacks(synced: SalonState, db: PostgresSession) -> None:
    now = [0.0]
    catalogue = PostgresCatalogue(db, ttl_s=60, monotonic=lambda: now[0])
    assert catalogue.working_hours(1, 11, DAY1) == TimeWindow(clock_time(10), clock_time(20))
    assert catalogue.working_hours(1, 11, DAY_OFF) is None
    far = TODAY + timedelta(days=70)  # beyond the synced schedule
    far_off = far + timedelta(days=(DAY_OFF.weekday() - far.weekday()) % 7)
    working_far = far_off + timedelta(days=1)
    assert catalogue.working_hours(1, 11, far_off) is None  # a weekday Сергей never works
    assert catalogue.working_hours(1, 11, working_far) == TimeWindow(clock_time(10), clock_time(21))
    assert catalogue.working_hours(1, 99, DAY1) is None
    db.run(
        "UPDATE companies SET settings = settings || CAST(:s AS jsonb) WHERE company_id = 1",
        s='{"hours": {"open": "09:00", "close": "22:00"}}',
    )
    db.run("UPDATE staff_schedules SET is_working = false WHERE company_id = 1 AND staff_id = 11 AND date = :d", d=DAY1)
    assert catalogue.working_hours(1, 11, DAY1) is not None  # cached
    now[0] = 61.0
    assert catalogue.working_hours(1, 11, DAY1) is None
    assert catalogue.working_hours(1, 11, working_far) == TimeWindow(clock_time(9), clock_time(22))
    assert catalogue.catalogue(1).salon.hours == TimeWindow(clock_time(9), clock_time(22))


def test_profile_of_a_returning_client(synced: SalonState, db: PostgresSession) -> None:
    profiles = PostgresClientProfiles(db)
    ivan = profiles.profile(1, IVAN)
    assert ivan is not None
    assert (ivan.name, ivan.visits_count, ivan.loyalty_level, ivan.returning) == ("Иван", 3, "bronze", True)
    assert ivan.favourite_staff_ids == (11,) and ivan.favourite_service_ids == (1,)
    assert ivan.last_service_ids == (1,)
    assert ivan.last_visit_at == at(TODAY - timedelta(days=10), 15)
    oleg = profiles.profile(1, OLEG)
    assert oleg is not None and oleg.visits_count == 0 and not oleg.returning
    assert profiles.profile(1, "+79990000000") is None
    assert profiles.profile(1, IVAN[:-1]) is None  # exact phones only
    db.run(
        "INSERT INTO clients (company_id, yclients_id, name, phone, visits_count) VALUES (1, 777, 'Дубль', :p, 1)",
        p=IVAN,
    )
    again = profiles.profile(1, IVAN)
    assert again is not None and again.client_id == ivan.client_id  # the card with most visits wins


def test_bot_changes_and_created_by_bot(synced: SalonState, db: PostgresSession) -> None:
    changes = PostgresBotChanges(db)
    moment = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
    changes.note(1, 501, "created", moment)
    changes.note(1, 501, "created", moment)  # redelivered
    changes.note(1, 501, "moved", moment + timedelta(minutes=5))
    changes.note(1, 424242, "created", moment)  # not mirrored yet
    assert changes.changed_by_bot(1, 501, moment) == {"created", "moved"}
    assert changes.changed_by_bot(1, 501, moment + timedelta(minutes=1)) == {"moved"}
    assert changes.changed_by_bot(1, 502, moment) == set()
    assert db.run("SELECT created_by_bot FROM records WHERE company_id = 1 AND yclients_id = 501") == [[True]]
    assert db.run("SELECT count(*) FROM bot_record_changes") == [[3]]
    with pytest.raises(ValueError, match="change must be"):
        changes.note(1, 501, "deleted", moment)


def test_opt_outs(db: PostgresSession) -> None:
    opt_outs = PostgresOptOuts(db)
    assert not opt_outs.is_opted_out(1, IVAN)
    opt_outs.opt_out(1, IVAN)
    opt_outs.opt_out(1, IVAN)
    assert opt_outs.is_opted_out(1, IVAN) and not opt_outs.is_opted_out(1, IVAN_TWIN)
    opt_outs.opt_in(1, IVAN)
    assert not opt_outs.is_opted_out(1, IVAN)


# --- the dialog state ------------------------------------------------------------------------------


@pytest.fixture
def redis_client(local_stack: Stack, clean_state: None) -> Iterator[redis.Redis]:
    client = redis.Redis.from_url(local_stack.env["REDIS_URL"])
    yield client
    client.close()


def conversation(db: PostgresSession) -> int:
    return (
        PostgresConversations(db)
        .open(1, ClientRef(key="79161234567", wa_id="79161234567", name="Иван"))
        .conversation_id
    )


def dialog() -> DialogState:
    moment = at(DAY1, 9, 30)
    state = DialogState(
        service_ids=[1],
        staff_id=11,
        day=DAY1,
        offer=Offer(service_ids=[1], staff_id=11, slots=[OfferedSlot(staff_id=11, start=at(DAY1, 14))]),
        pending=Pending(kind="book", staff_id=11, service_ids=[1], start=at(DAY1, 14), stated_at=moment),
        choice=Choice(act="move", record_ids=[7, 8], when=WhenSpec(text="на час позже", shift_minutes=60)),
        client_name="Иван",
        greeted_at=moment,
        last_bot_at=moment,
        booked_turns={"wamid.1": 501},
    )
    state.remember("client", "Хочу стрижку завтра", moment)
    state.remember("bot", "Есть 14:00 у Сергея. Записать?", moment)
    return state


def test_context_round_trip_and_postgres_fallback(redis_client: redis.Redis, db: PostgresSession) -> None:
    store = RedisContextStore(redis_client, db, ttl_s=3600)
    conv = conversation(db)
    assert store.load(1, conv) is None
    state = dialog()
    store.save(1, conv, state)
    key = store.key(1, conv)
    assert 3590 <= int(redis_client.ttl(key)) <= 3600
    assert store.load(1, conv) == state
    assert store.load(2, conv) is None  # another salon's key
    stored = db.run("SELECT state FROM conversations WHERE conversation_id = :c", c=conv)[0][0]
    assert stored["name"] == "Иван" and stored["dialog"]["booked_turns"] == {"wamid.1": 501}
    redis_client.delete(key)  # Redis restarted, evicted, or failed over
    assert store.load(1, conv) == state
    assert 3500 <= int(redis_client.ttl(key)) <= 3600  # put back for the rest of its lifetime
    state.remember("client", "Да", at(DAY1, 9, 31))
    store.save(1, conv, state)
    redis_client.delete(key)
    assert store.load(1, conv) == state


def test_context_expires_with_its_ttl(redis_client: redis.Redis, db: PostgresSession) -> None:
    store = RedisContextStore(redis_client, db, ttl_s=1)
    conv = conversation(db)
    store.save(1, conv, dialog())
    assert store.load(1, conv) is not None
    time.sleep(1.2)
    assert redis_client.get(store.key(1, conv)) is None
    assert store.load(1, conv) is None  # the durable copy is older than the TTL: a new conversation


def test_context_survives_a_redis_outage(local_stack: Stack, db: PostgresSession, redis_client: redis.Redis) -> None:
    down = redis.Redis.from_url("redis://127.0.0.1:1", socket_connect_timeout=0.2, socket_timeout=0.2)
    store = RedisContextStore(down, db, ttl_s=3600)
    conv = conversation(db)
    state = dialog()
    store.save(1, conv, state)  # PostgreSQL alone is enough
    assert store.load(1, conv) == state


# --- clocks ----------------------------------------------------------------------------------------


def test_redis_clock_reads_the_frozen_moment(redis_client: redis.Redis) -> None:
    frozen = RedisClock(redis_client)
    system = SystemClock().now()
    assert system.tzinfo is UTC
    assert abs((frozen.now() - system).total_seconds()) < 5  # nothing frozen yet
    moment = at(DAY1, 23, 59)
    frozen.freeze(moment)
    assert redis_client.get(FROZEN_NOW_KEY) == moment.isoformat().encode()
    assert frozen.now() == moment and frozen.now().utcoffset() == timedelta(hours=3)
    redis_client.set(FROZEN_NOW_KEY, "2026-03-10T12:00:00")
    with pytest.raises(ValueError, match="no UTC offset"):
        frozen.now()
    frozen.unfreeze()
    assert abs((frozen.now() - SystemClock().now()).total_seconds()) < 5


def test_the_clock_setting_picks_the_clock(stack_env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    from ai_admin.bootstrap import clock

    clock.clock.cache_clear()
    assert isinstance(clock.clock(), SystemClock)
    monkeypatch.setenv("AI_ADMIN_CLOCK", "redis")
    settings.reset()
    clock.clock.cache_clear()
    try:
        assert isinstance(clock.clock(), RedisClock)
    finally:
        clock.clock.cache_clear()


def test_a_turn_redelivered_after_its_context_was_lost_books_once(
    synced: SalonState, db: PostgresSession, redis_client: redis.Redis, desk: YClientsBookingDesk, salon: FakeYClients
) -> None:
    """The worker booked, then died before saving the dialog; SQS redelivers the same turn. The new
    attempt knows nothing of the first, so only the record's api_id in YClients stops a second one."""
    from ai_admin.conversation.ai_responder import AiResponder
    from ai_admin.conversation.reader import OfflineLink, ReaderChain
    from ai_admin.domain.messages import InboundMessage, InboundTurn
    from tests.unit.salon_fakes import FrozenClock

    contexts = RedisContextStore(redis_client, db, ttl_s=3600)
    catalogue = PostgresCatalogue(db)
    responder = AiResponder(
        clock=FrozenClock(at(TODAY, 8)),
        catalogues=catalogue,
        profiles=PostgresClientProfiles(db),
        contexts=contexts,
        desk=desk,
        changes=PostgresBotChanges(db),
        handoffs=PostgresConversations(db),
        opt_outs=PostgresOptOuts(db),
        reader=ReaderChain([OfflineLink()]),
    )
    conv = conversation(db)
    client = ClientRef(key="79161234567", wa_id="79161234567", name="Иван")
    text = f"Запишите на мужскую стрижку к Бари {DAY2:%d.%m} в 15:00"
    turn = InboundTurn(1, conv, client, IVAN, (InboundMessage("wamid.once", "text", 1_700_000_000, text),))
    first = responder.respond(turn)
    redis_client.delete(contexts.key(1, conv))
    db.run("UPDATE conversations SET state = state - 'dialog' WHERE conversation_id = :c", c=conv)
    again = responder.respond(turn)
    clients = {c.id for c in salon.state.clients.values() if c.phone == IVAN}
    made = [r for r in salon.state.records.values() if r.client_id in clients and r.start == at(DAY2, 15)]
    assert len(made) == 1 and not made[0].deleted
    assert "Записал" in getattr(first[0], "body", "") and "Записал" in getattr(again[0], "body", "")
