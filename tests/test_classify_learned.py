"""The learned layer over the rules' terms: deterministic retraining, a shipped model
that starts from the rules' verdict, and evidence that still says why."""

from __future__ import annotations

import json
import math
from pathlib import Path

from ieiwatch.classify import classify
from ieiwatch.classify.core import Term, rule_terms
from ieiwatch.classify.learned import MODEL_PATH, Model, load_model, probability, train
from ieiwatch.classify.train import main as train_main

DATA = Path(__file__).resolve().parent / "data"


def _examples() -> list[tuple[str, list[Term], float, bool]]:
    rows = [
        json.loads(x)
        for x in (DATA / "classify" / "labeled_sample.jsonl").read_text().splitlines()
        if x.strip()
    ]
    return [(*rule_terms(r["title"], r["text"], r.get("lang")), bool(r["relevant"])) for r in rows]


def test_retraining_gives_the_same_model_for_the_same_rows(tmp_path: Path) -> None:
    sample = str(DATA / "classify" / "labeled_sample.jsonl")
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    assert train_main(["--labeled", sample, "--out", str(a), "--steps", "200"]) == 0
    assert train_main(["--labeled", sample, "--out", str(b), "--steps", "200"]) == 0
    assert a.read_bytes() == b.read_bytes()
    model = json.loads(a.read_text())
    assert model["rows"] > 0 and model["trained_on"] == ["labeled_sample.jsonl"]


def test_training_refuses_the_never_tuned_split(tmp_path: Path) -> None:
    never = DATA / "labelled" / "never_tuned.jsonl"
    assert train_main(["--labeled", str(never), "--out", str(tmp_path / "m.json")]) == 2
    assert not (tmp_path / "m.json").exists()


def test_without_data_the_layer_keeps_the_rules_verdict() -> None:
    model = train(_examples(), steps=0)
    lang, terms, logit = rule_terms(
        "某大学与某集团签署战略合作协议", "双方签署战略合作协议。", "zh"
    )
    assert abs(probability(model, lang, terms, logit) - 1 / (1 + 2.718281828**-logit)) < 1e-6


def test_learning_moves_probabilities_towards_the_labels() -> None:
    examples = _examples()
    before = train(examples, steps=0)
    after = train(examples, steps=500)

    def loss(m: Model) -> float:
        total = 0.0
        for lang, terms, logit, y in examples:
            p = probability(m, lang, terms, logit)
            total -= math.log(p if y else 1 - p)
        return total

    assert loss(after) < loss(before)


def test_shipped_model_decides_and_the_evidence_says_so() -> None:
    assert MODEL_PATH.is_file() and load_model() is not None
    c = classify(
        "某大学与恒远集团签署战略合作协议",
        "5月1日，某大学与恒远集团有限公司签署战略合作协议，双方将共建实习实训基地。",
    )
    assert c.relevant
    assert any(e.startswith("+action") for e in c.evidence)
    assert any(e.startswith("learned: P(relevant) ") for e in c.evidence)
