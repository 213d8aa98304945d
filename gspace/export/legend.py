"""The legend of an exported map (web or print): what each colour and shape means, for the
categories and report kinds on the map and each reference layer's statuses.

Sections are plain data: [{title, items: [{label, fill, stroke, shape}]}].
"""

from __future__ import annotations

from gspace.labels import LABELS, label
from gspace.mapdata import CATEGORY_COLORS, KIND_STROKES, on_paper

TITLES = {
    "categories": ("分類", "Categories"),
    "kinds": ("報告の種類（縁の色）", "Report kinds (outline)"),
}


def legend_sections(job, used: set[str], shown: set[str], feature_kinds) -> list[dict]:
    """used: the report categories on the map; shown: its report kinds; feature_kinds: its
    reference-layer kinds."""
    lang = job.lang
    sections = [
        {
            "title": TITLES["categories"][lang != "ja"],
            "items": [
                {"label": label("category", c, lang), "fill": color, "stroke": "#37474f"}
                for c, color in CATEGORY_COLORS.items()
                if c in used
            ],
        },
        {
            "title": TITLES["kinds"][lang != "ja"],
            "items": [
                {
                    "label": label("kind", k, lang),
                    "fill": "#eceff1",
                    "stroke": on_paper(KIND_STROKES[k]),
                }
                for k in LABELS["kind"]
                if k in shown
            ],
        },
    ]
    for kind_id in feature_kinds:
        kind = job.catalog.get(kind_id)
        if kind:
            sections.append(
                {
                    "title": kind.label(lang),
                    "items": [
                        {
                            "label": s.label.get(lang, s.id),
                            "fill": s.color,
                            "stroke": kind.color,
                            "shape": kind.shape,
                        }
                        for s in kind.statuses
                    ],
                }
            )
    return [s for s in sections if s["items"]]
