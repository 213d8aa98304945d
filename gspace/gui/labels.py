"""Labels in the window's language for the data model's identifiers (the table is in
`gspace.labels`, shared with the exports)."""

from __future__ import annotations

from gspace import catalog
from gspace.catalog import LayerKind
from gspace.gui.i18n import current_language
from gspace.labels import categories_label as core_categories_label
from gspace.labels import label, local_time  # noqa: F401 (the window's time format)


def kind_label(kind: str) -> str:
    return label("kind", kind, current_language())


def category_label(category: str) -> str:
    return label("category", category, current_language())


def categories_label(value: str | None) -> str:
    return core_categories_label(value, current_language())


def status_label(status: str) -> str:
    return label("status", status, current_language())


def severity_label(severity: str | None) -> str:
    return label("severity", severity, current_language())


def location_source_label(source: str) -> str:
    return label("location_source", source, current_language())


def layer_title(kind: LayerKind) -> str:
    return kind.label(current_language())


def feature_status_label(kind: LayerKind | None, status: str | None) -> str:
    return catalog.status_label(kind, status, current_language())
