import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseProcessFilter, PROCESS_FILTER_FIELDS } from './process-filter';
import type { ProcessTable } from './processes';

interface Row {
  pid: number;
  ppid?: number;
  uid?: number;
  user?: string;
  state?: string;
  threads?: number;
  nice?: number;
  rss?: number;
  vsz?: number;
  swap?: number;
  cpu?: number;
  mem?: number;
  read?: number | null;
  write?: number | null;
  ctx?: number;
  comm: string;
  cmdline?: string;
  cgroup?: string;
  wchan?: string;
  tty?: string;
}

function table(rows: Row[]): ProcessTable {
  return {
    ts: 0,
    count: rows.length,
    pid: rows.map((r) => r.pid),
    ppid: rows.map((r) => r.ppid ?? 1),
    uid: rows.map((r) => r.uid ?? 0),
    user: rows.map((r) => r.user ?? 'root'),
    state: rows.map((r) => r.state ?? 'S'),
    threads: rows.map((r) => r.threads ?? 1),
    nice: rows.map((r) => r.nice ?? 0),
    priority: rows.map(() => 20),
    rssBytes: rows.map((r) => r.rss ?? 0),
    vszBytes: rows.map((r) => r.vsz ?? 0),
    swapBytes: rows.map((r) => r.swap ?? 0),
    cpuPercent: rows.map((r) => r.cpu ?? 0),
    memPercent: rows.map((r) => r.mem ?? 0),
    cpuTimeMs: rows.map(() => 0),
    readBytesPerSec: rows.map((r) => (r.read === undefined ? 0 : r.read)),
    writeBytesPerSec: rows.map((r) => (r.write === undefined ? 0 : r.write)),
    ctxSwitchesPerSec: rows.map((r) => r.ctx ?? 0),
    startTicks: rows.map(() => 0),
    startedAt: rows.map(() => 0),
    comm: rows.map((r) => r.comm),
    cmdline: rows.map((r) => r.cmdline ?? ''),
    cgroup: rows.map((r) => r.cgroup ?? '/'),
    wchan: rows.map((r) => r.wchan ?? ''),
    tty: rows.map((r) => r.tty ?? ''),
    kernel: rows.map((r) => !r.cmdline),
  };
}

const T = table([
  { pid: 1, ppid: 0, comm: 'systemd', cmdline: '/sbin/init splash', cgroup: '/init.scope', wchan: 'ep_poll', rss: 12 * 1024 ** 2 },
  { pid: 2, ppid: 0, comm: 'kthreadd', state: 'S' },
  { pid: 15, ppid: 2, comm: 'kworker/0:1-events', state: 'I' },
  {
    pid: 1200,
    uid: 1000,
    user: 'alice',
    comm: 'firefox',
    cmdline: '/usr/lib/firefox/firefox --new-window',
    threads: 90,
    cpu: 35.5,
    mem: 12.25,
    rss: 1.5 * 1024 ** 3,
    vsz: 12 * 1024 ** 3,
    read: 2 * 1024 ** 2,
    write: null,
    tty: '',
    cgroup: '/user.slice/user-1000.slice/app.slice/firefox.scope',
  },
  { pid: 1250, ppid: 1200, uid: 1000, user: 'alice', comm: 'Web Content', cmdline: '/usr/lib/firefox/firefox -contentproc 12', cpu: 4, rss: 300 * 1024 ** 2, nice: 5 },
  { pid: 2000, uid: 1000, user: 'alice', comm: 'bash', cmdline: '-bash', tty: 'pts/3', state: 'S' },
  { pid: 2100, ppid: 2000, uid: 1000, user: 'alice', comm: 'yes', cmdline: 'yes', tty: 'pts/3', state: 'R', cpu: 99.9, ctx: 3 },
  { pid: 2200, ppid: 2000, uid: 1000, user: 'alice', comm: 'defunct', cmdline: '', state: 'Z' },
  { pid: 3000, uid: 33, user: 'www-data', comm: 'nginx', cmdline: 'nginx: worker process', state: 'D', swap: 4096 },
]);

/** The pids a filter keeps, in table order. */
function pids(text: string): number[] {
  const f = parseProcessFilter(text);
  if (!f.ok) throw new Error(`unexpected parse error: ${f.error.message}`);
  return T.pid.filter((_, i) => f.match(T, i));
}

function error(text: string) {
  const f = parseProcessFilter(text);
  if (f.ok) throw new Error(`"${text}" parsed but should not`);
  return f.error;
}

describe('parseProcessFilter', () => {
  it('an empty or blank filter keeps every process', () => {
    expect(pids('')).toEqual(T.pid);
    expect(pids('   \t ')).toEqual(T.pid);
  });

  it('a bare word matches the name or the command line, in any case', () => {
    expect(pids('firefox')).toEqual([1200, 1250]);
    expect(pids('FIREFOX')).toEqual([1200, 1250]);
    expect(pids('splash')).toEqual([1]);
    expect(pids('kworker')).toEqual([15]);
  });

  it('quoted words are one term, and quotes may hold field-like text', () => {
    expect(pids('"web content"')).toEqual([1250]);
    expect(pids('"nginx: worker"')).toEqual([3000]);
    expect(pids('cmd:"--new-window"')).toEqual([1200]);
    expect(pids('"say \\"hi\\""')).toEqual([]);
  });

  it('all terms must match', () => {
    expect(pids('user:alice firefox')).toEqual([1200, 1250]);
    expect(pids('user:alice firefox cpu>10')).toEqual([1200]);
  });

  it('a leading minus negates a term', () => {
    expect(pids('user:alice -firefox')).toEqual([2000, 2100, 2200]);
    expect(pids('-user:root -user:alice')).toEqual([3000]);
    expect(pids('-"web content" firefox')).toEqual([1200]);
  });

  it('user, state, tty, pid and ppid with ":" are exact', () => {
    expect(pids('user:alic')).toEqual([]);
    expect(pids('user:www-data')).toEqual([3000]);
    expect(pids('tty:pts/3')).toEqual([2000, 2100]);
    expect(pids('pid:1')).toEqual([1]);
    expect(pids('ppid:2000')).toEqual([2100, 2200]);
  });

  it('name, cmd, cgroup and wchan with ":" contain the text, in any case', () => {
    expect(pids('name:fox')).toEqual([1200]);
    expect(pids('comm:CONTENT')).toEqual([1250]);
    expect(pids('cmd:contentproc')).toEqual([1250]);
    expect(pids('cgroup:user-1000.slice')).toEqual([1200]);
    expect(pids('wchan:ep_')).toEqual([1]);
  });

  it('= and != compare text exactly', () => {
    expect(pids('name=firefox')).toEqual([1200]);
    expect(pids('name=fire')).toEqual([]);
    expect(pids('user!=root')).toEqual([1200, 1250, 2000, 2100, 2200, 3000]);
  });

  it('state accepts letters and words', () => {
    expect(pids('state:R')).toEqual([2100]);
    expect(pids('state:zombie')).toEqual([2200]);
    expect(pids('state:disk')).toEqual([3000]);
    expect(pids('state:idle')).toEqual([15]);
    expect(pids('-state:S')).toEqual([15, 2100, 2200, 3000]);
  });

  it('~ matches a regular expression, in any case', () => {
    expect(pids('name~^k')).toEqual([2, 15]);
    expect(pids('cmd~firefox$')).toEqual([]);
    expect(pids('cmd~-content.*\\d+$')).toEqual([1250]);
    expect(pids('user~^www')).toEqual([3000]);
    expect(pids('name~"web c"')).toEqual([1250]);
  });

  it('numeric fields compare with > < >= <= = !=', () => {
    expect(pids('cpu>10')).toEqual([1200, 2100]);
    expect(pids('cpu>=35.5')).toEqual([1200, 2100]);
    expect(pids('cpu<1')).toEqual([1, 2, 15, 2000, 2200, 3000]);
    expect(pids('cpu<=4')).toEqual([1, 2, 15, 1250, 2000, 2200, 3000]);
    expect(pids('threads=90')).toEqual([1200]);
    expect(pids('threads>1')).toEqual([1200]);
    expect(pids('nice!=0')).toEqual([1250]);
    expect(pids('nice:5')).toEqual([1250]);
    expect(pids('pid<3')).toEqual([1, 2]);
    expect(pids('pid>1000 pid<2050')).toEqual([1200, 1250, 2000]);
    expect(pids('mem>12')).toEqual([1200]);
    expect(pids('mem>12%')).toEqual([1200]);
    expect(pids('ctx>0')).toEqual([2100]);
    expect(pids('uid=33')).toEqual([3000]);
  });

  it('sizes accept K, M, G, T suffixes (powers of 1024) with optional B or iB', () => {
    expect(pids('rss>100M')).toEqual([1200, 1250]);
    expect(pids('rss>=1.5G')).toEqual([1200]);
    expect(pids('rss>1.5G')).toEqual([]);
    expect(pids('rss>1.4GiB')).toEqual([1200]);
    expect(pids('rss<300MB rss>0')).toEqual([1]);
    expect(pids('rss=12m')).toEqual([1]);
    expect(pids('vsz>10g')).toEqual([1200]);
    expect(pids('swap>=4k')).toEqual([3000]);
    expect(pids('swap=4096')).toEqual([3000]);
    expect(pids('swap>1b')).toEqual([3000]);
  });

  it('I/O rates accept sizes (and /s); unknown rates match no comparison', () => {
    expect(pids('read>1M')).toEqual([1200]);
    expect(pids('read>1M/s')).toEqual([1200]);
    expect(pids('write>=0 user:alice')).toEqual([1250, 2000, 2100, 2200]);
    expect(pids('-write>=0')).toEqual([1200]);
  });

  it('field names are case-insensitive and have ps-like aliases', () => {
    expect(pids('CPU>50')).toEqual([2100]);
    expect(pids('%cpu>50')).toEqual([2100]);
    expect(pids('nlwp>1')).toEqual([1200]);
    expect(pids('stat:Z')).toEqual([2200]);
  });

  it('a word with a colon that is not a field name is searched as text when quoted', () => {
    expect(pids('"nginx:"')).toEqual([3000]);
    // Not an identifier before the colon: a bare word.
    expect(pids('0:1')).toEqual([15]);
  });

  it('reports an unknown field with its offsets', () => {
    const e = error('user:alice colour:red');
    expect(e.message).toMatch(/unknown field "colour"/);
    expect([e.start, e.end]).toEqual([11, 17]);
  });

  it('reports a missing or malformed number on the value', () => {
    let e = error('cpu>');
    expect(e.message).toMatch(/cpu needs a number/);
    expect([e.start, e.end]).toEqual([0, 4]);
    e = error('cpu>abc');
    expect(e.message).toMatch(/expects a number/);
    expect([e.start, e.end]).toEqual([4, 7]);
    e = error('rss>10Q');
    expect(e.message).toMatch(/unknown unit "Q"/);
    expect([e.start, e.end]).toEqual([4, 7]);
    e = error('threads>3M');
    expect(e.message).toMatch(/plain number/);
    e = error('cpu>5G');
    expect(e.message).toMatch(/percentage/);
  });

  it('reports operators that do not fit the field type on the operator', () => {
    let e = error('name>5');
    expect(e.message).toMatch(/name is text/);
    expect([e.start, e.end]).toEqual([4, 5]);
    e = error('x cpu~5');
    expect(e.message).toMatch(/cpu is a number/);
    expect([e.start, e.end]).toEqual([5, 6]);
    e = error('x user:');
    expect(e.message).toMatch(/needs a value/);
    expect([e.start, e.end]).toEqual([2, 7]);
  });

  it('reports an invalid regular expression on the pattern', () => {
    const e = error('name~(abc');
    expect(e.message).toMatch(/invalid regular expression/);
    expect([e.start, e.end]).toEqual([5, 9]);
    const missing = error('name~');
    expect(missing.message).toMatch(/needs a regular expression/);
    expect([missing.start, missing.end]).toEqual([0, 5]);
  });

  it('reports an unterminated quote from the quote to the end', () => {
    const e = error('firefox "web con');
    expect(e.message).toMatch(/unterminated quote/);
    expect([e.start, e.end]).toEqual([8, 16]);
  });

  it('reports a lone minus and text glued to a closing quote', () => {
    expect(error('firefox - bash')).toMatchObject({ start: 8, end: 9 });
    expect(error('"a"b').message).toMatch(/closing quote/);
  });

  it('reports an unknown state', () => {
    const e = error('state:sleepy');
    expect(e.message).toMatch(/unknown state "sleepy"/);
    expect([e.start, e.end]).toEqual([6, 12]);
  });

  it('never throws, and every error lies within the text', () => {
    const pieces = ['cpu', 'rss', 'name', 'user', 'state', 'pid', '>', '<', '>=', '=', '!=', ':', '~', '-', '"', ' ', '5', '1.5G', 'x', '(', '\\', 'zombie', '%'];
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.array(fc.constantFrom(...pieces), { maxLength: 12 }).map((a) => a.join(''))), (text) => {
        const f = parseProcessFilter(text);
        if (f.ok) {
          for (let i = 0; i < T.count; i++) expect(typeof f.match(T, i)).toBe('boolean');
        } else {
          expect(f.error.start).toBeGreaterThanOrEqual(0);
          expect(f.error.end).toBeGreaterThan(f.error.start);
          expect(f.error.end).toBeLessThanOrEqual(text.length);
          expect(f.error.message.length).toBeGreaterThan(0);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('lists its fields with a kind and a help text', () => {
    const names = PROCESS_FILTER_FIELDS.map((f) => f.name);
    for (const n of ['user', 'state', 'name', 'cmd', 'cgroup', 'tty', 'pid', 'ppid', 'cpu', 'mem', 'rss', 'threads', 'nice', 'read', 'write']) {
      expect(names).toContain(n);
    }
    expect(PROCESS_FILTER_FIELDS.every((f) => f.help.length > 0)).toBe(true);
  });
});
