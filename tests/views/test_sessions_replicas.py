"""Served to browsers, each browser is a device: its own key, replica, photos and sync; a phone keeps one."""

from __future__ import annotations

import asyncio

import flet as ft
import pytest

from app.reference import stable_id
from app.store import get_meta
from app.viewmodels.context import USER_KEY, AppContext
from views import main as app_main
from views.main import BROWSER_KEY, Replicas, browser_key


class Prefs:
    """The browser's client storage, as ft.SharedPreferences answers."""

    def __init__(self, held: dict | None = None):
        self.held = dict(held or {})

    def __call__(self):  # stands in for the class: SharedPreferences() gives this storage
        return self

    async def get(self, key):
        return self.held.get(key)

    async def set(self, key, value):
        self.held[key] = value
        return True


def signed_in(replica) -> str | None:
    with AppContext(replica.engine, replica.photos, replica.settings).session() as session:
        return get_meta(session, USER_KEY) or None


def test_each_browser_key_opens_its_own_replica_lazily(settings):
    replicas = Replicas(settings, per_browser=True)

    async def main():
        first, again, other = await replicas.get("a" * 43), await replicas.get("a" * 43), await replicas.get("b" * 43)
        return first, again, other

    assert not (settings.data_dir / "browsers").exists()  # nothing is opened before a browser comes
    first, again, other = asyncio.run(main())
    assert first is again and first is not other
    assert first.settings.local_db_path == settings.data_dir / "browsers" / ("a" * 43) / "lianluo.sqlite3"
    assert first.photos.root != other.photos.root and first.syncer is not other.syncer
    assert first.syncer.client.device_id != other.syncer.client.device_id  # two devices to the server
    # A fresh browser has nobody signed in: the login screen.
    assert signed_in(first) is None and signed_in(other) is None
    AppContext(first.engine, first.photos, first.settings).sign_in_locally(stable_id("person", "deputy-wang"))
    assert signed_in(first) == stable_id("person", "deputy-wang") and signed_in(other) is None


def test_a_phone_a_pc_and_the_demo_keep_one_replica(settings):
    async def main():
        alone = Replicas(settings, demo=True, demo_user="office-ma")
        return await alone.get(None), await alone.get(None)

    one, same = asyncio.run(main())
    assert one is same and one.syncer is None and one.settings.data_dir == settings.data_dir
    assert signed_in(one) == stable_id("person", "office-ma")  # --demo picks the demo user, as before


def test_the_browser_key_is_minted_once_and_kept(monkeypatch):
    prefs = Prefs()
    monkeypatch.setattr(ft, "SharedPreferences", prefs)
    first = asyncio.run(browser_key(None))
    assert prefs.held[BROWSER_KEY] == first and len(first) >= 40
    assert asyncio.run(browser_key(None)) == first  # a reload: the same browser, the same device


@pytest.mark.parametrize("held", ["../../etc", "short", 42, ""])
def test_a_key_that_is_not_ours_is_replaced(monkeypatch, held):
    prefs = Prefs({BROWSER_KEY: held})
    monkeypatch.setattr(ft, "SharedPreferences", prefs)
    key = asyncio.run(browser_key(None))
    assert key != held and app_main.BROWSER_KEY_FORMAT.fullmatch(key) and prefs.held[BROWSER_KEY] == key
