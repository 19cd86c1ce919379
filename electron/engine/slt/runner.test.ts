import { describe, expect, it } from 'vitest';
import { formatValue, md5OfValues } from './format';
import { runSlt } from './runner';

describe('sqllogictest runner', () => {
  it('formats values by column type like the reference driver', () => {
    expect(formatValue(null, 'I')).toBe('NULL');
    expect(formatValue(2.7, 'I')).toBe('2');
    expect(formatValue(1, 'R')).toBe('1.000');
    expect(formatValue('', 'T')).toBe('(empty)');
  });
  it('hashes values each followed by a newline', () => {
    expect(md5OfValues(['1', '2'])).toBe('6ddb4095eb719e2a9f0a3f95677d24e0');
  });
  it('counts failures, honours skipif/onlyif and skips unsupported features', () => {
    const r = runSlt(
      [
        'statement ok', 'CREATE TABLE t(a INTEGER)', '',
        'statement ok', 'INSERT INTO t VALUES(1),(2)', '',
        'query I rowsort', 'SELECT a FROM t', '----', '1', '2', '',
        'query I nosort', 'SELECT a FROM t', '----', '3', '',
        'skipif sqlite', 'query I nosort', 'SELECT 1', '----', '9', '',
        'statement ok', 'CREATE TRIGGER r AFTER INSERT ON t BEGIN SELECT 1; END', '',
        'halt', '',
        'query I nosort', 'SELECT 1', '----', '9',
      ].join('\n'),
    );
    expect([r.passed, r.failed, r.skipped]).toEqual([3, 1, 1]);
  });
});
