/**
 * Validation cost of one 64-alert Prometheus batch: class-validator DTOs (plainToInstance +
 * validateSync per alert) vs the domain's hand-written normalizePostableAlerts. Prints JSON last.
 * Run: node scripts/build.js && node dist/test/bench/validation.bench.js
 */
import 'reflect-metadata';
import { plainToInstance } from 'class-transformer';
import { IsObject, IsOptional, IsRFC3339, IsString, MaxLength, validateSync } from 'class-validator';
import { normalizePostableAlerts } from '@herald/domain';

/** Alertmanager's `postableAlert` as a class-validator DTO: the alternative ingest does not use. */
class PostableAlertDto {
  @IsObject()
  labels!: Record<string, string>;

  @IsOptional()
  @IsObject()
  annotations?: Record<string, string>;

  @IsOptional()
  @IsRFC3339()
  startsAt?: string;

  @IsOptional()
  @IsRFC3339()
  endsAt?: string;

  @IsOptional()
  @IsString()
  @MaxLength(16384)
  generatorURL?: string;
}

const batch = Array.from({ length: 64 }, (_, n) => ({
  labels: {
    alertname: `Alert${n % 500}`,
    cluster: `c${n % 3}`,
    instance: `host-${n}:9100`,
    job: 'node',
    severity: 'critical',
  },
  annotations: { summary: `Instance host-${n} is down`, description: `load generator alert ${n}` },
  startsAt: '2026-11-22T10:00:00Z',
  generatorURL: 'http://prometheus:9090/graph?g0.expr=up%3D%3D0',
}));
const limits = {
  maxLabelsPerAlert: 64,
  maxLabelNameLength: 256,
  maxLabelValueLength: 4096,
  maxAnnotationsPerAlert: 64,
  maxAnnotationValueLength: 16384,
};

function time(
  name: string,
  fn: () => void,
  ms = 2000,
): { name: string; batchesPerSec: number; usPerBatch: number } {
  for (let i = 0; i < 200; i++) fn();
  let n = 0;
  const start = process.hrtime.bigint();
  const end = start + BigInt(ms) * 1_000_000n;
  while (process.hrtime.bigint() < end) {
    for (let i = 0; i < 50; i++) fn();
    n += 50;
  }
  const secs = Number(process.hrtime.bigint() - start) / 1e9;
  return { name, batchesPerSec: Math.round(n / secs), usPerBatch: Math.round((secs / n) * 1e7) / 10 };
}

const cv = time('class-validator', () => {
  for (const a of batch)
    if (validateSync(plainToInstance(PostableAlertDto, a)).length) throw new Error('invalid');
});
const dom = time('domain normalizePostableAlerts (validate + defaults + fingerprint)', () => {
  if (normalizePostableAlerts(batch, { now: Date.now(), resolveTimeout: 300_000, limits }).errors.length) {
    throw new Error('invalid');
  }
});
console.log(
  JSON.stringify({
    batch: 64,
    classValidator: cv,
    domain: dom,
    speedup: Math.round((cv.usPerBatch / dom.usPerBatch) * 10) / 10,
  }),
);
