"""Every Django form in Rhythm is laid out once, here (docs/ui.md, "Forms").

`settings.FORM_RENDERER` names this renderer: `{{ form }}` and
`{{ field.as_field_group }}` use core/forms/form.html and core/forms/field.html
(label above, no trailing colon, checkbox beside its label, radio choices in a
row, help then errors under the field, each error naming its rule), and the
widgets get Bootstrap's classes, so no template adds them by hand.
"""

from __future__ import annotations

from typing import Any

from django.db.models.fields import BLANK_CHOICE_DASH
from django.forms.renderers import DjangoTemplates

# Bootstrap's class for each of Django's widget templates.
WIDGET_CLASSES = {
    "django/forms/widgets/select.html": "form-select",
    "django/forms/widgets/checkbox.html": "form-check-input",
}
# Choices rendered as a group of checks (their options get form-check-input).
CHOICE_TEMPLATES = {
    "django/forms/widgets/radio.html": "radio",
    "django/forms/widgets/checkbox_select.html": "checkbox",
}
# Django's empty choice, "---------", reads better as what to do.
EMPTY_CHOICE = BLANK_CHOICE_DASH[0][1]
CHOOSE = "Choose…"
# An error list, as a field or a form renders it (default.html includes ul.html).
ERROR_LISTS = {"django/forms/errors/list/default.html", "django/forms/errors/list/ul.html"}


def _add_class(attrs: dict[str, Any], name: str) -> None:
    classes = attrs.get("class", "").split()
    if name not in classes:
        attrs["class"] = " ".join([*classes, name])


class RhythmFormRenderer(DjangoTemplates):
    form_template_name = "core/forms/form.html"
    field_template_name = "core/forms/field.html"

    def render(self, template_name: str, context: dict[str, Any], request=None) -> str:
        widget = context.get("widget")
        if isinstance(widget, dict) and "attrs" in widget:
            template_name = self._style(template_name, widget)
        elif template_name in ERROR_LISTS:
            template_name = "core/forms/errors.html"
        return super().render(template_name, context, request=request)

    @staticmethod
    def _style(template_name: str, widget: dict[str, Any]) -> str:
        if template_name in CHOICE_TEMPLATES:
            widget["choice_kind"] = CHOICE_TEMPLATES[template_name]
            for _group, options, _index in widget.get("optgroups", ()):
                for option in options:
                    _add_class(option["attrs"], "form-check-input")
            return "core/forms/choices.html"
        if template_name == "django/forms/widgets/select.html":
            for _group, options, _index in widget.get("optgroups", ()):
                for option in options:
                    if option["value"] in ("", None) and option["label"] == EMPTY_CHOICE:
                        option["label"] = CHOOSE
        if template_name.startswith("django/forms/widgets/") and widget.get("type") != "hidden":
            _add_class(widget["attrs"], WIDGET_CLASSES.get(template_name, "form-control"))
        return template_name
