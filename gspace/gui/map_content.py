"""The words shown about what is on the map: the legend, point popups, nearest places.

All text here is plain; the page sets it as text, never as HTML.
"""

from __future__ import annotations

from gspace import mapdata, query
from gspace.catalog import LayerKind
from gspace.gui.labels import (
    categories_label,
    category_label,
    feature_status_label,
    kind_label,
    layer_title,
    status_label,
)
from gspace.incident import Incident
from gspace.model import CATEGORIES, categories_of
from gspace.refs import ref


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
    incident: Incident,
    report: dict,
    kinds: set[str],
    catalog: dict[str, LayerKind],
    shelters=None,
) -> list[str]:
    """For a located report: the nearest open shelters with room (with their free places, from
    `shelters`, the window's ShelterActions), the nearest available water point, Wi-Fi, ..."""
    if report["lon"] is None:
        return []
    lines = []
    for kind in sorted(kinds):
        known = catalog.get(kind)
        if kind == "shelter" and shelters is not None and known:
            title = layer_title(known)
            lines += [
                f"{title}: {line}" for line in shelters.nearest_lines(report["lon"], report["lat"])
            ]
            continue
        found = (
            known
            and known.usable
            and query.nearest_feature(incident, report["lon"], report["lat"], kind, known.usable)
        )
        if found:
            feature, metres = found
            lines.append(
                f"{layer_title(known)}: {feature['name'] or '?'} — {distance_text(metres)}"
            )
    return lines


def distance_text(metres: float) -> str:
    return f"{metres:.0f} m" if metres < 1000 else f"{metres / 1000:.1f} km"
