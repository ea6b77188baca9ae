"""Figures for the YClients client and fake: salon generation time, full-sweep requests and throughput.

Prints one line per figure; the last line is one JSON object with all of them.
"""

from __future__ import annotations

import json
import time
from datetime import date

from ai_admin.adapters.httpx_yclients import YClientsClient
from ai_admin.local.fake_yclients import FakeYClients, Limits, generate
from ai_admin.settings import YClientsSettings
from ai_admin.yclients.payloads import RecordsQuery

TODAY = date(2026, 3, 10)


class Unlimited:
    def acquire(self) -> None:
        return None


def main() -> None:
    figures: dict[str, float | int] = {}
    for clients in (1100, 10000):
        started = time.perf_counter()
        state = generate(seed=1, clients=clients, today=TODAY)
        figures[f"generate_{clients}_s"] = round(time.perf_counter() - started, 3)
        figures[f"records_{clients}"] = len(state.records)
        print(f"generate {clients} clients: {figures[f'generate_{clients}_s']} s, {len(state.records)} records")
    state = generate(seed=1, clients=1100, today=TODAY)
    with FakeYClients(state, limits=Limits(enabled=False)) as fake:
        config = YClientsSettings.model_validate(
            {"base_url": fake.base_url, "partner_token": fake.partner_token, "user_token": fake.user_token}
        )
        client = YClientsClient(config, Unlimited())
        started = time.perf_counter()
        clients = sum(1 for _ in client.iter_clients(1, page_size=200))
        records = sum(1 for _ in client.iter_records(1, RecordsQuery(with_deleted=True), count=200))
        elapsed = time.perf_counter() - started
        requests = sum(client.requests_by_endpoint.values())
        figures["sweep_requests"] = requests
        figures["sweep_s_unthrottled"] = round(elapsed, 3)
        figures["sweep_s_at_official_limits"] = round(max(requests / 5, (requests - 1) // 200 * 60), 1)
        print(f"full sweep: {clients} clients + {records} records, {requests} requests, {elapsed:.2f} s")
        started = time.perf_counter()
        for _ in range(200):
            client.staff(1)
        figures["small_requests_per_s"] = round(200 / (time.perf_counter() - started))
        print(f"small requests: {figures['small_requests_per_s']}/s against the fake")
        client.close()
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
