import type { z } from 'zod';

/** `rules[2].then.urgency`-style path of a zod issue; `(root)` for the whole value. */
export function formatIssuePath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out === '' ? String(key) : `.${String(key)}`;
  }
  return out === '' ? '(root)' : out;
}

/** One readable line per issue (`field.path: message`), for files IT staff edit. */
export function issueLines(error: z.ZodError): string[] {
  return error.issues.map((issue) => `${formatIssuePath(issue.path)}: ${issue.message}`);
}
