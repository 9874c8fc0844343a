// Compile Python to CPython 3.14 bytecode inside the Pyodide the app ships, at build time.
//
// The build machine's Python is another version, and bytecode must come from the very
// interpreter that runs it, so this runs Pyodide in node. It writes sourceless, stored
// zips: the standard library, the pure-Python site (imported straight from the zip), and
// the packages that must sit on the file system (compiled extensions, the assets).
//
//   node compile.mjs PYODIDE_DIR STAGE_DIR OUT_DIR
//     STAGE_DIR/pure/   -> OUT_DIR/site.zip
//     STAGE_DIR/disk/   -> OUT_DIR/disk.zip
//     PYODIDE_DIR/python_stdlib.zip -> OUT_DIR/stdlib.zip (trimmed of what the app never imports)
// and then imports the modules named in PWA_SMOKE from those zips, so a build that would not start fails here.
import { resolve } from "node:path";

const [pyodideDir, stageDir, outDir] = process.argv.slice(2).map((p) => resolve(p));
const { loadPyodide } = await import(resolve(pyodideDir, "pyodide.mjs"));
const pyodide = await loadPyodide({ indexURL: pyodideDir + "/", stdout: () => {}, stderr: (s) => console.error(s) });
pyodide.mountNodeFS("/stage", stageDir);
pyodide.mountNodeFS("/out", outDir);
pyodide.mountNodeFS("/pyodide", pyodideDir);
pyodide.globals.set("DROP_STDLIB", process.env.PWA_DROP_STDLIB || "");
pyodide.globals.set("SMOKE", process.env.PWA_SMOKE || "");
let report;
try {
report = await pyodide.runPythonAsync(`
import importlib.util, io, os, zipfile

def code_of(source, name):
    # Level 2 drops docstrings (most of SQLAlchemy's bytecode) and asserts; nothing here reads either.
    return compile(source, name, "exec", dont_inherit=True, optimize=2)

def pyc(source, name):
    code = code_of(source, name)
    data = importlib._bootstrap_external._code_to_hash_pyc(code, importlib.util.source_hash(source), checked=False)
    return bytes(data)

def write_zip(path, entries):
    # Stored, not deflated: zipimport reads members without inflating, the server compresses the transfer.
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as out:
        for name, data in sorted(entries):
            info = zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0))
            info.external_attr = 0o644 << 16
            out.writestr(info, data)

def tree(root):
    entries = []
    for folder, _dirs, files in os.walk(root):
        for file in files:
            full = os.path.join(folder, file)
            rel = os.path.relpath(full, root)
            data = open(full, "rb").read()
            if file.endswith(".py"):
                entries.append((rel[:-3] + ".pyc", pyc(data, rel)))
            else:
                entries.append((rel, data))
    return entries

drop = tuple(p for p in DROP_STDLIB.split(",") if p)
std = []
with zipfile.ZipFile("/pyodide/python_stdlib.zip") as z:
    for info in z.infolist():
        if info.is_dir() or info.filename.startswith(drop):
            continue
        data = z.read(info)
        if info.filename.endswith(".py"):
            try:
                std.append((info.filename[:-3] + ".pyc", pyc(data, info.filename)))
            except SyntaxError:  # test data written to fail on purpose
                continue
        else:
            std.append((info.filename, data))
write_zip("/out/stdlib.zip", std)
site = tree("/stage/pure")
write_zip("/out/site.zip", site)
disk = tree("/stage/disk")
write_zip("/out/disk.zip", disk)
# Prove the bytecode loads: import the app's modules from the zips just written.
import sys, shutil
shutil.unpack_archive("/out/disk.zip", "/tmp/disk", "zip")
sys.path[0:0] = ["/tmp/disk", "/out/site.zip"]
for name in (n for n in SMOKE.split(",") if n):
    __import__(name)
f"stdlib {len(std)} files, site {len(site)} files, disk {len(disk)} files; imported {SMOKE}"
`);
} catch (error) {
  // Only Python's traceback: node would print the minified runtime's whole source line.
  console.error(error.message || String(error));
  process.exit(1);
}
console.log(report);
