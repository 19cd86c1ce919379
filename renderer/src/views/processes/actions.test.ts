import type { SignalInfo } from '@contract/processes';
import { describe, expect, it } from 'vitest';
import { formatCpuList, parseIntIn, parseLimit, searchSignals, signalSentence } from './actions';

// A few rows of the contract's SIGNALS (the test runner does not resolve the @contract alias at run time).
const SIGNALS: SignalInfo[] = [
  { name: 'SIGINT', number: 2, meaning: 'Interrupt, as Ctrl+C', destructive: true },
  { name: 'SIGKILL', number: 9, meaning: 'Kill now: cannot be caught or ignored', destructive: true },
  { name: 'SIGTERM', number: 15, meaning: 'Ask to terminate cleanly', destructive: true },
  { name: 'SIGSTOP', number: 19, meaning: 'Stop (pause) now: cannot be caught', destructive: true },
  { name: 'SIGWINCH', number: 28, meaning: 'Terminal window resized (ignored by default)', destructive: false },
];
const sig = (name: string) => SIGNALS.find((s) => s.name === name)!;

describe('signal wording', () => {
  it('says exactly what a kill will do', () => {
    expect(signalSentence(sig('SIGKILL'), 1234, 'node server.js')).toBe('Send SIGKILL (9) to 1234 node server.js — it will end immediately without cleanup');
    expect(signalSentence(sig('SIGSTOP'), 7, 'vim')).toContain('pause until it is sent SIGCONT');
    expect(signalSentence(sig('SIGWINCH'), 7, 'vim')).toContain('nothing ends');
  });

  it('finds signals by number, short name or meaning', () => {
    expect(searchSignals(SIGNALS, '9')[0].name).toBe('SIGKILL');
    expect(searchSignals(SIGNALS, 'term')[0].name).toBe('SIGTERM');
    expect(searchSignals(SIGNALS, 'ctrl+c').map((s) => s.name)).toEqual(['SIGINT']);
    expect(searchSignals(SIGNALS, '')).toHaveLength(SIGNALS.length);
  });

  it('offers real-time signals by number or SIGRTMIN+n, and nothing outside 34–64', () => {
    expect(searchSignals(SIGNALS, '36')[0]).toMatchObject({ name: 'SIGRTMIN+2', number: 36, destructive: true });
    expect(searchSignals(SIGNALS, 'sigrtmin+1')[0]).toMatchObject({ name: 'SIGRTMIN+1', number: 35 });
    expect(searchSignals(SIGNALS, 'rtmax')[0]).toMatchObject({ name: 'SIGRTMAX', number: 64 });
    expect(searchSignals(SIGNALS, '65')).toEqual([]);
    expect(searchSignals(SIGNALS, '33')).toEqual([]);
  });
});

describe('editor inputs', () => {
  it('writes CPU lists as ranges', () => {
    expect(formatCpuList([3, 0, 1, 2, 6])).toBe('0-3,6');
    expect(formatCpuList([5])).toBe('5');
  });

  it('accepts whole numbers in range only', () => {
    expect(parseIntIn(' -5 ', -20, 19)).toEqual({ ok: true, value: -5 });
    expect(parseIntIn('20', -20, 19)).toEqual({ ok: false, error: '20 is outside -20 … 19' });
    expect(parseIntIn('1.5', -20, 19).ok).toBe(false);
  });

  it('reads limits as numbers or unlimited', () => {
    expect(parseLimit('unlimited')).toEqual({ ok: true, value: 'unlimited' });
    expect(parseLimit('1024')).toEqual({ ok: true, value: 1024 });
    expect(parseLimit('-1').ok).toBe(false);
  });
});
