// WeChat and SNS against what Alertmanager 0.25 sent for the same config and alerts
// (test/compat/receivers-am025.json; harness: test/harness/receiver-parity.ts).
//
// Deliberate differences, left out of the comparison:
// - user-agent: SNS requests from 0.25 carry the AWS SDK's ("aws-sdk-go/…"); Herald sends its own.
// - SigV4 signature and date: normalised by the recorder (they depend on the clock); the credential,
//   scope, signed header list and every signed header are compared (the signer itself is checked
//   against AWS's test vectors in libs/delivery/src/notify/sigv4.spec.ts).
// Everything else is compared, including Content-Length: SNS form bodies are byte-identical to the AWS
// SDK for Go's, WeChat JSON bodies byte-identical in length to Go's encoder (HTML escaping, newline).
import { httpView, replayReceiver, type CapturedRequest } from '../../harness/receiver-parity';

const view = (r: CapturedRequest, keep: readonly string[]) =>
  httpView(r, keep, { form: 'parsed+raw', contentLength: true });

describe.each([
  ['wechat', 'wechat-default'],
  ['wechat', 'wechat-custom'],
  ['sns', 'sns-default'],
  ['sns', 'sns-custom'],
])('%s %s: requests equal to Alertmanager 0.25', (kind, name) => {
  it('every phase, field by field (gettoken first for WeChat, the signed form for SNS)', async () => {
    const run = await replayReceiver(kind, name);
    expect(run.results.map((r) => r.kind)).toEqual(['ok', 'ok', 'ok']);
    expect(run.warnings).toEqual([]);
    expect(run.actual).toHaveLength(run.expected.length);
    // Header names as recorded per request (GET gettoken has no content-type).
    expect(run.actual.map((r, i) => view(r, Object.keys(run.expected[i].headers)))).toEqual(
      run.expected.map((r) => view(r, Object.keys(r.headers))),
    );
  });
});
