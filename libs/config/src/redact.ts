// Renders the loaded YAML with secrets masked, as Alertmanager's /api/v2/status does with `<secret>`:
// the status endpoint and logs must never carry passwords, API keys or webhook URLs (which embed tokens).
import { Scalar, isScalar, isSeq, parseDocument, visit } from 'yaml';
import { hideTenants } from './redact-tenants';

// Key names whose values are secrets in Alertmanager or Herald config; `*_file` keys hold paths, not secrets.
const SECRET_KEY = /(password|password_hash|secret|token|token_id|credentials|(^|_)keys?|(^|_)url)$/;
const NOT_SECRET = new Set(['external_url', 'key_prefix']);

/** True when a config key's value must be masked. */
export function isSecretKey(key: string): boolean {
  return !NOT_SECRET.has(key) && SECRET_KEY.test(key);
}

/**
 * Returns `yamlText` with every secret value replaced by `<secret>`, comments and layout kept, and the
 * tenants (ids, names, users, roles) of the `herald:` section hidden: this text is served without auth.
 */
export function redactYaml(yamlText: string): string {
  const doc = parseDocument(yamlText);
  visit(doc, {
    Pair(_, pair) {
      const key = isScalar(pair.key) ? String(pair.key.value) : '';
      if (!isSecretKey(key)) return;
      if (isScalar(pair.value) && pair.value.value != null && pair.value.value !== '') {
        pair.value = new Scalar('<secret>');
      } else if (isSeq(pair.value)) {
        pair.value.items = pair.value.items.map(() => new Scalar('<secret>'));
      }
    },
  });
  hideTenants(doc);
  return doc.toString();
}
