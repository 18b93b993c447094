"""Text similarity for duplicates and hot spots. Pure: no Django import.

Messages about the same matter share place names, objects and complaints, in whatever words;
character bigrams and trigrams (TF-IDF, cosine) catch that without a dictionary, and jieba
words name a cluster's topic.
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

import numpy as np
from sklearn.cluster import AgglomerativeClustering
from sklearn.feature_extraction.text import HashingVectorizer, TfidfVectorizer
from sklearn.preprocessing import normalize

from .classifier import _chars, words

STOP = set(
    "的 了 是 在 和 与 及 我 我们 你 您 他 她 它 他们 这 那 这个 那个 一个 有 没有 就 也 都 而 "
    "还 又 被 把 对 从 到 为 以 等 上 下 中 后 前 里 请 希望 领导 问题 反映 关于 情况 相关 部门 "
    "进行 要求 已经 现在 目前 非常 严重 不 没 能 会 要 可以 什么 怎么 如何 为什么 是否 谢谢 "
    "尊敬 你好 您好 恳请 请求 解决 处理 市 区 县 A市".split()
)


def message_text(title: str, body: str, body_chars: int = 100) -> str:
    """What two messages are compared on: the title, which says the matter in a line, counts
    twice; the body's first hundred characters add the place and detail (measured on the
    benchmark's messages: more of the body splits one event into several clusters)."""
    return f"{title}\n{title}\n{(body or '')[:body_chars]}"


def _vectorizer(min_df: int = 1) -> TfidfVectorizer:
    return TfidfVectorizer(
        analyzer="char",
        ngram_range=(2, 3),
        preprocessor=_chars,
        sublinear_tf=True,
        min_df=min_df,
        dtype=np.float32,
    )


@dataclass
class Match:
    key: object
    score: float


class Background:
    """Character 2–3-gram weights learned once from a corpus of ordinary messages, so that a
    comparison among a handful of tickets weighs words as a large corpus would: 请尽快处理
    counts for little, a place name or an object for much. N-grams are hashed, so one the
    corpus never saw (a village's name) gets the highest weight rather than none."""

    def __init__(self, texts: Sequence[str], n_features: int = 2**20):
        self.hashing = HashingVectorizer(
            analyzer="char",
            ngram_range=(2, 3),
            preprocessor=_chars,
            alternate_sign=False,
            norm=None,
            n_features=n_features,
        )
        counts = self.hashing.transform(list(texts))
        df = np.bincount(counts.indices, minlength=n_features)
        self.idf = np.log((1 + len(texts)) / (1 + df)) + 1.0

    def vectors(self, texts: Sequence[str]):
        x = self.hashing.transform(list(texts)).astype(np.float64)
        x.data = np.log1p(x.data) * self.idf[x.indices]
        return normalize(x)


def most_similar(
    text: str,
    candidates: Sequence[tuple[object, str]],
    background: Background,
    threshold: float = 0.3,
    k: int = 5,
) -> list[Match]:
    """The candidates that say the same as `text`, best first: cosine ≥ threshold, at most k."""
    if not candidates or not (text or "").strip():
        return []
    query = background.vectors([text])
    scores = (background.vectors([t for _, t in candidates]) @ query.T).toarray().ravel()
    order = np.argsort(scores)[::-1][:k]
    return [
        Match(candidates[i][0], round(float(scores[i]), 3)) for i in order if scores[i] >= threshold
    ]


@dataclass
class Item:
    key: object
    text: str
    at: datetime | None = None
    likes: int = 0
    place: str = ""  # items of different places never share a cluster


@dataclass
class Cluster:
    keys: list
    size: int
    place: str
    keywords: list[str]
    representatives: list  # keys of the most central items
    first: datetime | None
    last: datetime | None
    growth: int  # items in the window's second half minus its first half
    likes: int
    heat: float = 0.0
    members: list = field(default_factory=list, repr=False)


def heat(size: int, growth: int, likes: int) -> float:
    """How hot a cluster is: its size, plus half its growth, plus the log of its likes."""
    return round(size + 0.5 * max(growth, 0) + math.log1p(max(likes, 0)), 2)


def cluster(
    items: Sequence[Item],
    threshold: float = 0.15,
    min_size: int = 2,
    window: tuple[datetime, datetime] | None = None,
) -> list[Cluster]:
    """Group items that say the same thing (average-linkage clustering on cosine distance,
    cut at 1 - threshold), within each place; keep clusters of at least `min_size`, hottest
    first."""
    items = list(items)
    if len(items) < 2:
        return []
    vec = _vectorizer(min_df=2 if len(items) > 50 else 1)
    matrix = vec.fit_transform([i.text for i in items])
    labels = np.full(len(items), -1)
    next_label = 0
    places: dict[str, list[int]] = {}
    for n, item in enumerate(items):
        places.setdefault(item.place, []).append(n)
    for indices in places.values():
        if len(indices) < 2:
            continue
        sub = matrix[indices]
        distance = 1.0 - (sub @ sub.T).toarray()
        np.clip(distance, 0.0, 2.0, out=distance)
        np.fill_diagonal(distance, 0.0)
        found = AgglomerativeClustering(
            n_clusters=None,
            metric="precomputed",
            linkage="average",
            distance_threshold=1.0 - threshold,
        ).fit_predict(distance)
        for local in np.unique(found):
            members = [indices[j] for j in np.flatnonzero(found == local)]
            labels[members] = next_label
            next_label += 1
    middle = None
    if window is not None:
        middle = window[0] + (window[1] - window[0]) / 2
    groups = [np.flatnonzero(labels == label) for label in range(next_label)]
    groups = [g for g in groups if len(g) >= min_size]
    names = _topics([[items[m].text for m in g] for g in groups])
    out = [
        _describe([items[m] for m in g], matrix[g], middle, name)
        for g, name in zip(groups, names, strict=True)
    ]
    out.sort(key=lambda c: (c.heat, c.size, c.likes), reverse=True)
    return out


def _topics(groups: list[list[str]], k: int = 4) -> list[list[str]]:
    """Each group's words that set it apart from the other groups (TF-IDF over the groups'
    texts, summed per group)."""
    if not groups:
        return []
    vec = TfidfVectorizer(analyzer=_topic_words, sublinear_tf=True, dtype=np.float32)
    try:
        matrix = vec.fit_transform([t for g in groups for t in g])
    except ValueError:  # no usable word at all
        return [[] for _ in groups]
    vocabulary = vec.get_feature_names_out()
    out, start = [], 0
    for g in groups:
        weight = np.asarray(matrix[start : start + len(g)].sum(axis=0)).ravel()
        start += len(g)
        out.append([str(vocabulary[i]) for i in np.argsort(weight)[::-1][:k] if weight[i] > 0])
    return out


def _topic_words(text: str) -> list[str]:
    return [
        w for w in words(text) if len(w) >= 2 and w not in STOP and not any(c.isascii() for c in w)
    ]


def _describe(members: list[Item], vectors, middle, topic: list[str]) -> Cluster:
    centroid = np.asarray(vectors.mean(axis=0)).ravel()
    closeness = np.asarray(vectors @ centroid).ravel()
    central = [members[i].key for i in np.argsort(closeness)[::-1][:3]]
    times = [m.at for m in members if m.at is not None]
    if middle is None and times:
        middle = min(times) + (max(times) - min(times)) / 2
    late = sum(1 for t in times if middle is not None and t >= middle)
    growth = late - (len(times) - late) if times else 0
    likes = sum(m.likes for m in members)
    return Cluster(
        keys=[m.key for m in members],
        size=len(members),
        place=members[0].place,
        keywords=topic,
        representatives=central,
        first=min(times) if times else None,
        last=max(times) if times else None,
        growth=growth,
        likes=likes,
        heat=heat(len(members), growth, likes),
        members=members,
    )
