"""The vocabularies of the data model (DESIGN.md, "Data")."""

from __future__ import annotations

REPORT_KINDS = ("photo", "sns", "volunteer", "manual")
LOCATION_SOURCES = ("exif", "gpx", "post", "place", "geoparsed", "manual", "none")
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

# Columns of the reports table in the order the read commands print them.
REPORT_FIELDS = (
    "id",
    "kind",
    "observed_at",
    "received_at",
    "location_source",
    "accuracy_m",
    "author",
    "text",
    "category",
    "severity",
    "status",
    "source",
    "media",
    "properties",
)
FEATURE_FIELDS = ("id", "kind", "name", "address", "status", "note", "attributes", "source")


def categories_of(value: str | None) -> list[str]:
    """A report's `category` column holds one or more identifiers joined by commas."""
    return [c for c in (value or "").split(",") if c]
