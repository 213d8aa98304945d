"""Categories of posts from the keyword dictionary."""

import pytest

from gspace.ingest.classify import build, default_classifier


@pytest.mark.parametrize(
    ("text", "categories", "severity"),
    [
        ("#救助 熊本県益城町宮園 2階に3人", ["rescue"], "high"),
        ("家屋が倒壊して下敷きになっている人がいます", ["rescue", "building_damage"], "high"),
        ("断水が続いています。給水車はどこ？", ["water_outage"], "normal"),
        ("停電しています #停電", ["power_outage"], "normal"),
        ("川が氾濫して床上浸水", ["flooding"], "normal"),
        ("裏山で土砂崩れ、道路が通行止め", ["landslide", "road_blocked"], "normal"),
        ("避難所の毛布が足りない", ["shelter_info", "supplies"], "normal"),
        ("ＦＩＲＥ near the station, heavy smoke", ["fire"], "normal"),
        ("Fireworks tonight!", ["other"], "normal"),
        ("People TRAPPED under the house, need rescue", ["rescue"], "high"),
        ("今日はいい天気", ["other"], "normal"),
        ("", ["other"], "normal"),
    ],
)
def test_keywords_give_categories_and_rescue_is_high_severity(text, categories, severity):
    classifier = default_classifier()
    found = classifier.categories(text)
    assert found == categories
    assert classifier.severity(found) == severity


def test_a_dictionary_with_an_unknown_category_is_refused():
    with pytest.raises(ValueError, match="unknown category 'weather'"):
        build({"weather": {"ja": ["雨"]}})
