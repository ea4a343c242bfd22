import Handlebars from 'handlebars';
import type { LabelSet, WebhookPayload } from '@herald/domain';

/** One alert in template data (Alertmanager's `template.Alert`, same field names). */
export interface TemplateAlert {
  Status: 'firing' | 'resolved';
  Labels: LabelSet;
  Annotations: LabelSet;
  /** RFC 3339, as in the webhook payload. */
  StartsAt: string;
  EndsAt: string;
  GeneratorURL: string;
  Fingerprint: string;
}

/** The alert list; `Alerts.Firing` / `Alerts.Resolved` work as in Alertmanager's templates. */
export type TemplateAlerts = TemplateAlert[] & { Firing: TemplateAlert[]; Resolved: TemplateAlert[] };

/**
 * Alertmanager's template data (`template.Data`) with the same field names, so a template author finds
 * `Status`, `Alerts`, `GroupLabels`, `CommonLabels`, `CommonAnnotations`, `ExternalURL`, `Receiver`.
 */
export interface TemplateData {
  Receiver: string;
  Status: 'firing' | 'resolved';
  Alerts: TemplateAlerts;
  GroupLabels: LabelSet;
  CommonLabels: LabelSet;
  CommonAnnotations: LabelSet;
  ExternalURL: string;
  GroupKey: string;
  /** Herald extra: why the notification was sent (`first notification`, ...). */
  NotificationReason: string;
  /** Herald extra: alerts left out by `max_alerts`. */
  TruncatedAlerts: number;
}

/** Builds template data from a webhook payload (`receiver` is given unquoted: it is for humans). */
export function templateData(p: WebhookPayload, receiver: string): TemplateData {
  const all = p.alerts.map((a): TemplateAlert => ({
    Status: a.status,
    Labels: a.labels,
    Annotations: a.annotations,
    StartsAt: a.startsAt,
    EndsAt: a.endsAt,
    GeneratorURL: a.generatorURL,
    Fingerprint: a.fingerprint,
  }));
  const alerts = Object.assign(all, {
    Firing: all.filter((a) => a.Status === 'firing'),
    Resolved: all.filter((a) => a.Status === 'resolved'),
  });
  return {
    Receiver: receiver,
    Status: p.status,
    Alerts: alerts,
    GroupLabels: p.groupLabels,
    CommonLabels: p.commonLabels,
    CommonAnnotations: p.commonAnnotations,
    ExternalURL: p.externalURL,
    GroupKey: p.groupKey,
    NotificationReason: p.notification_reason,
    TruncatedAlerts: p.truncatedAlerts,
  };
}

const sortedNames = (l: LabelSet): string[] => Object.keys(l ?? {}).sort();

/**
 * One Handlebars environment with the helpers Herald templates may use. Its own instance, so helpers
 * never leak into (or from) other users of the global Handlebars.
 */
const hb = Handlebars.create();
hb.registerHelper({
  toUpper: (s: unknown) => String(s ?? '').toUpperCase(),
  toLower: (s: unknown) => String(s ?? '').toLowerCase(),
  title: (s: unknown) => String(s ?? '').replace(/\b\w/g, (c) => c.toUpperCase()),
  eq: (a: unknown, b: unknown) => a === b,
  gt: (a: unknown, b: unknown) => Number(a) > Number(b),
  /** Length of an array, or the number of keys of a label set. */
  len: (v: unknown) => (Array.isArray(v) ? v.length : v && typeof v === 'object' ? Object.keys(v).length : 0),
  /** Joins an array (or a label set's values in label-name order) with `sep`. */
  join: (v: unknown, sep: unknown) => {
    const arr = Array.isArray(v)
      ? v
      : v && typeof v === 'object'
        ? sortedNames(v as LabelSet).map((k) => (v as LabelSet)[k])
        : [];
    return arr.join(typeof sep === 'string' ? sep : ' ');
  },
  /** A label set's pairs sorted by name: `{{#each (sortedPairs Labels)}}{{Name}}={{Value}}{{/each}}`. */
  sortedPairs: (l: LabelSet) => sortedNames(l).map((k) => ({ Name: k, Value: l[k] })),
  /** The label set without the names of `other` (Alertmanager's `.Remove`). */
  without: (l: LabelSet, other: LabelSet) => {
    const out: LabelSet = {};
    for (const k of sortedNames(l)) if (!(k in (other ?? {}))) out[k] = l[k];
    return out;
  },
});

/** Compiles a template eagerly (syntax errors surface at start-up, not at the first alert). */
export function compileTemplate(source: string, opts: { html?: boolean } = {}): (d: TemplateData) => string {
  hb.parse(source);
  const fn = hb.compile<TemplateData>(source, { noEscape: !opts.html, strict: false });
  return (d) => fn(d);
}

/** Alertmanager's default subject/title: `[FIRING:3] HighCPU (db)`. */
export const DEFAULT_TITLE =
  '[{{toUpper Status}}{{#if (eq Status "firing")}}:{{Alerts.Firing.length}}{{/if}}] {{join GroupLabels " "}}' +
  '{{#if (gt (len CommonLabels) (len GroupLabels))}} ({{join (without CommonLabels GroupLabels) " "}}){{/if}}';

/** Default Slack text: one block per alert with its summary, description and labels. */
export const DEFAULT_SLACK_TEXT = `{{#each Alerts}}*[{{toUpper Status}}]* {{#if Annotations.summary}}{{Annotations.summary}}{{else}}{{Labels.alertname}}{{/if}}
{{#if Annotations.description}}{{Annotations.description}}
{{/if}}{{#each (sortedPairs Labels)}}\`{{Name}}={{Value}}\` {{/each}}
{{/each}}{{#if TruncatedAlerts}}_{{TruncatedAlerts}} more alerts not shown_
{{/if}}`;

/** Default plain-text e-mail body. */
export const DEFAULT_EMAIL_TEXT = `{{Alerts.length}} alert{{#if (gt Alerts.length 1)}}s{{/if}} for {{#each (sortedPairs GroupLabels)}}{{Name}}={{Value}} {{/each}}({{NotificationReason}})
{{#if Alerts.Firing.length}}
[{{Alerts.Firing.length}}] Firing
{{#each Alerts.Firing}}
- {{#if Annotations.summary}}{{Annotations.summary}}{{else}}{{Labels.alertname}}{{/if}}
  Labels:{{#each (sortedPairs Labels)}} {{Name}}={{Value}}{{/each}}
{{#each (sortedPairs Annotations)}}  {{Name}}: {{Value}}
{{/each}}  Started: {{StartsAt}}
  Source: {{GeneratorURL}}
{{/each}}{{/if}}
{{#if Alerts.Resolved.length}}
[{{Alerts.Resolved.length}}] Resolved
{{#each Alerts.Resolved}}
- {{#if Annotations.summary}}{{Annotations.summary}}{{else}}{{Labels.alertname}}{{/if}}
  Labels:{{#each (sortedPairs Labels)}} {{Name}}={{Value}}{{/each}}
  Started: {{StartsAt}}  Ended: {{EndsAt}}
{{/each}}{{/if}}
Sent by Herald ({{ExternalURL}})
`;

/** Default HTML e-mail body (values are HTML-escaped by the engine). */
export const DEFAULT_EMAIL_HTML = `<!DOCTYPE html>
<html><body style="font-family: sans-serif; font-size: 14px;">
<h2 style="color: {{#if (eq Status "firing")}}#c0392b{{else}}#27ae60{{/if}};">{{Alerts.length}} alert{{#if (gt Alerts.length 1)}}s{{/if}} for {{#each (sortedPairs GroupLabels)}}{{Name}}={{Value}} {{/each}}</h2>
<p>{{NotificationReason}}{{#if ExternalURL}} &middot; <a href="{{ExternalURL}}">Herald</a>{{/if}}</p>
{{#if Alerts.Firing.length}}<h3>[{{Alerts.Firing.length}}] Firing</h3>
<ul>{{#each Alerts.Firing}}<li><strong>{{#if Annotations.summary}}{{Annotations.summary}}{{else}}{{Labels.alertname}}{{/if}}</strong><br>
{{#each (sortedPairs Labels)}}<code>{{Name}}={{Value}}</code> {{/each}}<br>
{{#each (sortedPairs Annotations)}}{{Name}}: {{Value}}<br>{{/each}}
started {{StartsAt}}{{#if GeneratorURL}} &middot; <a href="{{GeneratorURL}}">source</a>{{/if}}</li>{{/each}}</ul>{{/if}}
{{#if Alerts.Resolved.length}}<h3>[{{Alerts.Resolved.length}}] Resolved</h3>
<ul>{{#each Alerts.Resolved}}<li><strong>{{#if Annotations.summary}}{{Annotations.summary}}{{else}}{{Labels.alertname}}{{/if}}</strong><br>
{{#each (sortedPairs Labels)}}<code>{{Name}}={{Value}}</code> {{/each}}<br>
started {{StartsAt}}, ended {{EndsAt}}</li>{{/each}}</ul>{{/if}}
</body></html>
`;
