"""The development report as the web page and the PDF: who may see what, and rendering.

    participant = visible_participant(current_user, participant_id)   # None -> 404
    html = report_html(participant.round_id, participant.id, lang)      # the web page data
    pdf_bytes = report_pdf(participant)                                 # the PDF

One permission rule (`may_see`) decides every access: a manager sees their own report once
the round is published, HR sees every report of a closed or published round, nobody else
sees anything. Views turn "no" into a 404, so a guessed id looks like a missing one.

The templates get plain view data (`ReportView`): the ManagerReport from builder.py plus
the charts (already made, as Markup) and every text in the report's language (LABELS).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from html import escape

import sqlalchemy as sa
import sqlalchemy.orm as so
from babel.dates import format_date
from flask import render_template
from markupsafe import Markup

from feedback.extensions import db
from feedback.models import Participant, Person, Round, RoundStatus
from feedback.reports import aggregation as agg
from feedback.reports import charts
from feedback.reports.builder import build_report
from feedback.reports.model import GroupStat, LegReport, ManagerReport, StatementReport
from feedback.reports.pdf import STATIC_URL_PATH

HR_STATUSES = (RoundStatus.CLOSED.value, RoundStatus.PUBLISHED.value)
MANAGER_STATUSES = (RoundStatus.PUBLISHED.value,)
TABS = ("overview", "legs", "comments", "plan")

# --- Who may see which report -----------------------------------------------------------------


def may_see(user, rnd_status: str, participant_person_id: int) -> bool:
    """The one rule: HR sees closed and published rounds; a manager only their own report
    of a published round; anonymous users and everybody else nothing."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    if user.is_hr:
        return rnd_status in HR_STATUSES
    if user.role == "manager" and user.person_id is not None:
        return rnd_status in MANAGER_STATUSES and participant_person_id == user.person_id
    return False


def visible_participant(user, participant_id: int) -> Participant | None:
    """The participant (with round and person loaded) if `user` may see its report."""
    part = db.session.execute(
        sa.select(Participant)
        .where(Participant.id == participant_id)
        .options(so.joinedload(Participant.round), so.joinedload(Participant.person))
    ).scalar_one_or_none()
    if part is None or not may_see(user, part.round.status, part.person_id):
        return None
    return part


@dataclass(frozen=True)
class ReportLink:
    participant_id: int
    round_id: int
    round_name: str
    manager_name: str
    opens_on: date
    closes_on: date
    status: str


def my_reports(user) -> list[ReportLink]:
    """A manager's own reports: published rounds they were rated in, newest first."""
    if user.person_id is None:
        return []
    return _links(
        (Participant.person_id == user.person_id) & Round.status.in_(MANAGER_STATUSES),
        order=(Round.closes_on.desc(), Round.id.desc()),
    )


def hr_rounds() -> list[Round]:
    """Closed and published rounds, newest first (HR's entry to the reports)."""
    return list(
        db.session.scalars(
            sa.select(Round)
            .where(Round.status.in_(HR_STATUSES))
            .order_by(Round.closes_on.desc(), Round.id.desc())
        )
    )


def round_for_hr(round_id: int) -> Round | None:
    rnd = db.session.get(Round, round_id)
    return rnd if rnd is not None and rnd.status in HR_STATUSES else None


def round_reports(round_id: int) -> list[ReportLink]:
    """Every report of one round (HR), by manager name."""
    return _links(Participant.round_id == round_id, order=(Person.name, Participant.id))


def _links(where, order) -> list[ReportLink]:
    rows = db.session.execute(
        sa.select(
            Participant.id,
            Round.id,
            Round.name,
            Person.name,
            Round.opens_on,
            Round.closes_on,
            Round.status,
        )
        .join(Round, Round.id == Participant.round_id)
        .join(Person, Person.id == Participant.person_id)
        .where(where)
        .order_by(*order)
    )
    return [ReportLink(*row) for row in rows]


# --- Texts of the report, per language --------------------------------------------------------

LABELS: dict[str, dict[str, str]] = {
    "nl": {
        "title": "Ontwikkelrapport",
        "subtitle": "360°-feedback voor salesmanagers",
        "confidential": "Vertrouwelijk",
        "page": "Pagina",
        "of": "van",
        "round": "Ronde",
        "period": "Periode",
        "made_for": "Rapport voor",
        "responses": "Respons per groep",
        "group": "Groep",
        "respondents": "Beoordelaars",
        "in_others": "opgenomen in Overigen",
        "in_others_short": "in Overigen",
        "fewer_than": "minder dan {t}",
        "rules": "Toegepaste anonimiteitsregels",
        "tab_overview": "Overzicht",
        "tab_legs": "De zes poten",
        "tab_comments": "Opmerkingen",
        "tab_plan": "Ontwikkelplan",
        "download_pdf": "Download als PDF",
        "how_to_read": "Zo leest u dit rapport",
        "read_intro": (
            "Dit rapport laat zien hoe u als salesmanager wordt gezien door de mensen met "
            "wie u werkt, naast uw eigen beeld. Het model is het 'schaap met zes poten': zes "
            "rollen die een goede salesmanager combineert."
        ),
        "read_scale": (
            "Schaal 1 tot 5. Elke stelling is beantwoord op een schaal van 1 (helemaal niet "
            "mee eens) tot 5 (helemaal mee eens). 'Weet ik niet' telt niet mee. Het "
            "rapportcijfer staat op de schaal van 1 tot 10."
        ),
        "read_n": (
            "n = het aantal antwoorden achter een gemiddelde. Hoe kleiner n, hoe voorzichtiger "
            "u een score moet lezen: één beoordelaar kan het gemiddelde sterk verschuiven."
        ),
        "read_groups": (
            "Groepen. 'Zelf' is uw eigen beoordeling, 'Leidinggevende' die van uw eigen "
            "manager. 'Alle anderen' is iedereen behalve uzelf. 'Overigen' bundelt kleine "
            "groepen (bijvoorbeeld twee collega's), zodat niemand herkenbaar is."
        ),
        "read_norm": (
            "Norm. De organisatienorm is het gemiddelde van alle managers in deze ronde (de "
            "score van 'Alle anderen'). In de grafieken is het de gestippelde lijn met ruit. "
            "'Boven', 'op' of 'onder' de norm: meer dan 0,2 erboven, binnen 0,2, of meer "
            "dan 0,2 eronder."
        ),
        "read_blind": (
            "Blinde vlek: u scoort uzelf minstens {gap} punt hoger dan de anderen u scoren. "
            "Verborgen sterkte: u scoort uzelf minstens {gap} punt lager. Beide zijn goede "
            "gespreksonderwerpen."
        ),
        "read_suppressed": (
            "Verborgen ('minder dan {t}'): als minder dan {t} medewerkers of collega's een "
            "vraag beantwoordden, tonen we hun score niet. Zo blijft elke beoordelaar anoniem. "
            "Een leeg of gearceerd vak is dus geen nul."
        ),
        "read_spread": (
            "Verdeling: de gekleurde balk laat zien hoe de antwoorden 1 tot 5 verdeeld zijn. "
            "Een waarschuwing (⚠) betekent dat beoordelaars het sterk oneens zijn: lees dan "
            "vooral de verdeling, niet alleen het gemiddelde."
        ),
        "read_tip": (
            "Tip: begin met de sterke punten, kijk dan naar de ontwikkelpunten en blinde "
            "vlekken, en kies er hooguit twee of drie voor uw ontwikkelplan."
        ),
        "legs_by_group": "De zes poten per beoordelaarsgroep",
        "legs_by_group_note": (
            "Gemiddelde per poot op de schaal 1–5, met n (aantal beoordelaars) erachter. "
            "De gestippelde lijn is de organisatienorm."
        ),
        "radar": "De zes poten in één beeld",
        "radar_note": (
            "Het donkere vlak is het beeld van alle anderen, de blauwe lijn uw eigen beeld, "
            "de gestippelde lijn de organisatienorm. Hoe verder naar buiten, hoe hoger."
        ),
        "grade": "Rapportcijfer",
        "grade_note": "Gemiddeld rapportcijfer op de schaal 1–10.",
        "strengths": "Sterke punten",
        "strengths_note": "De stellingen met de hoogste score van alle anderen.",
        "development": "Ontwikkelpunten",
        "development_note": "De stellingen met de laagste score van alle anderen.",
        "blind_spots": "Blinde vlekken",
        "blind_spots_note": "U schat uzelf hoger in dan de anderen u zien.",
        "hidden_strengths": "Verborgen sterktes",
        "hidden_strengths_note": "Anderen zien u sterker dan u zichzelf ziet.",
        "none_found": "Geen.",
        "no_data": "Te weinig antwoorden om te tonen.",
        "statement": "Stelling",
        "leg": "Poot",
        "mean": "Gem.",
        "self": "Zelf",
        "others": "Anderen",
        "difference": "Verschil",
        "spread": "Verdeling",
        "norm": "Norm",
        "no_norm": "geen norm",
        "above": "boven de norm",
        "at": "op de norm",
        "below": "onder de norm",
        "disagreement": "Beoordelaars zijn het sterk oneens over deze stelling.",
        "leg_disagreement": "Beoordelaars zijn het sterk oneens over deze poot.",
        "answer_legend": "Antwoorden",
        "dont_know": "weet ik niet",
        "trend": "Verandering sinds de vorige ronde",
        "trend_note": (
            "Score van alle anderen per poot, alleen waar beide rondes genoeg antwoorden hadden."
        ),
        "previous": "Vorige",
        "now": "Nu",
        "change": "Verschil",
        "trend_none": "Geen vergelijking mogelijk: te weinig antwoorden in een van beide rondes.",
        "comments": "Opmerkingen",
        "comments_note": (
            "Letterlijk overgenomen, in willekeurige volgorde. Een groepsnaam staat er alleen "
            "bij als die groep groot genoeg is."
        ),
        "no_comments": "Geen opmerkingen.",
        "comments_withheld": (
            "Sommige opmerkingen zijn weggelaten om de anonimiteit van de beoordelaars te "
            "beschermen."
        ),
        "plan": "Ontwikkelplan",
        "plan_intro": (
            "Kies twee of drie punten om aan te werken. Hieronder staan suggesties uit het "
            "competentiemodel voor de poten waar de meeste winst te halen is."
        ),
        "suggestions": "Suggesties",
        "reason_lowest_score": "laagste score van alle anderen",
        "reason_blind_spot": "blinde vlek: u schat uzelf hoger in",
        "no_suggestions": "Te weinig antwoorden voor suggesties.",
        "my_plan": "Mijn ontwikkelplan",
        "goal": "Doel",
        "actions": "Acties",
        "support": "Benodigde steun",
        "by_when": "Wanneer klaar",
        "plan_not_saved": "Wordt niet opgeslagen: print deze pagina of gebruik de PDF.",
        "plan_form_note": (
            "Vul dit in na het lezen van het rapport en bespreek het met uw leidinggevende. "
            "Maak elk doel concreet: wat doet u anders, en waaraan merkt uw team dat?"
        ),
        "lbl_self": "Zelf",
        "lbl_supervisor": "Leidinggevende",
        "lbl_direct_report": "Medewerkers",
        "lbl_peer": "Collega's",
        "lbl_others": "Overigen",
        "lbl_all_others": "Alle anderen",
        "lbl_norm": "Norm",
        "my_reports": "Mijn rapporten",
        "no_reports": "Er is nog geen gepubliceerd rapport voor u.",
        "open_report": "Bekijk",
    },
    "en": {
        "title": "Development report",
        "subtitle": "360° feedback for sales managers",
        "confidential": "Confidential",
        "page": "Page",
        "of": "of",
        "round": "Round",
        "period": "Period",
        "made_for": "Report for",
        "responses": "Responses per group",
        "group": "Group",
        "respondents": "Raters",
        "in_others": "included in Others",
        "in_others_short": "in Others",
        "fewer_than": "fewer than {t}",
        "rules": "Anonymity rules applied",
        "tab_overview": "Overview",
        "tab_legs": "The six legs",
        "tab_comments": "Comments",
        "tab_plan": "Development plan",
        "download_pdf": "Download as PDF",
        "how_to_read": "How to read this report",
        "read_intro": (
            "This report shows how the people you work with see you as a sales manager, next "
            "to how you see yourself. The model is the 'sheep with six legs': six roles a good "
            "sales manager combines."
        ),
        "read_scale": (
            "Scale 1 to 5. Every statement was answered from 1 (strongly disagree) to 5 "
            "(strongly agree). 'Don't know' is left out. The overall grade uses the Dutch "
            "scale of 1 to 10."
        ),
        "read_n": (
            "n = the number of answers behind a mean. The smaller n, the more carefully you "
            "should read a score: one rater can move the mean a lot."
        ),
        "read_groups": (
            "Groups. 'Self' is your own rating, 'Supervisor' that of your own manager. 'All "
            "others' is everyone except you. 'Others' pools small groups (for example two "
            "peers), so nobody can be recognised."
        ),
        "read_norm": (
            "Norm. The organisation norm is the mean of all managers in this round (their 'All "
            "others' score). In the charts it is the dashed line with a diamond. 'Above', 'at' "
            "or 'below' the norm: more than 0.2 above, within 0.2, or more than 0.2 below."
        ),
        "read_blind": (
            "Blind spot: you rate yourself at least {gap} point higher than others rate you. "
            "Hidden strength: you rate yourself at least {gap} point lower. Both are good "
            "topics for a conversation."
        ),
        "read_suppressed": (
            "Hidden ('fewer than {t}'): when fewer than {t} direct reports or peers answered "
            "a question, we do not show their score. That keeps every rater anonymous. An "
            "empty or hatched cell is therefore not a zero."
        ),
        "read_spread": (
            "Spread: the coloured bar shows how the answers 1 to 5 are distributed. A warning "
            "(⚠) means raters disagree strongly: then read the spread, not just the mean."
        ),
        "read_tip": (
            "Tip: start with your strengths, then look at the development areas and blind "
            "spots, and pick two or three at most for your development plan."
        ),
        "legs_by_group": "The six legs by rater group",
        "legs_by_group_note": (
            "Mean per leg on the 1–5 scale, with n (number of raters) after it. The dashed "
            "line is the organisation norm."
        ),
        "radar": "The six legs at a glance",
        "radar_note": (
            "The dark area is how all others see you, the blue line how you see yourself, the "
            "dashed line the organisation norm. Further out is higher."
        ),
        "grade": "Overall grade",
        "grade_note": "Mean overall grade on the scale of 1–10.",
        "strengths": "Strengths",
        "strengths_note": "The statements all others rated highest.",
        "development": "Development areas",
        "development_note": "The statements all others rated lowest.",
        "blind_spots": "Blind spots",
        "blind_spots_note": "You rate yourself higher than others see you.",
        "hidden_strengths": "Hidden strengths",
        "hidden_strengths_note": "Others see you as stronger than you see yourself.",
        "none_found": "None.",
        "no_data": "Too few answers to show.",
        "statement": "Statement",
        "leg": "Leg",
        "mean": "Mean",
        "self": "Self",
        "others": "Others",
        "difference": "Difference",
        "spread": "Spread",
        "norm": "Norm",
        "no_norm": "no norm",
        "above": "above the norm",
        "at": "at the norm",
        "below": "below the norm",
        "disagreement": "Raters disagree strongly about this statement.",
        "leg_disagreement": "Raters disagree strongly about this leg.",
        "answer_legend": "Answers",
        "dont_know": "don't know",
        "trend": "Change since the previous round",
        "trend_note": "All others' score per leg, only where both rounds had enough answers.",
        "previous": "Previous",
        "now": "Now",
        "change": "Change",
        "trend_none": "No comparison possible: too few answers in one of the rounds.",
        "comments": "Comments",
        "comments_note": (
            "As written, in random order. A group name is shown only when that group is "
            "large enough."
        ),
        "no_comments": "No comments.",
        "comments_withheld": "Some comments were withheld to protect the raters' anonymity.",
        "plan": "Development plan",
        "plan_intro": (
            "Pick two or three things to work on. Below are suggestions from the competency "
            "framework for the legs where you can gain the most."
        ),
        "suggestions": "Suggestions",
        "reason_lowest_score": "lowest score from all others",
        "reason_blind_spot": "blind spot: you rate yourself higher",
        "no_suggestions": "Too few answers for suggestions.",
        "my_plan": "My development plan",
        "goal": "Goal",
        "actions": "Actions",
        "support": "Support needed",
        "by_when": "By when",
        "plan_not_saved": "Not stored: print this page or use the PDF.",
        "plan_form_note": (
            "Fill this in after reading the report and discuss it with your supervisor. Make "
            "every goal concrete: what will you do differently, and how will your team notice?"
        ),
        "lbl_self": "Self",
        "lbl_supervisor": "Supervisor",
        "lbl_direct_report": "Direct reports",
        "lbl_peer": "Peers",
        "lbl_others": "Others",
        "lbl_all_others": "All others",
        "lbl_norm": "Norm",
        "my_reports": "My reports",
        "no_reports": "There is no published report for you yet.",
        "open_report": "View",
    },
}

# Short names of the six legs for the radar (the chart cuts labels at 22 characters).
RADAR_NAMES = {"decisive": {"en": "Decisive"}}


def report_language(person: Person | None) -> str:
    lang = getattr(person, "language", None)
    return lang if lang in agg.LANGS else "nl"


# --- View data for the templates --------------------------------------------------------------


@dataclass(frozen=True)
class Cell:
    """One group's figure in a table: text to show, n (None: no n), a CSS class."""

    text: str
    n: int | None
    css: str
    title: str = ""


@dataclass(frozen=True)
class Column:
    key: str
    label: str


@dataclass(frozen=True)
class StatementRow:
    order: int
    text: str
    cells: tuple[Cell, ...]
    spread: Markup | None
    norm: str
    position: str
    disagreement: bool


@dataclass(frozen=True)
class LegView:
    key: str
    position: int
    name: str
    description: str
    bars: Markup | None
    small_bars: Markup | None  # the same, narrower (bigger text), for the overview grid
    cells: tuple[Cell, ...]
    norm: str
    position_text: str
    rows: tuple[StatementRow, ...]
    disagreement: bool
    trend: str | None  # "3,4 → 3,9 (+0,5)"


@dataclass(frozen=True)
class ReportView:
    report: ManagerReport
    lang: str
    labels: dict[str, str]
    pdf: bool
    columns: tuple[Column, ...]
    legend: tuple[Column, ...]
    legs: tuple[LegView, ...]
    radar: Markup | None
    grade: tuple[Cell, ...]
    trend_rows: tuple[tuple[str, str, str, str, str, Markup], ...]
    period: str
    filename: str

    def num(self, value: float | None, digits: int = 1) -> str:
        return agg.format_decimal(value, self.lang, digits)

    def signed(self, value: float | None) -> str:
        text = agg.format_decimal(value, self.lang)
        return text if value is None or text.startswith("-") or text == "0,0" else "+" + text


def _label(labels: dict[str, str], group: str) -> str:
    return labels[f"lbl_{group}"]


def _chart(svg: str, alt: str, pdf: bool) -> Markup:
    """Our own SVG (charts.py escapes its labels): inline on the web, a data-URI image in
    the PDF (WeasyPrint draws those faster)."""
    if not pdf:
        return Markup(svg)  # noqa: S704  (built by charts.py, every string in it escaped)
    css = re.search(r'class="(chart[^"]*)"', svg)
    return Markup('<img class="{}" src="{}" alt="{}">').format(
        css.group(1) if css else "chart", charts.svg_data_uri(svg), alt
    )


def _cell(stat: GroupStat, labels: dict[str, str], lang: str, threshold: int) -> Cell:
    if stat.state == agg.VISIBLE:
        return Cell(agg.format_decimal(stat.mean, lang), stat.n, "num")
    if stat.state == agg.SUPPRESSED:
        text = labels["fewer_than"].format(t=threshold)
        return Cell(f"< {threshold}", None, "num suppressed", text)
    if stat.state == agg.POOLED:
        return Cell(labels["in_others_short"], None, "num muted pooled", labels["in_others"])
    if stat.state == agg.NO_ANSWERS:
        return Cell("–", None, "num muted", "")
    return Cell("", None, "num", "")


def _columns(report: ManagerReport, labels: dict[str, str]) -> tuple[Column, ...]:
    """The groups shown as columns: those visible in at least one figure of the report."""
    figures = [report.grade, *(leg.groups for leg in report.legs)]
    figures += [st.groups for leg in report.legs for st in leg.statements]
    shown = {stat.group for stats in figures for stat in stats if stat.visible}
    return tuple(Column(g, _label(labels, g)) for g in agg.REPORT_GROUPS if g in shown)


def _position(norm, labels: dict[str, str], lang: str) -> tuple[str, str]:
    if norm.mean is None:
        return labels["no_norm"], ""
    return agg.format_decimal(norm.mean, lang), labels[norm.position] if norm.position else ""


def _bars(
    title: str, stats, columns, labels, lang, norm: float | None, pdf: bool, **kwargs
) -> Markup | None:
    rows = [
        (c.key, c.label, stat.mean, stat.n)
        for c in columns
        if (stat := _stat(stats, c.key)).visible and stat.mean is not None
    ]
    if not rows:
        return None
    svg = charts.leg_bars(
        rows, norm=norm, title=title, decimal_sep="," if lang == "nl" else ".", **kwargs
    )
    return _chart(svg, title, pdf)


def _stat(stats, key: str) -> GroupStat:
    return next(stat for stat in stats if stat.group == key)


def _spread(st: StatementReport, labels, pdf: bool) -> Markup | None:
    for key in (agg.ALL_OTHERS, agg.OTHERS):
        stat = st.group(key)
        if stat.visible and stat.distribution:
            counts = (*stat.distribution, stat.n_dont_know or 0)
            svg = charts.distribution(
                counts, title=st.text, dont_know_label=labels["dont_know"], width=120, height=12
            )
            return _chart(svg, labels["spread"], pdf)
    return None


def _leg_view(leg: LegReport, report, columns, labels, trend_text, pdf) -> LegView:
    lang, t = report.lang, report.threshold
    rows = []
    for st in leg.statements:
        norm, position = _position(st.norm, labels, lang)
        rows.append(
            StatementRow(
                order=st.order,
                text=st.text,
                cells=tuple(_cell(st.group(c.key), labels, lang, t) for c in columns),
                spread=_spread(st, labels, pdf),
                norm=norm,
                position=position,
                disagreement=st.disagreement,
            )
        )
    norm, position = _position(leg.norm, labels, lang)
    return LegView(
        key=leg.key,
        position=leg.position,
        name=leg.name,
        description=leg.description,
        # On screen the narrower drawing keeps its labels readable on a phone.
        bars=_bars(
            leg.name,
            leg.groups,
            columns,
            labels,
            lang,
            leg.norm.mean,
            pdf,
            **({} if pdf else {"width": 360}),
        ),
        small_bars=_bars(
            leg.name, leg.groups, columns, labels, lang, leg.norm.mean, pdf, width=360
        ),
        cells=tuple(_cell(leg.group(c.key), labels, lang, t) for c in columns),
        norm=norm,
        position_text=position,
        rows=tuple(rows),
        disagreement=leg.disagreement,
        trend=trend_text.get(leg.key),
    )


def _radar(report: ManagerReport, labels, pdf: bool) -> Markup | None:
    lang = report.lang
    names = [RADAR_NAMES.get(leg.key, {}).get(lang, leg.name) for leg in report.legs]
    series: dict[str, list[float | None]] = {}
    for key in (agg.ALL_OTHERS, agg.SELF):
        values = [agg.visible_mean(leg.groups, key) for leg in report.legs]
        if any(v is not None for v in values):
            series[key] = values
    norms = [leg.norm.mean for leg in report.legs]
    if not series or len(names) < 3:
        return None
    if all(v is not None for v in norms):
        series["norm"] = norms
    svg = charts.radar(
        names,
        series,
        series_labels={k: _label(labels, k) for k in series},
        title=labels["radar"],
        decimal_sep="," if lang == "nl" else ".",
    )
    return _chart(svg, labels["radar"], pdf)


def _period(report: ManagerReport) -> str:
    start = format_date(report.opens_on, format="long", locale=report.lang)
    end = format_date(report.closes_on, format="long", locale=report.lang)
    return f"{start} – {end}"


def report_filename(round_name: str, manager_name: str) -> str:
    """feedback-<round>-<manager>.pdf in lower-case ASCII."""
    return f"feedback-{_slug(round_name)}-{_slug(manager_name)}.pdf"


def round_slug(round_name: str) -> str:
    """The round's name in lower-case ASCII, for file and folder names."""
    return _slug(round_name)


# Letters that Unicode does not decompose into an ASCII base letter.
_ASCII_LETTERS = str.maketrans(
    {"Ł": "L", "ł": "l", "Ø": "O", "ø": "o", "ß": "ss", "Æ": "AE", "æ": "ae", "Đ": "D", "đ": "d"}
)


def _slug(text: str) -> str:
    text = text.translate(_ASCII_LETTERS)
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-") or "report"


def report_view(report: ManagerReport, *, pdf: bool) -> ReportView:
    lang = report.lang
    labels = LABELS[lang]
    columns = _columns(report, labels)
    trend_text: dict[str, str] = {}
    trend_rows = []
    if report.trend:
        for item in report.trend.legs:
            now, before = agg.format_decimal(item.current_mean, lang), None
            before = agg.format_decimal(item.previous_mean, lang)
            delta = agg.format_decimal(item.delta, lang)
            delta = delta if delta.startswith("-") or item.delta == 0 else "+" + delta
            trend_text[item.leg_key] = f"{before} → {now} ({delta})"
            svg = charts.trend(
                item.previous_mean,
                item.current_mean,
                title=item.leg_name,
                decimal_sep="," if lang == "nl" else ".",
            )
            css = "delta-up" if item.delta > 0 else ("delta-down" if item.delta < 0 else "")
            trend_rows.append(
                (item.leg_name, before, now, delta, css, _chart(svg, item.leg_name, pdf))
            )
    return ReportView(
        report=report,
        lang=lang,
        labels=labels,
        pdf=pdf,
        columns=columns,
        legend=(*columns, Column("norm", labels["lbl_norm"])),
        legs=tuple(_leg_view(leg, report, columns, labels, trend_text, pdf) for leg in report.legs),
        radar=_radar(report, labels, pdf),
        grade=tuple(_cell(report.grade_of(c.key), labels, lang, report.threshold) for c in columns),
        trend_rows=tuple(trend_rows),
        period=_period(report),
        filename=report_filename(report.round_name, report.manager_name),
    )


# --- Producing the page and the PDF -------------------------------------------------------------


def participant_report(participant: Participant, **kwargs) -> ManagerReport:
    """The report of one participant, in the language of the manager rated."""
    lang = report_language(participant.person)
    return build_report(participant.round_id, participant.id, lang, **kwargs)


def pdf_html(view: ReportView) -> str:
    """The PDF's HTML; static files are addressed the way pdf.StaticURLFetcher serves them."""
    return render_template("reports/pdf.html", v=view, static=_static_url)


def _static_url(path: str) -> str:
    return STATIC_URL_PATH + escape(path)


def report_pdf(participant: Participant, *, fetcher=None, **kwargs) -> tuple[bytes, str]:
    """(PDF bytes, download filename) of one participant's report."""
    from feedback.reports.pdf import render_pdf

    view = report_view(participant_report(participant, **kwargs), pdf=True)
    return render_pdf(pdf_html(view), fetcher=fetcher), view.filename
