"""The HTTP face of the receiver: a Starlette app, served by uvicorn on one socket.

Routes:

- ``GET /deskstate/recorder.js``: the snippet (``recorder.js`` of this package);
- ``POST /deskstate/records``: a batch (see :mod:`deskstate.record.protocol`), answered with the
  JSON of :class:`~deskstate.record.receiver.Answer`, or ``{"error": REASON}`` with status 400
  (not a batch), 403 (wrong token, or a page origin not allowed) or 413 (body too large).

CORS headers are sent only to the page origins allowed; a request that carries any other
``Origin`` is refused (403) before it is read, whatever its token.
"""

from __future__ import annotations

import socket
from collections.abc import Callable, Iterable
from importlib import resources
from typing import Final

import uvicorn
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from deskstate.record.protocol import DEFAULT_MAX_BODY_BYTES
from deskstate.record.receiver import Receiver, Refused

__all__ = ["RECORDS_PATH", "SCRIPT_PATH", "bind", "create_app", "serve"]

SCRIPT_PATH: Final = "/deskstate/recorder.js"
RECORDS_PATH: Final = "/deskstate/records"


def create_app(
    receiver: Receiver,
    *,
    page_origins: Iterable[str],
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
    report: Callable[[str], object] | None = None,
) -> Starlette:
    """The ASGI app of ``receiver``, answering CORS for ``page_origins`` only.

    ``report``, when given, is told (one line each) about every request refused and every record
    rejected.
    """
    pages = frozenset(page_origins)
    script = resources.files("deskstate.record").joinpath("recorder.js").read_bytes()
    tell = report if report is not None else (lambda _line: None)

    def refuse(status: int, reason: str) -> JSONResponse:
        tell(f"refused a request ({status}): {reason}")
        return JSONResponse({"error": reason}, status_code=status)

    async def recorder_js(_request: Request) -> Response:
        return Response(
            script,
            media_type="text/javascript; charset=utf-8",
            headers={"Cache-Control": "no-cache"},
        )

    async def records(request: Request) -> Response:
        origin = request.headers.get("origin")
        if origin is not None and origin not in pages:
            return refuse(403, f"page origin {origin!r} is not allowed (--page-origin)")
        body = await _read_body(request, max_body_bytes)
        if body is None:
            return refuse(413, f"the body is larger than the limit of {max_body_bytes} bytes")
        try:
            answer = await run_in_threadpool(receiver.receive, body)
        except Refused as refused:
            return refuse(refused.status, refused.reason)
        for rejected in answer.rejected:
            tell(f"session {answer.session} record {rejected.n} rejected: {rejected.reason}")
        return JSONResponse(answer.to_dict())

    return Starlette(
        routes=[
            Route(SCRIPT_PATH, recorder_js, methods=["GET"]),
            Route(RECORDS_PATH, records, methods=["POST"]),
        ],
        middleware=[
            Middleware(
                CORSMiddleware,
                allow_origins=sorted(pages),
                allow_methods=["POST"],
                allow_headers=["content-type"],
                allow_private_network=True,  # a public page reaching the loopback receiver
            )
        ],
    )


async def _read_body(request: Request, limit: int) -> bytes | None:
    """The request's body, or ``None`` when it is longer than ``limit`` (not read beyond it)."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        return None
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


def bind(host: str, port: int) -> socket.socket:
    """A listening TCP socket on ``host`` and ``port`` (0: a free port); OSError when it cannot."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    return socket.create_server((host, port), family=family, reuse_port=False)


def serve(app: Starlette, sock: socket.socket) -> None:
    """Serve ``app`` on ``sock`` until SIGINT or SIGTERM, finishing the requests under way."""
    config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off")
    uvicorn.Server(config).run(sockets=[sock])
