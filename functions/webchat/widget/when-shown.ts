// The tab coming back in front of the visitor: the live socket waits for it after a `replaced` close.

/** Calls `then` once, when the page is next shown or focused; answers how to stop waiting. */
export function whenShown(then: () => void): () => void {
  const stop = () => {
    document.removeEventListener('visibilitychange', shown);
    window.removeEventListener('focus', shown);
  };
  const shown = () => {
    if (document.visibilityState === 'hidden') return;
    stop();
    then();
  };
  document.addEventListener('visibilitychange', shown);
  window.addEventListener('focus', shown);
  return stop;
}
