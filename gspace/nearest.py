"""The nearest place of each kind that can be used now, for a report or any point on the map:
an open shelter with room (not full, free places left), an available water point, Wi-Fi, ...

A shelter that is open but full, whose crowding says full, or whose evacuees fill its capacity
is passed over: sending people there wastes the walk.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from gspace.catalog import LayerKind
from gspace.shelters import KIND, ShelterState, shelter_state
from gspace.store import query
from gspace.store.incident import Incident


@dataclass(frozen=True)
class NearestPlace:
    kind: str
    feature: dict
    metres: float
    state: ShelterState | None = None  # for a shelter: its situation (free places, ...)

    @property
    def free(self) -> int | None:
        return self.state.free if self.state else None


def _has_room(now: datetime):
    def accept(feature: dict) -> bool:
        return shelter_state(feature, now).has_room

    return accept


def nearest_places(
    incident: Incident,
    lon: float,
    lat: float,
    catalog: Mapping[str, LayerKind],
    kinds: Iterable[str] | None = None,
) -> list[NearestPlace]:
    """For each kind (all of the catalog's with `usable` statuses, or `kinds`) the nearest
    usable place to (lon, lat), in kind order; kinds with none are left out."""
    now = datetime.now(incident.timezone)
    found = []
    for kind in sorted(kinds if kinds is not None else catalog):
        known = catalog.get(kind)
        if not known or not known.usable:
            continue
        accept = _has_room(now) if kind == KIND else None
        nearest = query.nearest_feature(incident, lon, lat, kind, known.usable, accept)
        if nearest:
            feature, metres = nearest
            state = shelter_state(feature, now) if kind == KIND else None
            found.append(NearestPlace(kind, feature, metres, state))
    return found


def distance_text(metres: float) -> str:
    return f"{metres:.0f} m" if metres < 1000 else f"{metres / 1000:.1f} km"
