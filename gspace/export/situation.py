"""A place's situation in a line of words, for the popups of exported web maps and the
descriptions of KML placemarks: a shelter's evacuees, free places, crowding and needs, a water
point's hours and supply method, in Japanese or English.

The row given is the one the export's profile let through (a public export has no staff names
or contacts to show); the text is shown as text (textContent, XML-escaped), never as markup.
"""

from __future__ import annotations

from datetime import datetime, tzinfo

from gspace.catalog import LayerKind
from gspace.labels import local_time
from gspace.shelters import KIND, label, need_keys, shelter_state

_SKIP = {"name", "address", "reported_at"}


def situation_text(row: dict, kind: LayerKind | None, lang: str, zone: tzinfo) -> str:
    """ " · "-joined parts; empty when the feature says nothing of its situation."""
    attributes = row.get("attributes") or {}
    if row.get("kind") == KIND:
        parts = _shelter_parts(row, kind, lang, zone)
    else:
        fields = kind.fields if kind else ()
        parts = [
            f"{label(name, lang)}: {attributes[name]}"
            for name in fields
            if name not in _SKIP and attributes.get(name) not in (None, "")
        ]
    if attributes.get("reported_at"):
        try:
            when = local_time(str(attributes["reported_at"]), zone)
        except ValueError:
            when = str(attributes["reported_at"])
        parts.append(f"{label('reported_at', lang)}: {when}")
    return " · ".join(parts)


def _shelter_parts(row: dict, kind: LayerKind | None, lang: str, zone: tzinfo) -> list[str]:
    state = shelter_state(row, datetime.now(zone), None, need_keys(kind))
    parts = []
    if state.evacuees is not None or state.capacity is not None:
        people = (
            f"{label('evacuees', lang)} {state.evacuees if state.evacuees is not None else '-'}"
        )
        if state.capacity:
            people += f" / {state.capacity}"
            if state.occupancy is not None:
                people += f" ({state.occupancy:.0f}%)"
        parts.append(people)
    if state.free is not None and state.status == "open":
        parts.append(f"{label('free', lang)} {state.free}")
    if state.crowding:
        parts.append(f"{label('crowding', lang)}: {label(state.crowding, lang)}")
    needs = [
        label(need, lang) + ("!" if urgency == "urgent" else "")
        for need, urgency in state.needs.items()
        if need != "other"
    ]
    if "other" in state.needs:
        needs.append(state.needs["other"])
    if needs:
        parts.append(f"{label('needs', lang)}: {', '.join(needs)}")
    for name in ("manager", "contact"):
        if getattr(state, name):
            parts.append(f"{label(name, lang)}: {getattr(state, name)}")
    return parts
