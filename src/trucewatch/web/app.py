"""The web app: `create_app(settings)` gives the FastAPI application `trucewatch serve` runs.

Pages (server-rendered, no script needed) and the REST API share one store, one set of
accounts and one login throttle. Domain errors become HTTP answers here: a stale edit 409, a
review or account error 422/400, a missing login 401 (API) or a redirect to /login (pages).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from urllib.parse import quote

from fastapi import FastAPI, Request, Response
from fastapi.exception_handlers import (
    http_exception_handler,
    request_validation_exception_handler,
)
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from trucewatch import __version__
from trucewatch.extract.pipeline import Extractor
from trucewatch.geo.geocoder import Geocoder
from trucewatch.models import validation_problems
from trucewatch.registry.review import ReviewError
from trucewatch.store import StaleVersionError, StoreError, open_store
from trucewatch.store.accounts import AccountError, Accounts
from trucewatch.web import (
    admin_pages,
    api,
    ceasefire_pages,
    incident_pages,
    observation_pages,
    pages,
)
from trucewatch.web.headers import SecurityHeaders
from trucewatch.web.limits import BodyLimit, LoginThrottle
from trucewatch.web.security import Forbidden, LoginRequired
from trucewatch.web.services import Services
from trucewatch.web.settings import WebSettings
from trucewatch.web.strict_json import StrictJson


def _wants_html(request: Request) -> bool:
    return not request.url.path.startswith("/api/")


SESSION_ENDED = (
    "Your session has ended, so this form was not saved. Log in again in another tab, then come "
    "back here (the browser's Back button keeps what you typed) and send the form again."
)


def create_app(
    settings: WebSettings,
    *,
    extractor: Extractor | None = None,
    geocoder: Geocoder | None = None,
) -> FastAPI:
    """The app on the store `settings.db` names; `extractor` and `geocoder` are loaded on
    first use unless given (tests share theirs)."""
    store = open_store(settings.db)
    svc = Services(
        settings=settings,
        store=store,
        accounts=Accounts(store),
        throttle=LoginThrottle(
            settings.login_attempts,
            settings.login_window,
            address_attempts=settings.login_address_attempts,
        ),
        extractor=extractor,
        geocoder=geocoder,
    )

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        store.close()

    app = FastAPI(
        title="trucewatch",
        version=__version__,
        description="Ceasefire-violation registry: incidents, the claims behind them, reviews.",
        lifespan=lifespan,
        docs_url=None,  # Swagger UI and ReDoc load from a CDN: /api is our own, offline page
        redoc_url=None,
    )
    app.state.services = svc
    app.state.settings = settings
    app.state.accounts = svc.accounts

    @app.exception_handler(LoginRequired)
    async def login_required(request: Request, _exc: LoginRequired) -> Response:
        if _wants_html(request) and request.method == "GET":
            query = f"?{request.url.query}" if request.url.query else ""
            target = quote(request.url.path + query)
            return RedirectResponse(f"/login?next={target}", status_code=303)
        if _wants_html(request):  # a form sent after the session ended: say how to keep it
            return pages.error_page(request, 401, SESSION_ENDED)
        return JSONResponse(
            {"detail": "log in first (session) or send an API token"},
            status_code=401,
            headers={"WWW-Authenticate": "Bearer"},
        )

    @app.exception_handler(Forbidden)
    async def forbidden(request: Request, exc: Forbidden) -> Response:
        if _wants_html(request):
            return pages.error_page(request, 403, exc.reason)
        return JSONResponse({"detail": exc.reason}, status_code=403)

    def handler(status: int) -> Callable[[Request, Exception], Awaitable[Response]]:
        async def handle(request: Request, exc: Exception) -> Response:
            if _wants_html(request):
                return pages.error_page(request, status, str(exc))
            return JSONResponse({"detail": str(exc)}, status_code=status)

        return handle

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if _wants_html(request) and exc.status_code >= 400:
            return pages.error_page(request, exc.status_code, str(exc.detail))
        return await http_exception_handler(request, exc)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Response:
        if _wants_html(request):
            problems = "; ".join(validation_problems(exc.errors(), skip=1))
            return pages.error_page(request, 422, f"Some values were not understood: {problems}")
        return await request_validation_exception_handler(request, exc)

    app.add_exception_handler(StaleVersionError, handler(409))
    app.add_exception_handler(ReviewError, handler(400))
    app.add_exception_handler(AccountError, handler(400))
    app.add_exception_handler(StoreError, handler(400))

    app.add_middleware(StrictJson)  # inside BodyLimit: it reads a bounded body
    app.add_middleware(SecurityHeaders)
    app.add_middleware(BodyLimit, limit=settings.max_body_bytes)
    if settings.forwarded_allow_ips:  # the client address behind a trusted proxy
        app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=settings.forwarded_allow_ips)
    app.mount("/static", StaticFiles(packages=[("trucewatch.web", "static")]), name="static")
    app.include_router(api.router)
    app.include_router(pages.router)
    for kind in (incident_pages, ceasefire_pages, observation_pages, admin_pages):
        app.include_router(kind.router)
    return app
