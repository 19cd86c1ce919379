import type { ControlResult, LimitRow, ProcessDetails, SignalInfo } from '@contract/processes';
import { api } from '../../api';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { AffinityDialog, IoprioDialog, OomDialog, ReniceDialog, RlimitDialog } from './EditDialogs';
import { RunDialog, type RunRequest } from './RunDialog';
import { SignalMenu, type Target } from './SignalMenu';

/** The one dialog the view may show at a time. */
export type Dialog =
  | { kind: 'signal'; target: Target }
  | { kind: 'renice'; target: Target }
  | { kind: 'ioprio'; target: Target; details: ProcessDetails }
  | { kind: 'affinity'; target: Target; details: ProcessDetails }
  | { kind: 'oom'; target: Target; details: ProcessDetails }
  | { kind: 'rlimit'; target: Target; row: LimitRow }
  | { kind: 'rlimit-confirm'; target: Target; row: LimitRow; soft: number | 'unlimited'; hard: number | 'unlimited' }
  | { kind: 'run' };

interface Props {
  dialog: Dialog;
  cpuCount: number;
  onChange(next: Dialog): void;
  /** Runs a control call and reports its outcome (the view closes the dialog first). */
  onControl(action: () => Promise<ControlResult>): void;
  onRenice(target: Target, nice: number): void;
  onSignal(target: Target, signal: SignalInfo): void;
  onRun(req: RunRequest, where: 'detached' | 'terminal'): Promise<void>;
  onClose(): void;
}

/** Signal menu, the priority / affinity / OOM / limit editors, and the run dialog. */
export function ActiveDialog({ dialog, cpuCount, onChange, onControl, onRenice, onSignal, onRun, onClose }: Props) {
  return (
    <>
      {dialog.kind === 'signal' && <SignalMenu target={dialog.target} onSend={(s) => onSignal(dialog.target, s)} onClose={onClose} />}
      {dialog.kind === 'renice' && <ReniceDialog target={dialog.target} onApply={(n) => onRenice(dialog.target, n)} onClose={onClose} />}
      {dialog.kind === 'ioprio' && (
        <IoprioDialog
          target={dialog.target}
          current={dialog.details.ioPriority}
          onApply={(cls, level) => onControl(() => api.processes.ioprio({ pid: dialog.target.pid, class: cls, level }))}
          onClose={onClose}
        />
      )}
      {dialog.kind === 'affinity' && (
        <AffinityDialog
          target={dialog.target}
          current={dialog.details.affinity}
          cpuCount={cpuCount}
          onApply={(cpus) => onControl(() => api.processes.affinity({ pid: dialog.target.pid, cpus }))}
          onClose={onClose}
        />
      )}
      {dialog.kind === 'oom' && (
        <OomDialog
          target={dialog.target}
          current={dialog.details.oomScoreAdj}
          score={dialog.details.oomScore}
          onApply={(value) => onControl(() => api.processes.oomScoreAdj({ pid: dialog.target.pid, value }))}
          onClose={onClose}
        />
      )}
      {dialog.kind === 'rlimit' && (
        <RlimitDialog target={dialog.target} row={dialog.row} onApply={(soft, hard) => onChange({ ...dialog, kind: 'rlimit-confirm', soft, hard })} onClose={onClose} />
      )}
      {dialog.kind === 'rlimit-confirm' && (
        <ConfirmDialog
          title="Change a resource limit"
          confirmLabel="Set limit"
          onCancel={onClose}
          onConfirm={() =>
            onControl(() => api.processes.rlimit({ pid: dialog.target.pid, resource: dialog.row.resource!, soft: dialog.soft, hard: dialog.hard }))
          }
        >
          <p>
            Set “{dialog.row.name}” of {dialog.target.pid} <span className="mono">{dialog.target.command}</span> to soft {String(dialog.soft)} (now {String(dialog.row.soft)}), hard{' '}
            {String(dialog.hard)} (now {String(dialog.row.hard)}).
          </p>
          <p className="dim">A lower limit may make the program fail when it next needs more; a lowered hard limit cannot be raised again without privilege.</p>
        </ConfirmDialog>
      )}
      {dialog.kind === 'run' && <RunDialog onRun={onRun} onClose={onClose} />}
    </>
  );
}
