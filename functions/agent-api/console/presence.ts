import { useCallback, useState } from 'preact/hooks';
import type { LiveEvent } from './live.js';
import { type Presence, presenceAfter } from './presence-state.js';

export type { Presence, Typing } from './presence-state.js';

/** The live socket's presence, viewers and typists as the console shows them (`presenceAfter`). */
export function usePresence() {
  const [presence, setPresence] = useState<Presence>({ agents: {}, viewing: {}, typing: {} });
  const apply = useCallback((event: LiveEvent) => {
    setPresence((p) => presenceAfter(p, event, Date.now()));
  }, []);
  return { presence, apply };
}
