"""The public check: names and patterns always, deduce's findings filtered on top."""

from feedback.identifying import check, org_names
from feedback.identifying.kinds import Span


def org():
    people = [(1, "Martijn Visser"), (2, "Sanne Bakker"), (3, "Ruben de Jong")]
    return org_names.build(people, ["Greenfield Foods"]).without(1)


def marked(text, spans):
    return [(text[s.start : s.end], s.kind) for s in spans]


def at(text, words, tag):
    """deduce's annotation of `words` in `text`."""
    start = text.index(words)
    return (start, start + len(words), tag)


def test_the_fallback_alone_marks_names_customers_dates_and_moments():
    text = "Toen ik vorige week ziek was, belde Sanne over Greenfield Foods en 3 april."
    assert marked(text, check.spans(text, "nl", org())) == [
        ("vorige week", "time"),
        ("ziek", "personal"),
        ("Sanne", "name"),
        ("Greenfield Foods", "account"),
        ("3 april", "date"),
    ]


def test_nothing_to_check():
    assert check.spans("", "nl", org()) == []
    assert check.spans("   \n", "nl", org()) == []
    assert check.spans("Hij luistert goed naar het team.", "nl", org()) == []


def test_deduce_adds_what_the_lists_do_not_know_and_loses_what_it_gets_wrong():
    text = "Meneer Pietersen van Philips zei op 3 april dat Martijn en Kees het wisten."
    answer = [
        at(text, "Meneer Pietersen", "persoon"),  # nobody in the organisation
        at(text, "Philips", "persoon"),  # a customer, not a person
        at(text, "3 april", "datum"),  # the patterns have it too
        at(text, "Martijn", "persoon"),  # the rated manager
        at(text, "Kees", "persoon"),  # kept: a name nobody's lists have
        (200, 210, "persoon"),  # out of the text: ignored
    ]
    spans = check.spans(text, "nl", org(), deduce=lambda _t: answer)
    assert marked(text, spans) == [
        ("Meneer Pietersen", "person"),
        ("Philips", "account"),
        ("3 april", "date"),
        ("Kees", "person"),
    ]


def test_deduce_months_weekdays_and_lower_case_words_are_no_names():
    text = "In juni en op maandag deden we het anders, zei de klant."
    answer = [at(text, "juni", "persoon"), at(text, "maandag", "persoon")]
    answer.append(at(text, "de klant", "persoon"))
    assert check.deduce_spans(text, answer, org()) == []


def test_deduce_places_in_the_list_are_places():
    text = "Den Bosch is ver."
    assert check.deduce_spans(text, [(0, 9, "persoon")], org()) == [Span(0, 9, "place")]


def test_deduce_tags_have_kinds():
    assert check.kind_of_tag("persoon") == "person"
    assert check.kind_of_tag("patient") == "person"
    assert check.kind_of_tag("locatie") == "place"
    assert check.kind_of_tag("datum") == "date"
    assert check.kind_of_tag("telefoonnummer") == "phone"
    assert check.kind_of_tag("emailadres") == "email"
    assert check.kind_of_tag("url") == "link"
    assert check.kind_of_tag("leeftijd") == "personal"
    assert check.kind_of_tag("instelling") == "account"
    assert check.kind_of_tag("bsn") == "number"
    assert check.kind_of_tag("iets nieuws") == "personal"


def test_deduce_is_asked_about_dutch_text_only_and_may_answer_later():
    asked = []

    def deduce(text):
        asked.append(text)
        return lambda: [(0, 5, "persoon")]

    dutch = "Kevin is er niet, en het team weet het."
    english = "Kevin is not there, and the team knows it."
    assert marked(dutch, check.spans(dutch, "en", org(), deduce)) == [("Kevin", "person")]
    assert marked(english, check.spans(english, "nl", org(), deduce)) == []
    assert asked == [dutch]
    both = check.spans(english, "nl", org(), deduce, deduce_languages=("nl", "en"))
    assert marked(english, both) == [("Kevin", "person")]


def test_no_answer_from_deduce_is_the_fallback():
    text = "Sanne belde."
    assert check.spans(text, "nl", org(), lambda _t: None) == check.spans(text, "nl", org())
    assert check.spans(text, "nl", org(), lambda _t: lambda: None) == check.spans(text, "nl", org())


def test_where_deduce_and_the_lists_overlap_the_lists_say_what_it_is():
    text = "Sanne Bakker van Albert Heijn belde."
    spans = check.spans(text, "nl", org(), lambda _t: [(0, 29, "persoon")])
    assert marked(text, spans) == [("Sanne Bakker", "name"), ("Albert Heijn", "account")]


def test_overlapping_spans_merge_into_the_kind_of_the_longest():
    assert check.merge([Span(0, 20, "email"), Span(2, 8, "name")]) == [Span(0, 20, "email")]
    assert check.merge([Span(0, 5, "person"), Span(0, 5, "name")]) == [Span(0, 5, "name")]
    assert check.merge([Span(0, 5, "date"), Span(3, 9, "time"), Span(20, 25, "place")]) == [
        Span(0, 9, "time"),
        Span(20, 25, "place"),
    ]


def test_language_of_a_comment():
    assert check.language_of("Hij luistert niet naar het team") == "nl"
    assert check.language_of("He does not listen to the team") == "en"
    assert check.language_of("Kevin!", "en") == "en"


def test_deduce_words_next_to_a_known_name_still_count():
    text = "Vorige week belde meneer Pietersen van Philips."
    answer = [at(text, "meneer Pietersen van Philips", "persoon")]
    spans = check.spans(text, "nl", org(), lambda _t: answer)
    assert marked(text, spans) == [
        ("Vorige week", "time"),
        ("meneer Pietersen", "person"),
        ("Philips", "account"),
    ]


def test_sentences_already_checked_are_not_checked_again_and_their_words_not_kept():
    names = org()
    first = "Sanne belde gisteren. Het ging over Greenfield Foods."
    second = first + " En over niets anders"
    spans = check.spans(second, "nl", names)
    assert marked(second, spans) == [
        ("Sanne", "name"),
        ("gisteren", "time"),
        ("Greenfield Foods", "account"),
    ]
    kept = list(check._kept)
    assert all(isinstance(digest, bytes) and len(digest) == 16 for digest, *_rest in kept)
    assert check.spans(first, "nl", names) == spans  # the same sentences, the same spans
