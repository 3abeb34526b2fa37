import { useLayoutEffect, useRef, useState } from 'preact/hooks';

/**
 * A WhatsApp template as the agent fills it in: name, language and the body's positional parameters.
 * `language` undefined: none chosen yet, the form shows the one suggested (see shownTemplate).
 */
export interface TemplateDraft {
  name: string;
  language: string | undefined;
  parameters: string[];
}

/** The most body parameters a reply may carry (the API's limit). */
const MOST_PARAMETERS = 20;

export const EMPTY_TEMPLATE: TemplateDraft = { name: '', language: undefined, parameters: [] };

/**
 * The template as the form shows and sends it: the language the agent chose, else the Meta code the
 * channels suggest for the conversation (`templateLanguage`: `pt_BR` for Portuguese from a Brazilian
 * number, `es`), else `en`.
 */
export function shownTemplate(template: TemplateDraft, suggested: string | undefined): TemplateDraft {
  return template.language === undefined ? { ...template, language: suggested ?? 'en' } : template;
}

/** The draft after the form's change: the language stays unchosen until the agent changes it. */
function changedTemplate(draft: TemplateDraft, shown: TemplateDraft, next: TemplateDraft): TemplateDraft {
  return draft.language === undefined && next.language === shown.language
    ? { ...next, language: undefined }
    : next;
}

/**
 * The reply box's template: the draft (`set`, as a send clears it), what the form shows and sends
 * (`shown`, see shownTemplate) and the form's change.
 */
export function useTemplateDraft(suggested: string | undefined) {
  const [draft, set] = useState<TemplateDraft>(EMPTY_TEMPLATE);
  const shown = shownTemplate(draft, suggested);
  return { shown, set, change: (next: TemplateDraft) => set(changedTemplate(draft, shown, next)) };
}

/** What the API is sent of the template: trimmed, its parameters only when there are any. */
export function templateRequest(template: TemplateDraft): Record<string, unknown> {
  const parameters = template.parameters.map((p) => p.trim());
  return {
    name: template.name.trim(),
    language: (template.language ?? 'en').trim(),
    ...(parameters.length ? { parameters } : {}),
  };
}

/** `{{n}}`: how WhatsApp's template body names its n-th parameter. */
const placeholder = (n: number): string => `{{${n}}}`;

/**
 * The body parameters, in order ({{1}}, {{2}}…): one labelled field each, added by a button that puts
 * the focus in the new field, each with a button to remove it (the focus then goes to the field that
 * takes its place, else to the add button, never to the page).
 */
function ParameterFields(props: { value: string[]; onChange(parameters: string[]): void }) {
  const { value } = props;
  const list = useRef<HTMLOListElement>(null);
  const add = useRef<HTMLButtonElement>(null);
  const focusAt = useRef<number | undefined>(undefined);
  useLayoutEffect(() => {
    const at = focusAt.current;
    if (at === undefined) return;
    focusAt.current = undefined;
    const fields = list.current?.querySelectorAll('input') ?? [];
    (fields[Math.min(at, fields.length - 1)] ?? add.current)?.focus();
  }, [value.length]);
  const set = (i: number, text: string) => props.onChange(value.map((p, j) => (j === i ? text : p)));
  return (
    <fieldset class="template-parameters">
      <legend>Body parameters, in order</legend>
      {value.length ? (
        <ol ref={list}>
          {value.map((parameter, i) => (
            // Keyed by place: a parameter is its place ({{n}}), not its text.
            <li key={i}>
              <label>
                Parameter {placeholder(i + 1)}
                <input required value={parameter} onInput={(e) => set(i, e.currentTarget.value)} />
              </label>
              <button
                type="button"
                aria-label={`Remove parameter ${placeholder(i + 1)}`}
                onClick={() => {
                  focusAt.current = i;
                  props.onChange(value.filter((_, j) => j !== i));
                }}
              >
                Remove
              </button>
            </li>
          ))}
        </ol>
      ) : (
        <p class="muted">
          None: add one for each {placeholder(1)}, {placeholder(2)}… in the template's body.
        </p>
      )}
      <button
        type="button"
        ref={add}
        disabled={value.length >= MOST_PARAMETERS}
        onClick={() => {
          focusAt.current = value.length;
          props.onChange([...value, '']);
        }}
      >
        Add a parameter
      </button>
    </fieldset>
  );
}

/**
 * The template a reply must be where WhatsApp allows only one: its name, language and body parameters
 * (positional text only: header and button parameters are not sent).
 */
export function TemplateFields(props: { value: TemplateDraft; onChange(v: TemplateDraft): void }) {
  const { value } = props;
  return (
    <fieldset class="template">
      <legend>Template (WhatsApp allows only an approved template now)</legend>
      <label>
        Template name
        <input
          required
          value={value.name}
          onInput={(e) => props.onChange({ ...value, name: e.currentTarget.value })}
        />
      </label>
      <label>
        Language
        <input
          required
          value={value.language ?? ''}
          onInput={(e) => props.onChange({ ...value, language: e.currentTarget.value })}
        />
      </label>
      <ParameterFields
        value={value.parameters}
        onChange={(parameters) => props.onChange({ ...value, parameters })}
      />
    </fieldset>
  );
}
