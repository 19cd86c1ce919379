import { describe, expect, it } from 'vitest';
import { discover, ratiosOf } from './run';

describe('bench runner', () => {
  it('discovers every bench/<name>/run.ts', () => {
    expect(discover()).toContain('overview');
  });
  it('reads the ratio column of a printed table and skips rows without one', () => {
    const table = [
      'what        vantage  peer    ratio  target',
      'cpu %       0.25     top 0.3 0.75   < 1',
      'events      4                       ≈ 3',
      '',
      'name  ms  ratio',
      'scan  12  1.9×',
    ].join('\n');
    expect(ratiosOf('what            ms  × rollup\nrollup sweep  5.99      1.00\nfull sweep   17.86      2.98')).toEqual([
      { what: 'rollup sweep', ratio: '1.00' },
      { what: 'full sweep', ratio: '2.98' },
    ]);
    expect(ratiosOf(table)).toEqual([
      { what: 'cpu %', ratio: '0.75' },
      { what: 'scan', ratio: '1.9×' },
    ]);
  });
});
