"""Translated labels for the data model's identifiers (kinds, categories, statuses, ...)."""

from __future__ import annotations

from datetime import datetime, tzinfo

from PySide6.QtCore import QCoreApplication

from gspace.catalog import LayerKind
from gspace.gui.i18n import current_language
from gspace.model import categories_of

translate = QCoreApplication.translate  # called by this name so that lupdate finds the strings


def kind_label(kind: str) -> str:
    return {
        "photo": translate("labels", "Photo"),
        "sns": translate("labels", "SNS post"),
        "volunteer": translate("labels", "Volunteer"),
        "manual": translate("labels", "Manual"),
    }.get(kind, kind)


def category_label(category: str) -> str:
    return {
        "rescue": translate("labels", "Rescue"),
        "injury": translate("labels", "Injury"),
        "building_damage": translate("labels", "Building damage"),
        "flooding": translate("labels", "Flooding"),
        "landslide": translate("labels", "Landslide"),
        "fire": translate("labels", "Fire"),
        "road_blocked": translate("labels", "Road blocked"),
        "water_outage": translate("labels", "Water outage"),
        "power_outage": translate("labels", "Power outage"),
        "shelter_info": translate("labels", "Shelter info"),
        "supplies": translate("labels", "Supplies"),
        "other": translate("labels", "Other"),
    }.get(category, category)


def categories_label(value: str | None) -> str:
    return ", ".join(category_label(c) for c in categories_of(value)) if value else ""


def status_label(status: str) -> str:
    return {
        "new": translate("labels", "New"),
        "verified": translate("labels", "Verified"),
        "actioned": translate("labels", "Actioned"),
        "rejected": translate("labels", "Rejected"),
        "duplicate": translate("labels", "Duplicate"),
    }.get(status, status)


def severity_label(severity: str | None) -> str:
    return {
        "low": translate("labels", "Low"),
        "normal": translate("labels", "Normal"),
        "high": translate("labels", "High"),
    }.get(severity or "", "")


def location_source_label(source: str) -> str:
    return {
        "exif": translate("labels", "Photo GPS (EXIF)"),
        "gpx": translate("labels", "GPX track"),
        "post": translate("labels", "Post coordinates"),
        "place": translate("labels", "Post place"),
        "geoparsed": translate("labels", "Address in text"),
        "manual": translate("labels", "Placed by hand"),
        "none": translate("labels", "No location"),
    }.get(source, source)


def layer_title(kind: LayerKind) -> str:
    return kind.label(current_language())


def feature_status_label(kind: LayerKind | None, status: str | None) -> str:
    found = kind.status(status) if kind else None
    return found.label.get(current_language(), found.id) if found else (status or "")


def local_time(iso: str | None, zone: tzinfo) -> str:
    """An ISO 8601 time as shown everywhere in the window: in the incident's time zone."""
    if not iso:
        return ""
    return datetime.fromisoformat(iso).astimezone(zone).strftime("%Y-%m-%d %H:%M %Z")
