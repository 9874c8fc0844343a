"""Build the field app as an offline web app (PWA) into dist/app/: Python in the browser, nothing from a CDN.

    .venv/bin/python scripts/build_pwa.py          # or scripts/build_pwa.sh; --force rebuilds

What it makes, all static files the central store serves at /app/:
- the real app/, views/, the sync client and the protocol (not the server), and pwa/ (the
  browser entry, IndexedDB storage, canvas photo codec), compiled ahead of time to CPython
  3.14 bytecode by the Pyodide that runs them (node pwa/tools/compile.mjs), in a stored zip
  imported as it is, plus a small zip of what needs real files (compiled extensions, assets);
- every dependency as the pinned wheel for Pyodide 314.0.7 from pwa/requirements.txt; a
  package without such a wheel fails the build with its name;
- Pyodide's runtime from flet-web with the standard library compiled and trimmed; Flet's
  prebuilt Flutter client (dart2js + CanvasKit) and its assets, with the bundled CJK font;
- the project's own page, boot script, Python worker, manifest, icons and service worker,
  which precaches the whole shell under a cache named by the build's content hash;
- folders and files named by their content hash where the page names them (so they can be
  cached for a year), and .br/.gz copies of every large file.

The build is skipped when nothing it reads changed (dist/app/build-inputs.txt holds the hash).
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import io
import json
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DIST = ROOT / "dist" / "app"
CACHE = ROOT / "build" / "pwa"
PINS = ROOT / "pwa" / "requirements.txt"
WEB = ROOT / "pwa" / "web"
COMPILER = ROOT / "pwa" / "tools" / "compile.mjs"
PYODIDE_VERSION = "314.0.7"
WHEEL_PLATFORM = "pyemscripten_2026_0_wasm32"
LANGUAGE = "zh-CN"

# The Python the browser runs: the field app's own packages, not the central store.
SOURCES = ("app", "views", "sync/__init__.py", "sync/protocol.py", "sync/service.py", "sync/client", "pwa")
SKIP_SOURCES = ("pwa/web", "pwa/tools", "pwa/requirements.txt")
# Standard library the app never imports: tests, the REPL and debugger, GUI and mail tools.
DROP_STDLIB = ("_pyrepl/", "pdb.py", "pydoc.py", "doctest.py", "xmlrpc/", "mailbox.py", "imaplib.py",
               "pickletools.py", "idlelib/", "turtledemo/", "turtle.py", "tkinter/", "ensurepip/", "venv/",
               "pydoc_data/", "lib2to3/", "test/", "unittest/", "multiprocessing/", "_pydecimal.py", "_pyio.py",
               "_pydatetime.py", "encodings/mac_", "encodings/cp1", "encodings/cp8", "encodings/cp9",
               "encodings/koi8", "encodings/iso8859_", "encodings/kz1048", "encodings/ptcp154",
               "encodings/hp_roman8", "encodings/tis_620", "encodings/palmos", "encodings/cp273",
               "encodings/cp5", "encodings/cp7")
# Parts of packages never imported in the app (SQLAlchemy's other databases and test kit, type stubs).
DROP_PACKAGE = re.compile(r"(^|/)(tests?|__pycache__)/|\.pyi$|py\.typed$|^sqlalchemy/(testing|dialects/"
                          r"(mysql|mssql|oracle|postgresql))/|^sqlalchemy/ext/(mypy|asyncio)/|^sqlalchemy/cyextension/|"
                          r"^pydantic/(v1|experimental)/|^pydantic/mypy\\.py$|^oauthlib/|"
                          # Only httpx's own socket transport uses these; the browser build sends through
                          # fetch (sync/client/_fetch.py), and anyio cannot even be imported in Pyodide.
                          r"^(httpcore|h11|anyio|certifi)/")
# Imported at build time from the compiled zips (in node): a build whose bytecode would not load fails.
SMOKE = ("sqlmodel", "flet", "httpx", "app.issues", "app.viewmodels.capture", "views.shell", "views.main",
         "sync.client", "sync.service", "sync.client._fetch", "pwa._canvas", "pwa._storage")
# Large files get .br and .gz copies; the server sends one when the browser accepts it.
COMPRESS_MIN = 1024
COMPRESSIBLE = (".js", ".mjs", ".wasm", ".zip", ".json", ".html", ".otf", ".ttf", ".frag", ".txt", ".bin")
# (NOTICES, Flutter's licence text, has no suffix and is compressed too.)


class BuildError(Exception):
    pass


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--force", action="store_true", help="rebuild even when nothing changed")
    parser.add_argument("--out", type=Path, default=DIST, help="where the site goes (dist/app)")
    args = parser.parse_args(argv)
    try:
        build(args.out, force=args.force)
    except BuildError as error:
        print(f"build_pwa: {error}", file=sys.stderr)
        return 1
    return 0


def build(out: Path, *, force: bool = False) -> None:
    flet_web = _flet_web_dir()
    inputs = _inputs_hash(flet_web)
    stamp = out / "build-inputs.txt"
    if not force and stamp.is_file() and stamp.read_text().strip() == inputs and (out / "index.html").is_file():
        print(f"build_pwa: {out.relative_to(ROOT) if out.is_relative_to(ROOT) else out} is up to date")
        return
    pyodide = flet_web / "pyodide"
    if json.loads((pyodide / "package.json").read_text())["version"] != PYODIDE_VERSION:
        raise BuildError(f"flet-web ships another Pyodide than {PYODIDE_VERSION}: update PYODIDE_VERSION and the pins")
    wheels = download_wheels()
    with tempfile.TemporaryDirectory(prefix="pwa-") as tmp:
        tmp = Path(tmp)
        stage = tmp / "stage"
        _stage_python(stage, wheels)
        compiled = tmp / "compiled"
        compiled.mkdir()
        _compile(pyodide, stage, compiled)
        site = tmp / "site"
        _assemble(site, flet_web, compiled)
        _compress(site)
        if out.exists():
            shutil.rmtree(out)
        out.parent.mkdir(parents=True, exist_ok=True)
        shutil.copytree(site, out)
    stamp.write_text(inputs + "\n")
    total = sum(p.stat().st_size for p in out.rglob("*") if p.is_file() and p.suffix not in (".br", ".gz"))
    print(f"build_pwa: built {out} ({total / 1e6:.1f} MB before compression)")


# -- inputs ----------------------------------------------------------------------------------------------------------
def _flet_web_dir() -> Path:
    try:
        import flet_web
    except ImportError:
        raise BuildError("flet-web is not installed: run scripts/setup.sh") from None
    return Path(flet_web.__file__).parent / "web"


def _source_files() -> list[Path]:
    files = []
    for name in SOURCES:
        path = ROOT / name
        candidates = [path] if path.is_file() else sorted(path.rglob("*"))
        for file in candidates:
            rel = file.relative_to(ROOT).as_posix()
            if file.is_file() and "__pycache__" not in rel and not rel.startswith(SKIP_SOURCES) and file.suffix != ".pyc":
                files.append(file)
    return files


# The quiz's question banks hold the answers: only the central store reads them, never a phone.
CENTRAL_ONLY_ASSETS = ("question_banks",)


def _asset_files() -> list[Path]:
    return sorted(p for p in (ROOT / "assets").rglob("*") if p.is_file() and "__pycache__" not in p.parts
                  and p.suffix != ".pyc" and p.relative_to(ROOT / "assets").parts[0] not in CENTRAL_ONLY_ASSETS)


def _inputs_hash(flet_web: Path) -> str:
    digest = hashlib.sha256()
    own = [*_source_files(), *_asset_files(), *sorted(WEB.rglob("*")), COMPILER, PINS, Path(__file__)]
    for file in own:
        if file.is_file():
            digest.update(file.relative_to(ROOT).as_posix().encode() + b"\0" + file.read_bytes() + b"\0")
    # The client and runtime come from the installed flet-web: its version and file sizes name them.
    for file in sorted(flet_web.rglob("*")):
        if file.is_file():
            digest.update(f"{file.relative_to(flet_web)}:{file.stat().st_size}\n".encode())
    return digest.hexdigest()


# -- wheels ----------------------------------------------------------------------------------------------------------
def _pins() -> list[str]:
    return [line.split("#")[0].strip() for line in PINS.read_text().splitlines() if line.split("#")[0].strip()]


def download_wheels() -> Path:
    """Download the pinned wheels for Pyodide once (cached by the pins' hash); name any package that has none."""
    pins = _pins()
    key = hashlib.sha256("\n".join(pins).encode()).hexdigest()[:16]
    target = CACHE / f"wheels-{key}"
    if (target / ".complete").is_file():
        return target
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    missing = [pin for pin in pins if not _download(pin, target)]
    if missing:
        raise BuildError("no wheel for Pyodide " + PYODIDE_VERSION + f" ({WHEEL_PLATFORM} or pure Python) on the "
                         "package index for: " + ", ".join(missing))
    (target / ".complete").write_text("\n".join(pins) + "\n")
    return target


def _download(pin: str, target: Path) -> bool:
    command = [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--only-binary=:all:",
               "--platform", WHEEL_PLATFORM, "--platform", "any", "--python-version", "3.14",
               "--implementation", "cp", "--abi", "cp314", "--abi", "abi3", "--abi", "none",
               "--dest", str(target), pin]
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        print(result.stderr.strip().splitlines()[-1] if result.stderr.strip() else pin, file=sys.stderr)
    return result.returncode == 0


# -- Python --------------------------------------------------------------------------------------------------------
def _stage_python(stage: Path, wheels: Path) -> None:
    """Lay out what the browser imports: pure/ is imported from a zip, disk/ is unpacked to files."""
    pure, disk = stage / "pure", stage / "disk"
    for file in _source_files():
        if file.suffix == ".py":
            _copy(file, pure / file.relative_to(ROOT))
    for file in _asset_files():
        rel = file.relative_to(ROOT).as_posix()
        # The font and icons are served as web files (the watermark loads the font from there).
        if rel.startswith(("assets/fonts/", "assets/icons/", "assets/assets/")) or rel in (
                "assets/favicon.png", "assets/manifest.json"):
            continue
        _copy(file, disk / rel)
    for wheel in sorted(wheels.glob("*.whl")):
        with zipfile.ZipFile(wheel) as z:
            names = [n for n in z.namelist() if not n.endswith("/")]
            native = {n.split("/")[0] for n in names if n.endswith(".so")}
            for name in names:
                top = name.split("/")[0]
                if top.endswith(".dist-info"):
                    if not name.endswith(("/METADATA", "/entry_points.txt")):
                        continue
                elif DROP_PACKAGE.search(name):
                    continue
                dest = (disk if top in native or (top.endswith(".so")) else pure) / name
                dest.parent.mkdir(parents=True, exist_ok=True)
                dest.write_bytes(z.read(name))


def _copy(src: Path, dest: Path) -> None:
    dest.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(src, dest)


def _compile(pyodide: Path, stage: Path, out: Path) -> None:
    node = shutil.which("node")
    if node is None:
        raise BuildError("node is needed to compile the bytecode (Debian: apt-get install nodejs)")
    env = {"PATH": "/usr/bin:/bin", "PWA_DROP_STDLIB": ",".join(DROP_STDLIB), "PWA_SMOKE": ",".join(SMOKE)}
    result = subprocess.run([node, str(COMPILER), str(pyodide), str(stage), str(out)], capture_output=True,
                            text=True, env=env)
    if result.returncode != 0:
        raise BuildError(f"compiling the bytecode failed:\n{result.stderr[-4000:]}")
    print(f"build_pwa: {result.stdout.strip()}")


# -- the site --------------------------------------------------------------------------------------------------------
def _hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:12]


def _tree_hash(files: dict[str, bytes]) -> str:
    digest = hashlib.sha256()
    for name in sorted(files):
        digest.update(name.encode() + b"\0" + files[name] + b"\0")
    return digest.hexdigest()[:12]


def _assemble(site: Path, flet_web: Path, compiled: Path) -> None:
    site.mkdir()
    catalog = _catalog(LANGUAGE)

    def put(rel: str, data: bytes) -> str:
        _write(site / rel, data)
        return rel

    # Pyodide with the compiled standard library; the lock file lists no packages: none is ever loaded.
    pyodide = flet_web / "pyodide"
    lock = json.loads((pyodide / "pyodide-lock.json").read_text())
    runtime = {"pyodide.mjs": (pyodide / "pyodide.mjs").read_bytes(),
               "pyodide.asm.mjs": (pyodide / "pyodide.asm.mjs").read_bytes(),
               "pyodide.asm.wasm": (pyodide / "pyodide.asm.wasm").read_bytes(),
               "pyodide-lock.json": json.dumps({"info": lock["info"], "packages": {}}).encode(),
               "python_stdlib.zip": (compiled / "stdlib.zip").read_bytes()}
    pyodide_dir = f"pyodide-{_tree_hash(runtime)}"
    for name, data in runtime.items():
        put(f"{pyodide_dir}/{name}", data)

    # Flet's prebuilt Flutter client (dart2js + CanvasKit) and the assets its engine loads.
    font = (ROOT / "assets" / "fonts" / "NotoSansSC-Lianluo.otf").read_bytes()
    flutter = {"main.dart.js": (flet_web / "main.dart.js").read_bytes(),
               "assets/FontManifest.json": json.dumps(_font_manifest()).encode(),
               "assets/fonts/MaterialIcons-Regular.otf": (flet_web / "assets/fonts/MaterialIcons-Regular.otf").read_bytes(),
               "assets/fonts/NotoSansSC-Lianluo.otf": font,
               "assets/fonts/roboto.woff2": (flet_web / "assets/fonts/roboto.woff2").read_bytes(),
               "assets/AssetManifest.bin": (flet_web / "assets/AssetManifest.bin").read_bytes(),
               "assets/AssetManifest.bin.json": (flet_web / "assets/AssetManifest.bin.json").read_bytes(),
               "assets/NOTICES": (flet_web / "assets/NOTICES").read_bytes()}
    for shader in sorted((flet_web / "assets" / "shaders").glob("*")):
        flutter[f"assets/shaders/{shader.name}"] = shader.read_bytes()
    flutter_dir = f"flutter-{_tree_hash(flutter)}"
    for name, data in flutter.items():
        put(f"{flutter_dir}/{name}", data)
    renderers_src = {"full": ["canvaskit.js", "canvaskit.wasm"],
                     "chromium": ["chromium/canvaskit.js", "chromium/canvaskit.wasm"]}
    canvaskit = {name: (flet_web / "canvaskit" / name).read_bytes() for names in renderers_src.values()
                 for name in names}
    canvaskit_dir = f"canvaskit-{_tree_hash(canvaskit)}"
    for name, data in canvaskit.items():
        put(f"{canvaskit_dir}/{name}", data)

    # The app: compiled Python, imported from the zip; the part that needs files, unpacked.
    site_zip = (compiled / "site.zip").read_bytes()
    disk_zip = (compiled / "disk.zip").read_bytes()
    site_name = put(f"python/site.{_hash(site_zip)}.zip", site_zip)
    disk_name = put(f"python/disk.{_hash(disk_zip)}.zip", disk_zip)

    worker = (WEB / "worker.js").read_bytes()
    worker_name = put(f"worker.{_hash(worker)}.js", worker)
    bootstrap = _flutter_bootstrap(flet_web, flutter_dir, canvaskit_dir)
    bootstrap_name = put(f"flutter_bootstrap.{_hash(bootstrap)}.js", bootstrap)
    boot = (WEB / "boot.js").read_bytes()
    boot_name = put(f"boot.{_hash(boot)}.js", boot)

    text = {k: v for k, v in catalog.items() if k.startswith("pwa.")}
    config = {"text": text, "worker": worker_name, "bootstrap": bootstrap_name,
              "python": {"pyodide": f"./{pyodide_dir}/pyodide.mjs", "stdlib": f"./{pyodide_dir}/python_stdlib.zip",
                         "site": site_name, "disk": disk_name,
                         "font": f"{flutter_dir}/assets/fonts/NotoSansSC-Lianluo.otf"}}
    flet_config = {"pyodide": True, "multiView": False, "noCdn": True, "webSocketEndpoint": "/ws",
                   "entrypointBaseUrl": f"{flutter_dir}/", "assetBase": f"{flutter_dir}/",
                   "routeUrlStrategy": "hash", "canvasKitBaseUrl": f"{canvaskit_dir}/",
                   "pyodideUrl": config["python"]["pyodide"], "webRenderer": "canvaskit",
                   "fontFallbackBaseUrl": f"{flutter_dir}/assets/fonts/", "appPackageUrl": ""}
    page = (WEB / "index.html").read_text()
    for key, value in {"LANG": LANGUAGE, "TITLE": _escape(catalog["app.title"]),
                       "DESCRIPTION": _escape(catalog["app.description"]), "LOADING": _escape(text["pwa.loading"]),
                       "CONFIG": _script_json(config), "FLET": _script_json(flet_config), "BOOT": boot_name}.items():
        page = page.replace("{{" + key + "}}", value)
    put("index.html", page.encode())

    # The app's own manifest, icons and favicon.
    put("manifest.json", (ROOT / "assets" / "manifest.json").read_bytes())
    put("favicon.png", (ROOT / "assets" / "favicon.png").read_bytes())
    for icon in sorted((ROOT / "assets" / "icons").glob("*.png")):
        put(f"icons/{icon.name}", icon.read_bytes())

    # The service worker: every file but the renderer this browser does not use, under one versioned cache.
    renderer_files = {kind: [f"{canvaskit_dir}/{n}" for n in names] for kind, names in renderers_src.items()}
    everything = sorted(p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_file())
    lazy = {f"{flutter_dir}/assets/NOTICES"}  # only the licences page reads it
    core = ["./"] + [f for f in everything if f not in lazy and not any(f in v for v in renderer_files.values())
                     and f != "index.html"]
    version = _tree_hash({f: (site / f).read_bytes() for f in everything})
    worker_js = (WEB / "sw.js").read_text()
    worker_js = (worker_js.replace("{{VERSION}}", version).replace("{{CORE}}", json.dumps(core, indent=0))
                 .replace("{{RENDERERS}}", json.dumps(renderer_files)))
    put("sw.js", worker_js.encode())
    put("version.json", json.dumps({"version": version}).encode())


def _font_manifest() -> list[dict]:
    """Only the fonts the app draws with: Material icons and the bundled Noto Sans SC."""
    return [{"family": "MaterialIcons", "fonts": [{"asset": "fonts/MaterialIcons-Regular.otf"}]},
            {"family": "NotoSansSC", "fonts": [{"asset": "fonts/NotoSansSC-Lianluo.otf"}]},
            # Flet's client draws some of its own text in Roboto and asks for it by this name.
            {"family": "Roboto", "fonts": [{"asset": "fonts/roboto.woff2"}]}]


def _flutter_bootstrap(flet_web: Path, flutter_dir: str, canvaskit_dir: str) -> bytes:
    """Flutter's loader from flet-web, started without Flutter's (self-unregistering) service worker."""
    source = (flet_web / "flutter_bootstrap.js").read_text()
    loader_end = source.index("//# sourceMappingURL=flutter.js.map")
    loader = source[:loader_end]
    revision = re.search(r'"engineRevision":"([0-9a-f]+)"', source)
    if revision is None:
        raise BuildError("flet-web's flutter_bootstrap.js has no engineRevision: the client changed")
    build_config = {"engineRevision": revision.group(1), "useLocalCanvasKit": True,
                    "builds": [{"compileTarget": "dart2js", "renderer": "canvaskit", "mainJsPath": "main.dart.js"}]}
    config = {"multiViewEnabled": False, "entrypointBaseUrl": f"{flutter_dir}/", "assetBase": f"{flutter_dir}/",
              "canvasKitBaseUrl": f"{canvaskit_dir}/", "fontFallbackBaseUrl": f"{flutter_dir}/assets/fonts/",
              "renderer": "canvaskit"}
    tail = f"""
if (!window._flutter) {{ window._flutter = {{}}; }}
_flutter.buildConfig = {json.dumps(build_config)};
var flutterConfig = {json.dumps(config)};
_flutter.loader.load({{
  config: flutterConfig,
  onEntrypointLoaded: async function (engineInitializer) {{
    const engine = await engineInitializer.initializeEngine(flutterConfig);
    flet.flutterApp = await engine.runApp();
    flet.flutterAppResolve(flet.flutterApp);
  }}
}});
"""
    return (loader + tail).encode()


def _catalog(language: str) -> dict[str, str]:
    merged: dict[str, str] = {}
    for file in sorted((ROOT / "assets" / "i18n" / language).glob("*.json")):
        merged.update(json.loads(file.read_text(encoding="utf-8")))
    return merged


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def _script_json(value) -> str:
    return json.dumps(value, ensure_ascii=False).replace("</", "<\\/")


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def _compress(site: Path) -> None:
    """Write .gz (stdlib) and .br (node's zlib) copies of every large compressible file, cached by content."""
    store = CACHE / "compressed"
    store.mkdir(parents=True, exist_ok=True)
    files = [p for p in site.rglob("*") if p.is_file() and (p.suffix in COMPRESSIBLE or p.name == "NOTICES")
             and p.stat().st_size >= COMPRESS_MIN]
    todo: list[tuple[Path, Path]] = []
    for file in files:
        data = file.read_bytes()
        key = hashlib.sha256(data).hexdigest()
        gz, br = store / f"{key}.gz", store / f"{key}.br"
        if not gz.is_file():
            buffer = io.BytesIO()
            with gzip.GzipFile(fileobj=buffer, mode="wb", compresslevel=9, mtime=0) as out:
                out.write(data)
            gz.write_bytes(buffer.getvalue())
        shutil.copyfile(gz, file.with_name(file.name + ".gz"))
        if not br.is_file():
            todo.append((file, br))
    if todo:
        script = ("const fs=require('fs'),z=require('zlib');const a=process.argv.slice(1);"
                  "for(let i=0;i<a.length;i+=2){const d=fs.readFileSync(a[i]);fs.writeFileSync(a[i+1]+'.tmp',"
                  "z.brotliCompressSync(d,{params:{[z.constants.BROTLI_PARAM_QUALITY]:11,"
                  "[z.constants.BROTLI_PARAM_SIZE_HINT]:d.length}}));fs.renameSync(a[i+1]+'.tmp',a[i+1])}")
        result = subprocess.run(["node", "-e", script, *[str(x) for pair in todo for x in pair]],
                                capture_output=True, text=True)
        if result.returncode != 0:
            raise BuildError(f"brotli compression failed: {result.stderr[-2000:]}")
    for file in files:
        key = hashlib.sha256(file.read_bytes()).hexdigest()
        shutil.copyfile(store / f"{key}.br", file.with_name(file.name + ".br"))
        for suffix in (".br", ".gz"):  # a copy that saves nothing is not worth a lookup
            copy = file.with_name(file.name + suffix)
            if copy.stat().st_size >= file.stat().st_size * 0.95:
                copy.unlink()


if __name__ == "__main__":
    sys.exit(main())
