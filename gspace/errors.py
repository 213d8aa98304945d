"""Errors a user can act on: the CLI prints them as one line, the GUI as one dialog.

The lines that any command may end with (a file that is missing or cannot be read, no display
for the window, an interrupted import) are kept here in English and Japanese, so that the
command line speaks the user's language without Qt (the GUI translates through Qt). The
language is the locale's: the first of LC_ALL, LC_MESSAGES and LANG that is set (POSIX order);
Japanese when it starts with "ja".
"""

from __future__ import annotations

import errno
import os
from collections.abc import Mapping
from pathlib import Path


class GspaceError(Exception):
    """A failure with a message meant for the user, not a traceback."""


class IncidentError(GspaceError):
    """The incident folder cannot be opened or written as asked."""


class Interrupted(GspaceError):
    """The user stopped a command (Ctrl-C); the message says what was kept."""


# key -> (English, Japanese); each is one line that says what to do
MESSAGES: dict[str, tuple[str, str]] = {
    "missing": (
        "{path}: no such file or folder; check the name and the folder it is in",
        "{path}: そのファイルまたはフォルダーはありません。名前と場所を確かめてください",
    ),
    "permission": (
        "{path}: permission denied; make it readable for your user account "
        "(or copy it to a folder of yours) and run the command again",
        "{path}: 読み取る権限がありません。このユーザーで読めるようにする"
        "(または自分のフォルダーにコピーする)と、もう一度実行できます",
    ),
    "folder": (
        "{path}: is a folder, not a file; give the files inside it instead",
        "{path}: ファイルではなくフォルダーです。中のファイルを指定してください",
    ),
    "not folder": (
        "{path}: a part of this path is a file, not a folder; check the path",
        "{path}: パスの途中がフォルダーではなくファイルです。パスを確かめてください",
    ),
    "no incident": (
        "not an incident folder: {path} (no such folder); check the name, or create one with "
        "gspace init {path}",
        "事案フォルダーではありません: {path}(そのフォルダーはありません)。名前を確かめるか、"
        "gspace init {path} で作成してください",
    ),
    "no store": (
        "not an incident folder: {path} (it has no {store}); give the folder that holds {store}",
        "事案フォルダーではありません: {path}({store} がありません)。{store} のあるフォルダーを"
        "指定してください",
    ),
    "unreadable": (
        "{path}: cannot be read ({reason}); check the disk or copy the file again",
        "{path}: 読み取れません({reason})。ディスクを確かめるか、ファイルをコピーし直してください",
    ),
    "no display": (
        "no display to show the window (DISPLAY and WAYLAND_DISPLAY are not set); run gspace "
        "in a desktop session, or under a virtual display: xvfb-run gspace open INCIDENT",
        "ウィンドウを表示する画面がありません(DISPLAY も WAYLAND_DISPLAY も未設定)。"
        "デスクトップのセッションで実行するか、仮想画面で実行してください: "
        "xvfb-run gspace open 事案フォルダー",
    ),
    "interrupted": (
        "interrupted: {kept:,} of {total:,} {things} kept; run the same command again to finish",
        "中断しました: {total:,} 件中 {kept:,} 件の{things_ja}を保存済みです。"
        "同じコマンドをもう一度実行すると続きを取り込みます",
    ),
    "interrupted some": (
        "interrupted: {kept:,} {things} kept; run the same command again to finish",
        "中断しました: {kept:,} 件の{things_ja}を保存済みです。"
        "同じコマンドをもう一度実行すると続きを取り込みます",
    ),
    "interrupted nothing": (
        "interrupted: nothing was imported (a layer is imported whole or not at all); "
        "run the same command again to import it",
        "中断しました: 何も取り込んでいません(レイヤーはすべてを一度に取り込みます)。"
        "同じコマンドをもう一度実行してください",
    ),
    "interrupted now": (
        "interrupted: what was written before is kept; run the same command again to finish",
        "中断しました: それまでに書き込んだ分は保存済みです。"
        "同じコマンドをもう一度実行すると続きを取り込みます",
    ),
    "watch stopped": (
        "stopped watching {folder}: {count} snapshots imported",
        "{folder} の監視を終了しました: {count} 件のスナップショットを取り込みました",
    ),
    "interrupted plain": ("interrupted", "中断しました"),
    "stopping": (
        "stopping after the current batch (press Ctrl-C again to stop at once)",
        "今の一括書き込みが終わりしだい止めます(すぐ止めるにはもう一度 Ctrl-C)",
    ),
}


def language(environ: Mapping[str, str] | None = None) -> str:
    """The language of the messages: "ja" when the locale is Japanese, else "en"."""
    environ = os.environ if environ is None else environ
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = environ.get(name)
        if value:
            return "ja" if value.lower().startswith("ja") else "en"
    return "en"


def message(key: str, **values) -> str:
    """The line `key` in the user's language, with `values` filled in."""
    english, japanese = MESSAGES[key]
    return (japanese if language() == "ja" else english).format(**values)


def file_message(error: OSError, path: str | Path | None = None) -> str:
    """One line for an OSError about a file, naming the file and what to do."""
    path = path if path is not None else error.filename
    if path is None:
        return error.strerror or str(error)
    keys = {
        errno.ENOENT: "missing",
        errno.EACCES: "permission",
        errno.EPERM: "permission",
        errno.EISDIR: "folder",
        errno.ENOTDIR: "not folder",
    }
    key = keys.get(error.errno or 0, "unreadable")
    return message(key, path=path, reason=error.strerror or type(error).__name__)


def check_file(path: str | Path) -> None:
    """Raise GspaceError with one line when `path` is not a file this user can read."""
    try:
        if Path(path).is_dir():
            raise GspaceError(message("folder", path=path))
        with open(path, "rb") as f:
            f.read(1)
    except OSError as e:
        raise GspaceError(file_message(e, path)) from None
