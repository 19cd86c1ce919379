import { z } from 'zod';
import { call, stream } from './core';

export interface TerminalSession {
  id: string;
  pid: number;
  shell: string;
  title: string;
  cols: number;
  rows: number;
  exited: { exitCode: number; signal: number | null } | null;
}

export type TerminalEvent =
  | { type: 'data'; data: string }
  | { type: 'exit'; exitCode: number; signal: number | null };

const cols = z.number().int().min(2).max(1000);
const rows = z.number().int().min(1).max(500);
const id = z.string().regex(/^t[0-9a-z]+$/, 'not a terminal id');

export const terminal = {
  open: call<TerminalSession>()(
    z
      .object({
        cols: cols.default(80),
        rows: rows.default(24),
        cwd: z.string().max(4096).optional(),
        /** Run this program (argv form) instead of the user's shell. */
        command: z.array(z.string().max(65536)).min(1).max(4096).optional(),
        env: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'environment names are letters, digits, _'), z.string().max(65536)).optional(),
        title: z.string().max(200).optional(),
      })
      .strict(),
    "Starts a terminal running the user's $SHELL (or a given command) in a pseudo-terminal.",
  ),
  write: call<void>()(z.object({ id, data: z.string().max(1 << 20) }).strict(), 'Types into a terminal.'),
  resize: call<void>()(z.object({ id, cols, rows }).strict(), 'Resizes a terminal.'),
  close: call<void>()(z.object({ id }).strict(), 'Ends a terminal (SIGHUP to its process group).'),
  list: call<TerminalSession[]>()(z.object({}).strict().optional(), 'Open terminals of this client.'),
  output: stream<TerminalEvent>()(
    z.object({ id }).strict(),
    'Output of a terminal, starting with what it printed so far (bounded scrollback), then its exit.',
  ),
};
