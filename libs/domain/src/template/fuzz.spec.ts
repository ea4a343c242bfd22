// Random token soup through parse and execute: every failure must be a template error (named, with a
// position), never a JS TypeError/RangeError from inside the engine.
import { alertmanagerTemplates, templateData, TemplateExecError, TemplateParseError } from './index';

const PIECES = [
  '{{',
  '}}',
  '{{- ',
  ' -}}',
  ' ',
  '\n',
  '.',
  '.Alerts',
  '.Labels',
  '.Status',
  '.CommonLabels',
  '.SortedPairs',
  '$',
  '$x',
  ' := ',
  ' = ',
  '|',
  '(',
  ')',
  'if ',
  'else ',
  'end',
  'range ',
  'with ',
  'define "d"',
  'template "d"',
  'template "__subject"',
  'block "b" .',
  'break',
  'continue',
  'printf ',
  '"%v %d %s %5.2f %q"',
  '"x"',
  '`raw`',
  "'c'",
  '1',
  '-2',
  '3.5',
  '0x1f',
  'true',
  'nil',
  'and ',
  'or ',
  'not ',
  'len ',
  'index ',
  'slice ',
  'eq ',
  'lt ',
  'html ',
  'js ',
  'urlquery ',
  'print ',
  'println ',
  'call ',
  'join ',
  'toUpper ',
  'reReplaceAll ',
  'match ',
  'title ',
  'stringSlice ',
  'tz ',
  'date ',
  'since ',
  'humanizeDuration ',
  'toJson ',
  'dict ',
  'list ',
  '/*',
  '*/',
  ',',
  'é',
  '#',
  '.Foo.Bar',
  '$.Receiver',
];

function rng(seed: number): () => number {
  return () => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed / 0x7fffffff;
  };
}

describe('template engine fuzz (seeded)', () => {
  const data = templateData({
    receiver: 'r',
    status: 'firing',
    alerts: [{ status: 'firing', labels: { alertname: 'A' }, startsAt: '2024-01-01T00:00:00Z' }],
    groupLabels: { alertname: 'A' },
  });
  it('fails only with TemplateParseError or TemplateExecError', () => {
    const r = rng(42);
    let parsedOk = 0;
    for (let n = 0; n < 6000; n++) {
      let src = '';
      const len = 1 + Math.floor(r() * 25);
      // Half the cases are well-delimited actions, to get past the parser into execution.
      const wrap = n % 2 === 1;
      for (let i = 0; i < len; i++) {
        const p = PIECES[Math.floor(r() * PIECES.length)];
        src += wrap
          ? `{{ ${p.replace(/[{}]/g, '')} ${PIECES[Math.floor(r() * PIECES.length)].replace(/[{}]/g, '')} }}`
          : p;
      }
      try {
        alertmanagerTemplates({ limits: { maxSteps: 10_000, maxOutput: 10_000 } }).executeText(src, data);
        parsedOk++;
      } catch (e) {
        if (!(e instanceof TemplateParseError || e instanceof TemplateExecError)) {
          throw new Error(`${JSON.stringify(src)} threw ${(e as Error).name}: ${(e as Error).message}`);
        }
        expect((e as Error).message).toMatch(/^template: /);
      }
    }
    expect(parsedOk).toBeGreaterThan(10);
  });
});
