"""Rhythm settings: one module, every deployment difference read from the environment."""

from __future__ import annotations

from pathlib import Path

from rhythm.env import (
    env_bool,
    env_database,
    env_int,
    env_int_map,
    env_list,
    env_secret,
    env_str,
    redis_url_problem,
    secret_key,
)

# The project root: src/rhythm/settings.py -> three parents up.
BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(env_str("RHYTHM_VAR_DIR") or BASE_DIR / "var")
VAR_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = env_bool("RHYTHM_DEBUG", False)
SECRET_KEY = secret_key(VAR_DIR)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "ninja",
    "simple_history",
    "axes",
    "huey.contrib.djhuey",
    "rhythm.core",
    "rhythm.people",
    "rhythm.customers",
    "rhythm.catalog",
    "rhythm.health",
    "rhythm.cases",
    "rhythm.ctas",
    "rhythm.engagements",
    "rhythm.meetings",
    "rhythm.officehours",
    "rhythm.surveys",
    "rhythm.followups",
    "rhythm.content",
    "rhythm.community",
    "rhythm.webinars",
    "rhythm.campaigns",
    "rhythm.timeline",
    "rhythm.escalations",
    "rhythm.home",
    "rhythm.kpis",
    "rhythm.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "rhythm.core.middleware.RequestSizeLimitMiddleware",
    "rhythm.core.middleware.ApiErrorShapeMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "rhythm.core.middleware.UserTimezoneMiddleware",
    # Last, as django-axes asks, so it sees the outcome of authentication.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "rhythm.urls"
WSGI_APPLICATION = "rhythm.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "src" / "rhythm" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "rhythm.core.context_processors.navigation",
            ],
            # {% form_token %} beside {% csrf_token %} in every form that creates; the
            # design language's helpers ({% pageheader %}, |when, docs/ui.md).
            "builtins": ["rhythm.core.templatetags.form_tokens", "rhythm.core.templatetags.ui"],
        },
    },
]
# Every form laid out once (docs/ui.md, "Forms"): label above, help and errors under.
FORM_RENDERER = "rhythm.core.renderer.RhythmFormRenderer"

# --- Database ---------------------------------------------------------------
# SQLite under var/ unless DATABASE_URL names another database. WAL lets readers
# run beside a writer; IMMEDIATE transactions take the write lock up front so
# concurrent writers queue on the busy timeout instead of failing "database is
# locked" halfway through a transaction.
SQLITE_PATH = VAR_DIR / "rhythm.sqlite3"
SQLITE_OPTIONS = {
    "transaction_mode": "IMMEDIATE",
    "timeout": 20,
    "init_command": "PRAGMA journal_mode=WAL;PRAGMA synchronous=NORMAL;PRAGMA foreign_keys=ON;",
}
DATABASE_URL = env_str("DATABASE_URL")
DATABASES = {
    "default": env_database("DATABASE_URL", conn_max_age=60)
    or {
        "ENGINE": "rhythm.core.sqlite",
        "NAME": str(SQLITE_PATH),
    }
}
if DATABASES["default"]["ENGINE"] in ("django.db.backends.sqlite3", "rhythm.core.sqlite"):
    # Django's SQLite, with one process's writers taking turns (core/sqlite/base.py).
    DATABASES["default"]["ENGINE"] = "rhythm.core.sqlite"
    # The same behaviour for a sqlite:///… URL as for the default file. Tests use
    # a file too, so that a worker thread sees what the test wrote.
    DATABASES["default"].setdefault("OPTIONS", {}).update(SQLITE_OPTIONS)
    # One connection per server thread for its life: opening a SQLite connection
    # runs the PRAGMAs above and starts a cold statement cache, about 4 ms of CPU,
    # more than a whole request's SQL (`make bench`, "intake CPU").
    DATABASES["default"]["CONN_MAX_AGE"] = None
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = False
    DATABASES["default"].setdefault("TEST", {"NAME": str(VAR_DIR / "test.sqlite3")})
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Parameters bound by the server, so psycopg prepares a statement the fifth time a
    # connection runs it and PostgreSQL stops parsing and planning the same few
    # statements on every request: its CPU per intake 4.5 → 3.3 ms (`make bench`).
    # RHYTHM_DATABASE_PREPARED=0 behind a pooler in transaction mode (PgBouncer before
    # 1.21), which cannot keep a session's prepared statements.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
        "server_side_binding", env_bool("RHYTHM_DATABASE_PREPARED", True)
    )
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Task queue ---------------------------------------------------------------
# huey on a SQLite file by default (no server to run), on Redis when REDIS_URL
# is set, so any number of web and worker processes share one queue.
REDIS_URL = env_str("REDIS_URL")
REDIS_URL_PROBLEM = redis_url_problem(REDIS_URL) if REDIS_URL else ""
HUEY: dict[str, object]
if REDIS_URL_PROBLEM:
    # redis-py would refuse the URL while Django loads its apps, with a traceback
    # before any check could run. An in-memory stand-in lets Django start far
    # enough for check rhythm.E002 to name the problem; every command that runs
    # the checks (serve, worker, migrate, check) then refuses to go on.
    HUEY = {"huey_class": "huey.MemoryHuey", "name": "unconfigured", "immediate": False}
elif REDIS_URL:
    HUEY = {
        "huey_class": "huey.RedisHuey",
        "name": env_str("RHYTHM_QUEUE_NAME", "rhythm"),
        "url": REDIS_URL,
        "immediate": False,
        "results": False,  # nobody waits on a task; stored results would pile up
        "utc": True,
        "consumer": {"workers": 2, "worker_type": "thread"},
    }
else:
    HUEY = {
        "huey_class": "huey.SqliteHuey",
        "name": env_str("RHYTHM_QUEUE_NAME", "rhythm"),
        "filename": str(VAR_DIR / "queue.sqlite3"),
        "immediate": False,
        "results": False,  # nobody waits on a task; stored results would pile up
        "utc": True,
        "consumer": {"workers": 2, "worker_type": "thread"},
    }

# --- Auth ---------------------------------------------------------------------
AUTH_USER_MODEL = "people.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "rhythm.people.backends.PermissionBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AXES_FAILURE_LIMIT = env_int("RHYTHM_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = 0.25  # hours: a locked-out person may try again after 15 minutes
# Lock the (address, username) pair: a shared proxy address or a known username
# alone never locks anyone else out.
AXES_LOCKOUT_PARAMETERS = [["ip_address", "username"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False

# --- Internationalisation -----------------------------------------------------
# Stored in UTC; shown in each person's own time zone (UserTimezoneMiddleware).
LANGUAGE_CODE = "en-us"
# Dates and times written one way on every page (rhythm/formats/en/formats.py).
FORMAT_MODULE_PATH = ["rhythm.formats"]
TIME_ZONE = env_str("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

# --- Static files -------------------------------------------------------------
# Front-end packages come from npm (package-lock.json) into node_modules/ and are
# served from there; nothing third-party is copied into the repository.
STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)  # WhiteNoise warns on a missing root before collectstatic
NODE_MODULES = BASE_DIR / "node_modules"
STATICFILES_DIRS = [
    ("vendor/bootstrap", NODE_MODULES / "bootstrap" / "dist"),
    ("vendor/bootstrap-icons", NODE_MODULES / "bootstrap-icons" / "font"),
    ("vendor/sortablejs", NODE_MODULES / "sortablejs"),
    ("vendor/chart.js", NODE_MODULES / "chart.js" / "dist"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True

# --- Email --------------------------------------------------------------------
# Console by default so a fresh install shows what it would send; SMTP when
# EMAIL_HOST is set. Every message goes through the outbox first.
EMAIL_HOST = env_str("EMAIL_HOST")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = env_int("EMAIL_PORT", 587)
    EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
    EMAIL_HOST_PASSWORD = env_secret("EMAIL_HOST_PASSWORD")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
    EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
else:
    EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.filebased.EmailBackend")
    EMAIL_FILE_PATH = VAR_DIR / "sent-mail"
# A hung SMTP server holds a worker's thread this long per step at most; the
# worker's heartbeat keeps its claim meanwhile, so nobody takes the message over.
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 30)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Rhythm <rhythm@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- API ----------------------------------------------------------------------
# Bodies above this are refused with 413 before anything reads them.
DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024
# Paths that take a larger body: the metrics CSV upload (a million rows is ~40 MB;
# Django streams a file that size to a temporary file, and the import reads it in
# batches).
REQUEST_SIZE_LIMITS = {"/metrics/": 512 * 1024 * 1024}
API_PAGE_SIZE = 50
API_MAX_PAGE_SIZE = 500

# --- Security -----------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("RHYTHM_SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True

# --- Rhythm -------------------------------------------------------------------
RHYTHM_REGIONS = env_list("RHYTHM_REGIONS", ["AMER", "EMEA", "APAC"])
RHYTHM_DEMO_PASSWORD = env_str("RHYTHM_DEMO_PASSWORD", "rhythm-demo")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("RHYTHM_LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # A refused request (403, 404) is the app working, not an incident: no
        # traceback in the log for it. Server errors are still logged in full.
        "django.request": {"level": "ERROR"},
        # Configured here, so `run_huey` does not add a second handler of its own
        # and print every line of the worker twice. Two lines per task ("Executing",
        # "executed in") would bury everything else: tasks log their failures, and
        # RHYTHM_TASK_LOG_LEVEL=INFO shows each run; the consumer says what it runs.
        "huey": {
            "handlers": ["console"],
            "level": env_str("RHYTHM_TASK_LOG_LEVEL", "WARNING"),
            "propagate": False,
        },
        "huey.consumer": {
            "handlers": ["console"],
            "level": env_str("RHYTHM_LOG_LEVEL", "INFO"),
            "propagate": False,
        },
    },
}

# CTAs: the name limit of the seed's platform, and when a new CTA falls due if its
# playbook has no steps (otherwise with its last task).
RHYTHM_CTA_NAME_LIMIT = env_int("RHYTHM_CTA_NAME_LIMIT", 80)
RHYTHM_CTA_DUE_DAYS = env_int("RHYTHM_CTA_DUE_DAYS", 2)
# Capacity: hours a week an open or accepted CTA takes from its CSE.
RHYTHM_CTA_HOURS_PER_WEEK = env_int("RHYTHM_CTA_HOURS_PER_WEEK", 2)
# Aging: how many business days work may wait in a state before it is marked
# (ctas.rules.cta_aging, engagements.rules.request_aging). A CTA is accepted the
# day it is raised (the playbook's first task is due then) and runs its nine
# business days; a manager reviews a request within two, a CSM answers within
# three; a finished or rejected request is closed soon after. A started
# engagement has no norm: it is late once its planned end has passed.
RHYTHM_AGING_NORMS = env_int_map(
    "RHYTHM_AGING_NORMS",
    {
        "cta.open": 1,
        "cta.in_progress": 10,
        "request.review": 2,
        "request.clarification": 3,
        "request.complete": 3,
        "request.rejected": 5,
    },
    keys=frozenset({"request.started"}),
)

# Surveys: how long a CSAT or NPS link stays open, and how often one address may
# use the public survey pages (django-ratelimit's "count/period", per client IP).
RHYTHM_SURVEY_EXPIRY_DAYS = env_int("RHYTHM_SURVEY_EXPIRY_DAYS", 30)
RHYTHM_SURVEY_RATE = env_str("RHYTHM_SURVEY_RATE", "30/m")
# Webinars: a lab's environment is requested this many calendar days ahead (later is
# accepted, flagged late with its reason); the public pages' rate per address.
RHYTHM_LAB_REQUEST_LEAD_DAYS = env_int("RHYTHM_LAB_REQUEST_LEAD_DAYS", 7)
RHYTHM_WEBINAR_RATE = env_str("RHYTHM_WEBINAR_RATE", "30/m")

# The month the fiscal year starts in (1-12): an engagement of a previous fiscal
# quarter is never reopened (DESIGN rule 9, followups.rules.topic_refusal).
RHYTHM_FISCAL_YEAR_START_MONTH = env_int("RHYTHM_FISCAL_YEAR_START_MONTH", 2)

# Escalations (DESIGN rule 10, escalations.rules.qualify): ARR at least this share
# (percent) of the ceiling of the account's segment, LAM above this many dollars; a
# renewal at most this many calendar months away makes up for one threshold missed
# by at most the margin (percent of that threshold). A verdict keeps the thresholds
# it was given, so changing these never rewrites a past one.
RHYTHM_ESCALATION_ARR_SHARE = env_int("RHYTHM_ESCALATION_ARR_SHARE", 80)
RHYTHM_ESCALATION_LAM_ABOVE = env_int("RHYTHM_ESCALATION_LAM_ABOVE", 100_000)
RHYTHM_ESCALATION_RENEWAL_MONTHS = env_int("RHYTHM_ESCALATION_RENEWAL_MONTHS", 3)
RHYTHM_ESCALATION_RENEWAL_MARGIN = env_int("RHYTHM_ESCALATION_RENEWAL_MARGIN", 10)
# Slack: an incoming webhook's URL; off (empty) by default.
RHYTHM_SLACK_WEBHOOK_URL = env_str("RHYTHM_SLACK_WEBHOOK_URL", "")
# GitLab (optional, off unless all three are set): a lab's environment request is
# mirrored as an issue in this project (its path, "group/project", or its id), with a
# token allowed to create issues there (RHYTHM_GITLAB_TOKEN_FILE may hold it).
RHYTHM_GITLAB_URL = env_str("RHYTHM_GITLAB_URL", "").rstrip("/")
RHYTHM_GITLAB_TOKEN = env_secret("RHYTHM_GITLAB_TOKEN", "")
RHYTHM_GITLAB_PROJECT = env_str("RHYTHM_GITLAB_PROJECT", "")
# An SLA clock (a follow-up, a further question's answer) is "due soon" within this
# many working hours of its CSE's calendar; the scan tells them (followups.tasks).
RHYTHM_CLOCK_DUE_SOON_HOURS = env_int("RHYTHM_CLOCK_DUE_SOON_HOURS", 4)

# --- Caches -------------------------------------------------------------------
# The default cache stays per process (Django's local memory): nothing relies on
# it being shared. Rate limits do: with two processes, or two machines, each
# would count alone. Their cache is Redis when REDIS_URL is set (atomic
# increments), else a table in the database every process already shares
# (`rhythm migrate` creates it). The database cache increments by read-then-write,
# so two requests of one burst may count once: a limit against floods and
# guessing, not an exact meter, which is why check rhythm.surveys.E001 accepts it
# where django-ratelimit's own check (its app is not installed) would refuse it.
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "ratelimit": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
        if REDIS_URL and not REDIS_URL_PROBLEM
        else {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "rhythm_ratelimit_cache",
        }
    ),
}
RATELIMIT_USE_CACHE = "ratelimit"
