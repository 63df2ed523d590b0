"""URLs outside the role tables, each with the reason, and what an anonymous visitor gets."""

from tests.permissions.harness import LOGIN, Exempt, Redirect

SIGN_IN = "Django's sign-in views: the same for every role, and meant for visitors"

EXEMPT = [
    Exempt(
        "admin:*",
        "Django's admin: staff status and model permissions, not Rhythm's roles",
        Redirect("admin:login"),
        sample="admin:index",
    ),
    Exempt("login", SIGN_IN, 200),
    # Signing out is a POST since Django 5; it lands on the sign-in page.
    Exempt("logout", SIGN_IN, LOGIN, method="post"),
    Exempt("password_change", SIGN_IN, LOGIN),
    Exempt("password_change_done", SIGN_IN, LOGIN),
    Exempt("password_reset", SIGN_IN, 200),
    Exempt("password_reset_done", SIGN_IN, 200),
    # A link that is not valid shows the page saying so.
    Exempt("password_reset_confirm", SIGN_IN, 200, kwargs={"uidb64": "MQ", "token": "not-a-token"}),
    Exempt("password_reset_complete", SIGN_IN, 200),
    # A contact's survey, public: its link's token is the key (tests/surveys/ tries the
    # rest); a token that opens nothing gets the page saying so.
    Exempt(
        "surveys:answer",
        "the contact's survey link: no sign-in, the token is the key",
        404,
        kwargs={"token": "not-a-token"},
    ),
    # A registrant's link, public: its token is the key (tests/webinars tries the rest).
    Exempt(
        "webinars:registration",
        "the registrant's link: no sign-in, the token is the key",
        404,
        kwargs={"token": "not-a-token"},
    ),
    # A CSE's iCal feed: calendar apps fetch it without a session; the signed,
    # resettable token in its address is the key (tests/meetings).
    Exempt(
        "meetings:feed",
        "a calendar app's subscription: the signed token is the key",
        404,
        kwargs={"token": "not-a-token"},
    ),
    # A campaign email's unsubscribe link: no sign-in, its signature is the key
    # (tests/campaigns tries a real one); a link that opens nothing says so.
    Exempt(
        "campaigns:unsubscribe",
        "a contact's unsubscribe link: no sign-in, the signature is the key",
        404,
        kwargs={"token": "not-a-token"},
    ),
    Exempt("healthz", "for load balancers: says only that the database answers", 200),
    Exempt("api:openapi-json", "the API's contract, public like its docs", 200),
    Exempt("api:openapi-view", "the API's interactive docs", 200),
    Exempt("api:api-root", "django-ninja's root of /api/v1/: no operation", 404),
]
