import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, openView, saveScreen, test } from './fixtures';

/** A small tree with known sizes: a few folders, text and code, one duplicate pair, one big nested file. */
function makeTree() {
  const root = mkdtempSync(join(tmpdir(), 'vantage-disk-e2e-'));
  const files: Record<string, Buffer> = {};
  const put = (rel: string, data: Buffer, mtime?: number) => {
    const p = join(root, rel);
    mkdirSync(join(p, '..'), { recursive: true });
    writeFileSync(p, data);
    if (mtime) utimesSync(p, mtime, mtime);
    files[rel] = data;
  };
  put('docs/notes.txt', Buffer.from('plain text notes\n'.repeat(700)));
  put('docs/readme.md', Buffer.from('# readme\n\nsome words\n'.repeat(150)));
  put('code/main.ts', Buffer.from('export const x = 1;\n'.repeat(400)));
  const photo = randomBytes(96 * 1024);
  // The copy in backup is older: "keep newest" keeps photos/ and acts on backup/.
  put('photos/holiday.jpg', photo, Date.now() / 1000 - 60);
  put('backup/holiday-copy.jpg', Buffer.from(photo), Date.now() / 1000 - 3600);
  put('deep/nested/inner/big.bin', randomBytes(3 * 1024 * 1024));
  // A name that is not valid UTF-8 (Latin-1 "é"): shown with a marker and its raw bytes.
  writeFileSync(Buffer.concat([Buffer.from(`${root}/caf`), Buffer.from([0xe9]), Buffer.from('.txt')]), 'latin-1 name\n');
  return { root, files };
}

test.describe('Disk', () => {
  let tree: ReturnType<typeof makeTree>;
  test.beforeAll(() => {
    tree = makeTree();
  });
  test.afterAll(() => rmSync(tree.root, { recursive: true, force: true }));

  test('scans a folder, shows where the bytes are, zooms, classifies, previews and acts on duplicates, lists mounts, deletes and refreshes', async ({ app: page }) => {
    test.setTimeout(120_000);
    const { root } = tree;
    const duAllocated = Number(execFileSync('du', ['-sB1', root], { encoding: 'utf8' }).split('\t')[0]);

    await openView(page, 'disk');
    // Bad roots say why, with a stable code.
    await page.getByLabel('Folder to scan').fill('relative/path');
    await page.getByRole('button', { name: 'Scan', exact: true }).click();
    await expect(page.locator('[role="alert"][data-code="INVALID_INPUT"]')).toContainText('absolute path');
    await page.getByLabel('Folder to scan').fill(join(root, 'no-such-folder'));
    await page.getByRole('button', { name: 'Scan', exact: true }).click();
    await expect(page.locator('[role="alert"][data-code="NOT_FOUND"]')).toContainText('no-such-folder');

    await page.getByLabel('Folder to scan').fill(root);
    await page.getByRole('button', { name: 'Scan', exact: true }).click();

    // The total is what du counts for the same folder.
    const total = page.getByTestId('disk-total');
    await expect(total).toBeVisible({ timeout: 30_000 });
    expect(Number(await total.getAttribute('data-allocated'))).toBe(duAllocated);
    await expect(page.getByTestId('disk-summary')).toContainText(root);

    // Treemap: one rectangle per child, the biggest (deep/) takes most of the area, and it is painted.
    const cells = page.getByTestId('disk-treemap-cells').locator('li');
    await expect(cells).toHaveCount(6);
    const deep = page.getByTestId('disk-treemap-cells').locator('li[data-name="deep"]');
    const [x, y, w, h] = (await deep.getAttribute('data-rect'))!.split(',').map(Number);
    const canvasBox = (await page.getByTestId('disk-treemap').boundingBox())!;
    expect((w * h) / (canvasBox.width * canvasBox.height)).toBeGreaterThan(0.6);
    const pixel = await page.getByTestId('disk-treemap').evaluate(
      (el, p) => {
        const c = el as HTMLCanvasElement;
        const dpr = c.width / c.clientWidth;
        return Array.from(c.getContext('2d')!.getImageData(Math.round(p.x * dpr), Math.round(p.y * dpr), 1, 1).data);
      },
      { x: x + w / 2, y: y + h - 6 },
    );
    // Not the empty background (#0b0e11): a category colour is painted there.
    expect(pixel[0] + pixel[1] + pixel[2]).toBeGreaterThan(3 * 0x20);

    // The list mirrors it, largest first.
    const rows = page.getByTestId('disk-list-body').locator('tr');
    await expect(rows.first()).toHaveAttribute('data-name', 'deep');
    await expect(page.getByTestId('disk-list')).toContainText('backup/');
    // Hover shows what a rectangle is: its path, sizes and category.
    await page.mouse.move(canvasBox.x + x + w / 2, canvasBox.y + y + h / 2);
    await expect(page.getByRole('tooltip')).toContainText(join(root, 'deep'));
    await saveScreen(page, 'disk');
    await page.mouse.move(0, 0);

    // The raw bytes of a name that is not UTF-8 are at hand.
    const latin1 = page.getByTestId('disk-list-body').locator('tr[data-name="caf\uFFFD.txt"]');
    await expect(latin1.locator('.disk-hex')).toHaveAttribute('title', /636166e92e747874/);

    // Arrows move across the treemap, and the list follows: right of deep/ is a neighbour.
    await page.getByTestId('disk-treemap').focus();
    await page.keyboard.press('ArrowRight');
    await expect(page.getByTestId('disk-list-body').locator('tr.cursor')).not.toHaveAttribute('data-name', 'deep');
    await page.keyboard.press('ArrowLeft');
    await expect(page.getByTestId('disk-list-body').locator('tr.cursor')).toHaveAttribute('data-name', 'deep');

    // Zoom from the keyboard: Enter opens deep/, then nested/; Backspace comes back.
    await rows.first().click();
    await page.getByTestId('disk-list-body').press('Enter');
    const crumbs = page.getByTestId('disk-crumbs');
    await expect(crumbs).toContainText('deep');
    await expect(rows.first()).toHaveAttribute('data-name', 'nested');
    await page.getByTestId('disk-list-body').press('Enter');
    await expect(crumbs).toContainText('nested');
    await expect(page.getByTestId('disk-treemap-cells').locator('li[data-name="inner"]')).toHaveCount(1);
    await page.getByTestId('disk-list-body').press('Backspace');
    await page.getByTestId('disk-list-body').press('Backspace');
    await expect(crumbs).not.toContainText('deep');
    await expect(rows).toHaveCount(6);

    // Types: categories with totals, and how they were classified.
    await page.getByRole('tab', { name: 'Types' }).click();
    const cats = page.getByTestId('disk-categories');
    await expect(cats.locator('tbody tr').first()).toBeVisible();
    await expect(page.getByTestId('disk-classified')).toContainText(/classified by content \d+ \/ by extension \d+/);
    await expect(page.getByTestId('disk-extensions')).toContainText('.bin');
    await saveScreen(page, 'disk-types');
    // A category leads back to the treemap with that category picked out.
    const firstCat = cats.locator('tbody tr').first();
    const catName = (await firstCat.getAttribute('data-category'))!;
    await firstCat.getByRole('button').click();
    await expect(page.getByRole('tab', { name: 'Usage' })).toHaveAttribute('aria-selected', 'true');
    await expect(page.getByTestId('disk-legend').getByRole('button', { name: catName })).toHaveAttribute('aria-pressed', 'true');

    // Duplicates: the photo pair is found; a trash preview names the older copy and changes nothing.
    await page.getByRole('tab', { name: 'Duplicates' }).click();
    await expect(page.getByLabel('Folders to search for duplicates')).toHaveValue(root);
    await page.getByLabel('Minimum file size').fill('1k');
    await page.getByRole('button', { name: 'Find duplicates' }).click();
    const groups = page.getByTestId('dupes-groups');
    const keepPath = join(root, 'photos/holiday.jpg');
    const victimPath = join(root, 'backup/holiday-copy.jpg');
    await expect(groups).toContainText(keepPath, { timeout: 30_000 });
    await expect(groups).toContainText(victimPath);
    await expect(groups.locator('li.disk-group')).toHaveCount(1);
    const before = { keep: statSync(keepPath), victim: statSync(victimPath) };

    await page.getByLabel('Which copy to keep').selectOption('newest');
    await page.getByLabel('What to do with the other copies').selectOption('trash');
    await page.getByRole('button', { name: 'Preview…' }).click();
    const preview = page.getByTestId('dupes-preview');
    await expect(preview).toContainText(`keep ${keepPath}`);
    await expect(preview).toContainText(`trash ${victimPath}`);
    await saveScreen(page, 'disk-dupes');
    await page.getByRole('dialog').getByRole('button', { name: 'Cancel' }).click();
    await expect(preview).toHaveCount(0);
    // A dry run touched nothing.
    for (const [p, st] of [
      [keepPath, before.keep],
      [victimPath, before.victim],
    ] as const) {
      const now = statSync(p);
      expect(now.ino).toBe(st.ino);
      expect(now.mtimeMs).toBe(st.mtimeMs);
      expect(now.nlink).toBe(1);
    }
    expect(readFileSync(victimPath).equals(tree.files['backup/holiday-copy.jpg'])).toBe(true);

    // Acting for real with hard links: the older copy becomes a second name of the kept file.
    await page.getByLabel('What to do with the other copies').selectOption('hardlink');
    await page.getByRole('button', { name: 'Preview…' }).click();
    await expect(preview).toContainText(`hardlink ${victimPath}`);
    await page.getByRole('dialog').getByRole('button', { name: /^Replace with hard links: 1 file$/ }).click();
    const outcome = page.getByTestId('dupes-result');
    await expect(outcome).toContainText(victimPath);
    await expect(outcome).toContainText('done');
    expect(statSync(victimPath).ino).toBe(statSync(keepPath).ino);
    expect(statSync(keepPath).nlink).toBe(2);

    // Health: the root file system is listed with its usage.
    await page.getByRole('tab', { name: 'Health' }).click();
    const rootMount = page.getByTestId('disk-mounts').locator('[data-mount="/"]');
    await expect(rootMount).toBeVisible();
    await expect(rootMount).toContainText(/Space/);
    await expect(rootMount).toContainText(/(KiB|MiB|GiB|TiB) \/ /);
    await saveScreen(page, 'disk-health');

    // Delete for good, from the keyboard: the dialog names the exact path and size first.
    await page.getByRole('tab', { name: 'Usage' }).click();
    const codeRow = page.getByTestId('disk-list-body').locator('tr[data-name="code"]');
    const codeBytes = Number(await codeRow.getAttribute('data-allocated'));
    await codeRow.click();
    await page.getByTestId('disk-list-body').press('Shift+Delete');
    const dialog = page.getByRole('dialog', { name: 'Delete for good' });
    await expect(dialog.getByTestId('disk-plan')).toContainText(join(root, 'code'));
    await expect(dialog).toContainText('cannot be undone');
    expect(existsSync(join(root, 'code/main.ts'))).toBe(true);
    await dialog.getByRole('button', { name: /^Delete 1 for good$/ }).click();
    await expect(page.getByTestId('disk-action-result')).toContainText(`${join(root, 'code')}`);
    await expect(page.getByTestId('disk-action-result')).toContainText('done');
    expect(existsSync(join(root, 'code'))).toBe(false);
    await expect(page.getByTestId('disk-list-body').locator('tr[data-name="code"]')).toHaveCount(0);
    await expect(total).toHaveAttribute('data-allocated', String(duAllocated - codeBytes));

    // Refresh one folder after it changed: its row follows du again, and the scan total moves by
    // the same amount (the rest of the tree is not read again).
    const du = (p: string) => Number(execFileSync('du', ['-sB1', p], { encoding: 'utf8' }).split('\t')[0]);
    const docs = page.getByTestId('disk-list-body').locator('tr[data-name="docs"]');
    const docsBefore = Number(await docs.getAttribute('data-allocated'));
    const totalBefore = Number(await total.getAttribute('data-allocated'));
    writeFileSync(join(root, 'docs/added.bin'), randomBytes(200 * 1024));
    const docsAfter = du(join(root, 'docs'));
    await docs.click();
    await page.getByTestId('disk-actions').getByRole('button', { name: 'Refresh' }).click();
    await expect(docs).toHaveAttribute('data-allocated', String(docsAfter));
    await expect(total).toHaveAttribute('data-allocated', String(totalBefore + docsAfter - docsBefore));

    // Scanning the same root again says what grew since the first scan.
    await page.getByRole('button', { name: 'Scan', exact: true }).click();
    await expect(page.getByTestId('disk-summary')).toContainText(/since \d+\/\d+ \d+:\d+/);
    await expect(docs.locator('td').last()).toHaveText(/^\+\d/);
  });

  test('shows changes under a folder live, with pause and clear', async ({ app: page }) => {
    const dir = mkdtempSync(join(tmpdir(), 'vantage-disk-watch-'));
    try {
      await openView(page, 'disk');
      await page.getByRole('tab', { name: 'Activity' }).click();
      await page.getByLabel('Folder to watch').fill(dir);
      await page.getByRole('button', { name: 'Watch' }).click();
      await expect(page.getByTestId('watch-status')).toContainText(/\d+ watch/);
      writeFileSync(join(dir, 'hello.txt'), 'hi');
      mkdirSync(join(dir, 'sub'));
      const events = page.getByTestId('watch-events');
      await expect(events).toContainText(join(dir, 'hello.txt'));
      await expect(events.locator('tr.kind-create').first()).toBeVisible();
      await expect(events).toContainText(`${join(dir, 'sub')}/`);
      await saveScreen(page, 'disk-activity');
      await page.getByRole('button', { name: 'Clear' }).click();
      await expect(events.locator('tbody tr')).toHaveCount(0);
      await page.getByRole('button', { name: 'Pause' }).click();
      writeFileSync(join(dir, 'while-paused.txt'), 'x');
      await expect(page.getByTestId('watch-status')).toContainText(/paused \([1-9]\d* events not shown\)/);
      await expect(events.locator('tbody tr')).toHaveCount(0);
      await page.getByRole('button', { name: 'Stop' }).click();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
