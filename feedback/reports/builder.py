"""Build one manager's development report: run the queries, apply the pure rules.

    report = build_report(round_id, participant_id, "nl")
    report = participant_report(participant)   # the same, in the manager's language

The result (model.ManagerReport) is the report's data, plain values for the web page and
the PDF; view.report_view turns it into what the templates get. For many reports of one
round (bulk PDFs), read `summary.norms` once and pass it as `norms`.
"""

from collections.abc import Mapping

import sqlalchemy as sa
import sqlalchemy.orm as so

from feedback.extensions import db
from feedback.models import Framework, Participant, Round
from feedback.reports import aggregation as agg
from feedback.reports import queries, summary
from feedback.reports.labels import report_language
from feedback.reports.model import (
    CommentSection,
    GroupStat,
    LegReport,
    ManagerReport,
    Norm,
    StatementReport,
    Trend,
)


class ReportNotFound(LookupError):
    """No such participant in that round."""


def norms_for_round(rnd: Round, session: so.Session) -> queries.RoundNorms:
    """The round's organisation norms: from the summary kept at close (reports/summary.py),
    for an open round (or one closed before summaries were kept) from the answers."""
    return summary.norms(rnd, session)


def build_report(
    round_id: int,
    participant_id: int,
    lang: str,
    *,
    blind_spot_gap: float = agg.DEFAULT_GAP,
    disagreement_sd: float = agg.DEFAULT_DISAGREEMENT_SD,
    norms: queries.RoundNorms | None = None,
    session: so.Session | None = None,
) -> ManagerReport:
    s = session if session is not None else db.session
    agg.check_lang(lang)
    part = s.execute(
        sa.select(Participant)
        .where(Participant.id == participant_id, Participant.round_id == round_id)
        .options(so.joinedload(Participant.person), so.joinedload(Participant.round))
    ).scalar_one_or_none()
    if part is None:
        raise ReportNotFound(f"participant {participant_id} is not in round {round_id}")
    rnd: Round = part.round
    framework = rnd.framework
    t = rnd.threshold

    summarised = summary.has_summary(rnd, s)
    statement_tallies, leg_counts = summary.manager_tallies(
        participant_id, rnd.framework_id, summarised, s
    )
    grades = queries.grade_tallies(participant_id, s)
    if norms is None:
        norms = summary.stored_norms(rnd.id, s) if summarised else norms_for_round(rnd, s)

    legs: list[LegReport] = []
    statement_figures: list[agg.Figure] = []
    leg_figures: list[agg.Figure] = []
    leg_actions: list[agg.LegActions] = []
    current_leg_stats: dict[str, tuple[GroupStat, ...]] = {}
    order = 0
    for leg in framework.legs:
        statements: list[StatementReport] = []
        for st in leg.statements:
            order += 1
            stats = agg.figure_stats(statement_tallies.get(st.id, {}), t)
            text = st.text(lang)
            statements.append(
                StatementReport(
                    id=st.id,
                    key=st.key,
                    position=st.position,
                    order=order,
                    text=text,
                    groups=stats,
                    norm=_norm(stats, norms.statements.get(st.id)),
                    gap=agg.gap(stats),
                    disagreement=agg.disagrees(stats, t, disagreement_sd),
                )
            )
            statement_figures.append(agg.Figure("statement", st.key, leg.key, text, order, stats))
        stats = agg.leg_figure_stats(
            [st.groups for st in statements], leg_counts.get(leg.id, {}), t
        )
        name = leg.name(lang)
        current_leg_stats[leg.key] = stats
        leg_figures.append(agg.Figure("leg", leg.key, leg.key, name, leg.position, stats))
        leg_actions.append(
            agg.LegActions(leg.key, name, leg.position, stats, tuple(leg.actions(lang)))
        )
        legs.append(
            LegReport(
                id=leg.id,
                key=leg.key,
                position=leg.position,
                name=name,
                description=leg.description(lang),
                statements=tuple(statements),
                groups=stats,
                norm=_norm(stats, norms.legs.get(leg.id)),
                gap=agg.gap(stats),
                disagreement=agg.disagrees(stats, t, disagreement_sd),
            )
        )

    strengths, development = agg.strengths_and_development_areas(statement_figures)
    comments, withheld = _comments(participant_id, framework, grades.respondents, t, lang, s)
    return ManagerReport(
        round_id=rnd.id,
        round_name=rnd.name,
        opens_on=rnd.opens_on,
        closes_on=rnd.closes_on,
        participant_id=part.id,
        manager_name=part.person.name,
        lang=lang,
        threshold=t,
        blind_spot_gap=blind_spot_gap,
        disagreement_sd=disagreement_sd,
        response_counts=agg.response_counts(
            grades.respondents, t, queries.invited_counts(participant_id, s)
        ),
        legs=tuple(legs),
        grade=agg.figure_stats(grades.grades, t),
        strengths=strengths,
        development_areas=development,
        blind_spots=agg.blind_spots(statement_figures, blind_spot_gap, agg.TOP_N)
        + agg.blind_spots(leg_figures, blind_spot_gap, agg.TOP_N),
        hidden_strengths=agg.hidden_strengths(statement_figures, blind_spot_gap, agg.TOP_N)
        + agg.hidden_strengths(leg_figures, blind_spot_gap, agg.TOP_N),
        disagreements=agg.disagreements(statement_figures, t, disagreement_sd)
        + agg.disagreements(leg_figures, t, disagreement_sd),
        trend=_trend(part, rnd, framework, current_leg_stats, lang, s),
        comments=comments,
        comments_withheld=withheld,
        plan=agg.plan_suggestions(leg_actions, blind_spot_gap),
        anonymity_rules=agg.anonymity_rules(grades.respondents, t, withheld),
        empty_reasons={
            section: agg.empty_reason(
                section, statement_figures + leg_figures, grades.respondents, t, blind_spot_gap
            )
            for section in (
                agg.STRENGTHS,
                agg.DEVELOPMENT_AREAS,
                agg.BLIND_SPOTS,
                agg.HIDDEN_STRENGTHS,
            )
        },
    )


def participant_report(participant: Participant, **kwargs) -> ManagerReport:
    """The report of one participant, in the language of the manager rated."""
    lang = report_language(participant.person)
    return build_report(participant.round_id, participant.id, lang, **kwargs)


def _norm(stats: tuple[GroupStat, ...], norm: tuple[float, int] | None) -> Norm:
    mean, managers = norm if norm else (None, 0)
    own = agg.visible_mean(stats, agg.ALL_OTHERS)
    return agg.position_against_norm(own, agg.usable_norm(mean, managers), managers)


def _comments(
    participant_id: int, framework, respondents: Mapping[str, int], t: int, lang: str, s
) -> tuple[tuple[CommentSection, ...], bool]:
    raw = queries.comments_of(participant_id, s)
    shown, withheld = agg.select_comments(raw, respondents, t)
    sections = tuple(
        CommentSection(
            question_key=q.key, question_text=q.text(lang), comments=shown.get(q.key, ())
        )
        for q in framework.open_questions
    )
    return sections, withheld


def _trend(part, rnd, framework, current: Mapping[str, tuple[GroupStat, ...]], lang, s):
    keys = {leg.key for leg in framework.legs}
    previous = queries.previous_round(part.person_id, rnd.id, rnd.closes_on, keys, s)
    if previous is None:
        return None
    t = previous.threshold
    summarised = summary.has_summary(s.get(Round, previous.round_id), s)
    tallies, counts = summary.manager_tallies(
        previous.participant_id, previous.framework_id, summarised, s
    )
    before = {
        leg.key: agg.leg_figure_stats(
            [agg.figure_stats(tallies.get(st.id, {}), t) for st in leg.statements],
            counts.get(leg.id, {}),
            t,
        )
        for leg in s.get(Framework, previous.framework_id).legs
    }
    names = [(leg.key, leg.name(lang)) for leg in framework.legs]
    return Trend(
        previous_round_id=previous.round_id,
        previous_round_name=previous.round_name,
        previous_closes_on=previous.closes_on,
        legs=agg.trend(names, before, current),
    )
