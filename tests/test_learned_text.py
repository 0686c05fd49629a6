"""The learned layer's text layer: word features, deterministic joint retraining,
evidence that names the words, and the site-grouped cross-validation harness."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from ieiwatch.classify import classify, learned
from ieiwatch.classify.core import learned_inputs, rules_type
from ieiwatch.classify.crossval import fold_of, site
from ieiwatch.classify.crossval import main as crossval_main
from ieiwatch.classify.learned import (
    MODEL_PATH,
    TextConfig,
    decide,
    decide_type,
    grams,
    load_model,
    model_from_dict,
    train_joint,
    train_types,
)
from ieiwatch.classify.packed import SparseWeights, WeightRows, pack, unpack
from ieiwatch.classify.train import main as train_main

DATA = Path(__file__).resolve().parent / "data"
SAMPLE = DATA / "classify" / "labeled_sample.jsonl"


def _joint_examples() -> list[tuple[str, list, float, bool, str, str]]:
    rows = [json.loads(x) for x in SAMPLE.read_text().splitlines() if x.strip()]
    out = []
    for r in rows:
        lang, terms, logit, title, body = learned_inputs(r["title"], r["text"], r.get("lang"))
        out.append((lang, terms, logit, bool(r["relevant"]), title, body))
    return out


def test_english_words_give_unigrams_and_bigrams_per_zone() -> None:
    g = grams("en", "college partners with toyota", "apprentices start in 2024.", TextConfig())
    assert ("t", "partners with") in g and ("t", "college") in g
    assert ("b", "apprentices") in g and ("b", "0") in g  # digits fold to one feature
    assert ("b", "partners with") not in g  # the headline's words are its own features
    # Each zone's grams share a unit norm, however long the zone.
    assert abs(sum(v * v for (z, _), v in g.items() if z == "t") - 1.0) < 1e-9


def test_chinese_words_are_character_bigrams_of_the_opening() -> None:
    cfg = TextConfig(body_chars={"zh": 4})
    g = grams("zh", "共建实验室", "校企合作签约仪式", cfg)
    assert {("t", "共建"), ("t", "实验"), ("t", "验室")} <= set(g)
    assert {k for k in g if k[0] == "b"} == {("b", "校企"), ("b", "企合"), ("b", "合作")}


def test_joint_retraining_gives_the_same_file_for_the_same_rows(tmp_path: Path) -> None:
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    args = ["--labeled", str(SAMPLE), "--text", "--text-steps", "50"]
    assert train_main([*args, "--out", str(a)]) == 0
    assert train_main([*args, "--out", str(b)]) == 0
    assert a.read_bytes() == b.read_bytes()
    d = json.loads(a.read_text())
    assert d["text"] and d["text_config"]["buckets"] > 0
    m = model_from_dict(d)
    assert m.text and m.text_config is not None and m.types is not None
    assert m.types.langs == ("en",)


def test_the_text_layer_learns_from_the_words() -> None:
    examples = _joint_examples()
    model = train_joint(examples, steps=200, l2_text=1e-4)
    # The text layer moves every training row towards its label.
    for lang, terms, logit, y, title, body in examples:
        with_words = decide(lang, terms, logit, title, body, model=model)
        without = decide(lang, terms, logit, "", "", model=model)
        assert with_words is not None and without is not None
        if y:
            assert with_words.probability >= without.probability
        else:
            assert with_words.probability <= without.probability


def test_evidence_names_the_words_that_weighed_most(monkeypatch: pytest.MonkeyPatch) -> None:
    model = train_joint(_joint_examples(), steps=200, l2_text=1e-4)
    monkeypatch.setattr(learned, "load_model", lambda path=MODEL_PATH: model)
    c = classify(
        "江南理工大学与华辰智能装备有限公司共建智能装备联合实验室揭牌",
        "6月12日上午，江南理工大学与华辰智能装备有限公司共建的智能装备联合实验室在学校揭牌。",
    )
    line = next(e for e in c.evidence if e.startswith("learned: P(relevant) "))
    assert "(+" in line and "; rules alone:" in line
    d = decide("zh", [], 0.0, "联合实验室揭牌", "", model=model)
    assert d is not None and all(w[0] in "+−" for w in d.words) and len(d.words) <= 3


def test_a_model_without_a_text_layer_decides_as_before() -> None:
    model = load_model()
    assert model is not None
    lang, terms, logit, title, body = learned_inputs(
        "某大学与恒远集团签署战略合作协议", "双方签署战略合作协议。", "zh"
    )
    plain = learned.Model(weights=model.weights, bias=model.bias)
    a = decide(lang, terms, logit, title, body, model=plain)
    b = decide(lang, terms, logit, model=plain)
    assert a == b and a is not None and a.words == ()


def test_shipped_model_is_small() -> None:
    assert MODEL_PATH.stat().st_size < 2_000_000


def test_folds_group_rows_by_site() -> None:
    a = {"domain": "www.example.edu", "id": "1"}
    b = {"url": "https://m.example.edu/news/2.htm", "id": "2"}
    assert site(a) == site(b) == "example.edu"
    assert fold_of(site(a), 5) == fold_of(site(b), 5)
    assert {fold_of(f"s{i}.example", 5) for i in range(50)} == set(range(5))


def test_crossval_runs_on_a_tiny_file(capsys: pytest.CaptureFixture[str]) -> None:
    args = ["--labeled", str(SAMPLE), "--only", "--folds", "2", "--steps", "20"]
    assert crossval_main(args) == 0
    out = capsys.readouterr().out
    assert "8 rows" in out
    for method in ("rules", "terms", "text l2="):
        assert method in out


def test_crossval_refuses_the_never_tuned_split() -> None:
    never = DATA / "labelled" / "never_tuned.jsonl"
    with pytest.raises(SystemExit):
        crossval_main(["--labeled", str(never), "--only"])


def _typed_examples() -> list[tuple[str, str, str, str, dict[str, float], str]]:
    rows = [json.loads(x) for x in SAMPLE.read_text().splitlines() if x.strip()]
    out = []
    for r in rows:
        if r["relevant"] and r.get("type"):
            lang, _, _, title, body = learned_inputs(r["title"], r["text"], r.get("lang"))
            rtype, scores = rules_type(r["title"], r["text"], lang)
            out.append((lang, title, body, rtype, scores, r["type"]))
    return out


def test_the_type_layer_can_overrule_the_rules_and_says_which_words() -> None:
    # Every example's label is made "alliance": the layer learns to move away from the
    # rules' pick, and names the words that favoured its own.
    examples = [(*e[:5], "alliance") for e in _typed_examples() if e[0] == "en"]
    assert examples and all(e[3] != "alliance" for e in examples)
    tm = train_types(examples, steps=200, langs=("en",))
    model = learned.Model(weights={}, bias={}, text_config=TextConfig(), types=tm)
    lang, title, body, rtype, scores, _ = examples[0]
    got = decide_type(lang, title, body, rtype, scores, model=model)
    assert got is not None and got[0] == "alliance"
    assert got[1] and all(w.startswith("+") for w in got[1])
    # Not trained for Chinese: no opinion there.
    assert decide_type("zh", "共建实验室", "", "joint_lab", {}, model=model) is None
    # It survives the file.
    again = model_from_dict(json.loads(json.dumps(model.to_dict())))
    assert decide_type(lang, title, body, rtype, scores, model=again) == got


def test_an_overruled_type_is_in_the_evidence(monkeypatch: pytest.MonkeyPatch) -> None:
    examples = [(*e[:5], "alliance") for e in _typed_examples() if e[0] == "en"]
    tm = train_types(examples, steps=200, langs=("en",))
    joint = train_joint(_joint_examples(), steps=100)
    model = replace(joint, types=tm)
    monkeypatch.setattr(learned, "load_model", lambda path=MODEL_PATH: model)
    row = next(
        json.loads(x)
        for x in SAMPLE.read_text().splitlines()
        if x.strip() and json.loads(x)["lang"] == "en" and json.loads(x)["relevant"]
    )
    c = classify(row["title"], row["text"], "en")
    assert c.relevant and c.type == "alliance"
    assert any(e.startswith("learned type: alliance (+") for e in c.evidence)


def test_a_loaded_model_decides_as_the_trained_one_with_packed_weights() -> None:
    examples = _joint_examples()
    trained = replace(
        train_joint(examples, steps=100, l2_text=1e-4),
        types=train_types(_typed_examples(), steps=100, langs=("en", "zh")),
    )
    loaded = model_from_dict(json.loads(json.dumps(trained.to_dict())))
    assert isinstance(loaded.text, SparseWeights) and dict(loaded.text) == trained.text
    assert loaded.to_dict() == trained.to_dict()
    for lang, terms, logit, _, title, body in examples:
        assert decide(lang, terms, logit, title, body, model=loaded) == decide(
            lang, terms, logit, title, body, model=trained
        )
    for lang, title, body, rtype, scores, _ in _typed_examples():
        assert decide_type(lang, title, body, rtype, scores, model=loaded) == decide_type(
            lang, title, body, rtype, scores, model=trained
        )


def test_packed_weights_behave_as_a_mapping() -> None:
    w = SparseWeights({7: 0.5, 3: -1.25})
    assert list(w) == [3, 7] and len(w) == 2 and w[7] == 0.5 and w.get(4) is None
    with pytest.raises(KeyError):
        w[4]
    assert list(w.dense(9)) == [0, 0, 0, -1.25, 0, 0, 0, 0.5, 0]
    rows = WeightRows([{3: 1.0}, {3: 2.0, 8: 3.0}])
    assert rows.row(3) == 0 and rows.row(8) == 2 and rows.row(5) == -1 and rows.row(99) == -1
    assert list(rows.values) == [1.0, 2.0, 0.0, 3.0]


def test_a_short_zone_weighs_as_if_it_had_the_minimum_of_grams() -> None:
    # A feed's two-word summary must not outweigh the rules by its words alone.
    short = grams("en", "lab opens", "", TextConfig(min_grams=16))
    assert short == {("t", "lab"): 0.25, ("t", "opens"): 0.25, ("t", "lab opens"): 0.25}
    assert grams("en", "lab opens", "", TextConfig())[("t", "lab")] == pytest.approx(3**-0.5)
    model = learned.Model(weights={}, bias={}, text={1: 0.5}, text_config=TextConfig(min_grams=16))
    again = model_from_dict(json.loads(json.dumps(model.to_dict())))
    assert again.text_config == model.text_config
    assert load_model() is not None and load_model().text_config.min_grams == 16  # type: ignore[union-attr]


def test_english_words_also_give_their_character_grams_when_configured() -> None:
    cfg = TextConfig(char_grams={"en": 5})
    g = grams("en", "apprenticeship", "", cfg)
    # The padded word's 5-grams: "apprentices" shares all but its last two.
    assert {("t", "#<appr"), ("t", "#ntice"), ("t", "#ship>")} <= set(g)
    assert not {k for k in grams("en", "apprentices", "", cfg) if k[1] in ("#ship>", "#eship")}
    assert ("t", "#<lab>") not in grams("en", "lab", "", cfg)  # a short word is itself
    assert not any(k[1].startswith("#") for k in grams("en", "apprenticeship", "", TextConfig()))
    assert not any(k[1].startswith("#") for k in grams("zh", "共建实验室", "", cfg))


def test_a_model_without_character_grams_reads_words_only() -> None:
    # A file trained without char_grams (the shipped one) must read what it was trained on.
    model = learned.Model(weights={}, bias={}, text={1: 0.5}, text_config=TextConfig())
    d = json.loads(json.dumps(model.to_dict()))
    assert "char_grams" not in d["text_config"]
    assert model_from_dict(d).text_config == TextConfig()
    with_grams = replace(model, text_config=TextConfig(char_grams={"en": 5}))
    assert model_from_dict(with_grams.to_dict()).text_config == with_grams.text_config


def test_the_evidence_names_words_not_character_grams() -> None:
    cfg = TextConfig(char_grams={"en": 5})
    keyed = learned.keyed_grams("en", "apprenticeship program", "", cfg)
    text = {k: 1.0 for _, _, k in keyed}  # every gram, character grams too, pushes
    model = learned.Model(weights={}, bias={}, text=text, text_config=cfg)
    decision = decide("en", [], 0.0, "apprenticeship program", "", model=model, n_words=10)
    assert decision is not None and decision.words
    assert not any(w.lstrip("+−").startswith("#") for w in decision.words)


def test_word_weights_are_written_as_gaps_and_thousandths_and_read_back_exactly() -> None:
    weights = {262_143: -0.002, 5: 0.128, 40: 1.5}
    packed = pack(weights)
    assert packed == {"gaps": [5, 35, 262_103], "per": [128, 1500, -2]}
    assert dict(unpack(json.loads(json.dumps(packed)))) == weights
    # Files written before the packed form map bucket strings to weights.
    assert dict(unpack({"5": 0.128, "40": 1.5})) == {5: 0.128, 40: 1.5}
    with pytest.raises(ValueError, match="thousandths"):
        pack({3: 0.1234})  # training rounds to three decimals; anything else would be lost


def test_the_shipped_model_reads_back_what_it_writes() -> None:
    model = load_model()
    assert model is not None and model.types is not None
    again = model_from_dict(json.loads(json.dumps(model.to_dict())))
    assert list(again.text.items()) == list(model.text.items())
    assert {t: list(w.items()) for t, w in again.types.text.items()} == {
        t: list(w.items()) for t, w in model.types.text.items()
    }
