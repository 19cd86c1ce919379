import { defaultKeymap, history, historyKeymap, indentWithTab } from '@codemirror/commands';
import { useEffect, useRef } from 'react';
import { EditorView, keymap, Decoration, drawSelection, highlightActiveLine, lineNumbers, type DecorationSet } from '@codemirror/view';
import { EditorState, StateEffect, StateField } from '@codemirror/state';
import { bracketMatching, HighlightStyle, syntaxHighlighting } from '@codemirror/language';
import { tags } from '@lezer/highlight';
import { autocompletion, closeBrackets, closeCompletion, completionKeymap } from '@codemirror/autocomplete';
import { sql, SQLite } from '@codemirror/lang-sql';
import type { SqlSchemaObject } from '@contract/sql';

const oneDarkish = HighlightStyle.define([
  { tag: tags.keyword, color: 'var(--c4)' },
  { tag: [tags.string, tags.special(tags.string)], color: 'var(--c2)' },
  { tag: [tags.number, tags.bool, tags.null], color: 'var(--c3)' },
  { tag: tags.comment, color: 'var(--text-faint)', fontStyle: 'italic' },
  { tag: [tags.operator, tags.punctuation], color: 'var(--text-dim)' },
  { tag: tags.typeName, color: 'var(--c5)' },
]);

// The `codemirror` meta package installed here is CodeMirror 5, so the setup is assembled from the v6 parts.
const darkTheme = EditorView.theme(
  {
    '&': { color: 'var(--text)', backgroundColor: 'var(--bg-sunken)' },
    '.cm-content': { caretColor: 'var(--text)' },
    '.cm-gutters': { backgroundColor: 'var(--bg-raised)', color: 'var(--text-faint)', border: 'none' },
    '.cm-activeLine': { backgroundColor: 'var(--bg-hover)' },
    '.cm-cursor': { borderLeftColor: 'var(--text)' },
    '&.cm-focused .cm-selectionBackground, .cm-selectionBackground': { backgroundColor: 'var(--bg-selected)' },
    '.cm-tooltip': { backgroundColor: 'var(--bg-raised)', color: 'var(--text)', border: '1px solid var(--border)' },
  },
  { dark: true },
);
const basicSetup = [
  darkTheme,
  lineNumbers(),
  highlightActiveLine(),
  drawSelection(),
  bracketMatching(),
  closeBrackets(),
  autocompletion(),
  syntaxHighlighting(oneDarkish),
  history(),
  keymap.of([...completionKeymap, ...defaultKeymap, ...historyKeymap, indentWithTab]),
];

export interface EditorHandle {
  text(): string;
  /** The selected range, or null when nothing is selected. */
  selection(): { from: number; to: number } | null;
  setText(text: string): void;
  focus(): void;
}

const setErrorMark = StateEffect.define<{ from: number; to: number } | null>();
const errorField = StateField.define<DecorationSet>({
  create: () => Decoration.none,
  update(marks, tr) {
    marks = marks.map(tr.changes);
    for (const e of tr.effects) {
      if (e.is(setErrorMark)) {
        marks = e.value ? Decoration.set([Decoration.mark({ class: 'sql-error-mark' }).range(e.value.from, e.value.to)]) : Decoration.none;
      }
    }
    if (tr.docChanged) marks = Decoration.none;
    return marks;
  },
  provide: (f) => EditorView.decorations.from(f),
});

/**
 * The editor's extensions. Ctrl/Cmd+Enter runs; an open completion list is closed first, so it does
 * not linger over the results. With the schema's tables, names complete and keywords are upper case.
 */
function extensions(run: { current: () => void }, tables?: Record<string, string[]>) {
  return [
    keymap.of([{ key: 'Mod-Enter', run: (view) => (closeCompletion(view), run.current(), true) }]),
    basicSetup,
    sql(tables ? { dialect: SQLite, schema: tables, upperCaseKeywords: true } : { dialect: SQLite }),
    errorField,
    EditorView.lineWrapping,
  ];
}

/** The token starting at an offset: where the error underline ends. */
function tokenEnd(text: string, from: number): number {
  const m = /^(\w+|'[^']*'?|"[^"]*"?|\S)/.exec(text.slice(from));
  return from + (m ? m[0].length : 1);
}

export function SqlEditor({
  initial,
  schema,
  onRun,
  onReady,
  error,
}: {
  initial: string;
  schema: SqlSchemaObject[];
  onRun: () => void;
  onReady: (h: EditorHandle) => void;
  error: { position: number } | null;
}) {
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | null>(null);
  const runRef = useRef(onRun);
  runRef.current = onRun;

  useEffect(() => {
    const v = new EditorView({
      parent: host.current!,
      state: EditorState.create({
        doc: initial,
        extensions: extensions(runRef),
      }),
    });
    view.current = v;
    onReady({
      text: () => v.state.doc.toString(),
      selection: () => {
        const r = v.state.selection.main;
        return r.empty ? null : { from: r.from, to: r.to };
      },
      setText: (text) => v.dispatch({ changes: { from: 0, to: v.state.doc.length, insert: text } }),
      focus: () => v.focus(),
    });
    return () => v.destroy();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  // Completion of table and column names from the schema call, live tables included.
  useEffect(() => {
    const v = view.current;
    if (!v) return;
    const tables: Record<string, string[]> = {};
    for (const o of schema) if (o.type !== 'index') tables[o.name] = o.columns.map((c) => c.name);
    v.dispatch({
      effects: StateEffect.reconfigure.of(extensions(runRef, tables)),
    });
  }, [schema]);

  useEffect(() => {
    const v = view.current;
    if (!v) return;
    const len = v.state.doc.length;
    if (error && error.position <= len) {
      const from = Math.min(error.position, Math.max(0, len - 1));
      const to = Math.min(len, Math.max(from + 1, tokenEnd(v.state.doc.toString(), from)));
      v.dispatch({ effects: setErrorMark.of({ from, to }), selection: { anchor: from } });
    } else v.dispatch({ effects: setErrorMark.of(null) });
  }, [error]);

  return <div className="sql-editor" ref={host} data-testid="sql-editor" />;
}
