import { describe, expect, it } from 'vitest';
import { FILE_CATEGORIES, type FileCategory } from '../../../contract/disk';
import { KNOWN_EXTENSIONS, categoryByExtension, classifyContent, extensionOf } from './classify';
import { loadWalker } from './native-walker';

const hex = (h: string, pad = 600) => {
  const b = Buffer.alloc(pad);
  Buffer.from(h.replace(/\s/g, ''), 'hex').copy(b);
  return b;
};
const text = (s: string) => Buffer.from(s);
const at = (offset: number, s: string, pad = 600) => {
  const b = Buffer.alloc(pad, 0x20);
  b[0] = 0x61;
  b.fill(0, 1);
  Buffer.from(s, 'latin1').copy(b, offset);
  return b;
};

/** Sample heads of real formats, with the category their content shows. */
const SAMPLES: [string, Buffer, string, FileCategory | null][] = [
  ['PNG', hex('89504e470d0a1a0a0000000d49484452'), 'x.bin', 'image'],
  ['JPEG', hex('ffd8ffe000104a464946'), 'x', 'image'],
  ['GIF', text('GIF89a\x01\x00\x01\x00'), 'x', 'image'],
  ['WebP', text('RIFF\x24\x00\x00\x00WEBPVP8 '), 'x', 'image'],
  ['TIFF', hex('49492a0008000000'), 'x', 'image'],
  ['HEIC', hex('00000018667479706865696300000000'), 'x', 'image'],
  ['MP4', hex('0000002066747970697336d00000000'.padEnd(32, '0')), 'x', 'video'],
  ['M4A', text('\x00\x00\x00\x20ftypM4A \x00\x00\x00\x00'), 'x', 'audio'],
  ['Matroska', hex('1a45dfa3a34286810142f7810142f2'), 'x', 'video'],
  ['AVI', text('RIFF\x00\x00\x00\x00AVI LIST'), 'x', 'video'],
  ['WAVE', text('RIFF\x00\x00\x00\x00WAVEfmt '), 'x', 'audio'],
  ['MP3 ID3', text('ID3\x03\x00\x00\x00'), 'x', 'audio'],
  ['MP3 frame', hex('fffb9064000000'), 'x', 'audio'],
  ['FLAC', text('fLaC\x00\x00\x00\x22'), 'x', 'audio'],
  ['Ogg', text('OggS\x00\x02\x00\x00'), 'x', 'audio'],
  ['zip', text('PK\x03\x04\x14\x00\x00\x00\x08\x00data.bin'), 'x.zip', 'archive'],
  ['docx', text('PK\x03\x04\x14\x00\x06\x00\x08\x00[Content_Types].xml'), 'x', 'document'],
  ['odt', text('PK\x03\x04\x14\x00\x00\x08\x00\x00mimetypeapplication/vnd.oasis.opendocument.text'), 'x', 'document'],
  ['gzip', hex('1f8b0800000000000003'), 'x', 'archive'],
  ['xz', hex('fd377a585a000004e6d6b446'), 'x', 'archive'],
  ['zstd', hex('28b52ffd0458'), 'x', 'archive'],
  ['bzip2', text('BZh91AY&SY'), 'x', 'archive'],
  ['7z', hex('377abcaf271c0004'), 'x', 'archive'],
  ['rar', text('Rar!\x1a\x07\x01\x00'), 'x', 'archive'],
  ['tar', at(257, 'ustar\x0000'), 'x', 'archive'],
  ['PDF', text('%PDF-1.7\n%\xe2\xe3'), 'x', 'document'],
  ['ELF', hex('7f454c4602010100'), 'x', 'binary'],
  ['PE', text('MZ\x90\x00\x03\x00'), 'x', 'binary'],
  ['Mach-O', hex('cffaedfe07000001'), 'x', 'binary'],
  ['SQLite', text('SQLite format 3\x00\x10\x00'), 'x', 'database'],
  ['TrueType', hex('0001000000120100'), 'x', 'font'],
  ['OpenType', text('OTTO\x00\x0b\x00\x80'), 'x', 'font'],
  ['WOFF2', text('wOF2\x00\x01\x00\x00'), 'x', 'font'],
  ['UTF-8 text', text('Hello, wörld.\nSecond line.\n'), 'notes', 'text'],
  ['source', text('#include <stdio.h>\nint main(void) { return 0; }\n'), 'main.c', 'code'],
  ['random bytes', hex('0001fe02fd03fc04fb05fa06', 12), 'x', null],
];

describe('classification by content', () => {
  it.each(SAMPLES)('%s', (_label, head, name, expected) => {
    const got = classifyContent(head, name);
    expect(got === -1 ? null : FILE_CATEGORIES[got]).toBe(expected);
  });

  const native = loadWalker();
  it.skipIf(!native.ok)('the native walker classifies every sample the same way', () => {
    if (!native.ok) return;
    for (const [label, head, name] of SAMPLES) {
      expect([label, native.addon.classifyBytes(head, name)]).toEqual([label, classifyContent(head, name)]);
    }
  });

  it.skipIf(!native.ok)('the native and JS extension tables agree', () => {
    if (!native.ok) return;
    const names = ['a.MP4', 'b.png', 'c.tar.gz', 'd.ts', 'e.sqlite', 'f.woff2', 'g.md', 'h.so', 'i.docx', 'j', '.bashrc', 'k.unknown', 'l.PY'];
    // The native table packs extensions of up to 8 bytes into a number: every known one (each in
    // upper case too), longer tails, a trailing dot, near misses and non-ASCII bytes.
    for (const e of KNOWN_EXTENSIONS) names.push(`x.${e}`, `x.${e.toUpperCase()}`, `x.${e}x`, `${e}`);
    names.push('x.squashfsx', 'x.squashfs1', 'a.b.', 'x.averyveryverylongtail', 'x.é', 'x.ZIP.', '..', '.', 'x..gz');
    for (const n of names) expect([n, native.addon.categoryOfName(n)]).toEqual([n, categoryByExtension(n)]);
  });
});

describe('extensions', () => {
  it('are lower-case, without the dot, empty for dot files and long tails', () => {
    expect(extensionOf('Movie.MKV')).toBe('mkv');
    expect(extensionOf('archive.tar.gz')).toBe('gz');
    expect(extensionOf('.bashrc')).toBe('');
    expect(extensionOf('README')).toBe('');
    expect(extensionOf('x.averyveryverylongtail')).toBe('');
    expect(FILE_CATEGORIES[categoryByExtension('photo.JPG')]).toBe('image');
  });
});
