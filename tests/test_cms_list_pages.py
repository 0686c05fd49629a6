"""List discovery on real TRS, Hanweb and UCAP-style list pages (tests/data/listpages, their
origin and items in manifest.yaml): the template quirks each family's pages showed — an item
carrying its own list of related links, a block of links to other sites' home pages, TRS's
inline pager script, the ``createPageHTML('page_div', …)`` pager, list pages without the
article markers the CMS fingerprints look for, and markup inside a title attribute.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import yaml

from ieiwatch.scrapers.cms import detect_cms
from ieiwatch.scrapers.discover import discover_page
from ieiwatch.scrapers.encoding import decode_html
from ieiwatch.scrapers.list_finder import find_items
from ieiwatch.scrapers.next_page import next_page

PAGES = Path(__file__).parent / "data" / "listpages"

NDRC = ("ndrc_trs_xxgk-zcfb-tz.html", "https://www.ndrc.gov.cn/xxgk/zcfb/tz/")
MEE = ("mee_trs_ywdt-spxw.html", "https://www.mee.gov.cn/ywdt/spxw/")
MEM = ("mem_trs_gk-tzgg.html", "https://www.mem.gov.cn/gk/tzgg/")
MOF = ("mof_trs_zhengcefabu.html", "http://www.mof.gov.cn/zhengwuxinxi/zhengcefabu/")
NHSA = ("nhsa_hanweb_col104.html", "https://www.nhsa.gov.cn/col/col104/index.html")
NHC = ("nhc_ucap_fzs-c100048.html", "https://www.nhc.gov.cn/fzs/c100048/new_list.shtml")


def _html(page: tuple[str, str]) -> str:
    return decode_html((PAGES / page[0]).read_bytes(), None).text


def test_an_items_own_list_of_related_links_is_not_taken_for_its_title() -> None:
    # 国家发改委 通知: an item with 解读 carries them in a <ul> inside its <li>, longer titled.
    _, items = find_items(_html(NDRC), NDRC[1])
    assert len(items) == 25
    assert all("/xxgk/zcfb/tz/" in i.url for i in items)
    second = items[1]
    assert second.url.endswith("/202606/t20260615_1405852.html")
    assert second.title == "关于开展重点行业节能降碳改造攻坚三年行动的通知(发改环资〔2026〕698号)"


def test_a_block_of_links_to_other_sites_home_pages_is_not_the_news_list() -> None:
    # 生态环境部 视频新闻: nine undated picture items against 41 "related sites" in the footer.
    _, items = find_items(_html(MEE), MEE[1])
    assert len(items) == 9
    assert all(urlsplit(i.url).path.startswith("/ywdt/spxw/2026") for i in items)


def test_markup_inside_a_title_attribute_is_read_as_text() -> None:
    _, items = find_items(_html(MEE), MEE[1])
    cut = next(i for i in items if i.url.endswith("t20260623_1160064.shtml"))
    assert cut.title == "视频丨全国人大常委会启动青藏高原生态保护法执法检查 （央视《新闻联播》）"


def test_trs_inline_pager_script_gives_the_next_page_and_the_page_template() -> None:
    # 应急管理部: no createPageHTML call, only "var countPage = 25" and the links it writes.
    found = next_page(_html(MEM), MEM[1])
    assert found is not None
    assert found.url == "https://www.mem.gov.cn/gk/tzgg/index_1.shtml"
    assert found.page_url == "index_{index}.shtml"


def test_the_last_page_of_a_trs_inline_pager_leads_nowhere() -> None:
    last = _html(MEM).replace("var currentPage = 0;", "var currentPage = 24;", 1)
    assert next_page(last, "https://www.mem.gov.cn/gk/tzgg/index_24.shtml") is None


def test_the_live_inline_pager_is_read_before_a_commented_out_createpagehtml_call() -> None:
    # 财政部: "//createPageHTML(20, 0, ...)" above the live "var countPage = 20" script; were
    # the comment stale (the last page), the script still says page 1 of 20.
    stale = '//createPageHTML(20, 19, "index", "htm");'
    html = _html(MOF).replace('//createPageHTML(20, 0, "index", "htm");', stale, 1)
    assert stale in html
    found = next_page(html, MOF[1])
    assert found is not None
    assert found.url == "http://www.mof.gov.cn/zhengwuxinxi/zhengcefabu/index_1.htm"


def test_page_div_pager_script_counts_its_pages_from_one() -> None:
    # 国家卫健委 法规司, with the pager links the browser had rendered taken out: only the
    # createPageHTML('page_div',34, 1,'new_list','shtml',798) call is left to read.
    html = _html(NHC)
    start = html.index('<div id="page_div"')
    html = html[:start] + html[html.index("</div>", start) + len("</div>") :]
    found = discover_page(html, NHC[1])
    assert found.next_page is not None
    assert found.next_page.url == "https://www.nhc.gov.cn/fzs/c100048/new_list_2.shtml"
    assert found.source_entry("nhc-fzs")["page_url"] == "new_list_{page}.shtml"
    last = html.replace("createPageHTML('page_div',34, 1,", "createPageHTML('page_div',34, 34,")
    assert next_page(last, "https://www.nhc.gov.cn/fzs/c100048/new_list_34.shtml") is None


def test_list_pages_are_told_by_their_family_without_article_markers() -> None:
    assert detect_cms(_html(NDRC)) == "trs"  # createPageHTML
    assert detect_cms(_html(MEM)) == "trs"  # the inline pager's "所在页从0开始"
    assert detect_cms(_html(NHSA)) == "hanweb"  # /module/web/jpage/
    assert detect_cms(_html(NHC)) == "ucap"  # <meta name="others" content="页面生成时间 …">


def test_a_trs_list_is_known_by_its_article_links_alone() -> None:
    bare = _html(MEM).replace("所在页从0开始", "")
    assert detect_cms(bare) == "trs"  # ../202607/t20260703_674272.shtml and the like
    two = '<a href="./202607/t20260703_1.shtml">a</a><a href="t20260702_2.html">b</a>'
    assert detect_cms(two) is None


def test_every_saved_list_page_is_told_by_the_family_its_manifest_names() -> None:
    manifest = yaml.safe_load((PAGES / "manifest.yaml").read_text(encoding="utf-8"))
    told = {
        p["file"]: detect_cms(_html((p["file"], p["url"]))) or "none" for p in manifest["pages"]
    }
    assert told == {p["file"]: p["cms"] for p in manifest["pages"]}
