"""The warning through HTTP, as htmx drives the autosave: shown, cleared, never stored, and
never in the way of saving or sending."""

import re
import time

import pytest
import sqlalchemy as sa

from feedback.identifying import survey as identifying
from feedback.models import RaterGroup
from tests.factories import add_participant, make_invitation, make_person, make_round

HX = {"HX-Request": "true"}
NOTE = 'id="identifying-q-start"'


@pytest.fixture
def rater(db):
    """A rep's link to rate Martijn Visser; Sanne de Jong and Ruben Bakker are colleagues."""
    manager = make_person(name="Martijn Visser", role="manager")
    make_person(name="Sanne de Jong", manager=manager)
    make_person(name="Ruben Bakker", manager=manager)
    rep = make_person(name="Ilse Kramer", manager=manager)
    rnd = make_round()
    participant = add_participant(rnd=rnd, manager=manager)
    _invitation, token = make_invitation(
        participant=participant, group=RaterGroup.DIRECT_REPORT, person=rep
    )
    english = make_person(name="Kevin Smit", manager=manager, language="en")
    _inv, english_token = make_invitation(
        participant=participant, group=RaterGroup.DIRECT_REPORT, person=english, language="en"
    )
    return {"nl": f"/s/{token}", "en": f"/s/{english_token}"}


def autosave(client, url, text, field="q:start"):
    response = client.post(url + "/answer", data={field: text}, headers=HX)
    assert response.status_code == 200
    return response.text


def note_of(html: str) -> str:
    """The out-of-band note for q:start in an autosave's response."""
    found = re.search(r'<div id="identifying-q-start".*?</div>\s*$', html, re.S)
    assert found, html
    return found.group(0)


def test_the_form_has_an_empty_place_for_each_open_answer(client, rater):
    page = client.get(rater["nl"]).text
    assert NOTE in page
    assert 'id="identifying-q-stop"' in page
    assert "identifying-note" not in page


def test_a_colleagues_name_gets_a_warning_with_the_reason(client, rater):
    html = autosave(client, rater["nl"], "Vraag Sanne de Jong maar hoe vorige week ging.")
    assert "✓ Opgeslagen" in html  # saved as ever
    note = note_of(html)
    assert 'hx-swap-oob="innerHTML"' in note
    assert "Verraadt dit wie je bent?" in note
    assert "<mark" in note and "Sanne de Jong</mark>" in note
    assert "een naam van iemand in je organisatie" in note
    assert "een moment dat terug te vinden is" in note  # "vorige week"
    assert "Niets van deze melding wordt bewaard." in note
    assert 'type="checkbox"' in note and "name=" not in note  # keeping is never posted
    assert "hx-preserve" in note


def test_in_english_for_an_english_invitation(client, rater):
    note = note_of(autosave(client, rater["en"], "Ruben got the Philips deal, not me."))
    assert "Could this give you away?" in note
    assert "Ruben</mark>: a name of someone in your organisation" in note
    assert "Philips</mark>: a customer or account name" in note


def test_a_neutral_comment_or_the_managers_name_clears_the_warning(client, rater):
    assert "identifying-note" in autosave(client, rater["nl"], "Sanne weet ervan.")
    for text in ("Martijn luistert goed naar het team.", "Vaker samen op klantbezoek.", ""):
        note = note_of(autosave(client, rater["nl"], text))
        assert "identifying-note" not in note
        assert "<mark" not in note


def test_the_same_words_keep_the_same_note_and_new_words_a_new_one(client, rater):
    first = note_of(autosave(client, rater["nl"], "Sanne weet ervan."))
    again = note_of(autosave(client, rater["nl"], "Sanne weet ervan, en het team ook."))
    other = note_of(autosave(client, rater["nl"], "Sanne en Ruben weten ervan."))

    def note_id(html):
        return re.search(r'id="(identifying-q-start-[0-9a-f]+)"', html).group(1)

    assert note_id(first) == note_id(again)  # a note the rater chose to keep stays kept
    assert note_id(other) != note_id(first)


def test_only_open_answers_are_checked(client, rater, db):
    from feedback.survey.services import find_invitation

    visit = find_invitation(rater["nl"].removeprefix("/s/"))
    sid = visit.invitation.participant.round.framework.statements[0].id
    html = client.post(rater["nl"] + "/answer", data={f"s{sid}": "4"}, headers=HX).text
    assert "identifying" not in html


def _everything(db) -> dict:
    with db.engine.connect() as conn:
        return {
            t.name: [tuple(r) for r in conn.execute(sa.select(t))]
            for t in db.metadata.sorted_tables
        }


def test_nothing_about_the_warning_is_stored(client, rater, db):
    from feedback.survey.services import draft_values, find_invitation

    autosave(client, rater["nl"], "Een eerste antwoord.")  # the round's first answer is in
    before = _everything(db)
    text = "Toen ik vorige week ziek was, belde Sanne de Jong me op 06-12345678."
    note = note_of(autosave(client, rater["nl"], text))
    digest = re.search(r"identifying-q-start-([0-9a-f]+)", note).group(1)
    visit = find_invitation(rater["nl"].removeprefix("/s/"))
    assert draft_values(visit.link) == {"q:start": text}  # the answer, and only the answer
    after = _everything(db)
    changed = {name for name in before if before[name] != after[name]}
    assert changed == {"invitation"}  # its encrypted draft, as any autosave
    needles = ("identifying", digest, "Verraadt dit", "een naam van iemand", "telefoonnummer")
    for name, rows in after.items():
        for row in rows:
            for value in row:
                if isinstance(value, bytes):
                    value = value.decode("latin-1")
                if isinstance(value, str):
                    assert not any(n in value for n in needles), (name, value)


def test_a_failing_check_never_stands_in_the_way(client, rater, monkeypatch, caplog):
    def broken(*_args, **_kwargs):
        raise RuntimeError("the check broke")

    monkeypatch.setattr(identifying.check, "spans", broken)
    text = "Sanne de Jong weet het."
    html = autosave(client, rater["nl"], text)
    assert "✓ Opgeslagen" in html
    assert "identifying-note" not in note_of(html)
    assert "the identifying check failed" in caplog.text.lower()
    assert text not in caplog.text  # the comment is not logged
    response = client.post(rater["nl"], data={"q:start": text, "action": "submit"})
    assert response.status_code == 200  # nothing answered: the form again, not an error


def test_sending_is_never_held_up_by_a_warning(client, rater, db):
    from feedback.survey.services import find_invitation

    autosave(client, rater["nl"], "Sanne de Jong zei het op 3 april.")
    visit = find_invitation(rater["nl"].removeprefix("/s/"))
    sid = visit.invitation.participant.round.framework.statements[0].id
    data = {f"s{sid}": "4", "q:start": "Sanne de Jong zei het op 3 april.", "action": "submit"}
    response = client.post(rater["nl"], data=data)
    assert "Dank je wel" in response.text


def test_the_check_adds_well_under_50_ms_to_an_autosave(app_ctx, rater):
    """The fallback (the checker is off in tests), names loaded: a few milliseconds."""
    from feedback.survey.services import find_invitation

    for n in range(300):
        make_person(name=f"Collega{n} Achternaam{n}", commit=False)
    app_ctx.extensions["sqlalchemy"].session.commit()
    invitation = find_invitation(rater["nl"].removeprefix("/s/")).invitation
    text = "Toen ik vorige week ziek was belde Sanne de Jong uit Utrecht over Philips. " * 8
    identifying.notes(invitation, {"q:start": text})  # the names, loaded once per process
    timings = []
    for _ in range(5):
        began = time.perf_counter()
        notes = identifying.notes(invitation, {"q:start": text})
        timings.append(time.perf_counter() - began)
    assert notes[0].spans
    assert sorted(timings)[2] < 0.05, timings
