"""A one-page A4 poster for a volunteer invite, written as PDF with QPrinter: the Japanese
request and an English line, the QR code, the link and the expiry, for a shelter's wall. The
poster speaks to volunteers, not to the window's user, so it is always in both languages."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QFont, QImage, QPageLayout, QPageSize, QPainter, QTextOption
from PySide6.QtPrintSupport import QPrinter

# Latin text (the link, dates) in a Latin font: a CJK font's digits come out of Qt's PDF with
# no text mapping, so a copied or searched link would lose them; kana and kanji fall back
FAMILIES = ["DejaVu Sans", "Arial", "Noto Sans CJK JP", "Yu Gothic", "Meiryo"]
TITLE = "写真で被害を報告してください"
SUBTITLE = "Please report damage with photos"
STEPS = (
    "スマートフォンで QR コードを読み取るか、下のリンクを開いてください。"
    "\nScan the QR code with your phone, or open the link below."
)


def write_poster(path: Path, link: str, qr_png: bytes, expires: str, name: str = "") -> bool:
    """Write the poster to `path` (PDF); False when it cannot be written."""
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(path))
    printer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
    printer.setPageOrientation(QPageLayout.Orientation.Portrait)
    printer.setDocName(TITLE)
    painter = QPainter()
    if not painter.begin(printer):
        return False
    try:
        page = QRectF(printer.pageRect(QPrinter.Unit.DevicePixel))
        dpi = printer.resolution()
        y = page.top()

        def text(body: str, points: float, bold: bool = False, height_mm: float = 20) -> None:
            nonlocal y
            font = QFont()
            font.setFamilies(FAMILIES)
            font.setPointSizeF(points)
            font.setBold(bold)
            painter.setFont(font)
            box = QRectF(page.left(), y, page.width(), height_mm / 25.4 * dpi)
            option = QTextOption(Qt.AlignmentFlag.AlignHCenter)
            option.setWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
            painter.drawText(box, body, option)
            y += box.height()

        text(TITLE, 30, bold=True, height_mm=22)
        text(SUBTITLE, 20, height_mm=14)
        text(STEPS, 12, height_mm=18)
        image = QImage.fromData(qr_png)
        side = min(page.width() * 0.62, page.bottom() - y - 70 / 25.4 * dpi)
        painter.drawImage(QRectF(page.center().x() - side / 2, y, side, side), image)
        y += side + 6 / 25.4 * dpi
        text(link, 11, height_mm=16)
        if name:
            text(name, 12, height_mm=10)
        text(expires, 12, height_mm=10)
    finally:
        painter.end()
    return path.is_file() and path.stat().st_size > 0
