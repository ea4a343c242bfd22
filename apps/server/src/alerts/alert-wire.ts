import type { Alert, LabelSet } from '@herald/domain';

/** The fields every API shows of an alert, in Alertmanager's `gettableAlert` order, times as RFC 3339. */
export interface AlertWire {
  labels: LabelSet;
  annotations: LabelSet;
  startsAt: string;
  endsAt: string;
  updatedAt: string;
  fingerprint: string;
  generatorURL: string;
}

export function alertWire(a: Alert): AlertWire {
  return {
    labels: a.labels,
    annotations: a.annotations,
    startsAt: new Date(a.startsAt).toISOString(),
    endsAt: new Date(a.endsAt).toISOString(),
    updatedAt: new Date(a.updatedAt).toISOString(),
    fingerprint: a.fingerprint,
    generatorURL: a.generatorURL,
  };
}
