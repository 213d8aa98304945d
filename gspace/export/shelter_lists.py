"""The HQ overview as text: a terminal table, CSV for spreadsheets and JSON for programs
(`gspace shelters`), and the logistics list of needs per shelter (CSV; the PDF is handouts.py).

Shelter names, notes and needs come from staff and feeds: untrusted. CSV cells go through the
export's formula guard (files.spreadsheet_safe); the table pads by display width, so Japanese
columns line up in a terminal.
"""

from __future__ import annotations

import csv
import json
import unicodedata
from collections.abc import Iterable
from dataclasses import asdict
from typing import TextIO

from gspace.catalog import LayerKind, status_label
from gspace.export.files import spreadsheet_safe
from gspace.labels import label as column_label
from gspace.refs import ref
from gspace.shelters import (
    LABELS,
    NEED_PREFIX,
    NEEDS,
    Overview,
    ShelterState,
    age_text,
    label,
)

SORTS = ("municipality", "name", "status", "evacuees", "occupancy", "free", "age", "needs")
FORMATS = ("table", "csv", "json")  # gspace/cli_shelters.py repeats both, to start quickly


def sorted_states(states: Iterable[ShelterState], by: str) -> list[ShelterState]:
    """Shelters in the order HQ asks for: the fullest, the most urgent, the oldest report
    first for the numeric sorts; names and municipalities alphabetical."""
    keys = {
        "municipality": lambda s: (s.muni_code or "~", s.name),
        "name": lambda s: s.name,
        "status": lambda s: (s.status, s.name),
        "evacuees": lambda s: (-(s.evacuees or 0), s.name),
        "occupancy": lambda s: (-(s.occupancy or -1), s.name),
        "free": lambda s: (-(s.free if s.free is not None else -1), s.name),
        "age": lambda s: (-(s.age_hours if s.age_hours is not None else 1e9), s.name),
        "needs": lambda s: (
            -sum(v == "urgent" for v in s.needs.values()),
            -len(s.needs),
            s.name,
        ),
    }
    return sorted(states, key=keys[by])


def needs_text(state: ShelterState, lang: str | None, needs: Iterable[str] = NEEDS) -> str:
    """Open needs in a few words: urgent ones first, marked with "!"."""
    words = []
    for urgency in ("urgent", "needed"):
        for need in (*needs, *(n for n in state.needs if n not in needs and n != "other")):
            if state.needs.get(need) == urgency:
                name = label(need, lang) if lang else need
                words.append(name + ("!" if urgency == "urgent" else ""))
    if "other" in state.needs:
        words.append(f"{label('other', lang) if lang else 'other'}: {state.needs['other']}")
    return ", ".join(words)


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _pad(text: str, width: int, right: bool = False) -> str:
    space = " " * max(width - _width(text), 0)
    return space + text if right else text + space


def _clip(text: str, width: int) -> str:
    out = ""
    for c in text.replace("\n", " "):
        if _width(out + c) > width - 1:
            return out + "…"
        out += c
    return out


def write_table(
    out: TextIO, view: Overview, states: list[ShelterState], lang: str | None, kind=None
) -> None:
    """Aligned columns for a terminal, then the totals per municipality and for the incident."""
    lang_or_en = lang or "en"
    head = ["ref", "name", "status", "evacuees", "%", "free", "crowding", "needs", "report"]
    if lang == "ja":
        head = ["参照", "名称", "状態", "避難者/定員", "%", "空き", "混雑", "必要", "報告"]
    rows = []
    for s in states:
        people = f"{s.evacuees if s.evacuees is not None else '-'}/{s.capacity or '-'}"
        rows.append(
            [
                ref(s.id)[:9],
                _clip(s.name, 28),
                status_label(kind, s.status, lang_or_en) if lang else s.status,
                people,
                f"{s.occupancy:.0f}" if s.occupancy is not None else "-",
                str(s.free) if s.free is not None else "-",
                (label(s.crowding, lang) if lang else s.crowding) if s.crowding else "-",
                _clip(needs_text(s, lang), 40) or "-",
                age_text(None if s.age_hours is None else s.age_hours * 3600, lang)
                + (" !" if s.stale else ""),
            ]
        )
    numeric = {3, 4, 5}
    widths = [max([_width(h), *(_width(r[i]) for r in rows)]) for i, h in enumerate(head)]
    for line in [head, *rows]:
        out.write(
            "  ".join(
                _pad(c, w, i in numeric) for i, (c, w) in enumerate(zip(line, widths, strict=True))
            ).rstrip()
            + "\n"
        )
    out.write("\n")
    for code, totals in sorted(view.by_municipality.items(), key=lambda i: i[0] or "~"):
        out.write(_totals_line(view.names.get(code) or "-", totals, lang) + "\n")
    out.write(_totals_line("total" if lang != "ja" else "合計", view.total, lang) + "\n")


def _totals_line(name: str, t, lang: str | None = None) -> str:
    if lang == "ja":
        stale = f"、報告が古い {t.stale}" if t.stale else ""
        return (
            f"{name}: 避難所 {t.shelters} か所、開設 {t.open}(満員 {t.in_operation - t.open})、"
            f"避難者 {t.evacuees} 人、空き {t.free} 人分、至急の必要あり {t.urgent}{stale}"
        )
    stale = f", {t.stale} stale" if t.stale else ""
    return (
        f"{name}: {t.shelters} shelters, {t.open} open ({t.in_operation - t.open} full), "
        f"{t.evacuees} evacuees, {t.free} free places, {t.urgent} with urgent needs{stale}"
    )


def csv_columns(kind: LayerKind | None, needs: Iterable[str] = NEEDS) -> list[str]:
    return [
        "ref", "id", "name", "address", "municipality", "status", "evacuees", "capacity",
        "occupancy", "free", "crowding", *(f"need_{n}" for n in needs), "need_other",
        "urgent", "manager", "contact", "phone", "reported_at", "age_hours", "stale",
        "lon", "lat",
    ]  # fmt: skip


def state_record(state: ShelterState, lang: str | None, kind=None) -> dict:
    """One shelter as a flat record (CSV row, JSON object), labels beside codes with `lang`."""
    record = {k: v for k, v in asdict(state).items() if k != "needs"}
    record["ref"] = ref(state.id)
    for need, urgency in state.needs.items():
        record["need_other" if need == "other" else f"need_{need}"] = urgency
    if lang:
        record["status_label"] = status_label(kind, state.status, lang)
        record["crowding_label"] = label(state.crowding, lang) if state.crowding else None
        record["needs_label"] = needs_text(state, lang)
    return record


def write_csv(
    out: TextIO,
    states: list[ShelterState],
    lang: str | None,
    kind: LayerKind | None = None,
    needs: Iterable[str] = NEEDS,
) -> int:
    """UTF-8 with BOM (Excel), one shelter a row, text cells guarded against formulas."""
    columns = csv_columns(kind, needs)
    out.write("\ufeff")
    writer = csv.writer(out, lineterminator="\r\n", quoting=csv.QUOTE_NONNUMERIC)
    writer.writerow([header(c, lang) if lang else c for c in columns])
    for state in states:
        record = state_record(state, None, kind)
        if lang:
            record["status"] = status_label(kind, state.status, lang)
            for key in [c for c in columns if c.startswith("need_") and c != "need_other"]:
                record[key] = label(record[key], lang) if record.get(key) else None
            record["crowding"] = label(state.crowding, lang) if state.crowding else None
        writer.writerow([_cell(record.get(c)) for c in columns])
    return len(states)


def header(column: str, lang: str) -> str:
    """A column's name in `lang`: need_water is "必要な物資・支援: 水"."""
    if column.startswith(NEED_PREFIX):
        return f"{label('needs', lang)}: {label(column.removeprefix(NEED_PREFIX), lang)}"
    if column in LABELS:
        return label(column, lang)
    return column_label("column", column, lang)


def _cell(value: object) -> object:
    if value is None:
        return ""
    if isinstance(value, bool):
        return int(value)
    return spreadsheet_safe(value)


def write_json(
    out: TextIO, view: Overview, states: list[ShelterState], lang: str | None, kind=None
) -> None:
    """The whole overview: shelters, totals per municipality and for the incident."""

    def totals(t) -> dict:
        return asdict(t)

    document = {
        "now": view.now.isoformat(timespec="seconds"),
        "stale_hours": view.stale_hours,
        "shelters": [{**state_record(s, lang, kind), "needs": s.needs} for s in states],
        "municipalities": [
            {"muni_code": code, "municipality": view.names.get(code) or None, **totals(t)}
            for code, t in sorted(view.by_municipality.items(), key=lambda i: i[0] or "~")
        ],
        "total": totals(view.total),
    }
    json.dump(document, out, ensure_ascii=False, indent=1)
    out.write("\n")


def write_needs_csv(
    out: TextIO, states: list[ShelterState], lang: str, needs: Iterable[str] = NEEDS
) -> int:
    """For logistics: one row per open need of a shelter (urgent first), with where it is and
    how many people are there. Returns the number of rows."""
    needs = tuple(needs)
    head = ["name", "address", "municipality", "need", "urgency", "evacuees", "reported_at"]
    out.write("\ufeff")
    writer = csv.writer(out, lineterminator="\r\n", quoting=csv.QUOTE_NONNUMERIC)
    writer.writerow([label(h, lang) if h in ("evacuees", "reported_at") else _head(h, lang)
                     for h in head])  # fmt: skip
    count = 0
    for state, need, urgency in need_rows(states, needs):
        need_name = label(need, lang)
        urgency_text = label(urgency, lang) if need != "other" else urgency
        cells = [state.name, state.address, state.municipality, need_name, urgency_text,
                 state.evacuees, state.reported_at]  # fmt: skip
        writer.writerow([_cell(c) for c in cells])
        count += 1
    return count


def need_rows(states: Iterable[ShelterState], needs: tuple[str, ...] = NEEDS):
    """(shelter, need, urgency or the free text of "other"), urgent needs first."""
    rows = []
    for state in states:
        for need, value in state.needs.items():
            rank = 0 if value == "urgent" else 1 if need != "other" else 2
            order = needs.index(need) if need in needs else len(needs)
            rows.append((rank, state.muni_code or "~", state.name, order, state, need, value))
    rows.sort(key=lambda r: r[:4])
    return [(r[4], r[5], r[6]) for r in rows]


_HEADS = {
    "name": ("名称", "Name"),
    "address": ("住所", "Address"),
    "municipality": ("市区町村", "Municipality"),
    "need": ("必要なもの", "Need"),
    "urgency": ("緊急度", "Urgency"),
}


def _head(name: str, lang: str) -> str:
    ja, en = _HEADS[name]
    return ja if lang == "ja" else en
