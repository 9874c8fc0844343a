// The page side of the browser build: one tab at a time, the Python worker started at once,
// Flutter's engine loaded beside it, the replica flushed when the page is hidden, the service
// worker registered once the app runs, and notices for updates and storage problems.
(function () {
  "use strict";
  var L = window.lianluo, T = L.text;
  var worker = null, workerReady = null, dartOnMessage = null, onConnected = null;

  function text(key, params) {
    var s = T[key] || key;
    for (var name in params || {}) s = s.split("{" + name + "}").join(params[name]);
    return s;
  }

  function notice(id, key, options) {
    options = options || {};
    var box = document.getElementById("lianluo-notices");
    var old = document.getElementById(id);
    if (old) old.remove();
    var el = document.createElement("div");
    el.id = id;
    el.className = "lianluo-notice " + (options.kind || "");
    el.setAttribute("role", options.kind === "warning" ? "alert" : "status");
    var span = document.createElement("span");
    span.textContent = text(key, options.params);
    el.appendChild(span);
    (options.buttons || [["pwa.dismiss", function () { el.remove(); }]]).forEach(function (b) {
      var button = document.createElement("button");
      button.type = "button";
      button.textContent = text(b[0]);
      button.addEventListener("click", b[1]);
      el.appendChild(button);
    });
    box.appendChild(el);
    return el;
  }
  function clearNotice(id) { var el = document.getElementById(id); if (el) el.remove(); }

  function startFailed(reason) {
    var loading = document.getElementById("loading-text");
    if (loading) loading.textContent = text("pwa.start_failed", { reason: reason });
    console.error("Lianluo failed to start:", reason);
  }

  function onWorkerMessage(event) {
    var data = event.data;
    if (data instanceof Uint8Array) { if (dartOnMessage) dartOnMessage(data); return; }
    if (!data || !data.lianluo) return;
    if (data.lianluo === "ready") { workerReady.resolve(data); }
    else if (data.lianluo === "error") { workerReady.reject(data.message); startFailed(data.message); }
    else if (data.lianluo === "connected") { if (onConnected) onConnected(); }
    else if (data.lianluo === "storage") { storageProblem(data.problem); }
    else if (data.lianluo === "timing") { window.lianluoTiming = Object.assign(window.lianluoTiming || {}, data.timing); }
  }

  function startWorker() {
    var resolve, reject;
    workerReady = new Promise(function (a, b) { resolve = a; reject = b; });
    workerReady.resolve = resolve; workerReady.reject = reject;
    workerReady.catch(function () {});
    worker = new Worker(L.worker, { type: "module" });
    worker.onmessage = onWorkerMessage;
    worker.onerror = function (e) { startFailed(e.message || "worker"); };
    worker.postMessage({ lianluo: "init", config: Object.assign({ documentUrl: document.URL }, L.python) });
  }

  // Flet's client calls these three (flet.pyodide is true): the worker is already starting.
  globalThis.jsConnect = async function (appId, args, onMessage) {
    dartOnMessage = onMessage;
    await workerReady;
    await new Promise(function (resolve) { onConnected = resolve; worker.postMessage({ lianluo: "connect" }); });
  };
  globalThis.jsSend = async function (appId, data) { worker.postMessage(data, [data.buffer]); };
  globalThis.jsDisconnect = async function () {};

  function flush() { if (worker) worker.postMessage({ lianluo: "flush" }); }
  window.addEventListener("pagehide", flush);
  document.addEventListener("visibilitychange", function () { if (document.visibilityState === "hidden") flush(); });
  window.addEventListener("flutter-first-frame", function () {
    var el = document.getElementById("loading"); if (el) el.remove();
    window.lianluoFirstFrame = performance.now();
  }, { once: true });

  function startFlutter() {
    var script = document.createElement("script");
    script.src = L.bootstrap;
    script.async = true;
    document.body.appendChild(script);
  }

  function storageProblem(problem) {
    if (!problem) { clearNotice("lianluo-storage"); return; }
    notice("lianluo-storage", problem === "quota" ? "pwa.quota" : "pwa.storage_failed", { kind: "warning", buttons: [] });
  }

  async function askPersistence() {
    if (!navigator.storage || !navigator.storage.persist) return;
    try {
      var kept = (await navigator.storage.persisted()) || (await navigator.storage.persist());
      if (!kept && !localStorage.getItem("lianluo.persist_told")) {
        localStorage.setItem("lianluo.persist_told", "1");
        var el = notice("lianluo-persist", "pwa.persist_refused");
        setTimeout(function () { el.remove(); }, 15000);
      }
    } catch (e) { console.warn("storage.persist", e); }
  }

  function registerServiceWorker() {
    if (!("serviceWorker" in navigator)) return;
    var updating = false;
    // The first install also takes control of the page (clients.claim): reload only for an update asked for.
    navigator.serviceWorker.addEventListener("controllerchange", function () {
      if (!updating) return;
      updating = false;
      window.location.reload();
    });
    function offer(waiting) {
      notice("lianluo-update", "pwa.update_ready", { buttons: [["pwa.update_now", function () {
        updating = true;
        flush();
        setTimeout(function () { waiting.postMessage("skipWaiting"); }, 300);
      }], ["pwa.dismiss", function () { clearNotice("lianluo-update"); }]] });
    }
    navigator.serviceWorker.register("sw.js", { scope: "./" }).then(function (reg) {
      if (reg.waiting && navigator.serviceWorker.controller) offer(reg.waiting);
      reg.addEventListener("updatefound", function () {
        var installing = reg.installing;
        installing.addEventListener("statechange", function () {
          if (installing.state === "installed" && navigator.serviceWorker.controller) offer(installing);
        });
      });
      // A phone keeps the app open for days: look for a new build now and then.
      setInterval(function () { reg.update().catch(function () {}); }, 30 * 60 * 1000);
    }).catch(function (e) { console.warn("service worker", e); });
  }

  function start() {
    clearNotice("lianluo-other-tab");
    var loading = document.getElementById("loading-text");
    if (loading) loading.textContent = text("pwa.loading");
    window.lianluoStart = performance.now();
    startWorker();
    startFlutter();
    // The service worker precaches once the app is up: from the HTTP cache, not a second download.
    Promise.all([workerReady, flet.flutterAppLoaded]).then(function () {
      registerServiceWorker();
      askPersistence();
    }, function () { registerServiceWorker(); });
  }

  if (typeof Worker === "undefined") { startFailed(text("pwa.no_worker")); return; }
  // Each tab would run its own Python on its own copy of the replica and overwrite the other's:
  // one tab at a time; a second one says why it waits and opens when the first one closes.
  if (navigator.locks && navigator.locks.request) {
    navigator.locks.request("lianluo-replica", { ifAvailable: true }, function (lock) {
      if (lock) { start(); return new Promise(function () {}); }
      var loading = document.getElementById("loading-text");
      if (loading) loading.textContent = text("pwa.other_tab");
      notice("lianluo-other-tab", "pwa.other_tab", { kind: "waiting", buttons: [] });
      return navigator.locks.request("lianluo-replica", function () { start(); return new Promise(function () {}); });
    });
  } else {
    start();
  }
})();
