"""The `classify` and `eval` commands, the page fetch helper and the benchmark script."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest
import typer
from servers import LocalSite
from typer.testing import CliRunner

from ieiwatch.classify.evaluate import evaluate, format_report, normalise_name, party_found
from ieiwatch.cli.classify import register

DATA = Path(__file__).parent / "data" / "classify"
REPO = Path(__file__).resolve().parent.parent


@pytest.fixture
def app() -> typer.Typer:
    app = typer.Typer()
    register(app)
    return app


runner = CliRunner()


# ------------------------------------------------------------- jsonl mode ---


def test_jsonl_mode_reports_bad_lines_and_classifies_the_rest(
    app: typer.Typer, tmp_path: Path
) -> None:
    out = tmp_path / "out.jsonl"
    result = runner.invoke(
        app, ["classify", "--input", str(DATA / "rows_with_bad_lines.jsonl"), "--output", str(out)]
    )
    assert result.exit_code == 1
    assert ":2: invalid JSON" in result.stderr
    assert ":3: missing field 'text'" in result.stderr
    assert "classified 2 rows, 2 bad rows" in result.stderr
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [r["id"] for r in rows] == ["a1", "a4"]
    first = rows[0]
    assert set(first) >= {
        "id",
        "relevant",
        "score",
        "type",
        "parties",
        "region",
        "sectors",
        "evidence",
    }
    assert first["relevant"] is True
    assert first["type"] == "industry_college"
    assert {"name": "星河职业技术学院", "kind": "vocational_school"} in first["parties"]
    assert rows[1]["relevant"] is False


def test_jsonl_mode_all_good_exits_zero(app: typer.Typer, tmp_path: Path) -> None:
    src = tmp_path / "in.jsonl"
    src.write_text(
        json.dumps(
            {"id": 7, "title": "我校与华为签署合作协议", "text": "双方共建ICT学院。"},
            ensure_ascii=False,
        )
        + "\n\n",
        encoding="utf-8",
    )
    out = tmp_path / "out.jsonl"
    result = runner.invoke(app, ["classify", "--input", str(src), "--output", str(out)])
    assert result.exit_code == 0, result.stderr
    (row,) = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert row["id"] == 7
    assert row["relevant"] is True


def test_jsonl_mode_rejects_non_utf8_and_bad_lang(app: typer.Typer, tmp_path: Path) -> None:
    src = tmp_path / "in.jsonl"
    src.write_bytes(
        '{"id": 1, "title": "产教融合", "text": "签约"}\n'.encode("gbk")
        + b'{"id": 2, "title": "t", "text": "x", "lang": "fr"}\n'
        + b"[1, 2]\n"
    )
    out = tmp_path / "out.jsonl"
    result = runner.invoke(app, ["classify", "--input", str(src), "--output", str(out)])
    assert result.exit_code == 1
    assert ":1: not UTF-8" in result.stderr
    assert ":2: field 'lang'" in result.stderr
    assert ":3: a row must be a JSON object" in result.stderr
    assert out.read_text(encoding="utf-8") == ""


def test_jsonl_mode_streams_many_rows(app: typer.Typer, tmp_path: Path) -> None:
    src = tmp_path / "in.jsonl"
    row = {
        "id": 0,
        "title": "Eastlake University signs MoU with Sunrise Pharmaceutical Co., Ltd.",
        "text": "Signed.",
    }
    with src.open("w", encoding="utf-8") as fh:
        for i in range(300):
            fh.write(json.dumps({**row, "id": i}) + "\n")
    out = tmp_path / "out.jsonl"
    result = runner.invoke(app, ["classify", "--input", str(src), "--output", str(out)])
    assert result.exit_code == 0
    assert len(out.read_text(encoding="utf-8").splitlines()) == 300


def test_classify_needs_exactly_one_source(app: typer.Typer) -> None:
    assert runner.invoke(app, ["classify"]).exit_code != 0
    assert runner.invoke(app, ["classify", "--text", "a", "--url", "http://x"]).exit_code != 0
    assert runner.invoke(app, ["classify", "--input", "x.jsonl"]).exit_code != 0  # no --output


# ------------------------------------------------------ text and url mode ---


def test_text_mode_prints_result_with_evidence(app: typer.Typer) -> None:
    result = runner.invoke(
        app,
        [
            "classify",
            "--title",
            "江南理工大学与华辰智能装备有限公司共建联合实验室揭牌",
            "--text",
            "6月12日，江南理工大学与华辰智能装备有限公司共建的联合实验室揭牌。",
        ],
    )
    assert result.exit_code == 0
    out = result.stdout
    assert "RELEVANT" in out
    assert "type: joint_lab" in out
    assert "华辰智能装备有限公司 (enterprise)" in out
    assert "evidence:" in out
    assert "+action:" in out


def test_url_mode_classifies_a_fetched_gbk_page(app: typer.Typer, site: LocalSite) -> None:
    result = runner.invoke(app, ["classify", "--url", f"{site.url}/art/101.htm"])
    assert result.exit_code == 0, result.output
    assert "南湖职业技术学院与鑫源汽车有限公司共建新能源汽车产业学院" in result.stdout
    assert "type: industry_college" in result.stdout


def test_url_mode_reports_fetch_errors(app: typer.Typer, site: LocalSite) -> None:
    result = runner.invoke(app, ["classify", "--url", f"{site.url}/missing.htm"])
    assert result.exit_code == 1
    assert "cannot fetch" in result.stderr and "HTTP 404" in result.stderr


def test_eval_on_invented_sample() -> None:
    rows = [
        json.loads(line)
        for line in (DATA / "labeled_sample.jsonl").read_text(encoding="utf-8").splitlines()
    ]
    m = evaluate(rows)
    assert m.per_lang["zh"]["f1"] == 1.0
    assert m.per_lang["en"] == {
        "precision": 1.0,
        "recall": 0.6667,
        "f1": 0.8,
        "tp": 2,
        "fp": 0,
        "fn": 1,
    }
    assert m.type_total == 4
    assert m.type_accuracy == 0.75
    assert (m.parties_found, m.parties_total) == (8, 10)
    errors = {e["id"]: e["error"] for e in m.errors}
    assert errors == {"t-en-2": "wrong type", "t-en-4": "missed"}
    assert m.confusion["joint_lab"] == {"joint_lab": 1, "talent_program": 1}
    report = format_report(m)
    assert "Party recall: 0.800 (8/10)" in report
    assert "t-en-4  missed" in report


def test_eval_command_text_and_json(app: typer.Typer) -> None:
    path = str(DATA / "labeled_sample.jsonl")
    text = runner.invoke(app, ["eval", "--labeled", path])
    assert text.exit_code == 0
    assert "Relevance" in text.stdout
    assert "Type confusion" in text.stdout
    assert "Misclassified" in text.stdout
    js = runner.invoke(app, ["eval", "--labeled", path, "--json"])
    assert js.exit_code == 0
    metrics = json.loads(js.stdout)
    assert metrics["relevance"]["en"]["f1"] == 0.8
    assert metrics["party_recall"] == 0.8
    assert {e["id"] for e in metrics["errors"]} == {"t-en-2", "t-en-4"}


def test_eval_command_missing_file(app: typer.Typer, tmp_path: Path) -> None:
    result = runner.invoke(app, ["eval", "--labeled", str(tmp_path / "none.jsonl")])
    assert result.exit_code == 2
    assert "not found" in result.stderr


@pytest.mark.parametrize(
    ("gold", "predicted", "found"),
    [
        ("宜春学院", ["宜春学院"], True),
        ("宁波职业技术学院国际学院", ["国际学院"], True),
        ("菏泽职业学院", ["山东菏泽职业学院"], True),
        (
            "Shanghai SEARI Intelligent System Co., Ltd (SEISYS)",
            ["shanghai seari intelligent system co ltd"],
            True,
        ),
        ("学校(example.edu.cn)", ["我校"], True),
        # the labels' 学院(host) is the publisher, as 学校(host) is (labelled/README.md)
        ("学院(ldxk.edu.cn)", ["我院"], True),
        ("学院(yvcct.edu.cn)", ["学院"], True),
        # 学院 alone is the page's own school, not any school whose name ends so
        ("烟台某职业学院", ["学院"], False),
        ("华为技术有限公司", ["华为集团"], False),
        ("", ["x"], False),
    ],
)
def test_party_matching(gold: str, predicted: list[str], found: bool) -> None:
    assert party_found(gold, predicted) is found


def test_normalise_name() -> None:
    assert normalise_name(" Co., Ltd. ") == "coltd"
    assert normalise_name("本校") == normalise_name("学校")


# -------------------------------------------------------------- benchmark ---


def test_bench_script_runs_on_a_small_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = importlib.util.spec_from_file_location(
        "classify_bench", REPO / "bench" / "classify_bench.py"
    )
    assert spec and spec.loader
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    assert bench.main(["--labeled", str(DATA / "labeled_sample.jsonl"), "--items", "40"]) == 0
    out = capsys.readouterr().out
    assert "items/s best round" in out
    rounds = next(line for line in out.splitlines() if line.startswith("rounds:"))
    assert len(rounds.split(",")) == 3  # each of the three rounds is shown
    assert "peak RSS" in out
    assert bench.main(["--labeled", str(tmp_path / "absent.jsonl")]) == 0
    assert "skipped" in capsys.readouterr().out
