"""`rhythm token create USERNAME [--name NAME]` and `rhythm token revoke ID`."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from rhythm.core import services
from rhythm.core.models import ApiToken


class Command(BaseCommand):
    help = "Create, list or revoke personal API tokens."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="Create a token and print it (shown once).")
        create.add_argument("username")
        create.add_argument("--name", default="", help="What the token is for.")
        revoke = sub.add_parser("revoke", help="Revoke a token by its id.")
        revoke.add_argument("token_id", type=int)
        listing = sub.add_parser("list", help="List tokens (never their secrets).")
        listing.add_argument("username", nargs="?")

    def handle(self, *args, **options):
        getattr(self, f"_{options['action']}")(options)

    def _create(self, options):
        User = get_user_model()
        try:
            user = User.objects.get(username=options["username"])
        except User.DoesNotExist:
            raise CommandError(
                f"username: no team member is called {options['username']!r}."
            ) from None
        if not user.is_active:
            raise CommandError(f"username: {user.username} is archived and cannot use the API.")
        token, plain = services.create_token(user, options["name"])
        self.stderr.write(f"Token {token.pk} for {user.username} — copy it now, it is shown once:")
        self.stdout.write(plain)

    def _revoke(self, options):
        try:
            token = ApiToken.objects.get(pk=options["token_id"])
        except ApiToken.DoesNotExist:
            raise CommandError(f"token_id: no token has id {options['token_id']}.") from None
        services.revoke_token(token)
        self.stdout.write(f"Token {token.pk} ({token.prefix}…) of {token.user} is revoked.")

    def _list(self, options):
        tokens = ApiToken.objects.select_related("user").order_by("pk")
        if options.get("username"):
            tokens = tokens.filter(user__username=options["username"])
        for token in tokens:
            state = "revoked" if token.is_revoked else "active"
            used = token.last_used_at.isoformat() if token.last_used_at else "never used"
            self.stdout.write(
                f"{token.pk}\t{token.user.username}\t{token.prefix}…\t{token.name}\t{state}\t{used}"
            )
