"""Attachments of diagnoses (佐证), 整改 items (整改佐证) and meetings (会议记录), served only
inside the scope of their party organization (an item also to its responsible person). Always downloaded, never shown inline, unless they are photos."""

from django.http import Http404
from django.views.decorators.http import require_GET

from jiceng.core import files
from jiceng.orgs.access import get_for_user

from .models import Diagnosis, DiagnosisScore, OrgMeeting


@require_GET
def attachment(request, kind: str, pk: int):
    if kind == "diagnosis":
        score = DiagnosisScore.objects.filter(pk=pk).first()
        if score is None:
            raise Http404
        get_for_user(request.user, Diagnosis, pk=score.diagnosis_id)  # 404 outside the scope
        return files.serve(score.attachment, download_name=f"佐证{score.pk}")
    if kind == "rectification":
        from django.db.models import Q

        from jiceng.orgs.access import visible

        from .models import Rectification

        user = request.user
        mine = Q(responsible_id=user.person_id) if getattr(user, "person_id", None) else Q()
        inside = visible(user, Rectification.objects.all()).values("pk")
        item = (
            Rectification.objects.filter(pk=pk)
            .filter(Q(pk__in=inside) | (mine if mine else Q(pk__in=[])))
            .first()
        )
        if item is None or not item.attachment:
            raise Http404
        return files.serve(item.attachment, download_name=f"整改佐证{item.pk}")
    if kind == "meeting":
        meeting = get_for_user(request.user, OrgMeeting, pk=pk)
        return files.serve(meeting.attachment, download_name=f"会议记录{meeting.pk}")
    raise Http404
