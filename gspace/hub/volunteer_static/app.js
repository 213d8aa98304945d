/* The volunteer page: compose a report (photos, comment, category, location), keep it in this
   phone's IndexedDB, and send what is queued whenever the hub answers: when the page opens,
   when the browser says it is online again, and every few seconds while something waits.
   Photos go in chunks that resume (the hub's volunteer uploads); each report carries an id made
   here, so a report resent after a lost answer is never made twice. Text from people is only
   ever shown with textContent. */
"use strict";
(function () {
  const invite = decodeURIComponent(location.pathname.split("/")[2] || "");
  const incident = document.body.dataset.incident;
  const TOKEN_KEY = "gspace-volunteer-token:" + invite;
  const CHUNK = 512 * 1024;
  const RETRY_MS = 4000;
  const $ = (id) => document.getElementById(id);
  const categories = JSON.parse($("categories").textContent);
  let token = localStorage.getItem(TOKEN_KEY);
  let picked = []; // {file, gps}
  let place = null; // {lat, lon, source, accuracy}
  let map = null, marker = null;
  let busy = false;

  class HttpError extends Error {
    constructor(status, detail) { super(detail); this.status = status; }
  }

  function notice(text) {
    $("notice").textContent = text;
    $("notice").hidden = !text;
  }

  // -- the queue (IndexedDB) ------------------------------------------------------------------
  const dbReady = new Promise((resolve, reject) => {
    const request = indexedDB.open("gspace-volunteer", 1);
    request.onupgradeneeded = () => request.result.createObjectStore("reports", { keyPath: "id" });
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });

  async function store(mode, work) {
    const db = await dbReady;
    return new Promise((resolve, reject) => {
      const tx = db.transaction("reports", mode);
      const result = work(tx.objectStore("reports"));
      tx.oncomplete = () => resolve(result.result);
      tx.onerror = () => reject(tx.error);
    });
  }
  const allReports = async () =>
    (await store("readonly", (s) => s.getAll()))
      .filter((r) => r.invite === invite)
      .sort((a, b) => a.created - b.created);
  const saveReport = (report) => store("readwrite", (s) => s.put(report));

  function newId() {
    const bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes); // available without a secure context, unlike randomUUID
    return Array.from(bytes, (x) => x.toString(16).padStart(2, "0")).join("");
  }

  // -- talking to the hub ---------------------------------------------------------------------
  async function call(method, path, options = {}) {
    const headers = { ...(options.headers || {}) };
    if (token) headers.Authorization = "Bearer " + token;
    const response = await fetch(path, { method, headers, body: options.body, cache: "no-store" });
    let body = null;
    try { body = await response.json(); } catch (e) { body = null; }
    if (!response.ok) {
      const detail = body && typeof body.detail === "string" ? body.detail : "HTTP " + response.status;
      throw new HttpError(response.status, detail);
    }
    return body;
  }

  let joining = null;
  function ensureToken() {
    if (token) return Promise.resolve(true);
    joining = joining || join().finally(() => { joining = null; });
    return joining;
  }

  async function join() {
    try {
      const joined = await call("POST", "/v/" + encodeURIComponent(invite) + "/join");
      token = joined.token;
      localStorage.setItem(TOKEN_KEY, token);
      return true;
    } catch (e) {
      if (e instanceof HttpError) {
        notice(e.message);
        $("send").disabled = true;
      }
      return false;
    }
  }

  const base = () => "/v1/incidents/" + encodeURIComponent(incident) + "/volunteer";

  async function uploadPhoto(photo) {
    const url = base() + "/uploads/" + photo.sha;
    let state = await call("GET", url);
    if (state.complete) return;
    let offset = state.received <= photo.size ? state.received : 0;
    while (offset < photo.size) {
      const part = photo.blob.slice(offset, offset + CHUNK);
      try {
        const answer = await call("PUT", url + "?offset=" + offset, {
          body: part, headers: { "Content-Type": "application/octet-stream" },
        });
        if (answer.complete) return;
        offset += part.size;
      } catch (e) {
        if (!(e instanceof HttpError) || e.status !== 409) throw e;
        offset = (await call("GET", url)).received; // the hub holds less: go on from there
      }
    }
    await call("POST", url + "/complete?size=" + photo.size);
  }

  async function sendReport(report) {
    for (const photo of report.photos) {
      if (!photo.done) {
        await uploadPhoto(photo);
        photo.done = true;
        await saveReport(report);
      }
    }
    const body = {
      id: report.id, comment: report.comment, category: report.category,
      photos: report.photos.map((p) => p.sha),
    };
    if (report.place) {
      body.lat = report.place.lat;
      body.lon = report.place.lon;
      body.location_source = report.place.source;
      if (report.place.accuracy != null) body.accuracy_m = report.place.accuracy;
    }
    report.receipt = await call("POST", base() + "/reports", {
      body: JSON.stringify(body), headers: { "Content-Type": "application/json" },
    });
    report.state = "sent";
    await saveReport(report);
  }

  async function flush() {
    if (busy) return;
    busy = true;
    try {
      const waiting = (await allReports()).filter((r) => r.state === "queued");
      if (!waiting.length || !(await ensureToken())) return;
      for (const report of waiting) {
        try {
          await sendReport(report);
        } catch (e) {
          if (e instanceof HttpError && e.status === 401) {
            notice("この端末からは送信できなくなりました。 / This phone may no longer send reports.");
            return;
          }
          if (e instanceof HttpError && e.status >= 400 && e.status < 500 &&
              e.status !== 408 && e.status !== 429) {
            report.state = "refused";
            report.error = e.message;
            await saveReport(report);
            continue;
          }
          return; // no connection, or the hub is busy: the timer tries again
        } finally {
          await render();
        }
      }
    } finally {
      busy = false;
    }
  }

  // -- composing --------------------------------------------------------------------------------
  function showPlace() {
    const where = $("where");
    if (!place) {
      where.textContent = "位置が未指定です（写真にGPSがあればそれを使います） / No location yet";
      return;
    }
    const text = {
      exif: "写真のGPS / Photo GPS",
      device: "現在地 / Phone location",
      manual: "地図で指定 / Placed on the map",
    }[place.source];
    const accuracy = place.accuracy != null ? ` ±${Math.round(place.accuracy)} m` : "";
    where.textContent = `${text}: ${place.lat.toFixed(5)}, ${place.lon.toFixed(5)}${accuracy}`;
  }

  async function addPhotos(files) {
    for (const file of files) {
      const head = await file.slice(0, 256 * 1024).arrayBuffer();
      const gps = exifGps(head);
      picked.push({ file, gps });
      const item = document.createElement("li");
      const img = document.createElement("img");
      img.alt = file.name;
      img.src = URL.createObjectURL(file);
      item.appendChild(img);
      $("photos").appendChild(item);
      if (gps && (!place || place.source === "exif")) place = { ...gps, source: "exif" };
    }
    showPlace();
  }

  function openMap() {
    $("map").hidden = false;
    if (map || typeof L === "undefined") return;
    map = L.map("map", { attributionControl: false }).setView([36.2, 138.2], 5);
    call("GET", "/v/" + encodeURIComponent(invite) + "/area").then((area) => {
      if (area && area.features && area.features.length) {
        const outline = L.geoJSON(area, { style: { color: "#8a1c1c", weight: 2, fill: false } });
        outline.addTo(map);
        map.fitBounds(outline.getBounds());
      }
    }).catch(() => {});
    map.on("click", (event) => {
      place = { lat: event.latlng.lat, lon: event.latlng.lng, source: "manual" };
      if (marker) marker.setLatLng(event.latlng);
      else marker = L.circleMarker(event.latlng, { radius: 10, color: "#8a1c1c" }).addTo(map);
      showPlace();
    });
  }

  function useDevice() {
    if (!navigator.geolocation) return;
    $("where").textContent = "現在地を取得中… / Finding your location…";
    navigator.geolocation.getCurrentPosition(
      (p) => {
        place = { lat: p.coords.latitude, lon: p.coords.longitude, source: "device",
                  accuracy: p.coords.accuracy };
        showPlace();
      },
      () => {
        $("where").textContent =
          "現在地を取得できません。地図で指定してください / Location unavailable: place it on the map";
        openMap();
      },
      { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 },
    );
  }

  async function queue() {
    const comment = $("comment").value.trim();
    if (!picked.length && !comment) {
      notice("写真かコメントを入れてください / Add a photo or a comment");
      return;
    }
    notice("");
    const photos = [];
    for (const { file } of picked) {
      photos.push({ name: file.name, blob: file, size: file.size, sha: await sha256Hex(file) });
    }
    await saveReport({
      id: newId(), invite, created: Date.now(), state: "queued", comment,
      category: $("category").value || null, place, photos,
    });
    picked = [];
    place = null;
    $("photos").textContent = "";
    $("comment").value = "";
    $("category").value = "other";
    for (const input of [$("camera"), $("pick")]) input.value = "";
    if (marker) { marker.remove(); marker = null; }
    showPlace();
    await render();
    flush();
  }

  // -- receipts ---------------------------------------------------------------------------------
  async function render() {
    const list = $("receipts");
    const reports = (await allReports()).reverse();
    list.textContent = "";
    for (const report of reports) {
      const item = document.createElement("li");
      item.className = report.state;
      item.dataset.id = report.id;
      const state = document.createElement("div");
      state.className = "state";
      if (report.state === "sent") {
        const sent = new Date(report.receipt.sent);
        const time = sent.toLocaleTimeString("ja-JP", { hour: "2-digit", minute: "2-digit" });
        state.textContent = `送信済み ${time} 参照 ${report.receipt.ref} / Sent`;
      } else if (report.state === "refused") {
        state.textContent = "受け付けられませんでした / Not accepted: " + report.error;
      } else {
        state.textContent = "この端末に保存済み・未送信 / Saved on this phone, not yet sent";
      }
      const comment = document.createElement("div");
      comment.className = "comment";
      comment.textContent = report.comment + (report.photos.length ? ` (写真${report.photos.length}枚)` : "");
      item.append(state, comment);
      list.appendChild(item);
    }
  }

  // -- start ------------------------------------------------------------------------------------
  const select = $("category");
  for (const [id, ja, en] of categories) {
    const option = document.createElement("option");
    option.value = id;
    option.textContent = `${ja} / ${en}`;
    select.appendChild(option);
  }
  select.value = "other";
  $("camera").addEventListener("change", (e) => addPhotos(e.target.files));
  $("pick").addEventListener("change", (e) => addPhotos(e.target.files));
  $("here").addEventListener("click", useDevice);
  $("tap").addEventListener("click", openMap);
  $("send").addEventListener("click", queue);
  if (!window.isSecureContext) {
    $("here").disabled = true;
    notice("この接続（HTTP）では現在地を使えず、電波のない所でページを開き直せません。" +
           "開いている間は報告を保存し、つながったら送ります。位置は地図で指定してください。 / " +
           "Over plain HTTP this page cannot use your location or open offline; while it is open " +
           "it keeps your reports and sends them when connected. Place them on the map.");
  }
  if (navigator.storage && navigator.storage.persist) navigator.storage.persist().catch(() => {});
  if (window.isSecureContext && "serviceWorker" in navigator) {
    const script = "/v/assets/sw.js?page=" + encodeURIComponent(location.pathname);
    navigator.serviceWorker.register(script, { scope: "/v/" }).catch(() => {});
  }
  window.addEventListener("online", flush);
  setInterval(flush, RETRY_MS);
  showPlace();
  render().then(flush);
  ensureToken();
})();
