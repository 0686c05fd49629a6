"""The items of a filter as CSV (UTF-8 with a BOM, so Excel reads Chinese right) or XLSX.

A cell starting with ``=``, ``+``, ``-`` or ``@`` would be a formula to a spreadsheet: such
text (a hostile title) gets a leading apostrophe."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from openpyxl import Workbook  # type: ignore[import-untyped, unused-ignore]
from sqlmodel import Session

from ieiwatch.domain import BEIJING, clean_line
from ieiwatch.storage.models import Article
from ieiwatch.storage.search import ItemFilter, find_items
from ieiwatch.web import i18n
from ieiwatch.web.params import item_filter
from ieiwatch.web.state import db, lang_of

router = APIRouter()
EXPORT_LIMIT = 10_000
BATCH = 500
COLUMNS = (
    "id", "published", "title", "relevant", "type", "type_label", "parties", "party_kinds",
    "province", "city", "country", "sources", "score", "corrected", "url",
)  # fmt: skip
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def rows(session: Session, wanted: ItemFilter, lang: str) -> Iterator[list[Any]]:
    """The filter's items as rows of ``COLUMNS``, newest first, at most ``EXPORT_LIMIT``."""
    for offset in range(0, EXPORT_LIMIT, BATCH):
        page = find_items(session, wanted, offset=offset, limit=BATCH)
        for a in page.items:
            yield _row(a, page.sources.get(a.id or 0, []), lang)
        if not page.has_more:
            return


def _row(a: Article, sources: list[str], lang: str) -> list[Any]:
    region = a.region
    return [
        a.id,
        a.published_at.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M") if a.published_at else "",
        _safe(clean_line(a.title)),
        a.relevant,
        str(a.type) if a.type else "",
        i18n.type_name(a.type if a.relevant else None, lang),
        _safe("; ".join(p.name for p in a.parties)),
        "; ".join(i18n.kind_name(p.kind, lang) for p in a.parties),
        region.province or "" if region else "",
        region.city or "" if region else "",
        region.country or "" if region else "",
        _safe(", ".join(sources)),
        round(a.score, 3),
        a.corrected,
        _safe(a.url),
    ]


def _safe(text: str) -> str:
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _filename(ext: str) -> str:
    return f'attachment; filename="ieiwatch-items.{ext}"'


@router.get("/export.csv")
def export_csv(request: Request, session: Annotated[Session, Depends(db)]) -> Response:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    writer.writerows(rows(session, item_filter(request), lang_of(request)))
    body = "\ufeff" + out.getvalue()
    return Response(
        body.encode("utf-8"),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": _filename("csv")},
    )


@router.get("/export.xlsx")
def export_xlsx(request: Request, session: Annotated[Session, Depends(db)]) -> Response:
    book = Workbook(write_only=True)
    sheet = book.create_sheet("items")
    sheet.append(list(COLUMNS))
    for row in rows(session, item_filter(request), lang_of(request)):
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return Response(
        out.getvalue(), media_type=XLSX_TYPE, headers={"Content-Disposition": _filename("xlsx")}
    )
