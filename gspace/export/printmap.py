"""The printed map: PDF (map page, then pages listing the reports) and PNG (the map page).

Drawn with matplotlib, one drawing for both formats: the filtered area in Web Mercator (as on
screen) over the outline base map, report and feature symbols as in the window, title, time
of export, legend, scale bar, north arrow and attribution. Text is vector text in the PDF (it
can be searched and copied), in the first Japanese font the system has.
"""

from __future__ import annotations

import math
import unicodedata
from functools import cache
from pathlib import Path

from matplotlib import font_manager
from matplotlib.backends.backend_pdf import PdfPages
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.lines import Line2D
from matplotlib.patches import FancyArrow, Polygon, Rectangle

from gspace.export.legend import legend_sections
from gspace.export.printplaces import (
    draw_municipalities,
    draw_pale_tiles,
    mercator,
    to_lon_lat,
)
from gspace.labels import categories_label, label, local_time, phrase
from gspace.mapdata import OUTLINE_ATTRIBUTION, feature_style, on_paper, outline, report_style
from gspace.model import categories_of
from gspace.municipalities import CREDIT, by_code
from gspace.refs import ref

PAPER_MM = {"a4": (297, 210), "a3": (420, 297)}  # landscape
MM = 1 / 25.4
PNG_DPI = 150
JAPANESE_FONTS = (
    "Noto Sans CJK JP",
    "IPAexGothic",
    "IPAGothic",
    "Yu Gothic",
    "Meiryo",
    "MS Gothic",
    "Hiragino Sans",
    "Source Han Sans JP",
)
MARKERS = {"circle": "o", "square": "s", "diamond": "D", "triangle": "^"}
LIST_PAGES_MAX = 30
LIST_COLUMNS = ("id", "time", "category", "status", "place", "text")


def write_pdf(job, path: Path) -> None:
    drawing = _Drawing(job)
    total = 1 + drawing.list_page_count()
    with PdfPages(path, metadata={"Title": job.title, "Creator": "gspace"}) as pdf:
        pdf.savefig(drawing.page_number(drawing.map_page(), 1, total))
        for number, page in enumerate(drawing.list_pages(), start=2):
            pdf.savefig(drawing.page_number(page, number, total))


def write_png(job, path: Path) -> None:
    map_figure(job).savefig(path, format="png", dpi=PNG_DPI)


def map_figure(job) -> Figure:
    """The map page as a matplotlib figure: its first axes is the map, in Web Mercator."""
    return _Drawing(job).map_page()


def _fonts() -> list[str]:
    have = {f.name for f in font_manager.fontManager.ttflist}
    return [f for f in JAPANESE_FONTS if f in have] + ["DejaVu Sans"]


@cache
def _drawable(fonts: tuple[str, ...]) -> frozenset[int]:
    """Every character one of `fonts` has a glyph for (from their character maps)."""
    from matplotlib import ft2font

    found: set[int] = set()
    for name in fonts:
        try:
            path = font_manager.findfont(FontProperties(family=name), fallback_to_default=False)
            found.update(ft2font.FT2Font(path).get_charmap())
        except (ValueError, RuntimeError, OSError):
            continue
    return frozenset(found)


def printable(text: str, fonts: tuple[str, ...]) -> str:
    """`text` with every character the fonts cannot draw (an emoji, a rare symbol) replaced by
    〓 (geta mark, the Japanese sign for a missing character; ? if the fonts lack it too), and
    control characters by spaces: matplotlib would draw an empty box and warn on stderr."""
    have = _drawable(fonts)
    missing = "〓" if ord("〓") in have else "?"
    out = []
    for char in text:
        if char in "\n":
            out.append(char)
        elif unicodedata.category(char) in ("Cc", "Zl", "Zp"):
            out.append(" ")
        elif ord(char) in have or unicodedata.category(char) in ("Mn", "Cf"):
            out.append(char if unicodedata.category(char) != "Cf" else "")
        else:
            out.append(missing)
    return "".join(out)


class _Drawing:
    def __init__(self, job):
        self.job, self.lang = job, job.lang
        self.fonts = _fonts()
        self.reports = list(job.reports())
        self.features = list(job.features())
        w, h = PAPER_MM[job.paper]
        self.size = (w * MM, h * MM)

    def _figure(self) -> Figure:
        fig = Figure(figsize=self.size)
        fig.set_facecolor("white")
        return fig

    def _text(self, fig_or_ax, x, y, text, **kw):
        """All text goes through here: glyphs the fonts lack replaced, no mathtext ($)."""
        safe = printable(str(text), tuple(self.fonts))
        return fig_or_ax.text(x, y, safe, fontfamily=self.fonts, parse_math=False, **kw)

    def page_number(self, fig: Figure, number: int, total: int) -> Figure:
        self._text(fig, 0.98, 0.012, f"{number} / {total}", fontsize=8, ha="right")
        return fig

    # -- page 1: the map -------------------------------------------------------------------
    def map_page(self) -> Figure:
        fig = self._figure()
        located = [r for r in self.reports if r.get("lon") is not None]
        title_h = 0.09
        self._text(fig, 0.02, 0.965, self.job.title, fontsize=20, weight="bold", va="top")
        self._text(
            fig,
            0.02,
            0.915,
            self.subtitle(located),
            fontsize=9,
            va="top",
            color="#455a64",
        )
        ax = fig.add_axes((0.02, 0.04, 0.76, 0.96 - title_h - 0.03))
        ax.set_facecolor("#c9dceb")
        ax.set_xticks([])
        ax.set_yticks([])
        extent = self._extent(located, ax)
        self._outline(ax)
        box = ax.get_position()
        size_in = (box.width * self.size[0], box.height * self.size[1])
        tiles = draw_pale_tiles(ax, extent, size_in[0])
        draw_municipalities(ax, extent, size_in, self._text)
        self._features(ax)
        self._reports(ax, located)
        ax.set_xlim(extent[0], extent[2])
        ax.set_ylim(extent[1], extent[3])
        self._scale_bar(ax, extent)
        self._north_arrow(ax)
        self._legend(fig, located)
        self._text(
            fig,
            0.78,
            0.015,
            " · ".join(
                [OUTLINE_ATTRIBUTION, CREDIT[self.lang], *(["地理院タイル"] if tiles else [])]
            ),
            fontsize=7,
            ha="right",
            color="#607d8b",
        )
        return fig

    def subtitle(self, located) -> str:
        """The line under the title (a hand-out says what it lists instead)."""
        return self.job.subtitle(len(self.reports), len(self.reports) - len(located))

    def _extent(self, located, ax) -> tuple[float, float, float, float]:
        """The job's area (gspace.extent), in Web Mercator, padded and widened to the map's
        shape."""
        features = [f for f in self.features if f.get("lon") is not None]
        area = self.job.map_extent(
            ([r["lon"] for r in located], [r["lat"] for r in located]),
            ([f["lon"] for f in features], [f["lat"] for f in features]),
        )
        self.area = area
        x0, y0 = mercator(area.west, area.south)
        x1, y1 = mercator(area.east, area.north)
        cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
        box = ax.get_position()
        aspect = (box.width * self.size[0]) / (box.height * self.size[1])
        width = max(x1 - x0, 1000.0) * 1.08
        height = max(y1 - y0, 1000.0) * 1.08
        width, height = max(width, height * aspect), max(height, width / aspect)
        return (cx - width / 2, cy - height / 2, cx + width / 2, cy + height / 2)

    def _outline(self, ax) -> None:
        for feature in outline()["features"]:
            geometry = feature["geometry"]
            polygons = (
                [geometry["coordinates"]]
                if geometry["type"] == "Polygon"
                else geometry["coordinates"]
            )
            for polygon in polygons:
                ring = [mercator(lon, lat) for lon, lat, *_ in polygon[0]]
                ax.add_patch(
                    Polygon(ring, closed=True, facecolor="#f4f1e8", edgecolor="#7d8a96", lw=0.5)
                )

    def _features(self, ax) -> None:
        groups: dict[tuple, list] = {}
        for f in self.features:
            if f.get("lon") is None:
                continue
            style = feature_style(self.job.catalog.get(f["kind"]), f["status"])
            groups.setdefault(tuple(style.items()), []).append(mercator(f["lon"], f["lat"]))
        for key, points in groups.items():
            style = dict(key)
            ax.scatter(
                [p[0] for p in points],
                [p[1] for p in points],
                s=40,
                marker=MARKERS.get(style["shape"], "o"),
                c=style["fill"],
                edgecolors=style["stroke"],
                linewidths=1.2,
                zorder=3,
            )

    def _reports(self, ax, located) -> None:
        size = 22 if len(located) < 2000 else 8
        xs, ys, fills, strokes = [], [], [], []
        for r in located:
            x, y = mercator(r["lon"], r["lat"])
            style = report_style(r["kind"], r["category"], r["status"])
            xs.append(x)
            ys.append(y)
            fills.append(style["fill"])
            strokes.append(on_paper(style["stroke"]))
        ax.scatter(xs, ys, s=size, c=fills, edgecolors=strokes, linewidths=0.6, zorder=4)

    def _scale_bar(self, ax, extent) -> None:
        x0, y0, x1, y1 = extent
        lat = to_lon_lat(x0, (y0 + y1) / 2)[1]
        metres_per_unit = math.cos(math.radians(lat))  # ground metres per Mercator metre
        target = (x1 - x0) * metres_per_unit / 5
        step = 10 ** math.floor(math.log10(target))
        length = max(m * step for m in (1, 2, 5) if m * step <= target)
        units = length / metres_per_unit
        bx, by = x0 + (x1 - x0) * 0.03, y0 + (y1 - y0) * 0.04
        h = (y1 - y0) * 0.008
        ax.add_patch(
            Rectangle(
                (bx - units * 0.03, by - h * 1.5),
                units * 1.06,
                h * 6,
                fc="white",
                ec="none",
                alpha=0.8,
                zorder=5,
            )
        )
        for i in range(2):
            ax.add_patch(
                Rectangle(
                    (bx + i * units / 2, by),
                    units / 2,
                    h,
                    zorder=6,
                    fc="#212121" if i == 0 else "white",
                    ec="#212121",
                    lw=0.8,
                )
            )
        text = f"{length / 1000:g} km" if length >= 1000 else f"{length:g} m"
        self._text(ax, bx + units / 2, by + h * 1.6, text, fontsize=8, ha="center", zorder=6)

    def _north_arrow(self, ax) -> None:
        """North is up (Web Mercator): an arrow and an N in the map's top right corner."""
        arrow = {"width": 0.006, "head_width": 0.02, "head_length": 0.025, "color": "#212121"}
        ax.add_patch(FancyArrow(0.96, 0.89, 0, 0.05, transform=ax.transAxes, zorder=6, **arrow))
        self._text(
            ax,
            0.96,
            0.865,
            "N",
            transform=ax.transAxes,
            ha="center",
            va="center",
            fontsize=11,
            weight="bold",
            zorder=6,
        )

    def _legend(self, fig, located) -> None:
        used = {c for r in located for c in categories_of(r["category"])}
        kinds = {r["kind"] for r in located}
        feature_kinds = dict.fromkeys(f["kind"] for f in self.features)
        sections = legend_sections(self.job, used, kinds, feature_kinds)
        handles = []
        for section in sections:
            title = printable(section["title"], tuple(self.fonts))
            handles.append(Line2D([], [], linestyle="none", label=title))
            for item in section["items"]:
                handles.append(
                    Line2D(
                        [],
                        [],
                        linestyle="none",
                        marker=MARKERS.get(item.get("shape"), "o"),
                        markerfacecolor=item["fill"],
                        markeredgecolor=item["stroke"],
                        markersize=7,
                        label=printable(item["label"], tuple(self.fonts)),
                    )
                )
        legend = fig.legend(
            handles=handles,
            loc="upper left",
            bbox_to_anchor=(0.795, 0.87),
            frameon=False,
            prop={"family": self.fonts, "size": 8},
            handletextpad=0.4,
            labelspacing=0.35,
            borderaxespad=0,
        )
        titles = {printable(s["title"], tuple(self.fonts)) for s in sections}
        for text in legend.get_texts():
            text.set_parse_math(False)  # a kind named "$…$" from a layer file is plain text
            if text.get_text() in titles:
                text.set_fontweight("bold")

    # -- pages 2…: the list of reports --------------------------------------------------------
    def _rows_per_page(self) -> int:
        return 38 if self.job.paper == "a4" else 56

    def _listed(self) -> list[dict]:
        return self.reports[: self._rows_per_page() * LIST_PAGES_MAX]

    def list_page_count(self) -> int:
        return math.ceil(len(self._listed()) / self._rows_per_page())

    def _places(self, rows: list[dict]) -> list[str]:
        """Where each report is: its municipality (the store's, found when it was written) and
        coordinates; empty for a report without a location."""
        names, places = by_code(), []
        for r in rows:
            if r.get("lon") is None:
                places.append("")
                continue
            town = names.get(r.get("muni_code") or "")
            where = f"{r['lat']:.5f}, {r['lon']:.5f}"
            places.append(f"{town.name}  {where}" if town else where)
        return places

    def list_pages(self):
        lang, zone = self.lang, self.job.incident.timezone
        rows_per_page = self._rows_per_page()
        wrap = 62 if self.job.paper == "a4" else 110
        columns = [phrase(c, lang) for c in LIST_COLUMNS]
        x = (0.03, 0.11, 0.24, 0.37, 0.44, 0.62)
        listed = self._listed()
        places = self._places(listed)
        for start in range(0, len(listed), rows_per_page):
            fig = self._figure()
            page_rows = listed[start : start + rows_per_page]
            self._text(
                fig,
                0.03,
                0.965,
                f"{self.job.title} — {phrase('list', lang)}",
                fontsize=13,
                weight="bold",
                va="top",
            )
            top, step = 0.90, 0.86 / rows_per_page
            for col, name in zip(x, columns, strict=True):
                self._text(fig, col, top, name, fontsize=8, weight="bold", va="top")
            for n, r in enumerate(page_rows, start=1):
                y = top - n * step
                text = (r["text"] or "").replace("\n", " ")
                cells = (
                    ref(r["id"]),
                    local_time(r["observed_at"], zone),
                    categories_label(r["category"], lang),
                    label("status", r["status"], lang),
                    places[start + n - 1],
                    _clip(text, wrap),
                )
                for col, cell in zip(x, cells, strict=True):
                    self._text(fig, col, y, cell, fontsize=7.5, va="top")
            remaining = len(self.reports) - (start + len(page_rows))
            if start + rows_per_page >= len(listed) and remaining > 0:
                self._text(fig, 0.03, 0.02, phrase("more", lang).format(n=remaining), fontsize=8)
            yield fig


def _clip(text: str, columns: int) -> str:
    """`text` cut to `columns` half-width columns (Japanese characters count two), with '…'."""
    used = 0
    for i, char in enumerate(text):
        used += 2 if unicodedata.east_asian_width(char) in "WF" else 1
        if used > columns:
            return text[:i] + "…"
    return text
