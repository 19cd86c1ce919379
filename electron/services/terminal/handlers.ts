import type { DomainHandlers } from '../../rpc/handlers';
import type { terminal } from '../../contract/terminal';
import type { TerminalSessions } from './terminal-sessions';

export function createTerminalHandlers(sessions: TerminalSessions): DomainHandlers<typeof terminal> {
  const watched = new Set<string>();
  const ownedBy = (clientId: string, signal: AbortSignal) => {
    // A client's terminals end with the client (window closed, socket dropped).
    if (!watched.has(clientId)) {
      watched.add(clientId);
      signal.addEventListener('abort', () => {
        watched.delete(clientId);
        sessions.closeAll(clientId);
      });
    }
    return clientId;
  };
  return {
    open: (input, ctx) => sessions.open(ownedBy(ctx.clientId, ctx.signal), input),
    write: ({ id, data }, ctx) => sessions.write(ctx.clientId, id, data),
    resize: ({ id, cols, rows }, ctx) => sessions.resize(ctx.clientId, id, cols, rows),
    close: ({ id }, ctx) => sessions.close(ctx.clientId, id),
    list: (_input, ctx) => sessions.list(ctx.clientId),
    output: ({ id }, emit, ctx) => sessions.attach(ctx.clientId, id, emit),
  };
}
