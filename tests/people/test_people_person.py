"""One person's page for HR (/people/<id>): view, edit, every rule, open rounds."""

import re

import pytest
import sqlalchemy as sa

from feedback.models import Invitation, InvitationToken, OutboxMessage, Person, RoundStatus, User
from feedback.people.editing import reporting_loop
from tests.factories import (
    add_participant,
    draft_of,
    make_invitation,
    make_person,
    make_round,
    make_user,
    statement_ids,
)

# ---------------------------------------------------------------- the loop rule (pure)


def test_no_manager_is_no_loop():
    assert reporting_loop(1, None, {}) is None


def test_own_manager_is_a_loop_of_one():
    assert reporting_loop(1, 1, {1: None}) == [1, 1]


def test_a_manager_above_is_no_loop():
    # 3 -> 2 -> 1: giving 3 the manager 1 (their manager's manager) is fine.
    assert reporting_loop(3, 1, {3: 2, 2: 1, 1: None}) is None


def test_a_direct_report_as_manager_is_a_loop():
    assert reporting_loop(1, 2, {2: 1, 1: None}) == [1, 2, 1]


def test_a_report_further_down_as_manager_is_a_loop():
    manager_of = {4: 3, 3: 2, 2: 1, 1: None}
    assert reporting_loop(1, 4, manager_of) == [1, 4, 3, 2, 1]


def test_the_persons_own_current_manager_is_ignored():
    # 1 reports to 2 today; giving 1 the manager 3 (who reports to nobody) is fine.
    assert reporting_loop(1, 3, {1: 2, 2: None, 3: None}) is None


def test_a_loop_elsewhere_in_old_data_does_not_refuse():
    # 5 <-> 6 loop in old data; 1 picks 5 as manager: 1 is not in that loop.
    assert reporting_loop(1, 5, {5: 6, 6: 5, 1: None}) is None


def test_an_unknown_manager_chain_ends():
    assert reporting_loop(1, 9, {}) is None


# ---------------------------------------------------------------- over HTTP


@pytest.fixture
def hr_en(hr_client):
    """HR, reading the pages in English."""
    hr_client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    return hr_client


@pytest.fixture
def org(db):
    boss = make_person(db, name="Bea Boss", email="bea@example.com", role="director", team="HQ")
    mark = make_person(
        db, name="Mark Manager", email="mark@example.com", role="manager", manager=boss
    )
    rita = make_person(
        db, name="Rita Rep", email="rita@example.com", manager=mark, team="Noord", language="nl"
    )
    return {"boss": boss, "mark": mark, "rita": rita}


def form_of(person, **changes):
    data = {
        "name": person.name,
        "email": person.email,
        "language": person.language,
        "role": person.role,
        "team": person.team or "",
        "manager_email": person.manager.email if person.manager else "",
        "active": "yes" if person.active else "no",
    }
    data.update(changes)
    return data


def snapshot(db):
    db.session.expire_all()
    people = db.session.execute(
        sa.select(
            Person.id,
            Person.name,
            Person.email,
            Person.language,
            Person.role,
            Person.team,
            Person.manager_id,
            Person.active,
        ).order_by(Person.id)
    ).all()
    invitations = db.session.execute(
        sa.select(Invitation.id, Invitation.email, Invitation.language).order_by(Invitation.id)
    ).all()
    accounts = db.session.execute(sa.select(User.id, User.email, User.active)).all()
    return people, invitations, accounts


def reload(db, person):
    db.session.expire_all()
    return db.session.get(Person, person.id)


def test_the_page_shows_the_person_in_words(db, hr_en, org):
    html = hr_en.get(f"/people/{org['rita'].id}").get_data(as_text=True)
    assert "Rita Rep" in html and "rita@example.com" in html
    assert re.search(r'<option value="nl" selected>Dutch</option>', html)
    assert re.search(r'<option value="rep" selected>Sales rep</option>', html)
    assert 'value="mark@example.com"' in html  # the manager
    assert "Changes apply to feedback rounds set up from now on" in html
    assert f'href="/people/{org["mark"].id}"' in html  # the manager's page


def test_the_page_in_dutch(db, hr_client, org):
    hr_client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "nl"
    html = hr_client.get(f"/people/{org['rita'].id}").get_data(as_text=True)
    assert '<option value="nl" selected>Nederlands</option>' in html
    assert '<option value="rep" selected>Verkoper</option>' in html
    assert "Wijzigingen gelden voor feedbackrondes" in html
    assert "Changes apply" not in html


def test_list_and_tree_link_to_the_person_and_show_words(db, hr_en, org):
    listed = hr_en.get("/people/").get_data(as_text=True)
    tree = hr_en.get("/people/tree").get_data(as_text=True)
    for html in (listed, tree):
        for person in org.values():
            assert f'href="/people/{person.id}"' in html
        assert "Sales rep" in html and "Sales director" in html
    assert "<td>Dutch</td>" in listed and "<td>rep</td>" not in listed


def test_list_and_tree_in_dutch(db, hr_client, org):
    hr_client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "nl"
    listed = hr_client.get("/people/").get_data(as_text=True)
    assert "<td>Verkoper</td>" in listed and "<td>Nederlands</td>" in listed
    assert "Sales rep" not in listed and "Dutch" not in listed
    tree = hr_client.get("/people/tree").get_data(as_text=True)
    assert "Verkoopdirecteur" in tree and "1 directe medewerker" in tree


def test_unknown_person_is_404(db, hr_en):
    assert hr_en.get("/people/999999").status_code == 404
    assert hr_en.post("/people/999999", data={"name": "x"}).status_code == 404
    assert hr_en.post("/people/999999/resend").status_code == 404


def test_anonymous_goes_to_login_and_a_manager_gets_404(db, client, auth, org):
    url = f"/people/{org['rita'].id}"
    for response in (client.get(url), client.post(url, data=form_of(org["rita"], name="X"))):
        assert response.status_code == 302 and "/auth/login" in response.headers["Location"]
    account = make_user(db, role="manager", person=org["mark"])
    auth.login_as(account)
    before = snapshot(db)
    assert client.get(url).status_code == 404
    assert client.post(url, data=form_of(org["rita"], name="X")).status_code == 404
    assert client.post(url + "/resend").status_code == 404
    assert snapshot(db) == before


def test_the_edit_needs_a_csrf_token(app, db, hr_en, org):
    rita = org["rita"]
    before = snapshot(db)
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        refused = hr_en.post(f"/people/{rita.id}", data=form_of(rita, name="Changed"))
        resend = hr_en.post(f"/people/{rita.id}/resend")
        page = hr_en.get(f"/people/{rita.id}").get_data(as_text=True)
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        accepted = hr_en.post(
            f"/people/{rita.id}", data=form_of(rita, name="Changed", csrf_token=token)
        )
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    assert refused.status_code == 400 and resend.status_code == 400
    assert accepted.status_code == 303
    assert reload(db, rita).name == "Changed"
    people_before = {row.id: row for row in before[0]}
    assert people_before[rita.id].name == "Rita Rep"


def test_save_changes_every_field(db, hr_en, org):
    rita, boss = org["rita"], org["boss"]
    response = hr_en.post(
        f"/people/{rita.id}",
        data=form_of(
            rita,
            name="  Rita   de Rep ",
            email="Rita.New@Example.com",
            language="en",
            role="manager",
            team="Zuid",
            manager_email="BEA@example.com",
        ),
    )
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/people/{rita.id}")
    person = reload(db, rita)
    assert (person.name, person.email, person.language, person.role, person.team) == (
        "Rita de Rep",
        "rita.new@example.com",
        "en",
        "manager",
        "Zuid",
    )
    assert person.manager_id == boss.id
    page = hr_en.get(f"/people/{rita.id}").get_data(as_text=True)
    assert "Saved. The changes apply to rounds set up from now on." in page


def test_blank_team_and_manager_mean_none(db, hr_en, org):
    rita = org["rita"]
    hr_en.post(f"/people/{rita.id}", data=form_of(rita, team=" ", manager_email=""))
    person = reload(db, rita)
    assert person.team is None and person.manager_id is None


def test_saving_nothing_new_says_so(db, hr_en, org):
    rita = org["rita"]
    page = hr_en.post(f"/people/{rita.id}", data=form_of(rita), follow_redirects=True)
    assert "Nothing was changed." in page.get_data(as_text=True)


@pytest.mark.parametrize(
    "changes, field, message",
    [
        ({"name": "   "}, "name", "Fill in a name."),
        ({"name": "x" * 201}, "name", "A name can be at most 200 characters."),
        ({"name": "Rita\x1b[31m"}, "name", "The name contains a control character."),
        ({"email": ""}, "email", "Fill in an e-mail address."),
        ({"email": "not an address"}, "email", "not an address is not a valid e-mail address."),
        ({"email": "rita@"}, "email", "rita@ is not a valid e-mail address."),
        (
            {"email": "MARK@example.com"},
            "email",
            "mark@example.com is already the address of Mark Manager.",
        ),
        ({"language": "de"}, "language", "Choose Dutch or English."),
        ({"language": ""}, "language", "Choose Dutch or English."),
        ({"role": "hr-boss"}, "role", "Choose one of the roles in the list."),
        ({"team": "t" * 121}, "team", "A team can be at most 120 characters."),
        ({"team": "Noord\x00"}, "team", "The team contains a control character."),
        (
            {"manager_email": "nobody@example.com"},
            "manager_email",
            "Nobody in the organisation has the address nobody@example.com.",
        ),
        (
            {"manager_email": "boss at example"},
            "manager_email",
            "boss at example is not a valid e-mail address.",
        ),
        (
            {"manager_email": "Rita@Example.com"},
            "manager_email",
            "A person cannot be their own manager.",
        ),
    ],
)
def test_bad_input_is_refused_with_a_message_and_changes_nothing(
    db, hr_en, org, changes, field, message
):
    rita = org["rita"]
    before = snapshot(db)
    response = hr_en.post(f"/people/{rita.id}", data=form_of(rita, **changes))
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert f'<p class="error" id="{field}-error" role="alert">' in html
    assert message.replace("'", "&#39;") in html
    assert "Nothing was saved" in html
    assert snapshot(db) == before


def test_a_loop_through_reports_is_refused(db, hr_en, org):
    boss = org["boss"]
    before = snapshot(db)
    response = hr_en.post(
        f"/people/{boss.id}", data=form_of(boss, manager_email="rita@example.com")
    )
    html = response.get_data(as_text=True)
    assert (
        "Rita Rep reports to Bea Boss, directly or through others, so cannot be their "
        "manager: Bea Boss → Rita Rep → Mark Manager → Bea Boss." in html
    )
    assert snapshot(db) == before


def test_a_refusal_in_dutch(db, hr_client, org):
    hr_client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "nl"
    rita = org["rita"]
    html = hr_client.post(f"/people/{rita.id}", data=form_of(rita, language="de")).get_data(
        as_text=True
    )
    assert "Kies Nederlands of Engels." in html
    assert "Choose Dutch or English" not in html


def test_email_of_another_account_is_refused(db, hr_en, org):
    make_user(db, role="hr", email="second.hr@example.com")
    rita = org["rita"]
    before = snapshot(db)
    html = hr_en.post(
        f"/people/{rita.id}", data=form_of(rita, email="Second.HR@example.com")
    ).get_data(as_text=True)
    assert "is already the address of another account." in html
    assert snapshot(db) == before


def test_a_custom_role_from_an_import_can_be_kept(db, hr_en, org):
    odd = make_person(db, name="Odd Role", email="odd@example.com", role="key account")
    html = hr_en.get(f"/people/{odd.id}").get_data(as_text=True)
    assert '<option value="key account" selected>key account</option>' in html
    assert hr_en.post(f"/people/{odd.id}", data=form_of(odd, team="X")).status_code == 303
    assert reload(db, odd).role == "key account"


def test_leaving_ends_the_login_and_coming_back_restores_it(db, hr_en, org):
    mark = org["mark"]
    account = make_user(db, role="manager", person=mark)
    version = account.session_version
    hr_en.post(f"/people/{mark.id}", data=form_of(mark, active="no"))
    db.session.expire_all()
    assert reload(db, mark).active is False
    account = db.session.get(User, account.id)
    assert account.active is False and account.session_version == version + 1
    hr_en.post(f"/people/{mark.id}", data=form_of(reload(db, mark), active="yes"))
    db.session.expire_all()
    assert db.session.get(User, account.id).active is True
    assert '<span class="badge open">active</span>' in hr_en.get(f"/people/{mark.id}").get_data(
        as_text=True
    )


def test_a_new_address_moves_the_login_too(db, hr_en, org):
    mark = org["mark"]
    account = make_user(db, role="manager", person=mark)
    page = hr_en.get(f"/people/{mark.id}").get_data(as_text=True)
    assert "the login uses the new address too" in page
    hr_en.post(f"/people/{mark.id}", data=form_of(mark, email="mark.new@example.com"))
    db.session.expire_all()
    assert db.session.get(User, account.id).email == "mark.new@example.com"


# ---------------------------------------------------------------- rounds


@pytest.fixture
def open_round(db, org):
    """Rita rates Mark in an open round; she has a live link."""
    rnd = make_round(db, name="Spring round", status=RoundStatus.OPEN)
    participant = add_participant(db, rnd, org["mark"])
    invitation, token = make_invitation(db, participant, person=org["rita"])
    return rnd, invitation, token


def mails_to(db, address):
    db.session.expire_all()
    return list(db.session.scalars(sa.select(OutboxMessage).where(OutboxMessage.to == address)))


def test_open_round_keeps_the_invitation_and_asks_to_resend(db, hr_en, org, open_round):
    rnd, invitation, token = open_round
    rita = org["rita"]
    page = hr_en.get(f"/people/{rita.id}").get_data(as_text=True)
    assert "Invited in the open round “Spring round” (1): the invitation is kept." in page
    assert "Send the survey link to the new address?" not in page

    hr_en.post(
        f"/people/{rita.id}", data=form_of(rita, email="rita.new@example.com", language="en")
    )
    db.session.expire_all()
    kept = db.session.get(Invitation, invitation.id)
    assert (kept.email, kept.language) == ("rita@example.com", "nl")  # launched: as it was
    assert hr_en.get(f"/s/{token}").status_code == 200  # the old link still works
    assert mails_to(db, "rita.new@example.com") == []  # nothing is sent without asking

    page = hr_en.get(f"/people/{rita.id}").get_data(as_text=True)
    assert "Send the survey link to the new address?" in page
    assert (
        "In the open round “Spring round” the invitations of this person still go to "
        "rita@example.com. Send the survey link again, to rita.new@example.com?"
    ) in page
    assert "Send the link to rita.new@example.com" in page


def test_resend_mints_a_new_link_and_mails_the_new_address(db, hr_en, org, open_round):
    rnd, invitation, old_token = open_round
    rita = org["rita"]
    hr_en.post(f"/people/{rita.id}", data=form_of(rita, email="rita.new@example.com"))
    db.session.expire_all()
    links_before = db.session.scalar(
        sa.select(sa.func.count()).where(InvitationToken.invitation_id == invitation.id)
    )
    response = hr_en.post(f"/people/{rita.id}/resend", follow_redirects=True)
    html = response.get_data(as_text=True)
    assert "The survey link was sent to the new address (1 mail)." in html
    assert "Send the survey link to the new address?" not in html
    db.session.expire_all()
    assert db.session.get(Invitation, invitation.id).email == "rita.new@example.com"
    links = db.session.scalar(
        sa.select(sa.func.count()).where(InvitationToken.invitation_id == invitation.id)
    )
    assert links == links_before + 1
    (mail,) = mails_to(db, "rita.new@example.com")
    assert mail.kind == "invitation" and mail.round_id == rnd.id
    assert "Mark Manager" in mail.subject
    assert mails_to(db, "rita@example.com") == []
    assert hr_en.get(f"/s/{old_token}").status_code == 200  # old links keep working
    # A second press sends nothing more: the invitation goes to the new address already.
    hr_en.post(f"/people/{rita.id}/resend")
    assert len(mails_to(db, "rita.new@example.com")) == 1


def test_the_resent_link_opens_the_survey_with_its_draft(app, db, hr_en, org, open_round):
    from feedback.mail import mail_stored

    rnd, invitation, old_token = open_round
    first = statement_ids(rnd)[0]
    hr_en.post(f"/s/{old_token}/answer", data={f"s{first}": "4"})
    rita = org["rita"]
    hr_en.post(f"/people/{rita.id}", data=form_of(rita, email="rita.new@example.com"))
    sent = []
    with mail_stored.connected_to(lambda _sender, mail: sent.append(mail), sender=app):
        hr_en.post(f"/people/{rita.id}/resend")
    (mail,) = sent
    assert mail.to == "rita.new@example.com"
    new_token = re.search(r"/s/([A-Za-z0-9_-]+)", mail.text).group(1)
    assert new_token != old_token
    assert hr_en.get(f"/s/{new_token}").status_code == 200
    assert draft_of(db, invitation.id) == {f"s{first}": "4"}  # the draft is kept


def test_resend_does_not_depend_on_whether_the_rater_answered(db, hr_en, org, open_round):
    """HR must not learn who answered: an answered invitation gets the link too."""
    _rnd, invitation, _token = open_round
    rita = org["rita"]
    db.session.get(Invitation, invitation.id).submitted = True
    db.session.commit()
    hr_en.post(f"/people/{rita.id}", data=form_of(rita, email="rita.new@example.com"))
    page = hr_en.get(f"/people/{rita.id}").get_data(as_text=True)
    assert "Send the survey link to the new address?" in page
    hr_en.post(f"/people/{rita.id}/resend")
    assert len(mails_to(db, "rita.new@example.com")) == 1
    db.session.expire_all()
    assert db.session.get(Invitation, invitation.id).draft_key_sealed is None


def test_rounds_not_launched_take_the_new_address_and_language(db, hr_en, org):
    rnd = make_round(db, name="Autumn draft", status=RoundStatus.DRAFT)
    participant = add_participant(db, rnd, org["mark"])
    invitation, _token = make_invitation(db, participant, person=org["rita"])
    rita = org["rita"]
    hr_en.post(
        f"/people/{rita.id}", data=form_of(rita, email="rita.new@example.com", language="en")
    )
    db.session.expire_all()
    moved = db.session.get(Invitation, invitation.id)
    assert (moved.email, moved.language) == ("rita.new@example.com", "en")
    assert mails_to(db, "rita.new@example.com") == []


def test_closed_rounds_are_left_alone(db, hr_en, org):
    rnd = make_round(db, name="Old round", status=RoundStatus.CLOSED)
    participant = add_participant(db, rnd, org["mark"])
    invitation, _token = make_invitation(db, participant, person=org["rita"])
    rita = org["rita"]
    hr_en.post(f"/people/{rita.id}", data=form_of(rita, email="rita.new@example.com"))
    page = hr_en.get(f"/people/{rita.id}").get_data(as_text=True)
    assert "Send the survey link" not in page and "Old round" not in page
    db.session.expire_all()
    assert db.session.get(Invitation, invitation.id).email == "rita@example.com"
