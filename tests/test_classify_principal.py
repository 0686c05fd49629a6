"""Principal parties, mentioned organisations, the event's region, secondary types, and
the figures `ieiwatch eval` reports on them (issue 11)."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest
import typer
from sqlalchemy import Engine
from test_web_fixtures import fill
from typer.testing import CliRunner

from ieiwatch.classify import Classification, classify, principal
from ieiwatch.classify.evaluate import evaluate
from ieiwatch.classify.parties import Found
from ieiwatch.classify.principal import sort_parties
from ieiwatch.classify.text import prepare
from ieiwatch.cli.classify import register
from ieiwatch.config.schema import Filters
from ieiwatch.domain import ArticleType, Party
from ieiwatch.notify.filters import matches
from ieiwatch.storage.db import session_scope
from ieiwatch.storage.marks import export_marks, mark_article
from ieiwatch.storage.models import Article

DATA = Path(__file__).resolve().parent / "data"
LABELLED = DATA / "labelled"
runner = CliRunner()


@pytest.fixture
def app() -> typer.Typer:
    app = typer.Typer()
    register(app)
    return app


def _names(parties: list[Party]) -> list[str]:
    return [p.name for p in parties]


def test_attending_bureau_is_mentioned_not_a_party() -> None:
    c = classify(
        "澄州大学与澜海储能集团签署战略合作协议",
        "3月2日，澄州大学与澜海储能集团有限公司签署战略合作协议。澄州市教育局领导出席签约仪式。",
    )
    assert _names(c.parties) == ["澄州大学", "澜海储能集团有限公司"]
    assert _names(c.mentioned) == ["澄州市教育局"]
    assert "mentioned: 澄州市教育局" in c.evidence


def test_local_government_that_signs_stays_a_party() -> None:
    c = classify(
        "澄州大学与青山区人民政府签署校地合作协议",
        "澄州大学与青山区人民政府签署校地合作协议，双方将共建实习实训基地。",
    )
    assert "青山区人民政府" in _names(c.parties)
    assert c.mentioned == []


def test_self_reference_is_resolved_to_the_publisher() -> None:
    c = classify(
        "我校与澜海储能集团签署校企合作协议",
        "5月1日，我校与澜海储能集团有限公司签署校企合作协议。",
        publisher="澄州职业技术学院",
    )
    assert _names(c.parties)[0] == "澄州职业技术学院"
    assert "我校" not in _names(c.parties)


def test_a_unit_with_no_school_named_is_shown_as_the_publishers_unit() -> None:
    title = "农学院与澜海食业有限公司签订校企合作协议"
    text = "6月5日，农学院与澜海食业有限公司签订校企合作协议，共建教学实习基地。"
    c = classify(title, text, publisher="澄州工程大学")
    assert _names(c.parties)[0] == "澄州工程大学农学院"
    # Without a publisher the unit is all the page says.
    assert _names(classify(title, text).parties)[0] == "农学院"


def test_a_units_name_inside_the_publishers_is_the_publisher() -> None:
    c = classify(
        "应用技术学院与澜海化工有限公司签订校企合作协议",
        "6月5日，应用技术学院与澜海化工有限公司签订校企合作协议，共建实习基地。",
        publisher="澄州应用技术学院",
    )
    assert _names(c.parties)[0] == "澄州应用技术学院"


def test_a_unit_of_another_named_school_does_not_take_the_publishers_name() -> None:
    c = classify(
        "农学院与澜海食业有限公司签订校企合作协议",
        "6月5日，青川农业大学农学院与澜海食业有限公司签订校企合作协议，共建教学实习基地。",
        publisher="澄州工程大学",
    )
    assert not any("澄州" in name for name in _names(c.parties) + _names(c.mentioned))


def test_an_english_school_of_a_subject_is_shown_with_the_publisher() -> None:
    c = classify(
        "School of Nursing signs clinical training agreement with Lakeview Health",
        "The School of Nursing signed an agreement with Lakeview Health Inc. on Monday to "
        "train nursing students in its hospitals, with paid internships.",
        publisher="Riverton University",
    )
    assert "Riverton University School of Nursing" in _names(c.parties)


@pytest.mark.parametrize(
    ("school", "partner"), [("Polytech High School", "Amazon"), ("College of Charleston", "Boeing")]
)
def test_an_english_school_named_for_itself_keeps_its_name_beside_a_publisher(
    school: str, partner: str
) -> None:
    c = classify(
        f"{school} partners with {partner}",
        f"The {school} signed an agreement with {partner} on Monday to jointly train "
        "engineering students with paid internships.",
        publisher="Riverton University",
    )
    assert school in _names(c.parties)


def test_a_town_alone_is_where_not_a_party() -> None:
    c = classify(
        "Punjab department inks MoU to train welders",
        "The Department of Industries of the state on Thursday signed a Memorandum of "
        "Understanding (MoU) with Riverton Engineering College (REC), Ludhiana and Lakeview "
        "Steel Ltd. to jointly train welding apprentices in paid internships.",
    )
    assert "Ludhiana" not in _names(c.parties)
    assert {"Riverton Engineering College", "Lakeview Steel Ltd."} <= set(_names(c.parties))


def test_a_town_after_a_schools_name_and_a_comma_is_its_campus() -> None:
    c = classify(
        "Riverton University, Reno partners with Lakeview Steel",
        "The Riverton University, Reno signed an agreement with Lakeview Steel Inc. on Monday "
        "to jointly train engineering students in paid internships.",
    )
    assert "Riverton University, Reno" in _names(c.parties)
    assert "Reno" not in _names(c.parties)


def test_region_comes_from_where_the_event_is_not_from_a_company_name() -> None:
    c = classify(
        "浙江大学与宁德时代签署战略合作协议",
        "浙江大学与宁德时代新能源科技股份有限公司签署战略合作协议，并在杭州设立产业学院。",
    )
    assert c.region is not None
    assert (c.region.province, c.region.city) == ("Zhejiang", "Hangzhou")


def test_company_name_still_gives_a_region_when_nothing_else_does() -> None:
    c = classify(
        "澄州大学与宁德时代签署战略合作协议",
        "澄州大学与宁德时代新能源科技股份有限公司签署战略合作协议。",
    )
    assert c.region is not None and c.region.city == "Ningde"


def test_second_act_is_a_secondary_type_and_round_trips() -> None:
    c = classify(
        "澄州大学与澜海储能集团签署战略合作协议暨实习实训基地揭牌",
        "3月2日，澄州大学与澜海储能集团有限公司签署战略合作协议，双方共同为实习实训基地揭牌。",
    )
    assert c.type == "strategic_agreement"
    assert c.secondary_types == ["training_base"]
    assert any(e.startswith("also: training_base: ") for e in c.evidence)
    d = c.to_dict()
    assert d["secondary_types"] == ["training_base"] and "mentioned" in d
    assert Classification.from_dict(json.loads(json.dumps(d))) == c


def _found(prep_lang: str, *names: tuple[str, str]) -> list[Found]:
    return [Found(Party(n, k), "body", 0) for n, k in names]


def test_fragments_places_and_codes_are_no_parties() -> None:
    prep = prepare("", "本次能与四家合作单位合作，刘念波为理事会成员。", "zh", 120)
    sorted_ = sort_parties(
        _found("zh", ("本次能", "other"), ("四家合作单位", "other"), ("刘念波为理事会", "other")),
        prep,
    )
    assert sorted_.principal == [] and sorted_.mentioned == []
    prep = prepare("", "Riverside University in Boston, IN signed an MoU.", "en", 120)
    sorted_ = sort_parties(
        _found(
            "en",
            ("Riverside University", "university"),
            ("Boston", "other"),
            ("IN", "other"),
        ),
        prep,
    )
    assert _names(sorted_.principal) == ["Riverside University"]


def test_a_school_of_a_named_university_is_not_a_separate_party() -> None:
    prep = prepare(
        "",
        "Riverside University's School of Automation signed an agreement with Northwind Inc.",
        "en",
        120,
    )
    sorted_ = sort_parties(
        _found(
            "en",
            ("Riverside University", "university"),
            ("School of Automation", "college"),
            ("Northwind Inc.", "enterprise"),
        ),
        prep,
    )
    assert _names(sorted_.principal) == ["Riverside University", "Northwind Inc."]
    assert _names(sorted_.mentioned) == ["School of Automation"]


def test_eval_reports_party_precision_and_region_per_language() -> None:
    rows = [
        json.loads(line)
        for line in (DATA / "classify" / "labeled_principal.jsonl").read_text().splitlines()
    ]
    m = evaluate(rows)
    assert m.per_lang["zh"]["f1"] == 1.0 and m.per_lang["en"]["f1"] == 1.0
    zh = m.by_lang["zh"]
    assert (zh["parties_found"], zh["parties_total"]) == (4, 4)
    assert (zh["parties_correct"], zh["parties_shown"]) == (4, 4)
    assert (zh["region_accuracy"], zh["region_total"]) == (1.0, 2)
    assert m.by_lang["en"]["party_precision"] == 1.0
    assert m.party_precision == 1.0 and m.region_total == 2


def test_eval_command_reports_several_sets_and_hides_rows_on_request(app: typer.Typer) -> None:
    sample = str(DATA / "classify" / "labeled_sample.jsonl")
    principal = str(DATA / "classify" / "labeled_principal.jsonl")
    result = runner.invoke(app, ["eval", "--labeled", sample, "--labeled", principal, "--summary"])
    assert result.exit_code == 0, result.output
    assert f"== {sample}" in result.stdout and f"== {principal}" in result.stdout
    assert "Party precision" in result.stdout and "Region accuracy" in result.stdout
    assert "Misclassified" not in result.stdout
    js = runner.invoke(app, ["eval", "--labeled", sample, "--labeled", principal, "--json"])
    assert set(json.loads(js.stdout)) == {sample, principal}


def test_marks_are_scored_as_labelled_rows(engine: Engine) -> None:
    ids = fill(engine)
    with session_scope(engine) as session:
        for article_id in ids.values():
            mark_article(session, article_id, relevant=False, by="li")
        rows = export_marks(session)
    m = evaluate(rows)
    judged = sum(c["tp"] + c["fp"] for c in m.per_lang.values() if c is not m.per_lang["all"])
    assert m.per_lang["all"]["tp"] == 0 and len(rows) == len(ids)
    # Every item the classifier called relevant is a false alarm against the marks.
    assert m.per_lang["all"]["fp"] == judged


def test_type_filter_matches_a_secondary_type() -> None:
    article = Article(
        source_id=1,
        url="https://example.edu.cn/a.htm",
        url_key="k",
        title="t",
        content_hash="h",
        relevant=True,
        type=ArticleType.STRATEGIC_AGREEMENT,
        evidence=["+action: 签署", "also: training_base: 实训基地"],
    )
    assert matches(Filters(types=[ArticleType.TRAINING_BASE]), article, "src")
    assert matches(Filters(types=[ArticleType.STRATEGIC_AGREEMENT]), article, "src")
    assert not matches(Filters(types=[ArticleType.JOINT_LAB]), article, "src")


def test_labelled_sets_are_split_by_site_and_keep_their_sources() -> None:
    tuning = [json.loads(x) for x in (LABELLED / "tuning.jsonl").read_text().splitlines()]
    never = [json.loads(x) for x in (LABELLED / "never_tuned.jsonl").read_text().splitlines()]
    assert {r["domain"] for r in tuning}.isdisjoint({r["domain"] for r in never})
    for r in tuning + never:
        assert r["url"].startswith("http") and r["reason"] and r["lang"] in ("zh", "en")
        assert r["relevant"] == (r["type"] is not None)


def test_a_visit_for_talks_is_not_cooperation() -> None:
    c = classify(
        "澜海储能集团一行来我校走访交流",
        "6月4日，澜海储能集团有限公司总经理一行来校座谈交流，双方表示将进一步加强校企合作。",
    )
    assert not c.relevant
    assert any(e.startswith("−visit") for e in c.evidence)


def test_a_visit_that_signs_stays_cooperation() -> None:
    c = classify(
        "澄州大学赴澜海储能集团考察调研并签订产学研合作协议",
        "澄州大学一行赴澜海储能集团有限公司考察调研，双方签订产学研合作协议。",
    )
    assert c.relevant


def test_place_names_ending_in_a_place_word_are_no_parties() -> None:
    prep = prepare("", "Riverside University in Colorado Springs signed an MoU.", "en", 120)
    sorted_ = sort_parties(
        _found("en", ("Riverside University", "university"), ("Colorado Springs", "other")),
        prep,
    )
    assert _names(sorted_.principal) == ["Riverside University"]


def test_a_count_beside_named_partners_is_mentioned_when_principal_yaml_says_so(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    title = "澄州职业技术学院与澜海储能集团签署校企合作协议"
    text = (
        "3月2日，澄州职业技术学院与澜海储能集团有限公司签署校企合作协议。"
        "双方还将联合园区内12家企业共建实训基地。"
    )
    c = classify(title, text)  # on as shipped since rules-11
    assert _names(c.parties) == ["澄州职业技术学院", "澜海储能集团有限公司"]
    assert "12家企业" in _names(c.mentioned)
    rules = principal._rules()
    monkeypatch.setattr(principal, "_rules", lambda: replace(rules, zh_counts_mentioned=False))
    assert "12家企业" in _names(classify(title, text).parties)


def test_an_english_count_of_schools_is_mentioned_not_a_party() -> None:
    c = classify(
        "Acme Robotics Inc. partners with seven community colleges",
        "Acme Robotics Inc. has signed an agreement with seven community colleges to train "
        "robot technicians.",
        "en",
    )
    assert _names(c.parties) == ["Acme Robotics Inc."]
    assert _names(c.mentioned) == ["seven community colleges"]


def test_the_alliance_being_founded_is_mentioned_its_founders_are_parties() -> None:
    c = classify(
        "澄州市域产教联合体成立",
        "5月8日，澄州市域产教联合体成立大会召开。联合体由澄州职业技术学院与澜海储能集团有限公司"
        "牵头组建。",
    )
    assert _names(c.parties) == ["澄州职业技术学院", "澜海储能集团有限公司"]
    assert _names(c.mentioned) == ["澄州市域产教联合体"]


def test_an_alliance_that_signs_stays_a_party() -> None:
    c = classify(
        "澄州职教集团与澜海储能集团签署合作协议",
        "澄州职教集团与澜海储能集团有限公司签署合作协议，共建储能实训中心。",
    )
    assert _names(c.parties) == ["澄州职教集团", "澜海储能集团有限公司"]


def test_a_chinese_contraction_is_the_same_party() -> None:
    c = classify(
        "澄州大学与澄州市第二人民医院签署教学医院协议",
        "澄州大学与澄州市第二人民医院签署教学医院协议。今后，市二医院将承担临床教学任务。",
    )
    assert _names(c.parties) == ["澄州大学", "澄州市第二人民医院"]


def test_a_school_of_a_longer_name_is_no_contraction() -> None:
    # 澄州大学 leaves one run (工商) of 澄州工商大学 out: another school.
    prep = prepare("", "澄州大学、澄州工商大学与澜海储能集团有限公司签署三方合作协议。", "zh", 120)
    sorted_ = sort_parties(
        _found(
            "zh",
            ("澄州大学", "university"),
            ("澄州工商大学", "university"),
            ("澜海储能集团有限公司", "enterprise"),
        ),
        prep,
    )
    assert _names(sorted_.principal) == ["澄州大学", "澄州工商大学", "澜海储能集团有限公司"]


def test_a_company_that_partners_with_a_college_is_a_party() -> None:
    c = classify(
        "Microsoft partners up with colleges to offer cloud skills",
        "Today, Microsoft partners with Bellevue College to offer cloud skills programs to "
        "students.",
        "en",
    )
    assert set(_names(c.parties)) == {"Microsoft", "Bellevue College"}


def test_a_brand_opening_both_headline_and_body_is_a_party() -> None:
    c = classify(
        "Huawei to establish ICT Academy at Makerere University",
        "Huawei, a leading global provider, has entered into an agreement with Makerere "
        "University to establish an ICT Academy.",
        "en",
    )
    assert set(_names(c.parties)) == {"Huawei", "Makerere University"}


def test_a_nationality_is_no_party() -> None:
    c = classify(
        "Riverbend Technical College and Japanese firms to set up joint research centre",
        "Riverbend Technical College has partnered with the German multi-national Siemens to "
        "start a centre of excellence for apprentices.",
        "en",
    )
    names = _names(c.parties) + _names(c.mentioned)
    assert "German" not in names and "Japanese" not in names


def test_a_school_named_with_its_state_is_no_unit_of_another() -> None:
    c = classify(
        "Riverbend University and Oregon's Clackamas Valley Community College sign nursing "
        "agreement",
        "Riverbend University signed an agreement with Oregon's Clackamas Valley Community "
        "College to offer a joint nursing pathway.",
        "en",
    )
    assert _names(c.parties) == [
        "Riverbend University",
        "Oregon's Clackamas Valley Community College",
    ]


def test_an_english_ministry_that_does_nothing_beside_the_partners_is_mentioned() -> None:
    c = classify(
        "Riverbend Community College and Acme Robotics Inc. sign apprenticeship agreement",
        "Riverbend Community College and Acme Robotics Inc. signed an agreement to train robot "
        "technicians. The Ministry of Education has set new targets for apprenticeships this "
        "year.",
        "en",
    )
    assert _names(c.parties) == ["Riverbend Community College", "Acme Robotics Inc."]
    assert _names(c.mentioned) == ["Ministry of Education"]


def test_an_english_department_that_signs_stays_a_party() -> None:
    c = classify(
        "Riverbend Community College and the Department of Labor sign apprenticeship agreement",
        "Riverbend Community College and the Department of Labor signed an agreement to train "
        "robot technicians with Acme Robotics Inc.",
        "en",
    )
    assert "Department of Labor" in _names(c.parties)


def test_bodies_that_guide_are_mentioned_a_company_that_supports_is_a_party() -> None:
    c = classify(
        "澄州储能产教融合共同体成立",
        "在澄州市教育局、澄州市储能行业协会的指导下，澄州职业技术学院与澜海储能集团有限公司"
        "签署共建协议。",
    )
    assert _names(c.parties) == ["澄州职业技术学院", "澜海储能集团有限公司"]
    assert set(_names(c.mentioned)) >= {"澄州市教育局", "澄州市储能行业协会"}
    c = classify(
        "澄州职业技术学院储能实训室建成",
        "在澜海储能集团有限公司的大力支持下，澄州职业技术学院储能实训室建成并投入使用，"
        "双方将共建实习基地。",
    )
    assert "澜海储能集团有限公司" in _names(c.parties)


def test_a_division_of_a_named_company_is_mentioned() -> None:
    c = classify(
        "澄州职业技术学院与澜海储能集团签署订单班协议",
        "澜海储能集团有限公司订单班签约仪式举行，澄州职业技术学院分别与澜海储能电池事业部、"
        "澜海储能系统事业部两家试点单位签订订单班协议。",
    )
    assert _names(c.parties) == ["澄州职业技术学院", "澜海储能集团有限公司"]
    assert "澜海储能电池事业部" in _names(c.mentioned)


def test_company_forms_of_other_countries_end_a_company_name() -> None:
    c = classify(
        "Riverbend University and Acme Steel Sdn. Bhd. sign MoU",
        "Riverbend University and Acme Steel Sdn. Bhd. signed a memorandum of understanding "
        "for joint research and internships.",
        "en",
    )
    assert ("Acme Steel Sdn. Bhd.", "enterprise") in [(p.name, p.kind) for p in c.parties]


def test_a_school_opening_the_headline_is_the_school_the_text_calls_itself() -> None:
    title = "宜春澄江学院与澜海储能集团签署战略合作协议"
    text = "4月3日上午，学校与澜海储能集团有限公司签署战略合作协议，双方将共建联合实验室。"
    assert _names(classify(title, text).parties) == ["宜春澄江学院", "澜海储能集团有限公司"]
    # with the publisher known, 学校 is resolved to it as before
    c = classify(title, text, publisher="宜春澄江学院")
    assert _names(c.parties) == ["宜春澄江学院", "澜海储能集团有限公司"]
