"""Every text of the development report, in Dutch and English, and the report's language.

`LABELS[lang]` holds the headings, notes and group names the report templates show
(`ReportView.labels`, view.py); `report_language` picks a manager's language for their
report. The texts are kept here as plain dictionaries for now.
"""

from __future__ import annotations

from feedback.i18n import person_language
from feedback.models import Person

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
    return person_language(person)
