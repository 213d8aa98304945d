// Municipal borders and names that need no network (MLIT N03, see gspace/mapdata.py), shared
// by the window's map and the exported web map. Borders are thin and light, under every data
// symbol; names appear from zoom 9, only for the towns in view (a few dozen labels, not 1,900),
// and are set as text. Both go through one layer group, so the credit shows exactly while the
// borders are drawn.
"use strict";

function gsMunicipalities(map, data, credit) {
  const borders = map.createPane("gsMuniBorders");
  borders.style.zIndex = 250; // above base tiles (200), under shapes (400) and markers
  borders.style.pointerEvents = "none";
  const names = map.createPane("gsMuniNames");
  names.style.zIndex = 390;
  names.style.pointerEvents = "none";
  const lines = L.geoJSON(data, {
    pane: "gsMuniBorders",
    interactive: false,
    renderer: L.canvas({ pane: "gsMuniBorders", padding: 0.2 }),
    style: { color: "#6d5f86", weight: 1, opacity: 0.55, fill: false },
    attribution: credit,
  });
  const labels = L.layerGroup();
  const group = L.layerGroup([lines, labels]);
  const icons = {};
  function icon(name) {
    if (!icons[name]) {
      const span = document.createElement("span");
      span.textContent = name;
      icons[name] = L.divIcon({ className: "gs-muni-name", html: span, iconSize: null });
    }
    return icons[name];
  }
  function update() {
    labels.clearLayers();
    if (!map.hasLayer(group) || map.getZoom() < gsMunicipalities.NAMES_FROM) return;
    const view = map.getBounds().pad(0.1);
    data.features.forEach((f) => {
      const [lon, lat] = f.properties.label;
      if (!view.contains([lat, lon])) return;
      labels.addLayer(L.marker([lat, lon], {
        icon: icon(f.properties.name), pane: "gsMuniNames", interactive: false, keyboard: false,
      }));
    });
  }
  map.on("moveend zoomend", update);
  group.on("add", () => setTimeout(update, 0));
  // the credit in another language (the window's View → Language). Every border polygon
  // carries it (L.geoJSON passes its options on), so the group leaves the map, each layer takes
  // the new text, and the group comes back: the attribution control counts both ways.
  group.setCredit = (text) => {
    if (text === lines.options.attribution) return;
    const shown = map.hasLayer(group);
    if (shown) group.remove();
    lines.options.attribution = text;
    lines.eachLayer((layer) => { layer.options.attribution = text; });
    if (shown) group.addTo(map);
  };
  return group;
}
gsMunicipalities.NAMES_FROM = 9;
