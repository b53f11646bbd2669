/**
 * The core side of the contract (src/shared/api.ts): every call is checked against the method's
 * input schema and answered with one envelope. Unknown methods and bad input → invalid_input (with
 * the issue paths in `details`); ApiFailure thrown by a handler → its code; anything else →
 * internal, logged here, with no stack trace or internal message in the answer.
 */
import type { z } from 'zod';
import {
  apiContract,
  isApiMethod,
  type ApiContract,
  type ApiError,
  type ApiMethod,
  type ApiOutput,
  type Envelope,
} from '../../shared/api';
import type { CoreLog } from '../core.log';

/** A handled failure with a contract error code (not_found, unavailable…). */
export class ApiFailure extends Error {
  constructor(
    readonly code: ApiError['code'],
    message: string,
    readonly details?: string[],
  ) {
    super(message);
    this.name = 'ApiFailure';
  }
}

export type ApiHandlers = {
  [M in ApiMethod]: (input: z.output<ApiContract[M]['input']>) => ApiOutput<M> | Promise<ApiOutput<M>>;
};

export interface ApiDispatcherOptions {
  /** Also check every answer against the output schema (catches drift; on by default). */
  validateOutput?: boolean;
}

export function formatIssues(error: z.ZodError, max = 20): string[] {
  return error.issues.slice(0, max).map((issue) => {
    const path = issue.path.map(String).join('.');
    return `${path === '' ? '(input)' : path}: ${issue.message}`;
  });
}

export class ApiDispatcher {
  private readonly validateOutput: boolean;

  constructor(
    private readonly handlers: ApiHandlers,
    private readonly log: CoreLog,
    options: ApiDispatcherOptions = {},
  ) {
    this.validateOutput = options.validateOutput ?? true;
  }

  async handle(method: string, input: unknown): Promise<Envelope<unknown>> {
    if (!isApiMethod(method)) {
      return fail('invalid_input', `Unknown method "${String(method).slice(0, 100)}"`);
    }
    try {
      return { ok: true, data: await this.dispatch(method, input === undefined ? {} : input) };
    } catch (error) {
      if (error instanceof ApiFailure) return fail(error.code, error.message, error.details);
      this.log('error', 'api call failed', { method, error: error instanceof Error ? error.message : String(error) });
      return fail('internal', 'Internal error in the workstation core');
    }
  }

  private async dispatch<M extends ApiMethod>(method: M, input: unknown): Promise<ApiOutput<M>> {
    const contract = apiContract[method];
    const parsed = contract.input.safeParse(input);
    if (!parsed.success) {
      throw new ApiFailure('invalid_input', `Invalid input for ${method}`, formatIssues(parsed.error));
    }
    const handler = this.handlers[method] as (input: unknown) => ApiOutput<M> | Promise<ApiOutput<M>>;
    const output = await handler(parsed.data);
    if (this.validateOutput) {
      const checked = contract.output.safeParse(output);
      if (!checked.success) {
        this.log('error', 'api output does not match the contract', { method, issues: formatIssues(checked.error, 5) });
        throw new ApiFailure('internal', 'Internal error in the workstation core');
      }
    }
    return output;
  }
}

function fail(code: ApiError['code'], message: string, details?: string[]): Envelope<never> {
  return { ok: false, error: details && details.length > 0 ? { code, message, details } : { code, message } };
}
