"""Server-rendered pages. Each route calls the same query functions as the JSON API."""

from fastapi import APIRouter

from app.web import pages

web_router = APIRouter(include_in_schema=False)
web_router.include_router(pages.router)
