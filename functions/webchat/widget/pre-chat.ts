// The pre-chat form of an anonymous visitor.
import { type ComponentChild, h } from 'preact';
import { useEffect, useLayoutEffect, useRef } from 'preact/hooks';
import { pageLang } from './panel-view.js';

/** The pre-chat form of an anonymous visitor: a name and an email; after hours the email comes first. */
export function PreChat(props: {
  onStart(name: string, email: string): void;
  closed: boolean;
  starting: boolean;
  fieldError?: { field: string; message: string } | undefined;
}): ComponentChild {
  const submit = (event: Event) => {
    event.preventDefault();
    const data = new FormData(event.currentTarget as HTMLFormElement);
    props.onStart(String(data.get('name') ?? '').trim(), String(data.get('email') ?? '').trim());
  };
  const form = useRef<HTMLFormElement>(null);
  // After hours the email moves first; Chromium blurs an input the move takes out and back in, which
  // would leave a keyboard visitor on the page's body: the focus comes back. On a field still empty (the
  // panel put it on the first field as it opened, before the answer came) it goes to the new first field,
  // the email the after-hours note asks for; on one the visitor wrote in, or a button, it stays.
  const had = (form.current?.getRootNode() as ShadowRoot | undefined)?.activeElement;
  // Shown once the hours are known: the dialog held the focus while it waited, the first field takes it.
  useEffect(() => {
    const root = form.current?.getRootNode() as ShadowRoot | undefined;
    if (root?.activeElement?.classList.contains('panel')) form.current?.querySelector('input')?.focus();
  }, []);
  useLayoutEffect(() => {
    if (!(had instanceof HTMLElement) || !form.current?.contains(had)) return;
    const first = form.current.querySelector('input');
    (had instanceof HTMLInputElement && !had.value && first ? first : had).focus();
  }, [props.closed]);
  // A field refused (the email's pattern, or the server's 400) takes the focus, so the keyboard is where
  // the correction goes and a screen reader reads the field, invalid, with why (it stayed on Start chat).
  useEffect(() => {
    const field = props.fieldError?.field;
    if (field === 'name' || field === 'email')
      form.current?.querySelector<HTMLInputElement>(`input[name="${field}"]`)?.focus();
  }, [props.fieldError]);
  const error = (field: string) => (props.fieldError?.field === field ? props.fieldError.message : undefined);
  const field = (name: 'name' | 'email', label: string, attrs: Record<string, unknown>) => {
    const message = error(name);
    const described = [message ? `tl-${name}-error` : '', name === 'email' && props.closed ? 'tl-hours' : ''];
    return h('label', { key: name, class: name === 'email' && props.closed ? 'strong' : '' }, [
      label,
      h('input', {
        name,
        dir: 'auto',
        lang: pageLang(),
        ...attrs,
        'aria-invalid': message ? 'true' : undefined,
        'aria-describedby': described.filter(Boolean).join(' ') || undefined,
      }),
      message ? h('p', { class: 'error', id: `tl-${name}-error` }, message) : null,
    ]);
  };
  const email = field(
    'email',
    // Never a promise of a reply by email: Threadline emails only a verified visitor's replies.
    props.closed ? 'Your email (optional), so our team can reach you' : 'Your email (optional)',
    {
      type: 'email',
      autocomplete: 'email',
      maxLength: 320,
    },
  );
  const name = field('name', 'Your name (optional)', { autocomplete: 'name', maxLength: 256 });
  const attrs = { class: 'pre', onSubmit: submit, 'aria-label': 'Start a chat', noValidate: true, ref: form };
  return h('form', attrs, [
    ...(props.closed ? [email, name] : [name, email]),
    h(
      'button',
      { class: 'send', type: 'submit', disabled: props.starting },
      props.starting ? 'Starting…' : 'Start chat',
    ),
  ]);
}
