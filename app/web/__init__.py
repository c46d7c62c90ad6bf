"""Server-rendered pages, one router per URL prefix. Each route calls the same domain
functions as the JSON API."""

from fastapi import APIRouter, Depends

from app.web import (
    account,
    admin,
    crawlers,
    developers,
    dictionary,
    dilemmas,
    embed,
    evidence,
    home,
    insights,
    moderation,
    my,
    networks,
    peers,
    places,
    reminders,
    vocabularies,
)
from app.web.deps import current_user
from app.web.practices import routes as practices

# Every page knows who is signed in, for the header and for what it offers to do.
web_router = APIRouter(include_in_schema=False, dependencies=[Depends(current_user)])
for module in (
    home,
    practices,
    places,
    networks,
    vocabularies,
    evidence,
    insights,
    dilemmas,
    peers,
    my,
    moderation,
    account,
    reminders,
    admin,
    dictionary,
    embed,
    crawlers,
    developers,
):
    web_router.include_router(module.router)
