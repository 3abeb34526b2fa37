// The web chat's loader (≤ 5 KB gzipped): the launcher in a shadow root; the panel on first open.
import { storageKey } from './api.js';
import { label, unreadReplies } from './launcher.js';
import { endPreviousUser } from './user-change.js';

/** The panel's hashed path, set by the build. */
declare const PANEL_PATH: string;

/** What the panel script registers, and the loader calls once it has loaded. */
type PanelFactory = (
  mount: HTMLElement,
  root: ShadowRoot,
  config: WidgetConfig,
  launcher: HTMLButtonElement,
  restore?: boolean,
) => Panel;
/** The panel as the loader drives it: open or close it; the tag's identity token changed. */
interface Panel {
  toggle(): void;
  identityChanged(): void;
}
/** The loader's settings: its origin, and the script tag's data attributes. */
interface WidgetConfig {
  origin: string;
  identityToken?: string | undefined;
  allowAnonymous?: boolean | undefined;
  welcome?: string | undefined;
  title?: string | undefined;
}

// The host element is out of the page's flow and boxless whatever the page's rules say of a `div`
// (a border, a margin, a transform): `!important` in the shadow root's own `:host` rule outranks the
// page's, important or not. Fixed and 0 × 0 at the window's corner, it clips nothing: the launcher and the
// panel inside are fixed to the window themselves (no transform or filter left on the host to contain them).
// In dark mode the launcher's blue (3.1:1 on a #121212 page) gets a light edge, and the failure note is light.
// The launcher's focus ring: near-black around a white gap, so one edge stands out on any page (the
// amber ring it replaced was 1.6:1 on a white one). Its border is transparent, drawn under forced colours
// (the circle's background goes); its sizes are in em of the visitor's default font size.
const CSS = `:host{all:initial!important;position:fixed!important;top:0!important;left:0!important;width:0!important;height:0!important;z-index:2147483647!important}
.launcher{position:fixed;right:20px;bottom:20px;z-index:2147483647;width:4em;height:4em;box-sizing:border-box;border-radius:50%;border:1px solid transparent;background:#1f5fbf;color:#fff;font:600 .875em system-ui,sans-serif;cursor:pointer;box-shadow:0 2px 10px rgba(0,0,0,.25)}
.launcher:focus-visible{outline:3px solid #1b1b1b;outline-offset:2px;box-shadow:0 0 0 2px #fff}
.badge{position:absolute;top:-4px;right:-4px;min-width:1.667em;height:1.667em;padding:0 5px;box-sizing:border-box;border-radius:.833em;background:#b00020;color:#fff;font:600 .857em/1.667 system-ui,sans-serif}
.oops{position:fixed;right:20px;bottom:calc(28px + 4.31em);z-index:2147483647;margin:0;padding:6px 10px;border-radius:6px;background:#1b1b1b;color:#fff;font:.8125em system-ui,sans-serif}
@media (prefers-color-scheme:dark){.launcher{box-shadow:0 0 0 1px #fff8,0 2px 10px #000}.oops{background:#ececec;color:#1b1b1b}}`;

/** The first wait between two reads of a returning visitor's unread count, doubling while it stays the same. */
const UNREAD_FIRST_MS = 30_000;
/** The longest wait between two such reads. */
const UNREAD_LONGEST_MS = 600_000;

/**
 * A visitor who chatted before, not in this tab (a session kept in the site's localStorage): true when
 * they left messages unsent (a tab closed offline), which the panel, loaded closed, sends now; else the
 * launcher says how many replies wait unread, from the history's newest page, read again while the page
 * is shown (after 30 s, doubling to 10 min while the count stays; at once when the page is shown again
 * after the wait), so a reply that comes while they browse shows; the panel stays unloaded (`loaded`:
 * the visitor opened it meanwhile, and it counts from then on: the reads stop).
 */
function returning(config: WidgetConfig, launcher: HTMLButtonElement, loaded: () => boolean): boolean {
  const key = storageKey(config.identityToken);
  let kept: { sessionToken?: string; expiresAt?: string } | null = null;
  try {
    kept = JSON.parse(localStorage.getItem(key) ?? 'null');
    if (kept && localStorage.getItem(`${key}:outbox`)) return true;
  } catch {}
  const token = kept?.sessionToken;
  const ends = Date.parse(kept?.expiresAt ?? '');
  if (!token || !(ends > Date.now())) return false;
  let wait = UNREAD_FIRST_MS;
  let count: number | undefined;
  let last = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const shown = () => document.visibilityState !== 'hidden';
  // The page's user changed (the tag's token) and their chat ended: the count was theirs, not this one's.
  const ours = () => {
    try {
      return localStorage.getItem(storageKey(config.identityToken))?.includes(token) === true;
    } catch {
      return false;
    }
  };
  const next = () => {
    clearTimeout(timer);
    if (!loaded() && shown() && ends > Date.now()) timer = setTimeout(read, wait - (Date.now() - last));
  };
  const read = () => {
    last = Date.now();
    if (!ours()) {
      last = Number.POSITIVE_INFINITY;
      return;
    }
    fetch(`${config.origin}/webchat/messages?order=newest`, {
      headers: { authorization: `Bearer ${token}` },
      credentials: 'omit',
    })
      .then((response) => {
        // The session ended (401): nothing more to count.
        if (response.status === 401) last = Number.POSITIVE_INFINITY;
        return response.ok ? response.json() : undefined;
      })
      .then((page: { messages?: Parameters<typeof unreadReplies>[0] } | undefined) => {
        if (loaded() || !page?.messages || !ours()) return;
        const now = unreadReplies(page.messages);
        wait = now === count ? Math.min(wait * 2, UNREAD_LONGEST_MS) : UNREAD_FIRST_MS;
        count = now;
        label(launcher, false, now);
      })
      .catch(() => {
        wait = Math.min(wait * 2, UNREAD_LONGEST_MS);
      })
      .finally(() => last < Number.POSITIVE_INFINITY && next());
  };
  document.addEventListener('visibilitychange', () => last < Number.POSITIVE_INFINITY && next());
  read();
  return false;
}

/** What the loader uses of the browser's Trusted Types (absent in browsers without them). */
type Policies = {
  createPolicy(
    name: string,
    rules: { createScriptURL(url: string): string },
  ): {
    createScriptURL(url: string): unknown;
  };
};

/**
 * The panel script's URL as the page's Trusted Types allow it: a page whose CSP has
 * `require-trusted-types-for 'script'` refuses a plain string for a script's `src`. The policy
 * `threadline` passes our panel's own URL and nothing else; without Trusted Types, the string itself.
 */
function panelUrl(url: string): unknown {
  const types = (window as unknown as { trustedTypes?: Policies }).trustedTypes;
  if (!types) return url;
  // Made once: a CSP that names `threadline` refuses a second policy of that name (a retried load).
  policy ??= types.createPolicy('threadline', {
    createScriptURL: (asked) => {
      if (asked !== url) throw new TypeError('threadline: not the chat panel');
      return asked;
    },
  });
  return policy.createScriptURL(url);
}
let policy: ReturnType<Policies['createPolicy']> | undefined;

/**
 * Whether the page's user is another than on this browser's last page, their chat then ended
 * (`endPreviousUser`); false where the browser blocks storage (nothing was kept across pages).
 */
function userChanged(config: WidgetConfig): boolean {
  try {
    return endPreviousUser(config.origin, localStorage, sessionStorage, config.identityToken);
  } catch {
    return false;
  }
}

/**
 * Another user than on this browser's last page (a sign-out, another sign-in): their chat ends first.
 * A single-page site signs a user in or out by changing the tag's token: the panel once loaded, else
 * the loader, ends the one before's chat then (a fresh token of the same user changes nothing).
 */
function followUser(
  script: HTMLScriptElement,
  config: WidgetConfig,
  launcher: HTMLButtonElement,
  panel: () => Promise<Panel> | undefined,
) {
  userChanged(config);
  new MutationObserver(() => {
    const loaded = panel();
    if (loaded) loaded.then((p) => p.identityChanged()).catch(() => {});
    else if (userChanged(config)) label(launcher, false, 0);
  }).observe(script, { attributeFilter: ['data-identity-token'] });
}

/** The script tag's settings; its identity token read when a session starts, not once. */
function configOf(script: HTMLScriptElement): WidgetConfig {
  return {
    origin: new URL(script.src).origin,
    // A site may put a fresh token on the tag: the one the page loaded with expires, and its session with it.
    get identityToken() {
      return script.dataset.identityToken;
    },
    allowAnonymous: script.dataset.allowAnonymous === 'true',
    welcome: script.dataset.welcome,
    title: script.dataset.title,
  };
}

(() => {
  const script = document.currentScript as HTMLScriptElement | null;
  if (!script || document.querySelector('[data-threadline-chat]')) return;
  const config = configOf(script);
  const host = document.createElement('div');
  host.setAttribute('data-threadline-chat', '');
  // The widget's own words are English, whatever the page's language (what people write: see the panel),
  // so left to right on an Arabic page too (`direction` inherits into the shadow root: it was mirrored).
  host.lang = 'en';
  host.dir = 'ltr';
  const root = host.attachShadow({ mode: 'open' });
  const sheet = new CSSStyleSheet();
  sheet.replaceSync(CSS);
  root.adoptedStyleSheets = [sheet];
  const launcher = document.createElement('button');
  launcher.type = 'button';
  launcher.className = 'launcher';
  launcher.textContent = 'Chat';
  launcher.setAttribute('aria-label', 'Open chat');
  launcher.setAttribute('aria-expanded', 'false');
  launcher.setAttribute('aria-haspopup', 'dialog');
  const mount = document.createElement('div');
  root.append(mount, launcher);
  let panel: Promise<Panel> | undefined;
  const load = (restore?: boolean) =>
    new Promise<Panel>((resolve, reject) => {
      const tag = document.createElement('script');
      (tag as { src: unknown }).src = panelUrl(config.origin + PANEL_PATH);
      tag.async = true;
      tag.onload = () => {
        const factory = (window as unknown as { __threadlineChatPanel?: PanelFactory }).__threadlineChatPanel;
        try {
          if (!factory) throw new Error('panel did not load');
          resolve(factory(mount, root, config, launcher, restore));
        } catch (error) {
          panel = undefined;
          reject(error);
        }
      };
      tag.onerror = () => {
        panel = undefined;
        reject(new Error('panel did not load'));
      };
      document.head.append(tag);
    });
  const oops = document.createElement('p');
  oops.className = 'oops';
  oops.setAttribute('role', 'alert');
  /** The panel could not start: the visitor reads why (a name on the launcher alone would reach only screen readers). */
  const failed = () => {
    launcher.setAttribute('aria-label', 'Chat unavailable, try again');
    oops.textContent = 'Chat unavailable, try again';
    root.append(oops);
  };
  launcher.addEventListener('click', () => {
    oops.remove();
    panel ??= load();
    panel.then((p) => p.toggle()).catch(failed);
  });
  document.body.append(host);
  followUser(script, config, launcher, () => panel);
  // The visitor used the chat on an earlier page of this tab: the panel comes back as they left it
  // (open or closed, its unread count on the launcher), from the site's own sessionStorage.
  // A fallback email's link back to the chat ends with #threadline-chat: it lands with the panel open.
  let used: string | null = null;
  try {
    if (location.hash === '#threadline-chat') sessionStorage.setItem('threadline-chat:open', '1');
    used = sessionStorage.getItem('threadline-chat:open');
  } catch {}
  if (used === null && returning(config, launcher, () => Boolean(panel))) used = '0';
  if (used !== null) {
    panel = load(true);
    panel.catch(() => {});
  }
})();
