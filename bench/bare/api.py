"""POST /api/v1/tickets, bare: token check, a 4-field schema, one transaction of two inserts."""

from django.db import transaction
from django.urls import path
from django.utils import timezone
from ninja import NinjaAPI, Schema, Status
from ninja.security import HttpBearer

from .models import Event, Ticket, Token


class Bearer(HttpBearer):
    def authenticate(self, request, token):
        return Token.objects.filter(key=token).values_list("name", flat=True).first()


class TicketIn(Schema):
    title: str
    content: str
    region_code: str
    requester_phone: str


class TicketOut(Schema):
    id: int
    status: str


api = NinjaAPI(auth=Bearer(), urls_namespace="bare")


@api.post("/tickets", response={201: TicketOut})
def create_ticket(request, payload: TicketIn):
    now = timezone.now()
    with transaction.atomic():
        ticket = Ticket.objects.create(**payload.dict(), received_at=now)
        Event.objects.create(ticket=ticket, action="receive", at=now)
    return Status(201, ticket)


urlpatterns = [path("api/v1/", api.urls)]
