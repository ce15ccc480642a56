"""Browser libraries installed from the npm registry (package.json), served from node_modules."""

from __future__ import annotations

from flask import Flask, abort, send_from_directory

from server.config import ROOT

FILES = {"socket.io.min.js": ROOT / "node_modules" / "socket.io-client" / "dist",
         "echarts.min.js": ROOT / "node_modules" / "echarts" / "dist"}


def register(app: Flask) -> None:
    @app.get("/vendor/<name>")
    def vendor(name: str):
        folder = FILES.get(name)
        if folder is None or not (folder / name).exists():
            abort(404)
        return send_from_directory(folder, name, max_age=3600)
