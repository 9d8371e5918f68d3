"""Fonts and safe text for PDF briefs.

reportlab's ``Paragraph`` parses its text as markup and has no glyph fallback.
Every user string in a brief goes through this module, one of two ways:

- :meth:`BriefText.markup` for paragraph text: NFC, ``<``, ``>`` and ``&``
  escaped so that nothing a user typed becomes a tag, line breaks as ``<br/>``,
  and each run of characters the primary font lacks wrapped in a
  ``<font face=…>`` of the first font that has them (``FALLBACK_CHAINS``: Noto Sans
  for Latin, Cyrillic and Greek, then Arabic, Hebrew, Georgian, Armenian,
  Devanagari, Thai, CJK, Hangul and emoji fonts; bold falls back to bold);
- :meth:`BriefText.font_runs` with :func:`layout_lines` for the thousands of
  chronology entries and the page furniture: the same cleaning and font choice,
  drawn directly, with no markup parsed at all.

Both print a character no font covers as ``PLACEHOLDER``, collecting it in ``missing``.

Right to left. Arabic is shaped by ``arabic-reshaper`` (contextual forms and the
lam-alef ligatures as Unicode presentation forms, which Noto Sans Arabic maps: 751
of them) and the ToUnicode maps write each presentation form as the letters it
stands for, so extracted text is the stored text. reportlab's own route was
weighed and not taken: its bidi needs ``rlbidi``, which is not on the package
index, and its HarfBuzz shaping (Paragraph only) writes glyphs without a code point
as private-use characters, which extract as garbage. Reordering is done here, per
laid-out line (:func:`visual_segments`), because our lines are lists of styled,
linked pieces: a right-to-left island (right-to-left runs and the neutral pieces
between them, such as spaces and numbers) is drawn in reverse order, its
right-to-left runs reversed by character cluster, numbers left to right. Lines are
broken in logical order first, so a long Arabic quote wraps with its first words on
the first line. Measured (:func:`shape_arabic` alone, fresh process, 2 shared cores,
so a range): about 0.5 ms per title with Arabic letters; 1,000 titles seeded as
``benchmarks/briefs.py`` seeds them (30% with a foreign phrase, 33 of them Arabic)
take 20-30 ms, 1,000 titles that all contain Arabic 0.35-0.7 s; the first call in a
process adds 30-100 ms (import, reshaper built). A text without
Arabic letters costs a ``str.isascii`` check and one regex scan. Reordering is not
measured here.

Links are made only for http(s) URLs (:func:`safe_href`). Fonts ship inside the
package (``timeline/fonts``, licence texts alongside) so every
install renders the same bytes; they are registered with reportlab once per
process, all up front (see :func:`register_fonts`).
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import logging
import os
import re
import unicodedata
from array import array
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit, urlunsplit
from xml.sax.saxutils import escape

logger = logging.getLogger(__name__)

FONT_DIR = Path(__file__).resolve().parents[2] / "fonts"

SANS = "BriefSans"
SANS_BOLD = "BriefSans-Bold"
SANS_ITALIC = "BriefSans-Italic"
SANS_BOLD_ITALIC = "BriefSans-BoldItalic"
KOREAN = "BriefKR"
KOREAN_BOLD = "BriefKR-Bold"
ARABIC = "BriefArabic"
ARABIC_BOLD = "BriefArabic-Bold"
HEBREW = "BriefHebrew"
HEBREW_BOLD = "BriefHebrew-Bold"
GEORGIAN = "BriefGeorgian"
GEORGIAN_BOLD = "BriefGeorgian-Bold"
ARMENIAN = "BriefArmenian"
ARMENIAN_BOLD = "BriefArmenian-Bold"
DEVANAGARI = "BriefDevanagari"
DEVANAGARI_BOLD = "BriefDevanagari-Bold"
THAI = "BriefThai"
THAI_BOLD = "BriefThai-Bold"
CJK = "BriefCJK"
EMOJI = "BriefSymbols"

# Licences: OFL-*.txt and LICENSE-fonts-*.txt alongside (SIL OFL 1.1; Symbola: free for
# any use). The CJK and Symbola files are subsets made by tools/build_brief_fonts.py.
FONT_FILES = {
    SANS: "NotoSans-Regular.ttf",
    SANS_BOLD: "NotoSans-Bold.ttf",
    SANS_ITALIC: "NotoSans-Italic.ttf",
    SANS_BOLD_ITALIC: "NotoSans-BoldItalic.ttf",
    KOREAN: "NanumGothic.ttf",
    KOREAN_BOLD: "NanumGothicBold.ttf",
    ARABIC: "NotoSansArabic-Regular.ttf",
    ARABIC_BOLD: "NotoSansArabic-Bold.ttf",
    HEBREW: "NotoSansHebrew-Regular.ttf",
    HEBREW_BOLD: "NotoSansHebrew-Bold.ttf",
    GEORGIAN: "NotoSansGeorgian-Regular.ttf",
    GEORGIAN_BOLD: "NotoSansGeorgian-Bold.ttf",
    ARMENIAN: "NotoSansArmenian-Regular.ttf",
    ARMENIAN_BOLD: "NotoSansArmenian-Bold.ttf",
    DEVANAGARI: "NotoSansDevanagari-Regular.ttf",
    DEVANAGARI_BOLD: "NotoSansDevanagari-Bold.ttf",
    THAI: "NotoSansThai-Regular.ttf",
    THAI_BOLD: "NotoSansThai-Bold.ttf",
    CJK: "NotoSansCJK-Subset.ttf",
    EMOJI: "Symbola-Subset.ttf",
}

# The fallback fonts after the primary face, regular and bold. Chinese and Japanese come
# before the Korean font so that a run of ideographs is set in one design; the Korean
# font draws Hangul. The CJK subset and Symbola have no bold.
_REGULAR_FALLBACKS = (ARABIC, HEBREW, GEORGIAN, ARMENIAN, DEVANAGARI, THAI, CJK, KOREAN, EMOJI)
_BOLD_FALLBACKS = (
    ARABIC_BOLD,
    HEBREW_BOLD,
    GEORGIAN_BOLD,
    ARMENIAN_BOLD,
    DEVANAGARI_BOLD,
    THAI_BOLD,
    CJK,
    KOREAN_BOLD,
    EMOJI,
)

# Which font draws a character, in order of preference, for each primary face.
# Only Latin, Cyrillic and Greek have an italic; upright text in an italic line reads
# better than boxes.
FALLBACK_CHAINS = {
    SANS: (SANS, *_REGULAR_FALLBACKS),
    SANS_BOLD: (SANS_BOLD, *_BOLD_FALLBACKS),
    SANS_ITALIC: (SANS_ITALIC, SANS, *_REGULAR_FALLBACKS),
    SANS_BOLD_ITALIC: (SANS_BOLD_ITALIC, SANS_BOLD, *_BOLD_FALLBACKS),
    KOREAN: (KOREAN, SANS, *_REGULAR_FALLBACKS),
    KOREAN_BOLD: (KOREAN_BOLD, SANS_BOLD, *_BOLD_FALLBACKS),
}

# (regular, bold) pairs of the fallback families, which have no italic.
FAMILIES_WITHOUT_ITALIC = (*zip(_REGULAR_FALLBACKS, _BOLD_FALLBACKS, strict=True),)

# Right-to-left scripts: their runs are kept in logical order through line breaking and
# drawn reversed (visual order, :func:`visual_segments`), which is also what lets text
# extraction read them back in logical order.
RIGHT_TO_LEFT_FONTS = frozenset({ARABIC, ARABIC_BOLD, HEBREW, HEBREW_BOLD})

# Drawn in place of a character no shipped font has (from Symbola), so that a gap in
# the text is visible; the cover counts them.
PLACEHOLDER = "\u25a1"

LINK_COLOUR = "#1f4e79"
# Characters that never need a glyph: they are layout, not text.
_LAYOUT_CHARS = frozenset("\n ")


def _load_font(name: str) -> frozenset[str]:
    """Register one of ``FONT_FILES`` with reportlab; return the characters it has a glyph for.

    Raises ``reportlab.pdfbase.ttfonts.TTFError`` if the font file is missing or unusable.
    """
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    path = FONT_DIR / FONT_FILES[name]
    # Kept open for the life of the process: glyphs are read from it when a subset is embedded.
    descriptor = os.open(path, os.O_RDONLY)
    with os.fdopen(os.dup(descriptor), "rb") as file:
        font = TTFont(name, file)
    _compact_face(font.face)
    font.face._ttf_data = FontFileData(descriptor, 0, len(font.face._ttf_data))
    pdfmetrics.registerFont(font)
    return frozenset(map(chr, font.face.charToGlyph))


class FontFileData:
    """A font file's bytes as reportlab's font parser reads them (``data[a:b]``, ``data[i]``),
    read from the open file when asked for instead of held in memory: the brief's fonts
    are 19 MiB, and embedding a subset reads only the glyphs it uses and a few small tables.
    A large slice (the whole ``glyf`` table, which reportlab takes to cut glyphs from) is
    another such view, so it is not read whole either."""

    __slots__ = ("_descriptor", "_length", "_start")

    # Slices up to this size are read at once; larger ones stay views.
    READ_AT_ONCE = 64 * 1024

    def __init__(self, descriptor: int, start: int, length: int) -> None:
        self._descriptor = descriptor
        self._start = start
        self._length = length

    def __len__(self) -> int:
        return self._length

    def __bytes__(self) -> bytes:
        return os.pread(self._descriptor, self._length, self._start)

    def __getitem__(self, key: int | slice) -> Any:
        if isinstance(key, slice):
            start, stop, step = key.indices(self._length)
            if step != 1:
                raise ValueError("font data is read in steps of one byte")
            length = max(0, stop - start)
            if length > self.READ_AT_ONCE:
                return FontFileData(self._descriptor, self._start + start, length)
            return os.pread(self._descriptor, length, self._start + start)
        index = key + self._length if key < 0 else key
        if not 0 <= index < self._length:
            raise IndexError("font data index out of range")
        return os.pread(self._descriptor, 1, self._start + index)[0]


class _GlyphMetrics:
    """A TrueType face's ``hmetrics`` (one (advance width, left side bearing) pair per
    glyph, read only when a subset is embedded) in two arrays instead of a list of tuples."""

    __slots__ = ("_advances", "_bearings")

    def __init__(self, pairs: Sequence[tuple[int, int]]) -> None:
        self._advances = array("H", (advance for advance, _ in pairs))
        self._bearings = array("H", (bearing for _, bearing in pairs))

    def __getitem__(self, glyph: int) -> tuple[int, int]:
        return self._advances[glyph], self._bearings[glyph]

    def __len__(self) -> int:
        return len(self._advances)


def _compact_face(face: Any) -> None:
    """Shrink what reportlab keeps of a parsed font (about 20 MiB over the brief's fonts,
    most of it for the CJK and Korean ones): ``glyphToChar`` is only used while parsing;
    the per-glyph metrics and glyph offsets, read when a subset is embedded, become arrays.
    Lookups give the same values, so the PDF bytes are the same."""
    face.__dict__.pop("glyphToChar", None)
    metrics = getattr(face, "hmetrics", None)
    if isinstance(metrics, list):
        face.hmetrics = _GlyphMetrics(metrics)
    offsets = getattr(face, "glyphPos", None)
    if isinstance(offsets, list):
        face.glyphPos = array("L", offsets)


def _write_astral_characters_as_utf16() -> None:
    """Make reportlab's ToUnicode maps write characters beyond U+FFFF (emoji) as UTF-16
    surrogate pairs, as the PDF format requires (it writes ``<1F680>``, which readers
    truncate to another character), and Arabic presentation forms (the shaped letters
    drawn, see :func:`shape_arabic`) as the letters they stand for, so that text
    extraction returns what was stored. Maps of other characters are unchanged."""
    from reportlab.pdfbase import ttfonts

    original = ttfonts.makeToUnicodeCMap
    if getattr(original, "writes_utf16", False):
        return

    def to_unicode_cmap(fontname: str, subset: Sequence[int]) -> str:
        cmap = original(fontname, subset)
        for index, code in enumerate(subset):
            if code > 0xFFFF or _is_presentation_form(code):
                # A ligature's letters in drawing order: pdftotext (and pdf.js) reverse the
                # characters of right-to-left text one by one, so "لا" written in logical
                # order reads back as "ال" (Chromium's PDFs turn "السلام" into "السالم").
                letters = unicodedata.normalize("NFKC", chr(code))[::-1] if code <= 0xFFFF else chr(code)
                utf16 = letters.encode("utf-16-be").hex().upper()
                cmap = cmap.replace(f"<{index:02X}> <{code:04X}>", f"<{index:02X}> <{utf16}>")
        return cmap

    to_unicode_cmap.writes_utf16 = True  # type: ignore[attr-defined]
    ttfonts.makeToUnicodeCMap = to_unicode_cmap


def _is_presentation_form(code: int) -> bool:
    """Arabic Presentation Forms-A and -B: the shaped letters :func:`shape_arabic` draws."""
    return 0xFB50 <= code <= 0xFDFF or 0xFE70 <= code <= 0xFEFE


_ARABIC_LETTERS = re.compile("[\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff]")


@functools.cache
def _arabic_reshaper() -> Any:
    import arabic_reshaper

    # Harakat stay: a vowel mark a source printed is part of what it said.
    return arabic_reshaper.ArabicReshaper(configuration={"delete_harakat": False, "support_ligatures": True})


def shape_arabic(text: str) -> str:
    """``text`` with Arabic letters in their contextual forms (initial, medial, final,
    isolated) and lam-alef ligatures, as presentation-form characters, still in logical
    order. Text without Arabic letters is returned as it is."""
    if text.isascii() or not _ARABIC_LETTERS.search(text):
        return text
    return str(_arabic_reshaper().reshape(text))


@functools.cache
def register_fonts() -> dict[str, frozenset[str]]:
    """Register every brief font with reportlab, once per process and all up front; return
    font name -> covered characters.

    All at once and in one order because ``registerFont`` resets the bold and italic
    mapping of the family named after the font: registering a font lazily, halfway
    through a process, changed which face ``<b>`` picked and so the bytes of later
    briefs. The family mappings are set after every font is registered.

    Raises ``reportlab.pdfbase.ttfonts.TTFError`` if a font file is missing or unusable.
    """
    from reportlab.lib.fonts import addMapping
    from reportlab.pdfbase import pdfmetrics

    _write_astral_characters_as_utf16()
    shared: dict[frozenset[str], frozenset[str]] = {}
    coverage: dict[str, frozenset[str]] = {}
    for name in FONT_FILES:
        chars = _load_font(name)
        # Bold and regular usually cover the same characters: keep one copy.
        coverage[name] = shared.setdefault(chars, chars)
    pdfmetrics.registerFontFamily(SANS, normal=SANS, bold=SANS_BOLD, italic=SANS_ITALIC, boldItalic=SANS_BOLD_ITALIC)
    for regular, bold in FAMILIES_WITHOUT_ITALIC:
        # No italic in these families: <i> inside such a run keeps it upright.
        for italic in (0, 1):
            addMapping(regular, 0, italic, regular)
            addMapping(regular, 1, italic, bold)
            addMapping(bold, 0, italic, bold)
            addMapping(bold, 1, italic, bold)
    return coverage


@functools.cache
def all_coverage() -> frozenset[str]:
    """Every character some brief font has a glyph for."""
    return frozenset().union(*register_fonts().values())


def uncovered_count(texts: Iterable[str]) -> int:
    """How many characters of ``texts`` no brief font covers (each occurrence counts)."""
    covered = all_coverage()
    count = 0
    for text in texts:
        text = clean_text(text)
        if not covered.issuperset(text):
            count += sum(1 for ch in text if ch not in covered and ch not in _LAYOUT_CHARS)
    return count


@functools.cache
def font_fingerprint() -> str:
    """SHA-256 over the shipped font files; part of every brief's cache key."""
    digest = hashlib.sha256()
    for name in sorted(FONT_FILES):
        digest.update(name.encode())
        digest.update((FONT_DIR / FONT_FILES[name]).read_bytes())
    return digest.hexdigest()


def clean_text(text: str) -> str:
    """NFC-normalise, make tabs spaces and drop control characters other than newline."""
    text = str(text or "")
    if text.isprintable() and (text.isascii() or unicodedata.is_normalized("NFC", text)):
        return text  # the usual case, with nothing to change
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ")
    if text.isprintable():
        return text
    return "".join(ch for ch in text if ch in "\n\t" or unicodedata.category(ch) not in ("Cc", "Cs", "Co"))


@dataclass
class BriefText:
    """Turns user text into safe paragraph markup for one render.

    ``missing`` collects characters no shipped font covers; the caller logs them.
    """

    coverage: Mapping[str, frozenset[str]] = field(default_factory=register_fonts)
    missing: set[str] = field(default_factory=set)

    def markup(self, text: str, *, face: str = SANS) -> str:
        """Escaped, font-fallback-wrapped markup for ``text`` set in ``face``.

        Everything ``text`` contains appears literally: no tag, entity or
        attribute in it survives as markup.
        """
        chain = FALLBACK_CHAINS[face]
        primary = self.coverage[chain[0]]
        cleaned = clean_text(text)
        if primary.issuperset(cleaned) or all(ch in primary or ch in _LAYOUT_CHARS for ch in cleaned):
            return _escape(cleaned)
        runs = self.font_runs(cleaned, face=face)
        # Paragraph lines are broken by reportlab: each line of the text is reordered whole.
        lines: list[list[tuple[str, str]]] = [[]]
        for font, run in runs:
            for index, piece in enumerate(run.split("\n")):
                if index:
                    lines.append([])
                if piece:
                    lines[-1].append((font, piece))
        return "<br/>".join(
            "".join(self._wrap_run(run, font, chain[0]) for font, run in visual_runs(line)) for line in lines
        )

    def emphasis(self, text: str) -> str:
        """Like :meth:`markup`, but ``**bold**`` and ``*italic*`` in ``text`` become bold
        and italic; nothing else in it becomes markup."""
        parts = []
        for piece in _EMPHASIS.split(clean_text(text)):
            if len(piece) > 4 and piece.startswith("**") and piece.endswith("**"):
                parts.append(f"<b>{self.markup(piece[2:-2], face=SANS_BOLD)}</b>")
            elif len(piece) > 2 and piece.startswith("*") and piece.endswith("*"):
                parts.append(f"<i>{self.markup(piece[1:-1], face=SANS_ITALIC)}</i>")
            else:
                parts.append(self.markup(piece))
        return "".join(parts)

    def link(self, url: str, text: str | None = None, *, face: str = SANS) -> str:
        """A working link for http(s) URLs; any other scheme gives plain text."""
        label = self.markup(text if text is not None else url, face=face)
        url = safe_href(url)
        if not url:
            return label
        href = escape(url, {'"': "&quot;"})
        return f'<a href="{href}" color="{LINK_COLOUR}">{label}</a>'

    def font_runs(self, text: str, *, face: str = SANS) -> list[tuple[str, str]]:
        """``text`` split into (font name, run) pairs in logical order, Arabic shaped;
        reorder a line with :func:`visual_runs` or :func:`layout_lines` before drawing it."""
        text = self._placeheld(clean_text(text))
        chain = FALLBACK_CHAINS[face]
        if self.coverage[chain[0]].issuperset(text):
            return [(chain[0], text)] if text else []
        text = shape_arabic(text)
        primary_font = chain[0]
        primary = self.coverage[primary_font]
        fonts: list[str] = []
        pieces: list[list[str]] = []
        current = ""
        for ch in text:
            if ch in _LAYOUT_CHARS:
                font = self._layout_font(current or primary_font, chain)
            elif ch in primary:
                font = primary_font
            else:
                font = self._font_for(ch, chain)
            if font == current:
                pieces[-1].append(ch)
            else:
                fonts.append(font)
                pieces.append([ch])
                current = font
        runs = [(font, "".join(chars)) for font, chars in zip(fonts, pieces, strict=True)]
        return _spaces_outside_right_to_left(runs) if len(runs) > 1 else runs

    def _placeheld(self, text: str) -> str:
        """``text`` with every character no font covers replaced by ``PLACEHOLDER``."""
        covered = all_coverage()
        if covered.issuperset(text):
            return text
        parts = []
        for ch in text:
            if ch in covered or ch in _LAYOUT_CHARS:
                parts.append(ch)
            else:
                self.missing.add(ch)
                parts.append(PLACEHOLDER)
        return "".join(parts)

    def _layout_font(self, run_font: str, chain: tuple[str, ...]) -> str:
        """The font for a space: the current run's when it has one (the CJK subset has
        none), else the primary face's."""
        return run_font if " " in self.coverage[run_font] else chain[0]

    def _font_for(self, ch: str, chain: tuple[str, ...]) -> str:
        for font in chain:
            if ch in self.coverage[font]:
                return font
        if ch not in _LAYOUT_CHARS:
            self.missing.add(ch)
        return chain[0]

    def _wrap_run(self, run: str, font: str, primary: str) -> str:
        escaped = _escape(run)
        return escaped if font == primary else f'<font face="{font}">{escaped}</font>'

    def log_missing(self, what: str) -> None:
        if self.missing:
            listed = ", ".join(f"U+{ord(ch):04X} {unicodedata.name(ch, '?')}" for ch in sorted(self.missing))
            logger.warning("%s: no shipped font has a glyph for %s", what, listed)


def visual_order(run: str) -> str:
    """A right-to-left run in drawing order: reversed, combining marks kept after their base
    letter, lines kept in their order."""
    lines = []
    for line in run.split("\n"):
        clusters: list[str] = []
        for ch in line:
            if clusters and unicodedata.combining(ch):
                clusters[-1] += ch
            else:
                clusters.append(ch)
        core = "".join(reversed(clusters))
        # Spaces at the ends separate the run from its neighbours: they stay where they are.
        stripped = core.strip(" ")
        lead = len(line) - len(line.lstrip(" "))
        trail = len(line) - len(line.rstrip(" "))
        lines.append(" " * lead + stripped + " " * trail if stripped else line)
    return "\n".join(lines)


def _is_neutral(text: str) -> bool:
    """True when ``text`` has no strong left-to-right character (spaces, digits, punctuation)."""
    return not any(unicodedata.bidirectional(ch) == "L" for ch in text)


def _islands(fonts: Sequence[str], texts: Sequence[str]) -> list[tuple[int, int]]:
    """(start, end) index ranges of right-to-left islands among consecutive pieces: from a
    right-to-left piece to the last right-to-left piece reachable over neutral pieces."""
    islands = []
    index, count = 0, len(fonts)
    while index < count:
        if fonts[index] not in RIGHT_TO_LEFT_FONTS:
            index += 1
            continue
        end = index
        probe = index + 1
        while probe < count and (fonts[probe] in RIGHT_TO_LEFT_FONTS or _is_neutral(texts[probe])):
            if fonts[probe] in RIGHT_TO_LEFT_FONTS:
                end = probe
            probe += 1
        islands.append((index, end + 1))
        index = end + 1
    return islands


def _spaces_outside_right_to_left(runs: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Spaces between a right-to-left run and a left-to-right one belong to the latter: a
    space drawn inside the right-to-left run is read back (by pdftotext) on its other side."""
    result = [list(run) for run in runs]
    for index, (font, run) in enumerate(result):
        if font not in RIGHT_TO_LEFT_FONTS:
            continue
        if index + 1 < len(result) and result[index + 1][0] not in RIGHT_TO_LEFT_FONTS:
            stripped = run.rstrip(" ")
            if stripped:
                result[index + 1][1] = run[len(stripped) :] + result[index + 1][1]
                run = result[index][1] = stripped
        if index and result[index - 1][0] not in RIGHT_TO_LEFT_FONTS:
            stripped = run.lstrip(" ")
            if stripped:
                result[index - 1][1] += run[: len(run) - len(stripped)]
                result[index][1] = stripped
    return [(font, run) for font, run in result if run]


def visual_runs(runs: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """One line of logical-order (font, run) pairs in drawing order, left to right."""
    if not any(font in RIGHT_TO_LEFT_FONTS for font, _ in runs):
        return runs
    fonts = [font for font, _ in runs]
    result = list(runs)
    for start, end in _islands(fonts, [run for _, run in runs]):
        island = [(font, visual_order(run) if font in RIGHT_TO_LEFT_FONTS else run) for font, run in runs[start:end]]
        result[start:end] = reversed(island)
    return result


def visual_segments(segments: list[Segment]) -> list[Segment]:
    """One laid-out line of logical-order segments in drawing order, with new x positions."""
    if not any(segment.font in RIGHT_TO_LEFT_FONTS for segment in segments):
        return segments
    ordered = list(segments)
    fonts = [segment.font for segment in segments]
    for start, end in _islands(fonts, [segment.text for segment in segments]):
        island = segments[start:end]
        left = island[0].x
        placed = []
        for segment in reversed(island):
            text = visual_order(segment.text) if segment.font in RIGHT_TO_LEFT_FONTS else segment.text
            placed.append(dataclasses.replace(segment, x=left, text=text))
            left += segment.width
        ordered[start:end] = placed
    return ordered


_EMPHASIS = re.compile(r"(\*\*[^*\n]+\*\*|\*[^*\n]+\*)")


def _escape(text: str) -> str:
    return escape(text).replace("\n", "<br/>")


# --- Plain line layout ---------------------------------------------------------------------
#
# The chronology has thousands of short text blocks. Laying them out with
# ``Paragraph`` means parsing markup and walking reportlab's general fragment
# machinery for each; this small line breaker does the same greedy left-aligned
# wrapping from (font, text) runs directly, several times faster. It never
# parses anything, so user text cannot become markup here either.


@dataclass(frozen=True, slots=True)
class Span:
    """A piece of text in one style; ``href`` is an http(s) URL or "#destination"."""

    text: str
    font: str
    size: float
    colour: str
    href: str = ""


@dataclass(frozen=True, slots=True)
class Segment:
    x: float
    width: float
    text: str
    font: str
    size: float
    colour: str
    href: str


@functools.lru_cache(maxsize=4096)
def text_width(text: str, font: str, size: float) -> float:
    from reportlab.pdfbase.pdfmetrics import stringWidth

    return stringWidth(text, font, size)


def safe_href(url: str) -> str:
    """``url`` as a 7-bit link target if it is an http(s) URL fit to be one, else "".

    PDF link URIs are ASCII: an international host is written in IDNA ("xn--…"), and
    the path, query and fragment percent-encoded as UTF-8 (existing escapes are kept).
    """
    url = clean_text(url).strip()
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc or any(c.isspace() for c in url):
        return ""
    if url.isascii():
        return url
    try:
        netloc = (parts.hostname or "").encode("idna").decode("ascii")
        port = parts.port
    except (UnicodeError, ValueError):  # not a valid host name, or a bad port
        return ""
    if port is not None:
        netloc += f":{port}"
    if parts.username is not None:
        userinfo = quote(parts.username, safe="")
        if parts.password is not None:
            userinfo += ":" + quote(parts.password, safe="")
        netloc = f"{userinfo}@{netloc}"
    keep = "/?#[]@!$&'()*+,;=:%~-._"
    return urlunsplit(
        (
            parts.scheme,
            netloc,
            quote(parts.path, safe=keep),
            quote(parts.query, safe=keep),
            quote(parts.fragment, safe=keep),
        )
    )


def layout_lines(spans: list[Span], width: float) -> list[list[Segment]]:
    """Break ``spans`` into lines no wider than ``width``; words longer than a line are
    split between characters. "\\n" in a span's text starts a new line."""
    lines: list[list[Segment]] = []
    # The line being filled: [x, width, words, span] per segment, words joined at the end.
    line: list[list[Any]] = []
    x = 0.0
    space_pending = False

    def flush() -> None:
        nonlocal line, x, space_pending
        lines.append(visual_segments([Segment(s[0], s[1], " ".join(s[2]), *_style(s[3])) for s in line]))
        line, x, space_pending = [], 0.0, False

    def add(piece: str, span: Span, piece_width: float) -> None:
        nonlocal x, space_pending
        if line and space_pending:
            last = line[-1]
            space = text_width(" ", last[3].font, last[3].size)
            x += space
            if last[3] is span or _style(last[3]) == _style(span):
                last[1] += space + piece_width
                last[2].append(piece)
                x += piece_width
                space_pending = False
                return
            # A real space character, not a gap, so that text extraction sees the word break;
            # after a right-to-left segment it starts the next one (see _spaces_outside_right_to_left).
            if last[3].font in RIGHT_TO_LEFT_FONTS and span.font not in RIGHT_TO_LEFT_FONTS:
                line.append([x - space, space + piece_width, ["", piece], span])
                x += piece_width
                space_pending = False
                return
            last[1] += space
            last[2].append("")
        elif line and (line[-1][3] is span or _style(line[-1][3]) == _style(span)):
            last = line[-1]
            last[1] += piece_width
            last[2][-1] += piece
            x += piece_width
            return
        line.append([x, piece_width, [piece], span])
        x += piece_width
        space_pending = False

    for span in spans:
        space_width = text_width(" ", span.font, span.size)
        for index, paragraph in enumerate(span.text.split("\n")):
            if index:
                flush()
            for word_index, word in enumerate(paragraph.split(" ")):
                if word_index and line:
                    space_pending = True
                if not word:
                    continue
                word_width = text_width(word, span.font, span.size)
                space = space_width if (space_pending and line) else 0.0
                if line and x + space + word_width > width:
                    flush()
                while word_width > width:
                    head, word = _split_word(word, span, width - x)
                    if not head:  # not even one character fits: give it a line of its own
                        head, word = word[0], word[1:]
                    add(head, span, text_width(head, span.font, span.size))
                    flush()
                    word_width = text_width(word, span.font, span.size)
                if word:
                    add(word, span, word_width)
    if line or not lines:
        flush()
    return lines


def _split_word(word: str, span: Span, room: float) -> tuple[str, str]:
    """The longest start of ``word`` that fits ``room`` (at least one character on an empty line)."""
    total = 0.0
    for index, ch in enumerate(word):
        total += text_width(ch, span.font, span.size)
        if total > room:
            return word[:index], word[index:]
    return word, ""


def _style(span: Span) -> tuple[str, float, str, str]:
    return span.font, span.size, span.colour, span.href
