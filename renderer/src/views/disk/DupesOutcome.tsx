import type { DupesActionReport, DupFolderPair } from '@contract/disk';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { formatBytes } from '../../components/format';
import { outcomeText, plural } from './model';

export type DupesAction = 'trash' | 'hardlink' | 'reflink';
export const ACTION_LABEL: Record<DupesAction, string> = { trash: 'Move to trash', hardlink: 'Replace with hard links', reflink: 'Replace with reflinks (copy-on-write)' };

/** The dry run of a duplicates action: per group, the copy kept and the copies acted on. */
export function DupesPreview({ report, keepText, onConfirm, onCancel }: { report: DupesActionReport; keepText: string; onConfirm: () => void; onCancel: () => void }) {
  const files = report.items.reduce((a, i) => a + i.act.length, 0);
  return (
    <ConfirmDialog title={`Preview: ${ACTION_LABEL[report.action].toLowerCase()}`} confirmLabel={`${ACTION_LABEL[report.action]}: ${plural(files, 'file')}`} danger onConfirm={onConfirm} onCancel={onCancel}>
      <p>
        Keeping one copy of each of {plural(report.items.length, 'group')} ({keepText});{' '}
        {report.action === 'trash' ? 'the others go to the trash' : `the others become ${report.action === 'hardlink' ? 'hard links' : 'reflinks'} to it`}. Frees {formatBytes(report.bytesFreed)}. Content is
        checked again right before acting; files changed since the search are skipped.
      </p>
      <ul className="disk-preview" data-testid="dupes-preview">
        {report.items.map((it) => (
          <li key={it.groupId}>
            <div>
              <span className="disk-keep">keep</span> <span className="mono">{it.keep}</span>
            </div>
            {it.act.map((a) => (
              <div key={a.path}>
                <span className="disk-victim">{report.action}</span> <span className="mono">{a.path}</span> <span className="dim">{formatBytes(a.bytes)}</span>
              </div>
            ))}
          </li>
        ))}
      </ul>
    </ConfirmDialog>
  );
}

/** What a duplicates action did, file by file (a conflict says the file changed since the search). */
export function DupesDone({ report, onDismiss }: { report: DupesActionReport; onDismiss: () => void }) {
  return (
    <div className="disk-result" role="status" data-testid="dupes-result">
      <strong>
        {ACTION_LABEL[report.action]}: {formatBytes(report.bytesFreed)} freed
      </strong>
      <ul className="disk-outcomes">
        {report.items.flatMap((it) =>
          it.act.map((a) => (
            <li key={a.path} className={`outcome-${a.outcome ?? 'none'}`}>
              <span className="mono">{a.path}</span> — {outcomeText(a)} <span className="dim">(kept {it.keep})</span>
            </li>
          )),
        )}
      </ul>
      <button onClick={onDismiss}>Dismiss</button>
    </div>
  );
}

/** Folder pairs sharing duplicates, most wasted first; picking one narrows the groups to it. */
export function DupesFolders({ pairs, onPick }: { pairs: DupFolderPair[]; onPick: (folders: string[]) => void }) {
  return (
    <table className="plain" data-testid="dupes-folders">
      <thead>
        <tr>
          <th>Folders sharing duplicates</th>
          <th className="num">Groups</th>
          <th className="num">Wasted</th>
        </tr>
      </thead>
      <tbody>
        {[...pairs]
          .sort((a, b) => b.wastedBytes - a.wastedBytes)
          .slice(0, 500)
          .map((p) => (
            <tr key={p.folders.join('\0')}>
              <td className="mono">
                <button className="disk-linkish" title="Show and select only the groups shared by these folders" onClick={() => onPick(p.folders)}>
                  {p.folders[0] === p.folders[1] || p.folders.length === 1 ? `${p.folders[0]} (within)` : p.folders.join('  ↔  ')}
                </button>
              </td>
              <td className="num">{p.groups.toLocaleString()}</td>
              <td className="num">{formatBytes(p.wastedBytes)}</td>
            </tr>
          ))}
      </tbody>
    </table>
  );
}
