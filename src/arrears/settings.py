"""Django settings, read from the environment.

DATABASE_URL  database (default: SQLite file var/arrears.sqlite3 under the project directory)
SECRET_KEY    required when DATABASE_URL is set (production); with the embedded default a key is kept in
              var/secret_key
DEBUG         "1"/"true" to enable debug pages (default: off)
ALLOWED_HOSTS comma-separated host names this server answers to (default: 127.0.0.1,localhost)
The production settings below are described with a working example in docs/deployment.md:
CSRF_TRUSTED_ORIGINS  comma-separated origins forms may be posted from, e.g. https://arrears.bank.example
                      (default: none beyond the request's own host)
SECURE_PROXY_SSL_HEADER  behind a TLS-terminating proxy: the header it sets to "https", e.g. X-Forwarded-Proto
                      (default: unset, no header trusted). Set it only when every request passes the proxy, which
                      must overwrite that header
SECURE_SSL_REDIRECT   "1": plain-HTTP requests are redirected to HTTPS, except /healthz and /readyz (default: off)
SECURE_HSTS_SECONDS   Strict-Transport-Security max-age sent over HTTPS (default: 0, none)
SECURE_HSTS_INCLUDE_SUBDOMAINS, SECURE_HSTS_PRELOAD  "1": add includeSubDomains / preload (default: off)
SESSION_COOKIE_SECURE, CSRF_COOKIE_SECURE  "1"/"0": cookies only over HTTPS (default: on unless DEBUG)
ARREARS_VAR   directory for local state (default: ./var)
ARREARS_STATIC_ROOT   where `arrears serve` collects the static files (default: ARREARS_VAR/static)
ARREARS_POLICY_FILES  comma-separated TOML policy versions laid over the SPEC defaults
ARREARS_SESSION_IDLE_MINUTES  a signed-in session ends after this many minutes without a request (default: 30)
ARREARS_BANK_NAME     the bank as its notices name it (default: 示例商业银行, a demo bank)
ARREARS_BANK_HOTLINE  the phone number notices give borrowers (default: 400-800-0000)
ARREARS_BANK_ADDRESS  the postal address notices give (default: a demo address in Shanghai)
ARREARS_BANK_EMAIL    the email address notices give (default: collections@bank.example.com)
ARREARS_LETTER_FONT   a .otf/.ttf/.ttc font with Chinese glyphs embedded in notice PDFs (default: the best
                      Simplified Chinese font fontconfig finds, Noto Sans CJK SC of Debian's fonts-noto-cjk)
ARREARS_SMTP_HOST     mail server for notices; unset, mail is written as files under ARREARS_VAR/mail and
                      nothing goes out over the network (the demo)
ARREARS_SMTP_PORT     its port (default: 587 with TLS, else 25)
ARREARS_SMTP_USER, ARREARS_SMTP_PASSWORD  login, if the server wants one (default: none)
ARREARS_SMTP_TLS      "1"/"0": STARTTLS (default: on)
ARREARS_MAIL_FROM     sender of notice emails (default: notices@bank.example.com)
ARREARS_MAIL_DOMAIN   the domain of notice emails' Message-IDs (default: the sender's domain)
ARREARS_SMS_URL       the SMS gateway's base URL (docs/sms-gateway.md); unset, SMS are written as files under
                      ARREARS_VAR/sms and nothing goes out (the demo)
ARREARS_SMS_TOKEN     the gateway's bearer token
ARREARS_SMS_SENDER    the sender name the gateway shows (default: none)
ARREARS_SMS_IDEMPOTENCY  "1"/"0": the gateway honours Idempotency-Key (default: on); off, a worker that died
                      mid-send is reconciled by asking the gateway what it has
ARREARS_SMS_TIMEOUT   seconds to wait for the gateway (default: 10)
ARREARS_SMS_CALLBACK_URL  where the gateway posts delivery receipts (this server's /notices/sms/receipts/)
ARREARS_SMS_CALLBACK_SECRET  the shared secret receipts are signed with (HMAC-SHA256); unset, receipts are refused
ARREARS_DISPATCH_MAX_ATTEMPTS  sends tried before a notice is dead-lettered (default: 5)
ARREARS_DISPATCH_BACKOFF_SECONDS  wait after the first failure, doubling after each (default: 60; at most 2 h)
ARREARS_DISPATCH_BATCH  notices a worker claims at a time (default: 50)
ARREARS_DISPATCH_LEASE_SECONDS  how long a claimed notice is a worker's before others reconcile it (default: 300)
ARREARS_PRINT_BATCH_HOUR  local hour from which `arrears dispatch` makes the day's print batch (default: 16)
ARREARS_COMPLAINT_IMAP_HOST  the bank's complaint mailbox (IMAP server); set, `arrears worker` files every new
                      message there as a complaint (channel email); unset, no mailbox is read (default: none)
ARREARS_COMPLAINT_IMAP_PORT  its port (default: 993 with ARREARS_COMPLAINT_IMAP_SSL=ssl, else 143)
ARREARS_COMPLAINT_IMAP_USER  the mailbox's login (required with the host)
ARREARS_COMPLAINT_IMAP_PASSWORD  its password; or ARREARS_COMPLAINT_IMAP_PASSWORD_FILE, a file holding it (one of
                      the two is required with the host)
ARREARS_COMPLAINT_IMAP_FOLDER  the folder read (default: INBOX)
ARREARS_COMPLAINT_IMAP_SSL  "ssl": TLS from the start (IMAPS); "starttls": STARTTLS; "none": plain, for a server
                      on the same host only (default: ssl). The server's certificate is verified
ARREARS_COMPLAINT_IMAP_MINUTES  the worker reads the complaint mailbox every this many minutes (default: 5)
ARREARS_FEED_DIR      where the core-banking feed lands for `arrears worker`: one subdirectory per business date
                      (YYYY-MM-DD), taken once it holds the file `.ready` (default: ARREARS_VAR/feed)
ARREARS_WORKER_POLL_SECONDS  seconds between the worker's looks for due jobs (default: 30; 1 to 3600)
ARREARS_WORKER_DISPATCH_MINUTES  the worker drains the notices outbox every this many minutes (default: 5)
ARREARS_WORKER_TRANSCRIBE_MINUTES  the worker hears and inspects new call recordings every this many minutes, when
                      ARREARS_SPEECH names a recogniser (default: 15)
ARREARS_WORKER_MAX_ATTEMPTS  tries of a failing job before the administrators are emailed (default: 3; 1 to 20)
ARREARS_WORKER_BACKOFF_SECONDS  wait after a job's first failure, doubling after each (default: 60; 1 to 86400)
ARREARS_WORKER_LEASE_SECONDS  a running job whose worker is silent this long is taken as lost (default: 7200)
ARREARS_WORKER_MAIL_TO  comma-separated addresses emailed when a job fails for good, besides the active
                      administrators with an email address (default: none)
ARREARS_WORKER_KEEP_TASK_DAYS  the worker's daily housekeeping deletes the task queue's finished rows older than
                      this many days (default: 7; 1 to 366); the job runs pages keep their own history
ARREARS_LEDGER_ANCHOR_DIR  where the audit ledger's anchors are appended (anchors.jsonl; default: ARREARS_VAR/
                      ledger-anchors). Put it on storage the database administrator cannot rewrite, e.g. a WORM
                      mount or a separate host
ARREARS_LEDGER_ANCHOR_KEY  the key anchors are signed with (HMAC-SHA256); unset, a key is generated at the first
                      anchor and kept in ARREARS_VAR/ledger_anchor_key. Never in the database, nor readable by its
                      administrator
ARREARS_RECORDINGS_DIR  where the telephony system stores call recordings, one directory per call date
                      (YYYY-MM-DD/…); `arrears purge` deletes the days past `retention.recordings_years`
                      (default: none, nothing to purge)
ARREARS_MEDIA_ROOT    where arrears keeps the files it stores through Django's storage API: call recordings, under
                      recordings/YYYY/MM/DD/, and the approved monthly review packs' PDF and XLSX, under
                      reviews/YYYY-MM/ (default: ARREARS_VAR/media). Never served as files: a recording is
                      played only through its audited view, a pack's documents through its page. Inside
                      ARREARS_VAR `arrears backup` takes it; set elsewhere, back it up with the storage it lives on
ARREARS_MAX_RECORDING_BYTES  the largest call recording arrears stores, uploaded or imported (default: 10 MiB, within
                      ARREARS_MAX_REQUEST_BYTES; from 64 KiB to 1 GiB). An upload larger than the request limit is
                      refused first: raise both together
ARREARS_SPEECH        how call recordings become transcripts (arrears/quality/speech): "funasr", a FunASR runtime
                      server the bank runs (Mandarin, on premises); "pocketsphinx", the offline English recogniser
                      shipped with its package (demos and tests); "platform", none here: the call platform delivers
                      transcripts (default: platform)
ARREARS_FUNASR_URL    the FunASR server's WebSocket address, e.g. ws://127.0.0.1:10095 (required with funasr)
ARREARS_FUNASR_TIMEOUT  seconds to wait for the server's transcript of one channel of a recording (default: 300)
ARREARS_FUNASR_CONNECT_TIMEOUT  seconds to wait for the server to accept the connection (default: 10)
ARREARS_FUNASR_HOTWORDS  comma-separated words the server is asked to favour (default: collection vocabulary such as
                      逾期,还款; empty: none)
ARREARS_SPEECH_AGENT_CHANNEL  "left" or "right": the channel of a stereo recording that holds the agent; the other
                      holds the customer (default: left)
ARREARS_LOG_FORMAT    "text": one readable line per log record; "json": one JSON object per line (time in UTC,
                      level, logger, message, the request's id and user) for a log collector (default: text)
ARREARS_LOG_LEVEL     the least severe records logged: DEBUG, INFO, WARNING, ERROR or CRITICAL (default: WARNING)
ARREARS_MAX_REQUEST_BYTES  a request declaring a larger body is refused with 413 before it is read (default:
                      12 MiB: a 10 MB scan with its form; from 64 KiB to 1 GiB)
"""

from __future__ import annotations

import os
import re
import secrets
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from whitenoise.compress import Compressor

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean; use 1/0, true/false, yes/no or on/off")


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def env_int(name: str, default: int, *, minimum: int, maximum: int) -> int:
    raw = os.environ.get(name)
    if raw is None:
        return default
    try:
        value = int(raw.strip())
    except ValueError:
        value = None
    if value is None or not minimum <= value <= maximum:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a whole number from {minimum} to {maximum}")
    return value


VAR_DIR = Path(os.environ.get("ARREARS_VAR", Path.cwd() / "var")).resolve()
DEBUG = env_bool("DEBUG", False)
_EMBEDDED = "DATABASE_URL" not in os.environ


def _secret_key() -> str:
    key = os.environ.get("SECRET_KEY")
    if key:
        return key
    if not _EMBEDDED:
        raise ImproperlyConfigured("SECRET_KEY is not set; set it in the environment (50+ random characters)")
    # Embedded single-box default: keep a generated key beside the SQLite file, never in the repository.
    path = VAR_DIR / "secret_key"
    if not path.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_urlsafe(50))
    return path.read_text().strip()


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

# HTTPS (docs/deployment.md). Behind a proxy that ends TLS, Django learns a request came over HTTPS from the header
# the proxy sets; the redirect to HTTPS spares the load balancer's probes, which speak plain HTTP to each server.
_PROXY_HEADER = os.environ.get("SECURE_PROXY_SSL_HEADER", "").strip()
SECURE_PROXY_SSL_HEADER = ("HTTP_" + _PROXY_HEADER.upper().replace("-", "_"), "https") if _PROXY_HEADER else None
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0, minimum=0, maximum=10 * 366 * 86400)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)

if _EMBEDDED:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {"default": dj_database_url.parse(f"sqlite:///{VAR_DIR / 'arrears.sqlite3'}")}
else:
    DATABASES = {"default": dj_database_url.parse(os.environ["DATABASE_URL"], conn_max_age=60)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )

ARREARS_POLICY_FILES = env_list("ARREARS_POLICY_FILES", "")

# The bank as its formal notices (LTR-1) name it and the contact details they give (REM-2).
ARREARS_BANK_NAME = os.environ.get("ARREARS_BANK_NAME", "示例商业银行")
ARREARS_BANK_HOTLINE = os.environ.get("ARREARS_BANK_HOTLINE", "400-800-0000")
ARREARS_BANK_ADDRESS = os.environ.get("ARREARS_BANK_ADDRESS", "上海市浦东新区世纪大道8号 示例商业银行个人信贷部")
ARREARS_BANK_EMAIL = os.environ.get("ARREARS_BANK_EMAIL", "collections@bank.example.com")
ARREARS_LETTER_FONT = os.environ.get("ARREARS_LETTER_FONT", "")

# Mail: SMTP when a server is configured, else files under var/mail, so the demo never touches the network.
DEFAULT_FROM_EMAIL = os.environ.get("ARREARS_MAIL_FROM", "notices@bank.example.com")
EMAIL_TIMEOUT = 30  # seconds; a notice email is sent after its commit, and a dead server must not hang a request
if os.environ.get("ARREARS_SMTP_HOST", "").strip():
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = os.environ["ARREARS_SMTP_HOST"].strip()
    EMAIL_USE_TLS = env_bool("ARREARS_SMTP_TLS", True)
    EMAIL_PORT = env_int("ARREARS_SMTP_PORT", 587 if EMAIL_USE_TLS else 25, minimum=1, maximum=65535)
    EMAIL_HOST_USER = os.environ.get("ARREARS_SMTP_USER", "")
    EMAIL_HOST_PASSWORD = os.environ.get("ARREARS_SMTP_PASSWORD", "")
else:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = VAR_DIR / "mail"
ARREARS_MAIL_DOMAIN = os.environ.get("ARREARS_MAIL_DOMAIN", "") or DEFAULT_FROM_EMAIL.rpartition("@")[2] or "localhost"

# SMS: the HTTP gateway when one is configured, else files under var/sms (the demo).
ARREARS_SMS_URL = os.environ.get("ARREARS_SMS_URL", "").strip()
ARREARS_SMS_TOKEN = os.environ.get("ARREARS_SMS_TOKEN", "")
ARREARS_SMS_SENDER = os.environ.get("ARREARS_SMS_SENDER", "")
ARREARS_SMS_IDEMPOTENCY = env_bool("ARREARS_SMS_IDEMPOTENCY", True)
ARREARS_SMS_TIMEOUT = env_int("ARREARS_SMS_TIMEOUT", 10, minimum=1, maximum=300)
ARREARS_SMS_CALLBACK_URL = os.environ.get("ARREARS_SMS_CALLBACK_URL", "")
ARREARS_SMS_CALLBACK_SECRET = os.environ.get("ARREARS_SMS_CALLBACK_SECRET", "")
ARREARS_SMS_FILE_PATH = VAR_DIR / "sms"

# The notices outbox's worker (`arrears dispatch`).
ARREARS_DISPATCH_MAX_ATTEMPTS = env_int("ARREARS_DISPATCH_MAX_ATTEMPTS", 5, minimum=1, maximum=50)
ARREARS_DISPATCH_BACKOFF_SECONDS = env_int("ARREARS_DISPATCH_BACKOFF_SECONDS", 60, minimum=1, maximum=86400)
ARREARS_DISPATCH_BATCH = env_int("ARREARS_DISPATCH_BATCH", 50, minimum=1, maximum=10000)
ARREARS_DISPATCH_LEASE_SECONDS = env_int("ARREARS_DISPATCH_LEASE_SECONDS", 300, minimum=10, maximum=86400)
ARREARS_PRINT_BATCH_HOUR = env_int("ARREARS_PRINT_BATCH_HOUR", 16, minimum=0, maximum=23)

# The complaint mailbox (arrears/complaints/mailbox.py), read by the worker's "complaint_mail" job.
ARREARS_COMPLAINT_IMAP_HOST = os.environ.get("ARREARS_COMPLAINT_IMAP_HOST", "").strip()
ARREARS_COMPLAINT_IMAP_SSL = os.environ.get("ARREARS_COMPLAINT_IMAP_SSL", "ssl").strip().lower() or "ssl"
if ARREARS_COMPLAINT_IMAP_SSL not in {"ssl", "starttls", "none"}:
    raise ImproperlyConfigured(
        f"ARREARS_COMPLAINT_IMAP_SSL={ARREARS_COMPLAINT_IMAP_SSL!r} is not one of ssl, starttls or none"
    )
ARREARS_COMPLAINT_IMAP_PORT = env_int(
    "ARREARS_COMPLAINT_IMAP_PORT", 993 if ARREARS_COMPLAINT_IMAP_SSL == "ssl" else 143, minimum=1, maximum=65535
)
ARREARS_COMPLAINT_IMAP_USER = os.environ.get("ARREARS_COMPLAINT_IMAP_USER", "").strip()
ARREARS_COMPLAINT_IMAP_PASSWORD = os.environ.get("ARREARS_COMPLAINT_IMAP_PASSWORD", "")
if not ARREARS_COMPLAINT_IMAP_PASSWORD and os.environ.get("ARREARS_COMPLAINT_IMAP_PASSWORD_FILE", "").strip():
    _imap_password_file = Path(os.environ["ARREARS_COMPLAINT_IMAP_PASSWORD_FILE"].strip())
    try:
        ARREARS_COMPLAINT_IMAP_PASSWORD = _imap_password_file.read_text(encoding="utf-8").strip()
    except OSError as exc:
        raise ImproperlyConfigured(
            f"ARREARS_COMPLAINT_IMAP_PASSWORD_FILE={str(_imap_password_file)!r} cannot be read: {exc.strerror}"
        ) from None
ARREARS_COMPLAINT_IMAP_FOLDER = os.environ.get("ARREARS_COMPLAINT_IMAP_FOLDER", "").strip() or "INBOX"
ARREARS_COMPLAINT_IMAP_MINUTES = env_int("ARREARS_COMPLAINT_IMAP_MINUTES", 5, minimum=1, maximum=1440)
if ARREARS_COMPLAINT_IMAP_HOST and not (ARREARS_COMPLAINT_IMAP_USER and ARREARS_COMPLAINT_IMAP_PASSWORD):
    raise ImproperlyConfigured(
        "ARREARS_COMPLAINT_IMAP_HOST is set: set ARREARS_COMPLAINT_IMAP_USER and ARREARS_COMPLAINT_IMAP_PASSWORD "
        "(or ARREARS_COMPLAINT_IMAP_PASSWORD_FILE) too"
    )

# The day's schedule (`arrears worker`, arrears/operations): jobs queued through django-tasks' database backend.
ARREARS_FEED_DIR = Path(os.environ.get("ARREARS_FEED_DIR", "") or VAR_DIR / "feed")
ARREARS_WORKER_POLL_SECONDS = env_int("ARREARS_WORKER_POLL_SECONDS", 30, minimum=1, maximum=3600)
ARREARS_WORKER_DISPATCH_MINUTES = env_int("ARREARS_WORKER_DISPATCH_MINUTES", 5, minimum=1, maximum=1440)
ARREARS_WORKER_TRANSCRIBE_MINUTES = env_int("ARREARS_WORKER_TRANSCRIBE_MINUTES", 15, minimum=1, maximum=1440)
ARREARS_WORKER_MAX_ATTEMPTS = env_int("ARREARS_WORKER_MAX_ATTEMPTS", 3, minimum=1, maximum=20)
ARREARS_WORKER_BACKOFF_SECONDS = env_int("ARREARS_WORKER_BACKOFF_SECONDS", 60, minimum=1, maximum=86400)
ARREARS_WORKER_LEASE_SECONDS = env_int("ARREARS_WORKER_LEASE_SECONDS", 7200, minimum=60, maximum=7 * 86400)
ARREARS_WORKER_MAIL_TO = env_list("ARREARS_WORKER_MAIL_TO", "")
ARREARS_WORKER_KEEP_TASK_DAYS = env_int("ARREARS_WORKER_KEEP_TASK_DAYS", 7, minimum=1, maximum=366)
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["arrears"]}}

# The audit ledger's anchors (compliance/anchors.py): its head, signed with a key the database does not hold.
ARREARS_LEDGER_ANCHOR_DIR = Path(os.environ.get("ARREARS_LEDGER_ANCHOR_DIR", "") or VAR_DIR / "ledger-anchors")
ARREARS_LEDGER_ANCHOR_KEY = os.environ.get("ARREARS_LEDGER_ANCHOR_KEY", "")
ARREARS_LEDGER_ANCHOR_KEY_FILE = VAR_DIR / "ledger_anchor_key"
# Call recordings, one directory per call date (YYYY-MM-DD), purged after `retention.recordings_years`.
ARREARS_RECORDINGS_DIR = os.environ.get("ARREARS_RECORDINGS_DIR", "")
# The files arrears stores itself (`default_storage`): the call recordings the call platform uploads or an operator
# imports (`arrears.quality.recordings`), each kept until its `retain_until` (`retention.recordings_years`); the
# approved monthly review packs' PDF and XLSX (`arrears.reports.actions_review`), kept.
# Personal data: readable by the service's user only, and no MEDIA_URL serves them.
MEDIA_ROOT = Path(os.environ.get("ARREARS_MEDIA_ROOT", "") or VAR_DIR / "media").resolve()
FILE_UPLOAD_PERMISSIONS = 0o640
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o750
ARREARS_MAX_RECORDING_BYTES = env_int(
    "ARREARS_MAX_RECORDING_BYTES", 10 * 1024 * 1024, minimum=64 * 1024, maximum=1 << 30
)

# Speech to text (arrears/quality/speech): which recogniser turns recordings into transcripts, and its server.
ARREARS_SPEECH = os.environ.get("ARREARS_SPEECH", "").strip().lower() or "platform"
if ARREARS_SPEECH not in ("funasr", "pocketsphinx", "platform"):
    raise ImproperlyConfigured(
        f"ARREARS_SPEECH={ARREARS_SPEECH!r} is not a recogniser; use funasr, pocketsphinx or platform"
    )
ARREARS_FUNASR_URL = os.environ.get("ARREARS_FUNASR_URL", "").strip()
if ARREARS_FUNASR_URL and not re.match(r"wss?://[^/?#\s]+", ARREARS_FUNASR_URL):
    raise ImproperlyConfigured(
        f"ARREARS_FUNASR_URL={ARREARS_FUNASR_URL!r} is not a WebSocket address; write it like ws://127.0.0.1:10095"
    )
if ARREARS_SPEECH == "funasr" and not ARREARS_FUNASR_URL:
    raise ImproperlyConfigured("ARREARS_SPEECH=funasr: set ARREARS_FUNASR_URL to the server, e.g. ws://127.0.0.1:10095")
ARREARS_FUNASR_TIMEOUT = env_int("ARREARS_FUNASR_TIMEOUT", 300, minimum=1, maximum=3600)
ARREARS_FUNASR_CONNECT_TIMEOUT = env_int("ARREARS_FUNASR_CONNECT_TIMEOUT", 10, minimum=1, maximum=300)
ARREARS_FUNASR_HOTWORDS = env_list("ARREARS_FUNASR_HOTWORDS", "逾期,还款,欠款,分期,减免,征信,罚息,本金,利息,协商")
ARREARS_SPEECH_AGENT_CHANNEL = os.environ.get("ARREARS_SPEECH_AGENT_CHANNEL", "").strip().lower() or "left"
if ARREARS_SPEECH_AGENT_CHANNEL not in ("left", "right"):
    raise ImproperlyConfigured(f"ARREARS_SPEECH_AGENT_CHANNEL={ARREARS_SPEECH_AGENT_CHANNEL!r} is not left or right")

INSTALLED_APPS = [
    "arrears.accounts.admin_app.ArrearsAdminConfig",  # django.contrib.admin, with 403 instead of a login loop
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "arrears.accounts.axes_app.AxesConfig",  # axes, named in the reader's language
    "ninja",  # its Swagger UI assets, served locally (no CDN: bank networks are closed)
    "arrears.home",
    "arrears.accounts",
    "arrears.compliance",
    "arrears.rules",
    "arrears.portfolio",
    "arrears.collection",
    "arrears.notices",
    "arrears.arrangements",
    "arrears.complaints",
    "arrears.legal",
    "arrears.agencies",
    "arrears.quality",
    "arrears.reports",
    "arrears.daily",
    "arrears.whatif",
    "arrears.retention",
    "django_tasks",
    "django_tasks_db",
    "arrears.operations",
]

AUTH_USER_MODEL = "accounts.User"
# axes first: a locked-out login is refused before the password is checked; then passwords and role grants.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "arrears.accounts.backends.RoleBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "login"

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "arrears.logs.RequestContext",  # the request's id (X-Request-ID) and user on its log records
    "arrears.home.request_size.RequestSizeLimitMiddleware",  # 413 by the declared length, before anything reads it
    "arrears.home.middleware.RefuseNul",  # a NUL anywhere in a request: 400, before the session or a view reads it
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "arrears.accounts.sessions.RenewingSessionMiddleware",  # the idle timeout, renewed at most every 1/30 of it
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "arrears.accounts.middleware.PasswordChangeRequiredMiddleware",  # one-time password: change it first
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "arrears.home.middleware.LedgerBrokenAnswer",  # a ledger changed outside arrears: 503 with what to do
    "axes.middleware.AxesMiddleware",  # last: turns a locked-out login into the lockout page
]

# Logs go to stderr (the service manager or the container keeps them). With DEBUG off Django's own console
# handler is silent and its mail handler has no ADMINS, so without this a server error (500) left no trace: here
# every record at ARREARS_LOG_LEVEL or above, a 500's traceback included (django.request logs it with exc_info),
# reaches stderr — as readable lines, or one JSON object per line (arrears/logs.py), as ARREARS_LOG_FORMAT says.
# `arrears serve` gives gunicorn's access and error lines the same format.
_RAW_FORMAT, _RAW_LEVEL = os.environ.get("ARREARS_LOG_FORMAT", "text"), os.environ.get("ARREARS_LOG_LEVEL", "WARNING")
ARREARS_LOG_FORMAT, ARREARS_LOG_LEVEL = _RAW_FORMAT.strip().lower(), _RAW_LEVEL.strip().upper()
if ARREARS_LOG_FORMAT not in ("text", "json"):
    raise ImproperlyConfigured(f"ARREARS_LOG_FORMAT={_RAW_FORMAT!r} is not a log format; use text or json")
if ARREARS_LOG_LEVEL not in ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"):
    raise ImproperlyConfigured(
        f"ARREARS_LOG_LEVEL={_RAW_LEVEL!r} is not a log level; use DEBUG, INFO, WARNING, ERROR or CRITICAL"
    )
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"main": {"()": "arrears.logs.formatter", "kind": ARREARS_LOG_FORMAT}},
    "handlers": {"stderr": {"class": "logging.StreamHandler", "level": ARREARS_LOG_LEVEL, "formatter": "main"}},
    "root": {"handlers": ["stderr"], "level": ARREARS_LOG_LEVEL},
    # Django logs every 4xx as a warning, a refused permission with its traceback: refusals are already in the
    # `arrears.security` log (one line each), so here only server errors, each with its traceback.
    "loggers": {"django.request": {"level": "ERROR"}},
}

ROOT_URLCONF = "arrears.urls"
WSGI_APPLICATION = "arrears.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "arrears.home.nav.navigation",
            ],
        },
    },
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
LOCALE_PATHS = [Path(__file__).resolve().parent / "locale"]
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("ARREARS_STATIC_ROOT", "") or VAR_DIR / "static").resolve()
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise serves from here after collectstatic
# `arrears serve` collects the static files into STATIC_ROOT under content-hashed names with gzip and brotli
# copies (ARREARS_STATIC_COLLECTED=1, which it sets), and WhiteNoise serves them compressed with a year's caching:
# a changed file gets a new name. Elsewhere (tests, `arrears serve --dev`) they are served from the apps'
# directories as they are, nothing to collect first.
STATIC_COLLECTED = env_bool("ARREARS_STATIC_COLLECTED", False)
_STATIC_STORAGE = (
    "whitenoise.storage.CompressedManifestStaticFilesStorage"
    if STATIC_COLLECTED
    else "django.contrib.staticfiles.storage.StaticFilesStorage"
)
STORAGES = {
    # MEDIA_ROOT (above); a bank may name another backend here (an object store), the code only uses the API.
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": _STATIC_STORAGE},
}
WHITENOISE_USE_FINDERS = not STATIC_COLLECTED
# Source maps (a few MB each, for the API's documentation pages) are for developers' tools: not compressing them
# halves the time collectstatic takes.
WHITENOISE_SKIP_COMPRESS_EXTENSIONS = (*Compressor.SKIP_COMPRESS_EXTENSIONS, "map")

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
SESSION_COOKIE_HTTPONLY = True
# Idle timeout: a request renews the session, which expires after this long without one (written back at most
# every thirtieth of it, not on every request: `arrears.accounts.sessions`).
SESSION_IDLE_MINUTES = env_int("ARREARS_SESSION_IDLE_MINUTES", 30, minimum=1, maximum=24 * 60)
SESSION_COOKIE_AGE = SESSION_IDLE_MINUTES * 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# The exact-search audit event (PRV-1) records HMAC-SHA256 of the number searched, never the number: the key is
# SHA-256(this salt + SECRET_KEY) (Django's `salted_hmac`), so "was this number searched?" is answered by hashing
# the number again (`arrears audit searched NUMBER`). Changing SECRET_KEY or the salt leaves earlier events
# uncheckable: keep both for as long as the ledger is kept.
ARREARS_SEARCH_HASH_SALT = os.environ.get("ARREARS_SEARCH_HASH_SALT", "arrears.portfolio.search_exact")

# Login rate limiting (django-axes): 5 wrong passwords for one username from one address lock that pair for
# 15 minutes; a successful login clears the count. Failed attempts are kept in axes' own tables.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
X_FRAME_OPTIONS = "DENY"

# Request and upload sizes. A body declared larger than this is refused with 413 before it is read
# (`arrears.home.request_size`); Django then bounds a form's non-file fields and keeps uploads above 2.5 MB in a
# temporary file rather than in memory.
ARREARS_MAX_REQUEST_BYTES = env_int("ARREARS_MAX_REQUEST_BYTES", 12 * 1024 * 1024, minimum=64 * 1024, maximum=1 << 30)
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
SECURE_CONTENT_TYPE_NOSNIFF = True

# -- API tokens (Issue 16) ----------------------------------------------------------------------------------
# ARREARS_API_RATE: how many calls one service-account token may make per period, "N/s", "N/min", "N/hour" or
# "N/day" (default "120/min"); beyond it the API answers 429 with Retry-After (`arrears.api.auth`). The count is
# kept in Django's default cache, which is the database (table arrears_cache, made by a migration): one count
# per token across every server process and machine, on SQLite and PostgreSQL alike.
ARREARS_API_RATE = os.environ.get("ARREARS_API_RATE", "120/min").strip()
_API_RATE_FORMAT = r"[1-9][0-9]{0,6}/(s|sec|m|min|h|hour|d|day)"
if not re.fullmatch(_API_RATE_FORMAT, ARREARS_API_RATE):
    raise ImproperlyConfigured(f'ARREARS_API_RATE must look like "120/min", got {ARREARS_API_RATE!r}')
CACHES = {"default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "arrears_cache"}}
