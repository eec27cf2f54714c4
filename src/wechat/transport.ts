// How WeChat calls leave this server: directly, through a forward proxy (plain http in absolute
// form, https tunnelled with CONNECT), or through agents of the app's own.

import http from 'node:http';
import https from 'node:https';
import { HttpProxyAgent } from 'http-proxy-agent';
import { HttpsProxyAgent } from 'https-proxy-agent';

/** How WeChat calls leave this server: directly (default), through a forward proxy, or through agents of the app's own. */
export interface WeChatTransport {
  /**
   * An HTTP(S) forward proxy for every WeChat call, e.g. `'http://user:pass@10.0.0.1:3128'`: plain
   * `http://` targets are sent to it in absolute form, `https://` ones tunnelled with CONNECT.
   * Its credentials are never logged.
   */
  proxy?: string | undefined;
  /** An agent of the app's own for `http://` targets (takes precedence over `proxy`). Not closed by `close()`. */
  httpAgent?: http.Agent | undefined;
  /** An agent of the app's own for `https://` targets (takes precedence over `proxy`). Not closed by `close()`. */
  httpsAgent?: https.Agent | undefined;
}

/**
 * The keep-alive agents for `transport`, and those of them made here (which their owner closes;
 * an app's own agents stay the app's).
 *
 * @example
 * const { agents, own } = agentsFor({ proxy: 'http://10.0.0.1:3128' });
 */
export function agentsFor(transport: WeChatTransport): {
  agents: { http: http.Agent; https: https.Agent };
  own: http.Agent[];
} {
  const agentOptions = { keepAlive: true, maxSockets: 64 };
  const own: http.Agent[] = [];
  const made = <T extends http.Agent>(agent: T): T => {
    own.push(agent);
    return agent;
  };
  const { proxy } = transport;
  return {
    agents: {
      http:
        transport.httpAgent ??
        made(proxy ? new HttpProxyAgent(proxy, agentOptions) : new http.Agent(agentOptions)),
      https:
        transport.httpsAgent ??
        made(proxy ? new HttpsProxyAgent(proxy, agentOptions) : new https.Agent(agentOptions)),
    },
    own,
  };
}
