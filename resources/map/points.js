// A Leaflet layer that draws many points on one canvas: no DOM element or Leaflet object per
// point, so 100,000 reports draw in a fraction of a second. Points are projected once (at zoom
// 0); each redraw only scales and offsets them.
"use strict";

function drawShape(ctx, shape, x, y, r) {
  switch (shape) {
    case "square": ctx.rect(x - r, y - r, 2 * r, 2 * r); break;
    case "diamond":
      ctx.moveTo(x, y - r * 1.3); ctx.lineTo(x + r * 1.3, y); ctx.lineTo(x, y + r * 1.3);
      ctx.lineTo(x - r * 1.3, y); ctx.closePath(); break;
    case "triangle":
      ctx.moveTo(x, y - r * 1.3); ctx.lineTo(x + r * 1.2, y + r); ctx.lineTo(x - r * 1.2, y + r);
      ctx.closePath(); break;
    default: ctx.moveTo(x + r, y); ctx.arc(x, y, r, 0, 2 * Math.PI);
  }
}

// The urgent-needs badge: a red dot with a white "!" (also drawn in the legend).
const BADGE_COLOR = "#d50000";
function drawBadge(ctx, x, y) {
  ctx.beginPath(); ctx.arc(x, y, 5, 0, 2 * Math.PI);
  ctx.fillStyle = BADGE_COLOR; ctx.fill();
  ctx.lineWidth = 1; ctx.strokeStyle = "#ffffff"; ctx.stroke();
  ctx.fillStyle = "#ffffff"; ctx.fillRect(x - 0.9, y - 3.2, 1.8, 4); ctx.fillRect(x - 0.9, y + 1.6, 1.8, 1.6);
}

// Ray casting: is (x, y) inside the polygon [[x, y], ...]?
function inside(x, y, polygon) {
  let result = false;
  for (let i = 0, j = polygon.length - 1; i < polygon.length; j = i++) {
    const [xi, yi] = polygon[i], [xj, yj] = polygon[j];
    if ((yi > y) !== (yj > y) && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) result = !result;
  }
  return result;
}

const PointLayer = L.Layer.extend({
  // options.pane: a pane of its own, since Leaflet's CSS draws any SVG above canvases that
  // share a pane, and the outline base map is SVG.
  initialize: function (options) {
    L.setOptions(this, options);
    this._ids = []; this._x = new Float64Array(0); this._y = new Float64Array(0);
    this._style = new Uint16Array(0); this._group = new Uint16Array(0);
    this._styles = []; this._groups = []; this._hidden = new Set(); this._selected = new Set();
    this._index = new Map(); this._shown = null;
  },
  onAdd: function (map) {
    this._canvas = L.DomUtil.create("canvas", "gs-points leaflet-zoom-hide");
    // the selection rings have a canvas of their own: selecting redraws only them
    this._overlay = L.DomUtil.create("canvas", "gs-points leaflet-zoom-hide");
    map.getPane(this.options.pane).appendChild(this._canvas);
    map.getPane(this.options.pane).appendChild(this._overlay);
    map.on("moveend resize zoomend viewreset", this.redraw, this);
    this.redraw();
  },
  onRemove: function (map) {
    L.DomUtil.remove(this._canvas); L.DomUtil.remove(this._overlay);
    map.off("moveend resize zoomend viewreset", this.redraw, this);
  },
  // data: {ids: [], lon: [], lat: [], style: [], group: [], styles: [{shape, fill, stroke,
  // radius}], groups: ["report:photo", ...]}
  setData: function (data) {
    const n = data.ids.length;
    this._ids = data.ids; this._styles = data.styles; this._groups = data.groups;
    this._x = new Float64Array(n); this._y = new Float64Array(n);
    this._style = Uint16Array.from(data.style); this._group = Uint16Array.from(data.group);
    this._dir = Float32Array.from(data.dir || [], (d) => (d === null ? NaN : d));
    this._index = new Map(); this._shown = null;
    for (let i = 0; i < n; i++) {
      const p = L.CRS.EPSG3857.latLngToPoint(L.latLng(data.lat[i], data.lon[i]), 0);
      this._x[i] = p.x; this._y[i] = p.y; this._index.set(data.ids[i], i);
    }
    this.redraw();
  },
  // Some points changed (an edit): data as for setData, for those points only; `removed`
  // lists ids that no longer have a place. New ids are appended.
  patch: function (data) {
    const styleOf = new Map(this._styles.map((s, k) => [JSON.stringify(s), k]));
    const groupOf = new Map(this._groups.map((g, k) => [g, k]));
    const fresh = data.ids.filter((id) => !this._index.has(id)).length;
    if (fresh) this._grow(fresh);
    data.ids.forEach((id, j) => {
      if (!this._index.has(id)) { this._index.set(id, this._ids.length); this._ids.push(id); }
      const i = this._index.get(id), style = JSON.stringify(data.styles[data.style[j]]);
      if (!styleOf.has(style)) { styleOf.set(style, this._styles.length); this._styles.push(data.styles[data.style[j]]); }
      const group = data.groups[data.group[j]];
      if (!groupOf.has(group)) { groupOf.set(group, this._groups.length); this._groups.push(group); }
      const p = L.CRS.EPSG3857.latLngToPoint(L.latLng(data.lat[j], data.lon[j]), 0);
      this._x[i] = p.x; this._y[i] = p.y;
      this._style[i] = styleOf.get(style); this._group[i] = groupOf.get(group);
      this._dir[i] = data.dir[j] === null ? NaN : data.dir[j];
    });
    (data.removed || []).forEach((id) => {
      const i = this._index.get(id);
      if (i !== undefined) { this._x[i] = NaN; this._y[i] = NaN; }
    });
    this.redraw();
  },
  _grow: function (extra) {
    const n = this._ids.length, grown = (Type, old, fill) => {
      const a = new Type(n + extra).fill(fill); a.set(old.subarray(0, n)); return a;
    };
    this._x = grown(Float64Array, this._x, NaN); this._y = grown(Float64Array, this._y, NaN);
    this._style = grown(Uint16Array, this._style, 0); this._group = grown(Uint16Array, this._group, 0);
    this._dir = grown(Float32Array, this._dir.length ? this._dir : new Float32Array(n).fill(NaN), NaN);
    if (this._shown) this._shown = grown(Uint8Array, this._shown, 1);
  },
  // Which points the filters let through: a base64 bitmap in point order (bit i of byte i>>3,
  // most significant first), or null for all.
  setShown: function (bits) {
    if (bits === null) { this._shown = null; this.redraw(); return; }
    const bytes = Uint8Array.from(atob(bits), (c) => c.charCodeAt(0));
    const shown = new Uint8Array(this._ids.length);
    for (let i = 0; i < shown.length; i++) shown[i] = (bytes[i >> 3] >> (7 - (i & 7))) & 1;
    this._shown = shown; this.redraw();
  },
  // Drawn and clickable: not filtered out, its group not hidden, and it has a place.
  visible: function (i) {
    return (!this._shown || this._shown[i]) && !this._hidden.has(this._groups[this._group[i]])
      && !Number.isNaN(this._x[i]);
  },
  shownIds: function () {
    const ids = [];
    for (let i = 0; i < this._ids.length; i++) if (this.visible(i)) ids.push(this._ids[i]);
    return ids;
  },
  // Ids of the visible points inside a polygon of container points (a lasso).
  idsInside: function (polygon) {
    const t = this._transform(), ids = [];
    for (let i = 0; i < this._ids.length; i++) {
      if (!this.visible(i)) continue;
      if (inside(this._x[i] * t.scale - t.ox, this._y[i] * t.scale - t.oy, polygon)) ids.push(this._ids[i]);
    }
    return ids;
  },
  // Move one point while it is dragged (the store is written when the drag ends).
  moveTo: function (id, latlng) {
    const i = this._index.get(id);
    if (i === undefined) return;
    const p = L.CRS.EPSG3857.latLngToPoint(latlng, 0);
    this._x[i] = p.x; this._y[i] = p.y; this.redraw();
  },
  setGroupVisible: function (group, visible) {
    if (visible) this._hidden.delete(group); else this._hidden.add(group);
    this.redraw();
  },
  select: function (ids) {
    this._selected = new Set(ids);
    if (!this._map) return;
    this._drawSelection();
    this.fire("drawn", { count: this.drawnCount });
  },
  has: function (id) { return this._index.has(id); },
  latLngOf: function (id) {
    const i = this._index.get(id);
    return i === undefined || Number.isNaN(this._x[i]) ? null : L.CRS.EPSG3857.pointToLatLng(L.point(this._x[i], this._y[i]), 0);
  },
  bounds: function () {
    let b = null;
    for (let i = 0; i < this._ids.length; i++) {
      if (!this.visible(i)) continue;
      const ll = L.CRS.EPSG3857.pointToLatLng(L.point(this._x[i], this._y[i]), 0);
      b = b ? b.extend(ll) : L.latLngBounds(ll, ll);
    }
    return b;
  },
  _transform: function () {
    const map = this._map, scale = Math.pow(2, map.getZoom());
    const origin = map.getPixelBounds().min;
    return { scale: scale, ox: origin.x, oy: origin.y };
  },
  redraw: function () {
    if (!this._map) return;
    const size = this._map.getSize(), ratio = window.devicePixelRatio || 1;
    const ctx = this._cover(this._canvas);
    const t = this._transform(), n = this._ids.length, pad = 12;
    // Each style is drawn once into a small sprite, then stamped at every point. One path of
    // many overlapping shapes would be cheaper to build but is rasterised in time that grows
    // with the square of its size (seconds for 100,000 points without a GPU).
    const buckets = this._styles.map(() => []);
    for (let i = 0; i < n; i++) {
      if (!this.visible(i)) continue;
      const x = this._x[i] * t.scale - t.ox, y = this._y[i] * t.scale - t.oy;
      if (x < -pad || y < -pad || x > size.x + pad || y > size.y + pad) continue;
      buckets[this._style[i]].push(x, y);
    }
    let drawn = 0;
    this._styles.forEach((s, k) => {
      const xy = buckets[k];
      if (!xy.length) return;
      const sprite = this._sprite(s, ratio), half = sprite.width / ratio / 2;
      for (let j = 0; j < xy.length; j += 2) {
        ctx.drawImage(sprite, Math.round(xy[j] - half), Math.round(xy[j + 1] - half), half * 2, half * 2);
      }
      drawn += xy.length / 2;
    });
    this._drawDirections(ctx, t, size);
    this._drawSelection();
    this.drawnCount = drawn;
    this.fire("drawn", { count: drawn });
  },
  // Size a canvas to the map's view and place it there; returns its cleared context.
  _cover: function (canvas) {
    const map = this._map, size = map.getSize(), ratio = window.devicePixelRatio || 1;
    canvas.width = size.x * ratio; canvas.height = size.y * ratio;
    canvas.style.width = size.x + "px"; canvas.style.height = size.y + "px";
    L.DomUtil.setPosition(canvas, map.containerPointToLayerPoint([0, 0]));
    const ctx = canvas.getContext("2d");
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    return ctx;
  },
  _drawSelection: function () {
    const ctx = this._cover(this._overlay), t = this._transform();
    this._selected.forEach((id) => {
      const i = this._index.get(id);
      if (i === undefined || !this.visible(i)) return;
      const x = this._x[i] * t.scale - t.ox, y = this._y[i] * t.scale - t.oy;
      ctx.beginPath(); ctx.arc(x, y, 11, 0, 2 * Math.PI);
      ctx.lineWidth = 3; ctx.strokeStyle = "#ffeb3b"; ctx.stroke();
      ctx.beginPath(); ctx.arc(x, y, 13, 0, 2 * Math.PI);
      ctx.lineWidth = 1.5; ctx.strokeStyle = "#000"; ctx.stroke();
    });
  },
  // A style's shape, filled and outlined, on a canvas of its own (kept per style and pixel ratio).
  // A style with `badge` (a shelter with urgent needs) gets a red dot with "!" at its top right.
  _sprite: function (s, ratio) {
    const key = JSON.stringify(s) + ratio;
    this._sprites = this._sprites || new Map();
    if (!this._sprites.has(key)) {
      const half = Math.ceil(s.badge ? s.radius * 1.3 + 8 : s.radius * 1.3 + 2);
      const canvas = document.createElement("canvas");
      canvas.width = canvas.height = 2 * half * ratio;
      const ctx = canvas.getContext("2d");
      ctx.scale(ratio, ratio); ctx.beginPath(); drawShape(ctx, s.shape, half, half, s.radius);
      ctx.fillStyle = s.fill; ctx.fill();
      ctx.lineWidth = 1.2; ctx.strokeStyle = s.stroke; ctx.stroke();
      if (s.badge) drawBadge(ctx, half + s.radius, half - s.radius);
      this._sprites.set(key, canvas);
    }
    return this._sprites.get(key);
  },
  // The camera's bearing of photo reports: a short arrow pointing where the photo looks.
  _drawDirections: function (ctx, t, size) {
    if (!this._dir || !this._dir.length || this._map.getZoom() < 13) return;
    ctx.beginPath();
    for (let i = 0; i < this._dir.length; i++) {
      const d = this._dir[i];
      if (Number.isNaN(d) || !this.visible(i)) continue;
      const x = this._x[i] * t.scale - t.ox, y = this._y[i] * t.scale - t.oy;
      if (x < 0 || y < 0 || x > size.x || y > size.y) continue;
      const a = (d * Math.PI) / 180, dx = Math.sin(a), dy = -Math.cos(a);
      const tipX = x + dx * 20, tipY = y + dy * 20;
      ctx.moveTo(x + dx * 7, y + dy * 7); ctx.lineTo(tipX, tipY);
      ctx.moveTo(tipX - dx * 6 - dy * 4, tipY - dy * 6 + dx * 4); ctx.lineTo(tipX, tipY);
      ctx.lineTo(tipX - dx * 6 + dy * 4, tipY - dy * 6 - dx * 4);
    }
    ctx.lineWidth = 2; ctx.strokeStyle = "#212121"; ctx.stroke();
  },
  // The id of the visible point nearest to a container point, within `tolerance` pixels.
  hit: function (containerPoint, tolerance) {
    return this._nearest(null, containerPoint, tolerance);
  },
  // The same among the selected points only: cheap enough for every mouse move.
  hitSelected: function (containerPoint, tolerance) {
    const indexes = [...this._selected].map((id) => this._index.get(id));
    return this._nearest(indexes.filter((i) => i !== undefined), containerPoint, tolerance);
  },
  // indexes: the points to consider, or null for all of them.
  _nearest: function (indexes, containerPoint, tolerance) {
    const t = this._transform(), n = indexes ? indexes.length : this._ids.length;
    let best = null, bestD = tolerance * tolerance;
    for (let k = 0; k < n; k++) {
      const i = indexes ? indexes[k] : k;
      if (!this.visible(i)) continue;
      const dx = this._x[i] * t.scale - t.ox - containerPoint.x;
      const dy = this._y[i] * t.scale - t.oy - containerPoint.y;
      const d = dx * dx + dy * dy;
      if (d <= bestD) { bestD = d; best = this._ids[i]; }
    }
    return best;
  },
});
