"""Guards against defects of the Qt binding itself that would crash the app."""

import sys

from PySide6.QtCore import QObject, Signal


class Emitter(QObject):
    changed = Signal(str, int)


def test_emitting_signals_keeps_the_reference_count_of_true():
    # PySide6 6.12.0 returned True from emit() without a reference: a few thousand emits
    # deallocate True and abort Python 3.11 (pyproject.toml excludes that release).
    emitter = Emitter()
    emitter.changed.connect(lambda *_: None)
    before = sys.getrefcount(True)
    for i in range(500):
        emitter.changed.emit("x", i)
    # the defect loses one reference per emit; other code may hold a few more meanwhile
    assert sys.getrefcount(True) - before > -50
