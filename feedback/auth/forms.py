from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired, EqualTo, Length

from feedback.auth.services import MIN_PASSWORD_LENGTH

REQUIRED = _l("This field is required.")


class LoginForm(FlaskForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired(message=REQUIRED), Length(max=254)])
    password = PasswordField(
        _l("Password"), validators=[DataRequired(message=REQUIRED), Length(max=200)]
    )


class SetPasswordForm(FlaskForm):
    password = PasswordField(
        _l("New password"),
        validators=[
            DataRequired(message=REQUIRED),
            Length(
                MIN_PASSWORD_LENGTH,
                200,
                message=_l(
                    "Use at least %(min)d and at most %(max)d characters.",
                    min=MIN_PASSWORD_LENGTH,
                    max=200,
                ),
            ),
        ],
    )
    confirm = PasswordField(
        _l("Repeat the password"),
        validators=[
            DataRequired(message=REQUIRED),
            EqualTo("password", message=_l("The passwords differ.")),
        ],
    )


class EmptyForm(FlaskForm):
    """Only a CSRF token, for POST buttons."""
