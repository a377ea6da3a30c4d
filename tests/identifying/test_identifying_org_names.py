"""The organisation's names: people from the people table, customers from the settings."""

import pytest

from feedback.identifying import org_names
from feedback.identifying.kinds import ACCOUNT, NAME


def marked(org, text):
    return [(text[s.start : s.end], s.kind) for s in org.find(text)]


@pytest.fixture
def org():
    people = [
        (1, "Jan de Vries"),
        (2, "Sanne Bakker"),
        (3, "Ben Groot"),
        (4, "Zoë van der Berg-Smit"),
        (5, "Martijn Visser"),
        (6, "Person 12"),
    ]
    return org_names.build(people, ["Acme Logistics", "Greenfield Foods", "ING"])


def test_full_names_surnames_and_first_names_in_any_case(org):
    assert marked(org, "jan de vries zei het") == [("jan de vries", NAME)]
    assert marked(org, "Dat vond De Vries ook") == [("De Vries", NAME)]
    assert marked(org, "en vries dan?") == [("vries", NAME)]
    assert marked(org, "sanne en jan") == [("sanne", NAME), ("jan", NAME)]
    assert marked(org, "Jan Vries") == [("Jan Vries", NAME)]


def test_accents_are_ignored_and_double_names_count(org):
    assert marked(org, "Zoe van der Berg-Smit belde") == [("Zoe van der Berg-Smit", NAME)]
    assert marked(org, "met zoë") == [("zoë", NAME)]


def test_an_everyday_word_counts_only_as_a_name_mid_sentence_with_a_capital(org):
    assert marked(org, "Ik ben het eens met de groot aanpak.") == []
    assert marked(org, "Ben je het oneens? Zeg het.") == []  # a sentence's first word
    assert marked(org, "Ik vroeg het aan Ben en Groot.") == [("Ben", NAME), ("Groot", NAME)]
    assert marked(org, "Ben Groot zei het") == [("Ben Groot", NAME)]


def test_particles_initials_and_numbers_never_count_alone(org):
    assert marked(org, "van de der den 12 j") == []
    assert marked(org, "een person in het team") == []


def test_customers_count_as_a_whole(org):
    assert marked(org, "de deal met acme logistics") == [("acme logistics", ACCOUNT)]
    assert marked(org, "Acme alleen is niets") == []
    assert marked(org, "bij Greenfield Foods") == [("Greenfield Foods", ACCOUNT)]
    assert marked(org, "het ING account, niet ing") == [("ING", ACCOUNT)]


def test_well_known_customers_come_with_the_code(org):
    assert marked(org, "de deal met Albert Heijn en Philips") == [
        ("Albert Heijn", ACCOUNT),
        ("Philips", ACCOUNT),
    ]
    assert marked(org_names.build([], [], well_known=False), "Philips") == []


def test_the_rated_manager_is_no_giveaway(org):
    without = org.without(5)
    assert marked(without, "Martijn Visser luistert goed") == []
    assert marked(without, "Martijn en Sanne") == [("Sanne", NAME)]
    assert without.whole("Martijn") == "excluded"
    assert without.whole("Sanne Bakker") == NAME
    assert without.whole("Philips") == ACCOUNT
    assert without.whole("Nobody") is None


def test_a_first_name_shared_with_the_manager_still_counts():
    org = org_names.build([(1, "Jan de Vries"), (2, "Jan Smit")], []).without(1)
    assert marked(org, "jan zei het") == [("jan", NAME)]  # could be the other Jan
    assert marked(org, "de vries zei het") == []


def test_the_installation_names_come_from_the_people_table_and_settings(app_ctx, tmp_path):
    from tests.factories import make_person

    make_person(name="Fatima El Amrani")
    accounts = tmp_path / "accounts.txt"
    accounts.write_text("# our customers\nVan Gelder Installatietechniek\n\n", encoding="utf-8")
    app_ctx.config.update(ACCOUNT_NAMES="Bouwbedrijf Hendriks, ", ACCOUNT_NAMES_FILE=str(accounts))
    org = org_names.current()
    text = "Fatima, Bouwbedrijf Hendriks en Van Gelder Installatietechniek"
    assert [kind for _w, kind in marked(org, text)] == [NAME, ACCOUNT, ACCOUNT]
    assert org_names.current() is org  # kept for IDENTIFYING_NAMES_SECONDS
    make_person(name="Yusuf Kaya")
    assert marked(org_names.current(), "Yusuf") == []
    org_names.forget()
    assert marked(org_names.current(), "Yusuf") == [("Yusuf", NAME)]


def test_old_names_answer_while_new_ones_load(app_ctx):
    import time

    from tests.factories import make_person

    make_person(name="Fatima El Amrani")
    first = org_names.current()
    make_person(name="Yusuf Kaya")
    app_ctx.config["IDENTIFYING_NAMES_SECONDS"] = 0
    assert org_names.current() is first  # stale: answers at once, reloads in a thread
    deadline = time.monotonic() + 10
    while org_names.current() is first and time.monotonic() < deadline:
        time.sleep(0.05)
    app_ctx.config["IDENTIFYING_NAMES_SECONDS"] = 300
    while org_names._reloading and time.monotonic() < deadline:
        time.sleep(0.05)  # no reload outlives the test's database
    assert marked(org_names.current(), "Yusuf") == [("Yusuf", NAME)]


def test_the_default_accounts_file_is_in_the_instance_folder(app_ctx):
    from pathlib import Path

    folder = Path(app_ctx.instance_path)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "account_names.txt").write_text("Noordzee Visgroothandel\n", encoding="utf-8")
    assert org_names.account_names(app_ctx) == ["Noordzee Visgroothandel"]
