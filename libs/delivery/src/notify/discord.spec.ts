import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { alertmanagerTemplates } from '@herald/domain';
import { testNotification } from '../../../../test/harness/notifications';
import type { HttpResult } from '../http-client';
import { httpStatus, oneResolved, scriptedHttpOr } from '../../../../test/harness/notify-specs';
import {
  DISCORD_COLOR_FIRING,
  DISCORD_COLOR_RESOLVED,
  DISCORD_MAX_CONTENT_RUNES,
  DISCORD_MAX_DESCRIPTION_RUNES,
  DISCORD_MAX_TITLE_RUNES,
  DiscordNotifier,
  discordMessage,
} from './discord';

const templates = alertmanagerTemplates();
const signal = new AbortController().signal;
const URL = 'http://discord.example/api/webhooks/1/tok';

const scriptedHttp = (...results: HttpResult[]) => scriptedHttpOr(() => httpStatus(204), results);

const resolved = oneResolved;

describe('discord message', () => {
  it("defaults: empty content, one embed with Alertmanager's title/description, red while firing", () => {
    const { message } = discordMessage(
      { webhook_url: URL, send_resolved: true },
      templates,
      testNotification(),
    );
    expect(Object.keys(message!)).toEqual(['content', 'embeds']);
    expect(message!.content).toBe('');
    expect(message!.embeds).toHaveLength(1);
    expect(message!.embeds[0]).toMatchObject({
      title: '[FIRING:3] HighCPU (db)',
      color: DISCORD_COLOR_FIRING,
    });
    expect(message!.embeds[0].description).toMatch(/^\n\nAlerts Firing:\nLabels:\n - alertname = HighCPU\n/);
  });

  it('green when every alert is resolved', () => {
    const { message } = discordMessage({ send_resolved: true }, templates, resolved());
    expect(message!.embeds[0].color).toBe(DISCORD_COLOR_RESOLVED);
    // Alertmanager's subject keeps the space before the (here empty) extra labels.
    expect(message!.embeds[0].title).toBe('[RESOLVED] HighCPU ');
  });

  it('nothing to send for resolved alerts without send_resolved', () => {
    expect(discordMessage({ send_resolved: false }, templates, resolved()).message).toBeNull();
  });

  it('content, username and avatar_url (HEAD): content templated, the others as written', () => {
    const { message } = discordMessage(
      {
        send_resolved: true,
        content: '<@&123> {{ .Status }}',
        username: 'AM {{ x }}',
        avatar_url: 'https://a/b.png',
      },
      templates,
      testNotification(),
    );
    expect(message).toMatchObject({
      content: '<@&123> firing',
      username: 'AM {{ x }}',
      avatar_url: 'https://a/b.png',
    });
  });

  it('truncates title, description and content to Discord limits in runes, ending in …', () => {
    const { message } = discordMessage(
      { send_resolved: true, title: 'é'.repeat(300), message: '🔥'.repeat(5000), content: 'x'.repeat(2500) },
      templates,
      testNotification(),
    );
    const e = message!.embeds[0];
    expect([...e.title]).toHaveLength(DISCORD_MAX_TITLE_RUNES);
    expect(e.title.endsWith('é…')).toBe(true);
    expect([...e.description]).toHaveLength(DISCORD_MAX_DESCRIPTION_RUNES);
    expect([...message!.content]).toHaveLength(DISCORD_MAX_CONTENT_RUNES);
    expect(message!.content.endsWith('x…')).toBe(true);
  });

  it('a template failing at send time gives up naming the template', () => {
    const { message, failure } = discordMessage(
      { send_resolved: true, message: '{{ template "nope" . }}' },
      templates,
      testNotification(),
    );
    expect(message).toBeNull();
    expect(failure).toMatchObject({ kind: 'give-up', reason: 'other' });
  });
});

describe('DiscordNotifier', () => {
  it('POSTs JSON to the webhook URL; 204 is ok', async () => {
    const http = scriptedHttp();
    const r = await new DiscordNotifier(
      { webhook_url: URL, send_resolved: true },
      templates,
      http,
      1000,
      'UA',
    ).send(testNotification(), signal);
    expect(r).toEqual({ kind: 'ok' });
    expect(http.sent[0]).toMatchObject({
      url: URL,
      headers: { 'Content-Type': 'application/json', 'User-Agent': 'UA' },
    });
    expect(JSON.parse(String(http.sent[0].body)).embeds[0].title).toBe('[FIRING:3] HighCPU (db)');
  });

  it('reads webhook_url_file at each send (trimmed)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'discord-'));
    const file = join(dir, 'url');
    writeFileSync(file, `${URL}\n`);
    const http = scriptedHttp();
    const n = new DiscordNotifier(
      { webhook_url_file: file, send_resolved: true },
      templates,
      http,
      1000,
      'UA',
    );
    await n.send(testNotification(), signal);
    writeFileSync(file, 'http://other.example/x');
    await n.send(testNotification(), signal);
    expect(http.sent.map((s) => s.url)).toEqual([URL, 'http://other.example/x']);
  });

  it('an unreadable webhook_url_file gives up without sending', async () => {
    const http = scriptedHttp();
    const r = await new DiscordNotifier(
      { webhook_url_file: '/nonexistent/discord', send_resolved: true },
      templates,
      http,
      1000,
      'UA',
    ).send(testNotification(), signal);
    expect(r).toMatchObject({ kind: 'give-up', message: expect.stringMatching(/read webhook_url_file/) });
    expect(http.sent).toHaveLength(0);
  });

  it("429 is retried after Retry-After; 400 gives up with Discord's message", async () => {
    const http = scriptedHttp(
      {
        outcome: { kind: 'http', status: 429, retryAfterMs: 2000 },
        message: 'HTTP 429: {"message": "You are being rate limited."}',
      },
      {
        outcome: { kind: 'http', status: 400 },
        message: 'HTTP 400: {"message": "Invalid Form Body", "code": 50035}',
      },
    );
    const n = new DiscordNotifier({ webhook_url: URL, send_resolved: true }, templates, http, 1000, 'UA');
    expect(await n.send(testNotification(), signal)).toMatchObject({
      kind: 'retry',
      reason: 'rateLimited',
      retryAfterMs: 2000,
    });
    expect(await n.send(testNotification(), signal)).toMatchObject({
      kind: 'give-up',
      reason: 'clientError',
      message: expect.stringContaining('Invalid Form Body'),
    });
  });
});
