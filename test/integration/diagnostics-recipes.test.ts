// The README's observability recipes, run for real: Prometheus metrics through prom-client, and
// the OpenTelemetry bridge with a small recording provider standing in for the app's SDK.

import { metrics, type Span, trace } from '@opentelemetry/api';
import { Registry } from 'prom-client';
import request from 'supertest';
import { afterAll, describe, expect, it } from 'vitest';
import { wxLoginTelemetry } from '../../example-app/observability/opentelemetry.js';
import { wxLoginMetrics } from '../../example-app/observability/prometheus.js';
import { buildApp, startEmulator } from '../helpers/app.js';

const emulator = await startEmulator();
const { app } = buildApp(emulator);

describe('the Prometheus recipe', () => {
  it('counts logins by outcome, refused tokens by code, and WeChat calls by api', async () => {
    const registry = new Registry();
    const stop = wxLoginMetrics(registry);
    try {
      expect((await request(app).post('/wx/login').send({ code: emulator.issueLoginCode() })).status).toBe(
        200,
      );
      expect((await request(app).post('/wx/login').send({ code: 'never-issued' })).status).toBe(401);
      expect((await request(app).get('/me')).status).toBe(401);
      const text = await registry.metrics();
      expect(text).toContain('wx_logins_total{source="miniprogram",outcome="ok"} 1');
      expect(text).toContain('wx_logins_total{source="miniprogram",outcome="WX_CODE_INVALID"} 1');
      expect(text).toContain('wx_tokens_refused_total{code="WX_TOKEN_MISSING"} 1');
      expect(text).toContain('wx_wechat_call_seconds_count{api="jscode2session",outcome="ok"} 1');
      expect(text).toContain(
        'wx_wechat_call_seconds_count{api="jscode2session",outcome="WX_CODE_INVALID"} 1',
      );
    } finally {
      stop();
    }
  });
});

describe('the OpenTelemetry bridge', () => {
  const spans: { name: string; attributes: Record<string, unknown>; status?: unknown; ended: boolean }[] = [];
  const counts: { name: string; value: number; attributes: Record<string, unknown> }[] = [];
  // A recording provider: what an SDK with an in-memory exporter would collect.
  trace.setGlobalTracerProvider({
    getTracer: () =>
      ({
        startSpan: (name: string, options?: { attributes?: Record<string, unknown> }) => {
          const recorded = {
            name,
            attributes: { ...options?.attributes },
            ended: false,
          } as (typeof spans)[number];
          spans.push(recorded);
          return {
            setAttribute: (key: string, value: unknown) => {
              recorded.attributes[key] = value;
            },
            setStatus: (status: unknown) => {
              recorded.status = status;
            },
            end: () => {
              recorded.ended = true;
            },
          } as unknown as Span;
        },
      }) as never,
  });
  metrics.setGlobalMeterProvider({
    getMeter: () =>
      ({
        createCounter: (name: string) => ({
          add: (value: number, attributes: Record<string, unknown> = {}) =>
            counts.push({ name, value, attributes }),
        }),
      }) as never,
  });
  afterAll(() => {
    trace.disable();
    metrics.disable();
  });

  it('makes a span per WeChat call and counts logins', async () => {
    const stop = wxLoginTelemetry();
    try {
      emulator.fail('jscode2session', { type: 'errcode', errcode: -1 }, { times: 1 });
      expect((await request(app).post('/wx/login').send({ code: emulator.issueLoginCode() })).status).toBe(
        200,
      );
      expect((await request(app).post('/wx/login').send({ code: 'never-issued' })).status).toBe(401);
    } finally {
      stop();
    }
    expect(spans).toEqual([
      {
        name: 'wechat jscode2session',
        attributes: { 'wx.api': 'jscode2session', 'wx.attempts': 2 },
        ended: true,
      },
      {
        name: 'wechat jscode2session',
        attributes: { 'wx.api': 'jscode2session', 'wx.attempts': 1 },
        status: { code: 2, message: 'WX_CODE_INVALID' },
        ended: true,
      },
    ]);
    expect(counts).toEqual([
      { name: 'wx.logins', value: 1, attributes: { source: 'miniprogram', outcome: 'ok' } },
      { name: 'wx.logins', value: 1, attributes: { source: 'miniprogram', outcome: 'WX_CODE_INVALID' } },
    ]);
  });
});
