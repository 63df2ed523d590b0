"""The home page: every signed-in member has one, role or none."""

from tests.permissions.harness import Route, expect

ROUTES = [Route("home", get=expect(200))]
