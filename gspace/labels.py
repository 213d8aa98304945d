"""Names of the data model's identifiers (kinds, categories, statuses, ...) in Japanese and
English: one table for the window, the exported maps and the printed lists."""

from __future__ import annotations

from datetime import datetime, tzinfo

from gspace.model import categories_of

LABELS: dict[str, dict[str, tuple[str, str]]] = {  # group -> id -> (ja, en)
    "kind": {
        "photo": ("写真", "Photo"),
        "sns": ("SNS投稿", "SNS post"),
        "volunteer": ("ボランティア", "Volunteer"),
        "manual": ("手入力", "Manual"),
    },
    "category": {
        "rescue": ("救助", "Rescue"),
        "injury": ("負傷", "Injury"),
        "building_damage": ("建物被害", "Building damage"),
        "flooding": ("浸水・冠水", "Flooding"),
        "landslide": ("土砂災害", "Landslide"),
        "fire": ("火災", "Fire"),
        "road_blocked": ("道路寸断", "Road blocked"),
        "water_outage": ("断水", "Water outage"),
        "power_outage": ("停電", "Power outage"),
        "shelter_info": ("避難所情報", "Shelter info"),
        "supplies": ("物資", "Supplies"),
        "other": ("その他", "Other"),
    },
    "status": {
        "new": ("新規", "New"),
        "verified": ("確認済", "Verified"),
        "actioned": ("対応済", "Actioned"),
        "rejected": ("却下", "Rejected"),
        "duplicate": ("重複", "Duplicate"),
    },
    "severity": {
        "low": ("低", "Low"),
        "normal": ("中", "Normal"),
        "high": ("高", "High"),
    },
    "location_source": {
        "exif": ("写真のGPS（EXIF）", "Photo GPS (EXIF)"),
        "gpx": ("GPXトラック", "GPX track"),
        "post": ("投稿の座標", "Post coordinates"),
        "place": ("投稿の場所", "Post place"),
        "geoparsed": ("本文中の住所", "Address in text"),
        "manual": ("手動配置", "Placed by hand"),
        "device": ("端末の位置情報", "Phone location"),
        "none": ("位置なし", "No location"),
    },
    "column": {  # the columns of exported tables (CSV headers)
        "id": ("ID", "ID"),
        "ref": ("参照番号", "Ref"),
        "kind": ("種別", "Kind"),
        "observed_at": ("日時", "Observed at"),
        "received_at": ("受信日時", "Received at"),
        "location_source": ("位置の出典", "Location source"),
        "accuracy_m": ("位置の精度（m）", "Accuracy (m)"),
        "category": ("分類", "Category"),
        "severity": ("重要度", "Severity"),
        "status": ("状態", "Status"),
        "author": ("投稿者", "Author"),
        "text": ("本文", "Text"),
        "source": ("出典", "Source"),
        "media": ("写真", "Photos"),
        "name": ("名称", "Name"),
        "address": ("住所", "Address"),
        "note": ("メモ", "Note"),
        "attributes": ("属性", "Attributes"),
        "lon": ("経度", "Longitude"),
        "lat": ("緯度", "Latitude"),
        "muni_code": ("市区町村コード", "Municipality code"),
        "municipality": ("市区町村", "Municipality"),
    },
}


def label(group: str, value: str | None, lang: str = "ja") -> str:
    """The name of `value` in `group` ("kind", "category", "status", "severity",
    "location_source", "column"); an unknown identifier is shown as it is."""
    names = LABELS[group].get(value or "")
    if names is None:
        return value or ""
    return names[0] if lang == "ja" else names[1]


def categories_label(value: str | None, lang: str = "ja") -> str:
    """A report's categories, named; empty for a report with none."""
    return ", ".join(label("category", c, lang) for c in categories_of(value)) if value else ""


def local_time(iso: str | None, zone: tzinfo) -> str:
    """An ISO 8601 time as shown everywhere (window, maps, lists): in the incident's time zone."""
    if not iso:
        return ""
    return datetime.fromisoformat(iso).astimezone(zone).strftime("%Y-%m-%d %H:%M %Z")


PHRASES = {  # the words of exported maps and lists: (ja, en); columns: LABELS["column"]
    "exported": ("出力", "Exported"),
    "reports": ("件の報告", "reports"),
    "unlocated": ("位置なし", "without location"),
    "public": ("公開版", "public"),
    "outline": ("白地図のみ（オフライン）", "Outline only (offline)"),
    "municipalities": ("市区町村の境界と名称", "Municipal borders and names"),
    "place": ("場所", "Place"),
    "list": ("報告一覧", "Reports"),
    "more": ("ほか {n} 件（全件は CSV で出力してください）", "and {n} more (export CSV for all)"),
    "id": ("参照番号", "Ref"),  # what maps and lists show of an id: its reference (refs.py)
    "time": ("日時", "Time"),
    "location": ("位置", "Location"),
}


def phrase(key: str, lang: str = "ja") -> str:
    """A word of the exported maps and lists; a column (category, status, ...) is named as in
    the exported tables."""
    return (PHRASES.get(key) or LABELS["column"][key])[0 if lang == "ja" else 1]
