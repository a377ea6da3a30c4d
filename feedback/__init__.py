"""feedback: a self-hosted manager 360 for sales teams."""

from pathlib import Path

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter


class _DatabaseInt(IntegerConverter):
    """<int:...> ids beyond a database INTEGER do not match (404), not overflow (500)."""

    def __init__(self, map, *args, **kwargs):  # noqa: A002  (werkzeug's signature)
        kwargs.setdefault("max", 2**31 - 1)
        super().__init__(map, *args, **kwargs)


def create_app(config: type | dict | None = None) -> Flask:
    """Application factory. `config` is a Config class or a mapping of overrides."""
    app = Flask(__name__, instance_relative_config=True)
    Path(app.instance_path).mkdir(mode=0o700, parents=True, exist_ok=True)  # keys, database

    from feedback.config import Config

    app.config.from_object(Config)
    env_settings = Config.from_env(Path(app.instance_path))
    if isinstance(config, type):
        app.config.update(env_settings)
        app.config.from_object(config)
    else:
        app.config.update(env_settings)
        app.config.update(config or {})

    _init_extensions(app)
    app.url_map.converters["int"] = _DatabaseInt
    _register_blueprints(app)
    # Browsers ask every site for /favicon.ico: it is a static file (feedback/static/).
    app.add_url_rule("/favicon.ico", endpoint="static", defaults={"filename": "favicon.ico"})

    from feedback import cli, errors, limits, logging_setup, security, text

    cli.init_app(app)
    errors.init_app(app)
    limits.init_app(app)
    logging_setup.init_app(app)
    security.init_app(app)
    text.init_app(app)
    return app


def _init_extensions(app: Flask) -> None:
    from feedback import assets, i18n, ratelimit
    from feedback import db as db_setup
    from feedback.extensions import compress, csrf, db, htmx, limiter, login_manager, migrate

    db.init_app(app)
    migrate.init_app(app, db, directory=str(Path(__file__).parent.parent / "migrations"))
    csrf.init_app(app)
    htmx.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = None
    i18n.init_app(app)
    db_setup.init_app(app)
    assets.init_app(app)  # WhiteNoise inside ProxyFix, which must see the request first
    _trust_proxy(app)
    ratelimit.check_settings(app.config)
    if not app.config["RATELIMIT_STORAGE_URI"]:
        app.config["RATELIMIT_STORAGE_URI"] = app.config["REDIS_URL"] or "memory://"
    limiter.init_app(app)
    compress.init_app(app)

    import feedback.auth.services  # noqa: F401  (the user loader)
    import feedback.goals.models  # noqa: F401  (the goals' table)
    import feedback.models  # noqa: F401  (register the models with the metadata)


def _trust_proxy(app: Flask) -> None:
    """Behind a reverse proxy, take the client's address (and scheme, host...) from the
    X-Forwarded-* headers that many proxies set: only when PROXY_FIX_* says so."""
    counts = {
        name: int(app.config[f"PROXY_FIX_X_{name.upper()}"])
        for name in ("for", "proto", "host", "port", "prefix")
    }
    if any(counts.values()):
        app.wsgi_app = ProxyFix(app.wsgi_app, **{f"x_{k}": v for k, v in counts.items()})


def _register_blueprints(app: Flask) -> None:
    from feedback.admin import operations_routes, routes  # noqa: F401  (views on admin_bp)
    from feedback.admin.blueprint import bp as admin_bp
    from feedback.auth.routes import bp as auth_bp
    from feedback.goals.routes import bp as goals_bp
    from feedback.insights.routes import bp as insights_bp
    from feedback.jobs.routes import bp as jobs_bp
    from feedback.main import bp as main_bp
    from feedback.people.routes import bp as people_bp
    from feedback.reports.routes import bp as reports_bp
    from feedback.survey.routes import bp as survey_bp

    app.register_blueprint(main_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(survey_bp)
    app.register_blueprint(admin_bp)
    app.register_blueprint(people_bp)
    app.register_blueprint(reports_bp)
    app.register_blueprint(jobs_bp)
    app.register_blueprint(insights_bp)
    app.register_blueprint(goals_bp)
