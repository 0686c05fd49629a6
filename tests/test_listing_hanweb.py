"""Hanweb preset lists on a whole page: the records unwrapped from their script must land
inside the body, where the HTML parser keeps them."""

from __future__ import annotations

from ieiwatch.scrapers.cms import PRESETS, list_items

FULL_PAGE = """<!DOCTYPE html><html><head><title>发展改革委 通知公告</title></head>
<body><div class="nav"><a href="/">首页</a></div>
<div id="4180"><script type="text/xml"><datastore>
<nextgroup><![CDATA[<a href="/module/web/jpage/dataproxy.jsp?page=1&columnid=1"></a>]]></nextgroup>
<recordset>
<record><![CDATA[<li><a href="/art/2024/11/5/art_1_1.html">投资运行</a>
  <span>2024-11-05</span></li>]]></record>
<record><![CDATA[<li><a href="/art/2024/11/4/art_1_2.html">项目推进</a>
  <span>2024-11-04</span></li>]]></record>
</recordset></datastore></script></div>
</body></html>"""


def test_hanweb_records_on_a_full_page_are_listed() -> None:
    items = list_items(
        FULL_PAGE, "http://fgw.example.gov.cn/col/col1621004/index.html", PRESETS["hanweb"]
    )
    assert items == [
        ("http://fgw.example.gov.cn/art/2024/11/5/art_1_1.html", "投资运行", "2024-11-05"),
        ("http://fgw.example.gov.cn/art/2024/11/4/art_1_2.html", "项目推进", "2024-11-04"),
    ]


def test_hanweb_records_after_an_uppercase_body_end_are_listed() -> None:
    page = FULL_PAGE.replace("</body></html>", "</BODY></HTML>")
    items = list_items(page, "http://fgw.example.gov.cn/col/col1/index.html", PRESETS["hanweb"])
    assert [url for url, _, _ in items] == [
        "http://fgw.example.gov.cn/art/2024/11/5/art_1_1.html",
        "http://fgw.example.gov.cn/art/2024/11/4/art_1_2.html",
    ]
