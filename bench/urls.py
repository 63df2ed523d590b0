"""Rhythm's URLs, and beside them the bare view the intake benchmark compares against."""

from django.urls import path

from bench.views import bare_insert
from rhythm.urls import urlpatterns as rhythm_urlpatterns

urlpatterns = [path("bench/bare-insert", bare_insert), *rhythm_urlpatterns]
