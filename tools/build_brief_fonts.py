"""Make the subset fonts that PDF briefs ship in ``timeline/fonts``.

Run by hand after installing the Debian packages fonts-noto-cjk and fonts-symbola
(and fontTools: ``pip install fonttools``); the output is committed, so neither is
needed at run time.

- ``NotoSansCJK-Subset.ttf``: Noto Sans CJK SC cut down to the kana, CJK punctuation,
  full-width forms and the common ideographs of simplified Chinese (GB 2312 level 1),
  traditional Chinese (Big5 level 1) and Japanese (JIS X 0208 level 1), converted
  from CFF to TrueType outlines because reportlab embeds only TrueType.
- ``Symbola-Subset.ttf``: Symbola cut down to the emoji and symbol blocks, a
  monochrome emoji font.
"""

from __future__ import annotations

import sys
from pathlib import Path

from fontTools import subset
from fontTools.pens.cu2quPen import Cu2QuPen
from fontTools.pens.ttGlyphPen import TTGlyphPen
from fontTools.ttLib import TTCollection, TTFont, newTable

FONT_DIR = Path(__file__).resolve().parents[1] / "timeline" / "fonts"
CJK_SOURCE = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"
SYMBOLA_SOURCE = "/usr/share/fonts/truetype/ancient-scripts/Symbola_hint.ttf"


def _level_one(codec: str, first: int, last: int) -> set[int]:
    """Ideographs of a double-byte codec whose lead byte is in first..last."""
    found: set[int] = set()
    for lead in range(first, last + 1):
        for trail in range(0x40, 0xFF):
            try:
                ch = bytes((lead, trail)).decode(codec)
            except UnicodeDecodeError:
                continue
            if len(ch) == 1 and 0x4E00 <= ord(ch) <= 0x9FFF:
                found.add(ord(ch))
    return found


def cjk_codepoints() -> set[int]:
    codepoints = set(range(0x3000, 0x3100))  # CJK punctuation, hiragana, katakana
    codepoints |= set(range(0x31F0, 0x3200)) | set(range(0xFF00, 0xFFF0))
    codepoints |= _level_one("gb2312", 0xB0, 0xD7)  # GB 2312 level 1
    codepoints |= _level_one("big5", 0xA4, 0xC6)  # Big5 frequently used
    codepoints |= _level_one("shift_jis", 0x88, 0x98)  # JIS X 0208 level 1
    return codepoints


def cff_to_glyf(font: TTFont) -> None:
    """Replace CFF outlines by quadratic TrueType ones (as fontTools' otf2ttf example)."""
    glyph_order = font.getGlyphOrder()
    glyph_set = font.getGlyphSet()
    glyphs = {}
    for name in glyph_order:
        pen = TTGlyphPen(glyph_set)
        glyph_set[name].draw(Cu2QuPen(pen, max_err=1.0, reverse_direction=True))
        glyphs[name] = pen.glyph()
    font["loca"] = newTable("loca")
    glyf = font["glyf"] = newTable("glyf")
    glyf.glyphOrder = glyph_order
    glyf.glyphs = glyphs
    del font["CFF "]
    if "VORG" in font:
        del font["VORG"]
    glyf.compile(font)
    font["maxp"] = maxp = newTable("maxp")
    maxp.tableVersion = 0x00010000
    for attr in (
        "maxZones",
        "maxTwilightPoints",
        "maxStorage",
        "maxFunctionDefs",
        "maxInstructionDefs",
        "maxStackElements",
        "maxSizeOfInstructions",
        "maxComponentElements",
    ):
        setattr(maxp, attr, 0)
    maxp.maxZones = 1
    post = font["post"]
    post.formatType, post.extraNames, post.mapping = 2.0, [], {}
    post.glyphOrder = glyph_order
    font.sfntVersion = "\0\1\0\0"


def subset_font(font: TTFont, codepoints: set[int]) -> None:
    options = subset.Options()
    options.layout_features = ["*"]
    options.name_IDs = ["*"]
    options.notdef_outline = True
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=codepoints)
    subsetter.subset(font)


def main() -> None:
    collection = TTCollection(CJK_SOURCE)
    cjk = next(f for f in collection.fonts if "SC" in f["name"].getDebugName(4))
    subset_font(cjk, cjk_codepoints())
    cff_to_glyf(cjk)
    cjk.save(FONT_DIR / "NotoSansCJK-Subset.ttf")
    symbola = TTFont(SYMBOLA_SOURCE)
    emoji = set(range(0x2190, 0x2C00)) | set(range(0x1F000, 0x1FB00))
    subset_font(symbola, emoji)
    symbola.save(FONT_DIR / "Symbola-Subset.ttf")


if __name__ == "__main__":
    sys.exit(main())
