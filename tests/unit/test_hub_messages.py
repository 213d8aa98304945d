"""Every line `gspace sync` prints exists in English and Japanese with the same blanks (a
Japanese line missing a value would fail only when a Japanese user met it)."""

from __future__ import annotations

import string

import pytest

from gspace.sync.hub_messages import MESSAGES


def blanks(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


@pytest.mark.parametrize("key", sorted(MESSAGES))
def test_both_languages_have_the_same_blanks(key):
    english, japanese = MESSAGES[key]
    assert blanks(english) == blanks(japanese)
    assert any("\u3040" <= ch <= "\u9fff" for ch in japanese)
