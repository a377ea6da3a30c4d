"""Simple patterns, Dutch and English, for details that could give a comment's writer away:
e-mail addresses, phone numbers, web addresses, dates ("3 april", "April 3", "12-03-2024"),
moments ("vorige week", "yesterday", "om 9 uur"), places (a list of towns and regions, and
"the Rotterdam office") and personal detail ("toen ik ziek was", "my daughter", "the only
woman in the team").

Both languages' patterns run on every text: a Dutch rater may well write in English. Each
pattern errs on the quiet side where a word has an everyday meaning too ("leiden" is to
lead, Leiden a town; "may" a verb, May a month): such words count only with a capital.

    find(text) -> list[Span]   # pure, no I/O, well under a millisecond for a comment
"""

import re
from collections.abc import Callable, Iterator

from feedback.identifying.kinds import (
    DATE,
    EMAIL,
    LINK,
    PERSONAL,
    PHONE,
    PLACE,
    TIME,
    Span,
    fold,
    split_words,
)
from feedback.identifying.org_names import ANY, EVERYDAY, OrgNames, tokens

# --- Words ---------------------------------------------------------------------------------

MONTHS_NL = split_words(
    "januari februari maart april mei juni juli augustus september oktober november december"
)
MONTHS_EN = split_words(
    "january february march april may june july august september october november december"
)
MONTH_ABBREVIATIONS = split_words("jan feb mrt mar apr jun jul aug sep sept okt oct nov dec")
# Months that are everyday words too: only with a capital ("in May", not "may").
AMBIGUOUS_MONTHS = {"may", "march", "mar", "jan"}
WEEKDAYS_NL = split_words("maandag dinsdag woensdag donderdag vrijdag zaterdag zondag")
WEEKDAYS_EN = split_words("monday tuesday wednesday thursday friday saturday sunday")

# Towns, cities and regions a Dutch or Belgian sales team is likely to name; a few abroad.
PLACES = tuple(
    split_words(
        """
Amsterdam, Rotterdam, Den Haag, 's-Gravenhage, Utrecht, Eindhoven, Groningen, Tilburg,
Almere, Breda, Nijmegen, Apeldoorn, Haarlem, Arnhem, Enschede, Amersfoort, Zaanstad,
Zaandam, Haarlemmermeer, Hoofddorp, 's-Hertogenbosch, Den Bosch, Zwolle, Zoetermeer,
Leiden, Maastricht, Dordrecht, Ede, Alphen aan den Rijn, Alkmaar, Emmen, Delft, Venlo,
Deventer, Sittard, Helmond, Oss, Amstelveen, Hilversum, Heerlen, Leeuwarden, Purmerend,
Roosendaal, Schiedam, Spijkenisse, Vlaardingen, Gouda, Hengelo, Lelystad,
Capelle aan den IJssel, Veenendaal, Katwijk, Zeist, Nieuwegein, Hardenberg, Assen,
Roermond, Bergen op Zoom, Middelburg, Vlissingen, Goes, Heerenveen, Drachten, Kampen,
Harderwijk, Doetinchem, Wageningen, Schiphol, Houten, Barneveld, Weert, Tiel,
Culemborg, Woerden, Bussum, Hoorn, Den Helder, Beverwijk, Heerhugowaard, Rijswijk,
Voorburg, Wassenaar, Naaldwijk, Westland, Waalwijk, Uden, Veghel, Oisterwijk, Nuenen,
Veldhoven, Geldrop, Kerkrade, Zutphen, Almelo, Oldenzaal, Meppel, Sneek, Winterswijk,
Terneuzen, Hulst, Rosmalen, Vught, Boxtel, Etten-Leur, Oosterhout, Gorinchem, Brussel,
Bruxelles, Brussels, Antwerpen, Antwerp, Gent, Ghent, Brugge, Bruges, Leuven, Mechelen,
Hasselt, Luik, Liège, Namen, Namur, Charleroi, Kortrijk, Oostende, Ostend, Aalst, Genk,
Turnhout, London, Londen, Parijs, Paris, Berlijn, Berlin, Düsseldorf, Keulen, Köln,
Cologne, Frankfurt, München, Munich, Hamburg, Madrid, Barcelona, Milaan, Milan, Dublin,
Manchester, Noord-Holland, Zuid-Holland, Zeeland, Noord-Brabant, Brabant, Limburg,
Gelderland, Overijssel, Drenthe, Friesland, Fryslân, Flevoland, Twente, Achterhoek,
Veluwe, Randstad, Vlaanderen, Flanders, Wallonië, Wallonia, Betuwe, Gooi, Kempen
""",
        ",",
    )
)
# Several-word places first, so that "Den Haag" is one place and not "Den" plus "Haag".
_PLACE_NAMES = sorted(PLACES, key=len, reverse=True)
# Places that are everyday words as well ("leiden" = to lead, "namen" = names): only with
# a capital.
CAPITAL_ONLY = {
    "leiden",
    "namen",
    "goes",
    "kampen",
    "delft",
    "houten",
    "hoorn",
    "weert",
    "luik",
    "gooi",
    "kempen",
    "westland",
    "gent",
    "ede",
    "oss",
    "genk",
    "tiel",
    "uden",
    "sneek",
    "hulst",
    "vught",
    "assen",
    "aalst",
    "paris",
    "milan",
    "nuenen",
}

# --- Helpers -------------------------------------------------------------------------------


def _words(*words: str) -> str:
    return "(?:" + "|".join(sorted((re.escape(w) for w in words), key=len, reverse=True)) + ")"


_MONTH = _words(*MONTHS_NL, *MONTHS_EN)
_ABBREVIATION = _words(*MONTH_ABBREVIATIONS)
_WEEKDAY = _words(*WEEKDAYS_NL, *WEEKDAYS_EN)
_ORDINAL = r"(?:e|ste|de|st|nd|rd|th)"
_NUMBER_WORD = (
    r"(?:\d+|een|twee|drie|vier|vijf|zes|zeven|acht|negen|tien|paar|a|one|two|three|four"
    r"|five|six|seven|eight|nine|ten|a\s+few|a\s+couple\s+of|couple\s+of|few)"
)

Check = Callable[[str], bool]  # given the matched words as written


def _month_word_ok(written: str) -> bool:
    """A month that is an everyday word too ("may", "march") counts only with a capital."""
    for word in re.findall(r"[A-Za-z]+", written):
        if word.lower() in AMBIGUOUS_MONTHS and not word[0].isupper():
            return False
    return True


def _phone_ok(written: str) -> bool:
    digits = re.sub(r"\D", "", written)
    raw = written
    if raw.startswith(("+", "00")):
        return 9 <= len(digits) <= 15
    if raw.startswith("0"):
        return len(digits) in (10, 11)
    return len(digits) == 10  # (555) 123-4567, 555-123-4567


# --- The patterns --------------------------------------------------------------------------
# (kind, pattern, group to mark (0: all of it), check or None, trigger). A pattern is
# matched against the folded text (lower case, no accents: Python's IGNORECASE is four
# times slower), so it is written in lower case; one that needs a capital ([A-Z] in it)
# is matched against the text as written (its keywords then count in lower case only).
# A pattern runs only on a text that has its trigger: one of a set of words, DIGIT (a
# digit), or a string that must occur (folded). That keeps a comment's check well under a
# millisecond: most patterns never run on it.

DIGIT = "digit"
_MONTH_WORDS = frozenset(MONTHS_NL + MONTHS_EN + MONTH_ABBREVIATIONS)

PERSONAL_WORDS_NL = split_words(
    "ziek zieke ziekte ziektes ziekmelding ziekgemeld ziekteverlof ziektewet ziekenhuis"
    " burn-out burnout overspannen depressie depressief zwanger zwangerschap"
    " zwangerschapsverlof bevallingsverlof bevallen ouderschapsverlof scheiding gescheiden"
    " overleden overlijden begrafenis rouw rouwverlof kanker chemo operatie geopereerd"
    " therapie psycholoog bedrijfsarts mantelzorg mantelzorger re-integratie re-integreren"
    " handicap beperking ramadan miskraam ivf"
)
PERSONAL_WORDS_EN = split_words(
    "sick sickness ill illness hospital hospitalised hospitalized burn-out burnout"
    " depression depressed pregnant pregnancy divorce divorced funeral bereavement grieving"
    " cancer chemo chemotherapy surgery therapy therapist caregiver carer disability"
    " disabled ramadan miscarriage ivf"
)
_PERSONAL_PHRASES_EN = (
    r"sick\s+leave|burned\s+out|burnt\s+out|maternity\s+leave"
    r"|paternity\s+leave|parental\s+leave|passed\s+away"
)


def _first_words(*words: str) -> frozenset:
    return frozenset(w.split("-")[0] for w in words)


_RAW: list[tuple[str, str, int, Check | None, object]] = [
    # Addresses and numbers
    (EMAIL, r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+", 0, None, "@"),
    (
        LINK,
        r"\b(?:https?://|www\.)[^\s<>\"']+[^\s<>\"'.,;:!?)]",
        0,
        None,
        frozenset({"http", "https", "www"}),
    ),
    (LINK, r"\blinkedin\.com/[^\s<>\"']+[^\s<>\"'.,;:!?)]", 0, None, frozenset({"linkedin"})),
    (
        PHONE,
        r"(?<![\w+])(?:\+|00)\d{1,3}[\s.-]?(?:\(0\)[\s.-]?)?\d(?:[\s.-]?\d){6,12}(?!\d)",
        0,
        _phone_ok,
        DIGIT,
    ),
    (PHONE, r"(?<![\w+])0\d(?:[\s.-]?\d){8,9}(?!\d)", 0, _phone_ok, DIGIT),
    (PHONE, r"(?<![\w(])(?:\(\d{3}\)\s?|\d{3}[.-])\d{3}[.-]\d{4}(?!\d)", 0, _phone_ok, DIGIT),
    # Dates
    (DATE, r"\b\d{4}-\d{1,2}-\d{1,2}\b", 0, None, DIGIT),
    (DATE, r"\b\d{1,2}[-/.]\d{1,2}[-/.](?:\d{4}|\d{2})\b", 0, None, DIGIT),
    (
        DATE,
        rf"\b(?:{_WEEKDAY},?\s+)?\d{{1,2}}{_ORDINAL}?\s+(?:of\s+)?(?:{_MONTH}\b|{_ABBREVIATION}\b\.?)"
        rf"(?:,?\s+(?:19|20)\d{{2}}\b)?",
        0,
        _month_word_ok,
        _MONTH_WORDS,
    ),
    (
        DATE,
        rf"\b(?:{_WEEKDAY},?\s+)?{_MONTH}\s+\d{{1,2}}{_ORDINAL}?\b(?:,?\s+(?:19|20)\d{{2}}\b)?",
        0,
        _month_word_ok,
        _MONTH_WORDS,
    ),
    (DATE, rf"\b{_MONTH}\s+(?:19|20)\d{{2}}\b", 0, _month_word_ok, _MONTH_WORDS),
    (
        DATE,
        rf"\b(?:in|op|sinds|vanaf|tot|begin|eind|half|medio|halverwege|since|during|until"
        rf"|early|late|mid|last|vorige|afgelopen)\s+((?:the\s+)?(?:end\s+of\s+)?{_MONTH})\b",
        1,
        _month_word_ok,
        _MONTH_WORDS,
    ),
    (DATE, r"\b(?:sinds|since)\s+((?:19|20)\d{2})\b", 1, None, frozenset({"sinds", "since"})),
    # Moments
    (
        TIME,
        rf"\b(?:vorige|afgelopen|verleden|vorig)\s+(?:week|maand|jaar|kwartaal|weekend"
        rf"|{_words(*WEEKDAYS_NL)}(?:ochtend|middag|avond|morgen)?)\b",
        0,
        None,
        frozenset({"vorige", "afgelopen", "verleden", "vorig"}),
    ),
    (
        TIME,
        rf"\b(?:last|this\s+past|past)\s+(?:week|month|year|quarter|weekend|{_words(*WEEKDAYS_EN)})"
        r"(?:\s+(?:morning|afternoon|evening|night))?\b",
        0,
        None,
        frozenset({"last", "past"}),
    ),
    (
        TIME,
        r"\b(?:eergisteren|gisteren|gisteravond|gistermiddag|gisterochtend|vanochtend"
        r"|vanmorgen|vanmiddag|vanavond|vannacht|yesterday|this\s+morning|this\s+afternoon"
        r"|the\s+other\s+day|the\s+day\s+before\s+yesterday)\b",
        0,
        None,
        frozenset(
            split_words(
                "eergisteren gisteren gisteravond gistermiddag gisterochtend vanochtend"
                " vanmorgen vanmiddag vanavond vannacht yesterday morning afternoon other"
            )
        ),
    ),
    (TIME, rf"\b{_words(*WEEKDAYS_NL)}(?:ochtend|middag|avond|morgen)\b", 0, None, "dag"),
    (
        TIME,
        rf"\b{_NUMBER_WORD}\s+(?:dag|dagen|week|weken|maand|maanden)\s+geleden\b",
        0,
        None,
        frozenset({"geleden"}),
    ),
    (TIME, rf"\b{_NUMBER_WORD}\s+(?:days?|weeks?|months?)\s+ago\b", 0, None, frozenset({"ago"})),
    (TIME, r"\b\d{1,2}[:.]\d{2}\s*(?:uur|u|am|pm|a\.m\.|p\.m\.|h)(?!\w)", 0, None, DIGIT),
    (TIME, r"\b\d{1,2}:\d{2}\b", 0, None, DIGIT),
    (TIME, r"\b(?:om|rond|vanaf|at|around)\s+\d{1,2}(?:[:.]\d{2})?\s*(?:uur|u)\b", 0, None, DIGIT),
    (TIME, r"\b\d{1,2}\s*(?:am|pm|a\.m\.|p\.m\.|o'clock)(?!\w)", 0, None, DIGIT),
    # Places next to "office", "vestiging" ... (the list of places: _PLACE_INDEX)
    (
        PLACE,
        r"\b(?:kantoor|vestiging|filiaal|winkel|regio|office|branch|store|region|depot"
        r"|showroom)\s+(?:in\s+|te\s+)?([A-Z][\w'-]+(?:\s+[A-Z][\w'-]+)?)",
        1,
        None,
        frozenset(
            split_words(
                "kantoor vestiging filiaal winkel regio office branch store region depot showroom"
            )
        ),
    ),
    (
        PLACE,
        r"\b([A-Z][\w'-]+)[- ](?:kantoor|vestiging|filiaal|office|branch|store|depot"
        r"|showroom)\b",
        1,
        None,
        frozenset(split_words("kantoor vestiging filiaal office branch store depot showroom")),
    ),
    # Personal detail: health, family, life events, being the only one
    (PERSONAL, rf"\b{_words(*PERSONAL_WORDS_NL)}\b", 0, None, _first_words(*PERSONAL_WORDS_NL)),
    (
        PERSONAL,
        r"\b(?:mijn|m'n|onze)\s+(?:vrouw|man|vriend|vriendin|partner|dochter|zoon|kind"
        r"|kinderen|kids|moeder|vader|ouders|zus|zusje|broer|broertje|baby|schoonmoeder"
        r"|schoonvader|oma|opa|leeftijd|geloof)\b",
        0,
        None,
        frozenset({"mijn", "m", "onze"}),
    ),
    (
        PERSONAL,
        r"\b(?:als\s+enige|de\s+enige\s+(?:die|vrouw|man|collega|accountmanager|verkoper"
        r"|junior|senior|nieuwe|parttimer|[a-z]+er)|mijn\s+eerste\s+(?:dag|week|maand|jaar"
        r"|weken|maanden)|nieuw\s+in\s+het\s+team|net\s+begonnen|sinds\s+ik\s+(?:hier|bij"
        r"|in\s+dienst|begonnen|ben\s+begonnen)|na\s+\d+\s+jaar|al\s+\d+\s+jaar\s+(?:hier"
        r"|bij|in\s+dienst|in\s+het\s+team)|\d{2}\s+jaar\s+oud)\b",
        0,
        None,
        frozenset({"enige", "eerste", "nieuw", "begonnen", "sinds", "jaar"}),
    ),
    (
        PERSONAL,
        rf"\b(?:{_PERSONAL_PHRASES_EN}|{_words(*PERSONAL_WORDS_EN)})\b",
        0,
        None,
        _first_words(*PERSONAL_WORDS_EN)
        | {"sick", "burned", "burnt", "maternity", "paternity", "parental", "passed"},
    ),
    (
        PERSONAL,
        r"\b(?:my|our)\s+(?:wife|husband|partner|girlfriend|boyfriend|daughter|son|kids"
        r"|children|child|mother|father|mum|mom|dad|parents|sister|brother|baby|age"
        r"|religion|grandmother|grandfather)\b",
        0,
        None,
        frozenset({"my", "our"}),
    ),
    (
        PERSONAL,
        r"\b(?:(?:as\s+)?the\s+only\s+(?:one|woman|man|person|rep|junior|senior|new|part-?timer"
        r"|[a-z]+er)|my\s+first\s+(?:day|week|month|year|weeks|months)|new\s+(?:to|in)\s+the"
        r"\s+team|just\s+joined|since\s+i\s+(?:joined|started|came)|after\s+\d+\s+years"
        r"|\d+\s+years\s+(?:here|in\s+the\s+team|at\s+the\s+company|with\s+the\s+company)"
        r"|\d{2}\s+years\s+old)\b",
        0,
        None,
        frozenset({"only", "first", "new", "joined", "since", "years"}),
    ),
]

_PATTERNS = [
    (kind, re.compile(pattern), group, check, trigger, "A-Z" in pattern)
    for kind, pattern, group, check, trigger in _RAW
]

# The list of places, matched word by word like the organisation's names.
_PLACE_INDEX = OrgNames()
for _place in PLACES:
    _words_of_place = tuple(w for _s, _e, w in tokens(_place))
    _case = EVERYDAY if fold(_place) in CAPITAL_ONLY else ANY
    _PLACE_INDEX.add(_words_of_place, PLACE, _place, _case)

_TOKEN = re.compile(r"[a-z0-9]+")


def _triggered(trigger, words: set[str], folded: str, has_digit: bool) -> bool:
    if trigger == DIGIT:
        return has_digit
    if isinstance(trigger, str):
        return trigger in folded
    return not words.isdisjoint(trigger)


def _matches(text: str) -> Iterator[Span]:
    folded = fold(text)
    words = set(_TOKEN.findall(folded))
    has_digit = any(c.isdigit() for c in text)
    for kind, pattern, group, check, trigger, cased in _PATTERNS:
        if not _triggered(trigger, words, folded, has_digit):
            continue
        for match in pattern.finditer(text if cased else folded):
            if check is not None and not check(text[match.start() : match.end()]):
                continue
            start, end = match.span(group)
            if start < end:
                yield Span(start, end, kind)
    yield from _PLACE_INDEX.find(text)


def find(text: str) -> list[Span]:
    """Every span the patterns mark in `text`, in order (they may overlap: check.py
    merges them with the other checkers' spans)."""
    return sorted(set(_matches(text)))
