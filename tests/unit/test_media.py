import hashlib

from gspace.media import relative_path, store_original


def test_an_original_is_stored_under_the_hash_of_its_bytes(tmp_path):
    source = tmp_path / "IMG_0001.JPG"
    source.write_bytes(b"\xff\xd8 photo bytes")
    data = source.read_bytes()
    sha, relative = store_original(tmp_path / "inc", data, ".JPG")
    assert sha == hashlib.sha256(data).hexdigest()
    assert relative == relative_path(sha, ".jpg") == f"media/{sha[:2]}/{sha}.jpg"
    assert (tmp_path / "inc" / relative).read_bytes() == data
    assert not list((tmp_path / "inc").rglob("*.part"))
