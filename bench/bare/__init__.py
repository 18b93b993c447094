"""The bare endpoint the HTTP intake is compared against (`make bench`, issue 17).

Django 5.2 and Django Ninja with nothing of jiceng: a bearer token looked up in the database,
a 4-field schema, and one transaction that inserts a ticket row and an event row. It runs
under the same gunicorn and wrk settings as `POST /api/v1/tickets`, against the same
PostgreSQL server, so the ratio of the two is what jiceng's own work per request costs.
"""
