import { constants } from 'node:os';
import { describe, expect, it } from 'vitest';
import { SIGNALS } from '../../../contract/processes';
import { resolveSignal } from './signals';

describe('resolveSignal', () => {
  it('the catalog matches the numbers Node knows for this platform', () => {
    for (const s of SIGNALS) {
      const known = (constants.signals as Record<string, number>)[s.name];
      if (known !== undefined) expect({ name: s.name, n: known }).toEqual({ name: s.name, n: s.number });
    }
  });

  it('accepts SIGTERM, TERM, sigterm, " term ", 15 and "15" alike', () => {
    for (const spec of ['SIGTERM', 'TERM', 'sigterm', ' term ', 15, '15']) expect(resolveSignal(spec)).toEqual({ number: 15, name: 'SIGTERM' });
  });

  it('names real-time signals from SIGRTMIN (34) to SIGRTMAX (64)', () => {
    expect(resolveSignal('SIGRTMIN')).toEqual({ number: 34, name: 'SIGRTMIN' });
    expect(resolveSignal('rtmin+3')).toEqual({ number: 37, name: 'SIGRTMIN+3' });
    expect(resolveSignal('SIGRTMAX-1')).toEqual({ number: 63, name: 'SIGRTMIN+29' });
    expect(resolveSignal(64)).toEqual({ number: 64, name: 'SIGRTMAX' });
    expect(resolveSignal('IOT')).toEqual({ number: 6, name: 'SIGABRT' });
  });

  it('anything else is INVALID_INPUT', () => {
    for (const spec of ['', 'SIG', 'KILLL', 'SIGRTMIN-1', 'SIGRTMAX+1', '0', '65', -9, 1.5, '9;ls']) {
      expect(() => resolveSignal(spec)).toThrow(expect.objectContaining({ code: 'INVALID_INPUT' }));
    }
  });
});
