"""The application: routers, static files, API docs served from our own origin, errors."""

import logging
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import swagger_ui_bundle
from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.middleware.gzip import GZipMiddleware
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.routing import APIRoute
from sqlalchemy import Engine, text
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session
from starlette.exceptions import HTTPException as StarletteHTTPException

from app import limiting
from app.api import api_router, openapi
from app.api.openapi import allowed_methods
from app.api.rate_limits import RateLimitHeaders
from app.catalogue.practice_index import practice_index
from app.config import get_settings
from app.db import get_engine
from app.errors import AppError, InvalidBody, LoginRequired
from app.operations import metrics, scrape
from app.operations.last_resort import LastResortMiddleware
from app.operations.request_ids import RequestContextMiddleware
from app.operations.threads import WritesLendAThread, use_handler_threads
from app.places.peers.features import place_features
from app.schemas import Health
from app.validation import api_errors
from app.web import web_router
from app.web.embed import is_embed, render_embed_error
from app.web.framing import FramingMiddleware, SecurityHeadersMiddleware
from app.web.head import HeadMiddleware
from app.web.incoming import AllowedHostsMiddleware, BodyLimitMiddleware
from app.web.locale import LocaleMiddleware
from app.web.request_text import refuse_unsafe_text
from app.web.static_files import STATIC_DIR, CachedStaticFiles
from app.web.templating import href, render_error

SWAGGER_UI = Path(swagger_ui_bundle.swagger_ui_path)
logger = logging.getLogger(__name__)


def _operation_id(route: APIRoute) -> str:
    # ``list_practices_route``: named so as not to hide the domain's ``list_practices``.
    name = route.name.removesuffix("_route")
    return f"{route.tags[0]}-{name}" if route.tags else name


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/") or request.url.path in (
        "/healthz",
        "/readyz",
        "/metrics",
    )


def _error_page(request: Request, status_code: int, detail: str) -> HTMLResponse:
    """An error as a page of the site, or as a small document inside the widget's frame."""
    if is_embed(request.url.path):
        return render_embed_error(request, status_code, detail)
    return render_error(request, status_code, detail)


def _error_response(request: Request, status_code: int, detail: str) -> Response:
    """An error in the usual shape: the API's JSON, or a page."""
    if _wants_json(request):
        body = {"status": status_code, "detail": detail, "errors": []}
        return JSONResponse(body, status_code=status_code)
    return _error_page(request, status_code, detail)


def _warm_up(engine: Engine) -> None:
    """Load the practice index and the peer features now, in the background, so that the
    first visitors do not wait for them (seconds on 50,000 practices)."""
    try:
        with Session(engine) as session:
            practice_index(session)
            place_features(session)
    except SQLAlchemyError:
        logger.warning("caches not warmed at start-up", exc_info=True)


@asynccontextmanager
async def _lifespan(_app: FastAPI) -> AsyncIterator[None]:
    limiting.check_storage()  # a rate-limit storage that cannot be used stops the start
    use_handler_threads(get_settings())
    if get_settings().warm_up:
        threading.Thread(target=_warm_up, args=(get_engine(),), daemon=True).start()
    yield
    metrics.worker_exited()


def create_app() -> FastAPI:
    app = FastAPI(
        lifespan=_lifespan,
        title="Interlocal API",
        version="1",
        summary="Promising practices of cities and regions on migrant integration and "
        "communication, their places, networks and typologies.",
        openapi_url="/api/v1/openapi.json",
        docs_url=None,
        redoc_url=None,
        generate_unique_id_function=_operation_id,
        dependencies=[Depends(refuse_unsafe_text)],  # no NUL, no control character
    )
    # Innermost: its answer to an unexpected error still gets the language and headers.
    app.add_middleware(LastResortMiddleware, respond=_error_response)
    app.add_middleware(LocaleMiddleware)
    app.add_middleware(SecurityHeadersMiddleware)
    app.add_middleware(FramingMiddleware)
    app.add_middleware(BodyLimitMiddleware)
    if origins := get_settings().cors_origins:
        # Partners' widgets read the API from their own sites; keys and conditional
        # requests need their headers allowed in, and ETag and Location let out.
        app.add_middleware(
            CORSMiddleware,
            allow_origins=origins,
            allow_methods=["GET", "POST", "PATCH", "DELETE"],
            allow_headers=[
                "Authorization",
                "Content-Type",
                "If-Match",
                "If-None-Match",
                "Idempotency-Key",
                "Accept-Language",
            ],
            expose_headers=[
                "ETag",
                "Location",
                "Content-Language",
                "Idempotent-Replayed",
                "RateLimit-Limit",
                "RateLimit-Remaining",
                "RateLimit-Reset",
                "Retry-After",
            ],
            max_age=3600,
        )
    app.add_middleware(RateLimitHeaders)
    app.add_middleware(WritesLendAThread)
    # Compresses what every middleware above wrote, streamed exports too (chunk by chunk).
    # Level 5: a 77 kB page in 0.8 ms (2.4 ms at the default 9) for 2 % more bytes.
    app.add_middleware(GZipMiddleware, minimum_size=500, compresslevel=5)
    # Outside the compression, so that a HEAD gets GET's Content-Length and -Encoding.
    app.add_middleware(HeadMiddleware)
    app.add_middleware(AllowedHostsMiddleware)  # outermost: nothing runs for other hosts
    # Around even that, so that every answer (a refused host too) has an id and a record.
    app.add_middleware(RequestContextMiddleware)
    app.mount(
        "/static/swagger-ui",
        CachedStaticFiles(directory=SWAGGER_UI),
        name="swagger-ui",
    )
    app.mount("/static", CachedStaticFiles(directory=STATIC_DIR), name="static")
    app.include_router(api_router)
    app.include_router(web_router)
    app.include_router(scrape.router)
    openapi.install(app)

    # The probes are for the host's orchestrator, not partners: outside the API's document
    # (and its rate limits), described in the README.
    @app.get("/healthz", include_in_schema=False)
    def healthz() -> Health:
        """The process is up."""
        return Health(status="ok")

    @app.get("/readyz", include_in_schema=False)
    def readyz() -> Response:
        """The database answers."""
        try:
            with get_engine().connect() as conn:
                conn.execute(text("SELECT 1"))
        except Exception:
            return JSONResponse({"status": "database unreachable"}, status_code=503)
        return JSONResponse({"status": "ok"})

    @app.exception_handler(AppError)
    async def app_error(request: Request, exc: AppError) -> Response:
        if _wants_json(request):
            return JSONResponse(exc.body(), status_code=exc.status_code, headers=exc.headers)
        if isinstance(exc, LoginRequired):
            target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            return RedirectResponse(href("/login", next=target), status_code=303)
        return _error_page(request, exc.status_code, exc.detail)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> Response:
        return await app_error(request, InvalidBody(api_errors(exc)))

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        detail = str(exc.detail)
        if _wants_json(request):
            headers = dict(getattr(exc, "headers", None) or {})
            if exc.status_code == 405:
                headers["Allow"] = ", ".join(allowed_methods(app, request.url.path))
            return JSONResponse(
                {"status": exc.status_code, "detail": detail, "errors": []},
                status_code=exc.status_code,
                headers=headers,
            )
        return _error_page(request, exc.status_code, detail)

    return app


app = create_app()
