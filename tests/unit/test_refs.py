"""Short references: derived from the random end of the id, distinct, and found by a prefix."""

import base64
import sqlite3
import time
import uuid

import pytest

from gspace import refs
from gspace.store import records
from gspace.store.incident import Incident


def crockford(id_: str) -> str:
    """The reference computed a second way (RFC 4648 base32 of the UUID's low 60 bits, letters
    mapped to Crockford's), to check gspace's own table-driven encoder against."""
    value = uuid.UUID(id_).int & ((1 << 60) - 1)
    rfc = base64.b32encode((value << 20).to_bytes(10, "big")).decode()[:12]
    text = rfc.translate(str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", refs.ALPHABET))
    return f"{text[:4]}-{text[4:8]}-{text[8:]}"


def test_a_reference_is_the_random_end_of_the_id_the_same_everywhere():
    assert refs.ref("01a22964-0000-7000-8000-000000000000") == "0000-0000-0000"
    assert refs.ref("01a22964-0000-7000-bfff-ffffffffffff") == "ZZZZ-ZZZZ-ZZZZ"
    # the time prefix and the version/variant digits play no part
    assert refs.ref("ffffffff-ffff-4fff-8123-456789abcdef") == refs.ref(
        "01a22964-d912-7217-b123-456789abcdef"
    )
    for id_ in records.new_ids(2000) + [str(uuid.uuid4()) for _ in range(2000)]:
        assert refs.ref(id_) == crockford(id_) == refs.ref(id_)
        assert len(refs.ref(id_)) == 14 and not set(refs.ref(id_)) & set("ILOU")


def test_ids_written_in_the_same_millisecond_get_different_references():
    ids = records.new_ids(1000)
    assert len({i[:13] for i in ids}) == 1  # what the old 8-character short id showed
    assert len({refs.ref(i) for i in ids}) == 1000


def test_an_id_of_another_shape_still_gets_a_stable_reference():
    assert refs.ref("post-123") == refs.ref("post-123") != refs.ref("post-124")
    assert len(refs.ref("x")) == 14


def test_a_million_ids_have_a_million_references():
    """p of any shared reference among 10^6 ids is ~4.3e-7 (birthday bound at 60 bits)."""
    ids = records.new_ids(1_000_000)
    started = time.perf_counter()
    shown = {refs.ref(i) for i in ids}
    elapsed = time.perf_counter() - started
    assert len(shown) == 1_000_000
    assert elapsed < 10, f"{elapsed:.1f} s to compute a million references"


def test_the_demo_reports_and_features_have_distinct_references(demo_path):
    with Incident.open(demo_path, write=False) as inc:
        reports = [r[0] for r in inc.conn.execute("SELECT id FROM reports")]
        features = [r[0] for r in inc.conn.execute("SELECT id FROM features")]
    assert len(reports) == 300
    assert len({refs.ref(i) for i in reports}) == 300
    assert len({refs.ref(i) for i in features}) == len(features) > 0


@pytest.mark.parametrize(
    ("typed", "prefix"),
    [
        ("k7m4-qx2p", "K7M4QX2P"),
        (" K7M4 QX2P ", "K7M4QX2P"),
        ("ｋ７ｍ４－ＱＸ", "K7M4QX"),  # typed with a Japanese input method
        ("ilo0", "1100"),  # Crockford: I and L read as 1, O as 0
        ("K7M4-QX2P-ZA9B", "K7M4QX2PZA9B"),
        ("K7U", None),  # U is not in the alphabet
        ("K7M4QX2PZA9BX", None),  # longer than a reference
        ("", None),
        ("#1", None),
    ],
)
def test_what_a_person_types_is_read_as_a_reference_prefix(typed, prefix):
    assert refs.parse_prefix(typed) == prefix


def _with_features(path, ids):
    inc = Incident.create(path, name="refs")
    with inc.transaction():
        layer = records.add_layer(inc, "shelter", "t", "t.csv")
        records.add_features(
            inc, layer, "shelter", [{"id": i, "name": f"避難所{n}"} for n, i in enumerate(ids)]
        )
    return inc


def test_find_by_prefix_full_id_and_any_spelling(tmp_path):
    a = "01a22964-0000-7000-8000-0000000000aa"  # 0000-0000-005A
    b = "01a22964-0000-7000-8000-0000000000bb"  # 0000-0000-005V
    c = "01a22964-0000-7000-8fff-0000000000cc"  # ZZR0-0000-006C (12 bits set, then 48 clear)
    with _with_features(tmp_path / "i", [a, b, c, "legacy-id"]) as inc:
        assert refs.ref(a) == "0000-0000-005A" and refs.ref(c) == "ZZR0-0000-006C"
        assert refs.resolve(inc.conn, "features", "0000-0000-005a") == a
        assert refs.resolve(inc.conn, "features", "0000 0000 005V") == b
        assert refs.resolve(inc.conn, "features", "zzr") == c
        assert refs.resolve(inc.conn, "features", "ZZR0-oooo") == c
        assert refs.resolve(inc.conn, "features", a) == a
        assert refs.resolve(inc.conn, "features", a.upper()) == a
        assert refs.resolve(inc.conn, "features", a.replace("-", "")) == a
        legacy = refs.ref("legacy-id")
        assert refs.resolve(inc.conn, "features", legacy[:6]) == "legacy-id"
        assert refs.resolve(inc.conn, "features", "legacy-id") == "legacy-id"
        assert refs.find(inc.conn, "features", "0000-0000-00") == [a, b]
        with pytest.raises(refs.AmbiguousRef) as ambiguous:
            refs.resolve(inc.conn, "features", "0000")
        assert ambiguous.value.candidates == [a, b]
        message = str(ambiguous.value)
        assert "0000-0000-005A (避難所0)" in message and "0000-0000-005V (避難所1)" in message
        assert "\n" not in message
        absent = next(c for c in "XYW" if c != legacy[0])
        with pytest.raises(refs.UnknownRef, match=f"no feature with id or reference '{absent}'"):
            refs.resolve(inc.conn, "features", absent)
        with pytest.raises(refs.MalformedRef):
            refs.resolve(inc.conn, "features", "K7U!")
        assert refs.find(inc.conn, "reports", "0000") == []


def test_a_deleted_row_is_not_found(tmp_path):
    a = "01a22964-0000-7000-8000-0000000000aa"
    with _with_features(tmp_path / "i", [a]) as inc:
        inc.conn.execute("UPDATE features SET deleted = 1")
        assert refs.find(inc.conn, "features", "0000") == []
        assert refs.find(inc.conn, "features", a) == []


def test_a_prefix_is_found_by_one_pass_over_the_id_index_of_a_million(tmp_path):
    with Incident.create(tmp_path / "i", name="refs") as inc:
        plan = inc.conn.execute(
            "EXPLAIN QUERY PLAN SELECT id FROM reports WHERE id IN (SELECT id FROM reports "
            "WHERE substr(id, 21, 16) BETWEEN 'a' AND 'b' OR length(id) != 36) AND deleted = 0"
        ).fetchall()
        assert any("COVERING INDEX" in row[-1] for row in plan), plan
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE TABLE reports (rid INTEGER PRIMARY KEY, id TEXT, deleted INTEGER)")
    conn.execute("CREATE UNIQUE INDEX idx_reports_id ON reports (id)")
    ids = records.new_ids(1_000_000)
    conn.executemany("INSERT INTO reports (id, deleted) VALUES (?, 0)", ((i,) for i in ids))
    target = ids[123_456]
    started = time.perf_counter()
    assert refs.resolve(conn, "reports", refs.ref(target)[:9]) == target
    elapsed = time.perf_counter() - started
    assert elapsed < 2, f"{elapsed:.2f} s to find one of a million reports by its reference"
