"""Scaling out: a big interval group is split into deployments that several machines'
workers poll at the same time."""

from ieiwatch.config import AppConfig
from ieiwatch.flows.deployments import monitor_groups


def _config(n: int, interval: int = 30) -> AppConfig:
    return AppConfig.model_validate(
        {
            "sources": [
                {"name": f"s{i:05d}", "kind": "feed", "url": f"https://n{i}.example.edu.cn/rss"}
                | ({"interval": interval} if interval != 30 else {})
                for i in range(n)
            ]
        }
    )


def test_ten_thousand_sources_make_five_deployments_of_two_thousand() -> None:
    groups = monitor_groups(_config(10_000), per_deployment=2000)
    assert [g.deployment_name for g in groups] == [
        f"monitor-every-30m-part{i}of5" for i in range(1, 6)
    ]
    assert [len(g.sources) for g in groups] == [2000] * 5
    every = [name for g in groups for name in g.sources]
    assert len(set(every)) == 10_000  # each source in exactly one part


def test_parts_are_even_and_a_small_group_keeps_its_name() -> None:
    groups = monitor_groups(_config(2001), per_deployment=2000)
    assert [len(g.sources) for g in groups] == [1001, 1000]
    assert [g.deployment_name for g in monitor_groups(_config(30))] == ["monitor-every-30m"]
