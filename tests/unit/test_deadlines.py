from ai_admin.domain import deadlines


def test_no_deadline_leaves_timeouts_alone() -> None:
    assert deadlines.left() is None
    assert deadlines.cap(10.0) == 10.0


def test_a_nested_deadline_only_shortens_and_ends_with_its_block() -> None:
    with deadlines.within(50.0):
        assert 40.0 < deadlines.cap(100.0) <= 50.0
        assert deadlines.cap(3.0) == 3.0
        with deadlines.within(3600.0):
            assert deadlines.cap(100.0) <= 50.0  # the outer deadline still holds
        with deadlines.within(20.0):
            assert 10.0 < deadlines.cap(100.0) <= 20.0
        assert deadlines.cap(100.0) > 20.0
    assert deadlines.left() is None


def test_a_passed_deadline_caps_at_zero() -> None:
    with deadlines.within(-1.0):
        assert deadlines.cap(10.0) == 0.0
        remaining = deadlines.left()
        assert remaining is not None and remaining < 0
