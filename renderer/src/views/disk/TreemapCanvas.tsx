import type { DiskNode, FileCategory } from '@contract/disk';
import { useEffect, useMemo, useRef, useState, type KeyboardEvent, type MouseEvent } from 'react';
import { formatBytes, formatDateTime } from '../../components/format';
import { categoryColor, shade } from './colors';
import { formatGrowth, isRemainder, type NodeNavigation } from './model';
import { folderAt, hitTest, layoutTree, neighbour, type Cell, type Direction, type Rect } from './treemap';

interface Props extends NodeNavigation {
  node: DiskNode;
  /** Cells of other categories are drawn faded. */
  highlight: FileCategory | null;
  /** Absolute path of `node`, for tooltips. */
  path: string;
}

const HEADER = 16;
const ARROWS: Record<string, Direction> = { ArrowLeft: 'left', ArrowRight: 'right', ArrowUp: 'up', ArrowDown: 'down' };

function useSize(ref: React.RefObject<HTMLDivElement | null>) {
  const [size, setSize] = useState({ w: 0, h: 0 });
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const ro = new ResizeObserver(() => setSize({ w: el.clientWidth, h: el.clientHeight }));
    ro.observe(el);
    setSize({ w: el.clientWidth, h: el.clientHeight });
    return () => ro.disconnect();
  }, [ref]);
  return size;
}

/** Paths of every node in the shown tree, for tooltips (names are relative to the shown folder). */
function pathsOf(root: DiskNode, rootPath: string): Map<number, string> {
  const out = new Map<number, string>();
  const walk = (n: DiskNode, p: string) => {
    out.set(n.id, p);
    for (const c of n.children ?? []) walk(c, p === '/' ? `/${c.name}` : `${p}/${c.name}`);
  };
  walk(root, rootPath);
  return out;
}

/** `from`: the whole map is drawn shrunk into this rectangle (the start of a zoom). */
function draw(canvas: HTMLCanvasElement, cells: Cell<DiskNode>[], w: number, h: number, selected: Set<number>, cursor: number | null, highlight: FileCategory | null, from?: Rect) {
  const dpr = window.devicePixelRatio || 1;
  if (canvas.width !== Math.round(w * dpr) || canvas.height !== Math.round(h * dpr)) {
    canvas.width = Math.round(w * dpr);
    canvas.height = Math.round(h * dpr);
  }
  const ctx = canvas.getContext('2d');
  if (!ctx) return;
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.fillStyle = '#0b0e11';
  ctx.fillRect(0, 0, w, h);
  if (from) ctx.setTransform((dpr * from.w) / w, 0, 0, (dpr * from.h) / h, dpr * from.x, dpr * from.y);
  ctx.textBaseline = 'top';
  ctx.font = '11px system-ui, sans-serif';
  for (const c of cells) {
    if (c.w < 1 || c.h < 1) continue;
    const isDir = c.node.kind === 'dir';
    if (isRemainder(c.node)) {
      // The children the server summed up: a flat, quiet block with its count.
      ctx.fillStyle = '#1c2229';
      ctx.fillRect(c.x, c.y, c.w, c.h);
      ctx.strokeStyle = '#0b0e11';
      ctx.strokeRect(c.x + 0.5, c.y + 0.5, c.w - 1, c.h - 1);
      if (c.w > 60 && c.h >= 14) {
        ctx.fillStyle = '#8b96a3';
        ctx.fillText(c.node.name, c.x + 4, c.y + 2, c.w - 8);
      }
      continue;
    }
    const base = highlight && c.node.category !== highlight && !(isDir && c.header) ? '#2a3038' : categoryColor(c.node.category);
    // Cushion: light from the top-left, dark towards the bottom-right, so neighbours read apart.
    const g = ctx.createLinearGradient(c.x, c.y, c.x + c.w, c.y + c.h);
    const tone = isDir && c.header ? 0.42 : 0.78;
    g.addColorStop(0, shade(base, tone * 1.25));
    g.addColorStop(1, shade(base, tone * 0.6));
    ctx.fillStyle = g;
    ctx.fillRect(c.x, c.y, c.w, c.h);
    ctx.strokeStyle = '#0b0e11';
    ctx.lineWidth = 1;
    ctx.strokeRect(c.x + 0.5, c.y + 0.5, c.w - 1, c.h - 1);
    if (c.header) {
      ctx.fillStyle = shade(base, 0.3);
      ctx.fillRect(c.x + 1, c.y + 1, c.w - 2, HEADER - 1);
    }
    const labelH = c.header ? HEADER : c.h;
    if (c.w > 46 && labelH >= 14) {
      const label = `${c.node.name}${isDir ? '/' : ''}  ${formatBytes(c.node.allocatedBytes)}`;
      ctx.save();
      ctx.beginPath();
      ctx.rect(c.x + 2, c.y, c.w - 4, Math.min(c.h, labelH));
      ctx.clip();
      ctx.fillStyle = c.header ? '#e8edf2' : '#0b0e11';
      ctx.fillText(label, c.x + 4, c.y + 3);
      ctx.restore();
    }
  }
  for (const c of cells) {
    if (c.depth !== 0) continue;
    if (selected.has(c.node.id)) {
      ctx.fillStyle = 'rgba(79, 163, 255, 0.22)';
      ctx.fillRect(c.x, c.y, c.w, c.h);
      ctx.strokeStyle = '#4fa3ff';
      ctx.lineWidth = 2;
      ctx.strokeRect(c.x + 1, c.y + 1, c.w - 2, c.h - 2);
    }
    if (c.node.id === cursor) {
      ctx.strokeStyle = '#ffffff';
      ctx.lineWidth = 2;
      ctx.setLineDash([5, 3]);
      ctx.strokeRect(c.x + 1, c.y + 1, c.w - 2, c.h - 2);
      ctx.setLineDash([]);
    }
  }
}

/**
 * The treemap: squarified, nested up to three levels with folder headers, coloured by category.
 * Click selects, double click or Enter opens a folder, arrows move between neighbours,
 * Backspace or Alt+↑ goes up. A hidden list mirrors the top-level rectangles for assistive tech
 * and tests.
 */
export function TreemapCanvas({ node, highlight, path, size, selected, cursor, hasPrevious, onCursor, onZoom, onUp }: Props) {
  const wrapRef = useRef<HTMLDivElement>(null);
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const { w, h } = useSize(wrapRef);
  const [hover, setHover] = useState<{ cell: Cell<DiskNode>; x: number; y: number } | null>(null);
  const cells = useMemo(() => (w > 0 && h > 0 ? layoutTree(node, { x: 0, y: 0, w, h }, { size, maxDepth: 3, header: HEADER, padding: 2, minNestArea: 2400 }) : []), [node, w, h, size]);
  const top = useMemo(() => cells.filter((c) => c.depth === 0 && !isRemainder(c.node)), [cells]);
  const paths = useMemo(() => pathsOf(node, path), [node, path]);

  // A new folder or size mode: whatever was under the pointer is gone.
  useEffect(() => setHover(null), [cells]);

  // Zooming into a folder grows the new map out of the rectangle that folder had, so the eye
  // keeps its place; going up or reduced motion draws at once.
  const lastRects = useRef<{ rootId: number; rects: Map<number, Rect> }>({ rootId: -1, rects: new Map() });
  const zoomFrom = useRef<Rect | null>(null);
  const shownId = node.id;
  if (lastRects.current.rootId !== shownId) {
    zoomFrom.current = lastRects.current.rects.get(shownId) ?? null;
    lastRects.current = { rootId: shownId, rects: new Map() };
  }
  useEffect(() => {
    lastRects.current = { rootId: shownId, rects: new Map(top.map((c) => [c.node.id, { x: c.x, y: c.y, w: c.w, h: c.h }])) };
  }, [top, shownId]);

  useEffect(() => {
    const canvas = canvasRef.current;
    if (!canvas) return;
    const from = zoomFrom.current;
    zoomFrom.current = null;
    const reduced = typeof window.matchMedia === 'function' && window.matchMedia('(prefers-reduced-motion: reduce)').matches;
    if (!from || reduced || cells.length === 0) {
      draw(canvas, cells, w, h, selected, cursor, highlight);
      return;
    }
    const start = performance.now();
    let frame = 0;
    const step = (now: number) => {
      const t = Math.min(1, (now - start) / 220);
      const e = 1 - (1 - t) ** 3;
      const r = { x: from.x * (1 - e), y: from.y * (1 - e), w: from.w + (w - from.w) * e, h: from.h + (h - from.h) * e };
      draw(canvas, cells, w, h, selected, cursor, highlight, t < 1 ? r : undefined);
      if (t < 1) frame = requestAnimationFrame(step);
    };
    frame = requestAnimationFrame(step);
    return () => {
      cancelAnimationFrame(frame);
      draw(canvas, cells, w, h, selected, cursor, highlight);
    };
  }, [cells, w, h, selected, cursor, highlight]);

  const at = (e: MouseEvent) => {
    const r = canvasRef.current!.getBoundingClientRect();
    return { x: e.clientX - r.left, y: e.clientY - r.top };
  };

  const onKey = (e: KeyboardEvent) => {
    const dir = ARROWS[e.key];
    if (dir && !e.altKey) {
      e.preventDefault();
      const cur = top.find((c) => c.node.id === cursor) ?? null;
      const next = cur ? neighbour(top, cur, dir) : top[0];
      if (next) onCursor(next.node.id, e.shiftKey ? 'range' : e.ctrlKey ? 'toggle' : 'only');
    } else if (e.key === 'Enter' && cursor !== null) {
      const cur = top.find((c) => c.node.id === cursor);
      if (cur?.node.kind === 'dir') {
        e.preventDefault();
        onZoom(cursor);
      }
    } else if (e.key === ' ' && cursor !== null) {
      e.preventDefault();
      onCursor(cursor, 'toggle');
    } else if (e.key === 'Backspace' || (e.altKey && e.key === 'ArrowUp')) {
      e.preventDefault();
      onUp();
    }
  };

  const tip = hover?.cell.node;
  return (
    <div className="disk-treemap" ref={wrapRef}>
      <canvas
        ref={canvasRef}
        tabIndex={0}
        role="img"
        aria-label={`Treemap of ${path}: ${top.length} items. Arrows move, Enter opens a folder, Backspace goes up.`}
        data-testid="disk-treemap"
        style={{ width: w, height: h }}
        onKeyDown={onKey}
        onMouseMove={(e) => {
          const p = at(e);
          const c = hitTest(cells, p.x, p.y);
          setHover(c ? { cell: c, x: p.x, y: p.y } : null);
        }}
        onMouseLeave={() => setHover(null)}
        onClick={(e) => {
          const p = at(e);
          const c = hitTest(cells, p.x, p.y);
          if (c && c.topId >= 0) onCursor(c.topId, e.shiftKey ? 'range' : e.ctrlKey || e.metaKey ? 'toggle' : 'only');
        }}
        onDoubleClick={(e) => {
          const p = at(e);
          const f = folderAt(cells, p.x, p.y);
          if (f) onZoom(f.node.id);
        }}
      />
      {tip && hover && (
        <div
          className="disk-tip"
          role="tooltip"
          style={{ left: Math.min(hover.x + 14, Math.max(0, w - 320)), top: hover.y + 18 > h - 120 ? Math.max(0, hover.y - 120) : hover.y + 18 }}
        >
          <div className="mono disk-tip-path">{paths.get(tip.id) ?? tip.name}</div>
          <dl className="kv">
            <dt>Allocated</dt>
            <dd>{formatBytes(tip.allocatedBytes)}</dd>
            <dt>Apparent</dt>
            <dd>{formatBytes(tip.apparentBytes)}</dd>
            {tip.kind === 'dir' && (
              <>
                <dt>Files / folders</dt>
                <dd>
                  {tip.files.toLocaleString()} / {tip.dirs.toLocaleString()}
                </dd>
              </>
            )}
            <dt>Category</dt>
            <dd>
              <span className="disk-swatch" style={{ background: categoryColor(tip.category) }} /> {tip.category}
              {tip.extension ? ` (.${tip.extension})` : ''}
            </dd>
            {tip.mtimeMs > 0 && (
              <>
                <dt>Modified</dt>
                <dd>{formatDateTime(tip.mtimeMs)}</dd>
              </>
            )}
            {hasPrevious && (
              <>
                <dt>Since last scan</dt>
                <dd>{formatGrowth(tip, hasPrevious) || '–'}</dd>
              </>
            )}
          </dl>
          {tip.kind === 'dir' && !isRemainder(tip) && <div className="dim disk-tip-hint">Double-click to open</div>}
        </div>
      )}
      <div className="disk-sr" aria-live="polite">
        {(() => {
          const c = top.find((x) => x.node.id === cursor);
          return c ? `${c.node.name}${c.node.kind === 'dir' ? ' folder' : ''}, ${formatBytes(size === 'allocated' ? c.node.allocatedBytes : c.node.apparentBytes)}` : '';
        })()}
      </div>
      <ul className="disk-sr" data-testid="disk-treemap-cells">
        {top.map((c) => (
          <li key={c.node.id} data-node-id={c.node.id} data-name={c.node.name} data-rect={`${Math.round(c.x)},${Math.round(c.y)},${Math.round(c.w)},${Math.round(c.h)}`}>
            {c.node.name} {formatBytes(c.node.allocatedBytes)}
          </li>
        ))}
      </ul>
    </div>
  );
}
