"""Middleware of the 接诉即办 engine."""

from .rates.rollup import reading


class OneReadingMiddleware:
    """A GET (or HEAD) request changes nothing, so every 三率 read it makes may share one count
    of each live month (`tickets.rates.rollup.reading`): a dashboard asks for the current month by
    unit, by place, by channel and for its trend."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method not in ("GET", "HEAD"):
            return self.get_response(request)
        with reading():
            return self.get_response(request)
