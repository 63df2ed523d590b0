"""How Rhythm writes dates and times on its pages: one way everywhere, day first and
on a 24-hour clock, as a team spread over AMER, EMEA and APAC reads them alike.
Only the output formats; what forms accept stays Django's."""

DATE_FORMAT = "j M Y"
# A time always shows its zone ("17:00 CET", "CEST" in summer): the viewer's, as
# the middleware activates it. `|when` (core/templatetags/ui.py) uses this too.
DATETIME_FORMAT = "j M Y, H:i T"
TIME_FORMAT = "H:i"
MONTH_DAY_FORMAT = "j M"
YEAR_MONTH_FORMAT = "M Y"
SHORT_DATE_FORMAT = "Y-m-d"
SHORT_DATETIME_FORMAT = "Y-m-d H:i T"
