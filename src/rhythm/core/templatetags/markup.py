"""`{{ text|markdown }}`: a note written in Markdown, as safe HTML.

markdown-it renders CommonMark with raw HTML off (a `<script>` stays text); nh3
then keeps only the tags below, so whatever the renderer lets through, a note
cannot bring a script, a style or an event handler into the page.
"""

import nh3
from django import template
from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt

register = template.Library()

_renderer = MarkdownIt("commonmark", {"html": False, "breaks": True}).disable("image")

ALLOWED_TAGS = {
    "p", "br", "strong", "em", "code", "pre", "blockquote",
    "ul", "ol", "li", "a", "h1", "h2", "h3", "h4", "hr",
}  # fmt: skip


@register.filter
def markdown(text: str | None) -> SafeString:
    html = _renderer.render(text or "")
    return mark_safe(  # noqa: S308 - nh3 has just cleaned it
        nh3.clean(html, tags=ALLOWED_TAGS, attributes={"a": {"href"}}, link_rel="noopener")
    )
