"""The organisation's own names: the people in it (the people table, filled by the import)
and its customers and accounts (a configured list: the data model has no customers).

    org = org_names.current()              # this installation's names, kept for a while
    org = org.without(manager_person_id)    # the rated manager's own name is no giveaway
    org.find(text) -> list[Span]           # whole words, case and accents ignored

A person is matched by the full name, by the surname with or without its particles ("de
Vries", "Vries"), by first name plus surname, and by each first name or surname alone.
A name part that is an everyday word too ("Ben", "Groot", "Mark", "Will") counts only when
written with a capital; particles ("van", "de", "ter") and initials never count alone.

Account names come from the setting ACCOUNT_NAMES (comma-separated) and the file
ACCOUNT_NAMES_FILE (one a line; default `instance/account_names.txt` when it exists), and
are matched as a whole ("Albert Heijn", never "Albert" alone).

The index is built from the database once per process and rebuilt after
`IDENTIFYING_NAMES_SECONDS` (5 minutes by default): matching a comment against it is a few
dictionary look-ups per word.
"""

from __future__ import annotations

import functools
import itertools
import logging
import re
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from feedback.identifying.kinds import ACCOUNT, NAME, Span, fold, split_words

PARTICLES = frozenset(
    split_words(
        "van de der den het 't te ter ten op in aan la le du da di del della von zu zum vom"
        " el al bin ben' d' v.d. vd"
    )
)

# Name parts that are everyday Dutch or English words as well: only with a capital. Kept
# short and specific: the collisions a sales team's names really have.
EVERYDAY_WORDS = frozenset(
    split_words(
        """
    ben bas bo bram does els eva fleur gijs iris jade job joy kees koen lieve linde mees
    noor pien puck rik rob roos rosa sem sterre stijn teun ties tim tom vera wil wim max kim
    mark will bill pat sue guy ray gene frank grant chase dean drew lane page hope faith
    rose may june april august summer dawn eve jack bob sky art don hunter major king earl
    duke sterling victor joy grace hunter faith cash penny amber ruby crystal holly ivy
    groot klein jong wit zwart bos berg dijk visser bakker smit boer koning prins vos kok
    schipper beek brink veen hoek meer water dam wal laan kerk graaf hertog bruin rood groen
    blauw lang kort vroom wijs goed best kuiper timmerman schouten snel sterk stam storm
    winter zomer haan hout mol kraai valk vink zwaan das wolf beer leeuw bloem lelie eik berk
    hof tuin veld ven burg stad dorp molenaar mulder dekker brouwer kramer schaap stoel
    bank baker smith miller carpenter young white black brown green long short wise good
    little rich hall wood bush street lake hill field king price cook bird fox wolf bell
    moon star stone marsh brook ford well wells bond gold silver person persoon team
    leiden namen goes kampen delft houten hoorn weert luik gooi kempen sterk vaak
    """
    )
)

# Companies a Dutch sales team's comments are likely to name as customers, counted as
# accounts everywhere; an installation adds its own (ACCOUNT_NAMES, ACCOUNT_NAMES_FILE).
WELL_KNOWN_ACCOUNTS = """
Philips, Albert Heijn, Ahold, Ahold Delhaize, Jumbo, Lidl, Aldi, Hoogvliet,
Vomar, Spar, Delhaize, Colruyt, Carrefour, Heineken, Shell, ASML, KLM, ING, Rabobank,
ABN AMRO, Unilever, KPN, Vodafone, Ziggo, Odido, PostNL, Bol.com, Coolblue, DSM, AkzoNobel,
Akzo Nobel, Adyen, Booking.com, NS, HEMA, Kruidvat, Etos, Blokker, Gamma, Praxis,
Karwei, Hornbach, IKEA, MediaMarkt, Bosch, Siemens, Samsung, Microsoft, Google, Amazon,
Salesforce, SAP, Randstad, Tempo-Team, Achmea, Aegon, NN, Nationale-Nederlanden,
Allianz, Eneco, Vattenfall, Essent, Tata Steel, Damen, Boskalis, Van Oord, BAM,
Heijmans, VolkerWessels, Douwe Egberts, FrieslandCampina, Campina, Vion, Zeeman, Wehkamp,
Zalando, Decathlon, Intratuin, Sligro, Makro, Hanos, Bidfood, Picnic, Thuisbezorgd, Uber
""".replace("\n", " ")

MAX_WORDS = 6  # the longest name or account matched, in words

_generations = itertools.count()
_WORD = re.compile(r"\w+(?:['’-]\w+)*")


@functools.lru_cache(maxsize=16)
def tokens(text: str) -> tuple[tuple[int, int, str], ...]:
    """The words of `text` with their places, folded (lower case, no accents)."""
    folded = fold(text)
    return tuple((m.start(), m.end(), m.group(0).replace("’", "'")) for m in _WORD.finditer(folded))


# How a match must be written: in any case; with a capital ("Philips"); as given ("ING");
# with a capital and not as a sentence's first word (an everyday word: "Ben je ...").
ANY, CAPITAL, UPPER, EVERYDAY = 0, 1, 2, 3


@dataclass
class _Entry:
    kind: str
    owners: set  # person ids (or account names) this sequence of words names
    case: int  # ANY, CAPITAL or UPPER


def _sentence_start(text: str, start: int) -> bool:
    """Whether the word at `start` is the first of a sentence (or of the text)."""
    before = text[:start].rstrip(" \t\"'‘“(*•-–")
    return not before or before[-1] in ".!?\n"


def _written_as(case: int, text: str, start: int, end: int) -> bool:
    if case == ANY:
        return True
    if case == UPPER:
        return text[start:end].isupper()
    if not text[start].isupper():
        return False
    return case == CAPITAL or not _sentence_start(text, start)


@dataclass
class OrgNames:
    """Word sequences (folded) that name someone or something in the organisation."""

    entries: dict[tuple[str, ...], _Entry] = field(default_factory=dict)
    excluded: frozenset = frozenset()
    first_words: set[str] = field(default_factory=set)  # a match can only start at these
    longest: int = 1  # words in the longest entry
    # Changes with every name added: what was found with one generation is kept (check.py).
    generation: int = field(default_factory=lambda: next(_generations))

    def add(self, words: tuple[str, ...], kind: str, owner, case: int) -> None:
        if not words or len(words) > MAX_WORDS:
            return
        self.generation = next(_generations)
        self.first_words.add(words[0])
        self.longest = max(self.longest, len(words))
        old = self.entries.get(words)
        if old is None:
            self.entries[words] = _Entry(kind, {owner}, case)
        else:  # a person outranks an account; the loosest way of writing it counts
            old.kind = NAME if NAME in (old.kind, kind) else kind
            old.owners.add(owner)
            old.case = min(old.case, case)

    def add_person(self, person_id: int, name: str) -> None:
        for words, needs_capital in name_forms(name):
            self.add(words, NAME, person_id, EVERYDAY if needs_capital else ANY)

    def add_account(self, name: str) -> None:
        """A customer: several words in any case; one word with a capital ("Philips"), an
        abbreviation as written ("ING", "KPN": "ing" is no account)."""
        words = tuple(w for _s, _e, w in tokens(name))
        if not words:
            return
        if len(words) > 1:
            case = EVERYDAY if all(w in EVERYDAY_WORDS for w in words) else ANY
        elif name.isupper() and len(name.strip()) <= 5:
            case = UPPER
        else:
            case = EVERYDAY if words[0] in EVERYDAY_WORDS else CAPITAL
        self.add(words, ACCOUNT, "account:" + " ".join(words), case)

    def without(self, *person_ids: int | None) -> OrgNames:
        """The same names, but those that name only these people do not count (the rated
        manager: naming them gives nobody away)."""
        excluded = self.excluded | {p for p in person_ids if p is not None}
        return OrgNames(self.entries, excluded, self.first_words, self.longest, self.generation)

    def whole(self, text: str) -> str | None:
        """What these words are as a whole: a kind, "excluded" (only the excluded people's
        name), or None (nothing in the organisation's lists)."""
        entry = self.entries.get(tuple(w for _s, _e, w in tokens(text)))
        if entry is None:
            return None
        return "excluded" if entry.owners <= self.excluded else entry.kind

    def find(self, text: str) -> list[Span]:
        """Every name of the organisation in `text`, longest match first, as spans."""
        words_at = tokens(text)
        words = [w for _s, _e, w in words_at]
        spans = []
        i = 0
        while i < len(words):
            found = None
            if words[i] in self.first_words:
                for n in range(min(self.longest, len(words) - i), 0, -1):
                    entry = self.entries.get(tuple(words[i : i + n]))
                    if entry is None:
                        continue
                    start, end = words_at[i][0], words_at[i + n - 1][1]
                    if _written_as(entry.case, text, start, end):
                        found = (n, entry, start, end)
                        break
            if found is None:
                i += 1
                continue
            n, entry, start, end = found
            if not entry.owners <= self.excluded:
                spans.append(Span(start, end, entry.kind))
            i += n
        return spans

    def __len__(self) -> int:
        return len(self.entries)


def name_forms(name: str) -> Iterable[tuple[tuple[str, ...], bool]]:
    """The word sequences that name this person, each with whether it needs a capital (one
    word that is an everyday word too): "Jan de Vries" -> (jan de vries), (de vries),
    (vries), (jan vries), (jan)."""
    words = [w for _s, _e, w in tokens(name) if not any(c.isdigit() for c in w)]
    if not words:
        return
    forms = [tuple(words)]
    first, rest = words[0], words[1:]
    if rest:
        # The surname: from the first particle after the first name on, or the last word.
        k = next((i for i, w in enumerate(rest) if w in PARTICLES), None)
        surname = rest[k:] if k is not None else rest[-1:]
        core = [w for w in surname if w not in PARTICLES]
        if core:
            forms += [tuple(surname), tuple(core), (first, *core), (first, *surname)]
    forms += [(w,) for w in words if w not in PARTICLES and len(w) >= 2]
    for form in dict.fromkeys(forms):
        if all(w in PARTICLES for w in form):
            continue
        yield form, len(form) == 1 and form[0] in EVERYDAY_WORDS


# --- This installation's names, kept per process -------------------------------------------

_lock = threading.Lock()
_cache: dict[str, tuple[float, OrgNames]] = {}
_reloading: set[str] = set()


def account_names(app) -> list[str]:
    """The configured customer and account names (ACCOUNT_NAMES, ACCOUNT_NAMES_FILE)."""
    names = [n.strip() for n in (app.config["ACCOUNT_NAMES"] or "").split(",")]
    path = app.config["ACCOUNT_NAMES_FILE"] or Path(app.instance_path) / "account_names.txt"
    if Path(path).is_file():
        names += Path(path).read_text(encoding="utf-8").splitlines()
    return [n.strip() for n in names if n.strip() and not n.lstrip().startswith("#")]


def build(
    people: Iterable[tuple[int, str]], accounts: Iterable[str], well_known: bool = True
) -> OrgNames:
    org = OrgNames()
    known = [a.strip() for a in WELL_KNOWN_ACCOUNTS.split(",")] if well_known else []
    for account in [*known, *accounts]:
        org.add_account(account)
    for person_id, name in people:
        org.add_person(person_id, name)
    return org


def _load() -> OrgNames:
    import sqlalchemy as sa
    from flask import current_app

    from feedback.extensions import db
    from feedback.models import Person

    people = db.session.execute(sa.select(Person.id, Person.name)).all()
    return build(people, account_names(current_app))


def current() -> OrgNames:
    """This installation's names (inside an app context). The first call in a process loads
    them (about 0.1 s for 10,000 people: bench/identifying.py); after that they are kept,
    and once older than IDENTIFYING_NAMES_SECONDS they are reloaded in a thread of their
    own while the kept ones still answer: no autosave waits for a reload."""
    from flask import current_app

    from feedback.extensions import db

    key = db.engine.url.render_as_string(hide_password=True)
    ttl = float(current_app.config["IDENTIFYING_NAMES_SECONDS"])
    cached = _cache.get(key)
    if cached is None:
        with _lock:
            if key not in _cache:
                _cache[key] = (time.monotonic(), _load())
            return _cache[key][1]
    loaded_at, org = cached
    if time.monotonic() - loaded_at >= ttl and key not in _reloading:
        _reloading.add(key)
        app = current_app._get_current_object()
        threading.Thread(target=_reload, args=(app, key), daemon=True).start()
    return org


def _reload(app, key: str) -> None:
    try:
        with app.app_context():
            _cache[key] = (time.monotonic(), _load())
    except Exception:  # the kept names go on answering; the next call tries again
        logging.getLogger(__name__).exception("Could not reload the organisation's names")
    finally:
        _reloading.discard(key)


def forget() -> None:
    """Drop the kept names (tests; after an import, so that new names count at once)."""
    _cache.clear()
