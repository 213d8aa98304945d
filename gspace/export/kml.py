"""KML for Google Earth, and KMZ: the same document zipped with the report photos beside it.

Reports go in one folder per kind, reference features in one folder per layer, each placemark
with a time stamp (Google Earth's time slider works) and its fields as ExtendedData. Balloon
text is HTML that Google Earth renders, so untrusted text is HTML-escaped before the document
escapes it again as XML.
"""

from __future__ import annotations

import html
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import TextIO
from xml.sax.saxutils import escape, quoteattr

from gspace import query
from gspace.catalog import status_label
from gspace.labels import categories_label, label, local_time
from gspace.mapdata import feature_style, report_style
from gspace.refs import ref

ICON = "https://maps.google.com/mapfiles/kml/shapes/placemark_circle.png"
SQUARE_ICON = "https://maps.google.com/mapfiles/kml/shapes/placemark_square.png"
FIELDS = ("observed_at", "category", "severity", "status", "location_source", "author", "ref")


def write_kml(job, path: Path) -> None:
    with open(path, "w", encoding="utf-8") as out:
        _document(job, out, photo_href=None)


def write_kmz(job, path: Path) -> None:
    """doc.kml (first, as Google Earth expects) plus `files/<sha256>.jpg` for each photo, at
    screen size (public: without EXIF)."""
    photos: dict[str, str] = {}

    def photo_href(sha: str) -> str:
        return photos.setdefault(sha, f"files/{sha}.jpg")

    document = path.with_name(path.name + ".kml")
    try:
        with open(document, "w", encoding="utf-8") as out:
            _document(job, out, photo_href)
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as kmz:
            kmz.write(document, "doc.kml")
            for sha, href in photos.items():
                job.check()
                original = job.original(sha)
                data = job.profile.display_copy(original) if original else job.image(sha)
                if data is not None:
                    kmz.writestr(href, data, compress_type=zipfile.ZIP_STORED)
    finally:
        document.unlink(missing_ok=True)


def _document(job, out: TextIO, photo_href: Callable[[str], str] | None) -> None:
    out.write('<?xml version="1.0" encoding="UTF-8"?>\n')
    out.write('<kml xmlns="http://www.opengis.net/kml/2.2"><Document>\n')
    out.write(f"<name>{escape(job.title)}</name>\n")
    out.write(f"<description>{escape(job.time_text())}</description>\n")
    styles: dict[tuple, str] = {}
    folder = None
    for row in job.reports(order=query.KIND_ORDER):
        if row.get("lon") is None:
            continue
        if row["kind"] != folder:
            out.write("</Folder>\n" if folder else "")
            folder = row["kind"]
            out.write(f"<Folder><name>{escape(label('kind', folder, job.lang))}</name>\n")
        style = report_style(row["kind"], row["category"], row["status"])
        style_id = _style(out, styles, style)
        _placemark(out, job, row, style_id, photo_href)
    out.write("</Folder>\n" if folder else "")
    folder = None
    for row in job.features():
        if row["kind"] != folder:
            out.write("</Folder>\n" if folder else "")
            folder = row["kind"]
            kind = job.catalog.get(folder)
            name = kind.label(job.lang) if kind else folder
            out.write(f"<Folder><name>{escape(name)}</name>\n")
        style_id = _style(out, styles, feature_style(job.catalog.get(row["kind"]), row["status"]))
        _feature(out, job, row, style_id)
    out.write("</Folder>\n" if folder else "")
    out.write("</Document></kml>\n")


def _style(out: TextIO, styles: dict[tuple, str], style: dict) -> str:
    """A shared style per symbol, written before the first placemark that uses it."""
    key = (style["shape"], style["fill"])
    if key not in styles:
        styles[key] = f"s{len(styles)}"
        icon = SQUARE_ICON if style["shape"] == "square" else ICON
        out.write(
            f'<Style id="{styles[key]}"><IconStyle><color>{_abgr(style["fill"])}</color>'
            f"<scale>0.8</scale><Icon><href>{icon}</href></Icon></IconStyle></Style>\n"
        )
    return styles[key]


def _abgr(rgb: str) -> str:
    """KML colours are aabbggrr."""
    r, g, b = rgb[1:3], rgb[3:5], rgb[5:7]
    return f"ff{b}{g}{r}"


def _placemark(out: TextIO, job, row: dict, style_id: str, photo_href) -> None:
    lang, zone = job.lang, job.incident.timezone
    values = {
        "observed_at": local_time(row["observed_at"], zone),
        "category": categories_label(row["category"], lang),
        "severity": label("severity", row["severity"], lang),
        "status": label("status", row["status"], lang),
        "location_source": label("location_source", row["location_source"], lang),
        "author": row.get("author") or "",
        "ref": ref(row["id"]),
    }
    balloon = [f"<p>{html.escape(row['text'] or '')}</p>"]
    for sha in row["media"] if photo_href else ():
        balloon.append(f'<img src="{photo_href(sha)}" width="400">')
    balloon.append(
        "<p>"
        + "<br>".join(f"{html.escape(v)}" for k, v in values.items() if v and k != "author")
        + "</p>"
    )
    name = label("kind", row["kind"], lang) + " " + values["observed_at"]
    out.write(f"<Placemark id={quoteattr(row['id'])}><name>{escape(name)}</name>")
    if row["observed_at"]:
        out.write(f"<TimeStamp><when>{escape(row['observed_at'])}</when></TimeStamp>")
    out.write(f"<styleUrl>#{style_id}</styleUrl>")
    out.write(f"<description>{escape(''.join(balloon))}</description>")
    out.write("<ExtendedData>")
    for key in ("text", *FIELDS):
        value = row.get("text") if key == "text" else values[key]
        if value:
            out.write(f"<Data name={quoteattr(key)}><value>{escape(value)}</value></Data>")
    out.write(f"</ExtendedData><Point><coordinates>{row['lon']},{row['lat']}</coordinates>")
    out.write("</Point></Placemark>\n")


def _feature(out: TextIO, job, row: dict, style_id: str) -> None:
    kind = job.catalog.get(row["kind"])
    status = status_label(kind, row["status"], job.lang)
    lines = [row.get("address") or "", status, row.get("note") or "", ref(row["id"])]
    out.write(f"<Placemark id={quoteattr(row['id'])}><name>{escape(row['name'] or '')}</name>")
    out.write(f"<styleUrl>#{style_id}</styleUrl>")
    description = "<br>".join(html.escape(line) for line in lines if line)
    out.write(f"<description>{escape(description)}</description>")
    out.write(_geometry(row))
    out.write("</Placemark>\n")


def _geometry(row: dict) -> str:
    geometry = row.get("geometry") or (
        {"type": "Point", "coordinates": [row["lon"], row["lat"]]} if row.get("lon") else None
    )
    if geometry is None:
        return ""
    kind, coords = geometry["type"], geometry.get("coordinates")

    def ring(points) -> str:
        return " ".join(f"{x},{y}" for x, y, *_ in points)

    if kind == "Point":
        return f"<Point><coordinates>{coords[0]},{coords[1]}</coordinates></Point>"
    if kind == "LineString":
        return f"<LineString><coordinates>{ring(coords)}</coordinates></LineString>"
    if kind == "Polygon":
        inner = "".join(
            f"<innerBoundaryIs><LinearRing><coordinates>{ring(r)}</coordinates>"
            "</LinearRing></innerBoundaryIs>"
            for r in coords[1:]
        )
        return (
            f"<Polygon><outerBoundaryIs><LinearRing><coordinates>{ring(coords[0])}"
            f"</coordinates></LinearRing></outerBoundaryIs>{inner}</Polygon>"
        )
    if kind.startswith("Multi") or kind == "GeometryCollection":
        parts = (
            geometry["geometries"]
            if kind == "GeometryCollection"
            else [{"type": kind[5:], "coordinates": c} for c in coords]
        )
        body = "".join(_geometry({"geometry": p}) for p in parts)
        return f"<MultiGeometry>{body}</MultiGeometry>"
    return ""
