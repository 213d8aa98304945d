"""The HTML a phone gets from an invite link: the submission page for a live invite, else a
short page in Japanese and English that says why the link does not work (never a form).

Every asset comes from the hub itself (`gspace/hub/volunteer_static/`): a hub at a disaster
site may have no internet, and a page that needs a CDN would not open.
"""

from __future__ import annotations

import html
import json
from pathlib import Path

from gspace.labels import LABELS
from gspace.model import CATEGORIES

STATIC = Path(__file__).with_name("volunteer_static")

# state -> (HTTP status, Japanese, English)
MESSAGES = {
    "unknown": (
        404,
        "このリンクは無効です。リンクが途中で切れているか、間違っています。"
        "配布元にもう一度確認してください。",
        "This link is not valid: it is incomplete or mistyped. Ask whoever gave it to you.",
    ),
    "revoked": (
        410,
        "このリンクは取り消されました。報告の受付は終了しています。",
        "This link has been withdrawn: reports are no longer accepted through it.",
    ),
    "expired": (
        410,
        "このリンクは有効期限が切れています。",
        "This link has expired.",
    ),
    "full": (
        410,
        "このリンクで参加できる端末数の上限に達しました。配布元に新しいリンクを依頼してください。",
        "As many phones as this link allows have joined. Ask for a new link.",
    ),
    "busy": (
        429,
        "アクセスが集中しています。1分ほど待ってからもう一度開いてください。",
        "Too many attempts from this network. Wait a minute and open the link again.",
    ),
}


def message_page(state: str) -> tuple[int, str]:
    """(HTTP status, a self-contained page) for an invite link that cannot be used."""
    status, ja, en = MESSAGES[state]
    page = f"""<!doctype html>
<html lang="ja"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>報告リンク / Report link</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 0; padding: 1.5rem; font-size: 1.15rem;
  line-height: 1.6; background: #fafafa; color: #222; }}
main {{ max-width: 32rem; margin: 0 auto; }}
h1 {{ font-size: 1.4rem; }}
p.en {{ color: #555; }}
</style></head>
<body><main>
<h1>報告リンクを開けません</h1>
<p class="ja" id="message-ja">{html.escape(ja)}</p>
<h1 lang="en">This report link cannot be used</h1>
<p class="en" lang="en" id="message-en">{html.escape(en)}</p>
</main></body></html>
"""
    return status, page


def submission_page(incident: str) -> str:
    """The page a phone opens from a live invite (its script joins and keeps the token)."""
    categories = [[c, *LABELS["category"][c]] for c in CATEGORIES]
    as_json = json.dumps(categories, ensure_ascii=False).replace("<", "\\u003c")
    template = (STATIC / "index.html").read_text(encoding="utf-8")
    return template.replace("{{INCIDENT}}", html.escape(incident)).replace(
        "{{CATEGORIES}}", as_json
    )


def assets() -> dict[str, Path]:
    """The files the page may load, by the name in its URL: the page's own and Leaflet's
    (from the xstatic-leaflet package gspace already ships for its maps)."""
    import xstatic.pkg.leaflet as leaflet

    found = {p.name: p for p in STATIC.iterdir() if p.suffix in (".js", ".css")}
    data = Path(leaflet.BASE_DIR)
    for name in ("leaflet.js", "leaflet.css"):
        found[f"leaflet/{name}"] = data / name
    for image in (data / "images").glob("*.png"):
        found[f"leaflet/images/{image.name}"] = image
    return found


def area(inc, most: int = 30) -> dict:
    """GeoJSON outlines of the municipalities the incident's reports and features are in (the
    map a volunteer taps on: no tiles needed)."""
    from shapely.geometry import mapping

    from gspace.municipalities import geometry_of, name_of

    codes = [
        code
        for (code,) in inc.conn.execute(
            "SELECT muni_code FROM (SELECT muni_code FROM reports WHERE deleted = 0 UNION ALL "
            "SELECT muni_code FROM features WHERE deleted = 0) WHERE muni_code IS NOT NULL "
            "GROUP BY muni_code ORDER BY count(*) DESC LIMIT ?",
            (most,),
        )
    ]
    features = []
    for code in codes:
        shape = geometry_of(code)
        if shape is not None:
            features.append(
                {
                    "type": "Feature",
                    "properties": {"code": code, "name": name_of(code)},
                    "geometry": mapping(shape.simplify(0.0005)),
                }
            )
    return {"type": "FeatureCollection", "features": features}
