"""``/docs`` when the ``api_docs`` setting is on: the OpenAPI schema as one plain HTML page.

No script and nothing fetched from elsewhere (Swagger UI loads from a public CDN, which a city
intranet may not reach and which would run outside code beside the admin token); the full schema
is at ``/openapi.json``.
"""

from __future__ import annotations

from html import escape
from typing import Any

from fastapi import FastAPI
from fastapi.responses import HTMLResponse

METHODS = ("get", "post", "put", "patch", "delete")


def install_docs_page(app: FastAPI) -> None:
    @app.get("/docs", include_in_schema=False, response_class=HTMLResponse)
    def docs() -> HTMLResponse:
        return HTMLResponse(render_docs(app.openapi()))


def render_docs(schema: dict[str, Any]) -> str:
    rows = []
    for path, operations in sorted(schema.get("paths", {}).items()):
        for method in METHODS:
            if method in operations:
                op = operations[method]
                answers = ", ".join(sorted(op.get("responses", {})))
                rows.append(f"<tr><td><code>{method.upper()}</code></td><td><code>{escape(path)}</code></td>"
                            f"<td>{escape(op.get('summary', ''))}<br><small>{escape(op.get('description', ''))}"
                            f"</small></td><td>{escape(answers)}</td></tr>")
    info = schema.get("info", {})
    return ("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<title>{escape(info.get('title', 'API'))}</title></head><body>"
            f"<h1>{escape(info.get('title', 'API'))} <small>{escape(info.get('version', ''))}</small></h1>"
            f"<p>{escape(info.get('description', ''))} The schema: <a href=\"/openapi.json\">/openapi.json</a>.</p>"
            "<table border=\"1\" cellpadding=\"4\"><tr><th>method</th><th>path</th><th>what</th><th>answers</th></tr>"
            + "".join(rows) + "</table></body></html>")
