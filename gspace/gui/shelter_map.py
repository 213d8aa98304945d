"""How shelters look on the in-app map: by status (the kind's colours, as everywhere) or, with
View → Colour shelters by occupancy, by how full they are; a shelter with an urgent need
carries a red badge either way.

The point columns come from `gspace.mapdata.feature_points` (the same symbols as the exports);
only the shelters' styles are replaced here, so nothing else of the map changes.
"""

from __future__ import annotations

from collections.abc import Mapping

from PySide6.QtCore import QCoreApplication

from gspace.shelters import IN_OPERATION, KIND, ShelterState

# (upper bound of occupancy in per cent, colour): green, yellow, orange, then red when full
OCCUPANCY_BANDS = ((50.0, "#43a047"), (80.0, "#fdd835"), (100.0, "#fb8c00"))
FULL_COLOR = "#d50000"
UNKNOWN_COLOR = "#9e9e9e"  # in operation, but no numbers to tell
IDLE_COLOR = "#eceff1"  # not opened, closed: nobody there
GROUP = f"feature:{KIND}"


def occupancy_color(state: ShelterState) -> str:
    if state.status not in IN_OPERATION:
        return IDLE_COLOR
    if state.occupancy is None or state.evacuees is None:
        return FULL_COLOR if state.status == "full" else UNKNOWN_COLOR
    for bound, color in OCCUPANCY_BANDS:
        if state.occupancy < bound:
            return color
    return FULL_COLOR


def restyle(data: dict, states: Mapping[str, ShelterState], by_occupancy: bool) -> dict:
    """`data` (mapdata point columns) with each shelter's style filled by occupancy (when
    `by_occupancy`) and badged when it has an urgent need. The styles list is extended, never
    reordered, so the other points keep theirs."""
    styles = [dict(s) for s in data["styles"]]
    known = {tuple(sorted(s.items())): k for k, s in enumerate(styles)}
    try:
        group = data["groups"].index(GROUP)
    except ValueError:
        return data
    style_of = list(data["style"])
    for i, point_id in enumerate(data["ids"]):
        if data["group"][i] != group:
            continue
        state = states.get(point_id)
        if state is None:
            continue
        style = dict(styles[style_of[i]])
        if by_occupancy:
            style["fill"] = occupancy_color(state)
        if state.urgent:
            style["badge"] = True
        else:
            style.pop("badge", None)
        key = tuple(sorted(style.items()))
        if key not in known:
            known[key] = len(styles)
            styles.append(style)
        style_of[i] = known[key]
    return {**data, "style": style_of, "styles": styles}


def legend_section(shape: str, stroke: str, by_occupancy: bool) -> dict:
    """The legend's lines for the occupancy colours (when shown) and the badge."""
    translate = QCoreApplication.translate
    items = []
    if by_occupancy:
        labels = (
            translate("ShelterMap", "under 50 %"),
            translate("ShelterMap", "50–80 %"),
            translate("ShelterMap", "80–100 %"),
        )
        items += [
            {"label": label, "shape": shape, "fill": color, "stroke": stroke}
            for label, (_bound, color) in zip(labels, OCCUPANCY_BANDS, strict=True)
        ]
        items += [
            {
                "label": translate("ShelterMap", "full"),
                "shape": shape,
                "fill": FULL_COLOR,
                "stroke": stroke,
            },
            {
                "label": translate("ShelterMap", "no numbers"),
                "shape": shape,
                "fill": UNKNOWN_COLOR,
                "stroke": stroke,
            },
            {
                "label": translate("ShelterMap", "not open"),
                "shape": shape,
                "fill": IDLE_COLOR,
                "stroke": stroke,
            },
        ]
    items.append(
        {
            "label": translate("ShelterMap", "urgent need"),
            "shape": "badge",
            "fill": FULL_COLOR,
            "stroke": "#ffffff",
        }
    )
    title = (
        translate("ShelterMap", "Shelter occupancy")
        if by_occupancy
        else translate("ShelterMap", "Shelter needs")
    )
    return {"title": title, "items": items}
