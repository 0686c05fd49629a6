"""Alerts and digests as email: HTML from the Jinja2 templates in ``templates/``
(autoescaped, inline CSS), in the subscriber's language."""

from __future__ import annotations

import re
from functools import cache
from typing import TYPE_CHECKING, Any

from ieiwatch.notify.views import DigestView, ItemView, Letter, footer_lines
from ieiwatch.notify.wording import TEMPLATES, labels

if TYPE_CHECKING:
    import jinja2


def alert_html(item: ItemView, subject: str, letter: Letter) -> str:
    return _email("alert.html.j2", letter, subject=subject, item=item)


def digest_html(digest: DigestView, letter: Letter) -> str:
    return _email("digest.html.j2", letter, subject=digest.subject, digest=digest)


@cache
def _environment() -> jinja2.Environment:
    # Imported on the first email, not by every pass that sends none.
    import jinja2

    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


_BETWEEN_LINES = re.compile(r">\s*\n\s*<")


def _email(template: str, letter: Letter, **context: Any) -> str:
    """The template rendered; the line breaks between its tags go, as each would become a
    blank line in the plain-text part Apprise derives from the HTML."""
    html = (
        _environment()
        .get_template(template)
        .render(
            words=labels(letter.lang),
            lang="zh-CN" if letter.lang == "zh" else "en",
            footer=footer_lines(letter),
            **context,
        )
    )
    return _BETWEEN_LINES.sub("><", html)
