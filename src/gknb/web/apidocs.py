"""The API's browsable documentation (``/api/docs``): Swagger UI served from this server, never a CDN.

The Swagger UI files come from the ``fastapi-offline`` wheel; the page starts them from a script file
(``static/api-docs.js``), so it runs under the same content security policy as every other page.
"""

from __future__ import annotations

from pathlib import Path

import fastapi_offline
from fastapi import APIRouter, FastAPI
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

SWAGGER_UI = Path(fastapi_offline.__file__).parent / "static"
ASSETS = "/api/docs/assets"

router = APIRouter(include_in_schema=False)


@router.get("/api/docs", response_class=HTMLResponse)
def api_docs() -> HTMLResponse:
    """The Swagger UI page for ``/api/openapi.json``."""
    return HTMLResponse(f"""<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>gknb 公开年报 · API 文档</title>
<link rel="icon" href="data:,"><link rel="stylesheet" href="{ASSETS}/swagger-ui.css"></head>
<body><div id="swagger-ui" data-openapi="/api/openapi.json"></div>
<script src="{ASSETS}/swagger-ui-bundle.js"></script><script src="/static/api-docs.js"></script>
</body></html>""")


def mount(app: FastAPI) -> None:
    """Serve the docs page and the Swagger UI files on ``app``."""
    app.mount(ASSETS, StaticFiles(directory=SWAGGER_UI), name="swagger-ui")
    app.include_router(router)
