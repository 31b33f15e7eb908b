// Shared set-up for the emulator tests: one credentials set per test process
// (RSA key generation is the slow part) and a quiet emulator factory.
import { startEmulator } from '../../server.mjs';
import { generateCredentials } from '../../lib/credentials.mjs';

let cached;
export function testCredentials() {
  cached ??= generateCredentials();
  return cached;
}

export function start(options = {}) {
  return startEmulator({
    credentials: testCredentials(),
    log: false,
    notifyRetry: { max: 3, baseMs: 10 },
    notifyTimeoutMs: 1000,
    ...options,
  });
}
