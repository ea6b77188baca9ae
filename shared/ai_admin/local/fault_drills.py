"""Fault drills against the local product: real servers broken on purpose while clients write, and the
count of what the clients lost. Shared by the tests (small, with assertions) and bench/durability.

``redis_kill_burst``: several clients write at once through the signed webhook, each delivery retried
until it is acknowledged (as Meta does with anything but a 200); part-way through, the product's Redis
is killed (SIGKILL: nothing saved) and started again empty. Then it counts the acknowledged messages no
turn answered, the replies the fake WhatsApp received and the records dead-lettered.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import asdict, dataclass
from typing import Any

import httpx

from ai_admin.adapters.postgres_connection import connect
from ai_admin.conversation.answer_turn import TurnRequest
from ai_admin.domain.messages import BufferedMessage, ClientRef
from ai_admin.local.eval.stage import Salon, Stage
from ai_admin.local.inbound import contact, envelope, messages_value, signed, text_message
from ai_admin.local.services import RedisProcess
from ai_admin.whatsapp.webhook_payload import Message, to_inbound


def queued_turn(salon: Salon, wa_id: str, name: str, text: str) -> TurnRequest:
    """The record the webhook enqueues when ``wa_id`` writes ``text`` (the message travels in it), for
    driving the worker record by record as SQS would, redeliveries included."""
    raw = text_message(text, wa_id, timestamp=int(time.time()))
    item = BufferedMessage(salon.phone_number_id, ClientRef(wa_id, wa_id, None, name), to_inbound(Message(**raw)))
    return TurnRequest(salon.company_id, wa_id, item.message.wamid, json.dumps(item.to_dict(), ensure_ascii=False))


@dataclass(frozen=True)
class BurstReport:
    clients: int
    sent: int  # messages the clients wrote
    acknowledged: int  # answered 200: Meta stops retrying these, so they are ours to keep
    redeliveries: int  # deliveries refused (5xx while Redis was down) and sent again
    lost: int  # acknowledged, yet no finished turn answered them
    turns: int
    replies: int  # messages the fake WhatsApp Graph API received for these clients
    dead_lettered: int  # conversation records that ended in the DLQ
    seconds: float
    redis_down_s: float

    @property
    def replies_per_message(self) -> float:
        return round(self.replies / self.acknowledged, 3) if self.acknowledged else 0.0

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "replies_per_message": self.replies_per_message}


def _queue_depth(stage: Stage, queue: str) -> int:
    attributes = stage.stack.sqs().get_queue_attributes(
        QueueUrl=stage.stack.queue_urls[queue],
        AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
    )["Attributes"]
    return sum(int(value) for value in attributes.values())


def _last_turn(stage: Stage) -> int:
    conn = connect(stage.stack.env["DATABASE_URL"])
    try:
        [[last]] = conn.run("SELECT COALESCE(max(turn_id), 0) FROM turns")
    finally:
        conn.close()
    return int(last)


def _answered(stage: Stage, company_id: int, after_turn: int) -> tuple[set[str], int]:
    """The message ids the drill's finished turns answered, and how many turns the drill took."""
    conn = connect(stage.stack.env["DATABASE_URL"])
    try:
        rows = conn.run(
            "SELECT m.wa_message_id FROM messages m JOIN turns t USING (turn_id)"
            " WHERE t.company_id = :company AND t.turn_id > :after AND t.status <> 'open'",
            company=company_id,
            after=after_turn,
        )
        [[turns]] = conn.run(
            "SELECT count(*) FROM turns WHERE company_id = :company AND turn_id > :after",
            company=company_id,
            after=after_turn,
        )
    finally:
        conn.close()
    return {str(row[0]) for row in rows}, int(turns)


def redis_kill_burst(
    stage: Stage,
    salon: Salon,
    redis_server: RedisProcess,
    *,
    clients: int = 4,
    messages: int = 5,
    gap_s: float = 0.15,
    kill_after: float = 0.4,
    down_s: float = 1.0,
    idle_timeout_s: float = 120.0,
) -> BurstReport:
    """``redis_server`` must be the Redis the stage's functions use (``REDIS_URL`` in its worker env)."""
    numbers = [f"7999800{index:04d}" for index in range(clients)]
    total = clients * messages
    acknowledged: list[tuple[str, str]] = []  # (wa_id, wamid)
    redeliveries = [0]
    lock = threading.Lock()
    started = time.monotonic()
    sent_before = len(stage.sent())
    dlq_before = _queue_depth(stage, "ConversationDLQ")
    turns_before = _last_turn(stage)
    secret = stage.stack.env["WHATSAPP_APP_SECRET"]
    url = f"{stage.api.url}/webhook"

    def client(wa_id: str) -> None:
        with httpx.Client(timeout=15) as http:
            for index in range(messages):
                message = text_message(f"Сколько стоит стрижка? ({index + 1})", wa_id)
                value = messages_value([message], [contact(wa_id, "Клиент")], phone_number_id=salon.phone_number_id)
                body, headers = signed(envelope([value]), secret)
                for _attempt in range(600):
                    try:
                        if http.post(url, content=body, headers=headers).status_code == 200:
                            break
                    except httpx.HTTPError:
                        pass
                    with lock:
                        redeliveries[0] += 1
                    time.sleep(0.1)
                else:
                    continue  # never acknowledged: Meta still holds it, not ours to lose
                with lock:
                    acknowledged.append((wa_id, str(message["id"])))
                time.sleep(gap_s)

    down = [0.0]

    def killer() -> None:
        while True:
            with lock:
                if len(acknowledged) >= kill_after * total:
                    break
            if time.monotonic() - started > 60:
                return
            time.sleep(0.01)
        redis_server.kill()
        went_down = time.monotonic()
        time.sleep(down_s)
        redis_server.start()
        down[0] = time.monotonic() - went_down

    threads = [threading.Thread(target=client, args=(n,)) for n in numbers] + [threading.Thread(target=killer)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    stage.wait_idle(salon, numbers[0], timeout_s=idle_timeout_s)
    answered, turns = _answered(stage, salon.company_id, turns_before)
    replies = [m for m in stage.sent()[sent_before:] if m.to in numbers]
    return BurstReport(
        clients=clients,
        sent=total,
        acknowledged=len(acknowledged),
        redeliveries=redeliveries[0],
        lost=sum(1 for _, wamid in acknowledged if wamid not in answered),
        turns=turns,
        replies=len(replies),
        dead_lettered=_queue_depth(stage, "ConversationDLQ") - dlq_before,
        seconds=round(time.monotonic() - started, 2),
        redis_down_s=round(down[0], 2),
    )
