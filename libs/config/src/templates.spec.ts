import { mkdtempSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { templateData } from '@herald/domain';
import { loadConfig } from './load-config';
import { templateSetOf } from './templates';

const dir = (): string => mkdtempSync(join(tmpdir(), 'herald-tmpl-'));
const configIn = (d: string, templates: string[]): string => {
  const file = join(d, 'alertmanager.yml');
  writeFileSync(
    file,
    `templates: ${JSON.stringify(templates)}\nroute: { receiver: a }\nreceivers: [{ name: a }]\n`,
  );
  return file;
};
const load = (file: string) => loadConfig({ env: {}, filePath: file, hostname: 'test' });

describe('templates: files', () => {
  it('loads the files a relative glob matches, relative to the config file, in name order', () => {
    const d = dir();
    mkdirSync(join(d, 'tmpl'));
    writeFileSync(join(d, 'tmpl', 'b.tmpl'), '{{ define "x" }}from b{{ end }}');
    writeFileSync(join(d, 'tmpl', 'a.tmpl'), '{{ define "x" }}from a{{ end }}{{ define "y" }}y{{ end }}');
    const cfg = load(configIn(d, ['tmpl/*.tmpl']));
    expect(cfg.templateFiles.map((f) => f.name)).toEqual(['a.tmpl', 'b.tmpl']);
    expect(cfg.warnings).toEqual([]);
    // A later file's define replaces an earlier one's, as Go's ParseGlob does.
    const set = templateSetOf(cfg.templateFiles);
    expect(set.execute('x', templateData({}))).toBe('from b');
    expect(set.execute('y', templateData({}))).toBe('y');
  });

  it('reports a glob that matches no file instead of starting silently without its templates', () => {
    const d = dir();
    const cfg = load(configIn(d, ['missing/*.tmpl']));
    expect(cfg.templateFiles).toEqual([]);
    expect(cfg.warnings).toEqual([
      `templates[0]: "missing/*.tmpl" matches no file (resolved to ${join(d, 'missing/*.tmpl')}); no templates loaded from it`,
    ]);
  });

  it('a template that does not parse stops start-up naming the glob, the file and the line', () => {
    const d = dir();
    writeFileSync(join(d, 'ok.tmpl'), '{{ define "ok" }}fine{{ end }}');
    writeFileSync(
      join(d, 'broken.tmpl'),
      '{{ define "t" }}\nline two\n{{ if .Status }}never closed\n{{ end }}',
    );
    expect(() => load(configIn(d, ['*.tmpl']))).toThrow(
      new RegExp(
        `^templates\\[0\\]: ${join(d, 'broken.tmpl').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: template: broken\\.tmpl:\\d+: `,
      ),
    );
  });

  it('an unknown function in a template file stops start-up', () => {
    const d = dir();
    writeFileSync(join(d, 'f.tmpl'), '{{ define "t" }}{{ shout .Status }}{{ end }}');
    expect(() => load(configIn(d, ['f.tmpl']))).toThrow(
      /templates\[0\]: .*f\.tmpl: template: f\.tmpl:1: function "shout" not defined/,
    );
  });

  it('an absolute glob is used as written', () => {
    const d = dir();
    writeFileSync(join(d, 'abs.tmpl'), '{{ define "abs" }}ok{{ end }}');
    const other = dir();
    const cfg = load(configIn(other, [join(d, '*.tmpl')]));
    expect(cfg.templateFiles.map((f) => f.path)).toEqual([join(d, 'abs.tmpl')]);
  });
});
