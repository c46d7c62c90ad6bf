"""The JSON API under /api/v1: thin routes over ``app.queries``."""

from fastapi import APIRouter

from app.api import networks, organisations, places, practices, vocabularies
from app.schemas import ErrorOut

ERRORS: dict[int | str, dict[str, object]] = {
    404: {"model": ErrorOut, "description": "No such resource."},
    422: {"model": ErrorOut, "description": "A parameter is invalid; `errors` names it."},
}

api_router = APIRouter(prefix="/api/v1", responses=ERRORS)
for module in (practices, places, organisations, networks, vocabularies):
    api_router.include_router(module.router)
