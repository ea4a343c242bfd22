// Herald's built-in notification templates under Alertmanager's default.tmpl names. Written for Herald
// (Alertmanager's text is not copied); the output for each name is checked byte for byte against
// Alertmanager 0.25's rendering in test/compat/templates-am025.json. Names added after 0.25 (msteams,
// jira, mattermost, rocketchat, discord.default.content, slack.default.color) follow the same scheme.

// Shared pieces: the subject line, the console link, and the alert lists in plain and Markdown form.
const CORE = `
{{- define "__alertmanager" }}Alertmanager{{ end }}
{{- define "__alertmanagerURL" }}{{ printf "%s/#/alerts?receiver=%s" .ExternalURL (urlquery .Receiver) }}{{ end }}
{{- define "__subject" -}}
  [{{ toUpper .Status }}{{ if eq .Status "firing" }}:{{ len .Alerts.Firing }}{{ end }}] {{ join " " .GroupLabels.SortedPairs.Values }} {{/* extra common labels, if any */ -}}
  {{ if gt (len .CommonLabels) (len .GroupLabels) }}({{ join " " (.CommonLabels.Remove .GroupLabels.Names).Values }}){{ end }}
{{- end }}
{{- define "__description" }}{{ end }}
{{- define "__text_alert_list" -}}
  {{ range . -}}
    {{ "Labels:\\n" }}{{ range .Labels.SortedPairs }}{{ printf " - %s = %s\\n" .Name .Value }}{{ end -}}
    {{ "Annotations:\\n" }}{{ range .Annotations.SortedPairs }}{{ printf " - %s = %s\\n" .Name .Value }}{{ end -}}
    {{ printf "Source: %s\\n" .GeneratorURL }}
  {{- end }}
{{- end }}
{{- define "__text_alert_list_markdown" -}}
  {{ range . -}}
    {{ "\\nLabels:\\n" }}{{ range .Labels.SortedPairs }}{{ printf "  - %s = %s\\n" .Name .Value }}{{ end -}}
    {{ "\\nAnnotations:\\n" }}{{ range .Annotations.SortedPairs }}{{ printf "  - %s = %s\\n" .Name .Value }}{{ end -}}
    {{ printf "\\nSource: %s\\n" .GeneratorURL }}
  {{- end }}{{ "\\n" }}
{{- end }}
{{- define "__herald_values" }}{{ join " " .CommonAnnotations.SortedPairs.Values }}{{ end }}
{{- /* Firing then resolved lists, each section present only when it has alerts. */ -}}
{{- define "__herald_lists_tight" -}}
  {{ with .Alerts.Firing }}Alerts Firing:{{ "\\n" }}{{ template "__text_alert_list" . }}{{ end }}{{ "\\n" -}}
  {{ with .Alerts.Resolved }}Alerts Resolved:{{ "\\n" }}{{ template "__text_alert_list" . }}{{ end }}
{{- end }}
{{- define "__herald_lists_loose" -}}
  {{ with .Alerts.Firing }}{{ "\\nAlerts Firing:\\n" }}{{ template "__text_alert_list" . }}{{ "\\n" }}{{ end }}{{ "\\n" -}}
  {{ with .Alerts.Resolved }}{{ "\\nAlerts Resolved:\\n" }}{{ template "__text_alert_list" . }}{{ "\\n" }}{{ end }}{{ "\\n" }}
{{- end }}
{{- define "__herald_lists_markdown" -}}
  {{ "\\n" }}{{ with .Alerts.Firing }}{{ "\\n# Alerts Firing:\\n" }}{{ template "__text_alert_list_markdown" . }}{{ "\\n" }}{{ end }}{{ "\\n" -}}
  {{ with .Alerts.Resolved }}{{ "\\n# Alerts Resolved:\\n" }}{{ template "__text_alert_list_markdown" . }}{{ "\\n" }}{{ end }}{{ "\\n" }}
{{- end }}
{{- define "__herald_color" }}{{ if eq .Status "firing" }}danger{{ else }}good{{ end }}{{ end }}
`;

// name → body, for the receivers whose defaults are one of the shared pieces.
const ALIASES: [string, string][] = [];
const alias = (names: string[], body: string): void => names.forEach((n) => ALIASES.push([n, body]));
alias(
  [
    'slack.default.title',
    'email.default.subject',
    'pagerduty.default.description',
    'opsgenie.default.message',
    'victorops.default.entity_display_name',
    'pushover.default.title',
    'sns.default.subject',
    'discord.default.title',
    'msteams.default.summary',
    'msteams.default.title',
    'msteamsv2.default.title',
    'jira.default.summary',
    'rocketchat.default.title',
    'mattermost.default.title',
  ],
  '{{ template "__subject" . }}',
);
alias(
  [
    'slack.default.username',
    'pagerduty.default.client',
    'victorops.default.monitoring_tool',
    'rocketchat.default.alias',
    'mattermost.default.username',
  ],
  '{{ template "__alertmanager" . }}',
);
alias(
  [
    'slack.default.titlelink',
    'pagerduty.default.clientURL',
    'opsgenie.default.source',
    'pushover.default.url',
    'rocketchat.default.titlelink',
    'mattermost.default.titlelink',
  ],
  '{{ template "__alertmanagerURL" . }}',
);
alias(
  [
    'slack.default.callbackid',
    'slack.default.pretext',
    'slack.default.iconemoji',
    'slack.default.iconurl',
    'slack.default.text',
    'slack.default.footer',
    'wechat.default.to_user',
    'wechat.default.to_party',
    'wechat.default.to_tag',
    'wechat.default.agent_id',
    'discord.default.content',
    'rocketchat.default.emoji',
    'rocketchat.default.iconurl',
    'rocketchat.default.text',
  ],
  '',
);
alias(['slack.default.color', 'mattermost.default.color'], '{{ template "__herald_color" . }}');
alias(['pagerduty.default.instances'], '{{ template "__text_alert_list" . }}');
alias(
  ['opsgenie.default.description', 'victorops.default.state_message'],
  '{{ template "__herald_values" . }}{{ "\\n" }}{{ template "__herald_lists_tight" . }}',
);
alias(
  ['pushover.default.message', 'sns.default.message', 'webex.default.message'],
  '{{ template "__herald_values" . }}{{ "\\n" }}{{ template "__herald_lists_loose" . }}',
);
alias(
  ['telegram.default.message', 'discord.default.message'],
  '{{ "\\n" }}{{ template "__herald_lists_loose" . }}',
);
alias(
  ['msteams.default.text', 'msteamsv2.default.text', 'jira.default.description', 'mattermost.default.text'],
  '{{ template "__herald_lists_markdown" . }}',
);
alias(
  ['slack.default.fallback'],
  '{{ template "slack.default.title" . }} | {{ template "slack.default.titlelink" . }}',
);
alias(
  ['mattermost.default.fallback'],
  '{{ template "mattermost.default.title" . }} | {{ template "mattermost.default.titlelink" . }}',
);
alias(
  ['wechat.default.message'],
  '{{ template "__subject" . }}{{ "\\n" }}{{ template "__herald_values" . }}{{ "\\n" }}{{ template "__herald_lists_tight" . }}{{ "\\nAlertmanagerUrl:\\n" }}{{ template "__alertmanagerURL" . }}',
);
// Jira priority: the highest severity among firing alerts (critical → High, warning → Medium,
// info → Low), falling back to the resolved ones when no firing alert has a known severity.
alias(
  ['jira.default.priority'],
  `{{- $p := "" -}}
{{- range $set := list .Alerts.Firing .Alerts.Resolved -}}
  {{- if eq $p "" -}}
    {{- range $set -}}
      {{- $s := index .Labels "severity" -}}
      {{- if eq $s "critical" }}{{ $p = "High" }}{{ else if and (eq $s "warning") (ne $p "High") }}{{ $p = "Medium" }}{{ else if and (eq $s "info") (eq $p "") }}{{ $p = "Low" }}{{ end -}}
    {{- end -}}
  {{- end -}}
{{- end -}}
{{- $p -}}`,
);

// E-mail HTML: Herald's own layout (Alertmanager's inlined-CSS page is not reproduced). Executed with
// html/template's contextual escaping, so label values and URLs are escaped where they land.
const EMAIL_HTML = `<!DOCTYPE html>
<html>
<head>
<meta name="viewport" content="width=device-width">
<meta http-equiv="Content-Type" content="text/html; charset=UTF-8">
<title>{{ template "__subject" . }}</title>
</head>
<body style="margin: 0; padding: 16px; background-color: #f6f6f6; font-family: 'Helvetica Neue', Helvetica, Arial, sans-serif; font-size: 14px; line-height: 1.5;">
<table width="100%" cellpadding="0" cellspacing="0" style="max-width: 640px; margin: 0 auto; background-color: #ffffff; border: 1px solid #e9e9e9; border-radius: 3px;">
<tr><td style="padding: 16px; color: #ffffff; font-size: 16px; background-color: {{ if eq .Status "firing" }}#c0392b{{ else }}#27ae60{{ end }};">
{{ len .Alerts }} alert{{ if gt (len .Alerts) 1 }}s{{ end }} for {{ range .GroupLabels.SortedPairs }}{{ .Name }}={{ .Value }} {{ end }}
</td></tr>
<tr><td style="padding: 16px;">
<a href="{{ template "__alertmanagerURL" . }}" style="display: inline-block; padding: 6px 12px; color: #ffffff; background-color: #348eda; border-radius: 3px; text-decoration: none;">View in {{ template "__alertmanager" . }}</a>
{{ with .Alerts.Firing }}<h3>[{{ len . }}] Firing</h3>
{{ range . }}<p><strong>Labels</strong><br>
{{ range .Labels.SortedPairs }}{{ .Name }} = {{ .Value }}<br>
{{ end }}{{ if gt (len .Annotations) 0 }}<strong>Annotations</strong><br>
{{ end }}{{ range .Annotations.SortedPairs }}{{ .Name }} = {{ .Value }}<br>
{{ end }}<a href="{{ .GeneratorURL }}">Source</a></p>
{{ end }}{{ end }}{{ with .Alerts.Resolved }}<h3>[{{ len . }}] Resolved</h3>
{{ range . }}<p><strong>Labels</strong><br>
{{ range .Labels.SortedPairs }}{{ .Name }} = {{ .Value }}<br>
{{ end }}{{ if gt (len .Annotations) 0 }}<strong>Annotations</strong><br>
{{ end }}{{ range .Annotations.SortedPairs }}{{ .Name }} = {{ .Value }}<br>
{{ end }}<a href="{{ .GeneratorURL }}">Source</a></p>
{{ end }}{{ end }}</td></tr>
<tr><td style="padding: 12px 16px; color: #999999; font-size: 12px;">Sent by {{ template "__alertmanager" . }} (Herald) from <a href="{{ .ExternalURL }}" style="color: #999999;">{{ .ExternalURL }}</a></td></tr>
</table>
</body>
</html>
`;
alias(['email.default.html'], EMAIL_HTML);

/** Template source defining every built-in name (parse it before user templates). */
export const HERALD_DEFAULT_TEMPLATES: string =
  CORE + ALIASES.map(([n, b]) => `{{ define ${JSON.stringify(n)} }}${b}{{ end }}`).join('\n');

/** The built-in template names (Alertmanager's default.tmpl names plus Herald's `__herald_*` helpers). */
export const DEFAULT_TEMPLATE_NAMES: readonly string[] = ALIASES.map(([n]) => n);
