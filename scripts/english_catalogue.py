"""Fill the English catalogue's empty entries with their English source text.

The messages are written in English, so the English catalogue's translation of a message
is the message itself, unless a translator wrote something better (kept as it is). Run by
`make messages` after `pybabel update`; the completeness test then checks that both
catalogues have every message.
"""

import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

PATH = Path(__file__).resolve().parent.parent / "feedback/translations/en/LC_MESSAGES/messages.po"


def fill(path: Path = PATH) -> int:
    with path.open("rb") as source:
        catalog = read_po(source, locale="en")
    filled = 0
    for message in catalog:
        if not message.id:
            continue
        if isinstance(message.id, tuple):
            if not all(message.string):
                message.string = tuple(message.id)
                filled += 1
        elif not message.string:
            message.string = message.id
            filled += 1
        if message.fuzzy:
            message.flags.discard("fuzzy")
    with path.open("wb") as target:
        write_po(target, catalog, width=88)
    return filled


if __name__ == "__main__":
    print(f"English catalogue: {fill()} messages filled in from their source text")
    sys.exit(0)
