import { execFileSync } from 'node:child_process';
import type { Page } from '@playwright/test';
import { expect, openView, saveScreen, test } from './fixtures';

async function runSql(page: Page, text: string): Promise<void> {
  const editor = page.locator('.sql-editor .cm-content');
  await editor.click();
  await page.keyboard.press('Control+a');
  await page.keyboard.press('Delete');
  await page.keyboard.insertText(text);
  await page.keyboard.press('Control+Enter');
}

test('SQL console: tables, plans, live system tables and errors at their position', async ({ app: page }) => {
  test.setTimeout(60_000);
  await openView(page, 'sql');
  await expect(page.getByLabel('Schema')).toContainText('processes');

  await runSql(page, "CREATE TABLE e2e_t(id INTEGER PRIMARY KEY, name TEXT, score REAL); INSERT INTO e2e_t VALUES (1, 'a', 1.5), (2, NULL, 2.5), (3, 'NULL', NULL)");
  await expect(page.getByLabel('Schema')).toContainText('e2e_t');

  await runSql(page, 'SELECT * FROM e2e_t ORDER BY id');
  const grid = page.getByTestId('sql-grid');
  await expect(grid.getByRole('row')).toHaveCount(4);
  // A real NULL is styled as such; the string 'NULL' is plain text.
  await expect(grid.locator('.sql-null')).toHaveCount(2);
  const third = grid.getByRole('row').nth(3).getByRole('cell');
  await expect(third.nth(1)).toHaveText('NULL');
  await expect(third.nth(1).locator('.sql-null')).toHaveCount(0);
  await expect(third.nth(2).locator('.sql-null')).toHaveCount(1);

  await runSql(page, 'EXPLAIN QUERY PLAN SELECT * FROM e2e_t WHERE id = 2');
  await expect(page.getByTestId('sql-plan')).toContainText('e2e_t');

  // Ctrl+Enter closes an open completion list before it runs, so the list does not cover results.
  await page.locator('.sql-editor .cm-content').click();
  await page.keyboard.press('Control+a');
  await page.keyboard.press('Delete');
  await page.keyboard.type('SELECT count(*) FROM e2e_t');
  await expect(page.locator('.cm-tooltip-autocomplete')).toBeVisible();
  await page.keyboard.press('Control+Enter');
  await expect(page.locator('.cm-tooltip-autocomplete')).toHaveCount(0);

  await runSql(page, 'SELECT count(*) FROM processes');
  const psCount = execFileSync('ps', ['-e', '--no-headers']).toString().trim().split('\n').length;
  await expect(grid.getByRole('columnheader').first()).toContainText('count(*)');
  const count = Number(await grid.getByRole('row').nth(1).getByRole('cell').first().textContent());
  expect(Math.abs(count - psCount)).toBeLessThan(Math.max(10, psCount * 0.2));

  await runSql(page, 'SELECT user, sum(rss) AS rss FROM processes GROUP BY user ORDER BY rss DESC');
  await expect(grid).toContainText('root');
  await expect(page.getByLabel('History')).toContainText('GROUP BY user');

  await runSql(page, 'SELECT name FROM e2e_t WHERE nosuch = 1');
  await expect(page.getByTestId('sql-error')).toContainText('SQL_ERROR');
  await expect(page.getByTestId('sql-error')).toContainText('line 1, column 30');
  await expect(page.locator('.sql-error-mark')).toHaveText('nosuch');
  await saveScreen(page, 'sql');
});
