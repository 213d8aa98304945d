from gspace.sync.clock import HybridClock, parse_stamp


def test_stamps_increase_even_when_the_wall_clock_goes_back():
    wall = iter([1000, 1000, 900, 1200])
    clock = HybridClock(wall=lambda: next(wall))
    stamps = [clock.now() for _ in range(4)]
    assert stamps == sorted(stamps) and len(set(stamps)) == 4
    assert parse_stamp(stamps[2]) == (1000, 2)  # wall went back: counter moves on instead
    assert parse_stamp(stamps[3]) == (1200, 0)


def test_observing_a_later_remote_stamp_moves_the_clock_past_it():
    clock = HybridClock(wall=lambda: 5)
    clock.observe("000000000000100.00007")
    assert clock.now() == "000000000000100.00008"


def test_clock_resumes_after_the_last_stored_stamp():
    clock = HybridClock("000000000000500.00003", wall=lambda: 10)
    assert clock.now() > "000000000000500.00003"


def test_a_batch_of_stamps_past_the_counters_five_digits_moves_on_to_the_next_millisecond():
    clock = HybridClock(wall=lambda: 7)  # a stuck wall clock: only the counter moves
    first = clock.stamps(60_000)
    stamps = first + clock.stamps(60_000) + [clock.now()]
    assert stamps == sorted(stamps) and len(set(stamps)) == len(stamps) == 120_001
    assert {len(s) for s in stamps} == {21}  # still sorts as text
    assert parse_stamp(stamps[99_999]) == (7, 99_999) and parse_stamp(stamps[100_000]) == (8, 0)
