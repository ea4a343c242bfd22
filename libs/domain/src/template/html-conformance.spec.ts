// Replays test/compat/html-templates-am025.json (Alertmanager 0.25's e-mail HTML, recorded by
// test/compat/make-html-template-fixtures.js) through Herald's html/template escaping.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { alertmanagerTemplates, templateData, TemplateDataInput } from './index';

interface Case {
  name: string;
  body: string;
  output?: string;
  error?: string;
}
const fixture = JSON.parse(
  fs.readFileSync(path.join(__dirname, '../../../../test/compat/html-templates-am025.json'), 'utf8'),
) as { source: string; helpers: string; data: TemplateDataInput; cases: Case[] };

function render(i: number): { output?: string; error?: string } {
  try {
    const set = alertmanagerTemplates();
    const file =
      fixture.helpers +
      fixture.cases.map((c, j) => `{{ define "case_${j}" }}${c.body}{{ end }}`).join('\n') +
      '\n';
    set.parse('cases.tmpl', file);
    const data = templateData({ ...fixture.data, receiver: `case_${i}` });
    return { output: set.executeHtml(`{{ template "case_${i}" . }}`, data) };
  } catch (e) {
    return { error: (e as Error).message };
  }
}

describe('html/template escaping: identical to Alertmanager 0.25 (test/compat/html-templates-am025.json)', () => {
  it('has a recorded source and 100+ cases', () => {
    expect(fixture.source).toMatch(/alertmanager, version 0\.25/);
    expect(fixture.cases.length).toBeGreaterThanOrEqual(100);
  });
  it.each(fixture.cases.map((c, i) => [c.name, c, i] as const))('%s', (_name, c, i) => {
    // Notifiers hand templates a *template.Data; Herald's data model names the type as amtool's
    // render sees it (template.Data), which only shows in a field-lookup error on the data itself.
    const error = c.error?.replace('type *template.Data', 'type template.Data');
    expect(render(i)).toEqual(error !== undefined ? { error } : { output: c.output });
  });
});
