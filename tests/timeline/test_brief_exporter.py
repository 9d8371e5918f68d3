"""The PDF brief exporter, checked by reading its output with independent tools."""

import datetime as dt
import hashlib
import io
import logging
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pdfplumber
import pikepdf
import pytest
from pypdf import PdfReader

from tests.brief_demo import ATTACK_STRINGS, LONG_URL, demo_brief_timeline
from tests.factories import EventFactory, TimelineFactory
from timeline.exporters.brief import (
    MARGIN_X,
    BriefEvent,
    BriefInfo,
    BriefSource,
    brief_info_for,
    render_brief,
    render_brief_snapshots,
)
from timeline.exporters.brief.data import BriefCitation
from timeline.exporters.brief.text import (
    FONT_DIR,
    FONT_FILES,
    KOREAN,
    SANS,
    SANS_BOLD,
    BriefText,
    Span,
    layout_lines,
    shape_arabic,
    visual_runs,
)
from timeline.models import Event
from timeline.queries import events_with_relations

AS_OF = dt.datetime(2025, 5, 1, 12, 30, tzinfo=dt.UTC)


def render_timeline(timeline, **info):
    events = events_with_relations(Event.objects.filter(timeline=timeline))
    defaults = {"filter_words": ["Tag: munitions", "Credibility 1–3"], "as_of": AS_OF, "data_version": "abc123"}
    return render_brief(events, info=brief_info_for(timeline, **(defaults | info)))


def page_texts(pdf):
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        return [page.extract_text() or "" for page in document.pages]


@pytest.fixture
def demo_pdf(db):
    return render_timeline(demo_brief_timeline())


def test_brief_text_keeps_three_scripts_intact(demo_pdf):
    text = "\n".join(page_texts(demo_pdf))

    found = {name: name in text for name in ("Кирило Буданов", "Київ", "김정은", "ҐЄІЇ", "조선중앙통신")}

    assert found == {"Кирило Буданов": True, "Київ": True, "김정은": True, "ҐЄІЇ": True, "조선중앙통신": True}
    assert ("\x00" in text, "\ufffd" in text) == (False, False)


def test_brief_every_attack_string_appears_literally(demo_pdf):
    text = "\n".join(page_texts(demo_pdf))

    missing = [attack for attack in ATTACK_STRINGS if f"Summary with {attack} inside." not in text]

    assert missing == []


def test_brief_links_only_to_http_and_internal_destinations(demo_pdf):
    reader = PdfReader(io.BytesIO(demo_pdf))

    uris = [
        annotation.get_object()["/A"].get("/URI")
        for page in reader.pages
        for annotation in page.get("/Annots", [])
        if annotation.get_object().get("/A") is not None
    ]
    schemes = {re.match(r"^[a-z]+", uri).group(0) for uri in uris if uri}

    assert schemes == {"https"}
    assert LONG_URL in uris


def test_brief_has_no_images(demo_pdf):
    with pikepdf.open(io.BytesIO(demo_pdf)) as pdf:
        images = [obj for obj in pdf.objects if isinstance(obj, pikepdf.Stream) and obj.get("/Subtype") == "/Image"]

    assert images == []


def test_brief_embeds_every_font(demo_pdf):
    reader = PdfReader(io.BytesIO(demo_pdf))
    fonts = {}

    def collect(resources):
        for font in resources.get("/Font", {}).values():
            font = font.get_object()
            descriptor = font.get("/FontDescriptor")
            fonts[str(font["/BaseFont"])] = descriptor is not None and "/FontFile2" in descriptor.get_object()
        for xobject in resources.get("/XObject", {}).values():
            xobject = xobject.get_object()
            if "/Resources" in xobject:
                collect(xobject["/Resources"].get_object())

    for page in reader.pages:
        collect(page["/Resources"].get_object())

    assert sorted({name.split("+")[-1] for name in fonts}) == [
        "NanumGothic",
        "NanumGothicBold",
        "NotoSans-Bold",
        "NotoSans-Italic",
        "NotoSans-Regular",
    ]
    assert set(fonts.values()) == {True}


def test_brief_structure_checks_clean_with_pikepdf(demo_pdf):
    with pikepdf.open(io.BytesIO(demo_pdf)) as pdf:
        problems = pdf.check_pdf_syntax()

    assert problems == []


def test_brief_outline_entries_land_on_their_sections(demo_pdf):
    reader = PdfReader(io.BytesIO(demo_pdf))
    texts = page_texts(demo_pdf)

    def flatten(items, depth=0):
        for item in items:
            if isinstance(item, list):
                yield from flatten(item, depth + 1)
            else:
                yield depth, item.title, reader.get_destination_page_number(item)

    outline = list(flatten(reader.outline))
    pages = {title: page for _, title, page in outline}

    assert [title for depth, title, _ in outline if depth == 0] == [
        "Cover",
        "Contents",
        "Sourcing",
        "Key to grades",
        "Summary",
        "Timeline chart",
        "Locator map",
        "Chronology",
        "Sources",
    ]
    assert pages["Cover"] == 0
    assert "No event in this selection has coordinates" in texts[pages["Locator map"]]
    assert pages["Key to grades"] <= 2
    assert pages["Summary"] > 0
    assert texts[pages["Chronology"]].count("Chronology") == 1
    assert texts[pages["Sources"]].count("Sources\n") == 1
    assert "Key to grades and statuses" in texts[pages["Key to grades"]]
    assert "July 2025" in texts[pages["July 2025"]]
    assert [title for depth, title, _ in outline if depth == 1] == ["2024", "2025"]


def test_brief_page_x_of_y_on_first_and_last_page(demo_pdf):
    texts = page_texts(demo_pdf)
    total = len(texts)

    labels = (re.findall(r"Page \d+ of \d+", texts[0]), re.findall(r"Page \d+ of \d+", texts[-1]))

    assert total > 2
    assert labels == ([f"Page 1 of {total}"], [f"Page {total} of {total}"])


def test_brief_every_page_carries_marking_title_and_page_label(demo_pdf):
    texts = page_texts(demo_pdf)

    furniture = [
        (
            text.count("UNCLASSIFIED — FOR RESEARCH USE") >= 2,
            "North Korean troops in the Kursk offensive" in text,
            f"Page {number} of {len(texts)}" in text,
        )
        for number, text in enumerate(texts, start=1)
    ]

    assert furniture == [(True, True, True)] * len(texts)


def test_shipped_fonts_come_with_their_licences():
    shipped = sorted(path.name for path in FONT_DIR.iterdir())

    licences = ["OFL-NanumGothic.txt", "OFL-NotoSans.txt", "LICENSE-fonts-noto-core.txt", "LICENSE-fonts-noto-cjk.txt"]

    assert shipped == sorted([*FONT_FILES.values(), *licences, "LICENSE-fonts-symbola.txt"])
    assert {"SIL OPEN FONT LICENSE" in (FONT_DIR / name).read_text().upper() for name in licences} == {True}
    assert "FREE FOR ANY USE" in (FONT_DIR / "LICENSE-fonts-symbola.txt").read_text().upper()


def test_brief_metadata_states_title_subject_and_as_of(demo_pdf):
    metadata = PdfReader(io.BytesIO(demo_pdf)).metadata

    assert metadata.title == "North Korean troops in the Kursk offensive — brief"
    assert metadata.subject == "Brief: Tag: munitions; Credibility 1–3"
    assert metadata.author == "Event timelines"
    assert metadata["/Keywords"].startswith("brief, timeline, ")
    assert metadata.creation_date == AS_OF


def test_brief_cover_states_what_it_covers(demo_pdf):
    cover = page_texts(demo_pdf)[0]

    assert "Tag: munitions · Credibility 1–3" in cover
    assert "UNCLASSIFIED — FOR RESEARCH USE" in cover
    assert "1 May 2025, 12:30 UTC" in cover
    assert "13 (3 key)" in cover
    assert "abc123" in cover


def test_brief_chronology_shows_precision_status_and_grade(demo_pdf):
    text = "\n".join(page_texts(demo_pdf))

    assert "c. Oct 2024" in text
    assert "Oct 2024 – Dec 2024" in text
    assert "Claimed by GUR · single source" in text
    assert "Confirmed · claimant: Kim Jong Un" in text
    assert "Confirmed by Kim Jong Un" not in text
    assert "B2" in text  # first event: source B, credibility 2
    assert "[1]" in text


def test_brief_long_words_and_urls_stay_inside_the_page(demo_pdf):
    with pdfplumber.open(io.BytesIO(demo_pdf)) as document:
        widest = max(char["x1"] for page in document.pages for char in page.chars)
        width = document.pages[0].width

    assert widest <= width - MARGIN_X + 1


@pytest.mark.django_db
def test_brief_one_very_long_event_splits_across_pages():
    timeline = TimelineFactory()
    EventFactory(timeline=timeline, title="Long", summary=("A long account of what happened. " * 700).strip())

    texts = page_texts(render_timeline(timeline))

    assert len(texts) >= 5
    assert sum("Apr 2025 (continued)" in text for text in texts) >= 2


@pytest.mark.django_db
def test_brief_same_input_gives_identical_bytes():
    timeline = demo_brief_timeline()

    first, second = render_timeline(timeline), render_timeline(timeline)

    assert first == second


@pytest.mark.django_db
def test_brief_without_events_still_renders():
    timeline = TimelineFactory(marking="")

    texts = page_texts(render_timeline(timeline, filter_words=[]))

    assert "All events in the timeline" in texts[0]
    assert "No events match this brief’s selection." in "\n".join(texts)


@pytest.mark.skipif(shutil.which("pdffonts") is None, reason="poppler-utils (pdffonts) is not installed")
def test_brief_pdffonts_lists_only_embedded_fonts(demo_pdf, tmp_path):
    path = tmp_path / "brief.pdf"
    path.write_bytes(demo_pdf)

    lines = subprocess.run(["pdffonts", str(path)], check=True, capture_output=True, text=True).stdout.splitlines()[2:]

    assert [line for line in lines if "Helvetica" in line] == []
    assert {line.split()[-5] for line in lines} == {"yes"}


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils (pdftotext) is not installed")
def test_brief_pdftotext_reads_names_and_page_labels(demo_pdf, tmp_path):
    path = tmp_path / "brief.pdf"
    path.write_bytes(demo_pdf)

    text = subprocess.run(["pdftotext", str(path), "-"], check=True, capture_output=True, text=True).stdout

    assert ("Кирило Буданов" in text, "Київ" in text, "김정은" in text, "ҐЄІЇ" in text) == (True, True, True, True)
    assert re.findall(r"Page 1 of \d+", text) == [f"Page 1 of {text.count(chr(12))}"]


@pytest.mark.skipif(shutil.which("qpdf") is None, reason="qpdf is not installed")
def test_brief_qpdf_check_passes(demo_pdf, tmp_path):
    path = tmp_path / "brief.pdf"
    path.write_bytes(demo_pdf)

    result = subprocess.run(["qpdf", "--check", str(path)], capture_output=True, text=True)

    assert (result.returncode, result.stderr) == (0, "")


# --- Markup and layout, without a PDF -------------------------------------------------------


def test_markup_escapes_everything_a_user_types():
    text = BriefText()

    assert text.markup("a<b") == "a&lt;b"
    assert text.markup("Kim & Co <Pyongyang>") == "Kim &amp; Co &lt;Pyongyang&gt;"
    assert text.markup('<img src="/etc/passwd"/>') == '&lt;img src="/etc/passwd"/&gt;'
    assert text.markup("line one\nline two") == "line one<br/>line two"


def test_markup_sets_hangul_in_the_korean_font_bold_in_bold():
    text = BriefText()

    assert text.markup("Київ 김정은") == f'Київ <font face="{KOREAN}">김정은</font>'
    assert text.markup("김정은", face=SANS_BOLD) == '<font face="BriefKR-Bold">김정은</font>'


def test_markup_normalises_to_nfc_and_drops_control_characters():
    text = BriefText()

    assert text.markup("Ки\u0456\u0308в\x00\x07") == "Київ"


def test_link_only_for_http_urls():
    text = BriefText()

    assert text.link("javascript:alert(1)", "x") == "x"
    assert text.link('https://example.org/?a=1&b="2"', "x") == (
        '<a href="https://example.org/?a=1&amp;b=&quot;2&quot;" color="#1f4e79">x</a>'
    )


def test_characters_no_font_covers_are_logged(caplog):
    text = BriefText()
    text.markup("hieroglyph 𓀀")

    with caplog.at_level(logging.WARNING, logger="timeline.exporters.brief.text"):
        text.log_missing("Brief")

    assert caplog.messages == ["Brief: no shipped font has a glyph for U+13000 EGYPTIAN HIEROGLYPH A001"]


def test_layout_lines_breaks_long_words_to_the_width():
    text = BriefText()
    spans = [Span(run, font, 9, "#000000") for font, run in text.font_runs("go " + "x" * 300, face=SANS)]

    lines = layout_lines(spans, 100)

    assert [segment.text for segment in lines[0]] == ["go"]
    assert max(segment.x + segment.width for line in lines for segment in line) <= 100
    assert "".join(segment.text for line in lines[1:] for segment in line) == "x" * 300


def test_brief_info_for_defaults_as_of_to_the_last_change():
    timeline = TimelineFactory.build(content_changed_at=AS_OF)

    info = brief_info_for(timeline)

    assert info == BriefInfo(
        title=timeline.title, description=timeline.description, marking=timeline.marking, as_of=AS_OF
    )


@pytest.mark.django_db
def test_brief_open_intervals_read_since_and_until_and_chart_their_known_end():
    timeline = TimelineFactory()
    EventFactory(timeline=timeline, title="Troops stationed", date="since October 2024")
    EventFactory(timeline=timeline, title="Shells delivered", date="until 28 April 2025")

    text = "\n".join(page_texts(render_timeline(timeline)))

    assert "since Oct 2024" in text
    assert "until 28 Apr 2025" in text
    # The cover's span is the known ends', not years 1 to 9999.
    assert "1 October 2024 – 28 April 2025" in text


DETERMINISM_SCRIPT = """
import hashlib, sys
from tests.timeline.test_brief_exporter import hangul_brief
sys.stdout.write(hashlib.sha256(hangul_brief()).hexdigest())
"""


def snapshot_event(pk, title, *, summary="Summary."):
    day = dt.date(2025, 4, pk)
    return BriefEvent(
        pk=pk,
        title=title,
        summary=summary,
        date=day.isoformat(),
        lower=day,
        upper=day,
        precision="day",
        status="claimed",
        claimant="GUR",
        grade="B2",
        credibility=2,
        key=True,
        location="",
        reported="",
        actors=[],
        tags=[],
        citations=[],
        url="",
    )


def hangul_brief():
    """A brief with Hangul in its (bold) title and body, from plain snapshots."""
    info = BriefInfo(title="쿠르스크 공세 Kursk", marking="공개 UNCLASSIFIED", as_of=AS_OF)
    return render_brief_snapshots([snapshot_event(1, "김정은 in Київ")], {}, info=info)


def test_brief_bytes_do_not_depend_on_what_the_process_rendered_before():
    first = hangul_brief()
    other = BriefInfo(title="Другий brief 조선중앙통신", as_of=AS_OF)
    render_brief_snapshots([snapshot_event(2, "조선중앙통신 — ქართული 中华人民共和国")], {}, info=other)

    second = hangul_brief()

    assert first == second


def test_brief_bytes_in_a_fresh_process_match_a_warm_one():
    warm = hashlib.sha256(hangul_brief()).hexdigest()
    environment = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings", "DJANGO_DEBUG": "1"}

    fresh = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()\n" + DETERMINISM_SCRIPT],
        capture_output=True,
        text=True,
        check=True,
        env=environment,
        cwd=Path(__file__).resolve().parents[2],
    ).stdout

    assert fresh == warm


# Held back from the fonts' design: words of every script a news timeline meets.
MULTI_SCRIPT_WORDS = {
    "Latin": "Łódź Ærøskøbing",
    "Cyrillic": "Ґанна Київ",
    "Greek": "Αθήνα",
    "Hangul": "쿠르스크",
    "Simplified Chinese": "中华人民共和国",
    "Traditional Chinese": "臺灣國際",
    "Japanese": "東京のニュース",
    "Arabic": "العربية",
    "Hebrew": "ירושלים",
    "Georgian": "საქართველო",
    "Armenian": "Երևան",
    "Devanagari": "दिल्ली",
    "Thai": "กรุงเทพ",
    "Emoji": "🚀",
}


def multi_script_pdf():
    words = " and ".join(MULTI_SCRIPT_WORDS.values())
    info = BriefInfo(title="Scripts 쿠르스크", as_of=AS_OF)
    return render_brief_snapshots([snapshot_event(1, "Scripts", summary=words + " end 𓀀")], {}, info=info)


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils (pdftotext) is not installed")
def test_brief_pdftotext_returns_every_script_as_stored(tmp_path):
    path = tmp_path / "scripts.pdf"
    path.write_bytes(multi_script_pdf())

    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    missing = [script for script, word in MULTI_SCRIPT_WORDS.items() if word not in text]

    assert missing == []
    assert "1 character no shipped font can set, printed as □" in text


@pytest.mark.skipif(shutil.which("pdffonts") is None, reason="poppler-utils (pdffonts) is not installed")
def test_brief_multi_script_fonts_are_embedded_subsets(tmp_path):
    path = tmp_path / "scripts.pdf"
    path.write_bytes(multi_script_pdf())

    rows = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout.splitlines()[2:]
    fonts = {row.split()[0]: (row.split()[-5], row.split()[-4]) for row in rows}
    designs = {name.split("+")[-1] for name in fonts}

    assert {"NotoSansCJKsc-Regular", "NotoSansArabic-Regular", "NotoSansThai-Regular", "Symbola"} <= designs
    assert {"+" in name for name in fonts} == {True}
    assert set(fonts.values()) == {("yes", "yes")}


@pytest.mark.django_db
def test_brief_marks_drafts_on_each_entry_every_page_and_the_cover():
    timeline = TimelineFactory()
    EventFactory(timeline=timeline, title="Published one", published=True)
    EventFactory(timeline=timeline, title="Draft one", published=False, summary="Long. " * 900)

    texts = page_texts(render_timeline(timeline))

    assert "includes 1 unpublished draft, marked DRAFT" in texts[0]
    assert ["DRAFT · includes unpublished events" in text for text in texts] == [True] * len(texts)
    assert "\n".join(texts).count("DRAFT · not published") == 1


@pytest.mark.django_db
def test_brief_of_published_events_has_no_draft_marks():
    timeline = TimelineFactory()
    EventFactory(timeline=timeline, title="Published one", published=True)

    text = "\n".join(page_texts(render_timeline(timeline)))

    assert "DRAFT" not in text


@pytest.mark.django_db
def test_brief_prints_the_analysts_framing_first_and_a_sourcing_summary():
    timeline = demo_brief_timeline()
    timeline.bottom_line = "DPRK troops **are fighting** in Kursk; numbers are *uncertain*. <b>x</b>"
    timeline.key_judgements = "We assess with moderate confidence that losses are high.\n- Second judgement."
    timeline.save()

    texts = page_texts(render_timeline(timeline))

    assert texts[1].startswith(timeline.title) or "Assessment" in texts[1]
    assert "DPRK troops are fighting in Kursk; numbers are uncertain. <b>x</b>" in texts[1]
    assert "1. We assess with moderate confidence that losses are high." in texts[1]
    assert "2. Second judgement." in texts[1]
    assert texts[1].index("Assessment") < texts[1].index("Sourcing")
    assert "sources cited in all." in texts[1]
    assert "events rest on a single source" in texts[1]


def test_emphasis_escapes_everything_but_bold_and_italic():
    text = BriefText()

    assert text.emphasis("a **b** *c* <i>d</i>") == "a <b>b</b> <i>c</i> &lt;i&gt;d&lt;/i&gt;"


def test_brief_link_uris_are_ascii_with_idna_hosts_and_percent_encoded_paths():
    source = BriefSource(
        pk=1, title="Новина", publisher="", published="", url="https://пример.укр/новини?q=київ", reliability="B"
    )
    event = snapshot_event(1, "Linked")
    event.citations = [BriefCitation(1, "", "")]
    event.url = "https://пример.укр/події/1"
    pdf = render_brief_snapshots([event], {1: source}, info=BriefInfo(title="Links", as_of=AS_OF))

    uris = {
        str(annotation.get_object()["/A"]["/URI"])
        for page in PdfReader(io.BytesIO(pdf)).pages
        for annotation in page.get("/Annots", [])
        if "/URI" in annotation.get_object().get("/A", {})
    }

    assert uris == {
        "https://xn--e1afmkfd.xn--j1amh/%D0%BD%D0%BE%D0%B2%D0%B8%D0%BD%D0%B8?q=%D0%BA%D0%B8%D1%97%D0%B2",
        "https://xn--e1afmkfd.xn--j1amh/%D0%BF%D0%BE%D0%B4%D1%96%D1%97/1",
    }


def test_brief_chart_keeps_months_for_four_years_and_does_not_count_spans_in_bars():
    events = [snapshot_event(1, "Start"), snapshot_event(2, "Span")]
    events[1].lower, events[1].upper = dt.date(2025, 1, 1), dt.date(2025, 12, 31)
    events[1].date = "2025"
    late = snapshot_event(3, "Late")
    late.lower = late.upper = dt.date(2028, 10, 1)
    late.date = "2028-10-01"

    pdf = render_brief_snapshots([*events, late], {}, info=BriefInfo(title="Chart", as_of=AS_OF))
    text = " ".join(" ".join(page_texts(pdf)).split())

    assert "Bars: events per month, counting only the 2 events dated within one month." in text
    assert "Lines above the bars: the 1 event whose date is uncertain" in text


def test_brief_contents_lists_sections_with_the_pages_they_start_on(demo_pdf):
    texts = page_texts(demo_pdf)
    contents = texts[1]
    chronology_page = next(number for number, text in enumerate(texts, start=1) if "\nChronology\n" in f"\n{text}\n")

    assert re.search(rf"Chronology {chronology_page}\n", contents)
    assert re.search(r"Sourcing 2\n", contents)


def test_font_runs_set_spaces_after_ideographs_in_a_font_that_has_a_space():
    runs = BriefText().font_runs("中华 Київ")

    assert [font for font, run in runs if " " in run] != ["BriefCJK"]
    assert "".join(run for _, run in runs) == "中华 Київ"


def test_django_start_up_and_brief_imports_do_not_import_reportlab():
    script = (
        "import sys, django; django.setup()\n"
        "import config.urls, timeline.admin, timeline.briefs, timeline.exporters.brief\n"
        "from timeline.exporters.brief import text, data, layout\n"
        "sys.stdout.write(str(sorted(m for m in sys.modules if m.startswith('reportlab'))))"
    )
    environment = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings", "DJANGO_DEBUG": "1"}

    loaded = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        check=True,
        env=environment,
        cwd=Path(__file__).resolve().parents[2],
    ).stdout

    assert loaded == "[]"


def test_right_to_left_runs_are_drawn_reversed_as_one_island_with_numbers_left_to_right():
    runs = BriefText().font_runs("troops ירושלים 12 במאי front")

    drawn = "".join(run for _, run in visual_runs(runs))

    assert drawn == "troops יאמב 12 םילשורי front"


def test_arabic_is_shaped_into_joined_forms_and_a_lam_alef_ligature():
    shaped = shape_arabic("لا سلام")

    assert [f"{ord(ch):04X}" for ch in shaped] == ["FEFB", "0020", "FEB3", "FEFC", "FEE1"]


def test_long_right_to_left_text_wraps_with_its_first_words_on_the_first_line():
    text = BriefText()
    words = ["שלום", "עולם", "ירושלים", "הצבא", "דיווח", "היום"]
    spans = [Span(run, font, 9, "#000000") for font, run in text.font_runs(" ".join(words))]

    lines = layout_lines(spans, 80)
    first_line = "".join(segment.text for segment in lines[0])

    assert len(lines) > 1
    assert first_line.split()[-1] == words[0][::-1]


# Held back from the layout code: phrases a news timeline quotes, each on its own line.
RIGHT_TO_LEFT_PHRASES = {
    "Arabic": "قالت وزارة الدفاع إن القوافل وصلت",
    "Arabic lam-alef": "لا السلام عليكم",
    "Persian": "خبرگزاری ایران گزارش داد",
    "Hebrew": "ירושלים הצבא דיווח על שיירה",
}


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils (pdftotext) is not installed")
def test_brief_pdftotext_returns_shaped_right_to_left_phrases_in_logical_order(tmp_path):
    path = tmp_path / "rtl.pdf"
    summary = "\n".join(RIGHT_TO_LEFT_PHRASES.values())
    info = BriefInfo(title="Right to left", as_of=AS_OF)
    path.write_bytes(render_brief_snapshots([snapshot_event(1, "Quotes", summary=summary)], {}, info=info))

    raw = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    # pdftotext marks right-to-left text with embedding controls; they are not text.
    lines = {line.strip() for line in re.sub("[\u202a-\u202e]", "", raw).splitlines()}
    missing = [script for script, phrase in RIGHT_TO_LEFT_PHRASES.items() if phrase not in lines]

    assert missing == []


def test_brief_chart_turns_hundreds_of_spans_into_a_density_band():
    events = []
    for pk in range(1, 201):
        event = snapshot_event(1 + pk % 28, f"Span {pk}")
        event.pk = pk
        event.lower, event.upper = dt.date(2025, 1 + pk % 6, 1), dt.date(2025, 7 + pk % 6, 28)
        event.date = f"2025-{1 + pk % 6:02d}/2025-{7 + pk % 6:02d}"
        events.append(event)

    pdf = render_brief_snapshots(events, {}, info=BriefInfo(title="Density", as_of=AS_OF))
    text = " ".join(" ".join(page_texts(pdf)).split())

    assert "The band above the bars: the 200 events whose date is uncertain" in text
    assert "the darker a month, the more of them may fall in it (darkest: the most, 200)" in text


def test_summary_key_labels_fit_their_column_up_to_k10000():
    from reportlab.platypus import Paragraph

    from timeline.exporters.brief.story import KEY_COLUMN, KEY_COLUMN_PADDING
    from timeline.exporters.brief.styles import paragraph_styles

    style = paragraph_styles()["summary_grade"]
    widths = {}
    for label in ("K9", "K250", "K10000"):
        paragraph = Paragraph(label, style)
        paragraph.wrap(KEY_COLUMN - KEY_COLUMN_PADDING, 100)
        widths[label] = len(paragraph.blPara.lines)

    assert widths == {"K9": 1, "K250": 1, "K10000": 1}


def test_brief_summary_prints_key_labels_past_k100_whole():
    events = []
    for pk in range(1, 121):
        event = snapshot_event(1 + pk % 28, f"Key event {pk}")
        event.pk = pk
        events.append(event)

    pdf = render_brief_snapshots(events, {}, info=BriefInfo(title="Many keys", as_of=AS_OF))
    text = "\n".join(page_texts(pdf))

    assert re.findall(r"^K1[01]\d\b", text, flags=re.MULTILINE) == [f"K{n}" for n in range(100, 120)]


def test_brief_chart_marks_key_events_spread_through_the_list_and_says_so():
    events = []
    for pk in range(1, 101):
        event = snapshot_event(1 + pk % 28, f"Key {pk}")
        event.pk = pk
        event.lower = event.upper = dt.date(2020, 1, 1) + dt.timedelta(days=20 * pk)
        event.date = event.lower.isoformat()
        events.append(event)

    pdf = render_brief_snapshots(events, {}, info=BriefInfo(title="Keys", as_of=AS_OF))
    text = " ".join(" ".join(page_texts(pdf)).split())

    assert "40 of the 100 key events, spread evenly through the list, are marked (K1, K3, K6 … K98)" in text
    assert "every key event is listed in the summary." in text
