"""Remembered window state, language and last incident (QSettings, INI format).

GSPACE_CONFIG_DIR points the settings at another folder (tests, portable installs).
"""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import QSettings


def app_settings() -> QSettings:
    folder = os.environ.get("GSPACE_CONFIG_DIR")
    if folder:
        return QSettings(str(Path(folder) / "gspace.ini"), QSettings.Format.IniFormat)
    return QSettings(QSettings.Format.IniFormat, QSettings.Scope.UserScope, "gspace", "gspace")
