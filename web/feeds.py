"""Atom feeds (RFC 4287): one for any filter of the items page, one per subscriber (its own
filters). Each entry carries the type, parties and region as categories and in its text."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import datetime
from typing import Annotated
from xml.etree import ElementTree as ET

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import Response
from sqlmodel import Session

from ieiwatch.domain import clean_line, clean_text, utcnow
from ieiwatch.notify.filters import matches
from ieiwatch.storage.models import Article
from ieiwatch.storage.search import ItemFilter, find_items
from ieiwatch.web import i18n
from ieiwatch.web.params import as_params, item_filter, query
from ieiwatch.web.security import safe_href
from ieiwatch.web.state import db, lang_of
from ieiwatch.web.subscribers import all_subscriptions

router = APIRouter()
ATOM = "http://www.w3.org/2005/Atom"
FEED_ENTRIES = 50
SUBSCRIBER_SCAN = 1000
"""Newest relevant items read to fill a subscriber's feed with those its filters pass."""
ATOM_TYPE = "application/atom+xml; charset=utf-8"


@router.get("/feed.atom")
def items_feed(request: Request, session: Annotated[Session, Depends(db)]) -> Response:
    wanted = item_filter(request)
    found = find_items(session, wanted, limit=FEED_ENTRIES)
    title = "ieiwatch" + (f": {describe(wanted)}" if describe(wanted) else "")
    page = _base(request) + "/items" + query(wanted)
    xml = atom(request, title, page, found.items, found.sources, lang_of(request))
    return Response(xml, media_type=ATOM_TYPE)


@router.get("/subscribers/{name}/feed.atom")
def subscriber_feed(
    request: Request, name: str, session: Annotated[Session, Depends(db)]
) -> Response:
    sub = next((s for s in all_subscriptions(request, session) if s.name == name), None)
    if sub is None:
        raise HTTPException(404, f"no subscriber named {name!r}")
    scanned = find_items(
        session, ItemFilter(relevant_only=sub.filters.relevant_only), limit=SUBSCRIBER_SCAN
    )
    chosen = [a for a in scanned.items if matches(sub.filters, a, scanned.sources[a.id or 0][0])][
        :FEED_ENTRIES
    ]
    page = _base(request) + "/subscribers"
    xml = atom(request, f"ieiwatch: {name}", page, chosen, scanned.sources, lang_of(request))
    return Response(xml, media_type=ATOM_TYPE)


def describe(wanted: ItemFilter) -> str:
    return ", ".join(f"{k}={v}" for k, v in as_params(wanted).items())


def _base(request: Request) -> str:
    return str(request.base_url).rstrip("/")


def _self_url(request: Request) -> str:
    """This feed's URL without its token: the token is the reader's, not the feed's id."""
    return str(request.url.remove_query_params("token")).rstrip("?")


def atom(
    request: Request,
    title: str,
    page: str,
    articles: Sequence[Article],
    sources: dict[int, list[str]],
    lang: str,
) -> bytes:
    ET.register_namespace("", ATOM)
    feed = ET.Element(f"{{{ATOM}}}feed")
    self_url = _self_url(request)
    _add(feed, "id", "urn:sha1:" + hashlib.sha1(self_url.encode()).hexdigest())
    _add(feed, "title", clean_line(title))
    _add(feed, "updated", _when(max((_updated(a) for a in articles), default=utcnow())))
    ET.SubElement(feed, f"{{{ATOM}}}link", rel="self", href=self_url, type=ATOM_TYPE.split(";")[0])
    ET.SubElement(feed, f"{{{ATOM}}}link", rel="alternate", href=page, type="text/html")
    author = ET.SubElement(feed, f"{{{ATOM}}}author")
    _add(author, "name", "ieiwatch")
    ET.SubElement(feed, f"{{{ATOM}}}generator").text = "ieiwatch"
    base = _base(request)
    for article in articles:
        feed.append(_entry(article, sources.get(article.id or 0, []), base, lang))
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True)


def _entry(a: Article, sources: list[str], base: str, lang: str) -> ET.Element:
    entry = ET.Element(f"{{{ATOM}}}entry")
    _add(entry, "id", f"tag:ieiwatch,2026:article-{a.id}")
    _add(entry, "title", clean_line(a.title) or "(untitled)")
    _add(entry, "updated", _when(_updated(a)))
    if a.published_at:
        _add(entry, "published", _when(a.published_at))
    href = safe_href(a.url) or f"{base}/items/{a.id}"
    ET.SubElement(entry, f"{{{ATOM}}}link", rel="alternate", href=href)
    ET.SubElement(entry, f"{{{ATOM}}}link", rel="related", href=f"{base}/items/{a.id}")
    if a.relevant and a.type:
        _category(entry, str(a.type), "urn:ieiwatch:type", i18n.type_name(a.type, lang))
    for party in a.parties:
        label = f"{party.name} ({i18n.kind_name(party.kind, lang)})"
        _category(entry, party.name, "urn:ieiwatch:party", label)
    for place in a.region.names() if a.region else []:
        _category(entry, place, "urn:ieiwatch:region", i18n.place_name(place, lang))
    _add(entry, "summary", _details(a, sources, lang))
    _add(entry, "content", clean_text(a.text, 5000) or clean_line(a.title))
    return entry


def _details(a: Article, sources: list[str], lang: str) -> str:
    t = i18n.pick(lang)
    lines = [
        f"{t['type']}: {i18n.type_name(a.type if a.relevant else None, lang)}",
        f"{t['parties']}: " + ("; ".join(p.name for p in a.parties) or "-"),
        f"{t['region']}: {i18n.region_text(a.region, lang) or '-'}",
        f"{t['source']}: {', '.join(sources) or '-'}",
    ]
    return clean_text("\n".join(lines))


def _category(entry: ET.Element, term: str, scheme: str, label: str) -> None:
    ET.SubElement(
        entry, f"{{{ATOM}}}category", term=clean_line(term), scheme=scheme, label=clean_line(label)
    )


def _add(parent: ET.Element, tag: str, text: str) -> ET.Element:
    child = ET.SubElement(parent, f"{{{ATOM}}}{tag}")
    child.text = text
    if tag in ("title", "summary", "content"):
        child.set("type", "text")
    return child


def _updated(a: Article) -> datetime:
    return a.published_at or a.fetched_at


def _when(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds").replace("+00:00", "Z")
