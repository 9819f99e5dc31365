"""The HTML pages, filled from the templates beside this module: every value is escaped
for HTML, and data for the page's script goes in a ``<script type="application/json">``
block (not run; the scripts themselves are files under ``/static``)."""

from __future__ import annotations

import json
import re
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


_INLINE = re.compile(r"<style>(.*?)</style>|<script>(.*?)</script>", re.S)
_OWN_CSP = re.compile(r'<meta http-equiv="Content-Security-Policy"[^>]*>\s*', re.S)
ANIMATION_SCRIPT = "/animation.js"
ANIMATION_STYLE = "/animation.css"


def animation_parts() -> tuple[str, str]:
    """The style and the script of `scalargrad.animate`'s page (``animation.html``, one
    self-contained file), served apart so that the server's CSP needs no inline script."""
    template = files("scalargrad.classroom").joinpath("animation.html").read_text(
        encoding="utf-8")
    found = _INLINE.findall(template)
    styles, scripts = [s for s, _ in found if s], [j for _, j in found if j]
    if len(styles) != 1 or len(scripts) != 1:
        raise RuntimeError("animation.html must hold one <style> and one <script>")
    return styles[0], scripts[0]


def animation_page(html: str) -> HTMLResponse:
    """An animation page as the server sends it: its style and script loaded from
    `ANIMATION_STYLE` and `ANIMATION_SCRIPT`, its own CSP left to the server's; the
    steps stay in the page's ``<script type="application/json">`` block."""
    html = _OWN_CSP.sub("", html, count=1)
    html = _INLINE.sub(lambda m: f'<link rel="stylesheet" href="{ANIMATION_STYLE}">'
                       if m[1] is not None else f'<script src="{ANIMATION_SCRIPT}"></script>',
                       html)
    return HTMLResponse(html)
