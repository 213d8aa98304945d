"""Geoparsing: Japanese addresses and place names in post text, placed by the gazetteer."""

from __future__ import annotations

import zipfile

import pytest
from helpers import metres

from gspace.ingest.gazetteer import (
    CHOME_ACCURACY_M,
    MUNICIPALITY_ACCURACY_M,
    Gazetteer,
    default_gazetteer,
    import_towns,
    kanji_number,
    normalise,
    read_municipalities,
    read_towns,
    read_wards,
)

# (text, the municipality expected, its latitude and longitude as published by the
# municipality (town hall, rounded), tolerance in km)
CASES = [
    ("#救助 熊本県益城町宮園 2階に3人", "熊本県益城町", 32.79, 130.82, 8),
    ("益城町宮園で家屋倒壊", "熊本県益城町", 32.79, 130.82, 8),
    ("熊本県上益城郡益城町木山で断水", "熊本県益城町", 32.79, 130.82, 8),
    ("西原村の避難所に毛布が足りません", "熊本県西原村", 32.83, 130.90, 8),
    ("南阿蘇村で土砂崩れ", "熊本県南阿蘇村", 32.82, 131.03, 10),
    ("熊本市中央区水前寺一丁目で火事", "熊本県熊本市中央区", 32.80, 130.71, 5),
    ("熊本市東区健軍3丁目 停電", "熊本県熊本市東区", 32.79, 130.77, 5),
    ("阿蘇市役所前の道路が陥没", "熊本県阿蘇市", 32.95, 131.12, 10),
    ("人吉市 九日町 浸水 1m", "熊本県人吉市", 32.21, 130.76, 8),
    ("石川県輪島市河井町で火災、延焼中", "石川県輪島市", 37.39, 136.90, 8),
    ("珠洲市正院町 倒壊家屋に閉じ込め", "石川県珠洲市", 37.44, 137.26, 8),
    ("七尾市の給水所はどこですか", "石川県七尾市", 37.04, 136.97, 8),
    ("能登町宇出津 断水続く", "石川県能登町", 37.31, 137.15, 10),
    ("穴水町で道路寸断", "石川県穴水町", 37.23, 136.91, 8),
    ("岩手県陸前高田市高田町 津波", "岩手県陸前高田市", 39.01, 141.63, 8),
    ("大船渡市で避難所開設", "岩手県大船渡市", 39.08, 141.71, 8),
    ("釜石市只越町１丁目 浸水", "岩手県釜石市", 39.28, 141.89, 8),
    ("宮古市役所付近 冠水", "岩手県宮古市", 39.64, 141.95, 10),
    ("気仙沼市で火災発生", "宮城県気仙沼市", 38.91, 141.57, 8),
    ("石巻市門脇町二丁目 孤立", "宮城県石巻市", 38.43, 141.30, 8),
    ("宮城県本吉郡南三陸町志津川", "宮城県南三陸町", 38.68, 141.45, 8),
    ("丸森町で土砂災害", "宮城県丸森町", 37.91, 140.77, 8),
    ("仙台市青葉区国分町２丁目", "宮城県仙台市青葉区", 38.27, 140.87, 5),
    ("相馬市で給水車", "福島県相馬市", 37.80, 140.92, 8),
    ("南相馬市原町区 停電", "福島県南相馬市", 37.64, 140.96, 8),
    ("福島県伊達市保原町 断水", "福島県伊達市", 37.82, 140.56, 8),
    ("伊達市と福島市で断水", "福島県伊達市", 37.82, 140.56, 8),
    ("北海道伊達市で停電", "北海道伊達市", 42.47, 140.86, 8),
    ("東京都府中で停電", "東京都府中市", 35.67, 139.48, 5),
    ("広島県府中市 土砂崩れ", "広島県府中市", 34.57, 133.24, 8),
    ("広島県安芸郡府中町で浸水", "広島県府中町", 34.39, 132.50, 5),
    ("北海道勇払郡厚真町で土砂崩れ", "北海道厚真町", 42.72, 141.88, 10),
    ("札幌市北区で液状化", "北海道札幌市北区", 43.09, 141.34, 8),
    ("常総市で堤防決壊", "茨城県常総市", 36.02, 139.99, 8),
    ("倉敷市真備町 浸水", "岡山県倉敷市", 34.59, 133.77, 10),
    ("長野市穂保で千曲川氾濫", "長野県長野市", 36.65, 138.18, 10),
    ("福岡県朝倉市杷木 孤立", "福岡県朝倉市", 33.42, 130.67, 10),
    ("東京都千代田区丸の内１－９－１", "東京都千代田区", 35.69, 139.75, 5),
    ("東京の中央区銀座四丁目で火事", "東京都中央区", 35.67, 139.77, 5),
    ("新宿区西新宿2-8-1", "東京都新宿区", 35.69, 139.70, 5),
    ("市川市八幡で停電", "千葉県市川市", 35.72, 139.93, 8),
    ("三重県四日市市 浸水", "三重県四日市市", 34.97, 136.62, 8),
    ("愛媛県松山市で避難所開設", "愛媛県松山市", 33.84, 132.77, 10),
    ("京都市左京区 倒木", "京都府京都市左京区", 35.03, 135.78, 20),  # a ward of mountains
    ("ｶｺﾞｼﾏではなく鹿児島市で噴火、降灰", "鹿児島県鹿児島市", 31.60, 130.56, 10),
    ("沖縄県那覇市で停電", "沖縄県那覇市", 26.21, 127.68, 8),
]


@pytest.mark.parametrize(("text", "expected", "lat", "lon", "km"), CASES)
def test_a_place_named_in_text_is_found(text, expected, lat, lon, km):
    place, note = default_gazetteer().locate(text)
    assert note is None
    assert place is not None, text
    assert place.name == expected
    assert metres(place.lat, place.lon, lat, lon) < km * 1000
    assert place.accuracy_m == MUNICIPALITY_ACCURACY_M


def test_there_are_at_least_forty_cases():
    assert len(CASES) >= 40


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("伊達市で断水", "北海道, 福島県"),
        ("府中市で停電しています", "広島県, 東京都"),
        ("池田町の避難所", "北海道, 岐阜県, 福井県, 長野県"),
        ("中央区水前寺で断水", "a ward of Tokyo and of several other cities"),
    ],
)
def test_a_name_of_several_places_without_context_stays_unplaced(text, reason):
    place, note = default_gazetteer().locate(text)
    assert place is None
    assert note is not None and reason in note


@pytest.mark.parametrize(
    "text", ["今日はいい天気です", "大きな揺れでした", "熊本県で地震", "府中で停電", ""]
)
def test_text_without_a_municipality_is_not_placed(text):
    assert default_gazetteer().locate(text) == (None, None)


def test_the_gazetteer_has_every_municipality_of_japan():
    rows = read_municipalities()
    assert len(rows) == 1741
    assert len({prefecture for prefecture, *_ in rows}) == 47
    assert all(20 < lat < 46 and 122 < lon < 154 for *_, lat, lon in rows)


def test_normalising_digits_and_kanji_numerals():
    assert normalise("宮園１丁目") == "宮園1丁目"
    assert normalise("水前寺 二十三丁目") == "水前寺23丁目"
    assert normalise("銀座四丁目5番地") == "銀座4丁目5番地"
    assert [kanji_number(t) for t in ("一", "十", "十二", "二十", "三十五", "一〇")] == [
        1, 10, 12, 20, 35, 10
    ]  # fmt: skip


MLIT_HEADER = (
    '"都道府県コード","都道府県名","市区町村コード","市区町村名","大字町丁目コード",'
    '"大字町丁目名","緯度","経度","原典資料コード","大字・字・丁目区分コード"'
)
MLIT_ROWS = [
    '"43","熊本県","43443","上益城郡益城町","434430012000","宮園","32.791600","130.816200","1","1"',
    '"43","熊本県","43443","上益城郡益城町","434430013000","大字木山","32.781000","130.822000","1","1"',
    '"43","熊本県","43101","熊本市中央区","431010045001","水前寺一丁目","32.792000","130.731000","0","3"',
    '"43","熊本県","43101","熊本市中央区","431010045002","水前寺二丁目","32.795000","130.734000","0","3"',
]


def write_mlit(path, rows=MLIT_ROWS, encoding="cp932"):
    path.write_bytes(("\r\n".join([MLIT_HEADER, *rows]) + "\r\n").encode(encoding))
    return path


def test_mlit_towns_place_posts_at_town_and_chome_level(tmp_path):
    csv_path = write_mlit(tmp_path / "43_2023.csv")
    zipped = tmp_path / "43000-17.0b.zip"
    with zipfile.ZipFile(zipped, "w") as z:
        z.write(write_mlit(tmp_path / "more.csv", MLIT_ROWS[2:]), "43_2023.csv")
    read, total = import_towns([csv_path, zipped], tmp_path / "towns.tsv")
    assert (read, total) == (6, 4)
    g = Gazetteer(read_municipalities(), read_towns(tmp_path / "towns.tsv"), read_wards())

    place, _ = g.locate("#救助 益城町宮園 2階に3人")
    assert place.name == "熊本県益城町宮園" and (place.lat, place.lon) == (32.7916, 130.8162)
    assert g.locate("益城町木山で断水")[0].name == "熊本県益城町木山"  # 大字 dropped
    assert g.locate("益城町大字木山")[0].name == "熊本県益城町木山"
    for text in ("熊本市中央区水前寺２丁目", "熊本市中央区水前寺二丁目", "熊本市中央区水前寺2-5-3"):
        place, _ = g.locate(text)
        assert place.name == "熊本県熊本市中央区水前寺2丁目", text
        assert place.accuracy_m == CHOME_ACCURACY_M
    # a town the gazetteer does not know: the municipality
    assert g.locate("益城町安永で火事")[0].name == "熊本県益城町"


def test_an_mlit_file_with_other_columns_is_refused(tmp_path):
    from gspace.errors import GspaceError

    bad = tmp_path / "x.csv"
    bad.write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(GspaceError, match="not an MLIT"):
        import_towns([bad], tmp_path / "towns.tsv")
    assert not (tmp_path / "towns.tsv").exists()


def _wards_of(city: str) -> list:
    from gspace.municipalities import all_municipalities

    return [m for m in all_municipalities() if m.city == city]


@pytest.mark.parametrize(("city", "count"), [("熊本市", 5), ("札幌市", 10), ("横浜市", 18)])
def test_each_ward_of_a_designated_city_is_placed_inside_its_own_ward(city, count):
    import shapely

    from gspace.municipalities import geometry_of, locate

    wards = _wards_of(city)
    assert len(wards) == count
    places = []
    for ward in wards:
        place, note = default_gazetteer().locate(f"{ward.name}で停電、給水車を求む")
        assert note is None and place.name == ward.qualified
        assert geometry_of(ward.code).contains(shapely.Point(place.lon, place.lat)), ward.name
        places.append(place)
    # and the point-in-polygon search agrees: each post's municipality is its ward
    found = locate([p.lon for p in places], [p.lat for p in places])
    assert [m.code for m in found] == [w.code for w in wards]
    assert len({(p.lon, p.lat) for p in places}) == count  # no longer one point for the city


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("熊本県東区で停電", "熊本県熊本市東区"),  # the prefecture decides a bare ward
        ("熊本市内、東区健軍で停電", "熊本県熊本市東区"),  # so does the city named before it
        ("札幌市の北区で断水", "北海道札幌市北区"),
        ("博多区で冠水", "福岡県福岡市博多区"),  # a ward name only one city has
        ("北九州市八幡東区で土砂崩れ", "福岡県北九州市八幡東区"),
        ("熊本市で停電", "熊本県熊本市"),  # the city alone stays the city
    ],
)
def test_a_ward_is_found_with_its_city_or_alone_when_the_text_says_which(text, expected):
    place, note = default_gazetteer().locate(text)
    assert note is None and place.name == expected


def test_a_bare_ward_of_several_cities_stays_unplaced_with_the_cities():
    place, note = default_gazetteer().locate("東区で停電")
    assert place is None and "熊本県熊本市" in note and "北海道札幌市" in note
    place, note = default_gazetteer().locate("大阪府北区で火事")
    assert place is None and "大阪府堺市, 大阪府大阪市" in note
