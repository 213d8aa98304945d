"""The words shown about what is on the map: the legend, point popups, nearest places.

All text here is plain; the page sets it as text, never as HTML.
"""

from __future__ import annotations

from gspace import mapdata
from gspace.catalog import LayerKind
from gspace.gui.i18n import current_language
from gspace.gui.labels import (
    categories_label,
    category_label,
    feature_status_label,
    kind_label,
    layer_title,
    status_label,
)
from gspace.model import CATEGORIES, categories_of
from gspace.nearest import distance_text, nearest_places
from gspace.refs import ref
from gspace.shelters import label as shelter_label
from gspace.store.incident import Incident


def legend_sections(
    rows: list[dict], features: list[dict], catalog: dict[str, LayerKind], reports_title: str
) -> list[dict]:
    """The categories present among the reports, the two report outlines, and each feature
    kind's statuses with their symbols."""
    present = {c for r in rows for c in categories_of(r["category"])}
    items = [
        {"label": category_label(c), **mapdata.report_style("sns", c, "new")}
        for c in CATEGORIES
        if c in present
    ]
    items += [
        {
            "label": kind_label(k),
            "shape": "circle",
            "fill": "#e0e0e0",
            "stroke": mapdata.KIND_STROKES[k],
        }
        for k in ("photo", "sns")
    ]
    sections = [{"title": reports_title, "items": items}]
    for kind in sorted({f["kind"] for f in features}):
        known = catalog.get(kind)
        if known:
            sections.append(
                {
                    "title": layer_title(known),
                    "items": [
                        {
                            "label": feature_status_label(known, s.id),
                            **mapdata.feature_style(known, s.id),
                        }
                        for s in known.statuses
                    ],
                }
            )
    return sections


def feature_popup(feature: dict, known: LayerKind | None) -> dict:
    heading = (
        (layer_title(known) if known else feature["kind"])
        + " · "
        + feature_status_label(known, feature["status"])
    )
    lines = (heading, feature["address"], feature["note"], ref(feature["id"]))
    return {"title": feature["name"] or "", "lines": [x for x in lines if x]}


def report_popup(report: dict, when: str) -> dict:
    lines = (
        when,
        categories_label(report["category"]),
        report.get("author"),
        report["text"],
        ref(report["id"]),
    )
    return {
        "title": f"{kind_label(report['kind'])} · {status_label(report['status'])}",
        "lines": [x for x in lines if x],
    }


def nearest_lines(
    incident: Incident, report: dict, kinds: set[str], catalog: dict[str, LayerKind]
) -> list[str]:
    """For a located report (or any point: a dict with lon and lat): the nearest open shelter
    with room and its free places, available water point, Wi-Fi, ... (gspace.nearest)."""
    if report.get("lon") is None:
        return []
    lines = []
    for place in nearest_places(incident, report["lon"], report["lat"], catalog, kinds):
        line = (
            f"{layer_title(catalog[place.kind])}: {place.feature['name'] or '?'} — "
            f"{distance_text(place.metres)}"
        )
        if place.free is not None:
            line += f" ({shelter_label('free', current_language())} {place.free})"
        lines.append(line)
    return lines
