import { useState, type ReactNode } from 'react';
import { ErrorBox } from '../components/states.tsx';

/**
 * A button for a state change: asks first when `question` is given, shows the server's typed
 * error (`KOS_ERR_*`) when it refuses, and is disabled while the request runs.
 */
export function ConfirmAction(props: {
  label: string;
  run: () => Promise<unknown>;
  question?: ReactNode;
  confirmLabel?: string;
  danger?: boolean;
  onDone?: () => void;
}) {
  const [phase, setPhase] = useState<'idle' | 'asking' | 'running'>('idle');
  const [error, setError] = useState<unknown>(null);
  const go = () => {
    setPhase('running');
    setError(null);
    props.run().then(
      () => {
        setPhase('idle');
        props.onDone?.();
      },
      (e: unknown) => {
        setPhase('idle');
        setError(e);
      },
    );
  };
  const cls = props.danger === true ? 'danger' : 'primary';
  return (
    <div className="confirm-action">
      {phase === 'asking' ? (
        <div className="confirm" role="group" aria-label={`confirm ${props.label}`}>
          <span>{props.question}</span>
          <button type="button" className={cls} onClick={go}>
            {props.confirmLabel ?? props.label}
          </button>
          <button type="button" onClick={() => setPhase('idle')}>
            Keep
          </button>
        </div>
      ) : (
        <button
          type="button"
          className={cls}
          disabled={phase === 'running'}
          onClick={() => (props.question === undefined ? go() : setPhase('asking'))}
        >
          {phase === 'running' ? `${props.label}…` : props.label}
        </button>
      )}
      {error !== null ? <ErrorBox error={error} /> : null}
    </div>
  );
}
