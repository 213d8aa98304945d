"""A photo shown large and zoomable (mouse wheel, double-click to fit).

The thumbnail shows at once; the original is decoded off the UI thread (reduced to at most
2048 px, upright) and replaces it when ready. A file whose pixels cannot be decoded keeps its
thumbnail, or a placeholder.
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageOps
from PySide6.QtCore import QObject, QRunnable, Qt, QThreadPool, Signal
from PySide6.QtGui import QImage, QPainter, QPixmap
from PySide6.QtWidgets import QGraphicsScene, QGraphicsView

from gspace.media import register_heif

PREVIEW_PX = 2048


class _Decoded(QObject):
    ready = Signal(str, QImage)


class _Decode(QRunnable):
    def __init__(self, path: Path, key: str, signals: _Decoded):
        super().__init__()
        self.path, self.key, self.signals = path, key, signals

    def run(self) -> None:
        try:
            register_heif()
            with Image.open(self.path) as image:
                image.draft("RGB", (PREVIEW_PX, PREVIEW_PX))
                image = ImageOps.exif_transpose(image).convert("RGB")
                image.thumbnail((PREVIEW_PX, PREVIEW_PX))
                data = image.tobytes()
                qimage = QImage(
                    data, image.width, image.height, image.width * 3, QImage.Format.Format_RGB888
                ).copy()
        except Exception:  # noqa: BLE001 (damaged pixels: the thumbnail stays)
            return
        self.signals.ready.emit(self.key, qimage)


class PhotoView(QGraphicsView):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.setScene(QGraphicsScene(self))
        self.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        self.setDragMode(QGraphicsView.DragMode.ScrollHandDrag)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.setMinimumHeight(220)
        self._item = None
        self._key = ""
        self._signals = _Decoded()
        self._signals.ready.connect(self._decoded)

    def show_photo(self, key: str, thumbnail: bytes | None, original: Path | None) -> None:
        """Show `thumbnail` now and the decoded `original` when it is ready."""
        self._key = key
        pixmap = QPixmap()
        if not (thumbnail and pixmap.loadFromData(thumbnail)):
            pixmap = self._placeholder()
        self._set(pixmap)
        if original is not None and original.exists():
            QThreadPool.globalInstance().start(_Decode(original, key, self._signals))

    def _placeholder(self) -> QPixmap:
        pixmap = QPixmap(256, 192)
        pixmap.fill(Qt.GlobalColor.lightGray)
        painter = QPainter(pixmap)
        painter.drawText(pixmap.rect(), Qt.AlignmentFlag.AlignCenter, self.tr("No preview"))
        painter.end()
        return pixmap

    def _decoded(self, key: str, image: QImage) -> None:
        if key == self._key:
            self._set(QPixmap.fromImage(image))

    def _set(self, pixmap: QPixmap) -> None:
        self.scene().clear()
        self._item = self.scene().addPixmap(pixmap)
        self.scene().setSceneRect(self._item.boundingRect())
        self.fit()

    def fit(self) -> None:
        if self._item is not None:
            self.fitInView(self._item, Qt.AspectRatioMode.KeepAspectRatio)

    def current_size(self) -> tuple[int, int]:
        if self._item is None:
            return 0, 0
        size = self._item.pixmap().size()
        return size.width(), size.height()

    def wheelEvent(self, event) -> None:  # noqa: N802 (Qt name)
        factor = 1.25 if event.angleDelta().y() > 0 else 0.8
        self.scale(factor, factor)

    def mouseDoubleClickEvent(self, event) -> None:  # noqa: N802 (Qt name)
        self.fit()

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt name)
        super().resizeEvent(event)
        self.fit()

    def clear(self) -> None:
        self._key = ""
        self.scene().clear()
        self._item = None
