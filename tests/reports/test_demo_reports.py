"""The demo's published round, report by report (issue 12): every manager with three or more
direct-report answers sees a direct-report figure on the cover, on every leg and on every
statement that three of them answered (other than "don't know"): a smaller group beside
them is left out, not pooled with them. And no section of any report, web page or PDF,
says just "Geen." / "None." where it could say why."""

import re

import sqlalchemy as sa

from feedback import demo
from feedback.extensions import db
from feedback.models import Round, RoundStatus
from feedback.reports import aggregation as agg
from feedback.reports import queries
from feedback.reports.builder import participant_report
from feedback.reports.pdf_report import pdf_html
from feedback.reports.view import TABS, report_view

BARE = re.compile(r">\s*(Geen|None)\.?\s*<")


def _direct_reports(report) -> int:
    row = next((r for r in report.response_counts if r.group == agg.DIRECT_REPORT), None)
    return row.count if row is not None and row.count is not None else 0


def test_every_team_of_three_is_shown_and_no_section_just_says_none(app, client, runner):
    with app.app_context():
        result = runner.invoke(args=["demo"])
        assert result.exit_code == 0, result.output
        rnd = db.session.scalar(sa.select(Round).where(Round.status == RoundStatus.PUBLISHED))
        participants = list(rnd.participants)
        reports = {p.id: participant_report(p) for p in participants}
        pdfs = {p.id: pdf_html(report_view(reports[p.id], pdf=True)) for p in participants}
        fid = rnd.framework_id
        tallies = {
            p.id: (
                queries.grade_tallies(p.id).respondents,
                queries.leg_counts(p.id, fid),
                queries.statement_tallies(p.id, fid),
            )
            for p in participants
        }

    teams_of_three, too_few = 0, []
    for report in reports.values():
        who, t = report.manager_name, report.threshold
        counts, legs, statements = tallies[report.participant_id]
        if counts.get(agg.DIRECT_REPORT, 0) < t:
            continue
        teams_of_three += 1
        cover = {row.group: row for row in report.response_counts}
        assert cover[agg.DIRECT_REPORT].state == agg.VISIBLE, who
        for leg in report.legs:
            # three who count for the leg (answered half its statements): shown
            if legs.get(leg.id, {}).get(agg.DIRECT_REPORT, 0) >= t:
                assert leg.group(agg.DIRECT_REPORT).state == agg.VISIBLE, (who, leg.key)
            else:
                too_few.append((who, leg.key))
            for statement in leg.statements:
                # three answers other than "don't know" on the statement itself: shown
                answered = statements.get(statement.id, {}).get(agg.DIRECT_REPORT)
                if answered is not None and answered.n >= t:
                    state = statement.group(agg.DIRECT_REPORT).state
                    assert state == agg.VISIBLE, (who, statement.key)
                else:
                    too_few.append((who, statement.key))
    assert teams_of_three >= 6  # most of the demo's twelve managers
    print(f'{teams_of_three} teams of three or more; hidden by "don\'t know": {too_few}')

    response = client.post(
        "/auth/login", data={"email": "hr@voorbeeld.nl", "password": demo.DEMO_PASSWORD}
    )
    assert response.status_code == 302
    for participant_id, html in pdfs.items():
        assert not BARE.search(html), (participant_id, BARE.search(html).group(0))
        for tab in TABS:
            page = client.get(f"/reports/{participant_id}?tab={tab}")
            assert page.status_code == 200
            found = BARE.search(page.get_data(as_text=True))
            assert found is None, (participant_id, tab, found.group(0))
