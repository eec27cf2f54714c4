// A short, human summary of a User-Agent header ("iPhone · WeChat 8.0.50 · mini program"), kept
// with each session so that a "your devices" page can tell them apart. Never the raw header.

const DEVICES: ReadonlyArray<[RegExp, string]> = [
  [/iPad/, 'iPad'],
  [/iPhone/, 'iPhone'],
  [/HarmonyOS|OpenHarmony/, 'HarmonyOS'],
  [/Android/, 'Android'],
  [/Windows/, 'Windows'],
  [/Macintosh|Mac OS X/, 'Mac'],
  [/Linux/, 'Linux'],
];

const BROWSERS: ReadonlyArray<[RegExp, string]> = [
  [/Edg(?:e|A|iOS)?\/(\d+)/, 'Edge'],
  [/Firefox\/(\d+)/, 'Firefox'],
  [/(?:Chrome|CriOS)\/(\d+)/, 'Chrome'],
  [/Version\/(\d+)[\d.]* (?:Mobile\/\S+ )?Safari\//, 'Safari'],
];

/**
 * The summary of a User-Agent, or `undefined` when there is none. The default `describeClient`
 * of `wxLogin()`.
 *
 * @example
 * summarizeUserAgent('Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) ... MicroMessenger/8.0.50(0x1800323c) NetType/WIFI Language/zh_CN miniProgram/wx123');
 * // 'iPhone · WeChat 8.0.50 · mini program'
 */
export function summarizeUserAgent(header: unknown): string | undefined {
  if (typeof header !== 'string' || header.trim() === '') return undefined;
  const ua = header.slice(0, 1024);
  const parts: string[] = [];
  const device = DEVICES.find(([pattern]) => pattern.test(ua));
  if (device) parts.push(device[1]);
  const wechat = /MicroMessenger\/([\d.]{1,20})/.exec(ua);
  if (wechat) {
    parts.push(`WeChat ${wechat[1]}`);
    if (/miniProgram|MiniProgramEnv/i.test(ua)) parts.push('mini program');
  } else {
    const browser = BROWSERS.map(([pattern, name]) => [pattern.exec(ua), name] as const).find(([m]) => m);
    if (browser) parts.push(`${browser[1]} ${browser[0]?.[1]}`);
  }
  // Neither a device nor a browser we know (curl, a server-side client): its first product token.
  if (parts.length === 0) parts.push(/^[\w.\-/]{1,40}/.exec(ua)?.[0] ?? 'unknown');
  return parts.join(' · ');
}
