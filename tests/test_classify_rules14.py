"""rules-14's type rule (issue 11, item 4): a cooperation body that a list takes in is
what the item is about; a bureau publishing the list is a policy event."""

from __future__ import annotations

from ieiwatch.classify import classify
from ieiwatch.domain import ArticleType


def test_a_consortium_put_on_a_provincial_list_is_an_alliance_item() -> None:
    c = classify(
        "滨江市域产教联合体入选江南省首批市域产教联合体培育名单",
        "近日，江南省教育厅公布首批市域产教联合体培育名单，由滨江职业技术学院牵头，"
        "联合华辰智能装备有限公司等12家企业组建的滨江市域产教联合体成功入选。",
        "zh",
    )
    assert c.relevant and c.type == ArticleType.ALLIANCE


def test_a_bureau_publishing_a_list_of_bases_stays_a_policy_event() -> None:
    c = classify(
        "江南省公布首批省级市域产教联合体培育名单",
        "近日，江南省教育厅、江南省发展改革委联合公布首批省级市域产教联合体培育名单，"
        "共20个产教联合体入选，推动职业院校与企业深度合作。",
        "zh",
    )
    assert c.relevant and c.type == ArticleType.POLICY_EVENT
