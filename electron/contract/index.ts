import { disk } from './disk';
import { history } from './history';
import { memory } from './memory';
import { processes } from './processes';
import { sql } from './sql';
import { system } from './system';
import { terminal } from './terminal';

/**
 * The whole contract between the renderer and the main side. Each domain declares its calls and
 * streams once, in its own file; everything else (client, preload allow-list, IPC binding,
 * WebSocket router, mocks) is derived from this object.
 */
export const contract = {
  system,
  history,
  terminal,
  memory,
  sql,
  processes,
  disk,
};

export type Contract = typeof contract;
