// Replays test/compat/templates-am025.json (recorded with Alertmanager 0.25's amtool by
// test/compat/make-template-fixtures.js) through Herald's engine and its own default templates.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { alertmanagerTemplates, templateData, TemplateDataInput } from './index';

interface Case {
  name: string;
  data: string;
  text: string;
  files?: Record<string, string>;
  output?: string;
  error?: string;
}
const fixture = JSON.parse(
  fs.readFileSync(path.join(__dirname, '../../../../test/compat/templates-am025.json'), 'utf8'),
) as {
  source: string;
  data: Record<string, TemplateDataInput>;
  cases: Case[];
};

function render(c: Case): { output?: string; error?: string } {
  try {
    const set = alertmanagerTemplates();
    for (const [name, content] of Object.entries(c.files ?? {})) set.parse(name, content);
    return { output: set.executeText(c.text, templateData(fixture.data[c.data])) };
  } catch (e) {
    return { error: (e as Error).message };
  }
}

describe('Go templates: identical to Alertmanager 0.25 (test/compat/templates-am025.json)', () => {
  it('has a recorded source and 100+ cases', () => {
    expect(fixture.source).toMatch(/amtool, version 0\.25/);
    expect(fixture.cases.length).toBeGreaterThanOrEqual(100);
  });
  it.each(fixture.cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const got = render(c);
    if (c.error?.startsWith('template: default.tmpl:')) {
      // An error inside a default template: Herald's default.tmpl is its own text, so line, column and
      // node differ; the template executed and the message must still be Alertmanager's.
      const split = (e: string | undefined) =>
        /^template: default\.tmpl:\d+:\d+: executing (".*?") at <.*?>: (.*)$/s.exec(e ?? '')?.slice(1);
      expect(split(got.error)).toEqual(split(c.error));
      return;
    }
    expect(got).toEqual(c.error !== undefined ? { error: c.error } : { output: c.output });
  });
});
