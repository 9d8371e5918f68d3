"""The PDF brief exporter, checked by reading its output with independent tools."""

import datetime as dt
import io
import logging
import re
import shutil
import subprocess

import pdfplumber
import pikepdf
import pytest
from pypdf import PdfReader

from tests.brief_demo import ATTACK_STRINGS, LONG_URL, demo_brief_timeline
from tests.factories import EventFactory, TimelineFactory
from timeline.exporters.brief import MARGIN_X, BriefInfo, brief_info_for, render_brief
from timeline.exporters.brief_text import (
    FONT_DIR,
    FONT_FILES,
    KOREAN,
    SANS,
    SANS_BOLD,
    BriefText,
    Span,
    layout_lines,
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
        "Summary",
        "Timeline chart",
        "Chronology",
        "Sources",
        "Key to grades",
    ]
    assert pages["Cover"] == 0
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

    assert shipped == sorted([*FONT_FILES.values(), "OFL-NanumGothic.txt", "OFL-NotoSans.txt"])
    assert "SIL OPEN FONT LICENSE" in (FONT_DIR / "OFL-NanumGothic.txt").read_text().upper()
    assert "SIL OPEN FONT LICENSE" in (FONT_DIR / "OFL-NotoSans.txt").read_text().upper()


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
    assert "Claimed by GUR" in text
    assert "Confirmed by Kim Jong Un" in text
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

    with caplog.at_level(logging.WARNING, logger="timeline.exporters.brief_text"):
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
