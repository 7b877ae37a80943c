"""aiohttp-pydantic's README example: a PydanticView with a body model and a query parameter."""

from __future__ import annotations

from aiohttp import web
from aiohttp_pydantic import PydanticView, oas
from pydantic import BaseModel


class Article(BaseModel):
    name: str
    nb_page: int | None = None


class ArticleView(PydanticView):  # type: ignore[misc]  # untyped library
    async def post(self, article: Article) -> web.Response:
        return web.json_response({"name": article.name, "number_of_page": article.nb_page})

    async def get(self, with_comments: bool = False) -> web.Response:
        return web.json_response({"with_comments": with_comments})


class ItemView(PydanticView):  # type: ignore[misc]
    async def get(self, item_id: int, /) -> web.Response:
        if item_id == 0:
            raise web.HTTPNotFound(text="no item 0")
        return web.json_response({"item": item_id})


def make_app() -> web.Application:
    app = web.Application()
    app.router.add_view("/article", ArticleView)
    app.router.add_view("/items/{item_id}", ItemView)
    oas.setup(app)
    return app
