#!/usr/bin/env python3
"""A local stand-in for the comment APIs ci.sh talks to, for tests: GitHub's issue comments
(GET/POST /repos/O/R/issues/N/comments, PATCH /repos/O/R/issues/comments/ID) and GitLab's merge
request notes (GET/POST /api/v4/projects/P/merge_requests/N/notes, PUT .../notes/ID), paginated
with per_page/page like both. It checks the token header, records every request in LOG
("METHOD PATH" lines) and writes the threads to STATE (JSON) after each change.

    forge.py PORTFILE LOG STATE TOKEN [SEED]

SEED unrelated comments are put in each thread when it is first read, so that finding the
marked one takes more than one page. The chosen port is written to PORTFILE once listening.
"""
import json
import re
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

PORTFILE, LOG, STATE, TOKEN = sys.argv[1:5]
SEED = int(sys.argv[5]) if len(sys.argv) > 5 else 0
LOCK = threading.Lock()
THREADS = {}  # thread path -> [ {id, body} ]
NEXT_ID = [1000]

GH_THREAD = re.compile(r"^/repos/[^/]+/[^/]+/issues/\d+/comments$")
GH_ONE = re.compile(r"^/repos/([^/]+/[^/]+)/issues/comments/(\d+)$")
GL_THREAD = re.compile(r"^/api/v4/projects/[^/]+/merge_requests/\d+/notes$")
GL_ONE = re.compile(r"^(/api/v4/projects/[^/]+/merge_requests/\d+/notes)/(\d+)$")


def new_id():
    NEXT_ID[0] += 1
    return NEXT_ID[0]


def thread(path):
    if path not in THREADS:
        THREADS[path] = [{"id": new_id(), "body": f"unrelated comment {i}"} for i in range(SEED)]
    return THREADS[path]


def find(comment_id):
    for comments in THREADS.values():
        for c in comments:
            if c["id"] == comment_id:
                return c
    return None


class Forge(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def reply(self, code, doc):
        data = json.dumps(doc).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def authorised(self, path):
        if path.startswith("/api/v4/"):
            return self.headers.get("PRIVATE-TOKEN") == TOKEN
        return self.headers.get("Authorization") == f"Bearer {TOKEN}"

    def handle_any(self, method):
        url = urlsplit(self.path)
        with LOCK:
            with open(LOG, "a") as log:
                log.write(f"{method} {url.path}\n")
            if not self.authorised(url.path):
                return self.reply(401, {"message": "Bad credentials"})
            body = None
            if method in ("POST", "PATCH", "PUT"):
                length = int(self.headers.get("Content-Length", "0"))
                body = json.loads(self.rfile.read(length) or b"{}").get("body")
                if not isinstance(body, str):
                    return self.reply(422, {"message": "body must be a string"})
            code, doc = self.route(method, url, body)
            with open(STATE, "w") as state:
                json.dump(THREADS, state)
            return self.reply(code, doc)

    def route(self, method, url, body):
        path = url.path
        if GH_THREAD.match(path) or GL_THREAD.match(path):
            comments = thread(path)
            if method == "GET":
                q = parse_qs(url.query)
                per = int(q.get("per_page", ["30"])[0])
                page = int(q.get("page", ["1"])[0])
                return 200, comments[(page - 1) * per : page * per]
            if method == "POST":
                c = {"id": new_id(), "body": body}
                comments.append(c)
                return 201, c
        one = GH_ONE.match(path) if method == "PATCH" else GL_ONE.match(path) if method == "PUT" else None
        if one:
            c = find(int(one.group(2)))
            if c is None:
                return 404, {"message": "Not Found"}
            c["body"] = body
            return 200, c
        return 404, {"message": f"no route for {method} {path}"}

    def do_GET(self):
        self.handle_any("GET")

    def do_POST(self):
        self.handle_any("POST")

    def do_PATCH(self):
        self.handle_any("PATCH")

    def do_PUT(self):
        self.handle_any("PUT")


server = ThreadingHTTPServer(("127.0.0.1", 0), Forge)
with open(PORTFILE + ".tmp", "w") as f:
    f.write(str(server.server_address[1]))
import os  # noqa: E402  (the rename makes the port file appear whole)

os.replace(PORTFILE + ".tmp", PORTFILE)
server.serve_forever()
