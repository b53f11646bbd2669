/**
 * `npm run wipe -- --data-dir DIR [--yes] [--force] [--include-config]`: erase a workstation's data
 * for a counter PC changing hands (src/core/wipe/data-wipe.service.ts says what goes and what stays).
 * Close the workstation first. Asks to type XOA unless --yes; refuses unsent actions unless --force.
 * Exit codes: 0 wiped, 1 refused or something left behind, 2 usage.
 */
import { createInterface } from 'node:readline/promises';
import { parseArgs } from 'node:util';
import { KeyringSecretStore } from '../src/core/secrets/keyring.secret-store';
import type { SecretStore } from '../src/core/secrets/secret-store';
import { executeWipe, planWipe, WipeRefusedError } from '../src/core/wipe/data-wipe.service';

const USAGE = 'usage: npm run wipe -- --data-dir <thư mục dữ liệu> [--yes] [--force] [--include-config]';

async function confirm(question: string): Promise<boolean> {
  if (!process.stdin.isTTY) return false;
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return (await rl.question(question)).trim().toUpperCase() === 'XOA';
  } finally {
    rl.close();
  }
}

async function main(): Promise<number> {
  let values: { 'data-dir'?: string; yes?: boolean; force?: boolean; 'include-config'?: boolean };
  try {
    values = parseArgs({
      options: {
        'data-dir': { type: 'string' },
        yes: { type: 'boolean', default: false },
        force: { type: 'boolean', default: false },
        'include-config': { type: 'boolean', default: false },
      },
    }).values;
  } catch (error) {
    console.error(error instanceof Error ? error.message : String(error));
    console.error(USAGE);
    return 2;
  }
  const dataDir = values['data-dir'];
  if (!dataDir) {
    console.error(USAGE);
    return 2;
  }
  const secrets: SecretStore = new KeyringSecretStore();
  let plan;
  try {
    plan = await planWipe(dataDir, secrets, { includeConfig: values['include-config'] === true });
  } catch (error) {
    console.error(error instanceof WipeRefusedError ? error.message : `Lỗi: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
  console.log(`Sẽ xóa trong ${plan.dataDir}:`);
  for (const p of plan.paths) console.log(`  - ${p}`);
  for (const p of plan.kept) console.log(`  (giữ lại) ${p}`);
  console.log(`Sẽ xóa ${plan.secrets.length} khóa/mật khẩu trong kho khóa: ${plan.secrets.join(', ')}`);
  if (plan.unsentActions === null || plan.unsentActions > 0) {
    const what =
      plan.unsentActions === null
        ? `Không kiểm tra được các thao tác chưa gửi (${plan.unsentUnknownReason ?? 'không rõ lý do'}).`
        : `Còn ${plan.unsentActions} thao tác chưa gửi lên hệ thống (hàng đợi gửi): xóa là mất các thao tác này.`;
    if (!values.force) {
      console.error(`${what} Mở ứng dụng để gửi hết trước, hoặc thêm --force nếu chắc chắn bỏ chúng.`);
      return 1;
    }
    console.error(`Cảnh báo: ${what} (--force)`);
  }
  if (!values.yes && !(await confirm('Gõ XOA rồi Enter để xóa vĩnh viễn (mọi phím khác: hủy): '))) {
    console.error('Đã hủy: không xóa gì. (Không có bàn phím? Thêm --yes.)');
    return 1;
  }
  const result = await executeWipe(plan, secrets);
  console.log(`Đã xóa ${result.deleted.length} mục và ${result.secretsDeleted.length} khóa/mật khẩu.`);
  if (result.secretErrors.length > 0) {
    for (const e of result.secretErrors) console.error(`Chưa xóa được "${e.name}" khỏi kho khóa: ${e.message}`);
    return 1;
  }
  return 0;
}

process.exitCode = await main();
