"""Replays vary splitting and delivery order reproducibly; the first run plays the file as written."""

from __future__ import annotations

from ai_admin.local.eval.variation import deliveries, rng_for, split_in_two


def test_a_text_is_split_at_a_sentence_or_comma_boundary() -> None:
    text = "Здравствуйте! Хочу к Сергею, завтра в 15:00"
    for seed in range(20):
        parts = split_in_two(text, rng_for(seed, "x", 2))
        assert parts in (
            ["Здравствуйте!", "Хочу к Сергею, завтра в 15:00"],
            ["Здравствуйте! Хочу к Сергею,", "завтра в 15:00"],
        )
    assert split_in_two("да", rng_for(1, "x", 2)) == ["да"]


def test_the_first_run_is_as_written() -> None:
    assert [(d.text, d.position) for d in deliveries(["давайте", "в 16:00"], None)] == [("давайте", 0), ("в 16:00", 1)]


def test_shuffled_deliveries_keep_their_intended_positions_and_repeat_by_seed() -> None:
    texts = ["один", "два", "три", "четыре"]
    orders = {tuple(d.text for d in deliveries(texts, rng_for(seed, "s", 2))) for seed in range(30)}
    assert len(orders) > 1  # the order varies
    for seed in range(30):
        plan = deliveries(texts, rng_for(seed, "s", 2))
        assert sorted((d.position, d.text) for d in plan) == list(enumerate(texts))
        assert plan == deliveries(texts, rng_for(seed, "s", 2))
