"""The words :mod:`timeline.phrases` reads, per language, and the patterns built from them.

Add a language here: month names in the cases news uses, season words, words
that carry no date, "about", the qualifiers and the zone names.
"""

from __future__ import annotations

import re
from typing import Final

from timeline.dates import MONTHS

MONTH_WORDS: dict[str, int] = {}


def _months(month: int, *words: str) -> None:
    for word in words:
        MONTH_WORDS[word] = month


for _number, _name in enumerate(MONTHS, start=1):
    _months(_number, _name.lower(), _name[:3].lower())
_months(9, "sept")
# Ukrainian: nominative, genitive, locative.
_months(1, "січень", "січня", "січні")
_months(2, "лютий", "лютого", "лютому")
_months(3, "березень", "березня", "березні")
_months(4, "квітень", "квітня", "квітні")
_months(5, "травень", "травня", "травні")
_months(6, "червень", "червня", "червні")
_months(7, "липень", "липня", "липні")
_months(8, "серпень", "серпня", "серпні")
_months(9, "вересень", "вересня", "вересні")
_months(10, "жовтень", "жовтня", "жовтні")
_months(11, "листопад", "листопада", "листопаді")
_months(12, "грудень", "грудня", "грудні")
# Russian: nominative, genitive, prepositional.
_months(1, "январь", "января", "январе")
_months(2, "февраль", "февраля", "феврале")
_months(3, "март", "марта", "марте")
_months(4, "апрель", "апреля", "апреле")
_months(5, "май", "мая", "мае")
_months(6, "июнь", "июня", "июне")
_months(7, "июль", "июля", "июле")
_months(8, "август", "августа", "августе")
_months(9, "сентябрь", "сентября", "сентябре")
_months(10, "октябрь", "октября", "октябре")
_months(11, "ноябрь", "ноября", "ноябре")
_months(12, "декабрь", "декабря", "декабре")
# French, with and without accents, and the usual abbreviations.
_months(1, "janvier", "janv")
_months(2, "février", "fevrier", "févr", "fevr")
_months(3, "mars")
_months(4, "avril", "avr")
_months(5, "mai")
_months(6, "juin")
_months(7, "juillet", "juil")
_months(8, "août", "aout")
_months(9, "septembre")
_months(10, "octobre")
_months(11, "novembre")
_months(12, "décembre", "decembre", "déc")
# German (and Austrian "Jänner").
_months(1, "januar", "jänner")
_months(2, "februar")
_months(3, "märz", "maerz", "mär")
_months(6, "juni")
_months(7, "juli")
_months(10, "oktober", "okt")
_months(12, "dezember", "dez")

SEASON_WORDS: dict[str, int] = {}
for _code, _words in {
    21: ("spring", "весна", "навесні", "весною", "весной", "봄", "printemps", "frühling", "frühjahr"),
    22: ("summer", "літо", "влітку", "лето", "летом", "여름", "été", "ete", "sommer"),
    23: ("autumn", "fall", "осінь", "восени", "осень", "осенью", "가을", "automne", "herbst"),
    24: ("winter", "зима", "взимку", "зимою", "зимой", "겨울", "hiver"),
}.items():
    for _word in _words:
        SEASON_WORDS[_word] = _code
QUARTERS = {"q1": 33, "q2": 34, "q3": 35, "q4": 36}
ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4}

# Words that carry no date: prepositions and the words for "year".
FILLER = frozenset(
    [
        "in",
        "on",
        "of",
        "the",
        "at",
        "у",
        "в",
        "во",
        "р",
        "р.",
        "року",
        "рік",
        "г",
        "г.",
        "года",
        "год",
        "en",
        "le",
        "la",
        "l'",
        "de",
        "d'",
        "du",
        "au",
        "im",
        "am",
        "den",
        "der",
        "des",
        "vom",
        "anno",
    ]
)

APPROX = re.compile(
    r"^(?:circa|approximately|approx\.?|around|about|roughly|ca\.|c\.|ca\b|c\b|~|"
    r"близько|приблизно|орієнтовно|около|примерно|приблизительно|약|"
    r"vers|environ|aux alentours de|etwa|ungefähr|gegen|um)\s*"
)
APPROX_SUFFIX = re.compile(r"\s*(?:경|쯤|께)$")

EARLY, MID, LATE, FIRST_HALF, SECOND_HALF, WEEK_OF = "early", "mid", "late", "first half", "second half", "week of"
QUALIFIER_WORDS: Final = {
    EARLY: (
        "early",
        "the beginning of",
        "beginning of",
        "the start of",
        "start of",
        "first third of",
        "the first third of",
        "на початку",
        "початок",
        "в начале",
        "начало",
        "au début de",
        "au début d'",
        "début de",
        "début d'",
        "début",
        "zu beginn",
        "anfang",
    ),
    MID: (
        "mid",
        "the middle of",
        "middle of",
        "second third of",
        "the second third of",
        "в середині",
        "у середині",
        "посередині",
        "середина",
        "в середине",
        "à la mi",
        "mi",
        "au milieu de",
        "milieu de",
        "mitte",
    ),
    LATE: (
        "late",
        "the end of",
        "end of",
        "last third of",
        "the last third of",
        "third third of",
        "наприкінці",
        "в кінці",
        "у кінці",
        "кінець",
        "в конце",
        "конец",
        "à la fin de",
        "à la fin d'",
        "fin de",
        "fin d'",
        "fin",
        "ende",
    ),
    FIRST_HALF: (
        "first half of",
        "the first half of",
        "h1",
        "у першій половині",
        "в першій половині",
        "перша половина",
        "в первой половине",
        "первая половина",
        "au premier semestre",
        "premier semestre",
        "la première moitié de",
        "première moitié de",
        "in der ersten hälfte",
        "erste hälfte",
        "im ersten halbjahr",
        "erstes halbjahr",
    ),
    SECOND_HALF: (
        "second half of",
        "the second half of",
        "h2",
        "у другій половині",
        "в другій половині",
        "друга половина",
        "во второй половине",
        "вторая половина",
        "au second semestre",
        "au deuxième semestre",
        "second semestre",
        "deuxième semestre",
        "la seconde moitié de",
        "seconde moitié de",
        "la deuxième moitié de",
        "deuxième moitié de",
        "in der zweiten hälfte",
        "zweite hälfte",
        "im zweiten halbjahr",
        "zweites halbjahr",
    ),
    WEEK_OF: (
        "the week of",
        "week of",
        "тиждень",
        "тиждень з",
        "неделя",
        "неделя с",
        "la semaine du",
        "semaine du",
        "in der woche vom",
        "die woche vom",
        "woche vom",
    ),
}
QUALIFIER_OF = {word: kind for kind, words in QUALIFIER_WORDS.items() for word in words}
QUALIFIER_PREFIX = re.compile(
    r"^(?P<word>" + "|".join(re.escape(w) for w in sorted(QUALIFIER_OF, key=len, reverse=True)) + r")(?:\s+|-)"
)
KOREAN_QUALIFIER = re.compile(r"^(?P<rest>.+?)\s*(?P<word>초순|초반|초|중순|중반|하순|후반|말|상반기|하반기)$")
KOREAN_KIND = {
    "초순": EARLY,
    "초반": EARLY,
    "초": EARLY,
    "중순": MID,
    "중반": MID,
    "하순": LATE,
    "후반": LATE,
    "말": LATE,
    "상반기": FIRST_HALF,
    "하반기": SECOND_HALF,
}
YEAR_CODES = {EARLY: 37, MID: 38, LATE: 39, FIRST_HALF: 40, SECOND_HALF: 41}
SUB_NAMES = {
    EARLY: "first third of",
    MID: "second third of",
    LATE: "last third of",
    FIRST_HALF: "first half of",
    SECOND_HALF: "second half of",
}

HEMISPHERE_SEASON = re.compile(
    r"^(?P<side>northern|southern)\s+(?P<season>spring|summer|autumn|fall|winter)\s+(?P<rest>.+)$"
)
HEMISPHERE_BASE = {"northern": 25, "southern": 29}
HEMISPHERE_ORDER = {"spring": 0, "summer": 1, "autumn": 2, "fall": 2, "winter": 3}

PRESENT = frozenset(
    [
        "present",
        "the present",
        "now",
        "today",
        "ongoing",
        "сьогодні",
        "нині",
        "наш час",
        "сейчас",
        "наши дни",
        "настоящее время",
        "aujourd'hui",
        "à ce jour",
        "heute",
        "현재",
    ]
)

# --- Times and zones ---------------------------------------------------------------------

FIXED_ZONES = {
    "utc": 0,
    "gmt": 0,
    "z": 0,
    "eet": 120,
    "eest": 180,
    "cet": 60,
    "cest": 120,
}
NAMED_ZONES = {
    "kst": "Asia/Seoul",
    "seoul time": "Asia/Seoul",
    "korea time": "Asia/Seoul",
    "한국 시간": "Asia/Seoul",
    "서울 시간": "Asia/Seoul",
    "msk": "Europe/Moscow",
    "мск": "Europe/Moscow",
    "moscow time": "Europe/Moscow",
    "за московським часом": "Europe/Moscow",
    "по московскому времени": "Europe/Moscow",
    "kyiv time": "Europe/Kyiv",
    "kiev time": "Europe/Kyiv",
    "за київським часом": "Europe/Kyiv",
    "по київському часу": "Europe/Kyiv",
    "по киевскому времени": "Europe/Kyiv",
    "heure de kyiv": "Europe/Kyiv",
    "kyjiwer zeit": "Europe/Kyiv",
    "pyongyang time": "Asia/Pyongyang",
    "за пхеньянським часом": "Asia/Pyongyang",
    "по пхеньянскому времени": "Asia/Pyongyang",
    "평양 시간": "Asia/Pyongyang",
    "평양시간": "Asia/Pyongyang",
}
