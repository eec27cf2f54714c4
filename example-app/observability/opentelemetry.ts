// An OpenTelemetry bridge: each WeChat API call becomes a span, each login and refused token an
// event counted by a meter. Uses only @opentelemetry/api; the app's SDK decides where data goes.

import diagnostics_channel from 'node:diagnostics_channel';
import { metrics, type Span, SpanStatusCode, trace } from '@opentelemetry/api';
import { wxChannels } from 'express-wx-login';

/** Starts bridging; returns a function that stops. */
export function wxLoginTelemetry(): () => void {
  const tracer = trace.getTracer('express-wx-login');
  const meter = metrics.getMeter('express-wx-login');
  const logins = meter.createCounter('wx.logins', { description: 'Logins by source and outcome' });
  const refused = meter.createCounter('wx.tokens.refused', { description: 'Refused tokens by code' });
  // Each WeChat call's events carry an `id` that pairs its start with its end.
  const open = new Map<number, Span>();
  const subscriptions: [string, (message: unknown) => void][] = [
    [
      wxChannels.wechatStart,
      (m) => {
        const { id, api } = m as { id: number; api: string };
        open.set(id, tracer.startSpan(`wechat ${api}`, { attributes: { 'wx.api': api } }));
      },
    ],
    [wxChannels.wechatEnd, (m) => endSpan(open, m, undefined)],
    [wxChannels.wechatError, (m) => endSpan(open, m, String((m as { code: unknown }).code))],
    [
      wxChannels.loginEnd,
      (m) => logins.add(1, { source: String((m as { source: unknown }).source), outcome: 'ok' }),
    ],
    [
      wxChannels.loginError,
      (m) => {
        const { source, code } = m as { source: unknown; code: unknown };
        logins.add(1, { source: String(source), outcome: String(code) });
      },
    ],
    [wxChannels.tokenRefused, (m) => refused.add(1, { code: String((m as { code: unknown }).code) })],
  ];
  for (const [name, listener] of subscriptions) diagnostics_channel.subscribe(name, listener);
  return () => {
    for (const [name, listener] of subscriptions) diagnostics_channel.unsubscribe(name, listener);
  };
}

function endSpan(open: Map<number, Span>, message: unknown, errorCode: string | undefined): void {
  const { id, attempts } = message as { id: number; attempts: number };
  const span = open.get(id);
  if (!span) return;
  open.delete(id);
  span.setAttribute('wx.attempts', attempts);
  if (errorCode) span.setStatus({ code: SpanStatusCode.ERROR, message: errorCode });
  span.end();
}
