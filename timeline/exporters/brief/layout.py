"""Page geometry and colours of a brief (plain numbers and hex strings: no reportlab)."""

# Colours (hex, so that this module needs no reportlab at import time).
INK = "#1b1f24"
MUTED = "#5b6570"
RULE = "#c5ccd3"
ACCENT = "#1f3a5f"
ACCENT_LIGHT = "#c9d6e3"
KEY_RED = "#a8322d"
MARKING_RED = "#8b1a1a"
QUOTE_INK = "#3a434c"

MM = 72 / 25.4
PAGE_WIDTH, PAGE_HEIGHT = 595.2756, 841.8898  # A4
MARGIN_X = 20 * MM
MARGIN_TOP = 27 * MM
MARGIN_BOTTOM = 22 * MM
FRAME_WIDTH = PAGE_WIDTH - 2 * MARGIN_X
DATE_COLUMN = 33 * MM
COLUMN_GAP = 5 * MM
MAX_KEY_LANES = 6
SOURCE_INDENT = 9 * MM
