"""The shipped training data, and cross-validation of the classifier on it. Pure Python."""

import csv
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from sklearn.metrics import accuracy_score, f1_score, precision_recall_fscore_support
from sklearn.model_selection import StratifiedKFold

from .classifier import Classifier

DATA = Path(__file__).resolve().parent / "data"


def raw_messages() -> list[tuple[str, str]]:
    with (DATA / "train.csv").open(encoding="utf-8") as handle:
        return [(f"{r['title']}\n{r['body']}", r["label"]) for r in csv.DictReader(handle)]


def token_messages() -> list[tuple[str, str]]:
    """Tokenised messages that do not repeat a raw one (so no message is counted twice)."""
    with (DATA / "train_tokens_full.csv").open(encoding="utf-8") as handle:
        return [
            (r["tokens"], r["label"])
            for r in csv.DictReader(handle)
            if r["has_raw_text"].strip().lower() in ("", "false", "0")
        ]


def shipped() -> list[tuple[str, str]]:
    return raw_messages() + token_messages()


@dataclass
class Scores:
    n: int
    accuracy: float
    macro_f1: float
    top3_accuracy: float
    per_label: dict
    ms_per_message: float

    def as_dict(self) -> dict:
        return {
            "n": self.n,
            "accuracy": self.accuracy,
            "macro_f1": self.macro_f1,
            "top3_accuracy": self.top3_accuracy,
            "per_label": self.per_label,
            "ms_per_message": self.ms_per_message,
        }


def score(classifier: Classifier, texts: list[str], labels: list[str]) -> Scores:
    started = time.perf_counter()
    proba = classifier.predict_proba(texts)
    elapsed = time.perf_counter() - started
    predicted = [classifier.labels_[i] for i in proba.argmax(axis=1)]
    top3 = [
        labels[i] in {classifier.labels_[j] for j in np.argsort(proba[i])[::-1][:3]}
        for i in range(len(labels))
    ]
    names = sorted(set(labels) | set(classifier.labels_))
    p, r, _f, support = precision_recall_fscore_support(
        labels, predicted, labels=names, zero_division=0
    )
    return Scores(
        n=len(labels),
        accuracy=round(accuracy_score(labels, predicted), 4),
        macro_f1=round(f1_score(labels, predicted, average="macro", zero_division=0), 4),
        top3_accuracy=round(float(np.mean(top3)), 4),
        per_label={
            n: {
                "precision": round(float(p[i]), 4),
                "recall": round(float(r[i]), 4),
                "support": int(support[i]),
            }
            for i, n in enumerate(names)
        },
        ms_per_message=round(1000 * elapsed / max(1, len(labels)), 3),
    )


def _fold(raw, tokens, split, extra, seed):
    """Train on everything but this fold's raw and word-split messages; score both parts."""
    (raw_train, raw_test), (token_train, token_test) = split
    texts = [raw[i][0] for i in raw_train] + [tokens[i][0] for i in token_train]
    labels = [raw[i][1] for i in raw_train] + [tokens[i][1] for i in token_train]
    started = time.perf_counter()
    model = Classifier(seed=seed).fit(
        texts + [t for t, _ in extra], labels + [label for _, label in extra]
    )
    fit_seconds = time.perf_counter() - started
    raw_texts, raw_labels = [raw[i][0] for i in raw_test], [raw[i][1] for i in raw_test]
    proba = model.predict_proba(raw_texts)
    best = proba.argmax(axis=1)
    sure = [(float(proba[i, j]), model.labels_[j] == raw_labels[i]) for i, j in enumerate(best)]
    raw_scores = score(model, raw_texts, raw_labels)
    token_scores = (
        score(model, [tokens[i][0] for i in token_test], [tokens[i][1] for i in token_test])
        if len(token_test)
        else None
    )
    return raw_scores, token_scores, fit_seconds, sure


THRESHOLDS = (0.5, 0.6, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95)


def auto_dispatch_table(sure: list[tuple[float, bool]]) -> list[dict]:
    """For each threshold: the share of messages the model would dispatch on its own
    (coverage) and the share of those it gets right (precision)."""
    rows = []
    for t in THRESHOLDS:
        taken = [ok for p, ok in sure if p >= t]
        rows.append(
            {
                "threshold": t,
                "coverage": round(len(taken) / len(sure), 4) if sure else None,
                "precision": round(sum(taken) / len(taken), 4) if taken else None,
            }
        )
    return rows


def _splits(labels: list[str], folds: int, seed: int) -> list:
    if len(labels) < folds:
        return [(np.arange(len(labels)), np.arange(0))] * folds
    return list(StratifiedKFold(folds, shuffle=True, random_state=seed).split(labels, labels))


def _mean(values) -> float:
    return round(float(np.mean(values)), 4)


def cross_validate(folds: int = 5, seed: int = 0, progress=None, extra=(), jobs: int = 1) -> dict:
    """Stratified folds over the raw messages and, in step, over the word-split ones. Fold k
    trains on every raw and word-split message outside fold k, plus `extra` (CSV rows,
    dispatcher examples), and is scored separately on the raw and the word-split messages of
    fold k: text it has never seen, in the two forms the owners' held-out 20 % comes in.
    `accuracy` and the auto-dispatch table are for raw text, which is what intake sees.
    `jobs` folds run at once (each in its own process)."""
    raw, tokens, extra = raw_messages(), token_messages(), list(extra)
    splits = list(
        zip(
            _splits([label for _, label in raw], folds, seed),
            _splits([label for _, label in tokens], folds, seed),
            strict=True,
        )
    )
    if jobs > 1:
        from joblib import Parallel, delayed

        rows = Parallel(n_jobs=jobs)(
            delayed(_fold)(raw, tokens, split, extra, seed) for split in splits
        )
    else:
        rows = []
        for split in splits:
            rows.append(_fold(raw, tokens, split, extra, seed))
            if progress:
                progress(len(rows), rows[-1][0], rows[-1][2])
    raw_rows = [r for r, _, _, _ in rows]
    token_rows = [t for _, t, _, _ in rows if t is not None]
    sure = [pair for *_, fold in rows for pair in fold]
    out = {
        "folds": folds,
        "n": len(raw),
        "accuracy": _mean([r.accuracy for r in raw_rows]),
        "accuracy_by_fold": [r.accuracy for r in raw_rows],
        "macro_f1": _mean([r.macro_f1 for r in raw_rows]),
        "top3_accuracy": _mean([r.top3_accuracy for r in raw_rows]),
        "fit_seconds_mean": round(float(np.mean([s for _, _, s, _ in rows])), 1),
        "ms_per_message_mean": round(float(np.mean([r.ms_per_message for r in raw_rows])), 3),
        "auto_dispatch": auto_dispatch_table(sure),
    }
    if token_rows:
        both = raw_rows + token_rows
        out["word_split"] = {
            "n": len(tokens),
            "accuracy": _mean([t.accuracy for t in token_rows]),
            "accuracy_by_fold": [t.accuracy for t in token_rows],
            "macro_f1": _mean([t.macro_f1 for t in token_rows]),
            "top3_accuracy": _mean([t.top3_accuracy for t in token_rows]),
        }
        right = sum(r.accuracy * r.n for r in both)
        out["accuracy_all"] = round(right / sum(r.n for r in both), 4)
    return out


def latency(classifier: Classifier, texts: list[str], limit: int = 300, passes: int = 1) -> dict:
    """Milliseconds to classify one message at a time, as intake does (not in a batch). With
    several passes, the pass with the median p95 is reported (this VM varies between runs)."""
    runs = []
    for _ in range(max(1, passes)):
        times = []
        for text in texts[:limit]:
            started = time.perf_counter()
            classifier.top_k([text], 3)
            times.append(1000 * (time.perf_counter() - started))
        if not times:
            return {"n": 0, "p50_ms": None, "p95_ms": None}
        runs.append(
            {
                "n": len(times),
                "p50_ms": round(float(np.percentile(times, 50)), 2),
                "p95_ms": round(float(np.percentile(times, 95)), 2),
                "max_ms": round(max(times), 2),
            }
        )
    runs.sort(key=lambda r: r["p95_ms"])
    chosen = dict(runs[len(runs) // 2])
    if len(runs) > 1:
        chosen["passes"] = len(runs)
        chosen["p95_ms_range"] = [runs[0]["p95_ms"], runs[-1]["p95_ms"]]
    return chosen
