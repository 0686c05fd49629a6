"""The publishing school of a page whose source does not name one, read from what the page
calls its site ("南京大学信息化建设管理服务中心", "News | Lakeland University").

University and college news says 我校, 学校, "the university" for itself: without the
school's name, the shown party is a word, and its city gives no region. A source's
``publisher`` names it; a page's site names (meta, shared ``<title>``s, logo) usually do.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

from ieiwatch.domain.model import EDUCATION_KINDS

MAX_SITE_NAME = 40
"""Characters: a longer text is a headline or a slogan, not the site's name."""


def publisher_for(configured: str | None, site_names: Sequence[str]) -> str | None:
    """The source's own ``publisher`` when it names one, else the school the page's site
    names give (the first that names one), else None."""
    if configured:
        return configured
    return next((school for name in site_names if (school := school_named(name))), None)


@lru_cache(maxsize=1024)
def school_named(site_name: str) -> str | None:
    """The school a site's name names: its first organisation, when that is a school and
    every other one is a unit of it (南京大学 in 南京大学信息化建设管理服务中心); None for
    a name of two organisations ("A大学与B公司签约", a headline) or of none."""
    if not site_name or len(site_name) > MAX_SITE_NAME:
        return None
    # Here, not above: the process that fetches imports this module, and only the workers
    # that classify load the party rules.
    from . import parties
    from .text import detect_language, prepare

    lang = detect_language(site_name)
    found = [f for f in parties.extract(prepare(site_name, "", lang, 0)) if not f.self_ref]
    if not found or found[0].party.kind not in EDUCATION_KINDS:
        return None
    school = found[0].party.name
    return school if all(school in f.party.name for f in found) else None
