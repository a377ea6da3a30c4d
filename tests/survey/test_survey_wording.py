"""Each rater reads the survey worded for who they are, in their own language, and is told
what the report does with their answers: through the Flask test client."""

import re
from html.parser import HTMLParser

import pytest
import sqlalchemy as sa
from markupsafe import escape

from feedback.models import Invitation, RaterGroup
from tests.factories import make_invitation
from tests.survey.survey_helpers import Tab

HX = {"HX-Request": "true"}
MANAGER = "Sanne O'Neill"

# Words that give away the other language on a page of the survey.
DUTCH_WORDS = [
    "Opslaan",
    "Opgeslagen",
    "Versturen",
    "versturen",
    "verstuurd",
    "Weet ik niet",
    "antwoorden",
    "beantwoord",
    "Dank je",
    "Mijn manager",
    "Je ",
    "je ",
    "Taal",
    "Waarmee",
]
ENGLISH_WORDS = [
    "Save",
    "Saved",
    "Submit",
    "Send",
    "answered",
    "Don't know",
    "Your ",
    "your ",
    "anonymous",
    "Thank you",
    "Language",
    "My manager",
    "What should",
    "strongly",
]


class _Text(HTMLParser):
    """What a reader meets on a page: its text and the attributes that are read out."""

    READ = {"aria-label", "title", "placeholder", "alt"}

    def __init__(self):
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._skip += 1
        self.parts.extend(value for name, value in attrs if name in self.READ and value)

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    return " ".join(" ".join(parser.parts).split())


def assert_only(lang: str, html: str, where: str) -> None:
    text = visible_text(html)
    foreign = DUTCH_WORDS if lang == "en" else ENGLISH_WORDS
    found = [word for word in foreign if word in text]
    assert not found, f"{where} in {lang} shows {found}: {text[:3000]}"


def set_language(db, invitation_id, language):
    db.session.execute(
        sa.update(Invitation).where(Invitation.id == invitation_id).values(language=language)
    )
    db.session.commit()


@pytest.fixture
def team(db, survey):
    """The survey's manager, named, with a peer's link besides self, supervisor and reports."""
    participant = survey.invitation.participant
    participant.person.name = MANAGER
    db.session.commit()
    survey.links[RaterGroup.PEER] = [make_invitation(db, participant, group=RaterGroup.PEER)]
    return survey


def link(survey, group, lang, db):
    invitation, token = survey.links[group][0]
    set_language(db, invitation.id, lang)
    return survey.url(token)


# --- the statements ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lang", "statement", "question", "grade"),
    [
        (
            "nl",
            "Ik neem verkopers aan die in de praktijk waarmaken wat ze op papier beloven.",
            "Waarmee zou ik moeten beginnen?",
            "Welk cijfer geef je jezelf als manager",
        ),
        (
            "en",
            "I hire salespeople who deliver in practice what they promise on paper.",
            "What should I start doing?",
            "What grade do you give yourself as a manager",
        ),
    ],
)
def test_self_assessment_speaks_in_the_first_person_and_is_not_anonymous(
    client, db, team, lang, statement, question, grade
):
    html = client.get(link(team, RaterGroup.SELF, lang, db)).text
    assert statement in html and question in html and grade in html
    assert {"nl": "Ik laat mijn verkopers hun deals", "en": "I let my salespeople"}[lang] in html
    assert "Mijn manager" not in html and "My manager" not in html
    assert "deze manager" not in html and "this manager" not in html
    title = {"nl": "Je zelfbeoordeling", "en": "Your self-assessment"}[lang]
    assert f"<h1>{title}</h1>" in html
    assert f"<title>{title} ·" in html
    not_anonymous = {
        "nl": "Je antwoorden zijn niet anoniem",
        "en": "Your answers are not anonymous",
    }
    assert f">{not_anonymous[lang]}</h2>" in html
    anonymous = {"nl": "Je antwoorden zijn anoniem", "en": "Your answers are anonymous"}[lang]
    assert anonymous not in html
    shown_as = {"nl": "als “Zelf”", "en": "as “Self”"}[lang]
    assert shown_as in html
    assert_only(lang, html, "the self-assessment")


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_a_direct_report_reads_my_manager(client, db, team, lang):
    html = client.get(link(team, RaterGroup.DIRECT_REPORT, lang, db)).text
    said = {
        "nl": ("Mijn manager neemt verkopers aan die", "Waarmee zou mijn manager moeten beginnen?"),
        "en": ("My manager hires salespeople who", "What should my manager start doing?"),
    }[lang]
    assert said[0] in html and said[1] in html
    assert {"nl": "Mijn manager laat mij mijn deals", "en": "My manager lets me handle"}[
        lang
    ] in html
    assert {"nl": "Je antwoorden zijn anoniem", "en": "Your answers are anonymous"}[lang] in html
    assert_only(lang, html, "a direct report's survey")


@pytest.mark.parametrize("group", [RaterGroup.PEER, RaterGroup.SUPERVISOR])
@pytest.mark.parametrize("lang", ["nl", "en"])
def test_peers_and_the_supervisor_read_the_managers_name(client, db, team, lang, group):
    html = client.get(link(team, group, lang, db)).text
    name = str(escape(MANAGER))
    said = {
        "nl": (f"{name} neemt verkopers aan die", f"Waarmee zou {name} moeten beginnen?"),
        "en": (f"{name} hires salespeople who", f"What should {name} start doing?"),
    }[lang]
    assert said[0] in html and said[1] in html
    assert {"nl": f"{name} laat verkopers hun deals", "en": f"{name} lets salespeople"}[
        lang
    ] in html
    assert "Mijn manager" not in html and "My manager" not in html
    grade = {"nl": f"Welk cijfer geef je {name} in het algemeen", "en": f"give {name} overall"}
    assert grade[lang] in html
    assert_only(lang, html, f"the {group} survey")


def test_without_a_name_peers_read_this_manager(client, db, team):
    team.invitation.participant.person.name = " "
    db.session.commit()
    html = client.get(link(team, RaterGroup.PEER, "nl", db)).text
    assert "Deze manager neemt verkopers aan die" in html
    assert "Waarmee zou deze manager moeten beginnen?" in html


# --- what each group is told about the report -----------------------------------------------


def test_the_supervisor_is_told_their_answers_are_shown_as_the_supervisors(client, db, team):
    html = client.get(link(team, RaterGroup.SUPERVISOR, "en", db)).text
    name = str(escape(MANAGER))
    assert ">Your answers are shown as the supervisor&#39;s</h2>" in html
    assert f"You answer as the supervisor of {name}." in html
    assert "as “Supervisor”" in html and f"so {name} can tell they are yours" in html
    assert "at least 3 direct reports and peers answered" in html
    assert "Your answers are anonymous" not in html
    # The promise about HR's counts holds for every group.
    assert "at most once an hour" in html


@pytest.mark.parametrize("group", [RaterGroup.DIRECT_REPORT, RaterGroup.PEER])
def test_pooled_raters_learn_the_threshold_and_who_is_shown_by_name(client, db, team, group):
    html = client.get(link(team, group, "en", db)).text
    assert "Your answers are anonymous" in html
    assert "only when at least 3 of them answered" in html
    assert "only when a group has at least 3 answers" in html
    assert "shows them separately, as “Self” and “Supervisor”" in html
    assert "at most once an hour" in html
    dutch = client.get(link(team, group, "nl", db)).text
    assert "minstens 3 van hen hebben geantwoord" in dutch
    assert "hoogstens één keer per uur" in dutch


def test_one_rater_threshold_reads_in_the_singular(client, db, team):
    team.round.threshold = 1
    db.session.commit()
    html = client.get(link(team, RaterGroup.SUPERVISOR, "en", db)).text
    assert "at least 1 direct report or peer answered" in html


# --- every page of the survey, in one language -------------------------------------------------


@pytest.mark.parametrize("group", [RaterGroup.SELF, RaterGroup.DIRECT_REPORT])
@pytest.mark.parametrize("lang", ["nl", "en"])
def test_no_page_of_the_survey_shows_the_other_language(client, db, team, lang, group):
    url = link(team, group, lang, db)
    sid = team.statement_ids[0]
    tab = Tab(client, url)
    pages = {"form": client.get(url).text}
    pages["nothing answered"] = tab.post({"q:start": "Alleen"}).text
    pages["autosave"] = tab.autosave({f"s{sid}": "4"}).text
    pages["autosave error"] = tab.autosave({"q:start": "x" * 4001}).text
    pages["errors"] = tab.post({"grade": "12", "q:stop": "y" * 4001}).text
    saved = tab.post({"action": "save", "q:stop": "Later"})
    assert saved.status_code == 303
    pages["saved"] = client.get(url).text
    pages["unknown language"] = tab.post({"language": "fr"}).text
    pages["thanks"] = tab.post({"action": "submit"}).text
    pages["already"] = client.get(url).text
    for where, html in pages.items():
        assert_only(lang, html, where)
    # and the pages did say something, in their own language
    words = {
        "nl": (
            "minstens één stelling",
            "Opgeslagen",
            "te lang",
            "opgeslagen",
            "niet beschikbaar",
            "Dank je wel!",
            "Al verstuurd",
        ),
        "en": (
            "at least one statement",
            "Saved",
            "too long",
            "saved",
            "not available",
            "Thank you!",
            "Already submitted",
        ),
    }[lang]
    for where, word in zip(
        (
            "nothing answered",
            "autosave",
            "autosave error",
            "saved",
            "unknown language",
            "thanks",
            "already",
        ),
        words,
        strict=True,
    ):
        assert word in pages[where], (where, word)
    assert re.search(r"4[.,]000", pages["errors"])  # "4.000" in Dutch, "4,000" in English
    assert ("4.000" if lang == "nl" else "4,000") in pages["errors"]


@pytest.mark.parametrize(
    ("group", "lang", "message"),
    [
        (RaterGroup.SELF, "nl", "Je zelfbeoordeling is verstuurd."),
        (RaterGroup.SELF, "en", "Your self-assessment has been submitted."),
        (RaterGroup.SUPERVISOR, "en", "The report shows them as the supervisor&#39;s."),
        (RaterGroup.DIRECT_REPORT, "nl", "Ze zijn opgeslagen zonder je naam"),
        (RaterGroup.PEER, "en", "They are stored without your name"),
    ],
)
def test_the_thanks_page_fits_the_group(client, db, team, group, lang, message):
    url = link(team, group, lang, db)
    response = client.post(url, data={f"s{team.statement_ids[0]}": "4"})
    assert message in response.text
