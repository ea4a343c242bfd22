// Inhibition at query and flush time against a real Alertmanager 0.25, on the memory group store (its
// in-process inhibition index). test/integration/inhibition-parity.int-spec.ts runs the same sets on Redis.
import { MemoryGroupStore } from '@herald/domain';
import { inhibitionParitySuite } from '../../../test/compat/inhibition-parity';

inhibitionParitySuite('memory store', (rules, due) =>
  Promise.resolve({
    store: new MemoryGroupStore({
      maxAlerts: 10_000,
      maxGroups: 1000,
      retention: 86_400_000,
      due,
      inhibition: rules,
    }),
  }),
);
