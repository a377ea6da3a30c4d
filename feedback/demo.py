"""A demo organisation to try the product with: `flask --app wsgi demo [--if-empty]`.

One sales director above twelve regional sales managers and their teams, an HR account and
manager accounts (all with the demo password), a published spring round full of synthetic
answers and an open autumn round that is about a third done.

Everything is deterministic (a seeded random generator) and idempotent: people, accounts and
rounds are only created when they are missing, so running it twice changes nothing. Answers
are written directly as response rows in bulk, exactly as a submission would leave them:
no link back to the invitation, random keys, shuffled before they are stored.
"""

import random
import unicodedata
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from werkzeug.security import generate_password_hash

from feedback import envelopes, sealing
from feedback.clock import today
from feedback.config import Config
from feedback.db import begin_write
from feedback.extensions import db
from feedback.frameworks import copy_framework, load_framework
from feedback.models import (
    Framework,
    Invitation,
    Participant,
    ParticipationCount,
    Person,
    RaterGroup,
    Round,
    RoundStatus,
    SealedResponse,
    User,
)
from feedback.survey.drafts import mint_link
from feedback.tokens import survey_link

SEED = 2026
DOMAIN = "voorbeeld.nl"
HR_EMAIL = f"hr@{DOMAIN}"
DEMO_PASSWORD = "demo-wachtwoord"  # noqa: S105  (a published demo password, on purpose)
SPRING = "Voorjaar 2026"
AUTUMN = "Najaar 2026"
THRESHOLD = Config.DEFAULT_THRESHOLD

DIRECTOR_NAME = "Marloes van der Wiel"

LEGS = ("teambuilder", "decisive", "politician", "coach", "numbers", "achiever")


@dataclass(frozen=True)
class ManagerSpec:
    """A sales manager and how their team sees them."""

    name: str
    region: str
    team_size: int
    strong: tuple[str, ...]
    weak: tuple[str, ...]
    # "blind": rates themselves higher than others do (blind spots);
    # "modest": lower (hidden strengths); "accurate": about the same.
    self_view: str
    language: str = "nl"
    peers: int = 0
    # Forced number of answering direct reports in spring (a group below the threshold).
    spring_answering: int | None = None
    self_in_spring: bool = True
    supervisor_in_spring: bool = True
    # A divided team: some love this manager, some do not.
    split: bool = False
    # What the manager worked on after spring (shows up in the autumn answers).
    improved: tuple[str, ...] = ()


MANAGERS = (
    ManagerSpec(
        "Sanne de Groot",
        "Noord",
        7,
        ("coach", "teambuilder"),
        ("numbers",),
        "accurate",
        peers=3,
        improved=("numbers",),
    ),
    ManagerSpec(
        "Martijn Bakker",
        "Oost",
        5,
        ("numbers", "achiever"),
        ("coach", "teambuilder"),
        "blind",
        improved=("coach",),
    ),
    ManagerSpec(
        "Eline Visser", "Zuid", 9, ("politician", "decisive"), ("coach",), "modest", peers=2
    ),
    ManagerSpec(
        "Ruud Jansen",
        "West",
        4,
        ("achiever",),
        ("teambuilder", "politician"),
        "blind",
        spring_answering=2,
    ),
    ManagerSpec(
        "Fatima el Amrani", "Randstad Noord", 8, ("coach", "teambuilder", "numbers"), (), "modest"
    ),
    ManagerSpec(
        "Joost Hendriks",
        "Midden",
        6,
        ("achiever", "decisive"),
        ("politician", "numbers"),
        "accurate",
        peers=2,
        self_in_spring=False,
    ),
    ManagerSpec(
        "Daniel Brooks",
        "Randstad Zuid",
        5,
        ("numbers", "decisive"),
        ("teambuilder",),
        "accurate",
        language="en",
        supervisor_in_spring=False,
    ),
    ManagerSpec(
        "Lotte Mulder",
        "Brabant",
        4,
        ("coach",),
        ("decisive", "numbers"),
        "modest",
        spring_answering=2,
        improved=("decisive",),
    ),
    ManagerSpec(
        "Bram Smit", "Limburg", 7, ("politician", "teambuilder"), ("achiever",), "blind", peers=3
    ),
    ManagerSpec("Iris van Dijk", "Gelderland", 6, ("coach", "numbers", "achiever"), (), "accurate"),
    ManagerSpec(
        "Kees Vermeulen",
        "Twente",
        9,
        ("achiever", "numbers"),
        ("coach", "teambuilder"),
        "blind",
        peers=2,
        split=True,
    ),
    ManagerSpec(
        "Noor Peeters",
        "Zeeland",
        5,
        ("teambuilder",),
        ("numbers", "politician"),
        "modest",
        self_in_spring=False,
        improved=("politician",),
    ),
)

# Managers whose logins are printed at the end (all use the same password).
SHOWN_MANAGERS = ("Sanne de Groot", "Martijn Bakker", "Daniel Brooks")

FIRST_NAMES = (
    "Anouk",
    "Bas",
    "Daan",
    "Eva",
    "Femke",
    "Gijs",
    "Hanna",
    "Jesse",
    "Julia",
    "Koen",
    "Laura",
    "Lars",
    "Maaike",
    "Milan",
    "Niels",
    "Nina",
    "Pieter",
    "Roos",
    "Sem",
    "Sophie",
    "Stijn",
    "Tessa",
    "Thijs",
    "Vera",
    "Wouter",
    "Yara",
    "Bart",
    "Ilse",
    "Jeroen",
    "Kim",
    "Mark",
    "Mirjam",
    "Rick",
    "Sander",
    "Esther",
    "Hugo",
    "Lieke",
    "Ruben",
    "Floor",
    "Tim",
    "Merel",
    "Dennis",
    "Anne",
    "Erik",
    "Fleur",
    "Mohamed",
    "Sarah",
    "Youssef",
    "Linda",
    "Marco",
    "Inge",
    "Rutger",
)
SURNAMES = (
    "de Jong",
    "Jansen",
    "de Vries",
    "van den Berg",
    "van Dijk",
    "Bakker",
    "Janssen",
    "Visser",
    "Smit",
    "Meijer",
    "de Boer",
    "Mulder",
    "de Groot",
    "Bos",
    "Vos",
    "Peters",
    "Hendriks",
    "van Leeuwen",
    "Dekker",
    "Brouwer",
    "de Wit",
    "Dijkstra",
    "Smits",
    "de Graaf",
    "van der Meer",
    "van der Linden",
    "Kok",
    "Jacobs",
    "de Haan",
    "Vermeulen",
    "van den Heuvel",
    "van der Veen",
    "van den Broek",
    "de Bruijn",
    "de Bruin",
    "van der Heijden",
    "Schouten",
    "van Beek",
    "Willems",
    "van Vliet",
    "van de Ven",
    "Hoekstra",
    "Maas",
    "Verhoeven",
    "Koster",
    "van Dam",
    "Prins",
    "Blom",
    "Huisman",
    "Peeters",
    "Postma",
    "Kuipers",
    "Bouwman",
    "Yilmaz",
    "Bennani",
    "Wijaya",
)
# Colleagues who prefer English (their survey and comments are in English).
ENGLISH_NAMES = ("James Whitfield", "Priya Raman", "Tomasz Nowak", "Elena Rossi", "Liam O'Neill")

# --- comments --------------------------------------------------------------------------------
# (leg the comment is about or None, text). Sampled without repetition within a round, with a
# preference for the manager's weak legs (start, stop) or strong legs (continue).

START = (
    (
        "teambuilder",
        "Nieuwe collega's de eerste drie maanden een vaste buddy geven. "
        "Ik moest destijds alles zelf uitzoeken.",
    ),
    (
        "teambuilder",
        "Bij sollicitaties iemand uit het team laten meepraten. Wij zien vaak "
        "sneller of iemand echt een verkoper is.",
    ),
    (
        "teambuilder",
        "Vaker iets met het team doen buiten kantoor. We zien elkaar bijna alleen nog in Teams.",
    ),
    (
        "teambuilder",
        "Successen delen in het teamoverleg. Als iemand een grote klant "
        "binnenhaalt hoor je het nu via via.",
    ),
    (
        "teambuilder",
        "Eerlijk zijn als iemand niet functioneert. Iedereen ziet het, alleen gebeurt er niks mee.",
    ),
    ("teambuilder", "Zichtbaarder achter ons gaan staan als er kritiek van boven komt."),
    (
        "teambuilder",
        "Eens per kwartaal evalueren hoe we als team samenwerken, niet alleen hoeveel we omzetten.",
    ),
    ("teambuilder", "De vacature snel invullen. We vangen nu met z'n vijven het werk van zes op."),
    (
        "decisive",
        "Sneller knopen doorhakken over kortingen. Klanten haken af als ik drie dagen "
        "op akkoord moet wachten.",
    ),
    ("decisive", "Samen de pipeline doorlopen en eerlijk zeggen welke deals kansloos zijn."),
    (
        "decisive",
        "Meegaan naar de lastige klanten. Bij de grote tenders maakt het echt "
        "verschil als je erbij zit.",
    ),
    (
        "decisive",
        "Eerder ingrijpen als een deal stilvalt, niet pas in de laatste week van het kwartaal.",
    ),
    ("decisive", "Duidelijk kiezen welke klanten voorgaan. Nu is alles belangrijk en dus niks."),
    (
        "decisive",
        "Een besluit nemen over de nieuwe verdeling van de regio. Dat sleept al sinds de zomer.",
    ),
    (
        "politician",
        "Aan de directie laten zien dat ons target niet klopt met het aantal "
        "klanten in onze regio.",
    ),
    (
        "politician",
        "Vaker bij marketing aan tafel. De leads die we krijgen passen niet bij onze klanten.",
    ),
    (
        "politician",
        "Terugkoppelen wat er in het MT over ons besproken wordt. We horen alles als laatste.",
    ),
    (
        "politician",
        "Zorgen dat de binnendienst ons serieus neemt, offertes blijven veel te lang liggen.",
    ),
    (
        "politician",
        "Opkomen voor het team bij de nieuwe bonusregeling. Voor de buitendienst "
        "pakt die slecht uit.",
    ),
    ("politician", "Contact leggen met productmanagement, zodat we eerder horen wat er aankomt."),
    (
        "politician",
        "Eens per maand met finance om tafel, dan lopen de kredietchecks misschien wat soepeler.",
    ),
    ("politician", "Regelen dat we eindelijk een fatsoenlijke demo-omgeving krijgen van IT."),
    (
        "coach",
        "Vaker een dag meerijden. Niet om te controleren, maar om achteraf te "
        "vertellen wat je zag.",
    ),
    ("coach", "Een echt ontwikkelgesprek voeren in plaats van alleen de cijfers doorlopen."),
    ("coach", "Vragen wat we nodig hebben voordat er weer een training wordt ingekocht."),
    ("coach", "Na een verloren deal samen kijken wat ik anders had kunnen doen, zonder verwijten."),
    ("coach", "Meer vertrouwen geven aan de ervaren mensen. Wij weten heus wat we doen."),
    ("coach", "Een onderhandelingstraining regelen, daar lopen een paar van ons echt op vast."),
    ("coach", "Vaste 1-op-1's inplannen. Nu spreek ik je eigenlijk alleen als er iets misgaat."),
    (
        "coach",
        "Eerst uitzoeken waarom iemand achterloopt voordat je gaat pushen. Soms "
        "ontbreekt gewoon kennis.",
    ),
    ("coach", "Nieuwe verkopers beter inwerken op ons assortiment, niet alleen op de systemen."),
    (
        "numbers",
        "De cijfers uitleggen in het teamoverleg. Ik weet eerlijk gezegd niet hoe we "
        "er als team voor staan.",
    ),
    ("numbers", "Het verkoopplan voor volgend jaar per klantsegment met ons doornemen."),
    (
        "numbers",
        "Naar marge kijken en niet alleen naar omzet. Aan sommige deals verdienen we niks.",
    ),
    (
        "numbers",
        "Eén overzichtelijk dashboard delen in plaats van die Excel met twintig tabbladen.",
    ),
    ("numbers", "Duidelijker maken hoe mijn persoonlijke target is opgebouwd."),
    (
        "numbers",
        "Accountplannen maken voor de grootste klanten, dan kijken we ook eens "
        "verder dan dit kwartaal.",
    ),
    (
        "numbers",
        "Wekelijks kort de forecast doornemen, dan zijn er aan het eind van het "
        "kwartaal geen verrassingen.",
    ),
    ("numbers", "Zeggen wat je uit de cijfers concludeert, niet alleen de cijfers rondmailen."),
    ("achiever", "Zelf ook eens bij een grote klant langsgaan. We zien je nauwelijks in het veld."),
    ("achiever", "Een doel boven het target stellen waar we met z'n allen voor gaan."),
    ("achiever", "Vieren als we het kwartaal halen. Dat gebeurt nu eigenlijk nooit."),
    ("achiever", "Zelf het CRM bijhouden. Van ons wordt het wel verwacht."),
    (
        "achiever",
        "Laten zien dat je er ook voor gaat als het tegenzit, niet alleen in de goede maanden.",
    ),
    ("achiever", "Terugbellen als je zegt dat je terugbelt."),
)

STOP = (
    (
        "teambuilder",
        "Mensen aannemen omdat ze in het gesprek goed praten. De laatste twee "
        "nieuwe collega's waren binnen een jaar weer weg.",
    ),
    (
        "teambuilder",
        "Collega's die er de kantjes vanaf lopen de hand boven het hoofd houden. "
        "Dat gaat ten koste van de rest.",
    ),
    ("teambuilder", "Kritiek op het team in de groepsapp zetten. Dat kan beter één op één."),
    ("teambuilder", "Alleen oog hebben voor de toppers. De middenmoot doet ook gewoon goed werk."),
    ("teambuilder", "Het team laten vallen zodra er druk van boven komt."),
    ("teambuilder", "De goede leads steeds aan dezelfde mensen geven."),
    ("teambuilder", "Het teamoverleg op het laatste moment verzetten."),
    ("teambuilder", "Nieuwe mensen meteen de moeilijkste klanten geven."),
    ("decisive", "Beslissingen uitstellen tot het te laat is. De klant wacht niet op ons."),
    ("decisive", "Elke deal boven de 20k zelf willen goedkeuren, ook bij bestaande klanten."),
    ("decisive", "Op gevoel forecasten. Je schat deals vaak rooskleuriger in dan wij."),
    ("decisive", "Na elk gesprek met de directie weer van mening veranderen."),
    ("decisive", "Deals in de pipeline laten staan waarvan iedereen weet dat ze niet sluiten."),
    ("decisive", "Terugkomen op beslissingen die al genomen waren. Dat maakt het team onzeker."),
    ("decisive", "Klanten korting beloven zonder het met de accountmanager af te stemmen."),
    ("politician", "Elk target van boven zonder discussie aan ons doorgeven."),
    ("politician", "Ja zeggen tegen alles wat de directie vraagt en het dan bij ons neerleggen."),
    ("politician", "Ruzies met de binnendienst over onze hoofden heen uitvechten."),
    (
        "politician",
        "Waar wij bij zijn klagen over andere afdelingen. Dat helpt de samenwerking niet.",
    ),
    ("politician", "Marketing dingen beloven die wij vervolgens moeten waarmaken."),
    ("politician", "De schuld bij logistiek leggen als een klant klaagt. Los het samen op."),
    (
        "coach",
        "Elke dag om een update vragen over dezelfde deals. Ik meld het echt wel als er "
        "iets verandert.",
    ),
    ("coach", "Het klantgesprek overnemen als je meegaat. Dan sta ik voor gek bij mijn klant."),
    ("coach", "Alles zelf willen doen. Je bent geen verkoper meer, laat ons het werk doen."),
    ("coach", "Feedback geven waar de rest van het team bij is."),
    (
        "coach",
        "Iedereen op dezelfde manier aansturen. Niet iedereen heeft dezelfde begeleiding nodig.",
    ),
    ("coach", "Harder pushen als iemand achterloopt, zonder te vragen waar het aan ligt."),
    ("coach", "Eisen dat je in de cc staat bij elke offerte."),
    ("coach", "Trainingen afzeggen omdat het kwartaal druk is. Zo komen ze er nooit."),
    ("coach", "Mijn klanten bellen zonder dat ik ervan weet."),
    ("coach", "Na elke verloren deal op zoek gaan naar wie het fout deed."),
    (
        "numbers",
        "Alleen naar de cijfers van deze maand kijken. Sommige klanten hebben een jaar nodig.",
    ),
    ("numbers", "Excelletjes rondsturen zonder uitleg. Niemand weet wat we ermee moeten."),
    (
        "numbers",
        "Omzet belangrijker vinden dan marge. Die grote kortingen komen ons later duur te staan.",
    ),
    ("numbers", "Rapportages opvragen die niemand leest."),
    ("numbers", "Conclusies trekken uit één slechte week."),
    ("numbers", "Steeds nieuwe KPI's invoeren. Ze zijn dit jaar al drie keer veranderd."),
    (
        "numbers",
        "De forecast mooier maken dan hij is, alleen zodat het er richting directie goed uitziet.",
    ),
    ("achiever", "Vrijdag om drie uur naar huis gaan en van ons verwachten dat we doorwerken."),
    ("achiever", "Het target na de zomer nog omhoog schroeven omdat we goed liggen."),
    ("achiever", "Afspraken maken die je niet nakomt."),
    ("achiever", "De eer naar je toe trekken als een deal lukt."),
    ("achiever", "Zeggen dat het target toch niet te halen is. Daar wordt niemand warm van."),
    ("achiever", "Te laat komen bij klantafspraken waar je zelf bij wilde zijn."),
    ("achiever", "Tevreden zijn met 95 procent van het target. Er zit meer in."),
)

CONTINUE = (
    (
        "teambuilder",
        "Het team bij elkaar houden. De sfeer is het afgelopen jaar echt beter geworden.",
    ),
    ("teambuilder", "Achter ons staan als een klant boos wordt. Dat geeft vertrouwen."),
    ("teambuilder", "De teamlunch aan het begin van de maand. Klein ding, maar het werkt."),
    ("teambuilder", "Benoemen als iemand het goed doet, ook bij de kleine deals."),
    (
        "teambuilder",
        "Kritisch zijn bij het aannemen van nieuwe mensen. Het team is sterker "
        "dan een jaar geleden.",
    ),
    ("teambuilder", "Open zijn over wat er in de organisatie speelt."),
    ("teambuilder", "Tijd maken als iemand privé iets heeft. Dat wordt echt gewaardeerd."),
    ("teambuilder", "Het team meenemen in beslissingen over de verdeling van de regio."),
    ("decisive", "Snel beslissen over offertes. Dat heeft ons al een paar deals opgeleverd."),
    ("decisive", "Eerlijk zeggen als je denkt dat een deal niks wordt. Scheelt een hoop tijd."),
    ("decisive", "Meegaan naar de grote klanten als het spannend wordt."),
    ("decisive", "De pipelinebespreking op maandag. Daar leer ik veel van."),
    ("decisive", "Duidelijke keuzes maken in welke klanten we investeren."),
    ("decisive", "De knoop doorhakken als we er als team niet uitkomen."),
    ("decisive", "Snel schakelen als een klant ineens een andere kant op wil."),
    (
        "politician",
        "Opkomen voor ons bij de directie. Dat targetgesprek vorig kwartaal heeft "
        "echt iets opgeleverd.",
    ),
    (
        "politician",
        "Goed contact houden met de binnendienst. Offertes gaan sindsdien een stuk sneller.",
    ),
    ("politician", "Ons op de hoogte houden van wat er in het MT speelt."),
    (
        "politician",
        "Zorgen dat marketing naar ons luistert. De nieuwe brochure is eindelijk bruikbaar.",
    ),
    ("politician", "Dingen regelen bij andere afdelingen waar wij zelf niet doorheen komen."),
    ("politician", "Eerlijk zijn over wat je boven wel en niet voor elkaar krijgt."),
    ("coach", "Ons de ruimte geven om onze klanten op onze eigen manier te bedienen."),
    ("coach", "De 1-op-1's. Die helpen me echt verder."),
    ("coach", "Meedenken in plaats van voorschrijven. Ik heb veel gehad aan de rollenspellen."),
    ("coach", "Na een lastig klantbezoek even bellen om te horen hoe het ging."),
    ("coach", "Ruimte geven voor trainingen. De cursus onderhandelen heeft me veel opgeleverd."),
    ("coach", "Rustig blijven als het een keer tegenzit en dan samen kijken wat beter kan."),
    ("coach", "Vragen stellen in plaats van meteen met de oplossing te komen."),
    ("coach", "Nieuwe collega's de tijd geven om in te werken."),
    ("coach", "Geduld hebben met de junioren. Ze groeien zichtbaar."),
    ("numbers", "Het maandoverzicht met de belangrijkste cijfers, kort en helder."),
    ("numbers", "Uitleggen waarom het target is wat het is. Dan weet ik waar ik voor loop."),
    ("numbers", "De focus op marge. We geven veel minder korting weg dan vorig jaar."),
    ("numbers", "Scherp op de forecast zitten. We weten altijd waar we staan."),
    ("numbers", "Het verkoopplan elk kwartaal met ons doornemen, dat geeft houvast."),
    ("numbers", "Bij de grote accounts verder kijken dan dit kwartaal."),
    ("numbers", "Het CRM-dashboard dat je hebt laten bouwen. Eindelijk zie ik mijn eigen cijfers."),
    ("achiever", "Het goede voorbeeld geven. Je staat altijd als eerste klaar."),
    ("achiever", "De energie waarmee je ons aan het eind van het kwartaal meekrijgt."),
    ("achiever", "Zelf de telefoon pakken als een klant moeilijk doet."),
    ("achiever", "De lat hoog leggen, ook als we al boven target zitten."),
    ("achiever", "Afspraken nakomen. Op jou kun je rekenen."),
    ("achiever", "Positief blijven in een lastig jaar. Dat straalt af op het team."),
    (None, "Gewoon zo doorgaan, het werkt."),
    (None, "Eigenlijk alles. Fijne manager om voor te werken."),
)

SELF_COMMENTS = {
    "start": (
        "Meer tijd inplannen om met het team mee te rijden.",
        "Het verkoopplan beter vertalen naar persoonlijke doelen.",
        "Vaker met marketing en de binnendienst om tafel.",
        "Vaste 1-op-1's in plaats van gesprekken als het toevallig uitkomt.",
        "Eerder ingrijpen als iemand structureel achterloopt.",
        "Me beter voorbereiden op de forecastgesprekken met de directie.",
        "Meer overlaten aan de senioren in mijn team.",
        "De successen van het team zichtbaarder maken richting directie.",
    ),
    "stop": (
        "Te veel zelf in deals duiken.",
        "Alles willen controleren.",
        "Ja zeggen tegen elk verzoek van boven.",
        "Lastige personeelsbeslissingen voor me uit schuiven.",
        "'s Avonds laat nog mails sturen.",
        "Alleen naar omzet kijken.",
        "Het teamoverleg laten uitlopen.",
        "Targets zonder discussie doorzetten naar het team.",
    ),
    "continue": (
        "Het team beschermen tegen onrealistische verwachtingen.",
        "De wekelijkse pipelinebespreking.",
        "Zelf het voorbeeld geven in het veld.",
        "Open zijn over de cijfers.",
        "Investeren in training voor het team.",
        "Snel beslissen over offertes.",
        "Goede contacten onderhouden met andere afdelingen.",
        "Successen met het team vieren.",
    ),
}

SUPERVISOR_COMMENTS = {
    "start": (
        "Meer sturen op marge, niet alleen op omzet.",
        "De forecast in het MT beter onderbouwen.",
        "Personeelsproblemen eerder bij mij en HR aankaarten.",
        "Met de andere regiomanagers best practices delen.",
        "Een opvolger in het team ontwikkelen.",
        "Het accountplan voor de top tien klanten afmaken.",
    ),
    "stop": (
        "Problemen pas melden als ze niet meer op te lossen zijn.",
        "Zelf deals sluiten die het team prima aankan.",
        "Elk target ter discussie stellen zonder alternatief voorstel.",
        "Afspraken met andere afdelingen via mij laten lopen.",
        "Rapportages te laat aanleveren.",
        "Het team afschermen van elke verandering.",
    ),
    "continue": (
        "De betrokkenheid bij het team, dat is duidelijk te merken.",
        "De heldere rapportages richting MT.",
        "De manier waarop je nieuwe mensen inwerkt.",
        "De samenwerking met marketing, die is echt verbeterd.",
        "Resultaatgericht blijven, ook in een moeilijke markt.",
        "Het goede voorbeeld dat je geeft aan de andere managers.",
    ),
}

ENGLISH_COMMENTS = {
    "start": (
        "Hold regular one-to-ones instead of only talking when something goes wrong.",
        "Explain how our targets are set.",
        "Join us on the difficult customer visits now and then.",
        "Share what is discussed about our team in management meetings.",
        "Decide faster on discounts.",
        "Give new starters a proper onboarding plan.",
        "Share a simple dashboard with the team's numbers.",
        "Push back when head office sets targets that ignore our region.",
        "Celebrate when we hit the quarter.",
        "Arrange negotiation training for the team.",
    ),
    "stop": (
        "Asking for updates on the same deals every day.",
        "Taking over my customer meetings.",
        "Passing on every target from above without discussion.",
        "Giving feedback in front of the whole team.",
        "Changing the KPIs every quarter.",
        "Approving every quote yourself.",
        "Putting off decisions until the customer has gone elsewhere.",
        "Sending spreadsheets around without any explanation.",
        "Cancelling training when the quarter gets busy.",
        "Calling my customers without telling me.",
    ),
    "continue": (
        "Standing up for the team with senior management.",
        "The weekly pipeline review, it keeps us sharp.",
        "Giving us room to run our own accounts.",
        "Being honest about which deals are realistic.",
        "The monthly overview of the numbers.",
        "Recognising good work, even on small deals.",
        "Staying calm when things go wrong.",
        "Setting the example on the road.",
        "Keeping us informed about what is happening in the company.",
        "Being approachable.",
    ),
}

TEAM_POOLS = {"start": START, "stop": STOP, "continue": CONTINUE}
# How often a commenter answers each open question.
QUESTION_RATES = {"start": 0.7, "stop": 0.5, "continue": 0.75}

# Chance of "don't know" per leg and rater group.
DONT_KNOW = {
    RaterGroup.DIRECT_REPORT: {"numbers": 0.14, "politician": 0.22, "decisive": 0.04},
    RaterGroup.PEER: {"coach": 0.3, "teambuilder": 0.15, "achiever": 0.05},
    RaterGroup.SUPERVISOR: {"coach": 0.05},
    RaterGroup.SELF: {},
}
DEFAULT_DONT_KNOW = 0.03


# --- the organisation ------------------------------------------------------------------------


@dataclass
class PersonSpec:
    name: str
    email: str
    role: str
    team: str | None
    language: str = "nl"
    manager_email: str | None = None


@dataclass
class Organisation:
    director: PersonSpec
    managers: list[tuple[ManagerSpec, PersonSpec]]
    reps: dict[str, list[PersonSpec]] = field(default_factory=dict)  # manager email -> reps

    @property
    def people(self) -> list[PersonSpec]:
        result = [self.director]
        for _spec, manager in self.managers:
            result.append(manager)
            result.extend(self.reps[manager.email])
        return result


def email_for(name: str) -> str:
    """'Fatima el Amrani' -> 'fatima.elamrani@voorbeeld.nl'."""
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    first, _, rest = plain.lower().partition(" ")
    rest = "".join(ch for ch in rest if ch.isalnum())
    return f"{first}.{rest}@{DOMAIN}"


def build_organisation() -> Organisation:
    """The same organisation every time (seeded)."""
    rng = random.Random(SEED)
    director = PersonSpec(DIRECTOR_NAME, email_for(DIRECTOR_NAME), "director", "Verkoop")
    used = {director.name} | {spec.name for spec in MANAGERS}
    english = list(ENGLISH_NAMES)
    org = Organisation(director=director, managers=[])
    for index, spec in enumerate(MANAGERS):
        team = f"Regio {spec.region}"
        manager = PersonSpec(
            spec.name, email_for(spec.name), "manager", team, spec.language, director.email
        )
        org.managers.append((spec, manager))
        reps = []
        for position in range(spec.team_size):
            # Five colleagues who work in English, spread over the teams.
            if english and index % 2 == 1 and position == 1:
                name, language = english.pop(0), "en"
            else:
                name, language = _new_name(rng, used), "nl"
            used.add(name)
            reps.append(PersonSpec(name, email_for(name), "rep", team, language, manager.email))
        org.reps[manager.email] = reps
    return org


def _new_name(rng: random.Random, used: set[str]) -> str:
    while True:
        name = f"{rng.choice(FIRST_NAMES)} {rng.choice(SURNAMES)}"
        if name not in used and email_for(name) not in {email_for(u) for u in used}:
            return name


# --- loading ---------------------------------------------------------------------------------


def load_demo(if_empty: bool = False, echo: Callable[[str], object] = print) -> None:
    """Create whatever part of the demo organisation is missing, in one transaction."""
    if if_empty and db.session.scalar(sa.select(Person.id).limit(1)) is not None:
        db.session.rollback()
        echo("The database already has people; the demo was not loaded.")
        return

    begin_write()
    org = build_organisation()
    created_people = _ensure_people(org)
    people = {
        p.email: p
        for p in db.session.scalars(
            sa.select(Person).where(Person.email.in_([s.email for s in org.people]))
        )
    }
    created_users = _ensure_accounts(org, people)
    template = load_framework()

    created_rounds = []
    links: list[tuple[str, str]] = []
    spring = None
    if not _round_exists(SPRING):
        spring = _spring_round(org, people, template)
        created_rounds.append(SPRING)
    if not _round_exists(AUTUMN):
        links = _autumn_round(org, people, template)
        created_rounds.append(AUTUMN)
    db.session.commit()
    if spring is not None:
        _close_and_publish(spring)

    _report(org, echo, created_people, created_users, created_rounds, links)


def _round_exists(name: str) -> bool:
    return db.session.scalar(sa.select(Round.id).where(Round.name == name).limit(1)) is not None


def _ensure_people(org: Organisation) -> int:
    specs = org.people
    existing = set(
        db.session.scalars(
            sa.select(Person.email).where(Person.email.in_([s.email for s in specs]))
        )
    )
    by_email: dict[str, Person] = {}
    created = 0
    for spec in specs:  # managers come before their reps, so their rows exist first
        if spec.email in existing:
            continue
        person = Person(
            name=spec.name, email=spec.email, language=spec.language, role=spec.role, team=spec.team
        )
        if spec.manager_email in by_email:
            person.manager = by_email[spec.manager_email]
        elif spec.manager_email:
            person.manager_id = db.session.scalar(
                sa.select(Person.id).where(Person.email == spec.manager_email)
            )
        by_email[spec.email] = person
        db.session.add(person)
        created += 1
    db.session.flush()
    return created


def _ensure_accounts(org: Organisation, people: dict[str, Person]) -> int:
    wanted = [(HR_EMAIL, "hr", None)] + [
        (manager.email, "manager", people[manager.email]) for _spec, manager in org.managers
    ]
    existing_emails = set(
        db.session.scalars(sa.select(User.email).where(User.email.in_([w[0] for w in wanted])))
    )
    linked = set(db.session.scalars(sa.select(User.person_id).where(User.person_id.isnot(None))))
    password_hash = None
    created = 0
    for email, role, person in wanted:
        if email in existing_emails or (person is not None and person.id in linked):
            continue
        # One scrypt hash for every demo account: they share the password anyway.
        password_hash = password_hash or generate_password_hash(DEMO_PASSWORD, method="scrypt")
        db.session.add(User(email=email, role=role, person=person, password_hash=password_hash))
        created += 1
    db.session.flush()
    return created


# --- rounds ----------------------------------------------------------------------------------


@dataclass
class Rater:
    person: Person
    group: RaterGroup
    submits: bool


def _new_round(template: Framework, name: str, opens: date, closes: date, status: str) -> Round:
    rnd = Round(
        name=name,
        opens_on=opens,
        closes_on=closes,
        threshold=THRESHOLD,
        status=status,
        framework=copy_framework(template),
        answers_started=True,
        launched_at=datetime.combine(opens, datetime.min.time()) + timedelta(hours=8, minutes=30),
    )
    db.session.add(rnd)
    db.session.flush()
    return rnd


SPRING_CLOSED_AT = datetime(2026, 4, 3, 18, 0)
SPRING_PUBLISHED_AT = datetime(2026, 4, 14, 9, 15)


def _close_and_publish(round_id: int) -> None:
    """The spring round's answers went in sealed; close it as HR would (the envelopes are
    opened and participation erased), publish it, and date both steps as in the story."""
    from feedback.admin.transitions import close_round, publish_round

    close_round(round_id)
    publish_round(round_id)
    begin_write()
    db.session.execute(
        sa.update(Round)
        .where(Round.id == round_id)
        .values(closed_at=SPRING_CLOSED_AT, published_at=SPRING_PUBLISHED_AT)
    )
    db.session.execute(
        sa.update(ParticipationCount)
        .where(ParticipationCount.round_id == round_id)
        .values(counted_at=SPRING_CLOSED_AT)
    )
    db.session.commit()


def _spring_round(org: Organisation, people: dict[str, Person], template: Framework) -> int:
    """The past round, still open (its answers sealed): the caller closes it."""
    rng = random.Random(SEED + 1)
    rnd = _new_round(template, SPRING, date(2026, 3, 16), date(2026, 4, 3), RoundStatus.OPEN)
    peers_of = _choose_peers(org, rng)
    writer = ResponseWriter(rnd, rng)
    for spec, manager in org.managers:
        reps = org.reps[manager.email]
        if spec.spring_answering is not None:
            answering = spec.spring_answering
        else:
            answering = max(3, round(len(reps) * rng.uniform(0.7, 0.9)))
        submitted_reps = set(rng.sample(range(len(reps)), answering))
        raters = [
            Rater(people[manager.email], RaterGroup.SELF, spec.self_in_spring),
            Rater(people[org.director.email], RaterGroup.SUPERVISOR, spec.supervisor_in_spring),
        ]
        raters += [
            Rater(people[rep.email], RaterGroup.DIRECT_REPORT, i in submitted_reps)
            for i, rep in enumerate(reps)
        ]
        raters += [
            Rater(people[peer], RaterGroup.PEER, rng.random() < 0.75)
            for peer in peers_of[spec.name]
        ]
        participant = Participant(round=rnd, person=people[manager.email])
        db.session.add(participant)
        profile = _profile(spec, rng)
        for rater in raters:
            reminded = not rater.submits or rng.random() < 0.3
            db.session.add(
                Invitation(
                    round_id=rnd.id,
                    participant=participant,
                    person=rater.person,
                    group=str(rater.group),
                    email=rater.person.email,
                    language=rater.person.language,
                    submitted=rater.submits,
                    sent_at=rnd.launched_at,
                    reminders_sent=1 if reminded else 0,
                    last_reminded_at=datetime(2026, 3, 25, 9, 0) if reminded else None,
                )
            )
        db.session.flush()
        writer.add_all(participant.id, spec, profile, [r for r in raters if r.submits])
    writer.flush()
    return rnd.id


def _autumn_round(
    org: Organisation, people: dict[str, Person], template: Framework
) -> list[tuple[str, str]]:
    """The open round; returns a few (description, survey link) pairs of pending invitations."""
    rng = random.Random(SEED + 2)
    opens = today() - timedelta(days=8)
    rnd = _new_round(template, AUTUMN, opens, today() + timedelta(days=14), RoundStatus.OPEN)
    peers_of = _choose_peers(org, rng)
    writer = ResponseWriter(rnd, rng)
    wanted = {"direct_report nl", "direct_report en", "self nl"}
    links: list[tuple[str, str]] = []
    for spec, manager in org.managers:
        raters = [
            Rater(people[manager.email], RaterGroup.SELF, rng.random() < 0.35),
            Rater(people[org.director.email], RaterGroup.SUPERVISOR, rng.random() < 0.3),
        ]
        raters += [
            Rater(people[rep.email], RaterGroup.DIRECT_REPORT, rng.random() < 0.3)
            for rep in org.reps[manager.email]
        ]
        raters += [
            Rater(people[peer], RaterGroup.PEER, rng.random() < 0.25)
            for peer in peers_of[spec.name]
        ]
        participant = Participant(round=rnd, person=people[manager.email])
        db.session.add(participant)
        for rater in raters:
            invitation = Invitation(
                round_id=rnd.id,
                participant=participant,
                person=rater.person,
                group=str(rater.group),
                email=rater.person.email,
                language=rater.person.language,
                submitted=rater.submits,
                sent_at=rnd.launched_at,
            )
            db.session.add(invitation)
            token = mint_link(invitation)
            kind = f"{rater.group} {rater.person.language}"
            if not rater.submits and kind in wanted:
                wanted.discard(kind)
                links.append((_link_label(rater, manager), survey_link(token)))
        db.session.flush()
        profile = _profile(spec, rng, after_spring=True)
        writer.add_all(participant.id, spec, profile, [r for r in raters if r.submits])
    writer.flush()
    return links


def _link_label(rater: Rater, manager: PersonSpec) -> str:
    if rater.group == RaterGroup.SELF:
        return f"self-assessment of {manager.name}"
    language = "English" if rater.person.language == "en" else "Dutch"
    return f"{rater.person.name} rates {manager.name} ({language})"


def _choose_peers(org: Organisation, rng: random.Random) -> dict[str, list[str]]:
    emails = {spec.name: manager.email for spec, manager in org.managers}
    result = {}
    for spec, _manager in org.managers:
        others = [email for name, email in emails.items() if name != spec.name]
        result[spec.name] = rng.sample(others, spec.peers)
    return result


# --- synthetic answers -----------------------------------------------------------------------


@dataclass
class Profile:
    """Where each rater group sees this manager on each leg (1-5 scale)."""

    others: dict[str, float]
    self_view: dict[str, float]
    supervisor: dict[str, float]


def _profile(spec: ManagerSpec, rng: random.Random, after_spring: bool = False) -> Profile:
    base = 3.45 + rng.uniform(-0.2, 0.25)
    others = {}
    for leg in LEGS:
        level = base + rng.uniform(-0.15, 0.15)
        if leg in spec.strong:
            level += 0.75
        if leg in spec.weak:
            level -= 0.95
        if after_spring and leg in spec.improved:
            level += 0.45
        others[leg] = min(4.7, max(1.6, level))
    self_view = {}
    for leg, level in others.items():
        if spec.self_view == "blind":
            shift = 1.1 if leg in spec.weak else 0.45
        elif spec.self_view == "modest":
            shift = -0.9 if leg in spec.strong else -0.4
        else:
            shift = rng.uniform(-0.2, 0.3)
        self_view[leg] = min(5.0, max(1.3, level + shift))
    supervisor = {leg: level + rng.gauss(0, 0.3) for leg, level in others.items()}
    return Profile(others, self_view, supervisor)


class ResponseWriter:
    """Builds response, answer and comment rows in memory and inserts them in bulk."""

    def __init__(self, rnd: Round, rng: random.Random):
        self.rnd = rnd
        self.rng = rng
        self.statements = [
            (s.id, s.key, leg.key) for leg in rnd.framework.legs for s in leg.statements
        ]
        # Some statements are simply harder to score well on, for every manager.
        item_rng = random.Random(SEED + 10)
        self.item_effect = {key: item_rng.gauss(0, 0.2) for _id, key, _leg in self.statements}
        self.responses: list[dict] = []
        self.answers: list[dict] = []
        self.comments: list[dict] = []
        self.pools: dict[tuple[str, str], list] = {}

    def add_all(self, participant_id: int, spec: ManagerSpec, profile: Profile, raters) -> None:
        for rater in raters:
            self.add(participant_id, spec, profile, rater)

    def add(self, participant_id: int, spec: ManagerSpec, profile: Profile, rater: Rater) -> None:
        rng = self.rng
        group = rater.group
        if group == RaterGroup.SELF:
            levels, offset, noise = profile.self_view, 0.0, 0.45
        elif group == RaterGroup.SUPERVISOR:
            levels, offset, noise = profile.supervisor, 0.0, 0.5
        else:
            levels, noise = profile.others, 0.75
            offset = rng.choice((-1.1, 0.9)) if spec.split else rng.gauss(0, 0.4)
            if group == RaterGroup.PEER:
                offset += 0.15
        response_id = str(uuid.uuid4())
        dont_know = DONT_KNOW[group]
        scores = []
        for statement_id, key, leg in self.statements:
            if rng.random() < dont_know.get(leg, DEFAULT_DONT_KNOW if group != "self" else 0):
                score = None
            else:
                value = levels[leg] + offset + self.item_effect[key] + rng.gauss(0, noise)
                score = min(5, max(1, round(value)))
                scores.append(score)
            self.answers.append(
                {"response_id": response_id, "statement_id": statement_id, "score": score}
            )
        mean = sum(scores) / len(scores) if scores else 3.5
        grade = min(9, max(5, round(1.9 + 1.5 * mean + rng.gauss(0, 0.5))))
        self.responses.append(
            {
                "id": response_id,
                "round_id": self.rnd.id,
                "participant_id": participant_id,
                "group": str(group),
                "grade": grade,
            }
        )
        self._comments(response_id, spec, rater)

    def _comments(self, response_id: str, spec: ManagerSpec, rater: Rater) -> None:
        rng = self.rng
        chance = {RaterGroup.SELF: 0.6, RaterGroup.SUPERVISOR: 0.5}.get(rater.group, 0.4)
        if rng.random() >= chance:
            return
        questions = [q for q, rate in QUESTION_RATES.items() if rng.random() < rate]
        for question in questions or [rng.choice(list(QUESTION_RATES))]:
            if rater.group == RaterGroup.SELF:
                text = self._draw("self", question, SELF_COMMENTS[question])
            elif rater.group == RaterGroup.SUPERVISOR:
                text = self._draw("supervisor", question, SUPERVISOR_COMMENTS[question])
            elif rater.person.language == "en":
                text = self._draw("en", question, ENGLISH_COMMENTS[question])
            else:
                text = self._draw("team", question, TEAM_POOLS[question], spec)
            self.comments.append(
                {
                    "id": str(uuid.uuid4()),
                    "response_id": response_id,
                    "question_key": question,
                    "text": text,
                }
            )

    def _draw(self, kind: str, question: str, source, spec: ManagerSpec | None = None) -> str:
        """A comment not used before in this round (until the pool runs out).

        Team comments are tagged with a leg: "start" and "stop" lean towards the manager's
        weak legs, "continue" towards the strong ones.
        """
        pool = self.pools.setdefault((kind, question), [])
        if not pool:
            pool.extend(item if isinstance(item, tuple) else (None, item) for item in source)
        weights = [1.0] * len(pool)
        if spec is not None:
            fits, clashes = (
                (spec.strong, spec.weak) if question == "continue" else (spec.weak, spec.strong)
            )
            weights = [4.0 if leg in fits else 0.3 if leg in clashes else 1.0 for leg, _ in pool]
        index = self.rng.choices(range(len(pool)), weights=weights)[0]
        return pool.pop(index)[1]

    def flush(self) -> None:
        """Seal every response in an envelope, as a rater's submit does: closing the round
        opens them (the same code path as a real round)."""
        scores: dict[str, dict[int, int | None]] = {}
        for answer in self.answers:
            scores.setdefault(answer["response_id"], {})[answer["statement_id"]] = answer["score"]
        comments: dict[str, dict[str, str]] = {}
        for comment in self.comments:
            comments.setdefault(comment["response_id"], {})[comment["question_key"]] = comment[
                "text"
            ]
        rows = [
            {
                "id": str(uuid.uuid4()),
                "round_id": self.rnd.id,
                "sealed": envelopes.seal_answers(
                    self.rnd.id,
                    envelopes.SealedAnswers(
                        participant_id=response["participant_id"],
                        group=response["group"],
                        grade=response["grade"],
                        scores=scores.get(response["id"], {}),
                        comments=comments.get(response["id"], {}),
                    ),
                    sealing.seal,
                ),
            }
            for response in self.responses
        ]
        if rows:
            db.session.execute(sa.insert(SealedResponse), rows)


# --- what to tell the person at the keyboard -------------------------------------------------


def _report(
    org: Organisation,
    echo: Callable[[str], object],
    created_people: int,
    created_users: int,
    created_rounds: list[str],
    links: list[tuple[str, str]],
) -> None:
    reps = sum(len(team) for team in org.reps.values())
    if created_people or created_users or created_rounds:
        echo(
            f"Demo organisation loaded: 1 sales director, {len(org.managers)} sales managers, "
            f"{reps} sales reps ({created_people} people, {created_users} accounts and "
            f"{len(created_rounds)} rounds created)."
        )
    else:
        echo("The demo organisation is already loaded; nothing changed.")
    base_url = current_app.config["BASE_URL"]
    echo(f'Rounds: "{SPRING}" (published) and "{AUTUMN}" (open).')
    echo(f"Log in at {base_url}/auth/login")
    echo(f"  HR admin:       {HR_EMAIL}")
    for spec, manager in org.managers:
        if spec.name in SHOWN_MANAGERS:
            echo(f"  Sales manager:  {manager.email}  ({manager.team})")
    echo(f"  Password:       {DEMO_PASSWORD}")
    echo("  Every sales manager has an account with this same demo password.")
    if links:
        echo(f'Personal survey links in "{AUTUMN}" (demo only; normally they go out by e-mail):')
        for label, link in links:
            echo(f"  {link}  ({label})")
    elif AUTUMN not in created_rounds:
        echo(
            "Survey links are printed only when the open round is created "
            "(only their hashes are stored)."
        )
