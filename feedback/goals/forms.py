"""The goal form: its fields and CSRF token. services.check_goal checks the values."""

from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, SelectField, TextAreaField


class GoalForm(FlaskForm):
    target = SelectField(validate_choice=False)
    text = TextAreaField()
    target_date = DateField(format="%Y-%m-%d")
    shared = BooleanField()

    def raw(self, name: str) -> str:
        """What was typed in a field, as sent (re-shown after an error)."""
        values = self[name].raw_data
        return values[0] if values else ""
