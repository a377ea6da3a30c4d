"""A submitted response while its round is open: sealed in an envelope (SECURITY.md).

The envelope holds everything the response rows will hold after close (manager, rater
group, grade, scores, comments) as one JSON document, padded to a multiple of PAD_BYTES so
that its size says little about how much was written, and sealed with the instance key
for its round. Nothing in it or around it names the rater.

Pure functions: no Flask, no database (the key comes in as the `seal`/`unseal` callables'
business, see feedback/sealing.py).
"""

import json
from collections.abc import Callable
from dataclasses import dataclass

# Most envelopes (24 scores, a few sentences of comments) fit in one block; a size beyond
# it only says that someone wrote a lot, never who.
PAD_BYTES = 16 * 1024


@dataclass(frozen=True)
class SealedAnswers:
    participant_id: int
    group: str
    grade: int | None
    scores: dict[int, int | None]  # statement id -> 1..5, None for "don't know"
    comments: dict[str, str]  # open question key -> text


def context(round_id: int) -> str:
    """What a round's envelopes are bound to: one moved to another round does not open."""
    return f"response:{round_id}"


def pad(data: bytes, block: int = PAD_BYTES) -> bytes:
    """JSON followed by spaces up to the next multiple of `block` (JSON ignores them)."""
    return data + b" " * (-len(data) % block)


def encode(answers: SealedAnswers) -> bytes:
    document = {
        "participant_id": answers.participant_id,
        "group": answers.group,
        "grade": answers.grade,
        "scores": {str(k): v for k, v in answers.scores.items()},
        "comments": dict(answers.comments),
    }
    return pad(json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode())


def decode(data: bytes) -> SealedAnswers:
    document = json.loads(data.decode())
    return SealedAnswers(
        participant_id=int(document["participant_id"]),
        group=str(document["group"]),
        grade=document["grade"],
        scores={int(k): v for k, v in document["scores"].items()},
        comments={str(k): str(v) for k, v in document["comments"].items()},
    )


def seal_answers(
    round_id: int, answers: SealedAnswers, seal: Callable[[bytes, str], bytes]
) -> bytes:
    return seal(encode(answers), context(round_id))


def open_answers(
    round_id: int, sealed: bytes, unseal: Callable[[bytes, str], bytes]
) -> SealedAnswers:
    return decode(unseal(sealed, context(round_id)))


def rows(
    answers: SealedAnswers, round_id: int, new_id: Callable[[], str]
) -> tuple[dict, list[dict], list[dict]]:
    """The response, answer and comment rows of one opened envelope, with fresh ids."""
    response_id = new_id()
    response = {
        "id": response_id,
        "round_id": round_id,
        "participant_id": answers.participant_id,
        "group": answers.group,
        "grade": answers.grade,
    }
    answer_rows = [
        {"response_id": response_id, "statement_id": sid, "score": score}
        for sid, score in answers.scores.items()
    ]
    comment_rows = [
        {"id": new_id(), "response_id": response_id, "question_key": key, "text": text}
        for key, text in answers.comments.items()
    ]
    return response, answer_rows, comment_rows


def shuffled_rows(
    opened: list[SealedAnswers],
    round_id: int,
    new_id: Callable[[], str],
    shuffle: Callable[[list], None],
) -> tuple[list[dict], list[dict], list[dict]]:
    """Every row of a round's opened envelopes, each table in its own random order."""
    responses: list[dict] = []
    answers: list[dict] = []
    comments: list[dict] = []
    for one in opened:
        response, answer_rows, comment_rows = rows(one, round_id, new_id)
        responses.append(response)
        answers.extend(answer_rows)
        comments.extend(comment_rows)
    for table in (responses, answers, comments):
        shuffle(table)
    return responses, answers, comments
