import { Inject, Injectable, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { HERALD_CONFIG, HeraldConfigModule } from './config.module';
import type { HeraldConfig } from './herald-config';
import { loadConfig } from './load-config';

@Injectable()
class NeedsConfig {
  constructor(@Inject(HERALD_CONFIG) readonly config: HeraldConfig) {}
}

// A feature module that does not import HeraldConfigModule: the config must reach it because the module is global.
@Module({ providers: [NeedsConfig] })
class FeatureModule {}

describe('HeraldConfigModule', () => {
  it('provides the config globally under HERALD_CONFIG', async () => {
    const config = loadConfig({ env: {}, hostname: 'h' });
    const app = await Test.createTestingModule({
      imports: [HeraldConfigModule.forRoot(config), FeatureModule],
    }).compile();
    expect(app.get(NeedsConfig).config).toBe(config);
    await app.close();
  });
});
