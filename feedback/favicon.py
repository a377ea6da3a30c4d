"""/favicon.ico: browsers ask for it on every site whether a page links an icon or not."""

from flask import Flask, current_app, send_from_directory

ONE_WEEK = 7 * 24 * 60 * 60


def favicon():
    return send_from_directory(
        current_app.static_folder, "favicon.ico", mimetype="image/x-icon", max_age=ONE_WEEK
    )


def init_app(app: Flask) -> None:
    app.add_url_rule("/favicon.ico", endpoint="favicon", view_func=favicon, methods=["GET"])
