"""HTTP errors as small types that carry their status.

::

    HTTPProblem                 base: status + message (+ the parameter at fault)
    ├── BadRequest       400    a known parameter has a malformed value
    ├── NotFound         404    no such event, location, or URL we serve
    ├── FormatNotAvailable 501  oEmbed ``format`` other than json or xml
    └── Saturated        503    the render workers and their queue are full (Retry-After)

Endpoints raise them; ``widget.error_pages`` renders any of them as HTML or JSON by route.
"""

from __future__ import annotations


class HTTPProblem(Exception):
    """An error the visitor caused, with the status it is answered with."""

    status = 500

    def __init__(self, message: str, *, parameter: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.parameter = parameter


class BadRequest(HTTPProblem):
    """Raised when a known query parameter is malformed; names the parameter and what is allowed."""

    status = 400


class NotFound(HTTPProblem):
    """Raised for an unknown event slug, location id, or a URL we do not serve."""

    status = 404


class FormatNotAvailable(HTTPProblem):
    """Raised when oEmbed is asked for a format other than json or xml."""

    status = 501


class Saturated(HTTPProblem):
    """Raised when a render is needed but the render workers and their queue are full."""

    status = 503

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after
