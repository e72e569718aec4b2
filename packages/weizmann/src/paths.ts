import path from 'node:path';

/** Files of the Weizmann horses data, relative to the data directory (see the data README). */
export const CHOPPS_DIR = 'horses/chopps32';
export const CHOPPS_IMAGES = `${CHOPPS_DIR}/images_u8_328x32x32x3.bin`;
export const CHOPPS_MASKS = `${CHOPPS_DIR}/masks_u8_328x32x32.bin`;
export const SPLIT_FILE = `${CHOPPS_DIR}/dvn_split.txt`;
export const DB_DIR = 'horses/weizmann_horse_db';
export const DB_RGB_DIR = `${DB_DIR}/rgb`;
export const DB_MASK_DIR = `${DB_DIR}/figure_ground`;

/** Number of images in the database and records in the CHOPPS `.bin` files. */
export const NUM_HORSES = 328;
/** Side of the CHOPPS images and masks. */
export const CHOPPS_SIZE = 32;

/** `horse001` for horse number 1: the id of an example and the stem of its JPEG files. */
export function horseId(n: number): string {
  return `horse${String(n).padStart(3, '0')}`;
}

export function dbRgbPath(dataDir: string, n: number): string {
  return path.join(dataDir, DB_RGB_DIR, `${horseId(n)}.jpg`);
}

export function dbMaskPath(dataDir: string, n: number): string {
  return path.join(dataDir, DB_MASK_DIR, `${horseId(n)}.jpg`);
}
