"""Loading the Designer forms in `ui/` at run time (as QGIS's Python plugins do)."""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtCore import QFile
from PySide6.QtUiTools import QUiLoader
from PySide6.QtWidgets import QComboBox, QWidget

from gspace.paths import data_dir


def load_form(name: str, parent: QWidget | None = None) -> QWidget:
    form = QFile(str(data_dir("ui") / f"{name}.ui"))
    form.open(QFile.OpenModeFlag.ReadOnly)
    try:
        return QUiLoader().load(form, parent)
    finally:
        form.close()


def set_choices(box: QComboBox, items: Iterable[tuple[str, object]], chosen: object = None) -> None:
    """Fill a combo box with (text, value) pairs without signalling a change: the value
    `chosen` is selected, or else the same position as before (a retranslation)."""
    position = box.currentIndex()
    box.blockSignals(True)
    box.clear()
    for text, value in items:
        box.addItem(text, value)
    found = box.findData(chosen) if chosen is not None else -1
    box.setCurrentIndex(found if found >= 0 else max(0, position))
    box.blockSignals(False)
