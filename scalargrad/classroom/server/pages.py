"""The HTML pages, filled from the templates beside this module: every value is escaped
for HTML, and data for the page's script goes in a ``<script type="application/json">``
block (not run; the scripts themselves are files under ``/static``)."""

from __future__ import annotations

import json
from html import escape
from importlib.resources import files

from starlette.responses import HTMLResponse

_JSON_IN_HTML = str.maketrans({"<": "\\u003c", ">": "\\u003e", "&": "\\u0026"})


def page(template: str, status: int = 200, *, trusted: dict[str, str] | None = None,
         data: object = None, **text: str) -> HTMLResponse:
    """The page ``template`` with ``{{key}}`` filled: ``text`` escaped, ``trusted`` as it
    is (SVG made by the chart), ``data`` as JSON."""
    html = (files(__package__) / "pages" / template).read_text(encoding="utf-8")
    values = {k: escape(v) for k, v in text.items()} | (trusted or {})
    values["data"] = json.dumps(data, ensure_ascii=False).translate(_JSON_IN_HTML)
    for key, value in values.items():
        html = html.replace("{{" + key + "}}", value)
    return HTMLResponse(html, status)


def message(title: str, text: str, status: int) -> HTMLResponse:
    """A page that says one thing (a refusal, an error)."""
    return page("message.html", status, title=title, text=text)
