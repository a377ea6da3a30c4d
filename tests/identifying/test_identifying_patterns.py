"""The patterns, Dutch and English: what they mark, and the everyday words they leave alone."""

import pytest

from feedback.identifying import patterns


def marked(text: str) -> list[tuple[str, str]]:
    return [(text[s.start : s.end], s.kind) for s in patterns.find(text)]


@pytest.mark.parametrize(
    ("text", "words", "kind"),
    [
        ("Mail me: s.bakker@example.com.", "s.bakker@example.com", "email"),
        ("Bel 06-12345678 even", "06-12345678", "phone"),
        ("bel 06 1234 5678", "06 1234 5678", "phone"),
        ("Kantoor: 020-5551234.", "020-5551234", "phone"),
        ("call +31 (0)20 123 4567 now", "+31 (0)20 123 4567", "phone"),
        ("or +44 20 7946 0958", "+44 20 7946 0958", "phone"),
        ("US: (555) 123-4567", "(555) 123-4567", "phone"),
        ("zie www.example.com/team.", "www.example.com/team", "link"),
        ("Op 3 april zei hij", "3 april", "date"),
        ("on April 3 he said", "April 3", "date"),
        ("on April 3rd, 2024 he", "April 3rd, 2024", "date"),
        ("on the 1st of May", "1st of May", "date"),
        ("vrijdag 14 juni was het", "vrijdag 14 juni", "date"),
        ("op 12-03-2024 was het", "12-03-2024", "date"),
        ("in 2024-03-12", "2024-03-12", "date"),
        ("sinds maart gaat het mis", "maart", "date"),
        ("since March it went wrong", "March", "date"),
        ("sinds 2019 in het team", "2019", "date"),
        ("Toen ik vorige week ziek was", "vorige week", "time"),
        ("afgelopen vrijdag in het overleg", "afgelopen vrijdag", "time"),
        ("gisteren zei hij", "gisteren", "time"),
        ("twee weken geleden", "twee weken geleden", "time"),
        ("two weeks ago", "two weeks ago", "time"),
        ("last Monday morning", "last Monday morning", "time"),
        ("om 9 uur 's ochtends", "om 9 uur", "time"),
        ("at 9:30 am", "9:30 am", "time"),
        ("dinsdagochtend in het overleg", "dinsdagochtend", "time"),
        ("ik rij elke dag naar Utrecht", "Utrecht", "place"),
        ("in Den Haag", "Den Haag", "place"),
        ("de vestiging Heerlen", "Heerlen", "place"),
        ("the Rotterdam office", "Rotterdam", "place"),
        ("the Springfield branch", "Springfield", "place"),
        ("in Düsseldorf", "Düsseldorf", "place"),
        ("toen ik ziek was", "ziek", "personal"),
        ("na mijn burn-out", "burn-out", "personal"),
        ("mijn dochter lag in het ziekenhuis", "mijn dochter", "personal"),
        ("als enige vrouw in het team", "als enige", "personal"),
        ("ik ben net begonnen", "net begonnen", "personal"),
        ("when I was on sick leave", "sick leave", "personal"),
        ("my wife is pregnant", "my wife", "personal"),
        ("as the only woman in the team", "as the only woman", "personal"),
        ("since I joined the team", "since I joined", "personal"),
    ],
)
def test_marks(text, words, kind):
    assert (words, kind) in marked(text), marked(text)


@pytest.mark.parametrize(
    "text",
    [
        "Hij kan het team goed leiden.",  # to lead, not the town
        "We kampen met te weinig leads.",  # to struggle, not Kampen
        "De namen op de lijst kloppen niet.",  # names, not Namur
        "He may want to delegate more.",  # a verb, not the month
        "We march on, quarter after quarter.",
        "Op maandag hebben we altijd overleg.",  # a habit, not a moment
        "In Q3 haalden we 112% van target, € 1.250.000 omzet.",
        "1/3 van de omzet komt uit 3 deals.",
        "Score 4-5 op de meeste punten.",
        "De vorige keer ging het beter.",
        "Hij geeft goede feedback en luistert.",
        "Great at building the team, less good at saying no to head office.",
        "Please keep the Friday afternoon huddle.",
    ],
)
def test_leaves_alone(text):
    assert marked(text) == []


def test_spans_are_in_order_and_point_into_the_text():
    text = "Op 3 april in Utrecht, bel 06-12345678 of mail a@b.nl"
    spans = patterns.find(text)
    assert spans == sorted(spans)
    assert [text[s.start : s.end] for s in spans] == [
        "3 april",
        "Utrecht",
        "06-12345678",
        "a@b.nl",
    ]


def test_accents_and_case_do_not_hide_a_detail():
    assert ("VORIGE WEEK", "time") in marked("VORIGE WEEK was het mis")
    assert ("Liège", "place") in marked("au bureau de Liège")
