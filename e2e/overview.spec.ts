import { expect, openView, saveScreen, test } from './fixtures';

test.describe('Overview', () => {
  test('shows live data within 1.5 s and the charts move', async ({ page, server }) => {
    const opened = Date.now();
    await page.goto(server.url);
    // "Live data" = the CPU figure and the load average filled from the stream.
    await expect(page.getByTestId('cpu-total')).toHaveText(/\d+\.\d%/, { timeout: 1500 });
    const firstPaint = Date.now() - opened;
    expect(firstPaint).toBeLessThan(1500);

    const chart = page.getByTestId('cpu-chart');
    const pointsOf = async () => Number(await chart.getAttribute('data-points'));
    const before = await pointsOf();
    await expect.poll(pointsOf, { timeout: 5000 }).toBeGreaterThan(before + 1);
    await expect(page.getByTestId('load')).toHaveText(/\d+\.\d\d\s+\d+\.\d\d\s+\d+\.\d\d/);
    await expect(page.getByTestId('uptime')).not.toHaveText('–');
    await expect(page.getByRole('region', { name: 'Network' }).getByText('lo', { exact: true })).toBeVisible();
    await expect(page.getByRole('region', { name: 'Host' }).getByText('Kernel')).toBeVisible();
    await expect(page.getByRole('region', { name: 'About this monitor' }).getByText('system', { exact: true })).toBeVisible();
    await saveScreen(page, 'overview');
  });

  test('the range picker reads history recorded by the scheduler', async ({ app }) => {
    await openView(app, 'overview');
    await app.waitForTimeout(2500); // a few ticks reach history.db
    await app.getByRole('button', { name: '1 h' }).click();
    await expect(app.getByText(/From history \(1s tier/)).toBeVisible();
    await expect.poll(async () => Number(await app.getByTestId('cpu-chart').getAttribute('data-points'))).toBeGreaterThan(0);
    await app.getByRole('button', { name: '7 d' }).click();
    await expect(app.getByText(/From history \(1m tier/)).toBeVisible();
    await saveScreen(app, 'overview-history');
  });
});
