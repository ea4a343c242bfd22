import { alert, ctx, NOW } from '../../../../test/fixtures/flush-fixtures';
import { defaultStages, FlushPipeline } from './flush-pipeline';
import { TimeMuteStage } from './time-intervals.stage';

describe('flush pipeline', () => {
  it("runs Alertmanager's stages in order: inhibit → time active → time mute → silence → dedup", () => {
    expect(new FlushPipeline().stageNames).toEqual([
      'inhibit',
      'time-active',
      'time-mute',
      'silence',
      'dedup',
    ]);
  });

  it('passes everything by default: the first notification of a group', async () => {
    await expect(new FlushPipeline().run(ctx())).resolves.toMatchObject({ notify: true, seq: 1 });
  });

  it('a muted group sends nothing but keeps ticking', async () => {
    const d = await new FlushPipeline([new TimeMuteStage({ isActive: () => true, isMuted: () => true })]).run(
      ctx(),
    );
    expect(d).toMatchObject({ notify: false, why: 'muted', nextDueAt: NOW + 300_000 });
  });

  it('a stage sees what the stages before it left', async () => {
    const seen: string[][] = [];
    const d = await new FlushPipeline([
      {
        name: 'drop-a',
        apply: (_c, al) => ({ ...al, firing: al.firing.filter((a) => a.fingerprint !== 'a') }),
      },
      { name: 'spy', apply: (_c, al) => (seen.push(al.firing.map((a) => a.fingerprint)), al) },
    ]).run(ctx({ group: { ...ctx().group, firing: [alert('a'), alert('b')] } }));
    expect(seen).toEqual([['b']]);
    if (!d.notify) throw new Error('expected a notification');
    expect(d.alerts.map((a) => a.fingerprint)).toEqual(['b']);
  });

  it('counts the alerts each filtering stage took out, by Alertmanager reason', async () => {
    const d = await new FlushPipeline(
      defaultStages({
        inhibitor: { muted: () => new Set(['a']) },
        silencer: { muted: (all) => new Set(all.map((x) => x.fingerprint).filter((f) => f === 'b')) },
      }),
    ).run(ctx({ group: { ...ctx().group, firing: [alert('a'), alert('b'), alert('c')] } }));
    expect(d.suppressed).toEqual({ inhibition: 1, silence: 1 });
    const none = await new FlushPipeline().run(ctx());
    expect(none.suppressed).toBeUndefined();
  });
});
