"""Fuzzing the rater's side: Hypothesis posts forms to a live survey link through the test
client (field names, values, encodings, lengths, unicode, missing and extra fields, the
autosave and the whole form, save and submit) on top of answers saved before.

What must hold for every post: no server error; either a clear refusal that writes nothing
or exactly the answers a rater would expect stored; an answer saved before is never lost
(only the rater's own, current form may change or clear it); and nothing long that was
posted comes back in the page.

The oracle below is written from the rules the rater is told, not from the code: scores
1-5 or "don't know", open answers up to 4000 characters (a newline counts once, bidi
controls do not count and are not kept, no NUL), a grade 1-10, and nothing else.
"""

from urllib.parse import urlencode

import pytest
import sqlalchemy as sa
from hypothesis import given, note
from hypothesis import strategies as st
from werkzeug.datastructures import MultiDict
from werkzeug.test import EnvironBuilder, encode_multipart
from werkzeug.wrappers import Request

from feedback.models import Invitation
from feedback.survey.answers import draft_fingerprint
from feedback.survey.services import autosave, find_invitation
from tests.factories import draft_of, make_invitation, make_rated_manager, sealed_answers
from tests.security.fuzz_settings import fuzz

MAX = 4000
SCORES = ("1", "2", "3", "4", "5", "dk")
GRADES = tuple(str(n) for n in range(1, 11))
CONTROL = ("csrf_token", "action", "draft_fingerprint")
BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"


@pytest.fixture
def survey(db):
    rnd, participant, _links = make_rated_manager(db, reports=0)
    ids = [st.id for leg in rnd.framework.legs for st in leg.statements]
    keys = [q.key for q in rnd.framework.open_questions]
    return rnd, participant, ids, keys


# --- What a rater (or anyone holding the link) may post ------------------------------------

nasty_text = st.text(
    alphabet=st.one_of(
        st.characters(codec="utf-8"),
        st.sampled_from([*BIDI, "\x00", "\r", "\n", "\t", " ", "\u2028", "%", "&", "+"]),
    ),
    max_size=40,
)


@st.composite
def long_text(draw):
    """Text around the limit and far past it, made of a repeated piece."""
    piece = draw(st.text(min_size=1, max_size=5))
    length = draw(st.sampled_from([MAX - 1, MAX, MAX + 1, 5000, 60_000]))
    extra = draw(st.sampled_from(["", "\r\n" * 20, BIDI * 3]))
    return (piece * length)[:length] + extra


def comment_values():
    return st.one_of(nasty_text, long_text(), st.sampled_from(["", "   ", "\r\n", "ok"]))


def score_values():
    odd = [" 3", "3 ", "03", "٣", "DK", "Dk", "6", "0", "-1", "", "3.0", "1e0"]
    return st.one_of(st.sampled_from(SCORES), st.sampled_from(odd), nasty_text)


def grade_values():
    odd = [" 7 ", "07", "11", "0", "-1", "1e1", "７", "10.0", "", " "]
    return st.one_of(st.sampled_from(GRADES), st.sampled_from(odd), nasty_text)


def field_names(ids, keys):
    near = [
        "s0",
        "s-1",
        f"s{max(ids) + 1}",
        "s" + "9" * 30,
        f"S{ids[0]}",
        f"s{ids[0]} ",
        f"s0{ids[0]}",
        "s²",
        "q:",
        "q:unknown",
        f"q:{keys[0].upper()}",
        "grade ",
        "GRADE",
        "participant_id",
        "group",
    ]
    return st.one_of(
        st.sampled_from([f"s{i}" for i in ids]),
        st.sampled_from([f"q:{k}" for k in keys]),
        st.just("grade"),
        st.sampled_from(near),
        st.text(max_size=20),
        st.text(min_size=200, max_size=300),
    )


def value_for(name: str):
    if name.startswith("q:"):
        return comment_values()
    if name.startswith("grade"):
        return grade_values()
    return score_values()


@st.composite
def posts(draw, ids, keys):
    names = draw(st.lists(field_names(ids, keys), max_size=8))
    pairs = [(name, draw(value_for(name))) for name in names]
    if pairs and draw(st.booleans()):  # the same field twice: the first value counts
        pairs.append((pairs[0][0], draw(value_for(pairs[0][0]))))
    return pairs


@st.composite
def earlier_answers(draw, ids, keys):
    """What the rater saved before this post (valid, as autosave stored it)."""
    answers = {}
    for sid in draw(st.lists(st.sampled_from(ids[:4]), max_size=3, unique=True)):
        answers[f"s{sid}"] = draw(st.sampled_from(SCORES))
    if draw(st.booleans()):
        answers[f"q:{keys[0]}"] = draw(st.sampled_from(["kept earlier", "Heel goed\nwerk"]))
    if draw(st.booleans()):
        answers["grade"] = draw(st.sampled_from(GRADES))
    return answers


def encode(pairs, encoding: str) -> tuple[bytes, str]:
    """The body and content type a client would send."""
    if encoding == "multipart":
        boundary, body = encode_multipart(MultiDict(pairs))
        return body, f"multipart/form-data; boundary={boundary}"
    body = urlencode(pairs).encode()
    if encoding == "raw-bytes":  # not UTF-8 at all (a broken client): the form is empty
        body += b"&x=\xff\xfe"
    return body, "application/x-www-form-urlencoded"


def parsed(body: bytes, content_type: str) -> MultiDict:
    """The form as the app will read it (werkzeug's parser, the same one Flask uses)."""
    environ = EnvironBuilder(method="POST", data=body, content_type=content_type).get_environ()
    return Request(environ).form


# --- The oracle ---------------------------------------------------------------------------


def clean_comment(value: str) -> str:
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    return "".join(char for char in value if char not in BIDI)


def check(fields: dict[str, str], ids, keys) -> dict[str, str] | None:
    """The values to store ("" clears), or None when the post must be refused."""
    statements, questions = {f"s{i}" for i in ids}, {f"q:{k}" for k in keys}
    values = {}
    for name, value in fields.items():
        if name in statements:
            if value not in (*SCORES, ""):
                return None
        elif name in questions:
            value = clean_comment(value)
            if len(value) > MAX or "\x00" in value:
                return None
            value = value if value.strip() else ""
        elif name == "grade":
            value = value.strip()
            if value not in (*GRADES, ""):
                return None
        else:
            return None
        values[name] = value
    return values


def answered(values: dict[str, str]) -> dict[str, str]:
    return {k: v for k, v in values.items() if v}


def envelope_of(draft: dict[str, str]) -> tuple:
    scores = {int(k[1:]): (None if v == "dk" else int(v)) for k, v in draft.items() if k[0] == "s"}
    comments = {k[2:]: v.strip() for k, v in draft.items() if k.startswith("q:") and v.strip()}
    grade = int(draft["grade"]) if "grade" in draft else None
    return scores, comments, grade


def _state(db, invitation_id, round_id):
    db.session.rollback()
    submitted = db.session.scalar(
        sa.select(Invitation.submitted).where(Invitation.id == invitation_id)
    )
    envelopes = sorted(
        (repr(sorted(a.scores.items())), repr(sorted(a.comments.items())), repr(a.grade))
        for a in sealed_answers(db, round_id)
    )
    return draft_of(db, invitation_id), submitted, envelopes


@given(data=st.data())
@fuzz(examples=60)
def test_fuzzed_survey_posts_store_exactly_what_they_should_or_nothing(
    app, db, client, survey, data
):
    rnd, participant, ids, keys = survey
    invitation, token = make_invitation(
        db, participant, language=data.draw(st.sampled_from(["nl", "en"]))
    )
    before = data.draw(earlier_answers(ids, keys), label="saved before")
    if before:
        autosave(find_invitation(token).link, before, "")
    draft, _submitted, envelopes = _state(db, invitation.id, rnd.id)
    assert draft == before

    pairs = data.draw(posts(ids, keys), label="fields")
    endpoint = data.draw(st.sampled_from(["answer", "form"]), label="endpoint")
    if endpoint == "form":
        action = data.draw(st.sampled_from(["submit", "save", None, "SAVE", "delete"]))
        if action is not None:
            pairs.append(("action", action))
        fingerprint = data.draw(st.sampled_from(["current", "none", "junk"]))
    else:
        fingerprint = data.draw(st.sampled_from(["current", "none"]))
    fingerprints = {"current": draft_fingerprint(before), "none": None, "junk": "0" * 32}
    if fingerprints[fingerprint] is not None:
        pairs.append(("draft_fingerprint", fingerprints[fingerprint]))
    encoding = data.draw(st.sampled_from(["urlencoded", "multipart", "raw-bytes"]))
    body, content_type = encode(pairs, encoding)

    form = parsed(body, content_type)
    fields = {k: v for k, v in form.items() if k not in CONTROL}
    note(f"the app reads: {fields!r}")
    url = f"/s/{token}" + ("/answer" if endpoint == "answer" else "")
    response = client.post(url, data=body, content_type=content_type)

    after, submitted, envelopes_after = _state(db, invitation.id, rnd.id)
    page = response.get_data(as_text=True)
    unchanged = (before, False, envelopes)
    if len(body) > app.config["MAX_CONTENT_LENGTH"]:  # refused unread
        assert response.status_code == 413
        assert (after, submitted, envelopes_after) == unchanged
        return
    assert response.status_code in (200, 303), response.status_code
    for value in (*fields, *fields.values()):
        if isinstance(value, str) and len(value) > MAX:  # nothing long comes back
            assert value not in page
    assert len(page) < 150_000

    values = check(fields, ids, keys)
    merged = answered({**before, **(values or {})})
    if values is None:
        assert (after, submitted, envelopes_after) == unchanged
        assert response.status_code == 200
        return
    if endpoint == "answer":
        assert (after, submitted, envelopes_after) == (merged, False, envelopes)
        return
    changes = [k for k, v in values.items() if k in before and before[k] != v]
    if form.get("draft_fingerprint", "") != draft_fingerprint(before) and changes:
        # an outdated form would change or clear what was saved: nothing is written
        assert (after, submitted, envelopes_after) == unchanged
    elif form.get("action") == "save":
        assert (after, submitted, envelopes_after) == (merged, False, envelopes)
        assert response.status_code == 303
    elif not any(k.startswith("s") for k in merged):
        assert (after, submitted, envelopes_after) == unchanged  # "answer one statement"
    else:
        scores, comments, grade = envelope_of(merged)
        expected = (repr(sorted(scores.items())), repr(sorted(comments.items())), repr(grade))
        assert (after, submitted) == ({}, True)
        assert envelopes_after == sorted([*envelopes, expected])
