// Prometheus metrics from express-wx-login's diagnostics_channel events (prom-client). Shown in
// the README's "Observability" section; test/integration/diagnostics-recipes.test.ts runs it.

import diagnostics_channel from 'node:diagnostics_channel';
import { wxChannels } from 'express-wx-login';
import { Counter, Histogram, type Registry } from 'prom-client';

/** Registers the package's metrics on `registry` and starts counting; returns a function that stops. */
export function wxLoginMetrics(registry: Registry): () => void {
  const logins = new Counter({
    name: 'wx_logins_total',
    help: 'Logins by source and outcome (ok or the error code)',
    labelNames: ['source', 'outcome'],
    registers: [registry],
  });
  const refused = new Counter({
    name: 'wx_tokens_refused_total',
    help: 'Refused tokens by error code',
    labelNames: ['code'],
    registers: [registry],
  });
  const wechat = new Histogram({
    name: 'wx_wechat_call_seconds',
    help: 'WeChat API calls by api and outcome',
    labelNames: ['api', 'outcome'],
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 15],
    registers: [registry],
  });
  const subscriptions: [string, (message: unknown) => void][] = [
    [wxChannels.loginEnd, (m) => logins.inc({ source: field(m, 'source'), outcome: 'ok' })],
    [wxChannels.loginError, (m) => logins.inc({ source: field(m, 'source'), outcome: field(m, 'code') })],
    [wxChannels.tokenRefused, (m) => refused.inc({ code: field(m, 'code') })],
    [wxChannels.wechatEnd, (m) => wechat.observe({ api: field(m, 'api'), outcome: 'ok' }, seconds(m))],
    [
      wxChannels.wechatError,
      (m) => wechat.observe({ api: field(m, 'api'), outcome: field(m, 'code') }, seconds(m)),
    ],
  ];
  for (const [name, listener] of subscriptions) diagnostics_channel.subscribe(name, listener);
  return () => {
    for (const [name, listener] of subscriptions) diagnostics_channel.unsubscribe(name, listener);
  };
}

function field(message: unknown, name: string): string {
  return String((message as Record<string, unknown>)[name]);
}

function seconds(message: unknown): number {
  return Number((message as { durationMs: number }).durationMs) / 1000;
}
