// The browser build's service worker: the whole shell of one build in one cache named by its
// content hash. A new build installs beside the old one and waits until the page says
// "update now"; then the old cache goes. The page, the Python archives and the engine always
// come from the same build, so a stale worker never serves a page that does not match them.
const VERSION = "{{VERSION}}";
const CACHE = `lianluo-${VERSION}`;
const CORE = {{CORE}};
// Flutter picks one CanvasKit build per browser: precache the one this browser will use.
const RENDERERS = {{RENDERERS}};

function renderer() {
  const chromium = typeof Intl.v8BreakIterator !== "undefined" && typeof Intl.Segmenter !== "undefined";
  return chromium ? "chromium" : "full";
}

self.addEventListener("install", (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open(CACHE);
    await cache.addAll([...CORE, ...RENDERERS[renderer()]]);
    if (!self.registration.active) await self.skipWaiting(); // the first install: nothing to replace
  })());
});

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    for (const key of await caches.keys()) {
      if (key.startsWith("lianluo-") && key !== CACHE) await caches.delete(key);
    }
    await self.clients.claim();
  })());
});

self.addEventListener("message", (event) => {
  if (event.data === "skipWaiting") self.skipWaiting();
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  const scope = new URL(self.registration.scope);
  // The API, and anything else outside the app's folder, goes to the network untouched.
  if (url.origin !== scope.origin || !url.pathname.startsWith(scope.pathname)) return;
  event.respondWith((async () => {
    const cache = await caches.open(CACHE);
    const page = request.mode === "navigate" || url.pathname === scope.pathname;
    // The page is cached under the folder's own address ("./"); hash routes never reach the server.
    const hit = await cache.match(page ? scope.href : request, { ignoreSearch: true });
    if (hit) return hit;
    // Flutter asks for fallback fonts the build does not ship (glyphs missing from the bundled
    // subset): answer here rather than over a network that is usually not there.
    if (url.pathname.includes("/assets/fonts/") && !CORE.some((f) => url.pathname.endsWith(f))) {
      return new Response("", { status: 404, statusText: "Not in this build" });
    }
    const response = await fetch(request);
    // Shell files fetched only now (another renderer, the licences page): keep them too.
    if (response.ok && response.type === "basic" && !url.pathname.endsWith("sw.js")) {
      cache.put(request, response.clone());
    }
    return response;
  })());
});
