"""Large exports of the work list, made by the background worker with their progress.

A search of more than `BACKGROUND_FROM` tickets is not built while the browser waits (5,000
tickets with their history take 16–21 s): `start` keeps the search as an `ExportJob` and queues
`build`; the page (`/work/exports/<id>/`) shows how far it is and offers the file when done.
The job runs the same search in the requester's scope, as of when it runs. The file is the
requester's alone and is deleted a day later (`prune`, run by the sweep)."""

import logging

from django.core.files.base import ContentFile
from django.db import transaction
from django.http import QueryDict
from django.utils import timezone
from django_tasks import task

from . import access, records, selectors
from .models import ExportJob

log = logging.getLogger("jiceng.tickets")
BACKGROUND_FROM = 1000  # tickets; a smaller search is exported while the browser waits


def searched(user, query: str):
    """The tickets of the work list's search `query` (its GET parameters) in the user's scope,
    and the problems of its parameters."""
    params = QueryDict(query)
    tickets = access.visible_tickets(user)
    tab = params.get("view", "")
    if tab in selectors.QUEUES:  # the work-list tab the search was made in
        tickets = tickets.filter(selectors.queue_q(tab, user))
    return selectors.search(tickets, params)


def start(user, query: str, title: str, total: int) -> ExportJob:
    """Keep the search and queue its export; the job is found by its requester only."""
    job = ExportJob.objects.create(user=user, query=query, title=title, total=total)
    transaction.on_commit(lambda: _enqueue(job.pk), robust=True)
    return job


def _enqueue(pk: int) -> None:
    try:
        build.enqueue(pk)
    except Exception:  # the queue is down: the page says so after a while
        log.exception("export %s not queued", pk)
        ExportJob.objects.filter(pk=pk).update(
            state=ExportJob.State.FAILED, error="后台任务队列不可用，请稍后重试"
        )


@task()
def build(job_id: int) -> int:
    """Make the export's file, saying how far it is as it goes. Returns the tickets written."""
    claimed = ExportJob.objects.filter(pk=job_id, state=ExportJob.State.QUEUED).update(
        state=ExportJob.State.RUNNING
    )
    if not claimed:  # run already, or by another worker
        return 0
    job = ExportJob.objects.select_related("user").get(pk=job_id)
    try:
        found = searched(job.user, job.query)

        def progress(done: int, total: int) -> None:
            ExportJob.objects.filter(pk=job_id).update(done=done, total=total)

        data, count, _cut = records.workbook(found.tickets, title=job.title, progress=progress)
        job.file.save(f"{job.pk}-{timezone.now():%Y%m%d%H%M%S}.xlsx", ContentFile(data), save=False)
        job.state, job.done, job.total = ExportJob.State.DONE, count, count
        job.finished_at = timezone.now()
        job.save(update_fields=["file", "state", "done", "total", "finished_at"])
        return count
    except Exception as exc:  # any failure is said on the page, in words
        log.exception("export %s failed", job_id)
        ExportJob.objects.filter(pk=job_id).update(
            state=ExportJob.State.FAILED,
            error=f"导出失败：{exc.__class__.__name__}",
            finished_at=timezone.now(),
        )
        return 0


def prune(now=None) -> int:
    """Delete the exports older than a day, with their files."""
    now = now or timezone.now()
    old = ExportJob.objects.filter(created_at__lt=now - ExportJob.KEEP)
    count = 0
    for job in old:
        if job.file:
            job.file.delete(save=False)
        job.delete()
        count += 1
    return count
