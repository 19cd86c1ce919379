import { describe, expect, it } from 'vitest';
import { decodeIoPriority, describeCaps, describeOpenFlags, fdKind, parseCgroups, parseCpuList, parseEnviron, parseLimits } from './details';
import { joinCmdline, parseIo, parseStat, parseStatus } from './fallback';
import { pickCgroup, ttyName } from './raw';
import { formatIpv6, parseInetTable, parseNetlinkTable, parseProcNetAddress, parseUnixTable } from './sockets';
import type { SocketInfo } from '../../../contract/processes';

describe('/proc/net address parsing', () => {
  it('IPv4 words are little-endian, ports big-endian hex', () => {
    expect(parseProcNetAddress('0100007F:1F90')).toBe('127.0.0.1:8080');
    expect(parseProcNetAddress('00000000:0016')).toBe('0.0.0.0:22');
    expect(parseProcNetAddress('0101A8C0:D431')).toBe('192.168.1.1:54321');
  });

  it('IPv6 is four little-endian words, shown compressed as RFC 5952 says', () => {
    expect(parseProcNetAddress('00000000000000000000000001000000:0050')).toBe('[::1]:80');
    expect(parseProcNetAddress('00000000000000000000000000000000:0035')).toBe('[::]:53');
    // fe80::1 on the wire: word 0 = fe80 0000 → bytes 80 fe 00 00 little-endian.
    expect(parseProcNetAddress('000080FE000000000000000001000000:01BB')).toBe('[fe80::1]:443');
    expect(parseProcNetAddress('0000000000000000FFFF00000100007F:1F90')).toBe('[::ffff:127.0.0.1]:8080');
  });

  it('compresses the longest zero run, and only runs of two or more', () => {
    expect(formatIpv6([0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1])).toBe('2001:db8:0:1::1');
    expect(formatIpv6([0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1])).toBe('2001:db8::1:0:0:1');
    expect(formatIpv6([0x20, 0x01, 0x0d, 0xb8, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 0])).toBe('2001:db8:1:1:1:1:1:0');
  });

  it('reads tcp and udp tables into sockets by inode with their state', () => {
    const tcp = `  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 4242 1 0000000000000000 100 0 0 10 0
   1: 0100007F:1F90 0100007F:C350 01 00000000:00000000 00:00000000 00000000     0        0 4343 1 0000000000000000 20 4 30 10 -1
`;
    const udp = `   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops
  7: 00000000:0044 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 99 2 0000000000000000 0
`;
    const m = new Map<number, SocketInfo>();
    parseInetTable(tcp, 'tcp', m);
    parseInetTable(udp, 'udp', m);
    expect(m.get(4242)).toEqual({ protocol: 'tcp', local: '127.0.0.1:8080', remote: '0.0.0.0:0', state: 'LISTEN' });
    expect(m.get(4343)).toMatchObject({ remote: '127.0.0.1:50000', state: 'ESTABLISHED' });
    expect(m.get(99)).toEqual({ protocol: 'udp', local: '0.0.0.0:68', remote: '0.0.0.0:0', state: 'UNCONN' });
  });

  it('reads raw and netlink sockets', () => {
    const raw = `  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops
   1: 00000000:0001 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 777 2 0000000000000000 0
`;
    const netlink = `sk               Eth Pid        Groups   Rmem     Wmem     Dump  Locks    Drops    Inode
00000000de54a6e6 0   1234       00000000 0        0        0     2        0        888
00000000c19acec7 99  0          00000000 0        0        0     2        0        889
`;
    const m = new Map<number, SocketInfo>();
    parseInetTable(raw, 'raw', m);
    parseNetlinkTable(netlink, m);
    expect(m.get(777)).toEqual({ protocol: 'raw', local: '0.0.0.0:1', remote: '0.0.0.0:0', state: 'UNCONN' });
    expect(m.get(888)).toEqual({ protocol: 'netlink', local: 'route', remote: 'port 1234', state: '' });
    expect(m.get(889)).toMatchObject({ local: 'family 99' });
  });

  it('reads unix sockets: path, abstract names, listening flag', () => {
    const unix = `Num       RefCount Protocol Flags    Type St Inode Path
0000000000000000: 00000002 00000000 00010000 0001 01 1001 /run/systemd/private
0000000000000000: 00000002 00000000 00000000 0001 03 1002 @/tmp/.X11-unix/X0
0000000000000000: 00000003 00000000 00000000 0001 03 1003
`;
    const m = new Map<number, SocketInfo>();
    parseUnixTable(unix, m);
    expect(m.get(1001)).toEqual({ protocol: 'unix', local: '/run/systemd/private', remote: '', state: 'LISTEN' });
    expect(m.get(1002)).toMatchObject({ local: '@/tmp/.X11-unix/X0', state: 'CONNECTED' });
    expect(m.get(1003)).toMatchObject({ local: '', state: 'CONNECTED' });
  });
});

describe('/proc/PID file parsing', () => {
  it('stat: the command name may hold spaces and parentheses', () => {
    const s = parseStat('42 (a (b) c) S 1 42 42 0 -1 4194560 100 0 0 0 7 3 0 0 20 0 1 0 555 1000 10')!;
    expect(s.comm).toBe('a (b) c');
    expect(s.rest[0]).toBe('S');
    expect(s.rest[1]).toBe('1');
    expect(s.rest[19]).toBe('555');
  });

  it('status: effective uid, context switches and swap', () => {
    const s = parseStatus('Name:\tx\nUid:\t1000\t1001\t1001\t1001\nVmSwap:\t      12 kB\nvoluntary_ctxt_switches:\t5\nnonvoluntary_ctxt_switches:\t7\n');
    expect(s).toEqual({ uid: 1001, voluntary: 5, involuntary: 7, swapBytes: 12 * 1024 });
  });

  it('io: storage read and write bytes', () => {
    expect(parseIo('rchar: 1\nwchar: 2\nsyscr: 3\nsyscw: 4\nread_bytes: 4096\nwrite_bytes: 8192\ncancelled_write_bytes: 0\n')).toEqual({ read: 4096, write: 8192 });
  });

  it('cmdline: NULs become spaces, trailing NULs go', () => {
    expect(joinCmdline('sleep\u000060\u0000')).toBe('sleep 60');
    expect(joinCmdline('')).toBe('');
  });

  it('cgroup: unified path, or the v1 memory/cpu path on hybrid systems', () => {
    expect(pickCgroup('0::/user.slice/user-1000.slice/session-2.scope\n')).toBe('/user.slice/user-1000.slice/session-2.scope');
    expect(pickCgroup('12:pids:/a\n4:cpu,cpuacct:/system.slice/x.service\n3:memory:/system.slice/x.service\n0::/\n')).toBe('/system.slice/x.service');
  });

  it('tty numbers name terminals like ps does', () => {
    expect(ttyName(0)).toBe('');
    expect(ttyName((136 << 8) | 3)).toBe('pts/3');
    expect(ttyName((4 << 8) | 1)).toBe('tty1');
    expect(ttyName((4 << 8) | 64)).toBe('ttyS0');
    // pts/300: minor 300 = 0x12c: low byte in bits 0-7, the rest from bit 20.
    expect(ttyName((136 << 8) | 0x2c | (0x100 << 12))).toBe('pts/300');
  });

  it('limits: every row, unlimited kept as a word, mapped to prlimit resources', () => {
    const text = `Limit                     Soft Limit           Hard Limit           Units     
Max cpu time              unlimited            unlimited            seconds   
Max open files            123                  456                  files     
Max nice priority         0                    0                    
Max realtime timeout      unlimited            unlimited            us        
`;
    expect(parseLimits(text)).toEqual([
      { name: 'Max cpu time', resource: 'cpu', soft: 'unlimited', hard: 'unlimited', units: 'seconds' },
      { name: 'Max open files', resource: 'nofile', soft: 123, hard: 456, units: 'files' },
      { name: 'Max nice priority', resource: 'nice', soft: 0, hard: 0, units: '' },
      { name: 'Max realtime timeout', resource: 'rttime', soft: 'unlimited', hard: 'unlimited', units: 'us' },
    ]);
  });

  it('cgroups, environment and CPU lists', () => {
    expect(parseCgroups('0::/a/b\n3:memory:/c\n')).toEqual([
      { hierarchy: 0, controllers: '', path: '/a/b' },
      { hierarchy: 3, controllers: 'memory', path: '/c' },
    ]);
    expect(parseEnviron('A=1\u0000B=x=y\u0000EMPTY=\u0000')).toEqual([
      { name: 'A', value: '1' },
      { name: 'B', value: 'x=y' },
      { name: 'EMPTY', value: '' },
    ]);
    expect(parseCpuList('0-3,8,10-11\n')).toEqual([0, 1, 2, 3, 8, 10, 11]);
  });

  it('capabilities, open flags, fd kinds and I/O priorities are described in plain words', () => {
    expect(describeCaps('0000000000000000')).toBe('none');
    expect(describeCaps('000001ffffffffff')).toBe('all');
    expect(describeCaps('0000000000003000')).toBe('cap_net_admin,cap_net_raw');
    expect(describeOpenFlags('02')).toBe('rw');
    expect(describeOpenFlags('02102001')).toBe('w O_APPEND O_CLOEXEC');
    expect(describeOpenFlags('04000')).toBe('r O_NONBLOCK');
    expect(fdKind('socket:[123]', false)).toBe('socket');
    expect(fdKind('pipe:[9]', false)).toBe('pipe');
    expect(fdKind('anon_inode:[eventfd]', false)).toBe('anon');
    expect(fdKind('/dev/null', true)).toBe('device');
    expect(fdKind('/tmp/x (deleted)', false)).toBe('file');
    expect(fdKind('net:[4026531840]', false)).toBe('other');
    expect(decodeIoPriority((2 << 13) | 7, 0)).toEqual({ class: 'best-effort', level: 7 });
    expect(decodeIoPriority((3 << 13) | 0, 0)).toEqual({ class: 'idle', level: 0 });
    expect(decodeIoPriority(0, 10)).toEqual({ class: 'none', level: 6 });
  });
});
