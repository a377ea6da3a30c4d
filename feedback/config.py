"""Settings from the environment, with defaults that work on a laptop."""

import os
import secrets
from pathlib import Path

from feedback.files import create_private_once, make_private
from feedback.sealing import load_keys


def _bool(name: str, default: bool | None = False) -> bool | None:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _instance_secret(instance_path: Path) -> str:
    """A secret key kept in instance/ (mode 0600) so sessions survive restarts on a laptop."""
    path = instance_path / "secret_key"
    if path.exists():
        make_private(path)
        return path.read_text().strip()
    instance_path.mkdir(parents=True, exist_ok=True)
    return create_private_once(path, secrets.token_hex(32)).strip()


class Config:
    """Every setting the app reads, with its default. `from_env` takes the environment's
    value where one is set, and fills in what depends on the instance folder:
    SECRET_KEY (instance/secret_key) and SQLALCHEMY_DATABASE_URI (instance/feedback.db)."""

    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True}
    WTF_CSRF_TIME_LIMIT = None  # tokens live as long as the session: htmx pages stay open
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    BABEL_DEFAULT_LOCALE = "nl"
    BABEL_DEFAULT_TIMEZONE = "Europe/Amsterdam"
    LANGUAGES = ("nl", "en")
    MAX_COMMENT_LENGTH = 4000  # characters per open answer
    # Request bodies (feedback/limits.py; over the limit: a translated 413, body unread).
    # The largest form is a survey post: 3 open answers of MAX_COMMENT_LENGTH characters,
    # each up to 4 bytes in UTF-8 and 3 times that form-encoded (%F0%9F%98%80), is 144 kB;
    # 24 statements, the grade and the hidden fields add under 1 kB. A round's manager
    # picker with 10,000 managers is under 200 kB.
    MAX_CONTENT_LENGTH = 256 * 1024
    # The people import alone: up to 50,000 rows (people/importing.py MAX_ROWS) of about
    # 300 bytes with room to spare; an XLSX of the same rows is smaller (it is zipped).
    UPLOAD_MAX_CONTENT_LENGTH = 16 * 1024 * 1024
    DEFAULT_THRESHOLD = 3  # a new round's anonymity threshold: fewer raters, no figures
    PASSWORD_LINK_HOURS = 72  # how long a set-password link works
    BASE_URL = "http://127.0.0.1:5000"  # the app's address as links in mails give it
    REDIS_URL = None  # RQ's queue and the rate limits' storage; unset: local job processes
    MAIL_SERVER = None  # SMTP host; unset: mails stay in HR's outbox
    MAIL_PORT = 587  # SMTP port
    MAIL_USE_TLS = True  # STARTTLS after connecting (ignored with MAIL_USE_SSL)
    MAIL_USE_SSL = False  # TLS from the first byte (port 465)
    MAIL_USERNAME = None  # SMTP login; unset: no login
    MAIL_PASSWORD = None  # SMTP password
    MAIL_FROM = "feedback@localhost"  # the sender of every mail
    MAIL_TIMEOUT = 30  # seconds to wait for the SMTP server
    MAIL_MAX_ATTEMPTS = 5  # temporary SMTP failures before a mail is marked failed
    MAIL_SENDING_LEASE = 600  # seconds after which an unfinished send is retried
    RETENTION_DAYS = 90  # after closing, invitations, links and drafts may be purged
    FILE_RETENTION_DAYS = 7  # report ZIPs and cached PDFs are removed this long after made
    # Background work in other processes (feedback/processes.py, feedback/jobs/runner.py).
    JOBS_QUEUE = "feedback"  # the RQ queue jobs are put on and `flask worker` takes them from
    JOBS_TIMEOUT = 3 * 3600  # seconds an RQ job may run before RQ stops it
    JOBS_PROCESSES = 1  # local jobs running at once in the installation (every host)
    JOBS_LEASE_SECONDS = 60  # a local job's runner unheard of this long has lost its turn
    PDF_TASKS_PER_PROCESS = 50  # reports a kept PDF child renders before a fresh one starts
    # Processes rendering a round's PDFs in the "all reports" job (one per core by default;
    # each is replaced after PDF_TASKS_PER_PROCESS reports, so memory stays flat).
    PDF_BUILD_PROCESSES = os.cpu_count() or 1
    # The warning on comments that could give their writer away (feedback/identifying/).
    # deduce runs in one checker process per host that web workers ask over a socket:
    # "auto" starts it when first needed, "connect" only asks one started apart (python -m
    # feedback.identifying.deduce_checker), "off" never (the names and patterns alone).
    IDENTIFYING_CHECKER = "auto"
    IDENTIFYING_SOCKET = None  # the checker's socket; None: instance/identifying.sock
    IDENTIFYING_BUDGET_MS = 25  # how long an autosave waits for deduce, then goes on without
    IDENTIFYING_CHECKER_IDLE_SECONDS = 3600  # a started checker stops after this long unasked
    IDENTIFYING_NAMES_SECONDS = 300  # how long a process keeps the organisation's names
    ACCOUNT_NAMES = ""  # customers and accounts that count as identifying, comma-separated
    ACCOUNT_NAMES_FILE = None  # the same, one a line; None: instance/account_names.txt
    SEAL_KEY_LIST: list[bytes] = []  # answer-sealing keys, newest first (from SEAL_KEYS)
    # Secure cookies; None: Secure exactly when BASE_URL is https (feedback/security.py).
    SESSION_COOKIE_SECURE = None
    REMEMBER_COOKIE_SECURE = None  # None: as SESSION_COOKIE_SECURE
    # Rate limits (Flask-Limiter): SECURITY.md, "Rate limits", says why these numbers.
    RATELIMIT_ENABLED = True
    RATELIMIT_STRATEGY = "moving-window"  # no double burst at a window's edge
    RATELIMIT_KEY_PREFIX = "feedback"
    RATELIMIT_SWALLOW_ERRORS = True  # a storage outage never turns a request into a 500 ...
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True  # ... the same limits count per process meanwhile
    RATELIMIT_STORAGE_URI = None  # None: REDIS_URL when set, else memory:// (per process)
    RATE_LIMIT_LOGIN_ACCOUNT = "10 per 15 minutes"  # per e-mail address typed, from anywhere
    RATE_LIMIT_LOGIN_ADDRESS = "60 per 15 minutes; 500 per day"  # per client address
    RATE_LIMIT_PASSWORD_LINK = "60 per 15 minutes"  # noqa: S105  (per client address)
    RATE_LIMIT_SURVEY_PAGE = "1200 per 10 minutes"  # GET and POST /s/<token>, per address
    RATE_LIMIT_SURVEY_ANSWER = "20000 per 10 minutes"  # autosave, per address
    RATE_LIMIT_SURVEY_UNKNOWN = "100 per 10 minutes"  # survey links that are 404, per address
    RATE_LIMIT_REPORT_PDF = "60 per 10 minutes"  # PDF downloads, per account
    # Reverse proxy: how many proxies set each X-Forwarded-* header (0 = do not trust it).
    PROXY_FIX_X_FOR = 0
    PROXY_FIX_X_PROTO = 0
    PROXY_FIX_X_HOST = 0
    PROXY_FIX_X_PORT = 0
    PROXY_FIX_X_PREFIX = 0
    # Static files: the hashed, compressed build (feedback/assets.py); None: the default.
    ASSETS_DIR = None
    # Pages (Flask-Compress): brotli where the client asks, else gzip; small ones as they are.
    COMPRESS_ALGORITHM = ["br", "gzip"]
    COMPRESS_BR_LEVEL = 4
    COMPRESS_LEVEL = 6
    COMPRESS_MIN_SIZE = 500
    COMPRESS_STREAMS = False

    @classmethod
    def from_env(cls, instance_path: Path) -> dict:
        db_default = f"sqlite:///{instance_path / 'feedback.db'}"
        return {
            "SECRET_KEY": os.environ.get("SECRET_KEY") or _instance_secret(instance_path),
            "SQLALCHEMY_DATABASE_URI": _normalise_db_url(
                os.environ.get("DATABASE_URL", db_default)
            ),
            "REDIS_URL": os.environ.get("REDIS_URL") or cls.REDIS_URL,
            "BASE_URL": os.environ.get("BASE_URL", cls.BASE_URL).rstrip("/"),
            "MAIL_SERVER": os.environ.get("MAIL_SERVER") or cls.MAIL_SERVER,
            "MAIL_PORT": int(os.environ.get("MAIL_PORT", cls.MAIL_PORT)),
            "MAIL_USE_TLS": _bool("MAIL_USE_TLS", cls.MAIL_USE_TLS),
            "MAIL_USE_SSL": _bool("MAIL_USE_SSL", cls.MAIL_USE_SSL),
            "MAIL_USERNAME": os.environ.get("MAIL_USERNAME") or cls.MAIL_USERNAME,
            "MAIL_PASSWORD": os.environ.get("MAIL_PASSWORD") or cls.MAIL_PASSWORD,
            "MAIL_FROM": os.environ.get("MAIL_FROM", cls.MAIL_FROM),
            "SESSION_COOKIE_SECURE": _bool("SESSION_COOKIE_SECURE", cls.SESSION_COOKIE_SECURE),
            "RETENTION_DAYS": int(os.environ.get("RETENTION_DAYS", cls.RETENTION_DAYS)),
            "FILE_RETENTION_DAYS": int(
                os.environ.get("FILE_RETENTION_DAYS", cls.FILE_RETENTION_DAYS)
            ),
            "PDF_BUILD_PROCESSES": int(
                os.environ.get("PDF_BUILD_PROCESSES", cls.PDF_BUILD_PROCESSES)
            ),
            "SEAL_KEY_LIST": load_keys(os.environ.get("SEAL_KEYS"), instance_path),
            "IDENTIFYING_CHECKER": os.environ.get("IDENTIFYING_CHECKER", cls.IDENTIFYING_CHECKER),
            "IDENTIFYING_SOCKET": os.environ.get("IDENTIFYING_SOCKET") or cls.IDENTIFYING_SOCKET,
            "ACCOUNT_NAMES": os.environ.get("ACCOUNT_NAMES", cls.ACCOUNT_NAMES),
            "ACCOUNT_NAMES_FILE": os.environ.get("ACCOUNT_NAMES_FILE") or cls.ACCOUNT_NAMES_FILE,
            **_rate_limit_settings(),
        }


class TestConfig(Config):
    TESTING = True
    WTF_CSRF_ENABLED = False
    SECRET_KEY = "test-secret-key"  # noqa: S105
    BASE_URL = "http://localhost"
    REDIS_URL = None
    MAIL_SERVER = None
    MAIL_FROM = "feedback@example.test"
    SEAL_KEY_LIST = [bytes(range(32))]  # a fixed test key; real ones come from SEAL_KEYS
    RATELIMIT_ENABLED = False  # on in tests/security/test_security_rate_limits.py
    PDF_BUILD_PROCESSES = 1  # tests that need a pool of PDF processes ask for one
    IDENTIFYING_CHECKER = "off"  # no deduce process per test: tests/identifying starts one


def _rate_limit_settings() -> dict:
    """RATE_LIMIT_* and PROXY_FIX_* from the environment, where set."""
    settings: dict = {}
    for name in dir(Config):
        if name.startswith("RATE_LIMIT_") and os.environ.get(name):
            settings[name] = os.environ[name]
        elif name.startswith("PROXY_FIX_") and os.environ.get(name):
            settings[name] = int(os.environ[name])
    return settings


def _normalise_db_url(url: str) -> str:
    """Accept the postgres:// spellings hosting providers hand out."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url
