"""Build resources/gazetteer/wards.tsv: a point inside each ward of a designated city
(熊本市東区), so that geoparsing places a ward named in a post in that ward and not at the
city's single centroid.

Source: the municipality boundaries that ship with gspace (resources/municipalities/, MLIT N03).
The point is the city's own point in the municipality gazetteer (its city hall) for the ward
that holds it, else the ward's centroid when it lies inside the ward, else a point shapely
guarantees to be inside (a crescent-shaped ward's centroid can lie in its neighbour). Written
once, so that geoparsing (in every import worker) needs neither shapely nor the boundaries.
Run again when the boundaries change:
    python scripts/make_wards.py
"""

from pathlib import Path

import shapely

from gspace.ingest.gazetteer import read_municipalities
from gspace.municipalities import all_municipalities, geometry_of

OUT = Path(__file__).resolve().parent.parent / "resources" / "gazetteer" / "wards.tsv"


def main() -> None:
    halls = {(p, name): shapely.Point(lon, lat) for p, name, lat, lon in read_municipalities()}
    lines = ["prefecture\tcity\tward\tcode\tlat\tlon"]
    for m in all_municipalities():
        if not m.city:
            continue
        shape = geometry_of(m.code)
        hall = halls.get((m.prefecture, m.city))
        if hall is not None and shape.contains(hall):
            point = hall
        elif shape.contains(shape.centroid):
            point = shape.centroid
        else:
            point = shape.representative_point()
        ward = m.name[len(m.city) :]
        lines.append(f"{m.prefecture}\t{m.city}\t{ward}\t{m.code}\t{point.y:.5f}\t{point.x:.5f}")
    OUT.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"{len(lines) - 1} wards written to {OUT}")


if __name__ == "__main__":
    main()
