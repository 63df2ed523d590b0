"""The minimal django-helpdesk project `make bench` measures Rhythm's intake against.

These files are ours; bench/peer.py copies them into var/bench/peer/project/ and
runs them with the peer's own virtualenv (var/bench/peer/venv/), where
django-helpdesk and its pinned dependencies are installed from the package index.
Nothing of helpdesk's is copied into this repository.
"""
