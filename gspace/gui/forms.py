"""Loading the Designer forms in `ui/` at run time (as QGIS's Python plugins do)."""

from __future__ import annotations

from PySide6.QtCore import QFile
from PySide6.QtUiTools import QUiLoader
from PySide6.QtWidgets import QWidget

from gspace.paths import data_dir


def load_form(name: str, parent: QWidget | None = None) -> QWidget:
    form = QFile(str(data_dir("ui") / f"{name}.ui"))
    form.open(QFile.OpenModeFlag.ReadOnly)
    try:
        return QUiLoader().load(form, parent)
    finally:
        form.close()
