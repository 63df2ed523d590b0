"""Rhythm's settings plus the bare baseline view's URL; used only by the benchmarks."""

from rhythm.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
WSGI_APPLICATION = "bench.wsgi.application"
