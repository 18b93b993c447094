import csv
import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from jiceng.core.tabular import decode
from jiceng.dispatch import training
from jiceng.dispatch.classifier import Classifier


class Command(BaseCommand):
    help = "智能派单模型：cv 交叉验证；evaluate 用带 label 列的 CSV 评估（以随软件提供的数据训练）"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        cv = sub.add_parser("cv", help="在随软件提供的已标注留言上做分层交叉验证")
        cv.add_argument("--folds", type=int, default=5)
        evaluate = sub.add_parser(
            "evaluate", help="评估：CSV 含 label 列，以及 title+body 或 text 列"
        )
        evaluate.add_argument("--csv", required=True)

    def handle(self, *args, action, **options):
        if action == "cv":

            def progress(k, result, seconds):
                self.stderr.write(f"  第 {k} 折：准确率 {result.accuracy}，训练 {seconds:.1f} 秒")

            self.stdout.write(
                json.dumps(
                    training.cross_validate(options["folds"], progress=progress),
                    ensure_ascii=False,
                    indent=2,
                )
            )
            return
        texts, labels = self._read(Path(options["csv"]))
        corpus = training.shipped()
        model = Classifier().fit([t for t, _ in corpus], [label for _, label in corpus])
        self.stdout.write(
            json.dumps(training.score(model, texts, labels).as_dict(), ensure_ascii=False, indent=2)
        )

    def _read(self, path: Path) -> tuple[list[str], list[str]]:
        if not path.exists():
            raise CommandError(f"找不到文件 {path}")
        rows = list(csv.DictReader(decode(path.read_bytes()).splitlines()))
        if not rows or "label" not in rows[0]:
            raise CommandError("CSV 须有 label 列，以及 title 与 body 列或 text 列")
        if "text" in rows[0]:
            texts = [r["text"] for r in rows]
        elif "title" in rows[0] and "body" in rows[0]:
            texts = [f"{r['title']}\n{r['body']}" for r in rows]
        else:
            raise CommandError("CSV 须有 title 与 body 列，或 text 列")
        labels = [r["label"].strip() for r in rows]
        if any(not label for label in labels):
            bad = next(i for i, label in enumerate(labels, start=2) if not label)
            raise CommandError(f"第 {bad} 行的 label 为空")
        return texts, labels
