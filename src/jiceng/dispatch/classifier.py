"""The request classifier: text in, categories with probabilities out. Pure: no Django import.

A classical pipeline that runs on a 2-core CPU with nothing downloaded: character n-grams of
the raw text and jieba word n-grams, each TF-IDF weighted, side by side; a linear SVM,
summed with an NB-SVM (the same SVM on features scaled by each class's naive-Bayes log-count
ratio, Wang & Manning 2012); the sum is calibrated (sigmoid, on 3-fold out-of-fold scores) so
that its scores are probabilities a threshold can be put on.
"""

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass

import jieba
import numpy as np
from scipy.sparse import diags, hstack
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.calibration import CalibratedClassifierCV
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.svm import LinearSVC

jieba.setLogLevel(60)  # quiet: jieba logs its dictionary loading at INFO
_SPACES = re.compile(r"\s+")


# A message's first 500 characters: the title and the opening say what the matter is, and
# cutting there halves the time of the longest messages (measured: the same accuracy within
# the folds' noise, docs/dispatch.md).
MAX_CHARS = 500


def _tokenised(text: str) -> bool:
    return " " in text.strip() and len(text.split()) > 3 and not re.search(r"[，。？！]", text)


def words(text: str, hmm: bool = True) -> list[str]:
    """jieba words of the text's start; already tokenised text (space-separated) is kept.
    `hmm` lets jieba guess words its dictionary lacks (place names, for the hot spots' topic
    words); the classifier does without (`WORDS`)."""
    text = text or ""
    if _tokenised(text):
        return text.split()
    return [w for w in jieba.lcut(_SPACES.sub(" ", text[:MAX_CHARS]), HMM=hmm) if w.strip()]


# The classifier's word analyzer: jieba without its HMM guesses. Measured on 2026-12-04 over
# the same 5 folds: accuracy 0.9075 raw and 0.9361 word-split without, 0.906 and 0.9361 with;
# one message's p95 26 % lower (5.52 ms against 7.47 ms on a loaded machine). A model trained
# before keeps `words` itself (HMM on), so its features do not change under it.
WORDS = functools.partial(words, hmm=False)


def _chars(text: str) -> str:
    text = text or ""
    return _SPACES.sub("", text if _tokenised(text) else text[:MAX_CHARS])


@dataclass
class Prediction:
    label: str
    probability: float


class Classifier:
    """fit(texts, labels) → predict_proba(texts) → top_k(texts, k).

    After fitting, the calibrated linear model (SVM + NB-SVM) is held as one weight matrix and a
    row of sigmoid parameters (`_Calibrated`), which gives the same probabilities as scikit-learn's
    `CalibratedClassifierCV` at a fraction of the per-call cost: intake classifies one message
    at a time.
    """

    def __init__(self, c: float = 1.0, seed: int = 0):
        self.c = c
        self.seed = seed
        self.char_vec = TfidfVectorizer(
            analyzer="char",
            ngram_range=(1, 3),
            min_df=2,
            sublinear_tf=True,
            preprocessor=_chars,
            max_features=200_000,
            dtype=np.float32,
        )
        self.word_vec = TfidfVectorizer(
            analyzer=WORDS,
            ngram_range=(1, 1),
            min_df=1,
            sublinear_tf=True,
            max_features=100_000,
            dtype=np.float32,
        )
        self.scorer: _Calibrated | None = None
        self.labels_: list[str] = []

    def _features(self, texts: Sequence[str], fit: bool = False):
        if fit:
            return hstack(
                [self.char_vec.fit_transform(texts), self.word_vec.fit_transform(texts)]
            ).tocsr()
        return hstack([self.char_vec.transform(texts), self.word_vec.transform(texts)]).tocsr()

    def fit(self, texts: Sequence[str], labels: Sequence[str], sample_weight=None) -> "Classifier":
        labels = list(labels)
        if len(set(labels)) < 2:
            raise ValueError("训练数据至少要有两个分类")
        folds = min(3, min(labels.count(k) for k in set(labels)))
        if folds < 2:
            raise ValueError("每个分类至少要有两条训练样本")
        x = self._features(list(texts), fit=True)
        linear = SvmPlusNbSvm(c=self.c, seed=self.seed)
        model = CalibratedClassifierCV(linear, method="sigmoid", cv=folds, ensemble=False)
        model.fit(x, labels, sample_weight=sample_weight)
        self.labels_ = list(model.classes_)
        self.scorer = _Calibrated.from_sklearn(model)
        return self

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        if self.scorer is None:
            raise RuntimeError("the classifier has not been trained")
        texts = list(texts)
        if len(texts) == 1:  # intake: one message at a time, without scikit-learn's per-call cost
            return self.scorer.predict_proba_rows(*self._one(texts[0]))
        return self.scorer.predict_proba(self._features(texts))

    def _one(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        """The feature vector of one text as (column indices, values): the same numbers as
        `_features` (TF-IDF with sublinear tf, each block L2-normalised), computed directly."""
        if getattr(self, "_blocks", None) is None:
            self._blocks = []
            offset = 0
            for vec in (self.char_vec, self.word_vec):
                self._blocks.append(
                    (vec.build_analyzer(), vec.vocabulary_, vec.idf_.astype(np.float64), offset)
                )
                offset += len(vec.vocabulary_)
        columns, values = [], []
        for analyze, vocabulary, idf, offset in self._blocks:
            counts: dict[int, int] = {}
            for term in analyze(text):
                j = vocabulary.get(term)
                if j is not None:
                    counts[j] = counts.get(j, 0) + 1
            if not counts:
                continue
            index = np.fromiter(counts.keys(), dtype=np.int64, count=len(counts))
            tf = np.fromiter(counts.values(), dtype=np.float64, count=len(counts))
            weight = (1.0 + np.log(tf)) * idf[index]
            weight /= np.sqrt(np.dot(weight, weight))
            columns.append(index + offset)
            values.append(weight)
        if not columns:
            return np.zeros(0, dtype=np.int64), np.zeros(0)
        return np.concatenate(columns), np.concatenate(values)

    def __getstate__(self):
        state = dict(self.__dict__)
        state.pop("_blocks", None)  # rebuilt on first use; analyzers are closures
        return state

    def predict(self, texts: Sequence[str]) -> list[str]:
        return [self.labels_[i] for i in self.predict_proba(texts).argmax(axis=1)]

    def top_k(self, texts: Sequence[str], k: int = 3) -> list[list[Prediction]]:
        out = []
        for row in self.predict_proba(texts):
            best = np.argsort(row)[::-1][:k]
            out.append([Prediction(self.labels_[i], round(float(row[i]), 4)) for i in best])
        return out


class SvmPlusNbSvm(ClassifierMixin, BaseEstimator):
    """A linear SVM plus an NB-SVM, as one linear model: `coef_` and `intercept_` are the sums.

    The NB-SVM fits, for each class, a binary SVM on the features scaled by r = log of the
    ratio of how often each feature occurs in the class and outside it (add-one smoothed);
    its score w·(x∘r) is (w∘r)·x, so it folds into one weight row per class. Measured on the
    word-split messages it adds 0.7 points of accuracy; on raw text it neither helps nor hurts
    (docs/dispatch.md).
    """

    def __init__(self, c: float = 1.0, seed: int = 0):
        self.c = c
        self.seed = seed

    def _svm(self):
        return LinearSVC(C=self.c, class_weight="balanced", random_state=self.seed)

    def fit(self, x, y, sample_weight=None):
        y = np.asarray(y)
        svm = self._svm().fit(x, y, sample_weight=sample_weight)
        self.classes_ = svm.classes_
        present = x.copy()
        present.data[:] = 1
        owned = self.classes_[1:] if len(self.classes_) == 2 else self.classes_
        rows, intercepts = [], []
        for label in owned:
            mine = y == label
            p = 1.0 + np.asarray(present[mine].sum(axis=0)).ravel()
            q = 1.0 + np.asarray(present[~mine].sum(axis=0)).ravel()
            ratio = np.log((p / p.sum()) / (q / q.sum()))
            binary = self._svm().fit(x @ diags(ratio), mine, sample_weight=sample_weight)
            rows.append(binary.coef_.ravel() * ratio)
            intercepts.append(binary.intercept_[0])
        self.coef_ = svm.coef_ + np.asarray(rows)
        self.intercept_ = svm.intercept_ + np.asarray(intercepts)
        return self

    def decision_function(self, x):
        scores = np.asarray(x @ self.coef_.T) + self.intercept_
        return scores.ravel() if len(self.classes_) == 2 else scores

    def predict(self, x):
        scores = self.decision_function(x)
        best = (scores > 0).astype(int) if scores.ndim == 1 else scores.argmax(axis=1)
        return self.classes_[best]


@dataclass
class _Calibrated:
    """Sigmoid-calibrated one-vs-rest linear SVMs (one per calibration fold), as arrays.

    Column j of `weights` is one SVM's score for one class; `a`, `b` are its sigmoid; `fold`
    and `klass` say which SVM and which class it is. Probabilities are computed per SVM,
    normalised over classes, and averaged over SVMs, as scikit-learn does.
    """

    weights: np.ndarray  # (features, columns)
    intercept: np.ndarray  # (columns,)
    a: np.ndarray
    b: np.ndarray
    fold: np.ndarray
    klass: np.ndarray
    n_classes: int
    n_folds: int

    @classmethod
    def from_sklearn(cls, model: CalibratedClassifierCV) -> "_Calibrated":
        classes = list(model.classes_)
        n = len(classes)
        weights, intercept, a, b, fold, klass = [], [], [], [], [], []
        for f, calibrated in enumerate(model.calibrated_classifiers_):
            svm = calibrated.estimator
            owned = [classes.index(c) for c in svm.classes_]
            if n == 2:
                owned = [1]  # a binary SVM scores the second class only
            for row, k, calibrator in zip(svm.coef_, owned, calibrated.calibrators, strict=True):
                weights.append(row)
                a.append(calibrator.a_)
                b.append(calibrator.b_)
                fold.append(f)
                klass.append(k)
            intercept.extend(np.atleast_1d(svm.intercept_))
        return cls(
            weights=np.asarray(weights, dtype=np.float64).T.copy(),
            intercept=np.asarray(intercept, dtype=np.float64),
            a=np.asarray(a),
            b=np.asarray(b),
            fold=np.asarray(fold),
            klass=np.asarray(klass),
            n_classes=n,
            n_folds=len(model.calibrated_classifiers_),
        )

    def predict_proba_rows(self, columns: np.ndarray, values: np.ndarray) -> np.ndarray:
        """One row given as its non-zero (columns, values)."""
        scores = (values @ self.weights[columns])[np.newaxis, :] + self.intercept
        return self._from_scores(scores)

    def predict_proba(self, x) -> np.ndarray:
        return self._from_scores(np.asarray(x @ self.weights) + self.intercept)

    def _from_scores(self, scores: np.ndarray) -> np.ndarray:
        p = 1.0 / (1.0 + np.exp(self.a * scores + self.b))
        out = np.zeros((scores.shape[0], self.n_classes))
        for f in range(self.n_folds):
            cols = self.fold == f
            proba = np.zeros_like(out)
            proba[:, self.klass[cols]] = p[:, cols]
            if self.n_classes == 2:
                proba[:, 0] = 1.0 - proba[:, 1]
            else:
                total = proba.sum(axis=1, keepdims=True)
                proba = np.divide(
                    proba,
                    total,
                    out=np.full_like(proba, 1 / self.n_classes),
                    where=total != 0,
                )
            out += proba
        return out / self.n_folds
