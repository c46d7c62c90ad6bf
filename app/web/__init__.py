"""Server-rendered pages. Each route calls the same query functions as the JSON API."""

from fastapi import APIRouter, Depends

from app.auth import current_user
from app.web import (
    account,
    admin,
    dictionary,
    embed,
    feeds,
    moderation,
    pages,
    peers,
    publishing,
    translations,
)

# Every page knows who is signed in, for the header and for what it offers to do.
web_router = APIRouter(include_in_schema=False, dependencies=[Depends(current_user)])
# publishing first: its /practices/new must win over the pages' /practices/{slug}.
for module in (
    publishing,
    feeds,
    pages,
    dictionary,
    peers,
    account,
    translations,
    moderation,
    admin,
    embed,
):
    web_router.include_router(module.router)
