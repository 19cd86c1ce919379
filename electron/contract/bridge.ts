import type { ContractError, Envelope } from './core';

/** What the preload exposes as `window.vantage`: generic, limited to the contract's channels. */
export interface VantageBridge {
  invoke(channel: string, input: unknown): Promise<Envelope<unknown>>;
  subscribe(
    channel: string,
    params: unknown,
    onEvent: (event: unknown) => void,
    onError: (error: ContractError) => void,
  ): () => void;
}
