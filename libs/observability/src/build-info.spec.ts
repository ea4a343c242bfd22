import { ALERTMANAGER_API_VERSION, alertmanagerVersionInfo, buildInfo } from './build-info';
import { HeraldMetrics } from './metrics';

describe('build info', () => {
  it('versionInfo reports the Alertmanager API version and names Herald in branch', () => {
    expect(alertmanagerVersionInfo()).toEqual({
      ...buildInfo(),
      version: ALERTMANAGER_API_VERSION,
      branch: `herald/${buildInfo().version}`,
    });
    // karma picks its API v2 mapper for Alertmanager >= 0.17 by parsing this as semver.
    expect(ALERTMANAGER_API_VERSION).toMatch(/^0\.(1[7-9]|[2-9]\d)\.\d+$/);
  });

  it('/metrics carries alertmanager_build_info with the same values as versionInfo, beside herald_build_info', async () => {
    const text = await new HeraldMetrics({ nodeId: 'n', version: '0.1.0', defaultMetrics: false }).metrics();
    const am = alertmanagerVersionInfo();
    expect(text).toContain(
      `alertmanager_build_info{version="${am.version}",revision="${am.revision}",branch="${am.branch}",goversion="${am.goVersion}",goos="${process.platform}",`,
    );
    expect(text).toContain(`herald_build_info{version="${buildInfo().version}",`);
  });
});
