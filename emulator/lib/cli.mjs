// The command line of the emulator: `node emulator/server.mjs [flags]` (README.md, CLI).

function parseArgs(argv) {
  const out = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const [k, inline] = a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, undefined];
    const val = () => inline ?? argv[++i];
    switch (k) {
      case '--port': out.port = Number(val()); break;
      case '--credentials': out.credentials = val(); break;
      case '--ttl': out.sessionTtlMs = Number(val()); break;
      case '--charge-delay': out.chargeDelayMs = Number(val()); break;
      case '--notify-retries': out.notifyRetry = { ...(out.notifyRetry ?? {}), max: Number(val()) }; break;
      case '--notify-backoff': out.notifyRetry = { ...(out.notifyRetry ?? {}), baseMs: Number(val()) }; break;
      case '--probe': out.probe = true; break;
      case '--platform-cert': out.platformCert = true; break;
      case '--sign-with-certificate': out.signWith = 'certificate'; break;
      case '--backup': out.backup = true; break;
      case '--backup-port': out.backup = true; out.backupPort = Number(val()); break;
      case '--quiet': out.log = false; break;
      case '-h': case '--help': out.help = true; break;
      default: throw new Error(`unknown argument ${a}`);
    }
  }
  for (const k of ['port', 'backupPort']) {
    if (out[k] !== undefined && !(Number.isInteger(out[k]) && out[k] >= 0 && out[k] < 65536)) throw new Error(`--${k === 'port' ? 'port' : 'backup-port'} must be 0..65535`);
  }
  return out;
}

/** Runs the emulator as a program until SIGINT / SIGTERM. */
export function runCli(argv, startEmulator) {
  let args;
  try {
    args = parseArgs(argv);
  } catch (e) {
    process.stderr.write(`${e.message}\n`);
    process.exit(2);
  }
  if (args.help) {
    process.stdout.write('usage: node emulator/server.mjs [--port N] [--credentials FILE] [--ttl MS] [--charge-delay MS] [--notify-retries N] [--notify-backoff MS] [--probe] [--platform-cert] [--sign-with-certificate] [--backup] [--backup-port N] [--quiet]\n');
    process.exit(0);
  }
  const { help, ...opts } = args;
  startEmulator(opts).then((emu) => {
    process.stdout.write(`WECHATPAY_EMULATOR_URL=${emu.url}\n`);
    if (emu.backupUrl) process.stdout.write(`WECHATPAY_EMULATOR_BACKUP_URL=${emu.backupUrl}\n`);
    if (!emu.credentialsFile) process.stderr.write('credentials: generated in memory only (pass --credentials FILE to write them for your client)\n');
    if (emu.credentialsFile) process.stderr.write(`credentials: ${emu.credentialsFile} (mchid ${emu.credentials.mchid}, plan_id ${emu.credentials.plan_id}, appid ${emu.credentials.appid}, key ${emu.wechatpaySerial})\n`);
    const stop = () => { emu.close().then(() => process.exit(0)); setTimeout(() => process.exit(0), 2000).unref(); };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  }, (e) => {
    process.stderr.write(`emulator failed to start: ${e.message}\n`);
    process.exit(1);
  });
}
