"""The round services, called directly (no HTTP)."""

import re

import pytest
import sqlalchemy as sa

from feedback.admin.creation import create_round, eligible_managers, manager_picker
from feedback.admin.dashboard import OMITTED, response_dashboard
from feedback.admin.launch import launch_problems, launch_round
from feedback.admin.raters import add_rater, draft_raters, proposed_raters, remove_rater
from feedback.admin.rounds import AdminError, list_rounds, settings_lock, update_round
from feedback.admin.transitions import close_round, publish_round
from feedback.extensions import db as _db
from feedback.models import (
    Framework,
    InvitationToken,
    Participant,
    Round,
    RoundStatus,
    Statement,
    User,
)
from feedback.tokens import hash_token
from tests import factories
from tests.admin.admin_helpers import count, invitations_of, outbox, reload_round, settings


def groups_by_email(rnd_id):
    return {(inv.participant.person.name, inv.email): inv.group for inv in invitations_of(rnd_id)}


def make_draft(org, *managers):
    managers = managers or ("anna", "bob")
    return create_round(settings(), [org[m].id for m in managers])


# --- proposals and creation ----------------------------------------------------------------


def test_proposed_raters_are_self_active_reports_and_active_supervisor(org):
    proposed = proposed_raters(org["bob"])
    assert [(p.name, str(g)) for p, g in proposed] == [
        ("Bob Manager", "self"),
        (org["bob_reps"][0].name, "direct_report"),
        ("Dora Director", "supervisor"),
    ]
    org["director"].active = False
    assert ("Dora Director", "supervisor") not in [
        (p.name, str(g)) for p, g in proposed_raters(org["bob"])
    ]
    # The director has no manager: no supervisor proposed.
    assert all(g != "supervisor" for _, g in proposed_raters(org["director"]))


def test_eligible_managers_have_active_reports_and_filter(org):
    names = [p.name for p in eligible_managers()]
    assert names == ["Anna Manager", "Bob Manager", "Dora Director"]
    assert [p.name for p in eligible_managers("bob")] == ["Bob Manager"]
    assert [p.name for p in eligible_managers("%")] == []


def test_create_round_copies_framework_and_proposes_raters(org):
    rnd = make_draft(org)
    assert rnd.status == RoundStatus.DRAFT and rnd.threshold == 3
    framework = _db.session.get(Framework, rnd.framework_id)
    assert framework.is_template is False
    template = _db.session.scalar(sa.select(Framework).where(Framework.is_template.is_(True)))
    assert len(framework.statements) == len(template.statements) > 0
    proposals = groups_by_email(rnd.id)
    anna_reps = {("Anna Manager", r.email): "direct_report" for r in org["anna_reps"]}
    assert proposals == {
        ("Anna Manager", org["anna"].email): "self",
        ("Anna Manager", "dora@example.test"): "supervisor",
        **anna_reps,
        ("Bob Manager", org["bob"].email): "self",
        ("Bob Manager", org["bob_reps"][0].email): "direct_report",
        ("Bob Manager", "dora@example.test"): "supervisor",
    }
    assert count(InvitationToken) == 0
    assert {
        inv.language
        for inv in invitations_of(rnd.id)
        if inv.participant.person.name == "Bob Manager"
    } == {"en", "nl"}


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"name": "  "}, "name"),
        ({"threshold": 1}, "threshold"),
        ({"closes_on": settings().opens_on}, "after the open date"),
    ],
)
def test_create_round_refuses_bad_settings_and_changes_nothing(org, overrides, message):
    with pytest.raises(AdminError, match=message):
        create_round(settings(**overrides), [org["anna"].id])
    assert count(Round) == count(Participant) == 0
    assert count(Framework) == 0


def test_create_round_refuses_no_or_ineligible_managers(org):
    with pytest.raises(AdminError, match="at least one manager"):
        create_round(settings(), [])
    with pytest.raises(AdminError, match="not active managers"):
        create_round(settings(), [org["anna"].id, org["gone"].id])
    with pytest.raises(AdminError, match="not active managers"):
        create_round(settings(), [org["peer"].id])
    assert count(Round) == 0


def test_manager_picker_keeps_choices_outside_the_filter(org):
    picker = manager_picker("bob", [org["anna"].id, org["gone"].id])
    assert [m.name for m in picker.shown] == ["Bob Manager"]
    assert picker.hidden_selected == [org["anna"].id]  # the inactive one is dropped
    assert picker.selected_count == 1 and picker.total == 3
    picker = manager_picker("manager", [], "select_all")
    assert {m.name for m in picker.shown if m.checked} == {"Anna Manager", "Bob Manager"}
    picker = manager_picker("bob", [org["anna"].id, org["bob"].id], "select_none")
    assert picker.selected_count == 1 and picker.hidden_selected == [org["anna"].id]
    assert {m.name: m.reports for m in manager_picker("", []).shown}["Bob Manager"] == 1


# --- raters ---------------------------------------------------------------------------------


def participant_of(rnd, person):
    return _db.session.scalar(
        sa.select(Participant).where(
            Participant.round_id == rnd.id, Participant.person_id == person.id
        )
    )


def test_add_and_remove_peer(org):
    rnd = make_draft(org)
    anna = participant_of(rnd, org["anna"])
    invitation = add_rater(rnd.id, anna.id, "PIET@example.test", "peer")
    assert (invitation.group, invitation.language) == ("peer", "en")
    remove_rater(rnd.id, anna.id, invitation.id)
    assert ("Anna Manager", "piet@example.test") not in groups_by_email(rnd.id)
    # by unique name too
    assert add_rater(rnd.id, anna.id, "piet peer", "peer").email == "piet@example.test"


@pytest.mark.parametrize(
    ("who", "group", "message"),
    [
        ("dora@example.test", "peer", "already rates"),  # proposed as supervisor already
        ("anna", "peer", "being rated"),  # replaced by the manager's e-mail below
        ("nobody@example.test", "peer", "Nobody"),
        ("", "peer", "Type the e-mail"),
        ("piet@example.test", "self", "Choose the rater's group"),
        ("piet@example.test", "boss", "Choose the rater's group"),
        ("gone", "peer", "not active"),
    ],
)
def test_add_rater_refusals_change_nothing(org, who, group, message):
    rnd = make_draft(org)
    anna = participant_of(rnd, org["anna"])
    if who in ("anna", "gone"):
        who = org[who].email
    before = groups_by_email(rnd.id)
    with pytest.raises(AdminError, match=message):
        add_rater(rnd.id, anna.id, who, group)
    assert groups_by_email(rnd.id) == before


def test_add_rater_ambiguous_name_asks_for_email(org):
    rnd = make_draft(org)
    factories.make_person(_db, name="Piet Peer", email="piet2@example.test")
    with pytest.raises(AdminError, match="More than one"):
        add_rater(rnd.id, participant_of(rnd, org["anna"]).id, "Piet Peer", "peer")


def test_self_cannot_be_removed_and_other_rounds_ids_are_refused(org):
    rnd = make_draft(org)
    anna = participant_of(rnd, org["anna"])
    bob = participant_of(rnd, org["bob"])
    self_inv = next(i for i in anna.invitations if i.group == "self")
    with pytest.raises(AdminError, match="self-assessment"):
        remove_rater(rnd.id, anna.id, self_inv.id)
    bob_rep = next(i for i in bob.invitations if i.group == "direct_report")
    with pytest.raises(AdminError, match="not in the round"):
        remove_rater(rnd.id, anna.id, bob_rep.id)
    with pytest.raises(AdminError, match="not part of the round"):
        add_rater(rnd.id, 99999, "piet@example.test", "peer")
    assert len(invitations_of(rnd.id)) == 8


def test_raters_are_frozen_after_launch(org):
    rnd = make_draft(org)
    anna = participant_of(rnd, org["anna"])
    launch_round(rnd.id)
    with pytest.raises(AdminError, match="before the round is launched"):
        add_rater(rnd.id, anna.id, "piet@example.test", "peer")
    rep = next(i for i in invitations_of(rnd.id) if i.group == "direct_report")
    with pytest.raises(AdminError, match="before the round is launched"):
        remove_rater(rnd.id, rep.participant_id, rep.id)
    assert draft_raters(rnd.id) == []


# --- settings ---------------------------------------------------------------------------------


def test_update_round_in_draft_and_threshold_lock(org):
    rnd = make_draft(org)
    update_round(rnd.id, settings(name="Renamed", threshold=4))
    assert (reload_round(rnd.id).name, reload_round(rnd.id).threshold) == ("Renamed", 4)
    rnd = reload_round(rnd.id)
    rnd.answers_started = True
    _db.session.commit()
    assert settings_lock(rnd).threshold_locked
    with pytest.raises(AdminError, match="threshold is locked"):
        update_round(rnd.id, settings(name="Again", threshold=5))
    assert reload_round(rnd.id).name == "Renamed"
    update_round(rnd.id, settings(name="Again", threshold=4))  # same threshold: fine
    assert reload_round(rnd.id).name == "Again"


def test_update_round_refused_after_launch(org):
    rnd = make_draft(org)
    launch_round(rnd.id)
    with pytest.raises(AdminError, match="before the round is launched"):
        update_round(rnd.id, settings(name="Late"))
    lock = settings_lock(reload_round(rnd.id))
    assert not lock.editable and "launched" in lock.reason


# --- launch -------------------------------------------------------------------------------------

LINK = re.compile(r"http://localhost/s/([A-Za-z0-9_\-]+)")
PASSWORD_LINK = re.compile(r"http://localhost/auth/password/([A-Za-z0-9_\-]+)")


def test_launch_creates_hashed_tokens_and_mails_each_rater_in_their_language(org, mailbox):
    rnd = make_draft(org)
    result = launch_round(rnd.id)
    invitations = invitations_of(rnd.id)
    assert result.invitations == len(invitations) == 8
    rnd = reload_round(rnd.id)
    assert rnd.status == RoundStatus.OPEN and rnd.launched_at is not None
    mails = outbox("invitation")
    assert sorted(m.to for m in mails) == sorted(i.email for i in invitations)
    assert sorted(m.to for m in mailbox.of("invitation")) == sorted(m.to for m in mails)
    by_email = {i.email: i for i in invitations}
    for written in mailbox.of("invitation"):
        token = LINK.search(written.text).group(1)
        assert LINK.search(written.html).group(1) == token
        stored = _db.session.get(InvitationToken, hash_token(token))
        assert stored is not None and stored.invitation.email == written.to
    for mail in mails:
        # Without a mail server the stored copy has no link at all, sealed or not.
        assert not LINK.search(mail.body_text) and mail.sealed_body is None
        lang = by_email[mail.to].language
        expected = "Je persoonlijke link" if lang == "nl" else "Your personal link"
        assert expected in mail.body_text
        assert all(i.sent_at is not None for i in invitations)
    # The self-assessment mail reads differently.
    self_mail = next(m for m in mails if m.to == org["bob"].email)
    assert self_mail.subject.startswith("Your self-assessment")
    # The director rates two managers: two mails, each naming its manager.
    director_subjects = sorted(m.subject for m in mails if m.to == "dora@example.test")
    assert director_subjects == [
        "Je feedback over Anna Manager gevraagd: Spring",
        "Je feedback over Bob Manager gevraagd: Spring",
    ]


def test_launch_creates_manager_accounts_and_password_mails(org, mailbox):
    existing = factories.make_user(_db, role="manager", person=org["bob"])  # has a password
    rnd = make_draft(org)
    result = launch_round(rnd.id)
    assert result.password_mails == 1
    anna_user = _db.session.scalar(sa.select(User).where(User.person_id == org["anna"].id))
    assert anna_user.role == "manager" and anna_user.password_hash is None
    (mail,) = outbox("password")
    assert mail.to == org["anna"].email and "Wachtwoord" in mail.body_html
    assert not PASSWORD_LINK.search(mail.body_text) and not PASSWORD_LINK.search(mail.body_html)
    (written,) = mailbox.of("password")
    token = PASSWORD_LINK.search(written.text).group(1)
    assert anna_user.password_token_hash == hash_token(token)
    assert _db.session.get(User, existing.id).password_token_hash is None


def test_second_launch_is_refused_and_sends_nothing(org):
    rnd = make_draft(org)
    launch_round(rnd.id)
    mails, tokens = count_mail(), count(InvitationToken)
    with pytest.raises(AdminError, match="already launched"):
        launch_round(rnd.id)
    assert (count_mail(), count(InvitationToken)) == (mails, tokens)


def count_mail():
    return len(outbox())


def test_launch_refused_when_a_manager_has_only_self(org):
    rnd = make_draft(org)
    bob = participant_of(rnd, org["bob"])
    for inv in list(bob.invitations):
        if inv.group != "self":
            remove_rater(rnd.id, bob.id, inv.id)
    assert launch_problems(rnd.id) == ["Bob Manager has no raters besides themself."]
    with pytest.raises(AdminError, match="Bob Manager has no raters"):
        launch_round(rnd.id)
    assert reload_round(rnd.id).status == RoundStatus.DRAFT
    assert count(InvitationToken) == 0 and count_mail() == 0 and count(User) == 0


def test_launch_with_a_bad_address_sends_nothing(org):
    rnd = make_draft(org)
    org["anna_reps"][0].email = "not an address"
    inv = next(i for i in invitations_of(rnd.id) if i.person_id == org["anna_reps"][0].id)
    inv.email = "not an address"
    _db.session.commit()
    with pytest.raises(AdminError, match="not a valid e-mail"):
        launch_round(rnd.id)
    assert reload_round(rnd.id).status == RoundStatus.DRAFT
    assert count_mail() == 0 and count(InvitationToken) == 0


# --- dashboard ----------------------------------------------------------------------------------


def _statements(action):
    statements = []

    def record(conn, cursor, statement, *args):
        statements.append(statement)

    sa.event.listen(_db.engine, "before_cursor_execute", record)
    try:
        result = action()
    finally:
        sa.event.remove(_db.engine, "before_cursor_execute", record)
    return result, statements


def test_dashboard_counts_per_manager_and_group_in_one_query(org):
    rnd = make_draft(org)
    launch_round(rnd.id)
    invitations = invitations_of(rnd.id)
    anna_reps = [
        i
        for i in invitations
        if i.group == "direct_report" and i.participant.person.name == "Anna Manager"
    ]
    anna_reps[0].submitted = True
    anna_reps[1].submitted = True
    next(i for i in invitations if i.email == org["bob"].email).submitted = True
    _db.session.commit()
    round_id = rnd.id

    # The first look counts: one GROUP BY over the invitations.
    dashboard, statements = _statements(lambda: response_dashboard(round_id))
    on_invitations = [s for s in statements if "FROM invitation" in s]
    assert len(on_invitations) == 1 and "GROUP BY" in on_invitations[0].upper()
    # Later looks in the hour read the stored counts only: no query of the invitations.
    again, statements = _statements(lambda: response_dashboard(round_id))
    assert again == dashboard
    assert not [s for s in statements if re.search(r"\binvitation\b", s)]
    assert all(s.lstrip().upper().startswith("SELECT") for s in statements)

    # Threshold 3. Anna: self 1, supervisor 1, direct reports 3. The two small groups (2
    # invitations) cannot make a pool of 3 on their own, so the direct reports join them:
    # only "other raters" = the total is shown, nothing per group.
    anna, bob = dashboard.managers
    assert anna.name == "Anna Manager"
    assert {g.group: g.state for g in anna.groups} == {
        "self": "pooled",
        "supervisor": "pooled",
        "direct_report": "pooled",
        "peer": "none",
    }
    assert all(g.rate is None for g in anna.groups)
    assert (anna.others.answered, anna.others.invited) == (2, 5)
    assert (anna.total.answered, anna.total.invited, anna.total.percent) == (2, 5, 40)
    # Bob's self answered; with one rater per group nobody can see that it was his self.
    assert all(g.rate is None for g in bob.groups)
    assert (bob.others.answered, bob.others.invited) == (1, 3)
    # Round level: the sums of what is shown above; never a self or supervisor total.
    by_group = {g.group: g for g in dashboard.by_group}
    assert by_group["self"].state == by_group["supervisor"].state == OMITTED
    assert by_group["self"].rate is None and by_group["supervisor"].rate is None
    assert by_group["direct_report"].state == "pooled" and by_group["direct_report"].rate is None
    assert (dashboard.others.answered, dashboard.others.invited) == (3, 8)
    assert (dashboard.total.answered, dashboard.total.invited) == (3, 8)
    assert dashboard.invited == 8 and dashboard.hidden_managers == 0
    assert dashboard.counted_at is not None and not dashboard.final
    assert "email" not in repr(dashboard).lower()


def test_list_rounds_counts(org):
    rnd = make_draft(org)
    launch_round(rnd.id)
    inv = invitations_of(rnd.id)[0]
    inv.submitted = True
    _db.session.commit()
    make_draft(org, "anna")
    rows = list_rounds()
    assert [(r.managers, r.rate.answered, r.rate.invited) for r in rows] == [
        (2, 1, 8),
        (1, 0, 5),
    ] or [(r.managers, r.rate.answered, r.rate.invited) for r in rows] == [(1, 0, 5), (2, 1, 8)]
    assert {r.status for r in rows} == {"open", "draft"}


# --- close and publish ----------------------------------------------------------------------------


def test_close_then_publish(org):
    rnd = make_draft(org)
    with pytest.raises(AdminError, match="Only a round that is open"):
        close_round(rnd.id)
    with pytest.raises(AdminError, match="Only a round that is closed"):
        publish_round(rnd.id)
    launch_round(rnd.id)
    with pytest.raises(AdminError, match="this one is open"):
        publish_round(rnd.id)
    closed = close_round(rnd.id)
    assert closed.status == RoundStatus.CLOSED and closed.closed_at is not None
    with pytest.raises(AdminError):
        close_round(rnd.id)
    published = publish_round(rnd.id)
    assert published.status == RoundStatus.PUBLISHED and published.published_at is not None
    for action in (close_round, publish_round, launch_round):
        with pytest.raises(AdminError):
            action(rnd.id)
    assert reload_round(rnd.id).status == RoundStatus.PUBLISHED


def test_unknown_round_is_refused(db):
    for action in (launch_round, close_round, publish_round):
        with pytest.raises(AdminError, match="does not exist"):
            action(12345)


def test_cleaning_after_close_can_run_again_and_changes_no_data(db):
    rnd, _participant, links = factories.make_rated_manager(db)
    from feedback.admin import closing
    from feedback.models import Answer, RaterGroup, Response
    from feedback.survey import services as survey

    sid = db.session.scalar(sa.select(Statement.id).limit(1))
    for _invitation, token in links[RaterGroup.DIRECT_REPORT][:3]:
        link = survey.find_invitation(token).link
        assert survey.submit(link, {f"s{sid}": "4"}) == survey.Outcome.SUBMITTED
    closed = close_round(rnd.id)
    assert closed.status == RoundStatus.CLOSED
    before = db.session.execute(sa.select(Answer.response_id, Answer.score)).all()
    assert closing.clean_after_close(rnd.id) is True
    assert closing.clean_after_close(rnd.id) is True
    db.session.expire_all()
    assert db.session.execute(sa.select(Answer.response_id, Answer.score)).all() == before
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Response)) == 3
