from typing import TYPE_CHECKING

from django.db import models

if TYPE_CHECKING:
    # django-stubs gives TextChoices this stand-in metaclass, which types `.choices`
    # as (str, label) pairs; deriving from it keeps that for the coloured enums.
    from django.db.models.enums import _TextChoicesType as ChoicesType
else:
    from django.db.models.enums import ChoicesType

# Bootstrap's theme colours: a badge is `text-bg-<colour>`, a bar `bg-<colour>`.
COLOURS = frozenset(
    {"primary", "secondary", "success", "danger", "warning", "info", "light", "dark"}
)


class _ColouredChoicesType(ChoicesType):
    """Takes each member's colour off its declaration, as Django's ChoicesType takes the label.

    A metaclass because that is where Django reads a member's tuple: by the time a
    class body has run, `OPEN = "open", "Open", "primary"` must already be
    `("open", "Open")` for Django to see a value and a label.
    """

    def __new__(metacls, classname, bases, classdict, **kwds):
        colours = {}
        for key in classdict._member_names:
            declared = classdict[key]
            if not (isinstance(declared, tuple) and len(declared) == 3):
                raise TypeError(f"{classname}.{key}: declare it as (value, label, colour).")
            *value_and_label, colour = declared
            if colour not in COLOURS:
                raise TypeError(f"{classname}.{key}: {colour!r} is not one of {sorted(COLOURS)}.")
            colours[key] = colour
            # As ChoicesType does: past enum's guard against assigning a name twice.
            dict.__setitem__(classdict, key, tuple(value_and_label))
        cls = super().__new__(metacls, classname, bases, classdict, **kwds)
        member: ColouredChoices
        for key, member in cls.__members__.items():
            member._colour_ = colours[key]
        return cls


class ColouredChoices(models.TextChoices, metaclass=_ColouredChoicesType):
    """TextChoices whose members are `(value, label, colour)`: the UI colour beside the label."""

    _colour_: str

    @property
    def colour(self) -> str:
        return self._colour_


class MessageChannel(models.TextChoices):
    EMAIL = "email", "Email"


class MessageStatus(ColouredChoices):
    PENDING = "pending", "Pending", "secondary"
    SENDING = "sending", "Sending", "info"
    SENT = "sent", "Sent", "success"
    FAILED = "failed", "Failed", "danger"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    DELIVERING = "delivering", "Delivering"
    DELIVERED = "delivered", "Delivered"
    FAILED = "failed", "Failed"


class Priority(ColouredChoices):
    LOW = "low", "Low", "secondary"
    MEDIUM = "medium", "Medium", "info"
    HIGH = "high", "High", "warning"
    URGENT = "urgent", "Urgent", "danger"
