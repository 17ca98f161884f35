/** Minimal PNG decoder for tests (8-bit greyscale, RGB, RGBA, indexed): returns RGBA pixels. */
import { inflateSync } from 'node:zlib';

export interface DecodedPng {
  width: number;
  height: number;
  rgba: Uint8Array;
}

export function decodePng(bytes: Uint8Array): DecodedPng {
  const sig = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  sig.forEach((b, i) => {
    if (bytes[i] !== b) throw new Error('not a PNG');
  });
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let o = 8;
  let width = 0;
  let height = 0;
  let colorType = 0;
  let palette: Uint8Array | null = null;
  let trns: Uint8Array | null = null;
  const idat: Uint8Array[] = [];
  while (o < bytes.length) {
    const len = view.getUint32(o);
    const type = String.fromCharCode(...bytes.subarray(o + 4, o + 8));
    const data = bytes.subarray(o + 8, o + 8 + len);
    if (type === 'IHDR') {
      width = view.getUint32(o + 8);
      height = view.getUint32(o + 12);
      if (data[8] !== 8) throw new Error('only 8-bit PNGs');
      colorType = data[9];
    } else if (type === 'PLTE') palette = data;
    else if (type === 'tRNS') trns = data;
    else if (type === 'IDAT') idat.push(data);
    o += 12 + len;
  }
  const raw = inflateSync(Buffer.concat(idat));
  const bpp = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 }[colorType as 0 | 2 | 3 | 4 | 6];
  if (!bpp) throw new Error(`colour type ${colorType}`);
  const stride = width * bpp;
  const pix = new Uint8Array(height * stride);
  for (let y = 0; y < height; y++) {
    const f = raw[y * (stride + 1)];
    const line = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    for (let x = 0; x < stride; x++) {
      const a = x >= bpp ? pix[y * stride + x - bpp] : 0;
      const b = y > 0 ? pix[(y - 1) * stride + x] : 0;
      const c = x >= bpp && y > 0 ? pix[(y - 1) * stride + x - bpp] : 0;
      let v = line[x];
      if (f === 1) v += a;
      else if (f === 2) v += b;
      else if (f === 3) v += (a + b) >> 1;
      else if (f === 4) {
        const p = a + b - c;
        const pa = Math.abs(p - a);
        const pb = Math.abs(p - b);
        const pc = Math.abs(p - c);
        v += pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
      }
      pix[y * stride + x] = v & 255;
    }
  }
  const rgba = new Uint8Array(width * height * 4);
  for (let i = 0; i < width * height; i++) {
    if (colorType === 6) rgba.set(pix.subarray(i * 4, i * 4 + 4), i * 4);
    else if (colorType === 2) rgba.set([pix[i * 3], pix[i * 3 + 1], pix[i * 3 + 2], 255], i * 4);
    else if (colorType === 0) rgba.set([pix[i], pix[i], pix[i], 255], i * 4);
    else if (colorType === 4) rgba.set([pix[i * 2], pix[i * 2], pix[i * 2], pix[i * 2 + 1]], i * 4);
    else {
      const k = pix[i];
      rgba.set(
        [
          palette![k * 3],
          palette![k * 3 + 1],
          palette![k * 3 + 2],
          trns && k < trns.length ? trns[k] : 255,
        ],
        i * 4,
      );
    }
  }
  return { width, height, rgba };
}

/** Fraction of pixels that are not (near) white, and the number of distinct colours among them. */
export function inkStats(img: DecodedPng): { inkFraction: number; colours: number } {
  let ink = 0;
  const colours = new Set<number>();
  for (let i = 0; i < img.width * img.height; i++) {
    const r = img.rgba[i * 4];
    const g = img.rgba[i * 4 + 1];
    const b = img.rgba[i * 4 + 2];
    if (r < 235 || g < 235 || b < 235) {
      ink++;
      colours.add(((r >> 4) << 8) | ((g >> 4) << 4) | (b >> 4));
    }
  }
  return { inkFraction: ink / (img.width * img.height), colours: colours.size };
}

/** RGBA of the pixel at (x, y). */
export function pixel(img: DecodedPng, x: number, y: number): [number, number, number, number] {
  const i = (y * img.width + x) * 4;
  return [img.rgba[i], img.rgba[i + 1], img.rgba[i + 2], img.rgba[i + 3]];
}
