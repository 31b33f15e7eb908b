// examples/node-production runs as documented: node:crypto signer, logging fetch, failover
// to the emulator's backup host while its main host refuses connections.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { emulator } from './helpers.mjs';

test('examples/node-production: signer, fetch and failover', async () => {
  const emu = await emulator({ backup: true });
  try {
    await emu.takeMainDown();
    const example = fileURLToPath(new URL('../../examples/node-production/index.mjs', import.meta.url));
    const { stdout } = await promisify(execFile)(process.execPath, [example], {
      timeout: 30_000,
      env: {
        ...process.env,
        WECHATPAY_BASE_URL: emu.url,
        WECHATPAY_BACKUP_URL: emu.backupUrl,
        WECHATPAY_CREDENTIALS: JSON.stringify(emu.credentials),
      },
    });
    const lines = stdout.trim().split('\n');
    assert.match(lines[0], new RegExp(`^POST ${emu.url}/v3/papay/sign/contracts/pre-entrust-sign -> ECONNREFUSED$`));
    assert.match(lines[1], new RegExp(`^POST ${emu.backupUrl}/v3/papay/sign/contracts/pre-entrust-sign -> 200 `));
    assert.match(lines[2], /^pre_entrustweb_id .+/);
    assert.equal(emu.contracts.size, 1);
  } finally {
    await emu.close();
  }
});
