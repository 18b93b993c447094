from django.db import models


class Token(models.Model):
    key = models.CharField(max_length=64, unique=True)
    name = models.CharField(max_length=50)

    class Meta:
        db_table = "bench_bare_token"

    def __str__(self) -> str:
        return self.name


class Ticket(models.Model):
    title = models.CharField(max_length=200)
    content = models.TextField()
    region_code = models.CharField(max_length=12)
    requester_phone = models.CharField(max_length=20)
    status = models.CharField(max_length=20, default="received")
    received_at = models.DateTimeField()

    class Meta:
        db_table = "bench_bare_ticket"

    def __str__(self) -> str:
        return self.title


class Event(models.Model):
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE)
    action = models.CharField(max_length=20)
    at = models.DateTimeField()

    class Meta:
        db_table = "bench_bare_event"

    def __str__(self) -> str:
        return self.action
