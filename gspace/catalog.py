"""The layer catalog: one TOML file per reference-layer kind.

A kind file declares `kind`, `title` (ja/en), `fields`, `[types]` (a field's type: text, the
default, integer, number, date, or `{ type = "choice", choices = [...] }`), `public` (the
fields a public export may carry), `[aliases]` (for each canonical field, the source column
names that mean it), a `[symbol]` (shape: circle, square, diamond or triangle; color) and its
`[[statuses]]` (id, label ja/en, color; the last is the default). Built-in kinds in the shipped
`layers/` folder and a user's own files (the incident's `layers/` folder, or any folder given)
load through the same `load_catalog`; a later file of the same kind replaces an earlier one, so
a city can adapt a built-in kind.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from gspace.errors import GspaceError
from gspace.paths import data_dir, user_data_dir

SHAPES = ("circle", "square", "diamond", "triangle")
TYPES = ("text", "integer", "number", "date", "choice")


@dataclass(frozen=True)
class FieldType:
    """What a field holds. Values arrive as text (a CSV cell, `--field`, the panel) and are stored
    typed, so that counts such as capacity can be compared and summed."""

    type: str = "text"
    choices: tuple[str, ...] = ()

    def parse(self, name: str, text: str):
        """The value `text` means, or GspaceError with one line saying what the field takes."""
        text = text.strip()
        if self.type == "text" or text == "":
            return text
        value = _PARSERS[self.type](self, unicodedata.normalize("NFKC", text))
        if value is None:
            expected = {
                "integer": "a whole number",
                "number": "a number",
                "date": "a date (YYYY-MM-DD)",
                "choice": "one of " + ", ".join(self.choices),
            }[self.type]
            raise GspaceError(f"{name} takes {expected}, not {text!r}")
        return value


def _number_text(text: str) -> str:
    # "50,700 " in a city's CSV; full-width digits are already ASCII after NFKC
    return text.replace(",", "").replace("_", "").strip()


def _integer(_ft: FieldType, text: str) -> int | None:
    try:
        return int(_number_text(text))
    except ValueError:
        number = _number(_ft, text)
        return int(number) if number is not None and number == int(number) else None


def _number(_ft: FieldType, text: str) -> int | float | None:
    try:
        value = float(_number_text(text))
    except ValueError:
        return None
    if value != value or value in (float("inf"), float("-inf")):
        return None
    return int(value) if value.is_integer() and abs(value) < 2**53 else value


def _date(_ft: FieldType, text: str) -> str | None:
    found = re.fullmatch(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?", text)
    try:
        return date(*map(int, found.groups())).isoformat() if found else None
    except ValueError:
        return None


def _choice(ft: FieldType, text: str) -> str | None:
    return text if text in ft.choices else None


_PARSERS = {"integer": _integer, "number": _number, "date": _date, "choice": _choice}
TEXT = FieldType()


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
    types: dict[str, FieldType] = field(default_factory=dict)  # fields that are not text
    # the fields a public export may carry (an allow-list: staff names, contacts, the note and
    # any attribute not named here stay internal); None when the kind file does not say
    public: tuple[str, ...] | None = None

    def field_type(self, name: str) -> FieldType:
        return self.types.get(name, TEXT)

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
            public=tuple(data["public"]) if "public" in data else None,
            types={k: _field_type(path, k, v) for k, v in data.get("types", {}).items()},
            statuses=tuple(
                Status(s["id"], dict(s["label"]), s.get("color", "#9e9e9e"))
                for s in data.get("statuses", ())
            ),
        )
    except (
        OSError,
        UnicodeDecodeError,
        tomllib.TOMLDecodeError,
        KeyError,
        TypeError,
        AttributeError,
    ) as e:
        raise GspaceError(f"layer kind file {path} is not valid: {e}") from None
    if kind.shape not in SHAPES:
        raise GspaceError(f"layer kind file {path}: shape must be one of {', '.join(SHAPES)}")
    return kind


def _field_type(path: Path, name: str, spec) -> FieldType:
    """`"integer"`, or `{ type = "choice", choices = ["a", "b"] }`."""
    if isinstance(spec, str):
        spec = {"type": spec}
    kind = spec.get("type") if isinstance(spec, dict) else None
    choices = spec.get("choices", ()) if isinstance(spec, dict) else ()
    if kind not in TYPES or (kind == "choice") != bool(choices):
        raise GspaceError(
            f"layer kind file {path}: the type of {name} must be one of {', '.join(TYPES)} "
            "(a choice with its choices)"
        )
    return FieldType(kind, tuple(str(c) for c in choices))


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


def set_fields(attributes: dict, updates: dict[str, str], kind: LayerKind | None) -> dict:
    """`attributes` with `updates` (field -> text as typed by a person) stored as the kind's
    types say: "800" for an integer field is 800. An empty text removes the field. A value that
    does not fit its type raises GspaceError with one line, and nothing is changed."""
    result = dict(attributes)
    for name, text in updates.items():
        value = kind.field_type(name).parse(name, text) if kind else text.strip()
        if value == "":
            result.pop(name, None)
        else:
            result[name] = value
    return result
