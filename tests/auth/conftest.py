"""The login and set-password pages, in English unless a test asks for Dutch."""

from tests.admin.language_helpers import _locale_per_request, client, dutch_client  # noqa: F401
