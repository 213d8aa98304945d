"""Finding Japanese places in free text (geoparsing).

Two gazetteers: the municipalities of all of Japan, which ship with gspace
(`resources/gazetteer/municipalities.tsv`, one centroid each, and `wards.tsv`, a point
inside each ward of a designated city, so that 熊本市東区 is placed in that ward), and
towns (大字・町丁目), which a user adds by importing MLIT's 位置参照情報 CSV files
(`gspace import gazetteer`); those are kept in the user's data folder and used by every
incident.

The text is normalised (NFKC, so full-width digits become ASCII; kanji numerals before 丁目
become digits) and scanned for names ending in 市/区/町/村 and 都/道/府/県 by dictionary look-up
at each such character: no big regular expression, so a post costs microseconds. A name held by
several municipalities (伊達市, 府中市) is decided by a prefecture named in the text, else by the
prefecture of another municipality named in it, else left unplaced with the reason. A ward
named alone (東区, a ward of nine cities) is decided the same way, and by its city when the text
names the city too.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from gspace.errors import GspaceError
from gspace.paths import resource, user_data_dir

MUNICIPALITY_ACCURACY_M = 5000.0
TOWN_ACCURACY_M = 800.0
CHOME_ACCURACY_M = 300.0

_MUNICIPALITY_END = re.compile("[市区町村]")
_PREFECTURE_END = re.compile("[都道府県]")
_KANJI_DIGITS = {ch: n for n, ch in enumerate("〇一二三四五六七八九")}
_KANJI_CHOME = re.compile("([〇一二三四五六七八九十]+)(丁目|番地|番|号)")
_CHOME_AFTER = re.compile(r"(\d+)(?:丁目|[-‐−ー－の])")
_TOWN_PREFIX = ("大字", "字")
_LONGEST_MUNICIPALITY = 8
_LONGEST_TOWN = 16
# Tokyo's special wards whose names are also wards of designated cities (熊本市中央区, 大阪市港区):
# alone they name Tokyo only when the text mentions Tokyo
_SHARED_WARDS = {"中央区", "港区", "北区"}
_WARD = re.compile(r"[^\d市区町村]{1,4}区")
_WARD_OF_CITY = re.compile("^(.+?市)(.+区)$")  # 熊本市中央区 -> 熊本市
_DISTRICT = re.compile("^.+?郡(?=.+[町村]$)")  # 上益城郡益城町 -> 益城町


@dataclass(frozen=True)
class Place:
    lon: float
    lat: float
    accuracy_m: float
    name: str  # what was recognised, e.g. 熊本県益城町宮園1丁目


def kanji_number(text: str) -> int:
    """一 → 1, 十二 → 12, 二十三 → 23, 一〇 → 10 (digit by digit)."""
    if "十" not in text:
        value = 0
        for ch in text:
            value = value * 10 + _KANJI_DIGITS[ch]
        return value
    tens, _, ones = text.partition("十")
    return (kanji_number(tens) if tens else 1) * 10 + (kanji_number(ones) if ones else 0)


def normalise(text: str) -> str:
    """NFKC (full-width digits and letters become ASCII), no spaces, kanji numerals before
    丁目/番地/号 as digits."""
    text = unicodedata.normalize("NFKC", text).replace(" ", "").replace("\u3000", "")
    if any(ch in text for ch in "丁番号"):
        text = _KANJI_CHOME.sub(lambda m: f"{kanji_number(m.group(1))}{m.group(2)}", text)
    return text


def town_key(name: str) -> str:
    name = normalise(name)
    for prefix in _TOWN_PREFIX:
        if name.startswith(prefix) and len(name) > len(prefix):
            return name[len(prefix) :]
    return name


def municipality_key(name: str) -> str:
    """The municipality part of a 市区町村名 as MLIT writes it (with 郡, or city + ward)."""
    name = normalise(name)
    if ward := _WARD_OF_CITY.match(name):
        return ward.group(1)
    return _DISTRICT.sub("", name)


class Gazetteer:
    def __init__(
        self,
        municipalities: Iterable[tuple[str, str, float, float]],
        towns: dict[tuple[str, str], dict[str, tuple[float, float]]] | None = None,
        wards: Iterable[tuple[str, str, str, float, float]] = (),
    ):
        self.centroids: dict[tuple[str, str], tuple[float, float]] = {}
        self.by_name: dict[str, list[tuple[str, str]]] = {}
        self.prefectures: set[str] = set()
        for prefecture, name, lat, lon in municipalities:
            self.centroids[(prefecture, name)] = (lat, lon)
            self.by_name.setdefault(name, []).append((prefecture, name))
            self.prefectures.add(prefecture)
        # suffix-less city names (府中, 伊達) count only right after a prefecture: alone they
        # are too often ordinary words or surnames
        self.stems: dict[str, list[tuple[str, str]]] = {}
        for name, places in self.by_name.items():
            if name.endswith("市") and len(name) >= 3:
                self.stems.setdefault(name[:-1], []).extend(places)
        self.towns = towns or {}
        # wards of designated cities, by their full name (熊本市東区) and alone (東区)
        self.city_of: dict[tuple[str, str], tuple[str, str]] = {}
        for prefecture, city, ward, lat, lon in wards:
            place = (prefecture, city + ward)
            self.centroids[place] = (lat, lon)
            self.city_of[place] = (prefecture, city)
            for name in (city + ward, ward):
                self.by_name.setdefault(name, []).append(place)

    # -- finding names -------------------------------------------------------------------------
    def _prefectures_in(self, text: str) -> list[tuple[int, str]]:
        found = []
        for m in _PREFECTURE_END.finditer(text):
            end = m.end()
            for length in (4, 3):
                name = text[end - length : end]
                if name in self.prefectures:
                    found.append((end, name))
                    break
        return found

    def _municipalities_in(
        self, text: str, prefectures: list[tuple[int, str]]
    ) -> list[tuple[int, int, list[tuple[str, str]]]]:
        """Candidate lists of the municipality names in `text`, in text order."""
        found: list[tuple[int, int, list]] = []
        for m in _MUNICIPALITY_END.finditer(text):
            end = m.end()
            if found and found[-1][1] > m.start():
                continue  # inside the previous name (市川市 is one name, not 市 + 川市)
            for length in range(min(_LONGEST_MUNICIPALITY, end), 1, -1):
                name = text[end - length : end]
                places = self.by_name.get(name)
                if places is None:
                    continue
                start = end - length
                if found and start <= found[-1][0]:
                    found.pop()  # 熊本市東区 is one name: the ward, not its city
                elif name.endswith("区") and found and found[-1][1] == start:
                    break  # a ward the gazetteer does not know after its city: the city
                found.append((start, end, places))
                break
        for end, prefecture in prefectures:
            for length in (4, 3, 2):
                places = [
                    p for p in self.stems.get(text[end : end + length], []) if p[0] == prefecture
                ]
                if places and not any(start == end for start, _, _ in found):
                    found.append((end, end + length, places))
                    break
        found.sort(key=lambda f: f[0])
        return found

    # -- deciding ------------------------------------------------------------------------------
    def locate(self, text: str | None) -> tuple[Place | None, str | None]:
        """The most precise place named in `text`, or None and why (None when nothing was
        named at all)."""
        if not text:
            return None, None
        text = normalise(text)
        prefectures = self._prefectures_in(text)
        matches = self._municipalities_in(text, prefectures)
        if not matches:
            return None, None
        named = {p for _, p in prefectures}
        if "東京" in text:
            named.add("東京都")  # 東京の中央区: Tokyo is often named without 都
        settled = {places[0][0] for _, _, places in matches if len(places) == 1}
        cities = {places[0] for _, _, places in matches if len(places) == 1}
        ambiguous, placed = None, []
        for start, end, places in matches:
            choice = _narrow(places, named)
            if len(choice) > 1:  # a ward alone (東区): of the city the text names
                choice = [p for p in choice if self.city_of.get(p) in cities] or choice
            if len(choice) > 1:
                choice = _narrow(choice, settled)
            word = text[start:end]
            if (
                word in _SHARED_WARDS
                and "東京" not in text
                and any(p[0] == "東京都" for p in choice)
            ):
                # alone, these name Tokyo's ward only when the text mentions Tokyo
                ambiguous = ambiguous or (
                    f"{word} is a ward of Tokyo and of several other cities: "
                    "the text does not say which"
                )
                continue
            if len(choice) == 1:
                placed.append((choice[0], end))
                continue
            where = sorted({p + self.city_of.get((p, n), ("", ""))[1] for p, n in choice})
            ambiguous = ambiguous or (
                f"{word} is the name of places in {', '.join(where)}: the text does not say which"
            )
        if not placed:
            return None, ambiguous
        # the first place named, unless a ward of it is named later (熊本市内、東区健軍で)
        first = placed[0]
        wards = [p for p in placed[1:] if self.city_of.get(p[0]) == first[0]]
        municipality, end = wards[0] if wards else first
        return self._place(municipality, text, end), None

    def _place(self, municipality: tuple[str, str], text: str, end: int) -> Place:
        prefecture, name = municipality
        # towns are kept by city (MLIT's files name them so): a ward's are its city's
        towns = self.towns.get(self.city_of.get(municipality, municipality))
        if towns:
            if name.endswith("市") and (ward := _WARD.match(text, end)):
                end = ward.end()  # 熊本市中央区水前寺: the town follows the ward
            town = _town_at(towns, text, end)
            if town:
                town_name, (lat, lon) = town
                accuracy = CHOME_ACCURACY_M if "丁目" in town_name else TOWN_ACCURACY_M
                return Place(lon, lat, accuracy, prefecture + name + town_name)
        lat, lon = self.centroids[municipality]
        return Place(lon, lat, MUNICIPALITY_ACCURACY_M, prefecture + name)


def _narrow(places: list[tuple[str, str]], prefectures: set[str]) -> list[tuple[str, str]]:
    """The places in `prefectures`, or all of them when none is."""
    kept = [p for p in places if p[0] in prefectures]
    return kept or places


def _town_at(
    towns: dict[str, tuple[float, float]], text: str, start: int
) -> tuple[str, tuple[float, float]] | None:
    for prefix in _TOWN_PREFIX:
        if text.startswith(prefix, start):
            start += len(prefix)
            break
    rest = text[start : start + _LONGEST_TOWN]
    for length in range(len(rest), 0, -1):
        name = rest[:length]
        # 水前寺2-5-3: the first number is the 丁目 when the gazetteer knows that 丁目
        chome = _CHOME_AFTER.match(rest, length)
        if chome and not name.endswith("丁目"):
            finer = f"{name}{chome.group(1)}丁目"
            if finer in towns:
                return finer, towns[finer]
        if name in towns:
            return name, towns[name]
    return None


@cache
def default_gazetteer() -> Gazetteer:
    """The shipped municipalities and the towns the user imported (read once per process)."""
    return Gazetteer(read_municipalities(), read_towns(towns_path()), read_wards())


# -- the files -------------------------------------------------------------------------------
def read_municipalities() -> list[tuple[str, str, float, float]]:
    with resource("gazetteer", "municipalities.tsv").open(encoding="utf-8") as f:
        rows = csv.DictReader(f, delimiter="\t")
        return [
            (r["prefecture"], r["municipality"], float(r["lat"]), float(r["lon"])) for r in rows
        ]


def read_wards() -> list[tuple[str, str, str, float, float]]:
    """(prefecture, city, ward, lat, lon) of each ward of a designated city."""
    with resource("gazetteer", "wards.tsv").open(encoding="utf-8") as f:
        rows = csv.DictReader(f, delimiter="\t")
        return [
            (r["prefecture"], r["city"], r["ward"], float(r["lat"]), float(r["lon"])) for r in rows
        ]


def towns_path() -> Path:
    return user_data_dir() / "gazetteer" / "towns.tsv"


def read_towns(path: Path) -> dict[tuple[str, str], dict[str, tuple[float, float]]]:
    towns: dict[tuple[str, str], dict[str, tuple[float, float]]] = {}
    if not path.exists():
        return towns
    with path.open(encoding="utf-8") as f:
        for line in f:
            prefecture, municipality, town, lat, lon = line.rstrip("\n").split("\t")
            towns.setdefault((prefecture, municipality), {})[town] = (float(lat), float(lon))
    return towns


MLIT_COLUMNS = ("都道府県名", "市区町村名", "大字町丁目名", "緯度", "経度")


def read_mlit_csv(path: Path) -> Iterator[tuple[str, str, str, float, float]]:
    """Rows (prefecture, municipality, town key, lat, lon) of an MLIT 位置参照情報 大字・町丁目
    CSV file, or of every CSV inside its zip as downloaded. CP932 or UTF-8."""
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as archive:
            members = [n for n in archive.namelist() if n.lower().endswith(".csv")]
            if not members:
                raise GspaceError(f"{path.name}: the zip holds no CSV file")
            for member in members:
                yield from _mlit_rows(archive.read(member), f"{path.name}:{member}")
        return
    yield from _mlit_rows(path.read_bytes(), path.name)


def _mlit_rows(data: bytes, name: str) -> Iterator[tuple[str, str, str, float, float]]:
    from gspace.ingest.layer_files import detect_encoding

    reader = csv.DictReader(io.StringIO(data.decode(detect_encoding(data))))
    missing = [c for c in MLIT_COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise GspaceError(
            f"{name}: not an MLIT 位置参照情報 (大字・町丁目) file: no column {', '.join(missing)}"
        )
    for row in reader:
        try:
            lat, lon = float(row["緯度"]), float(row["経度"])
        except (TypeError, ValueError):
            continue
        yield (
            normalise(row["都道府県名"]),
            municipality_key(row["市区町村名"]),
            town_key(row["大字町丁目名"]),
            lat,
            lon,
        )


def import_towns(paths: Iterable[Path], target: Path | None = None) -> tuple[int, int]:
    """Add the towns of MLIT CSV files to the user's gazetteer; returns (towns in the files,
    towns in the gazetteer now). The file is replaced atomically."""
    target = target or towns_path()
    towns = read_towns(target)
    read = 0
    for path in paths:
        for prefecture, municipality, town, lat, lon in read_mlit_csv(Path(path)):
            towns.setdefault((prefecture, municipality), {})[town] = (lat, lon)
            read += 1
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".tsv.partial")
    with partial.open("w", encoding="utf-8") as f:
        for (prefecture, municipality), names in sorted(towns.items()):
            for town, (lat, lon) in sorted(names.items()):
                f.write(f"{prefecture}\t{municipality}\t{town}\t{lat:.6f}\t{lon:.6f}\n")
    partial.replace(target)
    default_gazetteer.cache_clear()
    return read, sum(len(n) for n in towns.values())
