import type { ActionReport, DiskNode } from '@contract/disk';
import { useImperativeHandle, useState, type Ref } from 'react';
import { api } from '../../api';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { ErrorBanner } from '../../components/ErrorBanner';
import { formatBytes } from '../../components/format';
import { outcomeText } from './model';

interface Props {
  scanId: string;
  /** The selection, or the cursor's item when nothing is selected. */
  items: DiskNode[];
  /** Whether items is an explicit selection (else the item under the cursor). */
  explicit: boolean;
  busy: boolean;
  onRefresh: (nodeId: number) => void;
  /** Called after items were removed, so the tree is fetched again. */
  onChanged: () => void;
  /** Lets the panel's Delete / Shift+Delete keys start the same confirmed flow. */
  handle?: Ref<NodeActionsHandle>;
}

export interface NodeActionsHandle {
  prepare(action: 'trash' | 'delete'): void;
}

type Destructive = 'trash' | 'delete';

/**
 * Actions on the selected items. Trash and delete first ask the service for a dry run, show
 * exactly which paths and how many bytes, and act only after the confirmation.
 */
export function NodeActions({ scanId, items, explicit, busy, onRefresh, onChanged, handle }: Props) {
  const [plan, setPlan] = useState<ActionReport | null>(null);
  const [result, setResult] = useState<ActionReport | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [note, setNote] = useState<string | null>(null);
  const one = items.length === 1 ? items[0] : null;

  const prepare = async (action: Destructive) => {
    setError(null);
    setResult(null);
    try {
      const input = { scanId, nodeIds: items.map((i) => i.id), dryRun: true };
      setPlan(action === 'trash' ? await api.disk.trash(input) : await api.disk.delete(input));
    } catch (e) {
      setError(e);
    }
  };
  useImperativeHandle(handle, () => ({ prepare: (a) => items.length > 0 && !busy && void prepare(a) }));
  const act = async () => {
    if (!plan) return;
    const action = plan.action as Destructive;
    setPlan(null);
    try {
      const input = { scanId, nodeIds: items.map((i) => i.id), dryRun: false };
      setResult(action === 'trash' ? await api.disk.trash(input) : await api.disk.delete(input));
    } catch (e) {
      setError(e);
    }
    onChanged();
  };

  return (
    <div className="disk-actions" data-testid="disk-actions">
      <span className="dim" data-testid="disk-acting-on">
        {items.length === 0 ? 'Nothing selected' : `${explicit ? `${items.length} selected` : `${items[0].name}${items[0].kind === 'dir' ? '/' : ''}`} (${formatBytes(items.reduce((a, i) => a + i.allocatedBytes, 0))})`}
      </span>
      <button
        disabled={!one}
        title="Open the containing folder in the file manager"
        onClick={() => {
          if (!one) return;
          setError(null);
          api.disk.reveal({ scanId, nodeId: one.id }).then((r) => setNote(`Opened ${r.opened}`), setError);
        }}
      >
        Open folder
      </button>
      <button disabled={!one || one.kind !== 'dir' || busy} title="Scan this folder again and update the tree" onClick={() => one && onRefresh(one.id)}>
        Refresh
      </button>
      <button disabled={items.length === 0 || busy} title="Move to the trash (Delete key)" onClick={() => prepare('trash')}>
        Move to trash…
      </button>
      <button disabled={items.length === 0 || busy} className="disk-danger-outline" title="Delete for good (Shift+Delete)" onClick={() => prepare('delete')}>
        Delete…
      </button>
      {note && <span className="dim">{note}</span>}
      <ErrorBanner error={error} onDismiss={() => setError(null)} />
      {result && (
        <div className="disk-result" data-testid="disk-action-result" role="status">
          <strong>
            {result.action === 'trash' ? 'Moved to trash' : 'Deleted'}: {result.items.filter((i) => i.outcome === 'done').length} of {result.items.length} ({formatBytes(result.totalBytes)})
          </strong>
          {result.trashDir && <span className="dim"> into {result.trashDir}</span>}
          <ul className="disk-outcomes">
            {result.items.map((i) => (
              <li key={i.path} className={`outcome-${i.outcome ?? 'none'}`}>
                <span className="mono">{i.path}</span> {formatBytes(i.bytes)} — {outcomeText(i)}
              </li>
            ))}
          </ul>
          <button onClick={() => setResult(null)}>Dismiss</button>
        </div>
      )}
      {plan && (
        <ConfirmDialog
          title={plan.action === 'trash' ? 'Move to trash' : 'Delete for good'}
          confirmLabel={plan.action === 'trash' ? `Move ${plan.items.length} to trash` : `Delete ${plan.items.length} for good`}
          danger
          onConfirm={act}
          onCancel={() => setPlan(null)}
        >
          <p>
            {plan.action === 'trash'
              ? `These ${plan.items.length} items (${formatBytes(plan.totalBytes)}) will be moved to the trash${plan.trashDir ? ` (${plan.trashDir})` : ''}; they can be restored from there.`
              : `These ${plan.items.length} items (${formatBytes(plan.totalBytes)}) will be deleted for good. This cannot be undone.`}
          </p>
          <table className="plain disk-plan" data-testid="disk-plan">
            <tbody>
              {plan.items.map((i) => (
                <tr key={i.path}>
                  <td className="mono">{i.path}</td>
                  <td>{i.kind}</td>
                  <td className="num">{formatBytes(i.bytes)}</td>
                </tr>
              ))}
              <tr>
                <td>
                  <strong>Total</strong>
                </td>
                <td />
                <td className="num">
                  <strong>{formatBytes(plan.totalBytes)}</strong>
                </td>
              </tr>
            </tbody>
          </table>
        </ConfirmDialog>
      )}
    </div>
  );
}
