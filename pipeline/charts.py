"""What every matplotlib chart on our pages shares: a CJK font, and SVG inlined in HTML."""

from __future__ import annotations

import re
from typing import Any

from markupsafe import Markup

CJK_FONTS = ("Noto Sans CJK SC", "Source Han Sans SC", "WenQuanYi Zen Hei", "Microsoft YaHei",
             "PingFang SC", "SimHei")


def cjk_font() -> str | None:
    """The first installed CJK font matplotlib knows (Debian's fonts-noto-cjk gives
    Noto Sans CJK SC), or None: then the chart still renders, CJK glyphs as boxes."""
    from matplotlib import font_manager

    installed = {entry.name for entry in font_manager.fontManager.ttflist}
    return next((name for name in CJK_FONTS if name in installed), None)


def text_style() -> dict[Any, Any]:
    """matplotlib settings for a chart's text. With a CJK font installed the text is drawn
    as paths: the page shows exactly what was rendered and needs no font. Without one,
    paths would be boxes for every Chinese character, so the text stays SVG text and the
    reader's browser draws it (every phone and office PC has Chinese fonts)."""
    font = cjk_font()
    if font:
        return {"font.family": [font, "DejaVu Sans"], "svg.fonttype": "path"}
    return {"font.family": ["DejaVu Sans"], "svg.fonttype": "none"}


def inline_svg(document: str, label: str) -> str:
    """matplotlib's SVG file as an element for the page: no XML prolog, scales to its box."""
    svg = document[document.index("<svg"):]
    head_end = svg.index(">")
    head = re.sub(r'\s(width|height)="[^"]*"', "", svg[:head_end])
    title = str(Markup("<title>{}</title>").format(label))
    return (f'{head} class="chart" role="img" aria-label="{Markup.escape(label)}">'
            f"{title}{svg[head_end + 1:]}")
