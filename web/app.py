"""The whole application: the JSON API (search_api.app) with the web pages mounted on it, in one
process. The pages call the same service functions and render the same response models."""
from __future__ import annotations

from fastapi import FastAPI

from indexer.settings import Settings
from search_api.app import create_api
from search_api.context import Context
from web import pages


def create_app(context: Context, settings: Settings) -> FastAPI:
    app = create_api(context, settings)
    pages.mount(app)
    return app
