"""The lines a bundle export or import ends with, in English and Japanese.

The same pattern as `gspace.errors.MESSAGES` (key -> (English, Japanese), the language from the
locale), kept beside the bundle code so that the bundle's own words change in one place. The
window translates through Qt and shows the same facts.
"""

from __future__ import annotations

from gspace.errors import language

MESSAGES: dict[str, tuple[str, str]] = {
    # a bundle refused as a whole: nothing was changed
    "not bundle": (
        "{path}: not a gspace bundle (.gsb), or cut short while it was copied; "
        "copy it again from the laptop that made it",
        "{path}: gspace のバンドル(.gsb)ではないか、コピーの途中で切れています。"
        "作成したノートPCからもう一度コピーしてください",
    ),
    "truncated": (
        "{path}: the bundle is incomplete ({detail}); nothing was imported; "
        "copy it again from the laptop that made it",
        "{path}: バンドルが不完全です({detail})。何も取り込んでいません。"
        "作成したノートPCからもう一度コピーしてください",
    ),
    "altered": (
        "{path}: the bundle has been altered or damaged ({detail}); nothing was imported; "
        "copy it again from the laptop that made it",
        "{path}: バンドルが書き換えられたか壊れています({detail})。何も取り込んでいません。"
        "作成したノートPCからもう一度コピーしてください",
    ),
    "unsafe name": (
        "{path}: the bundle holds a file named {name!r}, which could write outside the "
        "incident; nothing was imported",
        "{path}: バンドルに事案フォルダーの外へ書き出しうる名前のファイル {name!r} があります。"
        "何も取り込んでいません",
    ),
    "newer format": (
        "{path}: the bundle was made by a newer gspace (bundle format {version}); "
        "update gspace to import it",
        "{path}: 新しい gspace で作られたバンドルです(形式 {version})。"
        "gspace を更新してから取り込んでください",
    ),
    "other incident": (
        "{path}: the bundle is from another incident ({theirs}), not {ours}; import it into "
        "that incident, or into a new empty one (gspace init NEW_FOLDER)",
        "{path}: 別の事案({theirs})のバンドルで、{ours} のものではありません。その事案か、"
        "新しい空の事案(gspace init 新しいフォルダー)に取り込んでください",
    ),
    "bad layer kind": (
        "{path}: the bundle's layer kind {name} is not valid ({detail}); nothing was imported",
        "{path}: バンドルのレイヤー種別 {name} が正しくありません({detail})。"
        "何も取り込んでいません",
    ),
    "bad since": (
        "{value!r} is neither LAST nor a date (YYYY-MM-DD or an ISO time)",
        "{value!r} は LAST でも日付(YYYY-MM-DD または ISO 形式の時刻)でもありません",
    ),
    "cancelled": (
        "the bundle import was cancelled; nothing was imported",
        "バンドルの取り込みを中止しました。何も取り込んでいません",
    ),
    "export cancelled": (
        "the bundle export was cancelled; no bundle was written",
        "バンドルの書き出しを中止しました。バンドルは作成していません",
    ),
    # the lines of a bundle that was read
    "held": (
        "{what}: held: written by a newer gspace (schema {schema}); it is kept and applied "
        "after gspace is updated",
        "{what}: 保留: 新しい gspace(スキーマ {schema})で書かれた変更です。保存しておき、"
        "gspace の更新後に反映します",
    ),
    "rejected": ("{what}: not applied: {reason}", "{what}: 反映しません: {reason}"),
    "missing photo": (
        "{sha}: photo not in this bundle (not on this laptop): its report arrives without it",
        "{sha}: この写真はバンドルにありません(このノートPCにない): 報告は写真なしで届きます",
    ),
    "damaged photo": (
        "{path}: left out: the file no longer matches its SHA-256 (damaged on this disk)",
        "{path}: 入れません: ファイルが SHA-256 と一致しません(このディスク上で破損)",
    ),
    "kind differs": (
        "layer kind {name}: the bundle's file differs from this incident's; this incident's "
        "is kept",
        "レイヤー種別 {name}: バンドルのファイルがこの事案のものと違います。"
        "この事案のものを残します",
    ),
    "setting differs": (
        "the bundle's incident {setting} is {theirs!r}; this incident keeps {ours!r}",
        "バンドルの事案の{setting_ja}は {theirs!r} です。この事案は {ours!r} のままです",
    ),
    "joined": (
        "this incident joined {name} ({uid}): its name, time zone and layer kinds come "
        "from the bundle",
        "この事案は {name}({uid})に参加しました。名前・時間帯・レイヤー種別はバンドルのものです",
    ),
    "imported": (
        "{path}: {entries:,} changes: {applied:,} applied, {duplicate:,} already here, "
        "{conflict:,} conflicts, {held:,} held, {rejected:,} not applied; {media:,} photos "
        "added ({known:,} already here)",
        "{path}: 変更 {entries:,} 件: 反映 {applied:,}、取り込み済み {duplicate:,}、"
        "競合 {conflict:,}、保留 {held:,}、反映せず {rejected:,}。写真 {media:,} 枚を追加"
        "(取り込み済み {known:,} 枚)",
    ),
    "exported": (
        "wrote {path}: {entries:,} changes (local {first}–{last}), {media:,} photos, "
        "{kinds:,} layer kinds, {size}",
        "{path} を書き出しました: 変更 {entries:,} 件(ローカル {first}–{last})、"
        "写真 {media:,} 枚、レイヤー種別 {kinds:,} 件、{size}",
    ),
    "exported nothing": (
        "wrote {path}: no changes since {since}; it holds the incident's settings only",
        "{path} を書き出しました: {since_ja}以降の変更はありません。事案の設定だけを含みます",
    ),
}


def say(key: str, **values) -> str:
    """The line `key` in the user's language, with `values` filled in."""
    english, japanese = MESSAGES[key]
    return (japanese if language() == "ja" else english).format(**values)
