import { ConfigError } from '@herald/domain';
import { asObject, asString, at, checkKeys, httpUrl, optObject, show } from '../fields';
import { checkFields, optStr } from './common';
import type { ReceiverKindSpec } from './kind';

const TEMPLATED = ['api_url', 'topic_arn', 'phone_number', 'target_arn', 'subject', 'message'];
const TARGETS = ['topic_arn', 'phone_number', 'target_arn'] as const;

/** `sigv4` fields Herald signs with. */
const SIGV4_FIELDS = ['region', 'access_key', 'secret_key'];
/**
 * `sigv4` fields of Alertmanager (prometheus/sigv4) that need the AWS credential chain or STS, which
 * Herald does not implement: refused rather than ignored. (`service_name` Alertmanager's SNS client
 * ignores; Herald refuses it instead of pretending to honour it.)
 */
const SIGV4_LATER = ['profile', 'role_arn', 'external_id', 'use_fips_sts_endpoint', 'service_name'];

/**
 * `sns_configs`: AWS SNS Publish over the Query API, signed with SigV4 from static keys. Exactly one
 * target (`topic_arn`, `phone_number`, `target_arn`).
 */
export const sns: ReceiverKindSpec = {
  kind: 'sns',
  key: 'sns_configs',
  sendResolved: true,
  since: '0.23',
  check(c, path, ctx) {
    checkFields(
      c,
      path,
      ['api_url', 'sigv4', 'topic_arn', 'phone_number', 'target_arn', 'subject', 'message', 'attributes'],
      ['use_aws_http_client'],
    );
    for (const k of TEMPLATED) optStr(c, k, path);
    // Alertmanager's check is an XOR chain that also lets all three through; SNS takes exactly one.
    const set = TARGETS.filter((k) => c[k] != null && c[k] !== '');
    if (set.length !== 1)
      throw new ConfigError(
        path,
        set.length === 0
          ? 'one of topic_arn, phone_number or target_arn is required'
          : `only one of topic_arn, phone_number and target_arn may be set, got ${set.join(', ')}`,
      );

    const sp = at(path, 'sigv4');
    const sigv4 = optObject(c.sigv4, sp);
    for (const key of Object.keys(sigv4))
      if (SIGV4_LATER.includes(key))
        throw new ConfigError(
          at(sp, key),
          'an Alertmanager field Herald does not implement yet (Herald signs only with static sigv4.access_key/secret_key); remove it',
        );
    checkKeys(sigv4, SIGV4_FIELDS, sp);
    for (const k of SIGV4_FIELDS) optStr(sigv4, k, sp);
    const hasKey = (k: string) => sigv4[k] != null && sigv4[k] !== '';
    if (hasKey('access_key') !== hasKey('secret_key'))
      throw new ConfigError(sp, 'access_key and secret_key must be given together');
    if (!hasKey('access_key'))
      throw new ConfigError(
        sp,
        'access_key and secret_key are required: Herald signs only with static keys (the AWS default credential chain — environment, profile, instance role — is not implemented)',
      );
    if (!hasKey('region'))
      throw new ConfigError(
        at(sp, 'region'),
        'is required (Herald does not read the region from the AWS environment or a profile)',
      );
    if (!/^[a-z0-9-]+$/.test(sigv4.region as string))
      throw new ConfigError(
        at(sp, 'region'),
        `must be an AWS region like us-east-1, got ${show(sigv4.region)}`,
      );

    // A templated api_url is checked when expanded; a literal one now.
    if (typeof c.api_url === 'string' && c.api_url !== '' && !c.api_url.includes('{{'))
      httpUrl(c.api_url, at(path, 'api_url'));

    for (const k of TEMPLATED) ctx.template(c[k], at(path, k));
    const ap = at(path, 'attributes');
    if (c.attributes != null) {
      const attrs = asObject(c.attributes, ap);
      for (const [k, v] of Object.entries(attrs)) {
        const p = at(ap, k);
        if (typeof v !== 'string') throw new ConfigError(p, `must be a string, got ${show(v)}`);
        ctx.template(k, `${ap} (key ${show(k)})`);
        ctx.template(v, p);
      }
    }
    asString(sigv4.secret_key, at(sp, 'secret_key'));
    return c;
  },
};
