import { readFileSync } from 'node:fs';
import type { SocketInfo } from '../../../contract/processes';

const TCP_STATES: Record<number, string> = {
  1: 'ESTABLISHED',
  2: 'SYN_SENT',
  3: 'SYN_RECV',
  4: 'FIN_WAIT1',
  5: 'FIN_WAIT2',
  6: 'TIME_WAIT',
  7: 'CLOSE',
  8: 'CLOSE_WAIT',
  9: 'LAST_ACK',
  10: 'LISTEN',
  11: 'CLOSING',
  12: 'NEW_SYN_RECV',
};

/** /proc/net/tcp writes each 32-bit word of an address in host (little-endian) byte order. */
function wordBytes(hex: string): number[] {
  const v = parseInt(hex, 16);
  return [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff];
}

export function formatIpv6(bytes: number[]): string {
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push((bytes[i] << 8) | bytes[i + 1]);
  // IPv4-mapped (::ffff:a.b.c.d), as ss and the kernel's own %pI6c show it.
  if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) return `::ffff:${bytes.slice(12).join('.')}`;
  // RFC 5952: the longest run (first if tied) of two or more zero groups becomes "::".
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (best < 0) return hex.join(':');
  return `${hex.slice(0, best).join(':')}::${hex.slice(best + bestLen).join(':')}`;
}

/** "0100007F:1F90" → "127.0.0.1:8080"; 32 hex digits → "[::1]:8080". */
export function parseProcNetAddress(text: string): string {
  const [addr, portHex] = text.split(':');
  const port = parseInt(portHex, 16);
  if (addr.length === 8) return `${wordBytes(addr).join('.')}:${port}`;
  const bytes: number[] = [];
  for (let i = 0; i < 32; i += 8) bytes.push(...wordBytes(addr.slice(i, i + 8)));
  return `[${formatIpv6(bytes)}]:${port}`;
}

/** Parses /proc/net/{tcp,tcp6,udp,udp6,raw,raw6} into socket info by inode. */
export function parseInetTable(text: string, protocol: 'tcp' | 'tcp6' | 'udp' | 'udp6' | 'raw', into: Map<number, SocketInfo>): void {
  const lines = text.split('\n');
  for (let k = 1; k < lines.length; k++) {
    const f = lines[k].trim().split(/\s+/);
    if (f.length < 10) continue;
    const inode = Number(f[9]);
    if (!inode) continue;
    const st = parseInt(f[3], 16);
    // Datagram and raw sockets use only "connected" (1) and "unconnected" (7), named as ss names them.
    const state = protocol.startsWith('tcp') ? (TCP_STATES[st] ?? `0x${f[3]}`) : st === 1 ? 'ESTABLISHED' : 'UNCONN';
    into.set(inode, { protocol, local: parseProcNetAddress(f[1]), remote: parseProcNetAddress(f[2]), state });
  }
}

const UNIX_STATES: Record<number, string> = { 1: 'UNCONNECTED', 2: 'CONNECTING', 3: 'CONNECTED', 4: 'DISCONNECTING' };
const SO_ACCEPTCON = 0x10000;

/** Parses /proc/net/unix: path (abstract names start with @), LISTEN for listening sockets. */
export function parseUnixTable(text: string, into: Map<number, SocketInfo>): void {
  const lines = text.split('\n');
  for (let k = 1; k < lines.length; k++) {
    const f = lines[k].trim().split(/\s+/);
    if (f.length < 7) continue;
    const inode = Number(f[6]);
    const flags = parseInt(f[3], 16);
    const st = parseInt(f[5], 16);
    into.set(inode, {
      protocol: 'unix',
      local: f.slice(7).join(' '),
      remote: '',
      state: flags & SO_ACCEPTCON ? 'LISTEN' : (UNIX_STATES[st] ?? String(st)),
    });
  }
}

/** Netlink protocol numbers (include/uapi/linux/netlink.h) by the name users know them by. */
const NETLINK_FAMILIES: Record<number, string> = {
  0: 'route',
  2: 'usersock',
  4: 'sock_diag',
  5: 'nflog',
  6: 'xfrm',
  7: 'selinux',
  8: 'iscsi',
  9: 'audit',
  10: 'fib_lookup',
  11: 'connector',
  12: 'netfilter',
  15: 'kobject_uevent',
  16: 'generic',
  18: 'scsitransport',
  19: 'ecryptfs',
  20: 'rdma',
  21: 'crypto',
  22: 'smc',
};

/** Parses /proc/net/netlink: the family as `local`, the port id (usually the owner's pid) as `remote`. */
export function parseNetlinkTable(text: string, into: Map<number, SocketInfo>): void {
  const lines = text.split('\n');
  for (let k = 1; k < lines.length; k++) {
    const f = lines[k].trim().split(/\s+/);
    if (f.length < 10) continue;
    const family = Number(f[1]);
    into.set(Number(f[9]), { protocol: 'netlink', local: NETLINK_FAMILIES[family] ?? `family ${family}`, remote: `port ${f[2]}`, state: '' });
  }
}

/** Every socket of the network namespace `pid` lives in, by inode. */
export function readSocketTable(pid: number): Map<number, SocketInfo> {
  const map = new Map<number, SocketInfo>();
  const read = (name: string) => {
    try {
      return readFileSync(`/proc/${pid}/net/${name}`, 'latin1');
    } catch {
      return '';
    }
  };
  for (const p of ['tcp', 'tcp6', 'udp', 'udp6'] as const) parseInetTable(read(p), p, map);
  parseInetTable(read('raw'), 'raw', map);
  parseInetTable(read('raw6'), 'raw', map);
  parseUnixTable(read('unix'), map);
  parseNetlinkTable(read('netlink'), map);
  return map;
}
