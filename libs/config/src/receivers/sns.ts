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
    const given = optObject(c.sigv4, sp);
    for (const key of Object.keys(given))
      if (SIGV4_LATER.includes(key))
        throw new ConfigError(
          at(sp, key),
          'an Alertmanager field Herald does not implement yet (Herald signs only with static sigv4.access_key/secret_key); remove it',
        );
    checkKeys(given, SIGV4_FIELDS, sp);
    for (const k of SIGV4_FIELDS) optStr(given, k, sp);
    const has = (o: Record<string, unknown>, k: string) => o[k] != null && o[k] !== '';
    if (has(given, 'access_key') !== has(given, 'secret_key'))
      throw new ConfigError(sp, 'access_key and secret_key must be given together');
    // Without static keys, the AWS SDK's first credential source: the environment (read once at load).
    const env = ctx.env;
    const envKeys = !has(given, 'access_key') && !!env.AWS_ACCESS_KEY_ID && !!env.AWS_SECRET_ACCESS_KEY;
    const sigv4: Record<string, unknown> = {
      ...given,
      ...(envKeys
        ? {
            access_key: env.AWS_ACCESS_KEY_ID,
            secret_key: env.AWS_SECRET_ACCESS_KEY,
            ...(env.AWS_SESSION_TOKEN ? { session_token: env.AWS_SESSION_TOKEN } : {}),
          }
        : {}),
      ...(!has(given, 'region') && (env.AWS_REGION || env.AWS_DEFAULT_REGION)
        ? { region: env.AWS_REGION || env.AWS_DEFAULT_REGION }
        : {}),
    };
    if (!has(sigv4, 'access_key'))
      throw new ConfigError(
        sp,
        'access_key and secret_key are required, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY in the environment (profiles and instance roles are not implemented)',
      );
    if (!has(sigv4, 'region'))
      throw new ConfigError(at(sp, 'region'), 'is required (or AWS_REGION in the environment)');
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
    return { ...c, sigv4 };
  },
};
