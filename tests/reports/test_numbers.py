"""Numbers of the report, charts and overview: one rounding rule, written per locale."""

import pytest
from flask_babel import force_locale

from feedback.reports import numbers


def test_rounded_half_up_on_the_written_number():
    assert str(numbers.rounded(2.25)) == "2.3"  # the binary 2.25 would round to 2.2
    assert str(numbers.rounded(3.625, 2)) == "3.63"
    assert str(numbers.rounded(-0.04)) == "0.0"  # never a negative zero


def test_decimal_per_locale(app_ctx):
    with force_locale("nl"):
        assert numbers.decimal(7.4) == "7,4"
        assert numbers.decimal(7.36) == "7,4"
        assert numbers.decimal(7) == "7,0"
        assert numbers.decimal(-0.04) == "0,0"
        assert numbers.decimal(2.25) == "2,3"
        assert numbers.decimal(None) == "–"
        assert numbers.count(1234) == "1.234"
    with force_locale("en"):
        assert numbers.decimal(7.4) == "7.4"
        assert numbers.decimal(-0.26) == "-0.3"
        assert numbers.decimal(3.456, digits=2) == "3.46"
        assert numbers.count(1234) == "1,234"


@pytest.mark.parametrize(
    ("lang", "value", "text"),
    [("nl", 0.46, "+0,5"), ("nl", -0.26, "-0,3"), ("nl", 0.04, "0,0"), ("en", 1.25, "+1.3")],
)
def test_signed(app_ctx, lang, value, text):
    with force_locale(lang):
        assert numbers.signed(value) == text


def test_percent(app_ctx):
    with force_locale("nl"):
        assert numbers.percent(0.33) == "33%"
    with force_locale("en"):
        assert numbers.percent(1) == "100%"
