import type { DomainHandlers } from '../../rpc/handlers';
import type { history } from '../../contract/history';
import type { HistoryStore } from './store';

export function createHistoryHandlers(store: HistoryStore): DomainHandlers<typeof history> {
  return {
    query: (input) => store.query(input),
    series: ({ prefix }) => store.listSeries(prefix),
  };
}
