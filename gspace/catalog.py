"""The layer catalog: one TOML file per reference-layer kind.

A kind file declares `kind`, `title` (ja/en), `fields`, `[aliases]` (for each canonical field,
the source column names that mean it), a `[symbol]` (shape: circle, square, diamond or
triangle; color) and its `[[statuses]]` (id, label ja/en, color; the last is the default).
Built-in kinds in
the shipped `layers/` folder and a user's own files (the incident's `layers/` folder, or any
folder given) load through the same `load_catalog`; a later file of the same kind replaces an
earlier one, so a city can adapt a built-in kind.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

from gspace.errors import GspaceError
from gspace.paths import data_dir, user_data_dir

SHAPES = ("circle", "square", "diamond", "triangle")


@dataclass(frozen=True)
class Status:
    id: str
    label: dict[str, str]
    color: str


@dataclass(frozen=True)
class LayerKind:
    kind: str
    title: dict[str, str]
    fields: tuple[str, ...]
    shape: str
    color: str
    statuses: tuple[Status, ...]
    aliases: dict[str, tuple[str, ...]]  # canonical field -> source column names
    usable: tuple[str, ...] = ()  # statuses in which the place can be used (open, available)

    def status(self, status_id: str | None) -> Status | None:
        return next((s for s in self.statuses if s.id == status_id), None)

    def label(self, lang: str) -> str:
        return self.title.get(lang) or self.title.get("en") or self.kind


def status_label(kind: LayerKind | None, status: str | None, lang: str) -> str:
    """A feature's status named in `lang`; an unknown kind or status is shown as it is."""
    found = kind.status(status) if kind else None
    return found.label.get(lang, found.id) if found else (status or "")


def read_kind(path: Path) -> LayerKind:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        symbol = data.get("symbol", {})
        kind = LayerKind(
            kind=data["kind"],
            title=dict(data["title"]),
            fields=tuple(data.get("fields", ())),
            shape=symbol.get("shape", "circle"),
            color=symbol.get("color", "#555555"),
            aliases={k: tuple(v) for k, v in data.get("aliases", {}).items()},
            usable=tuple(data.get("usable", ())),
            statuses=tuple(
                Status(s["id"], dict(s["label"]), s.get("color", "#9e9e9e"))
                for s in data.get("statuses", ())
            ),
        )
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError, KeyError, TypeError) as e:
        raise GspaceError(f"layer kind file {path} is not valid: {e}") from None
    if kind.shape not in SHAPES:
        raise GspaceError(f"layer kind file {path}: shape must be one of {', '.join(SHAPES)}")
    return kind


def load_catalog(*extra_folders: Path) -> dict[str, LayerKind]:
    catalog: dict[str, LayerKind] = {}
    for folder in (data_dir("layers"), *extra_folders):
        if folder.is_dir():
            for path in sorted(folder.glob("*.toml")):
                kind = read_kind(path)
                catalog[kind.kind] = kind
    return catalog


def incident_catalog(incident_dir: Path) -> dict[str, LayerKind]:
    """The kinds an incident uses: built-in, then the user's (`<gspace data folder>/layers`),
    then the incident's own `layers/` folder, each later file replacing an earlier kind."""
    return load_catalog(user_data_dir() / "layers", incident_dir / "layers")
