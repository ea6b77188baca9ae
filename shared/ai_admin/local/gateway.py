"""A local HTTP API: serves the template's ``HttpApi`` routes on 127.0.0.1 like ``sam local start-api``,
turning each request into an API Gateway payload-2.0 event for the function's handler."""

from __future__ import annotations

import base64
import json
import re
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from ai_admin.local.invoke import Handler, LocalContext
from ai_admin.local.template import Function, HttpRoute


@dataclass(frozen=True)
class BoundRoute:
    route: HttpRoute
    pattern: re.Pattern[str]
    function: Function
    handler: Handler


def _compile(path: str) -> re.Pattern[str]:
    regex = re.sub(r"\{(\w+)\+\}", r"(?P<\1>.+)", path)
    regex = re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", regex)
    return re.compile(f"^{regex}$")


def http_event(
    method: str,
    *,
    target: str,
    headers: dict[str, str],
    body: bytes,
    route_key: str,
    path_params: dict[str, str],
) -> dict[str, Any]:
    parts = urlsplit(target)
    text_body: str | None
    try:
        text_body, encoded = body.decode("utf-8"), False
    except UnicodeDecodeError:
        text_body, encoded = base64.b64encode(body).decode("ascii"), True
    query = dict(parse_qsl(parts.query, keep_blank_values=True))
    now = time.time()
    return {
        "version": "2.0",
        "routeKey": route_key,
        "rawPath": parts.path,
        "rawQueryString": parts.query,
        "headers": {k.lower(): v for k, v in headers.items()},
        "queryStringParameters": query or None,
        "pathParameters": path_params or None,
        "requestContext": {
            "accountId": "000000000000",
            "apiId": "local",
            "domainName": "127.0.0.1",
            "http": {
                "method": method,
                "path": parts.path,
                "protocol": "HTTP/1.1",
                "sourceIp": "127.0.0.1",
                "userAgent": headers.get("User-Agent", ""),
            },
            "requestId": str(uuid.uuid4()),
            "routeKey": route_key,
            "stage": "$default",
            "time": time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime(now)),
            "timeEpoch": int(now * 1000),
        },
        "body": text_body if body else None,
        "isBase64Encoded": encoded,
    }


class LocalHttpApi:
    def __init__(self, routes: list[BoundRoute], host: str = "127.0.0.1", port: int = 3000) -> None:
        self.routes = routes
        api = self

        class _Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                return

            def _serve(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                status, headers, payload = api.dispatch(self.command, self.path, dict(self.headers), body)
                self.send_response(status)
                for key, value in headers.items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _serve

        self.server = ThreadingHTTPServer((host, port), _Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, name="local-http-api", daemon=True)

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> LocalHttpApi:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def dispatch(
        self, method: str, target: str, headers: dict[str, str], body: bytes
    ) -> tuple[int, dict[str, str], bytes]:
        path = urlsplit(target).path
        for bound in self.routes:
            match = bound.pattern.match(path)
            if match and bound.route.method in (method, "ANY"):
                route_key = f"{bound.route.method} {bound.route.path}"
                event = http_event(
                    method,
                    target=target,
                    headers=headers,
                    body=body,
                    route_key=route_key,
                    path_params=match.groupdict(),
                )
                context = LocalContext(function_name=bound.function.logical_id, timeout_s=bound.function.timeout)
                return _to_http(bound.handler(event, context))
        return 404, {"Content-Type": "application/json"}, b'{"message":"Not Found"}'


def _to_http(result: Any) -> tuple[int, dict[str, str], bytes]:
    if not isinstance(result, dict) or "statusCode" not in result:
        return 200, {"Content-Type": "application/json"}, json.dumps(result).encode()
    body = result.get("body") or ""
    payload = base64.b64decode(body) if result.get("isBase64Encoded") else str(body).encode()
    headers = {str(k): str(v) for k, v in (result.get("headers") or {}).items()}
    return int(result["statusCode"]), headers, payload


def bind_routes(functions: list[Function], resolve: Callable[[Function], Handler]) -> list[BoundRoute]:
    bound = []
    for function in functions:
        for route in function.routes:
            bound.append(BoundRoute(route, _compile(route.path), function, resolve(function)))
    return bound
