"""The central store: validates, orders and scopes what phones push, and serves their pulls.

    from sync.server import create_app
    app = create_app(settings)        # python -m sync.server serve, for uvicorn
"""

from sync.server.app import create_app

__all__ = ["create_app"]
