from datetime import timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, IntegerField, SelectField, SelectMultipleField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, ValidationError

from feedback.admin.rounds import MAX_THRESHOLD, MIN_THRESHOLD, RoundSettings
from feedback.clock import today
from feedback.models import RaterGroup

DATE_REQUIRED = _l("Give a date.")


def _default_threshold() -> int:
    return current_app.config["DEFAULT_THRESHOLD"]


def _default_close():
    return today() + timedelta(days=21)


class RoundSettingsForm(FlaskForm):
    name = StringField(
        _l("Name"),
        validators=[
            DataRequired(message=_l("Give the round a name.")),
            Length(max=200, message=_l("The name is at most %(max)d characters.", max=200)),
        ],
    )
    opens_on = DateField(
        _l("Opens on"),
        validators=[DataRequired(message=DATE_REQUIRED)],
        default=today,
    )
    closes_on = DateField(
        _l("Closes on"), validators=[DataRequired(message=DATE_REQUIRED)], default=_default_close
    )
    threshold = IntegerField(
        _l("Anonymity threshold"),
        validators=[
            InputRequired(message=_l("Give a whole number.")),
            NumberRange(
                min=MIN_THRESHOLD,
                max=MAX_THRESHOLD,
                message=_l(
                    "A whole number from %(min)d to %(max)d.", min=MIN_THRESHOLD, max=MAX_THRESHOLD
                ),
            ),
        ],
        default=_default_threshold,
    )

    def validate_closes_on(self, field):
        if self.opens_on.data and field.data and field.data <= self.opens_on.data:
            raise ValidationError(_l("The close date must be after the open date."))

    def settings(self) -> RoundSettings:
        return RoundSettings(
            name=self.name.data.strip(),
            opens_on=self.opens_on.data,
            closes_on=self.closes_on.data,
            threshold=self.threshold.data,
        )


class NewRoundForm(RoundSettingsForm):
    search = StringField(
        _l("Filter managers"),
        validators=[
            Length(max=100, message=_l("This is too long: at most %(max)d characters.", max=100))
        ],
    )
    # The service checks the ids against the eligible managers.
    manager_ids = SelectMultipleField(_l("Managers to rate"), validate_choice=False)

    def chosen_ids(self) -> list[int]:
        return [int(v) for v in self.manager_ids.data or [] if str(v).isdigit()]

    def validate_manager_ids(self, field):
        if len(self.chosen_ids()) != len(field.data or []):
            raise ValidationError(_l("Choose managers from the list."))
        if not field.data:
            raise ValidationError(_l("Choose at least one manager to rate."))


class RaterForm(FlaskForm):
    who = StringField(
        _l("E-mail or name"), validators=[DataRequired(message=_l("Type an e-mail or name."))]
    )
    group = SelectField(
        _l("Group"),
        choices=[
            SelectChoice(str(RaterGroup.PEER), _l("Peer")),
            SelectChoice(str(RaterGroup.DIRECT_REPORT), _l("Direct report")),
            SelectChoice(str(RaterGroup.SUPERVISOR), _l("Supervisor")),
        ],
        default=str(RaterGroup.PEER),
        validate_choice=False,
    )

    def validate_group(self, field):
        if field.data not in {c.value for c in field.choices}:
            raise ValidationError(
                _l("Choose the rater's group: peer, direct report or supervisor.")
            )


class ReminderScheduleForm(FlaskForm):
    """Days as comma-separated whole numbers; the service parses and checks them."""

    after_launch = StringField(_l("Days after launch"), validators=[Length(max=100)])
    before_close = StringField(_l("Days before close"), validators=[Length(max=100)])


class RetentionForm(FlaskForm):
    days = StringField(_l("Retention period (days after closing)"), validators=[Length(max=10)])
