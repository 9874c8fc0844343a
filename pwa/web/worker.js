// The Python worker of the browser build: Pyodide, the app's archives, the replica on IndexedDB.
//
// Started by boot.js as the page opens, in parallel with Flutter's engine. It loads Pyodide
// with the build's own compiled standard library, puts the app's zip on sys.path, unpacks the
// packages that need real files, mounts /data on IDBFS and reads it back, then runs pwa.main,
// which opens the store and registers Flet's connection. When Flet's client connects, the
// connection starts. After commits the replica is written back, coalesced over 200 ms, and at
// once when the page asks (hidden, closing).
let pyodide = null, FS = null, flushTimer = null, flushing = false, again = false, problem = null;
const fletJs = {};
const timing = {};
const mark = (name) => { timing[name] = Math.round(performance.now()); };

function syncfs(populate) {
  return new Promise((resolve, reject) => FS.syncfs(populate, (err) => (err ? reject(err) : resolve())));
}

function problemOf(error) {
  const text = String((error && (error.name || "")) + " " + (error && (error.message || error)));
  return /quota/i.test(text) ? "quota" : "failed";
}

async function flush() {
  if (!FS) return;
  if (flushing) { again = true; return; }
  flushing = true;
  try {
    await syncfs(false);
    if (problem) { problem = null; self.postMessage({ lianluo: "storage", problem: null }); }
  } catch (error) {
    // The data is still in this worker's memory: keep it, say so, and try again at the next commit.
    problem = problemOf(error);
    console.error("IndexedDB write-back failed", error);
    self.postMessage({ lianluo: "storage", problem });
  } finally {
    flushing = false;
    if (again) { again = false; flush(); }
  }
}

const bridge = {
  persist_soon() {
    if (flushTimer !== null) return;
    flushTimer = setTimeout(() => { flushTimer = null; flush(); }, 200);
  },
  flush_now() {
    if (flushTimer !== null) { clearTimeout(flushTimer); flushTimer = null; }
    flush();
  },
};

async function fetchBytes(url) {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`HTTP ${response.status} ${url}`);
  return new Uint8Array(await response.arrayBuffer());
}

async function init(config) {
  mark("worker_start");
  bridge.server_url = config.serverUrl || self.location.origin;
  bridge.font_url = new URL(config.font, self.location.href).href;
  fletJs.documentUrl = config.documentUrl;
  const site = fetchBytes(config.site);
  const disk = fetchBytes(config.disk);
  const { loadPyodide } = await import(config.pyodide);
  pyodide = await loadPyodide({
    indexURL: new URL(".", new URL(config.pyodide, self.location.href)).href,
    stdLibURL: config.stdlib,
    env: { HOME: "/home/pyodide", PYTHONDONTWRITEBYTECODE: "1" },
    stdout: (s) => console.log(s),
    stderr: (s) => console.error(s),
  });
  mark("pyodide_loaded");
  FS = pyodide.FS;
  FS.mkdirTree("/lianluo");
  FS.writeFile("/lianluo/site.zip", await site);
  pyodide.unpackArchive(await disk, "zip", { extractDir: "/lianluo/disk" });
  FS.mkdirTree("/data");
  FS.mount(FS.filesystems.IDBFS, {}, "/data");
  await syncfs(true);
  mark("store_read");
  pyodide.registerJsModule("lianluo_js", bridge);
  pyodide.registerJsModule("flet_js", fletJs);
  await pyodide.runPythonAsync(`
import sys
sys.path[0:0] = ["/lianluo/disk", "/lianluo/site.zip"]
import runpy
runpy.run_module("pwa.main", run_name="__main__")
`);
  mark("app_imported");
  if (typeof fletJs.start_connection !== "function") throw new Error("pwa.main did not start Flet");
}

function receive(message) {
  const bytes = message.toJs();
  self.postMessage(bytes, [bytes.buffer]);
}

let started = null;
self.onmessage = async (event) => {
  const data = event.data;
  if (data && data.lianluo === "init") {
    started = init(data.config).then(
      () => self.postMessage({ lianluo: "ready" }),
      (error) => self.postMessage({ lianluo: "error", message: String((error && error.message) || error) }));
  } else if (data && data.lianluo === "connect") {
    await started;
    await fletJs.start_connection(receive);
    mark("connected");
    self.postMessage({ lianluo: "connected" });
    self.postMessage({ lianluo: "timing", timing });
  } else if (data && data.lianluo === "flush") {
    bridge.flush_now();
  } else if (typeof fletJs.send === "function") {
    fletJs.send(data);
  }
};
