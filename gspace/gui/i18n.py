"""Japanese and English through Qt's translation system.

Our strings come from `resources/i18n/gspace_ja.qm` (source: `gspace_ja.ts`, updated with
`scripts/i18n.py`); Qt's own dialogs use the `qtbase` catalogue that ships with PySide6.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator

from gspace.paths import resource

LANGUAGES = {"ja": "日本語", "en": "English"}
_installed: list[QTranslator] = []
_current = ["en"]


def system_language() -> str:
    return "ja" if QLocale.system().language() == QLocale.Language.Japanese else "en"


def current_language() -> str:
    return _current[0]


def install(lang: str) -> None:
    """Switch the whole application to `lang`; widgets retranslate on LanguageChange."""
    app = QCoreApplication.instance()
    for translator in _installed:
        app.removeTranslator(translator)
    _installed.clear()
    _current[0] = lang if lang in LANGUAGES else "en"
    if _current[0] == "en":  # the source language; removing translators retranslated everything
        return
    ours, qt = QTranslator(app), QTranslator(app)
    if ours.load(str(resource("i18n", f"gspace_{lang}.qm"))):
        _installed.append(ours)
    qt_dir = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    if qt.load(f"qtbase_{lang}", qt_dir):
        _installed.append(qt)
    for translator in _installed:
        app.installTranslator(translator)
