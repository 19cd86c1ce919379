/**
 * Run by service.test.ts: launches a command through the service, prints its pid, stops the
 * service and lets this process end on its own, as Vantage does when it quits.
 */
import { createLaunchService } from './service';

const service = createLaunchService();
const p = await service.handlers.launch({ argv: ['sleep', '30'] }, { clientId: 'probe', signal: new AbortController().signal });
process.stdout.write(`${p.pid}\n`);
service.stop();
