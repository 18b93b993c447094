"""The request classifier: text in, categories with probabilities out. Pure: no Django import.

A classical pipeline that runs on a 2-core CPU with nothing downloaded: character n-grams of
the raw text and jieba word n-grams, each TF-IDF weighted, side by side; a linear SVM,
calibrated (sigmoid, 3-fold) so that its scores are probabilities a threshold can be put on.
"""

import re
from collections.abc import Sequence
from dataclasses import dataclass

import jieba
import numpy as np
from scipy.sparse import hstack
from sklearn.calibration import CalibratedClassifierCV
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.svm import LinearSVC

jieba.setLogLevel(60)  # quiet: jieba logs its dictionary loading at INFO
_SPACES = re.compile(r"\s+")


def words(text: str) -> list[str]:
    """jieba words of the text; already tokenised text (space-separated) is kept as it is."""
    text = text or ""
    if " " in text.strip() and len(text.split()) > 3 and not re.search(r"[，。？！]", text):
        return text.split()
    return [w for w in jieba.lcut(_SPACES.sub(" ", text)) if w.strip()]


def _chars(text: str) -> str:
    return _SPACES.sub("", text or "")


@dataclass
class Prediction:
    label: str
    probability: float


class Classifier:
    """fit(texts, labels) → predict_proba(texts) → top_k(texts, k)."""

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
        )
        self.word_vec = TfidfVectorizer(
            analyzer=words, ngram_range=(1, 1), min_df=1, sublinear_tf=True, max_features=100_000
        )
        self.model = None
        self.labels_: list[str] = []

    def _features(self, texts: Sequence[str], fit: bool = False):
        if fit:
            return hstack(
                [self.char_vec.fit_transform(texts), self.word_vec.fit_transform(texts)]
            ).tocsr()
        return hstack([self.char_vec.transform(texts), self.word_vec.transform(texts)]).tocsr()

    def fit(self, texts: Sequence[str], labels: Sequence[str]) -> "Classifier":
        x = self._features(list(texts), fit=True)
        svm = LinearSVC(C=self.c, class_weight="balanced", random_state=self.seed)
        self.model = CalibratedClassifierCV(svm, method="sigmoid", cv=3)
        self.model.fit(x, list(labels))
        self.labels_ = list(self.model.classes_)
        return self

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        if self.model is None:
            raise RuntimeError("the classifier has not been trained")
        return self.model.predict_proba(self._features(list(texts)))

    def predict(self, texts: Sequence[str]) -> list[str]:
        return [self.labels_[i] for i in self.predict_proba(texts).argmax(axis=1)]

    def top_k(self, texts: Sequence[str], k: int = 3) -> list[list[Prediction]]:
        out = []
        for row in self.predict_proba(texts):
            best = np.argsort(row)[::-1][:k]
            out.append([Prediction(self.labels_[i], round(float(row[i]), 4)) for i in best])
        return out
