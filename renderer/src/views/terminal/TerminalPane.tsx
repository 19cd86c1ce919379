import { FitAddon } from '@xterm/addon-fit';
import { Terminal } from '@xterm/xterm';
import '@xterm/xterm/css/xterm.css';
import { useEffect, useRef } from 'react';
import { api } from '../../api';

/** One xterm.js instance attached to one server-side pseudo-terminal. */
export function TerminalPane({
  id,
  active,
  onExit,
}: {
  id: string;
  active: boolean;
  onExit: (exitCode: number, signal: number | null) => void;
}) {
  const host = useRef<HTMLDivElement>(null);
  const term = useRef<Terminal | null>(null);
  const fit = useRef<FitAddon | null>(null);
  const onExitRef = useRef(onExit);
  onExitRef.current = onExit;

  useEffect(() => {
    const t = new Terminal({
      fontFamily: 'DejaVu Sans Mono, Liberation Mono, monospace',
      fontSize: 13,
      cursorBlink: true,
      scrollback: 5000,
      theme: { background: '#0b0e11', foreground: '#d8dee6', cursor: '#4fa3ff', selectionBackground: '#23364a' },
    });
    const f = new FitAddon();
    t.loadAddon(f);
    t.open(host.current!);
    term.current = t;
    fit.current = f;
    const stop = api.terminal.output({ id }, (e) => {
      if (e.type === 'data') t.write(e.data);
      else {
        t.write(`\r\n\x1b[2m[process exited with ${e.signal ? `signal ${e.signal}` : `status ${e.exitCode}`}]\x1b[0m\r\n`);
        onExitRef.current(e.exitCode, e.signal);
      }
    });
    const input = t.onData((data) => {
      api.terminal.write({ id, data }).catch(() => {});
    });
    const resize = t.onResize(({ cols, rows }) => {
      api.terminal.resize({ id, cols, rows }).catch(() => {});
    });
    const observer = new ResizeObserver(() => {
      if (host.current?.offsetParent) f.fit();
    });
    observer.observe(host.current!);
    return () => {
      observer.disconnect();
      input.dispose();
      resize.dispose();
      stop();
      t.dispose();
    };
  }, [id]);

  useEffect(() => {
    if (active) {
      fit.current?.fit();
      term.current?.focus();
    }
  }, [active]);

  return <div ref={host} className="terminal-pane" data-terminal-id={id} style={{ display: active ? 'block' : 'none' }} />;
}
