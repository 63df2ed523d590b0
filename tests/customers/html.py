"""Reading a page's text the way a person does: by the element's data-testid."""

from __future__ import annotations

import re
from html.parser import HTMLParser

_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source"}


class _TextOf(HTMLParser):
    """The text inside every element carrying data-testid=<testid>, nested ones included."""

    def __init__(self, testid: str):
        super().__init__()
        self.testid = testid
        self.found: list[list[str]] = []
        self.open: list[int] = []  # stack depth at which each matched element began
        self.depth = 0

    def handle_starttag(self, tag, attrs):
        if self.open:
            self.found[-1].append(" ")  # an element boundary separates words
        if tag in _VOID:
            return
        self.depth += 1
        if dict(attrs).get("data-testid") == self.testid:
            self.open.append(self.depth)
            self.found.append([])

    def handle_endtag(self, tag):
        if self.open:
            self.found[-1].append(" ")
        if tag in _VOID:
            return
        if self.open and self.open[-1] == self.depth:
            self.open.pop()
        self.depth -= 1

    def handle_data(self, data):
        if self.open:
            self.found[-1].append(data)


def texts(html: str, testid: str) -> list[str]:
    parser = _TextOf(testid)
    parser.feed(html)
    return [re.sub(r"\s+", " ", "".join(parts)).strip() for parts in parser.found]
