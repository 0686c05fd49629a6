"""Imported by the page pool's fork server (flows/page_pool.py): the rules, their compiled
patterns and the learned model are loaded once there, and the worker processes forked from
it share those pages instead of each loading a copy of its own.

``gc.freeze()`` keeps them shared: a collection in a worker would otherwise write to every
object it visits, and each page it writes to becomes the worker's own.
"""

from __future__ import annotations

import gc

from .core import classify

# One relevant item per language: it passes every stage (parties, types, region, sectors,
# the learned layers), so every cached table is built.
classify(
    "江南理工大学与华辰智能装备有限公司签署战略合作协议",
    "6月12日，江南理工大学与华辰智能装备有限公司签署战略合作协议，共建智能制造产业学院。",
    "zh",
)
# The English item names its town, so the region needs no school: the pattern of 5,572
# school names abroad (schools_abroad.yaml) costs 9 MB to compile, which every worker of a
# deployment with no English source would carry; a worker that meets an English item
# naming no town compiles it then.
classify(
    "Northbay College and Coral Manufacturing sign apprenticeship agreement",
    "Northbay College and Coral Manufacturing Inc. signed an agreement on Monday in "
    "Columbus, Ohio, to launch a joint apprenticeship program in advanced manufacturing.",
    "en",
)
gc.freeze()
