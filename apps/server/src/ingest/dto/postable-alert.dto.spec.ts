import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { normalizePostableAlerts } from '@herald/domain';
import { PostableAlertDto } from './postable-alert.dto';

const ctx = {
  now: Date.parse('2026-01-01T00:00:00Z'),
  resolveTimeout: 300_000,
  limits: {
    maxLabelsPerAlert: 64,
    maxLabelNameLength: 256,
    maxLabelValueLength: 4096,
    maxAnnotationsPerAlert: 64,
    maxAnnotationValueLength: 16384,
  },
};

/** Shape cases both validators must judge alike (the domain adds rules the DTO cannot state). */
const cases: [string, unknown, boolean][] = [
  ['minimal', { labels: { a: '1' } }, true],
  [
    'full',
    {
      labels: { a: '1' },
      annotations: { s: 'x' },
      startsAt: '2026-01-01T00:00:00Z',
      endsAt: '2026-01-01T03:00:00+02:00',
      generatorURL: 'http://p',
    },
    true,
  ],
  ['labels missing', {}, false],
  ['labels a string', { labels: 'a=1' }, false],
  ['annotations a string', { labels: { a: '1' }, annotations: 'x' }, false],
  ['startsAt not RFC 3339', { labels: { a: '1' }, startsAt: 'yesterday' }, false],
  ['endsAt not RFC 3339', { labels: { a: '1' }, endsAt: '2026-01-01' }, false],
  ['generatorURL a number', { labels: { a: '1' }, generatorURL: 5 }, false],
];

describe('PostableAlertDto and the domain validator agree on the wire contract', () => {
  it.each(cases)('%s', (_name, raw, valid) => {
    const dtoErrors = validateSync(plainToInstance(PostableAlertDto, raw as object));
    const domain = normalizePostableAlerts([raw], ctx);
    expect(dtoErrors.length === 0).toBe(valid);
    expect(domain.errors.length === 0).toBe(valid);
  });
});
