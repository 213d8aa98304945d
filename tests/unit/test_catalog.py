import pytest

from gspace.catalog import load_catalog
from gspace.errors import GspaceError


def test_built_in_kinds_have_titles_statuses_and_symbols():
    catalog = load_catalog()
    assert {"shelter", "water", "wifi", "generic"} <= catalog.keys()
    shelter = catalog["shelter"]
    assert shelter.title == {"ja": "避難所", "en": "Shelters"}
    assert [s.id for s in shelter.statuses] == ["not_opened", "open", "full", "closed", "unknown"]
    assert shelter.status("full").label["ja"] == "満員"
    assert shelter.shape == "square"


def test_a_users_kind_file_adds_a_kind_and_can_replace_a_built_in(tmp_path):
    (tmp_path / "bath.toml").write_text(
        'kind = "bath"\ntitle = { ja = "入浴施設", en = "Baths" }\n[symbol]\nshape = "circle"\n'
        'color = "#ff0000"\n[[statuses]]\nid = "open"\nlabel = { ja = "営業中", en = "Open" }\n',
        encoding="utf-8",
    )
    (tmp_path / "wifi.toml").write_text(
        'kind = "wifi"\ntitle = { ja = "Wi-Fi（市）", en = "City Wi-Fi" }\n', encoding="utf-8"
    )
    catalog = load_catalog(tmp_path)
    assert catalog["bath"].status("open").label["ja"] == "営業中"
    assert catalog["wifi"].title["en"] == "City Wi-Fi"
    assert "shelter" in catalog


@pytest.mark.parametrize(
    "text",
    ['kind = "x"\n', "not toml ===", 'kind = "x"\ntitle = {ja="a"}\n[symbol]\nshape = "star"\n'],
)
def test_a_broken_kind_file_is_named_in_the_error(tmp_path, text):
    (tmp_path / "broken.toml").write_text(text, encoding="utf-8")
    with pytest.raises(GspaceError, match="broken.toml"):
        load_catalog(tmp_path)


def test_an_incident_sees_the_users_kinds_and_its_own(tmp_path, monkeypatch):
    from gspace.catalog import incident_catalog

    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    user = tmp_path / "data" / "gspace" / "layers"
    user.mkdir(parents=True)
    (user / "bath.toml").write_text(
        'kind = "bath"\ntitle = { ja = "入浴施設", en = "Baths" }\n', encoding="utf-8"
    )
    (tmp_path / "inc" / "layers").mkdir(parents=True)
    (tmp_path / "inc" / "layers" / "bath.toml").write_text(
        'kind = "bath"\ntitle = { ja = "銭湯", en = "Public baths" }\n', encoding="utf-8"
    )
    (user / "charging.toml").write_text(
        'kind = "charging"\ntitle = { ja = "充電スポット", en = "Charging" }\n', encoding="utf-8"
    )
    catalog = incident_catalog(tmp_path / "inc")
    assert catalog["bath"].title["ja"] == "銭湯"  # the incident's file wins over the user's
    assert catalog["charging"].title["en"] == "Charging"
    assert "shelter" in catalog
