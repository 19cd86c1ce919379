import { lazy, type ComponentType, type LazyExoticComponent } from 'react';

export interface ViewEntry {
  id: string;
  title: string;
  /** A single glyph for the navigation rail. */
  icon: string;
  component: LazyExoticComponent<ComponentType>;
}

/** Every view in navigation order; Alt+1…9 jump to them. Each capability appends its own. */
export const views: ViewEntry[] = [
  { id: 'overview', title: 'Overview', icon: '◔', component: lazy(() => import('../views/overview/OverviewView')) },
  { id: 'processes', title: 'Processes', icon: '☰', component: lazy(() => import('../views/processes/ProcessesView')) },
  { id: 'terminal', title: 'Terminal', icon: '❯', component: lazy(() => import('../views/terminal/TerminalView')) },
  { id: 'memory', title: 'Memory', icon: '▤', component: lazy(() => import('../views/memory/MemoryView')) },
  { id: 'sql', title: 'SQL', icon: '≡', component: lazy(() => import('../views/sql/SqlView')) },
  { id: 'disk', title: 'Disk', icon: '◫', component: lazy(() => import('../views/disk/DiskView')) },
];
