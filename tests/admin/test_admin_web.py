"""HR's round pages through the test client: every flow, htmx partials and plain posts."""

import re

import pytest
import sqlalchemy as sa

from feedback.admin.creation import create_round
from feedback.extensions import db as _db
from feedback.models import InvitationToken, OutboxMessage, Participant, Round, RoundStatus
from feedback.tokens import hash_token
from tests import factories
from tests.admin.admin_helpers import (
    count,
    form_dates,
    invitations_of,
    outbox,
    reload_round,
    settings,
)

HX = {"HX-Request": "true"}
LINK = re.compile(r"http://localhost/s/([A-Za-z0-9_\-]+)")


def draft(org, *names):
    names = names or ("anna", "bob")
    return create_round(settings(), [org[n].id for n in names]).id


def participant_id(round_id, person):
    return _db.session.scalar(
        sa.select(Participant.id).where(
            Participant.round_id == round_id, Participant.person_id == person.id
        )
    )


# --- access -------------------------------------------------------------------------------------

GET_URLS = [
    "/admin/",
    "/admin/rounds/new",
    "/admin/rounds/{rid}",
    "/admin/rounds/{rid}/dashboard",
    "/admin/rounds/{rid}/launch",
    "/admin/rounds/{rid}/close",
    "/admin/rounds/{rid}/publish",
    "/admin/outbox",
    "/admin/outbox/{mid}",
]
POST_URLS = [
    "/admin/rounds/new",
    "/admin/rounds/new/managers",
    "/admin/rounds/{rid}/settings",
    "/admin/rounds/{rid}/managers/{pid}/raters",
    "/admin/rounds/{rid}/managers/{pid}/raters/{iid}/delete",
    "/admin/rounds/{rid}/launch",
    "/admin/rounds/{rid}/close",
    "/admin/rounds/{rid}/publish",
]


@pytest.fixture
def ids(org):
    rid = draft(org)
    pid = participant_id(rid, org["anna"])
    iid = next(i.id for i in invitations_of(rid) if i.group == "direct_report")
    message = OutboxMessage(to="x@example.test", subject="s", body_text="b", kind="other")
    _db.session.add(message)
    _db.session.commit()
    return {"rid": rid, "pid": pid, "iid": iid, "mid": message.id}


def _state():
    return (count(Round), count(OutboxMessage), len(invitations_of(1)), reload_round(1).status)


@pytest.mark.parametrize("url", GET_URLS)
def test_anonymous_get_goes_to_login(client, ids, url):
    response = client.get(url.format(**ids))
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]


@pytest.mark.parametrize("url", POST_URLS)
def test_anonymous_post_goes_to_login_and_changes_nothing(client, ids, url):
    before = _state()
    response = client.post(url.format(**ids), data={"who": "piet@example.test", "group": "peer"})
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]
    assert _state() == before


@pytest.mark.parametrize("url", GET_URLS + POST_URLS)
def test_manager_gets_404_everywhere(client, auth, ids, org, url):
    factories.make_user(_db, role="manager", person=org["anna"])
    auth.login(org["anna"].email)
    before = _state()
    method = client.post if url in POST_URLS and url not in GET_URLS else client.get
    assert method(url.format(**ids)).status_code == 404
    if url in POST_URLS:
        assert client.post(url.format(**ids), data={"who": "x"}).status_code == 404
    assert _state() == before


def test_unknown_ids_are_404(hr_client, ids):
    assert hr_client.get("/admin/rounds/999").status_code == 404
    assert hr_client.get("/admin/outbox/999").status_code == 404
    url = f"/admin/rounds/{ids['rid']}/managers/999/raters"
    assert hr_client.post(url, data={"who": "piet@example.test"}).status_code == 404


# --- rounds list and creation -------------------------------------------------------------------


def test_rounds_list(hr_client, org):
    response = hr_client.get("/admin/")
    assert b"No rounds yet" in response.data and b"/admin/rounds/new" in response.data
    draft(org)
    page = hr_client.get("/admin/").get_data(as_text=True)
    assert "Spring" in page and 'class="badge draft"' in page and "not launched" in page


def test_new_round_page_lists_active_managers_with_default_threshold(hr_client, org, app):
    page = hr_client.get("/admin/rounds/new").get_data(as_text=True)
    assert "Anna Manager" in page and "Bob Manager" in page and "Dora Director" in page
    assert "Gone Manager" not in page and "Piet Peer" not in page
    assert f'value="{app.config["DEFAULT_THRESHOLD"]}"' in page
    assert 'hx-trigger="input changed delay:300ms, search"' in page


def test_create_round_with_proposed_raters(hr_client, org):
    data = {"name": "Autumn", "threshold": "4", **form_dates()}
    data["manager_ids"] = [str(org["anna"].id), str(org["bob"].id)]
    response = hr_client.post("/admin/rounds/new", data=data)
    assert response.status_code == 303
    rnd = _db.session.scalar(sa.select(Round))
    assert (rnd.name, rnd.threshold, rnd.status) == ("Autumn", 4, "draft")
    assert response.headers["Location"].endswith(f"/admin/rounds/{rnd.id}")
    groups = sorted((i.participant.person.name, i.group) for i in invitations_of(rnd.id))
    assert groups.count(("Anna Manager", "direct_report")) == 3
    assert ("Anna Manager", "self") in groups and ("Anna Manager", "supervisor") in groups
    assert groups.count(("Bob Manager", "direct_report")) == 1
    page = hr_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "created as a draft" in page
    for rep in org["anna_reps"]:
        assert rep.email in page


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"name": ""}, "Give the round a name."),
        ({"threshold": "1"}, "from 2 to 50"),
        ({"threshold": "two"}, "whole number"),
        ({"closes_on": "2027-03-01"}, "after the open date"),
        ({"manager_ids": []}, "at least one manager"),
        ({"manager_ids": ["abc"]}, "Choose managers from the list."),
    ],
)
def test_create_round_validation_errors_change_nothing(hr_client, org, change, message):
    data = {"name": "Autumn", "threshold": "3", **form_dates(), "manager_ids": [org["anna"].id]}
    data.update(change)
    response = hr_client.post("/admin/rounds/new", data=data)
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert count(Round) == 0 and count(Participant) == 0


def test_ineligible_manager_is_refused_with_a_message(hr_client, org):
    data = {"name": "A", "threshold": "3", **form_dates(), "manager_ids": [org["gone"].id]}
    response = hr_client.post("/admin/rounds/new", data=data)
    assert response.status_code == 200 and b"not active managers" in response.data
    assert count(Round) == 0


def test_filter_and_select_all_without_javascript_keep_the_form(hr_client, org):
    data = {"name": "Keep me", "threshold": "3", **form_dates(), "search": "bob"}
    data |= {"manager_ids": [org["anna"].id], "action": "filter"}
    page = hr_client.post("/admin/rounds/new", data=data).get_data(as_text=True)
    assert 'value="Keep me"' in page
    assert "Bob Manager" in page and "Dora Director" not in page
    assert f'<input type="hidden" name="manager_ids" value="{org["anna"].id}">' in page
    assert count(Round) == 0
    data["action"] = "select_all"
    page = hr_client.post("/admin/rounds/new", data=data).get_data(as_text=True)
    assert re.search(rf'value="{org["bob"].id}" checked', page)
    assert "2 of 3 managers selected" in page


def test_htmx_manager_picker_is_a_partial(hr_client, org):
    data = {"search": "ann", "manager_ids": [org["bob"].id], "action": "select_all"}
    response = hr_client.post("/admin/rounds/new/managers", data=data, headers=HX)
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in page
    assert page.lstrip().startswith('<div id="manager-list"')
    assert re.search(rf'value="{org["anna"].id}" checked', page)
    assert f'type="hidden" name="manager_ids" value="{org["bob"].id}"' in page


# --- raters and settings on the draft round page -----------------------------------------------


def test_add_peer_with_plain_post(hr_client, org):
    rid = draft(org)
    pid = participant_id(rid, org["anna"])
    url = f"/admin/rounds/{rid}/managers/{pid}/raters"
    response = hr_client.post(url, data={"who": "piet@example.test", "group": "peer"})
    assert response.status_code == 303 and response.headers["Location"].endswith(f"#p-{pid}")
    page = hr_client.get(f"/admin/rounds/{rid}").get_data(as_text=True)
    assert "Added Piet Peer." in page
    peers = [i.email for i in invitations_of(rid) if i.group == "peer"]
    assert peers == ["piet@example.test"]


def test_add_peer_with_htmx_returns_the_card_and_the_readiness(hr_client, org):
    rid = draft(org)
    pid = participant_id(rid, org["anna"])
    url = f"/admin/rounds/{rid}/managers/{pid}/raters"
    response = hr_client.post(url, data={"who": "Piet Peer", "group": "peer"}, headers=HX)
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in page
    assert page.lstrip().startswith(f'<section class="card participant" id="p-{pid}"')
    assert "piet@example.test" in page and "Added Piet Peer." in page
    assert 'id="readiness" hx-swap-oob="true"' in page


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"who": "dora@example.test", "group": "peer"}, "already rates"),
        ({"who": "", "group": "peer"}, "Type an e-mail or name."),
        ({"who": "piet@example.test", "group": "self"}, "peer, direct report or supervisor"),
        ({"who": "nobody", "group": "peer"}, "Nobody in the organisation"),
    ],
)
def test_add_rater_errors_are_shown_and_change_nothing(hr_client, org, data, message):
    rid = draft(org)
    pid = participant_id(rid, org["anna"])
    before = [(i.email, i.group) for i in invitations_of(rid)]
    url = f"/admin/rounds/{rid}/managers/{pid}/raters"
    response = hr_client.post(url, data=data, headers=HX)
    assert response.status_code == 200  # htmx only swaps 2xx
    assert message in response.get_data(as_text=True)
    response = hr_client.post(url, data=data, follow_redirects=True)
    assert message in response.get_data(as_text=True)
    assert [(i.email, i.group) for i in invitations_of(rid)] == before


def test_manager_cannot_rate_themself_as_peer(hr_client, org):
    rid = draft(org)
    pid = participant_id(rid, org["anna"])
    url = f"/admin/rounds/{rid}/managers/{pid}/raters"
    response = hr_client.post(url, data={"who": org["anna"].email, "group": "peer"}, headers=HX)
    assert "only as self" in response.get_data(as_text=True)
    assert [i.group for i in invitations_of(rid) if i.email == org["anna"].email] == ["self"]


def test_remove_rater_htmx_and_plain(hr_client, org):
    rid = draft(org)
    pid = participant_id(rid, org["anna"])
    reps = [
        i for i in invitations_of(rid) if i.participant_id == pid and i.group == "direct_report"
    ]
    url = f"/admin/rounds/{rid}/managers/{pid}/raters/{{}}/delete"
    response = hr_client.post(url.format(reps[0].id), headers=HX)
    assert response.status_code == 200 and "<html" not in response.get_data(as_text=True)
    assert "Rater removed." in response.get_data(as_text=True)
    response = hr_client.post(url.format(reps[1].id))
    assert response.status_code == 303
    left = [
        i.id for i in invitations_of(rid) if i.group == "direct_report" and i.participant_id == pid
    ]
    assert left == [reps[2].id]
    self_id = next(
        i.id for i in invitations_of(rid) if i.participant_id == pid and i.group == "self"
    )
    response = hr_client.post(url.format(self_id), headers=HX)
    assert "cannot be removed" in response.get_data(as_text=True)
    assert any(i.id == self_id for i in invitations_of(rid))


def test_draft_round_page_shows_readiness_problems(hr_client, org):
    rid = draft(org)
    pid = participant_id(rid, org["bob"])
    for inv in invitations_of(rid):
        if inv.participant_id == pid and inv.group != "self":
            hr_client.post(f"/admin/rounds/{rid}/managers/{pid}/raters/{inv.id}/delete")
    page = hr_client.get(f"/admin/rounds/{rid}").get_data(as_text=True)
    assert "Not ready to launch" in page and "Bob Manager has no raters besides themself." in page
    confirm = hr_client.get(f"/admin/rounds/{rid}/launch").get_data(as_text=True)
    assert "This cannot be done now" in confirm and "Launch and send invitations" not in confirm


def test_edit_settings_on_draft(hr_client, org):
    rid = draft(org)
    data = {"name": "Renamed", "threshold": "5", **form_dates(20)}
    response = hr_client.post(f"/admin/rounds/{rid}/settings", data=data)
    assert response.status_code == 303
    rnd = reload_round(rid)
    assert (rnd.name, rnd.threshold, rnd.closes_on.isoformat()) == ("Renamed", 5, "2027-03-21")
    bad = {**data, "threshold": "0", "name": "Nope"}
    response = hr_client.post(f"/admin/rounds/{rid}/settings", data=bad)
    assert response.status_code == 200 and b"from 2 to 50" in response.data
    assert reload_round(rid).name == "Renamed"


def test_threshold_lock_is_explained(hr_client, org):
    rid = draft(org)
    rnd = reload_round(rid)
    rnd.answers_started = True
    _db.session.commit()
    page = hr_client.get(f"/admin/rounds/{rid}").get_data(as_text=True)
    assert "locked: answers have started to arrive" in page
    assert re.search(r'id="threshold"[^>]*readonly', page)
    data = {"name": "X", "threshold": "6", **form_dates()}
    response = hr_client.post(f"/admin/rounds/{rid}/settings", data=data, follow_redirects=True)
    assert b"threshold is locked" in response.data
    assert reload_round(rid).threshold == 3


# --- launch ------------------------------------------------------------------------------------


def _plain_token_columns(token: str) -> list[str]:
    """Every string column of every table (the outbox too) that contains the token."""
    found = []
    for table in _db.metadata.sorted_tables:
        for column in table.columns:
            if isinstance(column.type, sa.String | sa.Text):
                hit = _db.session.scalar(
                    sa.select(sa.func.count()).select_from(table).where(column.contains(token))
                )
                if hit:
                    found.append(f"{table.name}.{column.name}")
    return found


def test_launch_flow_hashed_tokens_and_one_mail_per_rater(hr_client, org, mailbox):
    rid = draft(org)
    confirm = hr_client.get(f"/admin/rounds/{rid}/launch").get_data(as_text=True)
    assert "Launch and send invitations" in confirm and "2 managers, 8 raters" in confirm
    assert reload_round(rid).status == "draft"  # GET only confirms
    response = hr_client.post(f"/admin/rounds/{rid}/launch", follow_redirects=True)
    message = "The round is open: 8 invitations and 2 set-password e-mails to managers sent."
    assert message in response.get_data(as_text=True)
    invitations = invitations_of(rid)
    mails = outbox("invitation")
    assert sorted(m.to for m in mails) == sorted(i.email for i in invitations)
    language = {i.email: i.language for i in invitations}
    for written in mailbox.of("invitation"):
        token = LINK.search(written.text).group(1)
        assert _db.session.get(InvitationToken, hash_token(token)).invitation.email == written.to
        assert _plain_token_columns(token) == []
    for mail in mails:
        dutch = "Je persoonlijke link" in mail.body_text
        assert dutch == (language[mail.to] == "nl")
    assert {m.to for m in outbox("password")} == {org["anna"].email, org["bob"].email}


def test_second_launch_is_refused_with_a_message(hr_client, org):
    rid = draft(org)
    hr_client.post(f"/admin/rounds/{rid}/launch")
    mails = count(OutboxMessage)
    response = hr_client.post(f"/admin/rounds/{rid}/launch", follow_redirects=True)
    assert "already launched" in response.get_data(as_text=True)
    assert count(OutboxMessage) == mails


# --- open round: dashboard ------------------------------------------------------------------------


def test_open_round_page_shows_counts_but_no_rater_addresses(hr_client, org):
    rid = draft(org)
    hr_client.post(f"/admin/rounds/{rid}/launch")
    invitations = invitations_of(rid)
    invitations[1].submitted = True
    _db.session.commit()
    response = hr_client.get(f"/admin/rounds/{rid}")
    page = response.get_data(as_text=True)
    assert "<html" in page and 'hx-trigger="every 10m"' in page
    assert "1 of 8" in page
    for rep in org["anna_reps"] + org["bob_reps"][:1]:
        assert rep.email not in page and rep.name not in page
    assert "dora@example.test" not in page and "Add a rater" not in page


def test_dashboard_partial_for_htmx_only(hr_client, org):
    rid = draft(org)
    hr_client.post(f"/admin/rounds/{rid}/launch")
    response = hr_client.get(f"/admin/rounds/{rid}/dashboard", headers=HX)
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in page
    assert page.lstrip().startswith('<section class="card dashboard" id="dashboard"')
    assert 'hx-trigger="every 10m"' in page and "0 / 3" in page
    plain = hr_client.get(f"/admin/rounds/{rid}/dashboard")
    assert plain.status_code == 302 and plain.headers["Location"].endswith(f"/admin/rounds/{rid}")
    boosted = hr_client.get(f"/admin/rounds/{rid}/dashboard", headers=HX | {"HX-Boosted": "true"})
    assert boosted.status_code == 302


def test_closed_round_dashboard_stops_polling(hr_client, org):
    rid = draft(org)
    hr_client.post(f"/admin/rounds/{rid}/launch")
    hr_client.post(f"/admin/rounds/{rid}/close")
    page = hr_client.get(f"/admin/rounds/{rid}/dashboard", headers=HX).get_data(as_text=True)
    assert "hx-trigger" not in page and "Responses" in page


# --- close and publish ---


def test_close_and_publish_with_confirmation(hr_client, org):
    rid = draft(org)
    response = hr_client.post(f"/admin/rounds/{rid}/publish", follow_redirects=True)
    assert "Only a round that is closed can be published" in response.get_data(as_text=True)
    assert reload_round(rid).status == "draft"
    assert b"This cannot be done now" in hr_client.get(f"/admin/rounds/{rid}/close").data
    hr_client.post(f"/admin/rounds/{rid}/launch")
    confirm = hr_client.get(f"/admin/rounds/{rid}/close").get_data(as_text=True)
    assert "Close the round" in confirm and reload_round(rid).status == "open"
    response = hr_client.post(f"/admin/rounds/{rid}/close", follow_redirects=True)
    assert "The round is closed." in response.get_data(as_text=True)
    assert reload_round(rid).status == RoundStatus.CLOSED
    assert b"final" in hr_client.get(f"/admin/rounds/{rid}/publish").data
    response = hr_client.post(f"/admin/rounds/{rid}/publish", follow_redirects=True)
    assert "The reports are published." in response.get_data(as_text=True)
    assert reload_round(rid).status == RoundStatus.PUBLISHED
    response = hr_client.post(f"/admin/rounds/{rid}/close", follow_redirects=True)
    assert "this one is published" in response.get_data(as_text=True)
    assert reload_round(rid).status == RoundStatus.PUBLISHED


def test_step_posts_need_a_csrf_token(app, hr_client, org):
    rid = draft(org)
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        response = hr_client.post(f"/admin/rounds/{rid}/launch")
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    assert response.status_code == 400
    assert reload_round(rid).status == "draft" and count(OutboxMessage) == 0


# --- outbox ---


def test_outbox_lists_newest_first_and_hides_reminder_recipients(hr_client, org, mailbox):
    from feedback.mail import send_mail

    rid = draft(org)
    hr_client.post(f"/admin/rounds/{rid}/launch")
    send_mail(
        "pending.rater@example.test",
        "Reminder: feedback",
        "Link http://localhost/s/abc",
        kind="reminder",
    )
    _db.session.commit()
    page = hr_client.get("/admin/outbox").get_data(as_text=True)
    assert "pending.rater@example.test" not in page and "recipient hidden" in page
    assert "Reminder: feedback" not in page  # the subject's language could point at someone
    assert page.index("Reminder (subject hidden)") < page.index("Je feedback over")
    reminder = _db.session.scalar(sa.select(OutboxMessage).where(OutboxMessage.kind == "reminder"))
    detail = hr_client.get(f"/admin/outbox/{reminder.id}").get_data(as_text=True)
    assert "pending.rater@example.test" not in detail and "recipient hidden" in detail
    assert "/s/abc" not in detail
    invitation = outbox("invitation")[0]
    written = next(
        m
        for m in mailbox.of("invitation")
        if (m.to, m.subject) == (invitation.to, invitation.subject)
    )
    token = LINK.search(written.text).group(1)
    detail = hr_client.get(f"/admin/outbox/{invitation.id}").get_data(as_text=True)
    assert invitation.to in detail and token not in detail
    assert "Personal links are never stored or shown here" in detail
    assert "its link was not kept: nobody has it" in detail  # no mail server: status kept
