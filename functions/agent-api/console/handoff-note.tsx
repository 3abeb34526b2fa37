import { handoffRuns } from './handoff-text.js';

/** A hand-off summary's text, each quote and the customer's name in its own direction (see `handoffRuns`). */
export function HandoffText(props: { text: string }) {
  return (
    <>
      {handoffRuns(props.text).map((run, i) =>
        run.isolate ? (
          <bdi key={i} dir="auto">
            {run.text}
          </bdi>
        ) : (
          run.text
        ),
      )}
    </>
  );
}
