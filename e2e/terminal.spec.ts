import { expect, openView, saveScreen, test } from './fixtures';

test('terminal echoes what was typed, opens tabs and shows the exit status', async ({ app }) => {
  await openView(app, 'terminal');
  const pane = app.locator('.terminal-pane:visible');
  await expect(pane.locator('.xterm-rows')).toBeVisible();
  await pane.click();
  await app.keyboard.type('echo vantage-$((6*7))\n');
  await expect(pane.locator('.xterm-rows')).toContainText('vantage-42');

  await app.getByRole('button', { name: '＋ New terminal' }).click();
  await expect(app.getByRole('tab')).toHaveCount(2);
  const second = app.locator('.terminal-pane:visible');
  await second.click();
  await app.keyboard.type('exit 3\n');
  await expect(app.getByTestId('exit-status')).toHaveText('exit 3');
  await saveScreen(app, 'terminal');
});
