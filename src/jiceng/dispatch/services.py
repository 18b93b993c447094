"""Dispatch model in the workflow: suggest on intake, auto-dispatch when sure, learn from the
dispatchers, train new versions.

The suggestion step never breaks intake: without a model there is no suggestion, and a model
file that is missing, changed or unreadable is logged and recorded on the suggestion, and the
ticket waits for a person.
"""

import csv
import logging
import time
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Max

from jiceng.core.tabular import decode
from jiceng.tickets import services as ticket_services
from jiceng.tickets.models import Category, TextLanguage, Ticket, text_for_model
from jiceng.tickets.states import Status

from . import cache, routing, store, training
from .classifier import Classifier
from .models import DispatchSettings, Example, ModelVersion, Suggestion

log = logging.getLogger("jiceng.dispatch")
SYSTEM = "智能派单"
_loaded: dict[tuple[int, str], Classifier] = {}  # (version, sha256) → model, in this process


def model_dir() -> Path:
    return Path(settings.DISPATCH_MODEL_DIR)


def text_of(ticket: Ticket) -> str:
    """What the model reads and learns from: the Chinese summary of a request written in
    Uyghur or Kazakh, the request itself otherwise."""
    return text_for_model(ticket)


def active_model() -> tuple[ModelVersion, Classifier] | None:
    """The newest active version and its classifier (read once per process). None when no
    model was ever trained; `store.ModelProblem` when its file is missing or broken."""
    version = cache.get(
        "version", lambda: ModelVersion.objects.filter(is_active=True).order_by("-version").first()
    )
    if version is None:
        return None
    key = (version.version, version.sha256)
    model = _loaded.get(key)
    if model is None:
        model = store.load(model_dir(), version.file, version.sha256)
        _loaded.clear()
        _loaded[key] = model
    return version, model


def roots() -> dict[str, Category]:
    return cache.get(
        "roots", lambda: {c.name: c for c in Category.objects.filter(level=1, is_active=True)}
    )


def predict(text: str) -> tuple[ModelVersion, list[dict]]:
    """Top-3 first-level categories for a text: [{"code", "name", "p"}]. Raises ModelProblem,
    and LookupError when no model has been trained."""
    found = active_model()
    if found is None:
        raise LookupError("尚未训练派单模型（jiceng dispatch train）")
    version, model = found
    by_name = roots()
    top = [
        {
            "code": by_name[p.label].code if p.label in by_name else "",
            "name": p.label,
            "p": p.probability,
        }
        for p in model.top_k([text], 3)[0]
    ]
    return version, top


@dataclass
class Advice:
    """What the model and the routing table say about a request, before it is saved."""

    fields: dict  # the Suggestion's fields
    category: Category | None = None  # the model's first choice, a first-level category
    unit: object = None
    sure: float = 0.0


def advise(text: str, category: Category | None, region) -> Advice | None:
    """The model's top 3 and the routed unit for a request. Never raises: without a model it
    is None; a broken model gives advice that records the problem. Reads only (and mostly
    from this process's caches), so intake can call it before its transaction."""
    try:
        version, top = predict(text)
    except LookupError:
        return None
    except store.ModelProblem as exc:
        log.error("dispatch model unusable, the request goes to manual dispatch: %s", exc)
        return Advice({"problem": str(exc)[:300]})
    except Exception as exc:  # a model that loads but fails must not stop intake either
        log.exception("dispatch model failed")
        return Advice({"problem": f"模型出错：{exc.__class__.__name__}"})
    try:
        best = top[0]
        suggested = roots().get(best["name"]) if best["code"] else None
        chosen = category or suggested
        route = routing.route(chosen, region, text) if chosen else routing.Route(None, "")
    except Exception as exc:
        log.exception("routing failed")
        return Advice({"problem": f"派单规则出错：{exc.__class__.__name__}"})
    fields = {
        "model_version": version,
        "top": top,
        "category": suggested,
        "probability": best["p"],
        "unit": route.unit,
        "route": route.reason[:200],
    }
    return Advice(fields, suggested, route.unit, best["p"])


def record(ticket: Ticket, advice: Advice) -> Suggestion:
    """Store the advice for a ticket (inside the follow-up's transaction; a summary written
    later in the 双语受理 queue replaces the advice given without one)."""
    suggestion, _ = Suggestion.objects.update_or_create(
        ticket=ticket, defaults={"problem": "", "auto_dispatched": False, **advice.fields}
    )
    return suggestion


def auto_dispatch(ticket: Ticket, suggestion: Suggestion, advice: Advice) -> bool:
    """Dispatch the ticket by the model when it is sure enough, a unit was found and a category
    chosen at intake agrees. Its own transaction and event; never raises."""
    try:
        config = cache.get("settings", DispatchSettings.current)
        suggested = advice.category
        agrees = ticket.category is None or ticket.category.lineage()[-1].pk == getattr(
            suggested, "pk", None
        )
        if not (
            config.auto_dispatch
            # a request written in Uyghur or Kazakh is dispatched by a person, always: the
            # model read a summary of it, not the resident's words
            and ticket.text_language == TextLanguage.CHINESE
            and suggested is not None
            and advice.sure >= float(config.threshold)
            and advice.unit is not None
            and agrees
            and ticket.status == Status.RECEIVED
        ):
            return False
        with transaction.atomic(), ticket_services.as_system(SYSTEM):
            ticket_services.dispatch(
                None,
                ticket,
                advice.unit,
                category=ticket.category or suggested,
                reason=(
                    f"{SYSTEM}：{suggested.name}（置信度 {advice.sure:.2f}，阈值 "
                    f"{config.threshold}）；{suggestion.route}"
                ),
                data={
                    "auto": True,
                    "model_version": suggestion.model_version.version,
                    "probability": advice.sure,
                },
            )
            Suggestion.objects.filter(pk=suggestion.pk).update(auto_dispatched=True)
        suggestion.auto_dispatched = True
        return True
    except Exception as exc:  # a refused dispatch (an unknown calendar year, say) waits
        log.warning("auto-dispatch of ticket %s refused: %s", ticket.number, exc)
        try:
            Suggestion.objects.filter(pk=suggestion.pk).update(
                problem=f"自动派单未成功：{getattr(exc, 'message', exc)}"[:300]
            )
        except Exception:
            log.exception("could not note the refused auto-dispatch")
        return False


def on_intake(ticket: Ticket, *, auto: bool = True) -> Suggestion | None:
    """Advice for a ticket already saved (waiting tickets after the first training): store it
    and, with `auto`, dispatch when sure. Never raises. A request in another language than
    Chinese is left alone until its summary is written (双语受理)."""
    if ticket.text_language != TextLanguage.CHINESE and not ticket.summary:
        return None
    advice = advise(text_of(ticket), ticket.category, ticket.region)
    if advice is None:
        return None
    try:
        with transaction.atomic():  # a savepoint when called inside another transaction
            suggestion, _ = Suggestion.objects.update_or_create(
                ticket=ticket, defaults={"problem": "", "auto_dispatched": False, **advice.fields}
            )
    except Exception:
        log.exception("dispatch suggestion for ticket %s was not saved", ticket.number)
        return None
    if auto and suggestion.model_version_id:
        auto_dispatch(ticket, suggestion, advice)
    return suggestion


def learn(actor, ticket: Ticket) -> None:
    """A person dispatched the ticket with a category: keep it as a labelled example (called
    inside the dispatch transaction)."""
    label = ticket.category.lineage()[-1].name
    suggestion = Suggestion.objects.filter(ticket=ticket).only("top").first()
    suggested = suggestion.top[0]["name"] if suggestion and suggestion.top else ""
    Example.objects.update_or_create(
        ticket=ticket,
        defaults={
            "text": text_of(ticket),
            "label": label,
            "suggested": suggested,
            "corrected": bool(suggested) and suggested != label,
            "by": actor,
        },
    )


# --- training -----------------------------------------------------------------------------


def read_csv(path: Path) -> list[tuple[str, str]]:
    """Labelled rows of a CSV: a `label` column with `text`, or `title` and `body`."""
    if not path.exists():
        raise ValueError(f"找不到文件 {path}")
    rows = list(csv.DictReader(decode(path.read_bytes()).splitlines()))
    if not rows or "label" not in rows[0]:
        raise ValueError(f"{path.name}：须有 label 列，以及 title 与 body 列或 text 列")
    if "text" in rows[0]:
        texts = [r["text"] or "" for r in rows]
    elif "title" in rows[0] and "body" in rows[0]:
        texts = [f"{r['title'] or ''}\n{r['body'] or ''}" for r in rows]
    else:
        raise ValueError(f"{path.name}：须有 title 与 body 列，或 text 列")
    out = []
    for i, (text, row) in enumerate(zip(texts, rows, strict=True), start=2):
        label = (row["label"] or "").strip()
        if not label:
            raise ValueError(f"{path.name} 第 {i} 行：label 为空")
        if not text.strip():
            raise ValueError(f"{path.name} 第 {i} 行：没有文本")
        out.append((text, label))
    return out


def examples() -> list[tuple[str, str]]:
    return list(Example.objects.order_by("id").values_list("text", "label"))


def train(csv_files=(), folds: int = 5, jobs: int = 1, progress=None) -> ModelVersion:
    """Train on the shipped messages, the given CSV files and every dispatcher example; score
    by cross-validation over the shipped raw and word-split messages (CSV rows and examples
    always train); write the next versioned file and record it."""
    extra = [row for path in csv_files for row in read_csv(Path(path))]
    taught = examples()
    scores = {}
    if folds:
        scores = training.cross_validate(folds, extra=extra + taught, progress=progress, jobs=jobs)
    corpus = training.shipped() + extra + taught
    started = time.perf_counter()
    model = Classifier().fit([t for t, _ in corpus], [label for _, label in corpus])
    fit_seconds = round(time.perf_counter() - started, 1)
    for _ in range(5):  # two trainings finishing at once take the next numbers, not one
        number = (ModelVersion.objects.aggregate(n=Max("version"))["n"] or 0) + 1
        name, checksum = store.save(model, model_dir(), number)
        try:
            with transaction.atomic():
                version = ModelVersion.objects.create(
                    version=number,
                    file=name,
                    sha256=checksum,
                    examples=len(corpus),
                    corrections=len(taught),
                    labels=model.labels_,
                    scores=scores,
                    fit_seconds=fit_seconds,
                )
            break
        except IntegrityError:
            continue
    else:
        raise RuntimeError("could not number the new model version")
    _loaded.clear()
    _loaded[(number, checksum)] = model
    return version


def backfill(limit: int = 1000) -> int:
    """Suggestions for waiting tickets that have none (after the first training, say). No
    auto-dispatch: these tickets are already in a person's queue."""
    waiting = Ticket.objects.filter(status=Status.RECEIVED, suggestion__isnull=True).order_by("id")
    done = 0
    for ticket in waiting.select_related("region", "category")[:limit]:
        if on_intake(ticket, auto=False) is not None:
            done += 1
    return done


def warm_up() -> None:
    """Read the active model and classify one line, so the first request is not slow. Never
    raises: without a database or a model, the first intake reads it instead."""
    try:
        found = active_model()
        if found is not None:
            found[1].top_k(["暖气不热"], 3)
    except Exception as exc:  # a server must start even when the model cannot be read
        log.warning("dispatch model not read at start: %s", exc)
    finally:
        from django.db import connections

        connections.close_all()
