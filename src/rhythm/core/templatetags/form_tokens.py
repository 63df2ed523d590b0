"""`{% form_token %}`: the one-time token of a form that creates something.

Loaded for every template (settings.TEMPLATES "builtins"), as `{% csrf_token %}`
is, so a form needs the one tag beside it and nothing else (rhythm.core.forms).
"""

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

from rhythm.core.forms import FIELD, new_token, token_for

register = template.Library()


@register.simple_tag(takes_context=True)
def form_token(context) -> SafeString:
    request = context.get("request")
    token = token_for(request) if request is not None else new_token()
    return format_html('<input type="hidden" name="{}" value="{}">', FIELD, token)
