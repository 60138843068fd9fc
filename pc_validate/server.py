"""`pc-validate serve`: the validation service over HTTP, on FastAPI and uvicorn (the extra
``pc-validate[server]``), loopback by default.

- ``POST /v1/customers/validate``: a body exactly as it would be sent to Partner Center
  (any JSON value is judged, whatever its Content-Type), answered with the JSON report of
  `check --format json`; ``?cloud=`` picks the rules of a cloud, ``?redact=true`` leaves
  the values out of the report.
- ``POST /v1/customers/validate-batch``: JSON Lines in, JSON Lines streamed back (a result
  per record, then a summary line), as `check --format jsonl` writes them.
- ``GET /healthz``, and ``GET /openapi.json``, whose request and report schemas are the
  published ones (generated from pc_validate.models and pc_validate.documents).

A request the service cannot validate gets a JSON error document and a 4xx status (400 not
JSON or an unknown cloud, 413 too large, 404, 405, 422 a bad query parameter); nothing
answers with a traceback (500 says only that the error is logged). The contract lives in
service.py, which --stdio shares.
"""

from __future__ import annotations

import copy
import json
import socket
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any, Final

from fastapi import Depends, FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.utils import get_openapi
from fastapi.responses import Response, StreamingResponse
from pydantic import TypeAdapter
from starlette.exceptions import HTTPException

from pc_validate import __version__
from pc_validate.report import dumps
from pc_validate.resources import load_schema
from pc_validate.service import Asked, ErrorDocument, RequestError, Service, error_document

JSON_LINES: Final = "application/x-ndjson"
_CODES: Final = {404: "not_found", 405: "method_not_allowed", 413: "too_large", 422: "bad_request"}

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]


def _json(status: int, text: str) -> Response:
    return Response(text, status_code=status, media_type="application/json")


def _error(exc: RequestError) -> Response:
    return _json(exc.status, dumps(exc.document, indent=None))


async def _read_body(request: Request, limit: int, what: str) -> bytes:
    """The request's body, refused (413) as soon as it is known to be over `limit`."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise _too_large(limit, what)
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise _too_large(limit, what)
        chunks.append(chunk)
    return b"".join(chunks)


def _too_large(limit: int, what: str) -> RequestError:
    from pc_validate.service import too_large

    return too_large(limit, what)


class _Contained:
    """ASGI middleware: an exception that escapes a route is logged (its type only under
    redaction) and answered 500 with an error document, never with a traceback."""

    def __init__(self, app: Any, service: Service) -> None:
        self.app = app
        self.service = service

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def sending(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, sending)
        except Exception as exc:
            shown = type(exc).__name__ if self.service.options.redact_logs else repr(exc)
            where = f"{scope.get('method')} {scope.get('path')}"
            self.service.log("error", f"internal error on {where}: {shown}")
            if not started:
                body = dumps(error_document(500, "internal_error", "internal error (logged)"))
                await send(
                    {
                        "type": "http.response.start",
                        "status": 500,
                        "headers": [(b"content-type", b"application/json")],
                    }
                )
                await send({"type": "http.response.body", "body": body.encode()})


def _into_components(schema: dict[str, Any], name: str, into: dict[str, Any]) -> None:
    """A published JSON Schema as OpenAPI components: its $defs beside it, refs rewritten."""
    schema = copy.deepcopy(schema)
    schema.pop("$schema", None)
    schema.pop("$id", None)  # an $id would make the refs inside resolve against it
    definitions = schema.pop("$defs", {})
    text = json.dumps({name: schema, **definitions})
    into.update(json.loads(text.replace('"#/$defs/', '"#/components/schemas/')))


def _openapi_document(app: FastAPI) -> dict[str, Any]:
    document = get_openapi(
        title=app.title, version=app.version, description=app.description, routes=app.routes
    )
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    _into_components(load_schema("request.schema.json"), "Customer", schemas)
    _into_components(load_schema("report.schema.json"), "Report", schemas)
    schemas["Error"] = TypeAdapter(ErrorDocument).json_schema(
        ref_template="#/components/schemas/{model}"
    )
    inner = schemas["Error"].pop("$defs", {})
    schemas.update(inner)
    return document


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


_ERRORS: Final[dict[int | str, dict[str, Any]]] = {
    status: {"description": meaning, "content": {"application/json": {"schema": _ref("Error")}}}
    for status, meaning in {
        400: "Not JSON, or an unknown cloud",
        413: "Larger than the service takes",
        422: "A query parameter that is not valid",
    }.items()
}


def create_app(service: Service) -> FastAPI:
    """The service's ASGI application."""
    clouds = list(service.clouds)
    app = FastAPI(
        title="pc-validate",
        version=__version__,
        description="Pre-flight validation of Partner Center 'create a customer' requests "
        "(POST /v1/customers), with pc-validate's rules.",
        docs_url=None,  # the documentation pages would load scripts from a CDN
        redoc_url=None,
    )
    cloud_query = Query(
        None,
        description="the Partner Center cloud whose rules apply "
        f"(default: {service.options.cloud})",
        json_schema_extra={"enum": clouds},
    )
    redact_query = Query(False, description="leave every payload value out of the report")
    locale_query = Query(
        None,
        description="the language of the messages, e.g. de-DE or ja (the closest shipped "
        f"language, else English; default: {service.options.language})",
        max_length=64,
    )

    def asked_of(
        cloud: str | None = cloud_query,
        redact: bool = redact_query,
        locale: str | None = locale_query,
    ) -> Asked:
        """The query parameters both validating endpoints take."""
        return Asked(cloud, redact, locale)

    asked_dependency = Depends(asked_of)

    @app.get("/healthz", responses={200: {"description": "The service is up"}})
    async def healthz() -> dict[str, Any]:
        return {"status": "ok", "version": __version__, "clouds": clouds}

    @app.post(
        "/v1/customers/validate",
        response_class=Response,
        responses={
            200: {
                "description": "The report (valid or not: see ok and counts)",
                "content": {"application/json": {"schema": _ref("Report")}},
            },
            **_ERRORS,
        },
        openapi_extra={
            "requestBody": {
                "required": True,
                "description": "The body as it would be sent to Partner Center; any JSON value "
                "is judged (one that is no Customer gets a report of its errors).",
                "content": {"application/json": {"schema": _ref("Customer")}},
            }
        },
    )
    async def validate(request: Request, asked: Asked = asked_dependency) -> Response:
        try:
            data = await _read_body(request, service.options.max_body_bytes, "request body")
        except RequestError as exc:
            return _error(exc)
        status, text = service.answer(data, asked)
        return _json(status, text)

    @app.post(
        "/v1/customers/validate-batch",
        response_class=StreamingResponse,
        responses={
            200: {
                "description": "One result per record, then a summary line (JSON Lines)",
                "content": {JSON_LINES: {"schema": {"type": "string"}}},
            },
            **_ERRORS,
        },
        openapi_extra={
            "requestBody": {
                "required": True,
                "description": "Request bodies, one per line (JSON Lines)",
                "content": {JSON_LINES: {"schema": {"type": "string"}}},
            }
        },
    )
    async def validate_batch(request: Request, asked: Asked = asked_dependency) -> Response:
        try:
            data = await _read_body(request, service.options.max_batch_bytes, "batch")
            lines = service.batch(data, asked)
        except RequestError as exc:
            return _error(exc)
        return StreamingResponse(lines, media_type=JSON_LINES)

    async def http_error(request: Request, exc: Exception) -> Response:
        status = exc.status_code if isinstance(exc, HTTPException) else 500
        detail = exc.detail if isinstance(exc, HTTPException) else "internal error"
        document = error_document(status, _CODES.get(status, "http_error"), str(detail))
        return _json(status, dumps(document, indent=None))

    async def bad_request(request: Request, exc: Exception) -> Response:
        problems = exc.errors() if isinstance(exc, RequestValidationError) else []
        said = "; ".join(
            f"{' '.join(str(part) for part in problem['loc'])}: {problem['msg']}"
            for problem in problems
        )
        document = error_document(422, "bad_request", said or "the request is not valid")
        return _json(422, dumps(document, indent=None))

    app.add_exception_handler(HTTPException, http_error)
    app.add_exception_handler(RequestValidationError, bad_request)
    app.add_middleware(_Contained, service=service)

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = _openapi_document(app)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
    return app


def listening_socket(host: str, port: int) -> socket.socket:
    """A socket bound and listening on host:port (OSError when it cannot be)."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    family, kind, proto, _, address = infos[0]
    sock = socket.socket(family, kind, proto)
    try:
        if hasattr(socket, "SO_REUSEADDR") and socket.SO_REUSEADDR:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        sock.listen(2048)
    except OSError:
        sock.close()
        raise
    return sock


def run(service: Service, sock: socket.socket, log_level: str) -> None:
    """Serve on `sock` until SIGINT or SIGTERM (uvicorn stops gracefully, then the signal is
    raised again for the command to exit with 128 + its number)."""
    import uvicorn

    config = uvicorn.Config(
        create_app(service),
        log_config=None,  # uvicorn's own warnings reach stderr through Python's last resort
        log_level=log_level,
        access_log=False,  # service.py writes one line per request at debug level
        lifespan="off",
        server_header=False,
    )
    uvicorn.Server(config).run(sockets=[sock])
