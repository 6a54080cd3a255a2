"""Printable PDFs with Chinese text (pickup certificates, payment notices, pickup lists).

The text font is WenQuanYi Micro Hei when the system has it (Debian's fonts-wqy-microhei), embedded in
the file; otherwise reportlab's built-in STSong-Light, which PDF readers draw with their own Chinese font.
"""

import io
from collections.abc import Callable
from pathlib import Path

from reportlab.graphics import renderPDF
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

SYSTEM_FONTS = [
    Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"),
    Path("/usr/share/fonts/wqy-microhei/wqy-microhei.ttc"),
]
_font_name: str | None = None


def chinese_font() -> str:
    global _font_name
    if _font_name is None:
        for path in SYSTEM_FONTS:
            if path.exists():
                pdfmetrics.registerFont(TTFont("WQYMicroHei", str(path), subfontIndex=0))
                _font_name = "WQYMicroHei"
                break
        else:
            pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
            _font_name = "STSong-Light"
    return _font_name


def draw_qr(canvas: Canvas, text: str, *, x: float, y: float, size: float) -> None:
    widget = QrCodeWidget(text)
    left, bottom, right, top = widget.getBounds()
    drawing = Drawing(size, size, transform=[size / (right - left), 0, 0, size / (top - bottom), 0, 0])
    drawing.add(widget)
    renderPDF.draw(drawing, canvas, x, y)


def render(draw: Callable[[Canvas, str], None], *, title: str) -> bytes:
    """A one-or-more-page A4 PDF: `draw(canvas, font)` draws it (call canvas.showPage() between pages)."""
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4, pageCompression=1)
    canvas.setTitle(title)
    canvas.setAuthor("sbcard")
    draw(canvas, chinese_font())
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN = 20 * mm
