"""What `gspace sync` tells its user, in English and Japanese (the gspace/errors.py pattern:
the locale's language, no Qt)."""

from __future__ import annotations

from gspace.errors import language

MESSAGES: dict[str, tuple[str, str]] = {
    "no hub": (
        "no hub known for this incident; give --hub URL --token TOKEN (remembered afterwards)",
        "この事案の同期先ハブがわかりません。--hub URL --token トークン を指定してください"
        "(次回からは省略できます)",
    ),
    "no token": (
        "no token for {url}; give --token TOKEN (ask the hub's administrator for one)",
        "{url} のトークンがありません。--token トークン を指定してください(ハブの管理者から"
        "受け取ってください)",
    ),
    "unreachable": (
        "cannot reach the hub at {url} ({reason}); nothing is lost: run gspace sync again "
        "when the network is back",
        "ハブ {url} に接続できません({reason})。データは失われていません。"
        "ネットワークが戻ったら gspace sync をもう一度実行してください",
    ),
    "unauthorized": (
        "the hub refused the token (unknown, revoked or expired); ask its administrator for a "
        "new one and give it with --token",
        "ハブがトークンを受け付けません(不明・失効・期限切れ)。管理者から新しいトークンを"
        "受け取り --token で指定してください",
    ),
    "forbidden": (
        "the hub does not allow this token to sync {incident}: {reason}",
        "このトークンでは {incident} を同期できません: {reason}",
    ),
    "throttled": (
        "the hub refuses this address for a minute after too many failed sign-ins; wait and "
        "run gspace sync again",
        "認証の失敗が多すぎるため、ハブがしばらく接続を拒否しています。1 分ほど待って"
        "もう一度 gspace sync を実行してください",
    ),
    "hub error": (
        "the hub answered {status}: {reason}; run gspace sync again later",
        "ハブの応答 {status}: {reason}。しばらくしてから gspace sync を再実行してください",
    ),
    "clock": (
        "warning: this computer's clock is about {hours:.1f} hours ahead of the hub's; the hub "
        "restamped {count} change(s). Set the clock right (Settings → Date and time)",
        "警告: このパソコンの時計がハブより約 {hours:.1f} 時間進んでいます。ハブが {count} 件の"
        "変更の時刻を直しました。時計を合わせてください(設定 → 日付と時刻)",
    ),
    "clock offset": (
        "warning: this computer's clock is about {hours:.1f} hours ahead of the hub's; set it "
        "right (Settings → Date and time) before editing, or the hub will restamp your changes",
        "警告: このパソコンの時計がハブより約 {hours:.1f} 時間進んでいます。編集する前に時計を"
        "合わせてください(設定 → 日付と時刻)。合わせないとハブが変更の時刻を直します",
    ),
    "cancelled": (
        "sync stopped; what was sent and received so far is kept",
        "同期を中止しました。ここまでの送受信は保たれています",
    ),
    "restored": (
        "the hub was restored from a backup and lacks changes it had before; this laptop "
        "sent again everything the hub lacked",
        "ハブがバックアップから復元され、以前の変更の一部を失っていました。"
        "このパソコンからハブにない変更をすべて送り直しました",
    ),
    "pushing": (
        "sending changes: {done:,} of {total:,}",
        "変更を送信中: {total:,} 件中 {done:,} 件",
    ),
    "pulling": ("receiving changes: {done:,}", "変更を受信中: {done:,} 件"),
    "uploading": (
        "uploading photo {sha}… {done:,} of {total:,} bytes",
        "写真 {sha}… を送信中: {total:,} バイト中 {done:,} バイト",
    ),
    "downloading": ("downloading photo {sha}…", "写真 {sha}… を受信中"),
    "pending": (
        "not sent: {origin}:{oseq} ({reason})",
        "未送信: {origin}:{oseq}({reason})",
    ),
    "photo pending": ("photo {sha}… not moved: {reason}", "写真 {sha}… を移動できません: {reason}"),
    "photo not on hub": ("the hub does not have it yet", "ハブにまだありません"),
    "summary": (
        "synced {incident} with {url}: {sent:,} sent, {received:,} received, {conflicts:,} "
        "conflict(s), {up:,} photo(s) up, {down:,} photo(s) down, {pending:,} pending",
        "{incident} を {url} と同期しました: 送信 {sent:,} 件、受信 {received:,} 件、競合 "
        "{conflicts:,} 件、写真送信 {up:,} 枚、写真受信 {down:,} 枚、未送信 {pending:,} 件",
    ),
}


def say(key: str, **values) -> str:
    english, japanese = MESSAGES[key]
    return (japanese if language() == "ja" else english).format(**values)
