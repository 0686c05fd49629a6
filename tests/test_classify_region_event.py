"""Region of the event (issue 11, item 3): where it happens and who hosts it, not where a
company's or a visitor's name comes from. Invented items, one per class of error fixed;
the schools are real (their city comes from classify/data/places.yaml's `schools`), the
companies not."""

from __future__ import annotations

from ieiwatch.classify import classify
from ieiwatch.classify.places import school_place
from ieiwatch.domain import Region


def test_region_is_where_the_college_is_set_up_not_the_company_home() -> None:
    c = classify(
        "澄州大学与宁德时代签署战略合作协议",
        "澄州大学与宁德时代新能源科技股份有限公司签署战略合作协议，并在湖州设立产业学院。",
    )
    assert c.region == Region("Zhejiang", "Huzhou")


def test_a_stated_venue_outweighs_the_place_a_school_is_named_after() -> None:
    c = classify(
        "泉州澄江学院与澜海集团签署战略合作协议",
        "泉州澄江学院与澜海集团有限公司在杭州签署战略合作协议。泉州澄江学院院长出席。",
    )
    assert c.region == Region("Zhejiang", "Hangzhou")


def test_a_county_names_its_prefecture() -> None:
    c = classify("望江县人民政府与澄州大学签署合作协议", "双方将共建实习实训基地。")
    assert c.region == Region("Anhui", "Anqing")


def test_a_county_level_city_by_its_short_name_names_its_prefecture() -> None:
    c = classify("澄州医科大学泰兴临床学院签约揭牌", "学院与泰兴市人民医院共建临床学院。")
    assert c.region == Region("Jiangsu", "Taizhou")


def test_every_prefecture_level_city_is_known() -> None:
    c = classify("乌兰察布澄江职业学院与澜海集团签约", "双方共建订单班。")
    assert c.region == Region("Inner Mongolia", "Ulanqab")
    c = classify("庆阳澄江学院召开产业学院建设推进会", "学院与澜海集团共建产业学院。")
    assert c.region == Region("Gansu", "Qingyang")


def test_a_schools_own_city_fills_the_city_its_name_does_not_carry() -> None:
    c = classify(
        "湖南环境生物职业技术学院与澜海物流有限公司签署校企合作协议",
        "双方将共建物流实训基地。",
    )
    assert c.region == Region("Hunan", "Hengyang")
    assert school_place("湖南环境生物职业技术学院商学院") == ("Hunan", "Hengyang")


def test_a_school_gives_the_region_when_the_text_names_no_place() -> None:
    c = classify("清华大学与澜海科技有限公司共建联合研究中心", "双方共建电池技术联合研究中心。")
    assert c.region == Region("Beijing", "Beijing")


def test_a_school_outweighs_the_place_in_a_company_name() -> None:
    c = classify(
        "黎明职业大学与澜海餐饮(福州)有限公司举行校企合作签约仪式",
        "黎明职业大学与澜海餐饮(福州)有限公司在会议室签署校企合作协议。",
    )
    assert c.region == Region("Fujian", "Quanzhou")


def test_the_publishers_own_city_when_the_event_is_held_there() -> None:
    c = classify(
        "现代学徒制试点项目签约",
        "10月10日，现代学徒制试点项目签约仪式在我院北教学楼举行。澄江测绘公司（上海）代表出席。",
        publisher="黄河水利职业技术学院",
    )
    assert c.region == Region("Henan", "Kaifeng")


def test_held_at_the_school_on_its_own_site_is_held_at_the_publisher() -> None:
    c = classify(
        "第二届苏州澜海“澜海班”开班仪式举行",
        "第二届苏州澜海“澜海班”开班仪式在学校图书馆会议室举行，12名同学入选。",
        publisher="湖北汽车工业学院",
    )
    assert c.region == Region("Hubei", "Shiyan")


def test_a_province_short_name_gives_the_province() -> None:
    c = classify(
        "冀南澄江技师学院校企合作签约仪式举行", "学院与澜海集团、澄州教育公司签署合作协议。"
    )
    assert c.region == Region("Hebei", None)


def test_a_ministrys_own_meeting_with_no_place_is_in_beijing() -> None:
    c = classify("教育部召开产学合作协同育人项目对接会", "来自高校和企业的代表参加对接会。")
    assert c.region == Region("Beijing", "Beijing")


def test_a_county_right_after_its_province_and_a_campus_named_after_its_district() -> None:
    c = classify("澄江学院与湖南安化澜海茶业有限公司共建实践基地", "基地在茶厂挂牌。")
    assert c.region == Region("Hunan", "Yiyang")
    c = classify("广东澄江职业教育集团理事大会召开", "大会在澄江职业学院南海北校区报告厅召开。")
    assert c.region == Region("Guangdong", "Foshan")


def test_a_company_city_fills_the_city_of_the_province_the_text_names() -> None:
    c = classify(
        "浙江澄江学院与嘉兴市澜海农业发展有限公司签约",
        "浙江澄江学院与嘉兴市澜海农业发展有限公司举行研究生实践基地签约仪式。",
    )
    assert c.region == Region("Zhejiang", "Jiaxing")


def test_going_to_a_city_for_the_meeting_places_the_meeting() -> None:
    c = classify(
        "我院当选新疆职教联盟理事单位",
        "联盟由澜海教育公司联合克拉玛依澄江职业学院等院校组建。12月7日，学院副院长赴乌鲁木齐参加联盟成立大会。",
    )
    assert c.region == Region("Xinjiang", "Urumqi")


def test_singapores_nanyang_is_no_chinese_city() -> None:
    c = classify(
        "Nanyang Polytechnic partners Lanhai Semiconductor",
        "Nanyang Polytechnic and Lanhai Semiconductor signed an agreement to train technicians.",
    )
    # The polytechnic's own place (rules-14: schools abroad), not Henan's Nanyang.
    assert c.region == Region(None, "Singapore", "Singapore")


def test_students_of_a_province_are_no_school_of_that_name() -> None:
    # 江苏大学生 are Jiangsu's students; 江苏大学 is a university in Zhenjiang.
    c = classify("江苏大学生创新创业大赛举行", "比赛吸引了全省高校学生参加。")
    assert c.region == Region("Jiangsu", None)


def test_an_american_canton_is_no_chinese_city() -> None:
    c = classify(
        "SUNY Canton and Northbay Energy launch an apprenticeship",
        "The college in Canton, New York, will train line workers with the utility.",
    )
    # Canton, New York (rules-14: a town before its state), not Guangzhou.
    assert c.region == Region("New York", "Canton", "United States")


def test_qinghais_hainan_prefecture_is_not_hainan_province() -> None:
    c = classify("海南州澄江职业技术学校与澜海牧业公司签约", "双方在共和县共建实训基地。")
    assert c.region == Region("Qinghai", None)
