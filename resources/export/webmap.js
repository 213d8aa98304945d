// The exported web map's own code: reports and reference features from the page's JSON data,
// clustered per kind, with popups built on click. Every text from the data is set with
// textContent (never as HTML), so a report cannot run code in the page.
"use strict";

var GS = {  // var: a property of window, for tests and the benchmark
  data: JSON.parse(document.getElementById("gs-data").textContent),
  layers: {}, // "report:<kind>" / "feature:<kind>" -> Leaflet layer
  markers: [], // report row -> its marker
  drawn: null, // performance.now() when the first points were drawn
};

GS.el = function (tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined && text !== null) node.textContent = text;
  return node;
};

GS.time = (function () {
  const d = GS.data;
  const format = new Intl.DateTimeFormat(d.lang === "ja" ? "ja-JP" : "en-GB", {
    timeZone: d.timezone, year: "numeric", month: "2-digit", day: "2-digit",
    hour: "2-digit", minute: "2-digit",
  });
  // times are minutes since d.epoch (seconds), null when unknown
  return (minutes) => (minutes === null ? "" : format.format(new Date((d.epoch + minutes * 60) * 1000)));
})();

GS.reportPopup = function (i) {
  const d = GS.data, r = d.reports, v = r.vocab, box = GS.el("div", "gs-popup");
  box.appendChild(GS.el("div", "gs-popup-title", d.reportKinds[r.kind[i]].label + "  " + GS.time(r.time[i])));
  if (r.photo[i] >= 0) {
    const img = GS.el("img", "gs-photo");
    img.src = d.photos[r.photo[i]];
    img.alt = "";
    box.appendChild(img);
  }
  if (r.text[i]) box.appendChild(GS.el("div", "gs-text", r.text[i]));
  const rows = [
    [d.fields.status, v.status[r.status[i]]],
    [d.fields.category, v.category[r.category[i]]],
    [d.fields.severity, v.severity[r.severity[i]]],
    [d.fields.location, v.source[r.source[i]]],
    [d.fields.author, r.author ? v.author[r.author[i]] : ""],
    [d.fields.id, r.id[i]],
  ];
  const table = GS.el("table", "gs-fields");
  rows.forEach(([name, value]) => {
    if (!value) return;
    const tr = GS.el("tr");
    tr.appendChild(GS.el("th", null, name));
    tr.appendChild(GS.el("td", null, value));
    table.appendChild(tr);
  });
  box.appendChild(table);
  return box;
};

GS.featurePopup = function (f) {
  const box = GS.el("div", "gs-popup");
  box.appendChild(GS.el("div", "gs-popup-title", f.name || ""));
  [f.layer, f.status, f.situation, f.address, f.note, f.ref].forEach((line) => {
    if (line) box.appendChild(GS.el("div", "gs-text", line));
  });
  return box;
};

// Markers are small DOM icons, one shared icon per symbol: markercluster only puts the
// unclustered ones in the page, and can zoom to and spiderfy any of them.
GS.icons = [];
GS.icon = function (k) {
  if (!GS.icons[k]) {
    const style = GS.data.styles[k], size = 2 * style.radius + 2;
    GS.icons[k] = L.divIcon({ className: "gs-pt gs-" + style.shape + " gs-s" + k, iconSize: [size, size] });
  }
  return GS.icons[k];
};
GS.symbolStyles = function () {
  // colours come from layer-kind files; anything but #rgb/#rrggbb is not let into the CSS
  const color = (c) => (/^#[0-9a-f]{3,8}$/i.test(c) ? c : "#9e9e9e");
  const css = GS.data.styles.map((s, k) => ".gs-s" + k + "{background:" + color(s.fill) + ";border-color:" + color(s.stroke) + "}");
  const node = GS.el("style", null, css.join("\n"));
  document.head.appendChild(node);
};

// No popup is bound per marker (four event listeners each): a click on a group opens the
// popup of the marker clicked, built then.
GS.marker = function (lat, lon, k, popup, pane) {
  const m = L.marker([lat, lon], { icon: GS.icon(k), keyboard: false, pane: pane || "markerPane" });
  m.gsPopup = popup;
  return m;
};
// A popup is never hidden under the title box: the map pans it below the box's bottom edge.
GS.popupOptions = function () {
  const box = GS.headerNode ? GS.headerNode.getBoundingClientRect() : null;
  const top = box ? box.bottom - GS.map.getContainer().getBoundingClientRect().top : 0;
  return { maxWidth: 320, autoPanPaddingTopLeft: L.point(10, Math.max(10, top + 10)) };
};
GS.openPopup = function (m) {
  L.popup({ ...GS.popupOptions(), offset: [0, -4] }).setLatLng(m.getLatLng()).setContent(m.gsPopup()).openOn(GS.map);
};
GS.clickable = function (group) {
  return group.on("click", (e) => { if (e.layer && e.layer.gsPopup) GS.openPopup(e.layer); });
};
// Show report row i: zoom until its marker is out of its cluster, then open its popup.
GS.openReport = function (i) {
  return new Promise((done) => {
    const m = GS.markers[i];
    const layer = Object.values(GS.layers).find((l) => l.hasLayer && l.hasLayer(m));
    layer.zoomToShowLayer(m, () => { GS.openPopup(m); setTimeout(done, 300); });
  });
};

// One cluster group per report kind: the layer control turns kinds on and off.
GS.reportLayer = function (kind) {
  const r = GS.data.reports, markers = [];
  for (let i = 0; i < r.lat.length; i++) {
    if (r.kind[i] !== kind) continue;
    const m = GS.marker(r.lat[i], r.lon[i], r.style[i], () => GS.reportPopup(i));
    GS.markers[i] = m;
    markers.push(m);
  }
  const group = L.markerClusterGroup({
    chunkedLoading: true, maxClusterRadius: 50, spiderfyOnMaxZoom: true,
    disableClusteringAtZoom: 17, chunkInterval: 40, chunkProgress: GS.progress,
  });
  return [GS.clickable(group), markers];
};

// Markers join their cluster group once it is on the map, in chunks: the map draws after the
// first chunk and stays usable while the rest are clustered. GS.loaded is set once all are in.
GS.pending = 0;
GS.progress = function (processed, total) {
  if (processed === total && --GS.pending === 0) GS.loaded = performance.now();
};

GS.featureLayer = function (kind) {
  const f = GS.data.features, styles = GS.data.styles, markers = [];
  const title = GS.data.featureKinds[kind];
  for (let i = 0; i < f.lat.length; i++) {
    if (f.kind[i] !== kind) continue;
    const info = { name: f.name[i], layer: title, status: f.status[i], situation: f.situation[i], address: f.address[i], note: f.note[i], ref: f.ref[i] };
    markers.push(GS.marker(f.lat[i], f.lon[i], f.style[i], () => GS.featurePopup(info), "gsFeatures"));
  }
  const shapes = GS.data.shapes.filter((s) => s.kind === kind);
  const group = GS.clickable(markers.length > 2000
    ? L.markerClusterGroup({ chunkedLoading: true, clusterPane: "gsFeatures" }) : L.featureGroup());
  if (group.addLayers) group.addLayers(markers); else markers.forEach((m) => group.addLayer(m));
  shapes.forEach((s) => {
    const style = styles[s.style];
    L.geoJSON(s.geometry, {
      style: { color: style.stroke, fillColor: style.fill, weight: 2, fillOpacity: 0.35 },
    }).bindPopup(() => GS.featurePopup({ name: s.name, layer: title, status: s.status, situation: s.situation, address: s.address, note: s.note, ref: s.ref }),
      GS.popupOptions())
      .addTo(group);
  });
  return group;
};

GS.legend = function () {
  const div = GS.el("div", "gs-legend");
  GS.data.legend.forEach((section) => {
    div.appendChild(GS.el("h4", null, section.title));
    section.items.forEach((item) => {
      const row = GS.el("div");
      const swatch = GS.el("span", "gs-swatch");
      swatch.style.background = item.fill;
      swatch.style.borderColor = item.stroke;
      if (item.shape === "square") swatch.style.borderRadius = "0";
      row.appendChild(swatch);
      row.appendChild(document.createTextNode(item.label));
      div.appendChild(row);
    });
  });
  return div;
};

// The title box folds to one short line with its button; popups are panned below it
// (GS.popupOptions), so it never hides one.
GS.header = function () {
  const div = GS.el("div", "gs-header");
  const fold = GS.el("button", "gs-fold", "▴");
  fold.type = "button";
  fold.title = GS.data.lang === "ja" ? "たたむ／ひらく" : "fold / unfold";
  fold.setAttribute("aria-label", fold.title);
  fold.addEventListener("click", () => GS.foldHeader(!div.classList.contains("gs-folded")));
  div.appendChild(fold);
  div.appendChild(GS.el("div", "gs-title", GS.data.title));
  div.appendChild(GS.el("div", "gs-subtitle", GS.data.subtitle));
  GS.headerNode = div;
  return div;
};
GS.foldHeader = function (folded) {
  GS.headerNode.classList.toggle("gs-folded", folded);
  GS.headerNode.querySelector(".gs-fold").textContent = folded ? "▾" : "▴";
};

// Called from folium's map script once the map exists (see webmap.py).
GS.start = function (map, control, baseLayers) {
  const d = GS.data;
  GS.map = map;
  map.attributionControl.setPrefix(false);
  GS.symbolStyles();
  // the view first: clusters are then built once, for the zoom they are shown at
  if (d.bounds) map.fitBounds(d.bounds, { maxZoom: 16, padding: [20, 20], animate: false });
  // Panes, bottom to top: the outline (150), tiles (200), municipal borders (250) and names
  // (390), shapes (400), report clusters (markers, 600), reference-layer symbols (620).
  map.createPane("gsOutline").style.zIndex = 150;
  map.createPane("gsFeatures").style.zIndex = 620;
  // The outline base map works with no network; tile layers are added only when the browser
  // says it is online, so an offline page makes no request at all. Each layer brings its own
  // attribution, shown while it is drawn.
  L.geoJSON(d.outline, {
    pane: "gsOutline", interactive: false, attribution: d.attribution,
    style: { color: "#7d8a96", weight: 1, fillColor: "#f4f1e8", fillOpacity: 1 },
  }).addTo(map);
  (navigator.onLine ? baseLayers[0] : baseLayers[baseLayers.length - 1]).addTo(map);
  GS.municipalities = gsMunicipalities(map, d.municipalities, d.municipalCredit).addTo(map);
  control.addOverlay(GS.municipalities, d.municipalLayer);
  const loading = d.reportKinds.map((kind, k) => {
    const [layer, markers] = GS.reportLayer(k);
    GS.layers["report:" + kind.id] = layer;
    control.addOverlay(layer, kind.label + " (" + kind.count + ")");
    layer.addTo(map);
    return [layer, markers];
  });
  GS.pending = loading.length;
  if (!GS.pending) GS.loaded = performance.now();
  loading.forEach(([layer, markers]) => layer.addLayers(markers));
  Object.keys(d.featureKinds).forEach((kind) => {
    const layer = GS.featureLayer(kind);
    GS.layers["feature:" + kind] = layer;
    control.addOverlay(layer, d.featureKinds[kind]);
    layer.addTo(map);
  });
  const Box = L.Control.extend({
    onAdd: function () {
      L.DomEvent.disableClickPropagation(this.options.node);
      L.DomEvent.disableScrollPropagation(this.options.node);
      return this.options.node;
    },
  });
  new Box({ position: "topleft", node: GS.header() }).addTo(map);
  new Box({ position: "bottomright", node: GS.legend() }).addTo(map);
  requestAnimationFrame(() => requestAnimationFrame(() => {
    GS.drawn = performance.now();
    document.body.setAttribute("data-gs-drawn", "1");
  }));
};
