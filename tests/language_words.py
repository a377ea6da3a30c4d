"""Words that give away a page in the wrong language: for the tests that walk the pages.

`foreign_words(html, "nl")` lists the English words found in what a reader of a Dutch page
sees (its text and the texts of its buttons, labels and alternatives), and the other way
round. The lists hold common words that the other language does not use, so a page passes
only when every text on it went through the catalogue. What the switch shows (each
language by its own name) and what people typed (names, comments) are not the page's
language: the tests give such values in words of neither language.
"""

import html as html_lib
import re

# Whole words, case-sensitive: "Round" is English, but a round's name could be anything.
# Not "of", "is", "in", "op", "die", "Open", "Status", "Manager", "Download": both languages
# use them; not "en", which is also the language code pages name ("nl or en").
ENGLISH = {
    "the",
    "and",
    "your",
    "you",
    "with",
    "not",
    "has",
    "have",
    "been",
    "this",
    "that",
    "Save",
    "Send",
    "Round",
    "Rounds",
    "Report",
    "Reports",
    "People",
    "Results",
    "Reminders",
    "Close",
    "Publish",
    "Launch",
    "Draft",
    "Closed",
    "Published",
    "Back",
    "Cancel",
    "Self",
    "Supervisor",
    "Peers",
    "Direct",
    "Others",
    "Log",
    "out",
    "Password",
    "Name",
    "None",
    "none",
    "True",
    "False",
    "Statement",
    "Strengths",
    "Page",
    "answered",
}
DUTCH = {
    "de",
    "het",
    "een",
    "je",
    "jouw",
    "van",
    "niet",
    "voor",
    "met",
    "wordt",
    "zijn",
    "Opslaan",
    "Versturen",
    "Ronde",
    "Rondes",
    "Rapport",
    "Rapporten",
    "Mensen",
    "Uitloggen",
    "Resultaten",
    "Herinneringen",
    "Sluiten",
    "Publiceren",
    "Starten",
    "Concept",
    "Gesloten",
    "Gepubliceerd",
    "Terug",
    "Annuleren",
    "Zelf",
    "Zelfbeoordeling",
    "Leidinggevende",
    "Collega's",
    "Medewerkers",
    "Overigen",
    "Wachtwoord",
    "Naam",
    "Stelling",
    "Sterke",
    "Pagina",
    "beantwoord",
    "Geen",
}
OTHER = {"nl": ENGLISH, "en": DUTCH}

_DROP = re.compile(
    r"<script\b.*?</script>|<style\b.*?</style>|<form[^>]*class=\"language-switch\".*?</form>"
    r"|<div[^>]*class=\"[^\"]*language-switch[^\"]*\".*?</div>|<!--.*?-->"
    r"|<code\b.*?</code>|<samp\b.*?</samp>",  # commands, column names, example values
    re.S,
)
_SEEN_ATTRIBUTES = re.compile(r'\b(?:alt|title|placeholder|aria-label)="([^"]*)"')
_TAG = re.compile(r"<[^>]+>")
_WORD = re.compile(r"[A-Za-zÀ-ÿ']+")


def visible_text(page: str) -> str:
    """What a reader sees or hears of `page`: its text and its visible attribute texts."""
    page = _DROP.sub(" ", page)
    attributes = " ".join(_SEEN_ATTRIBUTES.findall(page))
    return html_lib.unescape(_TAG.sub(" ", page) + " " + attributes)


_IN_ITS_OWN_LANGUAGE = re.compile(r'<article\b[^>]*\blang="(nl|en)"[^>]*>(.*?)</article>', re.S)


def foreign_words(page: str, language: str) -> list[str]:
    """The other language's words on `page` (sorted, each once). A part marked with a
    language of its own (`<article lang="en">`: a manager's report inside HR's page) is
    checked against that language instead."""
    found: set[str] = set()
    for part_language, part in _IN_ITS_OWN_LANGUAGE.findall(page):
        found |= set(_WORD.findall(visible_text(part))) & OTHER[part_language]
    rest = _IN_ITS_OWN_LANGUAGE.sub(" ", page)
    found |= set(_WORD.findall(visible_text(rest))) & OTHER[language]
    return sorted(found)
