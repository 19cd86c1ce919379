// Worker bootstrap: the worker runs the TypeScript sources through tsx when they are not bundled.
import { register } from 'tsx/esm/api';

register();
await import('./worker.ts');
