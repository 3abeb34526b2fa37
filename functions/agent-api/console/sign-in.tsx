import { useEffect, useRef, useState } from 'preact/hooks';
import { placeKeptFor } from './place.js';
import { type ConsoleConfig, type Session, sessionFor } from './session.js';
import { ErrorNote, focusLost } from './ui.js';

/**
 * After a session that ended under the agent (the API answered 401, their place kept for them), the form
 * says so and the focus is in its first field (the console went from under it); the fields change once
 * the config says Cognito.
 */
function useEnded(kind: string | undefined) {
  const [ended] = useState(() => placeKeptFor() !== undefined);
  const form = useRef<HTMLFormElement>(null);
  useEffect(() => {
    if (ended) form.current?.querySelector('input')?.focus();
  }, [kind]);
  const note = ended ? (
    <p role="alert" id="sign-in-ended">
      Your session ended: sign in again to go on. Your drafts and the conversation you had open are kept for
      you.
    </p>
  ) : null;
  return { ended, form, note };
}

/** The sign-in form: the dev token locally; Cognito (password, then the TOTP code) on AWS. */
export function SignIn(props: { config: ConsoleConfig | undefined; onSignedIn(session: Session): void }) {
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const [step, setStep] = useState<'password' | 'totp'>('password');
  const [challenge, setChallenge] = useState<unknown>();
  const auth = props.config?.auth;
  const { ended, form, note } = useEnded(auth?.kind);

  // The form goes with the focus in it (its button, disabled while it asked): the console's heading
  // takes it, so a screen reader hears the sign-in worked (it fell to the page's start).
  const signedIn = (session: Session) => {
    props.onSignedIn(session);
    requestAnimationFrame(() => {
      if (focusLost()) document.getElementById('console-title')?.focus();
    });
  };
  const submit = async (event: Event) => {
    event.preventDefault();
    const element = event.currentTarget as HTMLFormElement;
    const form = new FormData(element);
    setBusy(true);
    setError('');
    try {
      if (!auth || auth.kind === 'token') {
        signedIn(await sessionFor(String(form.get('token') ?? '').trim()));
        return;
      }
      const cognito = await import('./cognito.js');
      if (step === 'password') {
        const next = await cognito.startSignIn(
          auth,
          String(form.get('username')),
          String(form.get('password')),
        );
        if ('token' in next) signedIn(await sessionFor(next.token));
        else {
          setChallenge(next.challenge);
          setStep('totp');
        }
      } else {
        const token = await cognito.answerTotp(auth, challenge, String(form.get('code')));
        signedIn(await sessionFor(token));
      }
    } catch (e) {
      setError(e instanceof Error ? e.message : 'Sign-in failed.');
      // The button, disabled while it asked, dropped the focus: back to the field to correct.
      element.querySelector('input')?.focus();
    } finally {
      setBusy(false);
    }
  };

  return (
    <main class="sign-in">
      <form onSubmit={submit} aria-labelledby="sign-in-title" ref={form}>
        <h1 id="sign-in-title">Threadline console</h1>
        {note}
        <Fields token={!auth || auth.kind === 'token'} step={step} invalid={Boolean(error)} ended={ended} />
        <ErrorNote message={error} id="sign-in-error" />
        <button type="submit" disabled={busy}>
          {step === 'totp' ? 'Verify' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}

/**
 * The sign-in fields of the way in use; marked invalid, and described by the error, after a refusal;
 * described by the line saying so after a session that ended.
 */
function Fields(props: { token: boolean; step: 'password' | 'totp'; invalid: boolean; ended: boolean }) {
  const described = [props.ended ? 'sign-in-ended' : '', props.invalid ? 'sign-in-error' : '']
    .filter(Boolean)
    .join(' ');
  const invalid = {
    ...(props.invalid ? { 'aria-invalid': true } : {}),
    ...(described ? { 'aria-describedby': described } : {}),
  };
  return props.token ? (
    <label>
      Agent token
      <input name="token" type="password" autoComplete="current-password" required {...invalid} />
    </label>
  ) : props.step === 'password' ? (
    <>
      <label>
        User name or email
        <input name="username" autoComplete="username" required {...invalid} />
      </label>
      <label>
        Password
        <input name="password" type="password" autoComplete="current-password" required {...invalid} />
      </label>
    </>
  ) : (
    <label>
      Code from your authenticator app
      <input
        name="code"
        inputMode="numeric"
        pattern="[0-9]{6}"
        autoComplete="one-time-code"
        required
        {...invalid}
      />
    </label>
  );
}
