import { useState } from 'preact/hooks';
import { type ConsoleConfig, type Session, sessionFor } from './session.js';
import { ErrorNote } from './ui.js';

/** The sign-in form: the dev token locally; Cognito (password, then the TOTP code) on AWS. */
export function SignIn(props: { config: ConsoleConfig | undefined; onSignedIn(session: Session): void }) {
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const [step, setStep] = useState<'password' | 'totp'>('password');
  const [challenge, setChallenge] = useState<unknown>();
  const auth = props.config?.auth;

  const submit = async (event: Event) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget as HTMLFormElement);
    setBusy(true);
    setError('');
    try {
      if (!auth || auth.kind === 'token') {
        props.onSignedIn(await sessionFor(String(form.get('token') ?? '').trim()));
        return;
      }
      const cognito = await import('./cognito.js');
      if (step === 'password') {
        const next = await cognito.startSignIn(
          auth,
          String(form.get('username')),
          String(form.get('password')),
        );
        if ('token' in next) props.onSignedIn(await sessionFor(next.token));
        else {
          setChallenge(next.challenge);
          setStep('totp');
        }
      } else {
        const token = await cognito.answerTotp(auth, challenge, String(form.get('code')));
        props.onSignedIn(await sessionFor(token));
      }
    } catch (e) {
      setError(e instanceof Error ? e.message : 'Sign-in failed.');
    } finally {
      setBusy(false);
    }
  };

  return (
    <main class="sign-in">
      <form onSubmit={submit} aria-labelledby="sign-in-title">
        <h1 id="sign-in-title">Threadline console</h1>
        {!auth || auth.kind === 'token' ? (
          <label>
            Agent token
            <input name="token" type="password" autoComplete="current-password" required />
          </label>
        ) : step === 'password' ? (
          <>
            <label>
              User name or email
              <input name="username" autoComplete="username" required />
            </label>
            <label>
              Password
              <input name="password" type="password" autoComplete="current-password" required />
            </label>
          </>
        ) : (
          <label>
            Code from your authenticator app
            <input name="code" inputMode="numeric" pattern="[0-9]{6}" autoComplete="one-time-code" required />
          </label>
        )}
        <ErrorNote message={error} />
        <button type="submit" disabled={busy}>
          {step === 'totp' ? 'Verify' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
