class ServiceError(Exception):
    """A refused change, with a stable machine code, a Chinese message and an HTTP status.

    Services raise it; the API turns it into `{"code", "message"}`, and views show the message.
    """

    status = 400

    def __init__(self, code: str, message: str, *, status: int | None = None, **extra):
        super().__init__(message)
        self.code = code
        self.message = message
        if status is not None:
            self.status = status
        self.extra = extra


class Forbidden(ServiceError):
    status = 403
