import type { FileCategory, TypeReport } from '@contract/disk';
import { useEffect, useState } from 'react';
import { api } from '../../api';
import { ErrorBanner } from '../../components/ErrorBanner';
import { formatBytes } from '../../components/format';
import { categoryColor } from './colors';

/** Totals by category and the top extensions under the folder shown in Usage. */
export function TypesPanel({ scanId, nodeId, version, onShow }: { scanId: string | null; nodeId: number | undefined; version: number; onShow: (c: FileCategory) => void }) {
  const [report, setReport] = useState<TypeReport | null>(null);
  const [path, setPath] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    if (!scanId) return;
    let live = true;
    Promise.all([api.disk.types({ scanId, nodeId }), api.disk.tree({ scanId, nodeId, depth: 1, limit: 1 })]).then(
      ([r, t]) => {
        if (!live) return;
        setReport(r);
        setPath(t.path);
        setError(null);
      },
      (e) => live && setError(e),
    );
    return () => {
      live = false;
    };
  }, [scanId, nodeId, version]);

  if (!scanId) return <p className="dim">Scan a folder in Usage first; Types shows what kinds of files fill it.</p>;
  const cats = [...(report?.categories ?? [])].sort((a, b) => b.allocatedBytes - a.allocatedBytes);
  const max = Math.max(1, ...cats.map((c) => c.allocatedBytes));
  const total = cats.reduce((a, c) => a + c.allocatedBytes, 0);
  return (
    <div className="cards disk-types">
      <ErrorBanner error={error} onDismiss={() => setError(null)} />
      {path && (
        <p className="disk-types-for">
          Files under <span className="mono">{path}</span> <span className="dim">(the folder shown in Usage)</span>
        </p>
      )}
      <section className="card" aria-label="By category" data-testid="disk-categories">
        <h2>
          By category
          {report && (
            <span className="dim" data-testid="disk-classified">
              classified by content {report.classifiedBy.content.toLocaleString()} / by extension {report.classifiedBy.extension.toLocaleString()}
            </span>
          )}
        </h2>
        <table className="plain">
          <thead>
            <tr>
              <th>Category</th>
              <th className="disk-barcol" />
              <th className="num">Files</th>
              <th className="num">Allocated</th>
              <th className="num">Apparent</th>
              <th className="num">Share</th>
            </tr>
          </thead>
          <tbody>
            {cats.map((c) => (
              <tr key={c.category} data-category={c.category}>
                <td>
                  <button className="disk-linkish" title={`Show where ${c.category} lies in the treemap`} onClick={() => onShow(c.category)}>
                    <span className="disk-swatch" style={{ background: categoryColor(c.category) }} /> {c.category}
                  </button>
                </td>
                <td>
                  <div className="bar">
                    <div style={{ width: `${(c.allocatedBytes / max) * 100}%`, background: categoryColor(c.category) }} />
                  </div>
                </td>
                <td className="num">{c.files.toLocaleString()}</td>
                <td className="num">{formatBytes(c.allocatedBytes)}</td>
                <td className="num">{formatBytes(c.apparentBytes)}</td>
                <td className="num">{total ? `${((c.allocatedBytes / total) * 100).toFixed(1)}%` : ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
      <section className="card" aria-label="Top extensions" data-testid="disk-extensions">
        <h2>Top extensions</h2>
        <table className="plain">
          <thead>
            <tr>
              <th>Extension</th>
              <th>Category</th>
              <th className="num">Files</th>
              <th className="num">Allocated</th>
              <th className="num">Apparent</th>
            </tr>
          </thead>
          <tbody>
            {(report?.extensions ?? []).map((x) => (
              <tr key={`${x.extension}:${x.category}`}>
                <td className="mono">{x.extension ? `.${x.extension}` : '(none)'}</td>
                <td>
                  <span className="disk-swatch" style={{ background: categoryColor(x.category) }} /> {x.category}
                </td>
                <td className="num">{x.files.toLocaleString()}</td>
                <td className="num">{formatBytes(x.allocatedBytes)}</td>
                <td className="num">{formatBytes(x.apparentBytes)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
    </div>
  );
}
