"""The vocabularies of the data model (DESIGN.md, "Data")."""

from __future__ import annotations

REPORT_KINDS = ("photo", "sns", "volunteer", "manual")
LOCATION_SOURCES = ("exif", "gpx", "post", "place", "geoparsed", "manual", "device", "none")
REPORT_STATUSES = ("new", "verified", "actioned", "rejected", "duplicate")
SEVERITIES = ("low", "normal", "high")
CATEGORIES = (
    "rescue",
    "injury",
    "building_damage",
    "flooding",
    "landslide",
    "fire",
    "road_blocked",
    "water_outage",
    "power_outage",
    "shelter_info",
    "supplies",
    "other",
)


# gspace's own keys in a feature's attributes: the sources it came from, the source's id and what
# they said when last imported (for re-imports); never shown or exported as the file's columns
FEATURE_BOOKKEEPING = ("_source_id", "_sources", "_imported")


def file_attributes(attributes: dict) -> dict:
    """A feature's attributes without gspace's bookkeeping: what its files and users gave it."""
    return {k: v for k, v in attributes.items() if k not in FEATURE_BOOKKEEPING}


def categories_of(value: str | None) -> list[str]:
    """A report's `category` column holds one or more identifiers joined by commas; a report
    with none is `other` (on the map, in the legend, in the category filters)."""
    return [c for c in (value or "").split(",") if c] or ["other"]
