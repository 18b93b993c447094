"""Model files: write a trained classifier with its checksum, and read it back only when the
checksum matches. Pure: no Django import.

A file is a joblib pickle, so it is read only from the model directory and only when its
SHA-256 is the one recorded at training; anything else is refused as `ModelProblem`.
"""

import hashlib
import os
from pathlib import Path

import joblib

from .classifier import Classifier


class ModelProblem(Exception):
    """The model file is missing, changed since training, or cannot be read."""


def file_name(version: int) -> str:
    return f"dispatch-v{version}.joblib"


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def save(classifier: Classifier, directory: Path, version: int) -> tuple[str, str]:
    """Write the model as `dispatch-vN.joblib` (atomically: a half-written file never has the
    final name). Returns (file name, sha256)."""
    directory.mkdir(mode=0o750, parents=True, exist_ok=True)
    name = file_name(version)
    partial = directory / f".{name}.partial"
    joblib.dump(classifier, partial, compress=3)
    partial.chmod(0o640)  # the model is trained on residents' words: not world-readable
    checksum = sha256(partial)
    os.replace(partial, directory / name)
    return name, checksum


def load(directory: Path, name: str, checksum: str) -> Classifier:
    path = directory / name
    if not path.is_file():
        raise ModelProblem(f"模型文件 {path} 不存在")
    if sha256(path) != checksum:
        raise ModelProblem(f"模型文件 {path} 与训练时的校验值不符（已损坏或被替换）")
    try:
        model = joblib.load(path)
    except Exception as exc:  # any unpickling failure is a broken file
        raise ModelProblem(f"模型文件 {path} 无法读取：{exc.__class__.__name__}") from exc
    if not isinstance(model, Classifier) or not model.labels_:
        raise ModelProblem(f"模型文件 {path} 不是已训练的派单模型")
    return model
