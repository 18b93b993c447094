import json
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from jiceng.dispatch import hotspots, services, similarity, store, training
from jiceng.dispatch.classifier import Classifier


class Command(BaseCommand):
    help = (
        "智能派单模型：train 训练新版本；evaluate 用带 label 列的 CSV 评估；"
        "cv 交叉验证；suggest 为待派单工单补做建议"
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        train = sub.add_parser(
            "train",
            help="用随软件提供的已标注留言、--csv 文件和派单员确认或纠正过分类的工单训练新版本",
        )
        train.add_argument("--csv", nargs="*", default=[], metavar="FILE")
        train.add_argument("--folds", type=int, default=5, help="交叉验证折数（0 为不做交叉验证）")
        train.add_argument("--jobs", type=int, default=2, help="同时训练的折数")
        cv = sub.add_parser("cv", help="在随软件提供的已标注留言上做分层交叉验证")
        cv.add_argument("--folds", type=int, default=5)
        cv.add_argument("--jobs", type=int, default=1)
        evaluate = sub.add_parser(
            "evaluate", help="评估：CSV 含 label 列，以及 title+body 或 text 列"
        )
        evaluate.add_argument("--csv", required=True)
        evaluate.add_argument(
            "--fresh",
            action="store_true",
            help="不用已启用的模型，而用随软件提供的数据现场训练一个",
        )
        hot = sub.add_parser(
            "hotspots",
            help="热点聚类：--csv 为留言文件（id,title,body,time,likes），否则为近 --days 天的工单",
        )
        hot.add_argument("--csv")
        hot.add_argument("--days", type=int, default=30)
        hot.add_argument("--threshold", type=float, default=0.15, help="平均相似度下限（0–1）")
        hot.add_argument("--top", type=int, default=20)
        suggest = sub.add_parser("suggest", help="为还没有建议的待派单工单补做建议（不自动派单）")
        suggest.add_argument("--limit", type=int, default=1000)

    def handle(self, *args, action, **options):
        getattr(self, f"_{action}")(**options)

    def _json(self, data) -> None:
        self.stdout.write(json.dumps(data, ensure_ascii=False, indent=2))

    def _progress(self, k, result, seconds):
        self.stderr.write(f"  第 {k} 折：准确率 {result.accuracy}，训练 {seconds:.1f} 秒")

    def _train(self, csv, folds, jobs, **_):
        if folds == 1 or folds < 0:
            raise CommandError("--folds 须为 0（不做交叉验证）或不小于 2")
        started = time.perf_counter()
        try:
            v = services.train(
                [Path(p) for p in csv], folds=folds, jobs=jobs, progress=self._progress
            )
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        self._json(
            {
                "version": v.version,
                "file": str(services.model_dir() / v.file),
                "examples": v.examples,
                "corrections": v.corrections,
                "labels": v.labels,
                "cv": v.scores,
                "fit_seconds": v.fit_seconds,
                "total_seconds": round(time.perf_counter() - started, 1),
            }
        )

    def _cv(self, folds, jobs, **_):
        self._json(training.cross_validate(folds, progress=self._progress, jobs=jobs))

    def _evaluate(self, csv, fresh, **_):
        try:
            rows = services.read_csv(Path(csv))
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        model, version = None, None
        if not fresh:
            try:
                found = services.active_model()
            except store.ModelProblem as exc:
                raise CommandError(
                    f"{exc}；可重新训练（jiceng dispatch train）或加 --fresh"
                ) from None
            if found is not None:
                version, model = found
        if model is None:
            self.stderr.write("没有已启用的模型：用随软件提供的数据现场训练……")
            corpus = training.shipped()
            model = Classifier().fit([t for t, _ in corpus], [label for _, label in corpus])
        texts, labels = [t for t, _ in rows], [label for _, label in rows]
        result = training.score(model, texts, labels).as_dict()
        result["p95_ms_per_message"] = training.latency(model, texts)["p95_ms"]
        result["model_version"] = version.version if version else None
        self._json(result)

    def _hotspots(self, csv, days, threshold, top, **_):
        if not 0 < threshold < 1:
            raise CommandError("--threshold 须在 0 与 1 之间")
        started = time.perf_counter()
        if csv:
            try:
                items, titles = hotspots.read_messages(Path(csv))
            except ValueError as exc:
                raise CommandError(str(exc)) from None
            clusters = similarity.cluster(items, threshold=threshold)
        else:
            items, titles, clusters = hotspots.recent_tickets(days, threshold)
        seconds = round(time.perf_counter() - started, 2)
        self._json(
            {
                "messages": len(items),
                "clusters": len(clusters),
                "clustered_messages": sum(c.size for c in clusters),
                "seconds": seconds,
                "top": [
                    {
                        "size": c.size,
                        "growth": c.growth,
                        "likes": c.likes,
                        "heat": c.heat,
                        "keywords": c.keywords,
                        "first": c.first.isoformat() if c.first else None,
                        "last": c.last.isoformat() if c.last else None,
                        "representatives": [
                            {"id": k, "title": titles[k]} for k in c.representatives
                        ],
                    }
                    for c in clusters[:top]
                ],
            }
        )

    def _suggest(self, limit, **_):
        self.stdout.write(f"已为 {services.backfill(limit)} 件待派单工单补做建议")
