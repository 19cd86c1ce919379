import type { ReactNode } from 'react';

export function ViewHeader({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <header className="view-header">
      <h1>{title}</h1>
      <div style={{ display: 'flex', gap: 8, alignItems: 'center', marginLeft: 'auto' }}>{children}</div>
    </header>
  );
}
