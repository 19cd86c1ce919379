import { ApiError } from '@contract/client';

/** Shows a failed call with its stable code, so users can tell "no permission" from "gone". */
export function ErrorBanner({ error, onDismiss }: { error: unknown; onDismiss?: () => void }) {
  if (!error) return null;
  const code = error instanceof ApiError ? error.code : 'ERROR';
  const message = error instanceof Error ? error.message : String(error);
  return (
    <div className="banner error" role="alert" data-code={code}>
      <strong className="mono">{code}</strong> {message}
      {onDismiss && (
        <button style={{ float: 'right', padding: '0 6px' }} onClick={onDismiss} aria-label="Dismiss">
          ×
        </button>
      )}
    </div>
  );
}
