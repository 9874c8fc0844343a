"""The app's data files: translation catalogs, the bundled font, icons, the web manifest.

A package only so that the wheel ships them and ``importlib.resources`` finds them;
read them through ``app.assets``.
"""
