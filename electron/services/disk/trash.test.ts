import { execFileSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { decodeTrashPath, encodeTrashPath, moveToTrash, trashDirFor } from './trash';

const isRoot = process.getuid?.() === 0;
let work: string;
let savedXdg: string | undefined;

beforeEach(() => {
  work = mkdtempSync(join(tmpdir(), 'vantage-trash-'));
  savedXdg = process.env.XDG_DATA_HOME;
  process.env.XDG_DATA_HOME = join(work, 'data');
});
afterEach(() => {
  if (savedXdg === undefined) delete process.env.XDG_DATA_HOME;
  else process.env.XDG_DATA_HOME = savedXdg;
  rmSync(work, { recursive: true, force: true });
});

function info(path: string | Buffer): { path: Buffer; date: string } {
  const text = readFileSync(path, 'utf8');
  const lines = text.split('\n');
  expect(lines[0]).toBe('[Trash Info]');
  const pathLine = lines.find((l) => l.startsWith('Path=')) ?? '';
  const dateLine = lines.find((l) => l.startsWith('DeletionDate=')) ?? '';
  return { path: decodeTrashPath(pathLine.slice(5)), date: dateLine.slice(13) };
}

describe('moveToTrash on the home file system', () => {
  it('moves a file into $XDG_DATA_HOME/Trash/files and writes its .trashinfo with the original path', async () => {
    const file = join(work, 'report.txt');
    writeFileSync(file, 'hello');
    const r = await moveToTrash(file);
    expect(r.trashDir).toBe(join(work, 'data', 'Trash'));
    expect(existsSync(file)).toBe(false);
    expect(readFileSync(r.trashedPath, 'utf8')).toBe('hello');
    expect(r.trashedPath).toBe(join(work, 'data', 'Trash', 'files', 'report.txt'));
    const i = info(r.infoPath);
    expect(i.path.toString()).toBe(file);
    expect(i.date).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/);
  });

  it('moves a folder whole and records it in directorysizes', async () => {
    const dir = join(work, 'photos');
    mkdirSync(join(dir, 'inner'), { recursive: true });
    writeFileSync(join(dir, 'inner', 'a.jpg'), Buffer.alloc(10_000, 1));
    const r = await moveToTrash(dir);
    expect(readFileSync(join(r.trashedPath, 'inner', 'a.jpg')).length).toBe(10_000);
    const sizes = readFileSync(join(r.trashDir, 'directorysizes'), 'utf8').trim().split(' ');
    expect(Number(sizes[0])).toBeGreaterThan(0);
    expect(sizes[2]).toBe('photos');
  });

  it('gives colliding names .2, .3 and keeps every item', async () => {
    const results = [];
    for (let i = 0; i < 3; i++) {
      const file = join(work, 'same.txt');
      writeFileSync(file, `v${i}`);
      results.push(await moveToTrash(file));
    }
    expect(results.map((r) => r.trashedPath.split('/').pop())).toEqual(['same.txt', 'same.txt.2', 'same.txt.3']);
    expect(results.map((r) => readFileSync(r.trashedPath, 'utf8'))).toEqual(['v0', 'v1', 'v2']);
    expect(results.map((r) => r.infoPath.split('/').pop())).toEqual([
      'same.txt.trashinfo',
      'same.txt.2.trashinfo',
      'same.txt.3.trashinfo',
    ]);
  });

  it('percent-encodes spaces, newlines and bytes that are not UTF-8, and keeps the name bytes', async () => {
    const spaced = join(work, 'my file\nwith newline.txt');
    writeFileSync(spaced, 'x');
    const r1 = await moveToTrash(spaced);
    const text = readFileSync(r1.infoPath, 'utf8');
    expect(text).toContain('my%20file%0Awith%20newline.txt');
    expect(info(r1.infoPath).path.toString()).toBe(spaced);

    const raw = Buffer.concat([Buffer.from(`${work}/bad-`), Buffer.from([0xff, 0xfe]), Buffer.from('.bin')]);
    writeFileSync(raw, 'y');
    const r2 = await moveToTrash(raw);
    const infoName = Buffer.from('bad-\xff\xfe.bin.trashinfo', 'latin1');
    const infoFile = Buffer.concat([Buffer.from(`${r2.trashDir}/info/`), infoName]);
    expect(readFileSync(infoFile, 'utf8')).toContain('bad-%FF%FE.bin');
    expect(info(infoFile).path.equals(raw)).toBe(true);
    const names = readdirSync(join(r2.trashDir, 'files'), { encoding: 'buffer' });
    expect(names.some((n) => n.equals(Buffer.from([0x62, 0x61, 0x64, 0x2d, 0xff, 0xfe, 0x2e, 0x62, 0x69, 0x6e])))).toBe(true);
  });

  it('trashes a symlink itself, not its target', async () => {
    writeFileSync(join(work, 'target'), 't');
    execFileSync('ln', ['-s', 'target', join(work, 'link')]);
    const r = await moveToTrash(join(work, 'link'));
    expect(lstatSync(r.trashedPath).isSymbolicLink()).toBe(true);
    expect(readFileSync(join(work, 'target'), 'utf8')).toBe('t');
  });

  it('fails with ENOENT for a missing path and leaves no .trashinfo behind', async () => {
    await expect(moveToTrash(join(work, 'nope'))).rejects.toMatchObject({ code: 'ENOENT' });
    expect(existsSync(join(work, 'data', 'Trash', 'info', 'nope.trashinfo'))).toBe(false);
  });

  it('refuses to trash the trash itself or what is already in it', async () => {
    const file = join(work, 'f');
    writeFileSync(file, 'x');
    const r = await moveToTrash(file);
    await expect(moveToTrash(r.trashedPath)).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    await expect(moveToTrash(r.trashDir)).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    expect(existsSync(r.trashedPath)).toBe(true);
  });

  it('encodes and decodes paths byte for byte', () => {
    const b = Buffer.from([0x2f, 0x61, 0x20, 0x25, 0xc3, 0xa9, 0x80]);
    expect(encodeTrashPath(b)).toBe('/a%20%25%C3%A9%80');
    expect(decodeTrashPath(encodeTrashPath(b)).equals(b)).toBe(true);
  });
});

describe.skipIf(!isRoot)('moveToTrash on another mount (a tmpfs mounted for the test, as root)', () => {
  let mnt: string;
  beforeEach(() => {
    mnt = mkdtempSync(join(tmpdir(), 'vantage-trash-mnt-'));
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=8m', 'tmpfs', mnt]);
  });
  afterEach(() => {
    execFileSync('umount', [mnt]);
    rmSync(mnt, { recursive: true, force: true });
  });
  afterAll(() => undefined);

  it('uses $topdir/.Trash-$uid and never copies', async () => {
    const file = join(mnt, 'sub', 'big.bin');
    mkdirSync(join(mnt, 'sub'));
    writeFileSync(file, 'data');
    const ino = lstatSync(file).ino;
    expect(await trashDirFor(file)).toBe(join(mnt, `.Trash-${process.getuid?.()}`));
    const r = await moveToTrash(file);
    expect(r.trashDir).toBe(join(mnt, `.Trash-${process.getuid?.()}`));
    expect(lstatSync(r.trashedPath).ino).toBe(ino);
    expect(info(r.infoPath).path.toString()).toBe(file);
    expect(lstatSync(r.trashDir).mode & 0o777).toBe(0o700);
  });

  it('uses $topdir/.Trash/$uid when the admin made a sticky .Trash', async () => {
    mkdirSync(join(mnt, '.Trash'), { mode: 0o1777 });
    execFileSync('chmod', ['1777', join(mnt, '.Trash')]);
    writeFileSync(join(mnt, 'f'), 'x');
    const r = await moveToTrash(join(mnt, 'f'));
    expect(r.trashDir).toBe(join(mnt, '.Trash', String(process.getuid?.())));
  });

  it('ignores a .Trash that is not sticky', async () => {
    mkdirSync(join(mnt, '.Trash'), { mode: 0o777 });
    writeFileSync(join(mnt, 'f'), 'x');
    const r = await moveToTrash(join(mnt, 'f'));
    expect(r.trashDir).toBe(join(mnt, `.Trash-${process.getuid?.()}`));
  });
});
