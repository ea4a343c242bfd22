// The node's entry point. Kept to what must happen before Herald's ~1 850 modules load (~300 ms):
// without a SIGHUP listener Node's default action for SIGHUP ends the process, so a reload sent right
// after a start (a config-management run, a supervisor) would kill a starting node. A placeholder
// listener holds the signal until start.ts installs the reloading one; a SIGHUP that arrives meanwhile
// is delivered to that one (the event loop dispatches signals after the modules have loaded).
import { loadWithLazyDateFormat } from './lazy-intl';
import { boundHeapGrowth } from './memory-flags';

const holdSighup = (): void => undefined;
process.on('SIGHUP', holdSighup);
// Issue 16: bound V8's old-generation growth (memory-flags.ts); every way of starting a node
// (npm start, the benches, the cluster harness, Docker, systemd) runs this.
boundHeapGrowth();
// Issue 16: Nest's logger modules load with a formatter built at first use, not ~8 MB of ICU data at
// start (lazy-intl.ts).
loadWithLazyDateFormat();

import('./start')
  .then(({ startNode }) => startNode(() => process.off('SIGHUP', holdSighup)))
  .catch((e: unknown) => {
    console.error(e);
    process.exit(1);
  });
