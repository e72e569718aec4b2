import { dataError } from '@alen/core';

export interface Ppm {
  readonly width: number;
  readonly height: number;
  readonly maxval: number;
  /** Row-major RGB samples, one byte each (maxval < 256). */
  readonly data: Uint8Array;
}

const isSpace = (b: number) => b === 0x20 || b === 0x09 || b === 0x0a || b === 0x0d || b === 0x0b || b === 0x0c;

/**
 * Parses a binary PPM (P6) per the netpbm spec: magic `P6`, then width, height and maxval as ASCII
 * decimals separated by whitespace, with `#` comments (to the end of the line) allowed anywhere
 * before the single whitespace character that ends the header; then exactly width × height × 3
 * samples. Only 1-byte samples (maxval < 256) are supported; anything else, a truncated raster or
 * trailing bytes is an error naming the file.
 */
export function parsePpm(buf: Uint8Array, file: string): Ppm {
  if (buf.length < 2 || buf[0] !== 0x50 || buf[1] !== 0x36) {
    const magic = Buffer.from(buf.subarray(0, 2)).toString('latin1');
    throw dataError(file, undefined, `not a binary PPM: magic number is '${magic}', expected 'P6'`);
  }
  let pos = 2;
  const readInt = (what: string): number => {
    // Skip whitespace and comments.
    for (;;) {
      if (pos >= buf.length) throw dataError(file, undefined, `PPM header ends before the ${what}`);
      const b = buf[pos]!;
      if (isSpace(b)) pos++;
      else if (b === 0x23) {
        while (pos < buf.length && buf[pos] !== 0x0a && buf[pos] !== 0x0d) pos++;
      } else break;
    }
    const start = pos;
    let v = 0;
    while (pos < buf.length && buf[pos]! >= 0x30 && buf[pos]! <= 0x39) {
      v = v * 10 + (buf[pos]! - 0x30);
      pos++;
      if (v > 1e9) break;
    }
    if (pos === start) {
      throw dataError(file, undefined, `PPM header: expected the ${what} at byte ${start}, found '${String.fromCharCode(buf[start]!)}'`);
    }
    if (pos < buf.length && !isSpace(buf[pos]!) && buf[pos] !== 0x23) {
      throw dataError(file, undefined, `PPM header: the ${what} at byte ${start} is not followed by whitespace`);
    }
    return v;
  };
  const width = readInt('width');
  const height = readInt('height');
  const maxval = readInt('maxval');
  if (width < 1 || height < 1) throw dataError(file, undefined, `PPM header: invalid size ${width}×${height}`);
  if (maxval < 1 || maxval > 65535) throw dataError(file, undefined, `PPM header: invalid maxval ${maxval}`);
  if (maxval > 255) throw dataError(file, undefined, `PPM with 2-byte samples (maxval ${maxval}) is not supported`);
  // A comment may sit between maxval and the single whitespace that ends the header.
  while (pos < buf.length && buf[pos] === 0x23) {
    while (pos < buf.length && buf[pos] !== 0x0a && buf[pos] !== 0x0d) pos++;
  }
  if (pos >= buf.length || !isSpace(buf[pos]!)) throw dataError(file, undefined, 'PPM header is not terminated by whitespace');
  pos++;
  const expected = width * height * 3;
  const found = buf.length - pos;
  if (found < expected) {
    throw dataError(file, undefined, `truncated PPM: ${width}×${height} needs ${expected} bytes of pixels, found ${found}`);
  }
  if (found > expected) {
    throw dataError(file, undefined, `PPM has ${found - expected} unexpected bytes after the ${width}×${height} pixels`);
  }
  return { width, height, maxval, data: buf.subarray(pos) };
}
