/**
 * `npm run secrets -- <command>`: manage backend secrets in the OS keyring (IT staff, browser host).
 *
 *   set <name>                 read the secret from stdin (hidden when typed at a terminal) and store it
 *   check <name>               say whether it is stored (never prints it)
 *   delete <name>              remove it
 *   migrate --data-dir <dir>   move plain-text passwords out of <dir>/config.json into the keyring
 *
 * config.json then refers to a secret as {"$secret": "<name>"}.
 */
import { join } from 'node:path';
import { loadConfigFile } from '../src/core/config/config.file';
import { KeyringSecretStore } from '../src/core/secrets/keyring.secret-store';
import { assertSecretName, SecretStoreError } from '../src/core/secrets/secret-store';

function usage(): never {
  console.error('usage: npm run secrets -- set <name> | check <name> | delete <name> | migrate --data-dir <dir>');
  process.exit(2);
}

async function readSecret(prompt: string): Promise<string> {
  const stdin = process.stdin;
  if (!stdin.isTTY) {
    const chunks: Buffer[] = [];
    for await (const chunk of stdin) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
    return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
  }
  process.stderr.write(prompt);
  stdin.setRawMode(true);
  stdin.resume();
  stdin.setEncoding('utf8');
  return new Promise((resolve, reject) => {
    let value = '';
    const onData = (key: string): void => {
      for (const ch of key) {
        if (ch === '\r' || ch === '\n') {
          stdin.setRawMode(false);
          stdin.pause();
          stdin.off('data', onData);
          process.stderr.write('\n');
          resolve(value);
          return;
        }
        if (ch === '\u0003') {
          stdin.setRawMode(false);
          reject(new Error('cancelled'));
          return;
        }
        if (ch === '\u007f' || ch === '\b') value = value.slice(0, -1);
        else value += ch;
      }
    };
    stdin.on('data', onData);
  });
}

async function main(): Promise<void> {
  const [command, arg, value] = process.argv.slice(2);
  const store = new KeyringSecretStore();
  switch (command) {
    case 'set': {
      if (!arg) usage();
      assertSecretName(arg);
      const secret = await readSecret(`Mật khẩu cho "${arg}": `);
      if (secret === '') throw new Error('Mật khẩu trống: không lưu gì.');
      await store.set(arg, secret);
      console.log(`Đã lưu "${arg}" vào kho khóa của hệ điều hành.`);
      return;
    }
    case 'check': {
      if (!arg) usage();
      const found = (await store.get(arg)) !== null;
      console.log(found ? `"${arg}": có trong kho khóa.` : `"${arg}": chưa có trong kho khóa.`);
      process.exitCode = found ? 0 : 1;
      return;
    }
    case 'delete': {
      if (!arg) usage();
      console.log((await store.delete(arg)) ? `Đã xóa "${arg}".` : `"${arg}" không có trong kho khóa.`);
      return;
    }
    case 'migrate': {
      if (arg !== '--data-dir' || !value) usage();
      const loaded = await loadConfigFile(join(value, 'config.json'), store);
      if (loaded.secretWarning) throw new Error(loaded.secretWarning);
      console.log(
        loaded.movedSecrets.length === 0
          ? 'config.json không còn mật khẩu dạng chữ thường.'
          : `Đã chuyển ${loaded.movedSecrets.length} mật khẩu vào kho khóa: ${loaded.movedSecrets.join(', ')}`,
      );
      return;
    }
    default:
      usage();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof SecretStoreError || error instanceof Error ? error.message : String(error));
  process.exit(1);
});
