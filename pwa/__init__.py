"""The field app as an offline web app: Python in the phone's browser (Pyodide) on its own local store.

`main` is the entry the browser build runs (scripts/build_pwa.py packs it with app/, views/
and the sync client); `_storage` keeps the replica on IndexedDB; `_canvas` processes photos
with the browser's own image codecs. Nothing here is imported outside the browser build.
"""
