"""The pure classifier fits, gives calibrated probabilities and a top-k; `jiceng dispatch
evaluate` prints the issue's JSON for a labelled CSV. (Its accuracy is measured by
`jiceng dispatch cv`, not here: the main suite stays fast.)"""

import csv
import json

import pytest
from django.core.management import CommandError, call_command

from jiceng.dispatch import training
from jiceng.dispatch.classifier import Classifier, words


def small_corpus():
    raw = training.raw_messages()
    by_label: dict[str, list] = {}
    for text, label in raw:
        by_label.setdefault(label, []).append((text, label))
    return [row for rows in by_label.values() for row in rows[:40]]


def test_words_come_from_jieba_unless_already_split():
    assert "暖气" in words("小区暖气不热")
    assert words("市 在水一方 大厦 人为 烂尾 多年") == [
        "市",
        "在水一方",
        "大厦",
        "人为",
        "烂尾",
        "多年",
    ]


def test_fit_predict_and_top_k():
    corpus = small_corpus()
    model = Classifier().fit([t for t, _ in corpus], [label for _, label in corpus])
    assert len(model.labels_) == 7
    proba = model.predict_proba(["小区物业乱收停车费，业主要求退还", "孩子上学划片不合理"])
    assert proba.shape == (2, 7) and abs(proba.sum(axis=1) - 1).max() < 1e-6
    top = model.top_k(["小区物业乱收停车费，业主要求退还"], k=3)[0]
    assert len(top) == 3 and top[0].probability >= top[1].probability >= top[2].probability
    assert model.predict(["工厂排放废水污染河流，鱼都死了"])[0] == "环境保护"


def test_an_untrained_classifier_says_so():
    with pytest.raises(RuntimeError):
        Classifier().predict_proba(["任何"])


def test_evaluate_prints_the_metrics(db, tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(training, "shipped", small_corpus)
    path = tmp_path / "eval.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["title", "body", "label"])
        writer.writerow(["工厂污染", "工厂排放废水污染河流，鱼都死了", "环境保护"])
        writer.writerow(["学校收费", "学校要求家长统一购买课外资料", "教育文体"])
    call_command("dispatch", "evaluate", "--csv", str(path))
    result = json.loads(capsys.readouterr().out)
    assert result["n"] == 2 and set(result) == {
        "n",
        "accuracy",
        "macro_f1",
        "top3_accuracy",
        "per_label",
        "ms_per_message",
        "p95_ms_per_message",
        "model_version",
    }
    assert 0 <= result["accuracy"] <= 1 and result["ms_per_message"] > 0
    assert result["model_version"] is None  # no model trained: one was fitted on the spot


def test_evaluate_uses_the_active_model(dispatch_model, tmp_path, capsys):
    path = tmp_path / "eval.csv"
    path.write_text("text,label\n工厂排放废水污染河流，鱼都死了,环境保护\n", encoding="utf-8")
    call_command("dispatch", "evaluate", "--csv", str(path))
    result = json.loads(capsys.readouterr().out)
    assert result["model_version"] == 1 and result["accuracy"] == 1.0


def test_evaluate_refuses_a_file_without_labels(db, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("text\n某条留言\n", encoding="utf-8")
    with pytest.raises(CommandError, match="label"):
        call_command("dispatch", "evaluate", "--csv", str(path))


def _svm_averaged_over_folds():
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.svm import LinearSVC

    svm = LinearSVC(class_weight="balanced", random_state=0)
    return CalibratedClassifierCV(svm, method="sigmoid", cv=3)


def _svm_plus_nb_svm_fitted_once():  # what Classifier uses
    from sklearn.calibration import CalibratedClassifierCV

    from jiceng.dispatch.classifier import SvmPlusNbSvm

    return CalibratedClassifierCV(SvmPlusNbSvm(), method="sigmoid", cv=3, ensemble=False)


@pytest.mark.parametrize("calibrated", [_svm_averaged_over_folds, _svm_plus_nb_svm_fitted_once])
def test_the_folded_calibration_gives_scikit_learns_probabilities(calibrated):
    from jiceng.dispatch.classifier import _Calibrated

    corpus = small_corpus()
    texts, labels = [t for t, _ in corpus], [label for _, label in corpus]
    x = Classifier()._features(texts, fit=True)
    for target in (labels, ["城乡" if label == "城乡建设" else "其他" for label in labels]):
        reference = calibrated().fit(x, target)
        folded = _Calibrated.from_sklearn(reference)
        assert abs(folded.predict_proba(x) - reference.predict_proba(x)).max() < 1e-9


def test_too_little_data_is_refused_in_words():
    with pytest.raises(ValueError, match="两个分类"):
        Classifier().fit(["甲", "乙"], ["a", "a"])
    with pytest.raises(ValueError, match="两条"):
        Classifier().fit(["甲", "乙", "丙"], ["a", "a", "b"])


def test_one_message_at_a_time_gives_the_batch_probabilities(tmp_path):
    from jiceng.dispatch import store

    corpus = small_corpus()
    model = Classifier().fit([t for t, _ in corpus], [label for _, label in corpus])
    texts = ["小区物业乱收停车费，业主要求退还", "工厂排放废水污染河流", "", "！！！"]
    batch = model.predict_proba(texts)
    for i, text in enumerate(texts):
        assert abs(model.predict_proba([text])[0] - batch[i]).max() < 1e-6
    name, checksum = store.save(model, tmp_path, 1)  # the fast path survives a save and load
    again = store.load(tmp_path, name, checksum)
    assert abs(again.predict_proba([texts[0]])[0] - batch[0]).max() < 1e-6
