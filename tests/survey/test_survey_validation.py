"""Validation and merging of answers: pure functions, no app, no database."""

from datetime import date

import pytest

from feedback.models import Round, RoundStatus
from feedback.survey.answers import FinalAnswers, final_answers, validate_answers
from feedback.survey.services import Outcome, round_accepts_answers, save_states, state_id

STATEMENTS = {11, 12, 13}
QUESTIONS = {"start", "stop", "continue"}


def check(posted, max_length=4000):
    return validate_answers(STATEMENTS, QUESTIONS, posted, max_length)


def test_clean_answers_pass_through():
    result = check({"s11": "1", "s12": "5", "s13": "dk", "q:start": "More 1:1s", "grade": "8"})
    assert result.ok
    assert result.values == {
        "s11": "1",
        "s12": "5",
        "s13": "dk",
        "q:start": "More 1:1s",
        "grade": "8",
    }


def test_empty_values_mean_cleared():
    result = check({"s11": "", "q:stop": "   \n ", "grade": ""})
    assert result.ok
    assert result.values == {"s11": "", "q:stop": "", "grade": ""}


@pytest.mark.parametrize("score", ["0", "6", "3.5", "-1", "five", "DK", " 3"])
def test_scores_outside_the_scale_are_refused(score):
    result = check({"s11": score})
    assert not result.ok
    assert result.values == {}
    assert list(result.error_map()) == ["s11"]
    assert "1 to 5" in str(result.error_map()["s11"])


@pytest.mark.parametrize("grade", ["0", "11", "7.5", "ten", "-3"])
def test_grades_outside_1_to_10_are_refused(grade):
    result = check({"grade": grade})
    assert not result.ok
    assert "1 to 10" in str(result.error_map()["grade"])


@pytest.mark.parametrize("grade", ["1", "10", " 6 "])
def test_grades_inside_1_to_10_pass(grade):
    assert check({"grade": grade}).values == {"grade": grade.strip()}


def test_unknown_statement_is_refused_with_a_clear_message():
    result = check({"s99": "3", "s11": "4"})
    assert not result.ok
    assert "not part of the survey" in str(result.error_map()["s99"])
    assert "s11" not in result.error_map()


@pytest.mark.parametrize("name", ["q:nonsense", "person_id", "submitted", "s", "sx1"])
def test_unknown_fields_are_refused(name):
    result = check({name: "1"})
    assert not result.ok
    assert name in result.error_map()


def test_comment_length_limit_is_the_configured_one():
    assert check({"q:start": "x" * 10}, max_length=10).ok
    result = check({"q:start": "x" * 11}, max_length=10)
    assert not result.ok
    message = str(result.error_map()["q:start"])
    assert "10" in message and "11" in message


def test_one_bad_field_keeps_the_good_ones_apart():
    result = check({"s11": "4", "s12": "9"})
    assert not result.ok
    assert result.values == {"s11": "4"}
    assert set(result.error_map()) == {"s12"}


def test_final_answers_is_the_union_with_posted_values_winning():
    draft = {"s11": "2", "s12": "4", "q:start": "draft text", "grade": "6"}
    posted = {"s12": "5", "s13": "dk", "q:start": "  posted text \n", "q:stop": ""}
    assert final_answers(draft, posted) == FinalAnswers(
        scores={11: 2, 12: 5, 13: None},
        comments={"start": "posted text"},
        grade=6,
    )


def test_final_answers_posted_empty_clears_a_draft_answer():
    draft = {"q:start": "old", "grade": "7", "s11": "3"}
    final = final_answers(draft, {"q:start": "", "grade": ""})
    assert final.comments == {}
    assert final.grade is None
    assert final.scores == {11: 3}


def test_final_answers_leaves_unanswered_statements_out():
    assert final_answers({}, {"s11": "1"}).scores == {11: 1}
    assert final_answers({}, {}).scores == {}


def test_state_ids_are_valid_css_ids():
    assert state_id("q:start") == "state-q-start"
    assert state_id("s12") == "state-s12"


def test_save_states():
    saved = save_states(["s11"], Outcome.SAVED, {})
    assert [(s.state_id, s.kind) for s in saved] == [("state-s11", "saved")]
    failed = save_states(["s11"], None, {"s11": "bad"})
    assert [(s.kind, s.message) for s in failed] == [("error", "bad")]
    late = save_states(["s11"], Outcome.ALREADY_SUBMITTED, {})
    assert late[0].kind == "closed"


@pytest.mark.parametrize(
    ("status", "closes_on", "expected"),
    [
        (RoundStatus.OPEN, date(2030, 5, 10), True),
        (RoundStatus.OPEN, date(2030, 5, 9), False),
        (RoundStatus.DRAFT, date(2030, 5, 20), False),
        (RoundStatus.CLOSED, date(2030, 5, 20), False),
        (RoundStatus.PUBLISHED, date(2030, 5, 20), False),
    ],
)
def test_round_accepts_answers_until_its_close_date(status, closes_on, expected):
    rnd = Round(status=status, closes_on=closes_on)
    assert round_accepts_answers(rnd, today=date(2030, 5, 10)) is expected


def test_newlines_are_stored_one_way_and_counted_once():
    result = check({"q:start": "first\r\nsecond\rthird"})
    assert result.values["q:start"] == "first\nsecond\nthird"
    # A browser counts a newline as one character, so the limit does too.
    assert check({"q:stop": "ab\r\ncd"}, max_length=5).ok
    assert not check({"q:stop": "ab\r\ncde"}, max_length=5).ok
