"""KML for Google Earth, and KMZ: the same document zipped with the report photos and the
symbols beside it.

Reports go in one folder per kind, reference features in one folder per layer, each placemark
with a time stamp (Google Earth's time slider works) and its fields as ExtendedData. Balloon
text is HTML that Google Earth renders, so untrusted text is HTML-escaped before the document
escapes it again as XML.

The document is valid against the OGC KML 2.2 schema (tests check it with xmllint): the shared
styles sit at the top of the Document, built from the vocabularies (every category colour,
every status colour of the layers written) before the placemarks stream, so readers that
resolve `styleUrl` only in the Document (libkml, hence GDAL and QGIS) find them; elements come
in the schema's order; ids are `r-`/`f-` + the UUID (an xs:ID may not start with a digit).
Symbols are white shapes that IconStyle's colour tints; the KMZ carries them as PNGs, drawn here,
so nothing comes from the network. A plain .kml has nowhere to keep them: Google Earth then
shows its own pin in the same colour.
"""

from __future__ import annotations

import html
import io
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import TextIO
from xml.sax.saxutils import escape, quoteattr

from PIL import Image, ImageDraw

from gspace.catalog import SHAPES, status_label
from gspace.export.situation import situation_text
from gspace.labels import categories_label, label, local_time
from gspace.mapdata import CATEGORY_COLORS, GREY, feature_style, report_style
from gspace.refs import ref
from gspace.store import query

FIELDS = ("observed_at", "category", "severity", "status", "location_source", "author", "ref")
ICON_PX = 32  # drawn 4x larger and reduced: smooth edges


def write_kml(job, path: Path) -> None:
    with open(path, "w", encoding="utf-8") as out:
        _document(job, out, photo_href=None, icons=False)


def write_kmz(job, path: Path) -> None:
    """doc.kml (first, as Google Earth expects), `icons/<shape>.png` for the symbols and
    `files/<sha256>.jpg` for each photo, at screen size (public: without EXIF)."""
    photos: dict[str, str] = {}

    def photo_href(sha: str) -> str:
        return photos.setdefault(sha, f"files/{sha}.jpg")

    document = path.with_name(path.name + ".kml")
    try:
        with open(document, "w", encoding="utf-8") as out:
            _document(job, out, photo_href, icons=True)
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as kmz:
            kmz.write(document, "doc.kml")
            for shape in SHAPES:
                kmz.writestr(_icon_href(shape), icon_png(shape), compress_type=zipfile.ZIP_STORED)
            for sha, href in photos.items():
                job.check()
                original = job.original(sha)
                data = job.profile.display_copy(original) if original else job.image(sha)
                if data is not None:
                    kmz.writestr(href, data, compress_type=zipfile.ZIP_STORED)
    finally:
        document.unlink(missing_ok=True)


def icon_png(shape: str) -> bytes:
    """A white `shape` with a dark rim on transparency: IconStyle's colour multiplies it, so
    one image serves every colour."""
    big = ICON_PX * 4
    image = Image.new("RGBA", (big, big), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    m, rim = big * 0.12, big // 12
    box = (m, m, big - m, big - m)
    if shape == "square":
        draw.rectangle(box, fill="white", outline=(40, 40, 40), width=rim)
    elif shape == "diamond":
        c = big / 2
        draw.polygon([(c, m), (big - m, c), (c, big - m), (m, c)], fill="white")
        draw.line([(c, m), (big - m, c), (c, big - m), (m, c), (c, m)], (40, 40, 40), rim, "curve")
    elif shape == "triangle":
        points = [(big / 2, m), (big - m, big - m), (m, big - m)]
        draw.polygon(points, fill="white")
        draw.line([*points, points[0]], fill=(40, 40, 40), width=rim, joint="curve")
    else:
        draw.ellipse(box, fill="white", outline=(40, 40, 40), width=rim)
    buffer = io.BytesIO()
    image.resize((ICON_PX, ICON_PX), Image.Resampling.LANCZOS).save(buffer, "PNG", optimize=True)
    return buffer.getvalue()


def _icon_href(shape: str) -> str:
    return f"icons/{shape}.png"


def _symbols(job) -> list[tuple[str, str]]:
    """Every (shape, fill) a placemark of this export can have: reports are circles in a
    category colour or grey; a layer's features its shape in a status colour or grey."""
    symbols = {("circle", c) for c in (*CATEGORY_COLORS.values(), GREY)}
    for kind in job.catalog.values():
        if job.layers is None or kind.kind in job.layers:
            symbols |= {(kind.shape, s.color) for s in kind.statuses} | {(kind.shape, GREY)}
    return sorted(symbols)


def _style_id(shape: str, fill: str) -> str:
    return f"s-{shape}-{fill.lstrip('#').lower()}"


def _document(job, out: TextIO, photo_href: Callable[[str], str] | None, icons: bool) -> None:
    out.write('<?xml version="1.0" encoding="UTF-8"?>\n')
    out.write('<kml xmlns="http://www.opengis.net/kml/2.2"><Document>\n')
    out.write(f"<name>{escape(job.title)}</name>\n")
    out.write(f"<description>{escape(job.time_text())}</description>\n")
    styles = {}
    for shape, fill in _symbols(job):
        styles[shape, fill] = _style_id(shape, fill)
        out.write(_style(styles[shape, fill], shape, fill, icons))
    folder = None
    for row in job.reports(order=query.KIND_ORDER):
        if row.get("lon") is None:
            job.leave_out_unlocated()
            continue
        if row["kind"] != folder:
            out.write("</Folder>\n" if folder else "")
            folder = row["kind"]
            out.write(f"<Folder><name>{escape(label('kind', folder, job.lang))}</name>\n")
        style = report_style(row["kind"], row["category"], row["status"])
        _placemark(out, job, row, styles.get((style["shape"], style["fill"])), photo_href)
    out.write("</Folder>\n" if folder else "")
    folder = None
    for row in job.features():
        if row["kind"] != folder:
            out.write("</Folder>\n" if folder else "")
            folder = row["kind"]
            kind = job.catalog.get(folder)
            name = kind.label(job.lang) if kind else folder
            out.write(f"<Folder><name>{escape(name)}</name>\n")
        style = feature_style(job.catalog.get(row["kind"]), row["status"])
        _feature(out, job, row, styles.get((style["shape"], style["fill"])))
    out.write("</Folder>\n" if folder else "")
    out.write("</Document></kml>\n")


def _style(style_id: str, shape: str, fill: str, icons: bool) -> str:
    """A shared style: the icon tinted by `fill`; lines and areas (polygon layers) too."""
    icon = f"<Icon><href>{_icon_href(shape)}</href></Icon>" if icons else ""
    return (
        f'<Style id="{style_id}"><IconStyle><color>{_abgr(fill)}</color><scale>0.8</scale>'
        f'{icon}<hotSpot x="0.5" y="0.5" xunits="fraction" yunits="fraction"/></IconStyle>'
        f"<LineStyle><color>{_abgr(fill)}</color><width>2</width></LineStyle>"
        f"<PolyStyle><color>{_abgr(fill, '80')}</color></PolyStyle></Style>\n"
    )


def _abgr(rgb: str, alpha: str = "ff") -> str:
    """KML colours are aabbggrr."""
    r, g, b = rgb[1:3], rgb[3:5], rgb[5:7]
    return f"{alpha}{b}{g}{r}".lower()


def _placemark(out: TextIO, job, row: dict, style_id: str | None, photo_href) -> None:
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
    # the schema's order: name, description, TimeStamp, styleUrl, ExtendedData, geometry
    out.write(f"<Placemark id={quoteattr('r-' + row['id'])}><name>{escape(name)}</name>")
    out.write(f"<description>{escape(''.join(balloon))}</description>")
    if row["observed_at"]:
        out.write(f"<TimeStamp><when>{escape(row['observed_at'])}</when></TimeStamp>")
    out.write(f"<styleUrl>#{style_id}</styleUrl>" if style_id else "")
    out.write("<ExtendedData>")
    for key in ("text", *FIELDS):
        value = row.get("text") if key == "text" else values[key]
        if value:
            out.write(f"<Data name={quoteattr(key)}><value>{escape(value)}</value></Data>")
    out.write(f"</ExtendedData><Point><coordinates>{row['lon']},{row['lat']}</coordinates>")
    out.write("</Point></Placemark>\n")


def _feature(out: TextIO, job, row: dict, style_id: str | None) -> None:
    kind = job.catalog.get(row["kind"])
    status = status_label(kind, row["status"], job.lang)
    situation = situation_text(row, kind, job.lang, job.incident.timezone)
    lines = [row.get("address") or "", status, situation, row.get("note") or "", ref(row["id"])]
    out.write(
        f"<Placemark id={quoteattr('f-' + row['id'])}><name>{escape(row['name'] or '')}</name>"
    )
    description = "<br>".join(html.escape(line) for line in lines if line)
    out.write(f"<description>{escape(description)}</description>")
    out.write(f"<styleUrl>#{style_id}</styleUrl>" if style_id else "")
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
