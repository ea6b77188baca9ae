"""The webhook's dedup-and-buffer step against real Redis: one admission per message id."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
import redis
from redis.crc import key_slot

from ai_admin.adapters.redis_inbox import RedisInbox
from ai_admin.domain.errors import QueueUnavailable
from ai_admin.domain.messages import StatusUpdate
from ai_admin.local.inbound import signed_text_delivery
from ai_admin.local.stack import LOCAL_COMPANY_ID, LOCAL_PHONE_NUMBER_ID, Stack
from ai_admin.whatsapp.receive_webhook import WebhookReceiver


@pytest.fixture
def inbox(local_stack: Stack, clean_state: None) -> Iterator[RedisInbox]:
    client = redis.Redis.from_url(local_stack.env["REDIS_URL"])
    yield RedisInbox(client, dedup_ttl_s=600, clock=lambda: 1000.0)
    client.close()


def test_a_message_id_is_admitted_once_and_buffered_once(inbox: RedisInbox) -> None:
    assert inbox.admit("wamid.A", 1, "79990000001", "first")
    assert not inbox.admit("wamid.A", 1, "79990000001", "first again")
    assert inbox.pending_since(1, "79990000001") == 1000.0
    assert inbox.waiting(1, "79990000001") == ["first"]


def test_concurrent_duplicates_admit_exactly_one(inbox: RedisInbox) -> None:
    with ThreadPoolExecutor(max_workers=5) as pool:
        admitted = list(pool.map(lambda n: inbox.admit("wamid.B", 1, "79990000002", f"copy {n}"), range(5)))
    assert admitted.count(True) == 1
    assert len(inbox.waiting(1, "79990000002")) == 1


def test_forgetting_a_turns_items_keeps_what_arrived_meanwhile(inbox: RedisInbox) -> None:
    for n in (1, 2):
        inbox.admit(f"wamid.F{n}", 1, "79990000007", f"item {n}")
    taken = inbox.waiting(1, "79990000007")
    inbox.admit("wamid.F3", 1, "79990000007", "item 3")
    inbox.forget(1, "79990000007", taken)
    assert inbox.waiting(1, "79990000007") == ["item 3"]
    inbox.forget(1, "79990000007", ["item 3"])
    assert inbox.pending_since(1, "79990000007") is None


def test_a_released_message_id_is_admitted_again(inbox: RedisInbox) -> None:
    assert inbox.admit("wamid.C", 1, "79990000003", "line")
    inbox.release("wamid.C", 1, "79990000003")
    assert inbox.admit("wamid.C", 1, "79990000003", "line")


def test_a_clients_keys_share_one_hash_slot(inbox: RedisInbox, local_stack: Stack) -> None:
    """Every key a script or transaction of one client touches hashes to one cluster slot (CROSSSLOT
    otherwise, on ElastiCache Serverless); different clients spread over slots."""
    client = redis.Redis.from_url(local_stack.env["REDIS_URL"])
    inbox.admit("wamid.D", 7, "79990000005", "line")
    keys = [k.decode() for k in client.scan_iter(match="*79990000005*")]
    assert {k.rsplit(":", 1)[-1] for k in keys} >= {"buf", "last", "wamid.D"}
    assert len({key_slot(k.encode()) for k in keys}) == 1, keys
    inbox.admit("wamid.E", 7, "79990000006", "line")
    other = [k.decode() for k in client.scan_iter(match="*79990000006*")]
    assert {key_slot(k.encode()) for k in other} != {key_slot(k.encode()) for k in keys}
    client.close()


class Salons:
    def company_for(self, phone_number_id: str) -> int | None:
        return LOCAL_COMPANY_ID if phone_number_id == LOCAL_PHONE_NUMBER_ID else None


class Receipts:
    def record_status(self, update: StatusUpdate) -> bool:
        return False


class DeadLetters:
    def keep(self, source: str, reason: str, fragment: str, fingerprint: str) -> None:
        raise AssertionError(f"nothing here is unreadable: {reason}")


class FlakyQueue:
    """Fails the first ``failures`` sends, then records what it was given."""

    def __init__(self, failures: int) -> None:
        self.failures = failures
        self.sent: list[str] = []

    def enqueue(self, company_id: int, client_key: str, wamid: str, item: str) -> None:
        if self.failures:
            self.failures -= 1
            raise QueueUnavailable("SQS send failed: EndpointConnectionError")
        self.sent.append(wamid)


def test_a_message_whose_enqueue_failed_is_accepted_on_metas_retry(inbox: RedisInbox) -> None:
    queue = FlakyQueue(failures=1)
    receiver = WebhookReceiver("secret", 1_000_000, Salons(), inbox, queue, Receipts(), DeadLetters())
    body, headers = signed_text_delivery("Здравствуйте", wa_id="79990000004", app_secret="secret")
    with pytest.raises(QueueUnavailable):
        receiver.receive(body, headers["X-Hub-Signature-256"])
    assert receiver.receive(body, headers["X-Hub-Signature-256"]).accepted == 1
    assert receiver.receive(body, headers["X-Hub-Signature-256"]).duplicates == 1
    assert len(queue.sent) == 1
