// Child process for the crash-safety test: records one tick per loop into a HistoryStore and
// prints each tick's timestamp only after record() returned (committed). It is SIGKILLed mid-run.
import { HistoryStore } from '../store';

const [path, startArg] = process.argv.slice(2);
const store = new HistoryStore(path);
let ts = Number(startArg);
const values: Record<string, number> = {};
for (let i = 0; i < 40; i++) values[`crash.series${i}`] = i;
for (;;) {
  values['crash.series0'] = ts;
  store.record(ts, values);
  process.stdout.write(`${ts}\n`);
  ts += 1000;
}
