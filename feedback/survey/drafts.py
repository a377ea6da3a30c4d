"""Personal links and the drafts they open (SECURITY.md, "Drafts").

Each invitation has a random draft key. Its draft (every saved-as-you-go answer) is one
blob, encrypted with that key and padded, so the database shows neither what was answered
nor which questions. Each link token's row holds the draft key wrapped with a key derived
from the token, and the database has only the token's hash: a visit with the link opens
the draft; the database alone does not.

A reminder mints a new link without the rater at hand, so the draft key is also sealed with
the instance key (kept outside the database): that copy is opened only to wrap the key for
a new link, or for a link minted before links carried their own wrapping.

Inside the blob, next to each answer, is when the rater gave it (the browser's clock, in
milliseconds; see services.autosave): an answer that arrives late, from a queue that waited
for the connection or from another tab, never replaces one given after it.
"""

import json
from dataclasses import dataclass, field

from feedback import sealing
from feedback.envelopes import pad
from feedback.extensions import db
from feedback.models import Invitation, InvitationToken
from feedback.survey import queries
from feedback.tokens import hash_token, new_token

DRAFT_PAD_BYTES = 16 * 1024  # the same block as an envelope: a draft's size says little


@dataclass(frozen=True)
class Link:
    """An invitation as opened by one of its links: its id and the draft key it unwrapped."""

    invitation_id: int
    key: bytes | None  # None: this invitation keeps no draft (it was submitted)


def _key_context(invitation_id: int) -> str:
    return f"draft-key:{invitation_id}"


def _draft_context(invitation_id: int) -> str:
    return f"draft:{invitation_id}"


def _draft_key(invitation: Invitation) -> bytes:
    """The invitation's draft key from its sealed copy, made on the first link."""
    if invitation.draft_key_sealed is None:
        key = sealing.new_draft_key()
        invitation.draft_key_sealed = sealing.seal(key, _key_context(invitation.id))
        return key
    return sealing.unseal(invitation.draft_key_sealed, _key_context(invitation.id))


def mint_link(invitation: Invitation) -> str:
    """In the caller's transaction: a new link token for the invitation, whose row wraps the
    invitation's draft key. Returns the plain token, which is never stored."""
    if invitation.id is None:
        db.session.flush()
    key = _draft_key(invitation)
    token = new_token()
    db.session.add(
        InvitationToken(
            token_hash=hash_token(token),
            invitation_id=invitation.id,
            wrapped_key=sealing.wrap(sealing.token_key(token), key, _key_context(invitation.id)),
        )
    )
    return token


def open_link(
    invitation_id: int, token: str, wrapped_key: bytes | None, draft_key_sealed: bytes | None
) -> Link:
    """The Link a visit with `token` gives. A token row without a wrapping (a link from
    before drafts were encrypted) falls back on the sealed copy; a submitted invitation
    has no draft key any more, and its Link has none."""
    context = _key_context(invitation_id)
    if wrapped_key is not None:
        key = sealing.unwrap(sealing.token_key(token), wrapped_key, context)
        if key is None:
            raise sealing.SealError("This link's draft key does not open.")
        return Link(invitation_id, key)
    if draft_key_sealed is not None:
        return Link(invitation_id, sealing.unseal(draft_key_sealed, context))
    return Link(invitation_id, None)


# --- the draft blob ---------------------------------------------------------------------------


@dataclass
class Draft:
    """The saved answers by field name, and when each was given (ms since the epoch, by the
    clock of the browser that gave it; a field without a time was saved before times were
    kept, or by a whole-form post, which the draft fingerprint guards instead)."""

    values: dict[str, str] = field(default_factory=dict)
    times: dict[str, int] = field(default_factory=dict)


def encrypt_draft(
    link: Link, values: dict[str, str], times: dict[str, int] | None = None
) -> bytes | None:
    """The blob for these answers (None for no answers: nothing is stored, times neither)."""
    if not values:
        return None
    if link.key is None:
        raise sealing.SealError("This invitation has no draft key: it cannot keep a draft.")
    kept = {k: int(t) for k, t in (times or {}).items()}
    content = {"values": sorted(values.items()), "times": sorted(kept.items())}
    data = json.dumps(content, ensure_ascii=False, separators=(",", ":"))
    padded = pad(data.encode(), DRAFT_PAD_BYTES)
    return sealing.wrap(link.key, padded, _draft_context(link.invitation_id))


def open_draft(link: Link, blob: bytes | None) -> Draft:
    """The answers and their times in a draft blob. A blob this link's key does not open is
    an error, never an empty draft: treating it as empty would let the next autosave
    overwrite it. A blob from before times were kept (a list of pairs) has no times."""
    if blob is None:
        return Draft()
    if link.key is None:
        raise sealing.SealError("This invitation's draft has no key.")
    data = sealing.unwrap(link.key, blob, _draft_context(link.invitation_id))
    if data is None:
        raise sealing.SealError("This draft does not open with the link's key.")
    content = json.loads(data.decode())
    if isinstance(content, list):
        return Draft({str(k): str(v) for k, v in content})
    return Draft(
        {str(k): str(v) for k, v in content["values"]},
        {str(k): int(t) for k, t in content["times"]},
    )


def decrypt_draft(link: Link, blob: bytes | None) -> dict[str, str]:
    """The answers in a draft blob (see open_draft)."""
    return open_draft(link, blob).values


def load_draft(link: Link) -> Draft:
    blob = db.session.scalar(queries.DRAFT, {"invitation_id": link.invitation_id})
    return open_draft(link, blob)


def read_draft(link: Link) -> dict[str, str]:
    return load_draft(link).values


def write_draft(link: Link, values: dict[str, str], times: dict[str, int] | None = None) -> None:
    """In the caller's (write) transaction: replace the draft with these answers."""
    db.session.execute(
        queries.WRITE_DRAFT,
        {"invitation_id": link.invitation_id, "draft": encrypt_draft(link, values, times)},
    )
