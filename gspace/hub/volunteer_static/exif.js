/* The GPS position in a JPEG's EXIF (APP1), read in the browser so the page can say where a
   photo will be placed before it is sent. The hub reads the EXIF again itself. */
"use strict";
function exifGps(buffer) {
  try {
    const v = new DataView(buffer);
    if (v.getUint16(0) !== 0xffd8) return null;
    let off = 2;
    while (off + 10 < v.byteLength) {
      const marker = v.getUint16(off);
      const length = v.getUint16(off + 2);
      if (marker === 0xffe1 && v.getUint32(off + 4) === 0x45786966) return tiffGps(v, off + 10);
      if ((marker & 0xff00) !== 0xff00 || marker === 0xffda) return null;
      off += 2 + length;
    }
  } catch (e) {
    return null; // a damaged or short file: no position
  }
  return null;
}

function tiffGps(v, t) {
  const le = v.getUint16(t) === 0x4949;
  const u16 = (o) => v.getUint16(t + o, le);
  const u32 = (o) => v.getUint32(t + o, le);
  const entries = (ifd) => {
    const out = {};
    const n = u16(ifd);
    for (let i = 0; i < n; i++) {
      const e = ifd + 2 + i * 12;
      out[u16(e)] = { count: u32(e + 4), value: e + 8 };
    }
    return out;
  };
  const pointer = entries(u32(4))[0x8825];
  if (!pointer) return null;
  const gps = entries(u32(pointer.value));
  const ref = (tag) => (gps[tag] ? String.fromCharCode(v.getUint8(t + gps[tag].value)) : "");
  const dms = (tag) => {
    const e = gps[tag];
    if (!e || e.count < 3) return null;
    const at = u32(e.value);
    let r = 0;
    for (let i = 0; i < 3; i++) {
      const n = u32(at + i * 8), d = u32(at + i * 8 + 4);
      if (!d) return null;
      r += n / d / [1, 60, 3600][i];
    }
    return r;
  };
  let lat = dms(2), lon = dms(4);
  if (lat === null || lon === null) return null;
  if (ref(1) === "S") lat = -lat;
  if (ref(3) === "W") lon = -lon;
  if (!isFinite(lat) || !isFinite(lon) || Math.abs(lat) > 90 || Math.abs(lon) > 180) return null;
  if (lat === 0 && lon === 0) return null;
  return { lat, lon };
}
