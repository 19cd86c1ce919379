import type { Table, View, VirtualTable } from '../storage/table';

/** What the executor needs to know about the schema; the database implements it. */
export interface Catalog {
  table(name: string): Table | undefined;
  view(name: string): View | undefined;
  virtual(name: string): VirtualTable | undefined;
}
