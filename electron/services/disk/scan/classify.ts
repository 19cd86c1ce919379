import { FILE_CATEGORIES, type FileCategory } from '../../../contract/disk';

/**
 * File categories by content and by extension, for the fs fallback walker. The native walker has
 * the same tables in native/addon/disk/classify.cc; classify.test.ts checks the two agree.
 */
const C = Object.fromEntries(FILE_CATEGORIES.map((c, i) => [c, i])) as Record<FileCategory, number>;

const EXTENSIONS: [FileCategory, string][] = [
  ['video', 'mp4 m4v mkv webm avi mov wmv flv mpg mpeg m2ts 3gp ogv vob'],
  ['image', 'png jpg jpeg gif webp bmp tif tiff heic heif avif svg ico psd raw cr2 nef xcf jxl'],
  ['audio', 'mp3 flac ogg oga opus wav m4a aac wma aiff mid midi'],
  ['archive', 'zip gz tgz xz txz zst bz2 tbz2 7z rar tar lz4 lzma deb rpm jar apk iso img dmg squashfs snap whl cab ar cpio zstd'],
  ['document', 'pdf doc docx odt xls xlsx ods ppt pptx odp rtf epub djvu ps tex pages key numbers'],
  [
    'code',
    'c h cc cpp cxx hpp hh js mjs cjs ts tsx jsx py rb go rs java kt scala swift m mm cs php pl pm sh bash zsh fish lua r jl hs ml ex exs erl clj el vim sql css scss less html htm vue svelte gyp cmake mk s asm d zig nim dart proto json yaml yml toml xml ini cfg conf',
  ],
  ['text', 'txt md rst log csv tsv text org adoc 1 2 3 5 8 po pot'],
  ['binary', 'so o a ko exe dll bin elf pyc class wasm node dylib lib obj pack idx'],
  ['database', 'sqlite sqlite3 db mdb accdb ldb kdbx frm ibd dbf'],
  ['font', 'ttf otf woff woff2 pfb pcf ttc eot'],
];
const BY_EXTENSION = new Map<string, number>();
for (const [cat, list] of EXTENSIONS) for (const e of list.split(' ')) BY_EXTENSION.set(e, C[cat]);

/** Every extension the table knows (tests check the native table against it). */
export const KNOWN_EXTENSIONS = [...BY_EXTENSION.keys()];

export function extensionOf(name: string): string {
  const dot = name.lastIndexOf('.');
  if (dot <= 0 || dot === name.length - 1 || name.length - dot > 12) return '';
  return name.slice(dot + 1).toLowerCase();
}

export function categoryByExtension(name: string): number {
  return BY_EXTENSION.get(extensionOf(name)) ?? C.other;
}

const starts = (d: Buffer, magic: string | number[], at = 0) => {
  const m = typeof magic === 'string' ? Buffer.from(magic, 'latin1') : Buffer.from(magic);
  return d.length >= at + m.length && d.subarray(at, at + m.length).equals(m);
};

function looksLikeText(d: Buffer): boolean {
  if (d.length === 0) return false;
  let control = 0;
  for (let i = 0; i < d.length; ) {
    const c = d[i];
    if (c === 0) return false;
    if (c < 0x80) {
      if (c < 0x20 && c !== 10 && c !== 13 && c !== 9 && c !== 12 && c !== 0x1b) control++;
      i++;
      continue;
    }
    const len = (c & 0xe0) === 0xc0 ? 2 : (c & 0xf0) === 0xe0 ? 3 : (c & 0xf8) === 0xf0 ? 4 : 0;
    if (len === 0) return false;
    if (i + len > d.length) break;
    for (let k = 1; k < len; k++) if ((d[i + k] & 0xc0) !== 0x80) return false;
    i += len;
  }
  return control * 20 < d.length;
}

/** The category the first bytes show, or -1 when they say nothing. */
export function classifyContent(head: Buffer, name: string): number {
  const d = head.subarray(0, 512);
  const n = d.length;
  if (n < 4) return -1;
  if (starts(d, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return C.image;
  if (starts(d, [0xff, 0xd8, 0xff])) return C.image;
  if (starts(d, 'GIF87a') || starts(d, 'GIF89a')) return C.image;
  if (starts(d, 'RIFF') && n >= 12) {
    if (starts(d, 'WEBP', 8)) return C.image;
    if (starts(d, 'WAVE', 8)) return C.audio;
    if (starts(d, 'AVI ', 8)) return C.video;
    return -1;
  }
  if (starts(d, 'BM') && n >= 26 && d[14] >= 12 && d[15] === 0 && d[16] === 0 && d[17] === 0) return C.image;
  if (starts(d, [0x49, 0x49, 0x2a, 0]) || starts(d, [0x4d, 0x4d, 0, 0x2a])) return C.image;
  if (n >= 12 && starts(d, 'ftyp', 4)) {
    const brand = d.subarray(8, 12).toString('latin1');
    if (['heic', 'heix', 'mif1', 'msf1', 'avif', 'heim'].includes(brand)) return C.image;
    if (['M4A ', 'M4B ', 'M4P '].includes(brand)) return C.audio;
    return C.video;
  }
  if (starts(d, [0x1a, 0x45, 0xdf, 0xa3])) return C.video;
  if (starts(d, 'ID3')) return C.audio;
  if (n >= 3 && d[0] === 0xff && (d[1] & 0xe0) === 0xe0 && (d[1] & 0x18) !== 0x08 && (d[2] & 0xf0) !== 0xf0 && (d[2] & 0x0c) !== 0x0c) {
    return C.audio;
  }
  if (starts(d, 'fLaC')) return C.audio;
  if (starts(d, 'OggS')) {
    const page = d.subarray(28, 70).toString('latin1');
    return page.includes('theora') ? C.video : C.audio;
  }
  if (starts(d, 'MThd')) return C.audio;
  if (starts(d, [0x50, 0x4b, 3, 4]) || starts(d, [0x50, 0x4b, 5, 6])) {
    const head = d.toString('latin1');
    if (
      head.includes('mimetypeapplication/vnd.oasis') ||
      head.includes('mimetypeapplication/epub') ||
      head.includes('[Content_Types].xml') ||
      head.includes('word/') ||
      head.includes('xl/') ||
      head.includes('ppt/')
    ) {
      return C.document;
    }
    return categoryByExtension(name) === C.document ? C.document : C.archive;
  }
  if (starts(d, [0x1f, 0x8b])) return C.archive;
  if (starts(d, [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0])) return C.archive;
  if (starts(d, [0x28, 0xb5, 0x2f, 0xfd])) return C.archive;
  if (starts(d, 'BZh')) return C.archive;
  if (starts(d, [0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c])) return C.archive;
  if (starts(d, 'Rar!\x1a\x07')) return C.archive;
  if (starts(d, [0x04, 0x22, 0x4d, 0x18])) return C.archive;
  if (starts(d, '!<arch>\n')) return categoryByExtension(name) === C.binary ? C.binary : C.archive;
  if (starts(d, 'ustar', 257)) return C.archive;
  if (starts(d, 'hsqs')) return C.archive;
  if (starts(d, '%PDF-')) return C.document;
  if (starts(d, [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1])) return C.document;
  if (starts(d, '{\\rtf')) return C.document;
  if (starts(d, 'AT&TFORM')) return C.document;
  if (starts(d, '\x7fELF')) return C.binary;
  if (starts(d, 'MZ')) return C.binary;
  if (starts(d, [0xcf, 0xfa, 0xed, 0xfe]) || starts(d, [0xce, 0xfa, 0xed, 0xfe]) || starts(d, [0xca, 0xfe, 0xba, 0xbe])) return C.binary;
  if (starts(d, [0, 0x61, 0x73, 0x6d])) return C.binary;
  if (starts(d, 'SQLite format 3\0')) return C.database;
  if (starts(d, [0, 1, 0, 0]) || starts(d, 'OTTO') || starts(d, 'true') || starts(d, 'ttcf')) return C.font;
  if (starts(d, 'wOFF') || starts(d, 'wOF2')) return C.font;
  if (looksLikeText(d)) {
    const byName = categoryByExtension(name);
    return byName === C.code || byName === C.text || byName === C.document ? byName : C.text;
  }
  return -1;
}
