import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runSlt } from './runner';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const suite = path.resolve(repoRoot, '../shared/conformance/sqllogictest');

function listTests(dir: string): string[] {
  return readdirSync(dir)
    .flatMap((f) => {
      const p = path.join(dir, f);
      return statSync(p).isDirectory() ? listTests(p) : f.endsWith('.test') ? [p] : [];
    })
    .sort();
}

describe('sqllogictest conformance', () => {
  const files = listTests(suite);
  it('finds the suite', () => expect(files.length).toBeGreaterThan(0));
  for (const file of files) {
    it(`passes every supported record of ${path.relative(suite, file)}`, () => {
      const r = runSlt(readFileSync(file, 'utf8'));
      if (r.skipped) console.log(`${path.relative(suite, file)}: ${r.passed} passed, ${r.skipped} skipped (${JSON.stringify(r.skipReasons)})`);
      expect(r.failures).toEqual([]);
      expect(r.passed).toBeGreaterThan(0);
    });
  }
});
