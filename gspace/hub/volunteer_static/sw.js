/* The page's service worker (only where the browser allows one: HTTPS, or the hub itself on
   localhost): keeps the page and its files so the link also opens with no connection, and the
   queue on the phone can be added to and sent later. Everything under /v/ is fetched from the
   hub first and taken from the cache only when the hub cannot be reached, so a revoked link
   still shows its message when the hub answers. The API (/v1/) is never cached. */
"use strict";
const CACHE = "gspace-volunteer-1";
const FILES = [
  "/v/assets/app.js", "/v/assets/style.css", "/v/assets/sha256.js", "/v/assets/exif.js",
  "/v/assets/leaflet/leaflet.js", "/v/assets/leaflet/leaflet.css",
];

self.addEventListener("install", (event) => {
  const page = new URL(self.location).searchParams.get("page") || "";
  const wanted = /^\/v\/[A-Za-z0-9_-]+$/.test(page) ? [...FILES, page] : FILES;
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(wanted)));
  self.skipWaiting();
});

self.addEventListener("activate", (event) => event.waitUntil(self.clients.claim()));

self.addEventListener("fetch", (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== "GET" || url.origin !== self.location.origin) return;
  if (!url.pathname.startsWith("/v/")) return;
  event.respondWith(
    fetch(event.request)
      .then((response) => {
        if (response.ok) {
          const copy = response.clone();
          caches.open(CACHE).then((cache) => cache.put(event.request, copy));
        }
        return response;
      })
      .catch(() =>
        caches.match(event.request, { ignoreSearch: true }).then(
          (hit) => hit || Response.error(),
        ),
      ),
  );
});
