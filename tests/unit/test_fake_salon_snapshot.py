"""The local fake salon written to disk and read back is the same salon, bookings made through it included."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from ai_admin.local.fake_yclients import generate
from ai_admin.local.fake_yclients.snapshot import VERSION, SnapshotError, SnapshotWriter, dump, load, restore, save
from ai_admin.local.services import is_local_database


def test_a_salon_reads_back_as_it_was_written(tmp_path: Path) -> None:
    salon = generate(seed=3, clients=60, company_id=1, today=date(2026, 3, 10))
    staff = next(iter(salon.staff.values()))
    day = next(
        date(2026, 3, 12) + timedelta(days=n)
        for n in range(14)
        if salon.working_hours(staff.id, date(2026, 3, 12) + timedelta(days=n))
    )
    salon.set_now(datetime(2026, 3, 10, 12, 0))
    start = salon.free_starts(staff.id, day, staff.service_ids[:1])[0]
    made = salon.create_record(staff.id, staff.service_ids[:1], start, salon.add_client("Гость", "+79990000077").id)
    save(salon, tmp_path / "salon.json")
    again = load(tmp_path / "salon.json")
    assert dump(again) == json.loads(json.dumps(dump(salon)))
    assert again.records[made.id].start == start and again.client_by_phone("+79990000077") is not None
    assert again.records_created() == [again.records[made.id]]
    # the ids go on where they stopped: the next booking does not reuse one
    assert (
        again.create_record(staff.id, staff.service_ids[:1], start + timedelta(hours=2), None, force=True).id > made.id
    )


@pytest.mark.parametrize(
    "content", ["{not json", json.dumps({"version": VERSION + 1}), json.dumps({"version": VERSION})]
)
def test_a_snapshot_of_another_version_or_shape_is_refused(tmp_path: Path, content: str) -> None:
    path = tmp_path / "salon.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(SnapshotError):
        load(path)


def test_the_writer_saves_after_a_change_and_on_close(tmp_path: Path) -> None:
    salon = generate(seed=3, clients=30, company_id=1, today=date(2026, 3, 10))
    path = tmp_path / "salon.json"
    writer = SnapshotWriter(salon, path, delay_s=0.01)
    salon.add_client("Гость", "+79990000078")
    writer.changed()
    writer.close()
    assert restore(json.loads(path.read_text(encoding="utf-8"))).client_by_phone("+79990000078") is not None


@pytest.mark.parametrize(
    ("url", "local"),
    [
        ("postgresql://postgres@127.0.0.1:5432/postgres", True),
        ("postgresql://postgres@localhost/x", True),
        ("postgresql://postgres@:5432/postgres?host=/tmp/pg", True),
        ("postgresql://ai_admin@db.example.com:5432/prod?sslmode=require", False),
        ("postgresql://ai_admin@10.0.3.7/prod", False),
    ],
)
def test_only_this_machines_databases_count_as_local(url: str, local: bool) -> None:
    assert is_local_database(url) is local
