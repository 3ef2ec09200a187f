/**
 * Outbound HTTP for plugins (capability http:fetch:<host>, or *.<domain> for its subdomains).
 * The destination is checked twice: its host name against the grants, and the address it
 * resolves to, at connect time (request-filtering-agent), against loopback, private, link-local
 * and other reserved ranges, so a DNS answer or a redirect cannot point it inside. Redirects are
 * followed by hand, each hop checked again. Bodies are bounded both ways.
 */
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { RequestFilteringHttpAgent, RequestFilteringHttpsAgent } from 'request-filtering-agent';
import { pluginProblems } from './plugins.problems.ts';

export type FetchInput = { method?: string; headers?: Record<string, string>; body?: string };
export type FetchResult = { status: number; headers: Record<string, string>; body: string; url: string };
/** Addresses (CIDR) a deployment trusts despite their range; tests use it for a loopback server. */
export type FetchOptions = { allowAddresses?: string[]; timeoutMs?: number };

const MAX_REDIRECTS = 3;
const MAX_BODY = 1_000_000;
const METHODS = new Set(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD']);

const refused = (detail: string) => pluginProblems.capabilityMissing.create({ detail });

/** Whether `host` is granted by one of `grants` (http:fetch:host or http:fetch:*.domain). */
export function hostGranted(grants: ReadonlySet<string>, host: string): boolean {
  const name = host.toLowerCase().replace(/^\[|\]$/g, '');
  for (const grant of grants) {
    if (!grant.startsWith('http:fetch:')) continue;
    const pattern = grant.slice('http:fetch:'.length);
    if (pattern === name || (pattern.startsWith('*.') && name.endsWith(pattern.slice(1)))) return true;
  }
  return false;
}

function checkUrl(raw: string, grants: ReadonlySet<string>): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw pluginProblems.invalidPlugin.create({ detail: `Not a URL: ${raw.slice(0, 200)}` });
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw refused(`Only http and https, not ${url.protocol}`);
  if (url.username || url.password) throw refused('URLs with credentials are refused');
  if (!hostGranted(grants, url.hostname)) throw refused(`The plugin was not granted http:fetch:${url.hostname}`);
  return url;
}

function once(url: URL, input: FetchInput, options: FetchOptions): Promise<{ res: IncomingMessage; body: string }> {
  const filter = { allowIPAddressList: options.allowAddresses ?? [] };
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  const agent = url.protocol === 'https:' ? new RequestFilteringHttpsAgent(filter) : new RequestFilteringHttpAgent(filter);
  return new Promise((resolve, reject) => {
    const req = send(url, { method: input.method ?? 'GET', headers: input.headers ?? {}, agent, timeout: options.timeoutMs ?? 5_000 }, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_BODY) req.destroy(new Error(`the response is over ${MAX_BODY} bytes`));
        else chunks.push(chunk);
      });
      res.on('end', () => resolve({ res, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('no answer in time')));
    req.on('error', (err) => reject(refused(`The request to ${url.host} failed: ${err.message}`)));
    req.end(input.body);
  });
}

export async function pluginFetch(grants: ReadonlySet<string>, raw: unknown, input: FetchInput = {}, options: FetchOptions = {}): Promise<FetchResult> {
  if (typeof raw !== 'string') throw pluginProblems.invalidPlugin.create({ detail: 'fetch takes a URL string' });
  const method = (input.method ?? 'GET').toUpperCase();
  if (!METHODS.has(method)) throw pluginProblems.invalidPlugin.create({ detail: `fetch does not send ${method}` });
  if (input.body !== undefined && (typeof input.body !== 'string' || input.body.length > MAX_BODY)) throw pluginProblems.invalidPlugin.create({ detail: `a fetch body is a string of at most ${MAX_BODY} characters` });
  let url = checkUrl(raw, grants);
  let current: FetchInput = { ...input, method };
  for (let hop = 0; ; hop++) {
    const { res, body } = await once(url, current, options);
    const location = res.headers.location;
    if (!location || ![301, 302, 303, 307, 308].includes(res.statusCode ?? 0)) {
      const headers = Object.fromEntries(Object.entries(res.headers).filter((e): e is [string, string] => typeof e[1] === 'string'));
      return { status: res.statusCode ?? 0, headers, body, url: url.href };
    }
    if (hop >= MAX_REDIRECTS) throw refused(`More than ${MAX_REDIRECTS} redirects`);
    const next = checkUrl(new URL(location, url).href, grants);
    // Credentials meant for one host never follow a redirect to another.
    if (next.host !== url.host) current = { ...current, headers: Object.fromEntries(Object.entries(current.headers ?? {}).filter(([k]) => !['authorization', 'cookie'].includes(k.toLowerCase()))) };
    url = next;
    // 303 (and 301/302 after a POST, as browsers do) continue as a GET without the body.
    if (res.statusCode === 303 || ((res.statusCode === 301 || res.statusCode === 302) && current.method !== 'GET')) current = { headers: current.headers, method: 'GET' };
  }
}
