import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError } from './api.js';
import { failureText } from './format.js';
import { parseTags, refusedTagsText, TAG_HINT, tagProblem } from './tags-text.js';
import { ErrorNote } from './ui.js';

/** What a save of the tags sends: only what changed since the agent started typing. */
export interface TagsChange {
  add: string[];
  remove: string[];
}

/**
 * The tags field: it follows the profile as it changes live (another agent's edit) until the agent
 * starts typing, and saving sends only the tags added and removed since then, so a change another agent
 * made meanwhile to other tags is kept (the whole list sent would overwrite it). The rule is said beside
 * it; a tag that breaks it is named before anything is sent, and a refused or failed save keeps the text.
 */
export function TagsForm(props: { tags: string[]; onSave(change: TagsChange): Promise<unknown> }) {
  const shown = props.tags.join(', ');
  const [edit, setEdit] = useState<{ base: string[]; text: string }>();
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const field = useRef<HTMLInputElement>(null);
  useEffect(() => {
    if (edit && edit.text === edit.base.join(', ')) setEdit(undefined);
  }, [shown]);
  const refuse = (message: string) => {
    setError(message);
    field.current?.focus();
  };
  const save = async (current: { base: string[]; text: string }) => {
    const typed = parseTags(current.text);
    const problem = typed.map(tagProblem).find((p) => p !== undefined);
    if (problem) return refuse(problem);
    const change = {
      add: typed.filter((t) => !current.base.includes(t)),
      remove: current.base.filter((t) => !typed.includes(t)),
    };
    setBusy(true);
    setError('');
    try {
      await props.onSave(change);
      setEdit(undefined);
    } catch (e) {
      refuse(e instanceof ApiError && e.status === 400 ? refusedTagsText(e.message, change) : failureText(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form
      class="tags"
      onSubmit={(e) => {
        e.preventDefault();
        if (edit && !busy) void save(edit);
      }}
    >
      <label>
        Tags
        <input
          ref={field}
          name="tags"
          value={edit ? edit.text : shown}
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? 'tags-hint tags-error' : 'tags-hint'}
          onInput={(e) => {
            setError('');
            setEdit({ base: edit?.base ?? props.tags, text: e.currentTarget.value });
          }}
        />
      </label>
      <p class="muted tags-hint" id="tags-hint">
        {TAG_HINT}
      </p>
      <ErrorNote message={error} id="tags-error" />
      <button type="submit" disabled={busy}>
        Save tags
      </button>
    </form>
  );
}
