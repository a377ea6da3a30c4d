"""A small closed round built by hand, with every threshold case, and a manager login.

Threshold 3. Legs 1 and 2 (4 statements each; every rater gives one score per leg):

| manager | team | raters (leg 1 scores) | all_others leg 1 |
|---|---|---|---|
| Anna Alpha | =HYPERLINK(...) | self 5, supervisor 3, DR 2, 3, 4 | 3.0 (n 4) |
| Bert Beta | Noord | supervisor 2, DR 1, 2 (DR suppressed) | hidden |
| Cees Gamma | Zuid | DR 4, 4, 4 (+ one DR on one statement: 2, counts nowhere) | 4.0 (n 3) |
| Dirk Delta | @Noord | DR 5, 5, 5 | 5.0 (n 3) |
| Eva Epsilon | Zuid | DR 3, 3, peer 3, 1 (both below 3: pooled in others) | 2.5 (n 4) |

Leg 2: Anna self 4, supervisor 3, DR 4, 4, 5 (all_others 4.0, DR 4.33); nobody else.
Leg 1 norm: (3.0 + 4.0 + 5.0 + 2.5) / 4 managers = 3.625. Leg 2: no norm (one manager).
Hidden figures that must never appear: Bert's DR leg mean 1.5 and all_others 1.667.
"""

from dataclasses import dataclass

import pytest

from feedback.models import RaterGroup, RoundStatus
from tests.factories import (
    add_rated_participant,
    add_response,
    make_rated_manager,
    make_user,
)

DR, PEER = RaterGroup.DIRECT_REPORT, RaterGroup.PEER
FORMULA_TEAM = '=HYPERLINK("http://evil.test","click")'


@dataclass
class Seeded:
    rnd: object
    anna: object
    bert: object
    cees: object
    dirk: object
    eva: object
    leg1: object
    leg2: object

    @property
    def managers(self):
        return [self.anna, self.bert, self.cees, self.dirk, self.eva]


def _scores(leg, value):
    return {st.id: value for st in leg.statements}


def _rename(db, participant, name, team):
    participant.person.name = name
    participant.person.team = team
    db.session.commit()


@pytest.fixture
def seeded(db):
    rnd, anna, _links = make_rated_manager(db, reports=3, status=RoundStatus.CLOSED)
    leg1, leg2 = rnd.framework.legs[:2]
    _rename(db, anna, "Anna Alpha", FORMULA_TEAM)

    def both(self_1, self_2):
        return {**_scores(leg1, self_1), **_scores(leg2, self_2)}

    add_response(db, anna, group="self", scores=both(5, 4), grade=8)
    add_response(db, anna, group="supervisor", scores=both(3, 3), grade=7)
    for one, two in ((2, 4), (3, 4), (4, 5)):
        add_response(db, anna, group=DR, scores=both(one, two), grade=7)

    bert = add_rated_participant(db, rnd, name="Bert Beta")
    _rename(db, bert, "Bert Beta", "Noord")
    add_response(db, bert, group="supervisor", scores=_scores(leg1, 2))
    for value in (1, 2):
        add_response(db, bert, group=DR, scores=_scores(leg1, value))

    cees = add_rated_participant(db, rnd)
    _rename(db, cees, "Cees Gamma", "Zuid")
    for _ in range(3):
        add_response(db, cees, group=DR, scores=_scores(leg1, 4))
    add_response(db, cees, group=DR, scores={leg1.statements[0].id: 2})  # too few for the leg

    dirk = add_rated_participant(db, rnd)
    _rename(db, dirk, "Dirk Delta", "@Noord")
    for _ in range(3):
        add_response(db, dirk, group=DR, scores=_scores(leg1, 5))

    eva = add_rated_participant(db, rnd)
    _rename(db, eva, "Eva Epsilon", "Zuid")
    for score, group in ((3, DR), (3, DR), (3, PEER), (1, PEER)):
        add_response(db, eva, group=group, scores=_scores(leg1, score))
    return Seeded(rnd, anna, bert, cees, dirk, eva, leg1, leg2)


@pytest.fixture
def manager_client(client, auth, db, seeded):
    user = make_user(db, role="manager", person=seeded.anna.person)
    assert auth.login(user.email).status_code == 302
    return client
