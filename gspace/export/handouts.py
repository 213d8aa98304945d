"""Hand-outs from the shelters' situation: the "open shelters" list and map for posting and
for the press, and the needs per shelter for logistics (`gspace export … --handout`).

The open-shelters PDF is a map page (the printed map's drawing, fonts and base map, with each
open shelter numbered) followed by the numbered list: name, address, state, free places,
evacuees / capacity and the phone to call. The needs list has one line per shelter with open
needs, urgent ones first. Both read the features through the export's profile: a public
hand-out carries no person in charge, no contact of staff and no note.
"""

from __future__ import annotations

import csv
from datetime import datetime
from pathlib import Path

from matplotlib.backends.backend_pdf import PdfPages
from matplotlib.figure import Figure

from gspace.catalog import status_label
from gspace.export.files import spreadsheet_safe
from gspace.export.printmap import MM, PAPER_MM, _clip, _Drawing, _fonts
from gspace.export.printplaces import mercator
from gspace.export.shelter_lists import header, need_rows, needs_text, state_record, write_needs_csv
from gspace.labels import local_time
from gspace.shelters import IN_OPERATION, KIND, ShelterState, label, need_keys, shelter_state

HANDOUTS = ("shelters", "needs")
SUFFIXES = {"shelters": (".pdf", ".png", ".csv"), "needs": (".pdf", ".csv")}
WORDS = {  # (ja, en)
    "open shelters": ("開設中の避難所", "Open shelters"),
    "needs": ("避難所の必要物資・支援", "Needs of the shelters"),
    "no": ("番号", "No."),
    "name": ("名称", "Name"),
    "address": ("住所", "Address"),
    "status": ("状態", "State"),
    "people": ("避難者数 / 収容人数", "Evacuees / capacity"),
    "phone": ("連絡先", "Contact"),
    "municipality": ("市区町村", "Municipality"),
    "as of": ("時点", "as of"),
    "total free": ("空き 合計", "free places in all"),
    "places": ("か所", "shelters"),
    "none": ("該当する避難所はありません", "No shelter to list"),
}


def word(key: str, lang: str) -> str:
    return WORDS[key][0 if lang == "ja" else 1]


def _states(job) -> tuple[list[dict], list[ShelterState]]:
    """The shelters as the profile lets them out, with their states, ordered by municipality
    and name."""
    job.layers = [KIND]
    kind = job.catalog.get(KIND)
    now = datetime.now(job.incident.timezone)
    rows = [f for f in job.features() if f["kind"] == KIND]
    pairs = [(row, shelter_state(row, now, None, need_keys(kind))) for row in rows]
    pairs.sort(key=lambda p: (p[1].muni_code or "~", p[1].name))
    return [p[0] for p in pairs], [p[1] for p in pairs]


def open_shelters(job) -> tuple[list[dict], list[ShelterState]]:
    rows, states = _states(job)
    kept = [(r, s) for r, s in zip(rows, states, strict=True) if s.status in IN_OPERATION]
    return [r for r, _ in kept], [s for _, s in kept]


def write_handout(job, path: Path) -> None:
    """Write the hand-out `job.handout` in the format of `path`'s suffix."""
    suffix = path.suffix.lower()
    if job.handout == "shelters":
        if suffix == ".csv":
            _open_csv(job, path)
        else:
            rows, states = open_shelters(job)
            drawing = _ShelterMap(job, rows, states)
            if suffix == ".png":
                drawing.map_page().savefig(path, format="png", dpi=150)
            else:
                drawing.write_pdf(path, drawing.shelter_pages(states))
    elif suffix == ".csv":
        _, states = _states(job)
        with open(path, "w", encoding="utf-8", newline="") as out:
            write_needs_csv(out, states, job.lang, need_keys(job.catalog.get(KIND)))
    else:
        _, states = _states(job)
        drawing = _ShelterMap(job, [], [])
        drawing.write_pdf(path, drawing.needs_pages(states), with_map=False)


def _open_csv(job, path: Path) -> None:
    _, states = open_shelters(job)
    columns = ["name", "address", "municipality", "status", "free", "evacuees", "capacity",
               "phone", "contact", "reported_at", "lon", "lat"]  # fmt: skip
    kind = job.catalog.get(KIND)
    with open(path, "w", encoding="utf-8", newline="") as out:
        out.write("\ufeff")
        writer = csv.writer(out, lineterminator="\r\n", quoting=csv.QUOTE_NONNUMERIC)
        writer.writerow([header(c, job.lang) for c in columns])
        for state in states:
            record = state_record(state, None, kind)
            record["status"] = status_label(kind, state.status, job.lang)
            writer.writerow(
                ["" if record.get(c) is None else spreadsheet_safe(record[c]) for c in columns]
            )


class _ShelterMap(_Drawing):
    """The printed map's drawing with the open shelters, numbered, and no reports."""

    def __init__(self, job, rows: list[dict], states: list[ShelterState]):
        self.job, self.lang = job, job.lang
        self.fonts = _fonts()
        self.reports = []
        self.features = rows
        self.states = states
        w, h = PAPER_MM[job.paper]
        self.size = (w * MM, h * MM)
        self.heading = f"{job.title} — {word('open shelters', job.lang)}"

    def subtitle(self, located) -> str:
        lang = self.lang
        free = sum(s.free or 0 for s in self.states if s.status == "open")
        parts = [
            f"{self.job.time_text()} {word('as of', lang)}",
            f"{len(self.states)} {word('places', lang)}",
            f"{word('total free', lang)} {free}",
        ]
        if self.job.profile.public:
            parts.append("公開版" if lang == "ja" else "public")
        return " · ".join(parts)

    def map_page(self) -> Figure:
        title, self.job.title = self.job.title, self.heading
        try:
            return super().map_page()
        finally:
            self.job.title = title

    def _features(self, ax) -> None:
        super()._features(ax)
        for number, row in enumerate(self.features, start=1):
            if row.get("lon") is None:
                continue
            x, y = mercator(row["lon"], row["lat"])
            self._text(
                ax, x, y, f" {number}", fontsize=7, va="bottom", ha="left", zorder=7,
                color="#0d47a1", weight="bold",
            )  # fmt: skip

    def write_pdf(self, path: Path, pages, with_map: bool = True) -> None:
        figures = ([self.map_page()] if with_map else []) + list(pages)
        with PdfPages(path, metadata={"Title": self.heading, "Creator": "gspace"}) as pdf:
            for number, figure in enumerate(figures, start=1):
                pdf.savefig(self.page_number(figure, number, len(figures)))

    # -- list pages ------------------------------------------------------------------------
    def _rows_per_page(self) -> int:
        return 30 if self.job.paper == "a4" else 45

    def _table_pages(self, title: str, heads: list[str], x: tuple, rows: list[list[str]]):
        per_page = self._rows_per_page()
        for start in range(0, max(len(rows), 1), per_page):
            fig = self._figure()
            self._text(fig, 0.03, 0.965, title, fontsize=13, weight="bold", va="top")
            self._text(fig, 0.03, 0.925, self.subtitle([]), fontsize=8, va="top", color="#455a64")
            top, step = 0.88, 0.84 / per_page
            for col, name in zip(x, heads, strict=True):
                self._text(fig, col, top, name, fontsize=8, weight="bold", va="top")
            if not rows:
                self._text(fig, x[0], top - step, word("none", self.lang), fontsize=9, va="top")
            for n, cells in enumerate(rows[start : start + per_page], start=1):
                for col, cell in zip(x, cells, strict=True):
                    self._text(fig, col, top - n * step, cell, fontsize=8, va="top")
            yield fig

    def shelter_pages(self, states: list[ShelterState]):
        lang, kind = self.lang, self.job.catalog.get(KIND)
        wide = self.job.paper == "a3"
        heads = [word(k, lang) for k in ("no", "name", "address", "status")]
        heads += [label("free", lang), word("people", lang), word("phone", lang)]
        x = (0.03, 0.07, 0.30, 0.60, 0.67, 0.74, 0.84)
        rows = []
        for number, s in enumerate(states, start=1):
            people = f"{s.evacuees if s.evacuees is not None else '-'} / {s.capacity or '-'}"
            contact = " ".join(v for v in (s.phone, s.manager, s.contact) if v)
            rows.append(
                [
                    str(number),
                    _clip(s.name, 44 if wide else 30),
                    _clip(s.address, 60 if wide else 42),
                    status_label(kind, s.status, lang),
                    str(s.free) if s.free is not None else "-",
                    people,
                    _clip(contact, 36 if wide else 26),
                ]
            )
        return self._table_pages(self.heading, heads, x, rows)

    def needs_pages(self, states: list[ShelterState]):
        lang = self.lang
        self.heading = f"{self.job.title} — {word('needs', lang)}"
        self.states = [s for s in states if s.status in IN_OPERATION]
        wide = self.job.paper == "a3"
        heads = [word("name", lang), word("municipality", lang), label("needs", lang)]
        heads += [label("evacuees", lang), label("reported_at", lang), word("phone", lang)]
        x = (0.03, 0.25, 0.40, 0.72, 0.79, 0.89)
        zone = self.job.incident.timezone
        shown = []
        for state, _, _ in need_rows(states):
            if state not in shown:
                shown.append(state)
        rows = []
        for s in shown:
            contact = " ".join(v for v in (s.manager, s.contact) if v)
            rows.append(
                [
                    _clip(s.name, 36 if wide else 26),
                    _clip(s.municipality or "", 24 if wide else 16),
                    _clip(needs_text(s, lang), 66 if wide else 44),
                    str(s.evacuees) if s.evacuees is not None else "-",
                    _time(s.reported_at, zone),
                    _clip(contact, 24 if wide else 16),
                ]
            )
        return self._table_pages(self.heading, heads, x, rows)


def _time(iso: str | None, zone) -> str:
    try:
        return local_time(iso, zone)[5:16] if iso else "-"
    except ValueError:
        return str(iso)[:16]
