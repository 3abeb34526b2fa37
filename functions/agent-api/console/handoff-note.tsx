import { handoffRuns, handoffWords } from './handoff-text.js';
import { routeReasonText } from './route-reasons.js';

/**
 * A hand-off summary's text in words (`handoffWords`), each quote and the customer's name in its own
 * direction (see `handoffRuns`).
 */
export function HandoffText(props: { text: string }) {
  return (
    <>
      {handoffRuns(handoffWords(props.text, (reason) => routeReasonText(reason))).map((run, i) =>
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
