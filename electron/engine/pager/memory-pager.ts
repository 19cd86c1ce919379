// ':memory:' databases: committed pages live in a Map; same transaction semantics, no file.
import { SqlError } from '../errors';
import { DEFAULT_PAGE_SIZE, encodeHeader, newHeader, validPageSize } from './format';
import { type CommittedPages, Pager } from './pager';

class MemoryPages implements CommittedPages {
  private pages = new Map<number, Uint8Array>();

  constructor(page1: Uint8Array) {
    this.pages.set(1, page1);
  }

  read(pgno: number): Uint8Array {
    const page = this.pages.get(pgno);
    if (!page) throw new SqlError('SQL_ERROR', `page ${pgno} was never written`);
    return page;
  }

  commit(pages: Map<number, Uint8Array>): void {
    // The transaction's copies become the committed pages; readers holding old arrays keep them.
    for (const [pgno, page] of pages) this.pages.set(pgno, page);
  }

  checkpoint(): void {}

  close(): void {
    this.pages.clear();
  }
}

export function openMemoryPager(opts: { pageSize?: number } = {}): Pager {
  const pageSize = opts.pageSize ?? DEFAULT_PAGE_SIZE;
  if (!validPageSize(pageSize)) throw new SqlError('SQL_MISUSE', `page size ${pageSize} is not a power of two in 512..65536`);
  const header = newHeader(pageSize);
  const page1 = new Uint8Array(pageSize);
  encodeHeader(header, page1);
  return new Pager(new MemoryPages(page1), header);
}
