/**
 * Path-based routing for the studio: the address bar is the state. Links are plain <a href>;
 * a click on one is turned into history.pushState here, so every screen has a shareable URL.
 */
type Match = { name: string; params: Record<string, string> };

const ROUTES: [name: string, pattern: string][] = [
  ['setup', '/setup'],
  ['signIn', '/sign-in'],
  ['resetPassword', '/reset-password'],
  ['home', '/'],
  ['search', '/search'],
  ['approvals', '/approvals'],
  ['recordNew', '/r/:entity/new'],
  ['record', '/r/:entity/:id'],
  ['list', '/r/:entity'],
  ['import', '/import/:entity'],
  ['design', '/design'],
  ['designSection', '/design/:section'],
  ['designItem', '/design/:section/:item'],
];

function match(path: string): Match {
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  for (const [name, pattern] of ROUTES) {
    const want = pattern.split('/').filter(Boolean);
    if (want.length !== parts.length) continue;
    const params: Record<string, string> = {};
    if (want.every((w, i) => (w.startsWith(':') ? ((params[w.slice(1)] = parts[i]!), true) : w === parts[i]))) return { name, params };
  }
  return { name: 'notFound', params: {} };
}

class Router {
  path = $state(location.pathname);
  search = $state(location.search);
  route = $derived(match(this.path));
  query = $derived(new URLSearchParams(this.search));

  constructor() {
    addEventListener('popstate', () => this.sync());
    document.addEventListener('click', (e) => this.intercept(e));
  }

  go(to: string, replace = false): void {
    if (to === location.pathname + location.search) return;
    history[replace ? 'replaceState' : 'pushState'](null, '', to);
    this.sync();
    scrollTo(0, 0);
  }

  private sync(): void {
    this.path = location.pathname;
    this.search = location.search;
  }

  private intercept(e: MouseEvent): void {
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    const a = (e.target as Element | null)?.closest('a');
    if (!a || a.target || a.hasAttribute('download') || a.origin !== location.origin) return;
    if (a.pathname.startsWith('/api/') || a.pathname.startsWith('/mail/')) return;
    e.preventDefault();
    this.go(a.pathname + a.search);
  }
}

export const router = new Router();

export const recordHref = (entity: string, id: string): string => `/r/${encodeURIComponent(entity)}/${encodeURIComponent(id)}`;
export const listHref = (entity: string): string => `/r/${encodeURIComponent(entity)}`;
